"""SciPy side of bench/drift.ts: the same drift reports, computed the way a Python user would.

    python bench/drift_reference.py report N_REF N_CUR N_COLS   -> JSON timings of the SciPy report
    python bench/drift_reference.py gen-csv DIR N_ROWS N_COLS   -> writes DIR/ref.csv, DIR/cur.csv (pandas.to_csv)
    python bench/drift_reference.py cli REF.csv CUR.csv          -> pandas.read_csv + SciPy report, JSON like `mlops drift --json`

Per numeric column the report does what lib/drift does: the auto-selected test (KS for a reference
of at most 1000 rows, else the Wasserstein distance divided by the reference's standard deviation),
PSI over the reference's deciles, and 20-bin histograms of both sides on shared edges.
"""

import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
import scipy
from scipy import stats

SHIFTED = 4  # the first columns of the current data are shifted by 0.2 standard deviations


def psi(ref_sorted, cur_sorted, bins=10, eps=1e-4):
    edges = np.unique(np.quantile(ref_sorted, [i / bins for i in range(1, bins)]))

    def props(x):
        cum = np.concatenate([[0], np.searchsorted(x, edges, side="right"), [len(x)]])
        p = np.diff(cum) / len(x)
        return np.where(p == 0, eps, p)

    r, c = props(ref_sorted), props(cur_sorted)
    return float(np.sum((c - r) * np.log(c / r)))


def column_report(ref, cur, test):
    ref = ref[~np.isnan(ref)]
    cur = cur[~np.isnan(cur)]
    if test == "ks":
        r = stats.ks_2samp(ref, cur)
        out = {"test": "ks", "statistic": float(r.statistic), "p_value": float(r.pvalue), "threshold": 0.05}
        out["drifted"] = out["p_value"] < 0.05
    else:
        d = stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001)
        out = {"test": "wasserstein", "statistic": float(d), "threshold": 0.1, "drifted": bool(d >= 0.1)}
    rs, cs = np.sort(ref), np.sort(cur)
    out["psi"] = psi(rs, cs)
    edges = np.linspace(min(rs[0], cs[0]), max(rs[-1], cs[-1]), 21)
    np.histogram(ref, edges)
    np.histogram(cur, edges)
    return out


def report(ref_frame, cur_frame, test=None):
    cols = []
    for name in ref_frame.columns:
        ref = ref_frame[name].to_numpy(dtype=float)
        cur = cur_frame[name].to_numpy(dtype=float)
        t = test or ("ks" if np.count_nonzero(~np.isnan(ref)) <= 1000 else "wasserstein")
        cols.append({"column": name, "type": "numeric", **column_report(ref, cur, t)})
    share = sum(c["drifted"] for c in cols) / len(cols)
    return {"columns": cols, "share_drifted": share, "dataset_drift": share >= 0.5}


def frames(n_ref, n_cur, n_cols, seed=1):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({f"f{i}": rng.normal(size=n_ref) for i in range(n_cols)})
    cur = pd.DataFrame({f"f{i}": rng.normal(0.2 if i < SHIFTED else 0.0, 1.0, size=n_cur) for i in range(n_cols)})
    return ref, cur


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, {"wall_s": round(time.perf_counter() - w, 3), "cpu_s": round(time.process_time() - c, 3)}


def main():
    mode = sys.argv[1]
    if mode == "report":
        n_ref, n_cur, n_cols = (int(float(x)) for x in sys.argv[2:5])
        ref, cur = frames(n_ref, n_cur, n_cols)
        auto, t_auto = timed(lambda: report(ref, cur))
        ks, t_ks = timed(lambda: report(ref, cur, "ks"))
        print(json.dumps({
            "scipy": scipy.__version__, "numpy": np.__version__,
            "auto": {**t_auto, "tests": sorted({c["test"] for c in auto["columns"]}), "drifted": sum(c["drifted"] for c in auto["columns"])},
            "ks": {**t_ks, "drifted": sum(c["drifted"] for c in ks["columns"])},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }))
    elif mode == "gen-csv":
        out, n, n_cols = sys.argv[2], int(float(sys.argv[3])), int(sys.argv[4])
        ref, cur = frames(n, n, n_cols, seed=2)
        ref.to_csv(os.path.join(out, "ref.csv"), index=False)
        cur.to_csv(os.path.join(out, "cur.csv"), index=False)
    elif mode == "cli":
        ref = pd.read_csv(sys.argv[2])
        cur = pd.read_csv(sys.argv[3])
        print(json.dumps(report(ref, cur)))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
