"""Reference side of bench/gbdt.ts: makes the data both sides use and times LightGBM and
scikit-learn's HistGradientBoosting on it (one thread each).

  gbdt_reference.py data OUT_DIR      write the data sets to OUT_DIR; print the reference scores as JSON
  gbdt_reference.py time OUT_DIR      one timed fit and scoring of LightGBM and HGB on OUT_DIR's synthetic data
  gbdt_reference.py fixtures OUT_FILE write the test fixture (splits and reference scores of the shared data sets)

bench/gbdt.ts runs `time` several times interleaved with its own fits, so both sides see the same
machine load. Tests never run this script.
"""
import os

# One thread for every native library, set before they load.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import json
import sys
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
SHARED = {"iris": "classification", "wine": "classification", "diabetes": "regression"}


def timed(fn):
    """Wall and CPU seconds of fn(), and its result."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - w0, time.process_time() - c0, result


def write_f64(path, arr):
    np.ascontiguousarray(arr, dtype="<f8").tofile(path)


def lgbm_classifier(**kw):
    return lgb.LGBMClassifier(n_jobs=1, verbose=-1, random_state=0, **kw)


def hgb_classifier():
    # Same shape as LightGBM's defaults; early stopping off so both run 100 iterations.
    return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
                                          early_stopping=False, random_state=0)


def make_synthetic(out_dir):
    X, y = make_classification(n_samples=100000, n_features=20, n_informative=10, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
    for name, arr in (("X_train", Xtr), ("y_train", ytr), ("X_test", Xte), ("y_test", yte)):
        write_f64(out_dir / f"synthetic_{name}.f64", arr)
    return {"n_train": int(len(ytr)), "n_test": int(len(yte)), "n_features": int(X.shape[1])}


def read_synthetic(out_dir):
    def read(name):
        return np.fromfile(out_dir / f"synthetic_{name}.f64", dtype="<f8")

    ytr, yte = read("y_train"), read("y_test")
    return read("X_train").reshape(len(ytr), -1), ytr, read("X_test").reshape(len(yte), -1), yte


def time_synthetic(out_dir):
    Xtr, ytr, Xte, yte = read_synthetic(out_dir)
    fit_wall, fit_cpu, model = timed(lambda: lgbm_classifier().fit(Xtr, ytr))
    booster = model.booster_
    batch_wall, batch_cpu, proba = timed(lambda: booster.predict(Xte, num_threads=1))
    n_single = 1000
    single_wall, _, _ = timed(lambda: [booster.predict(Xte[i : i + 1], num_threads=1) for i in range(n_single)])
    result = {
        "lightgbm": {
            "version": lgb.__version__,
            "accuracy": float(accuracy_score(yte, (proba > 0.5).astype(int))),
            "fit_s": fit_wall,
            "fit_cpu_s": fit_cpu,
            "batch_rows_per_s": len(yte) / batch_wall,
            "batch_rows_per_cpu_s": len(yte) / batch_cpu,
            "single_row_us": single_wall / n_single * 1e6,
            "trees": int(booster.num_trees()),
        }
    }
    fit_wall, fit_cpu, model = timed(lambda: hgb_classifier().fit(Xtr, ytr))
    batch_wall, _, pred = timed(lambda: model.predict(Xte))
    result["hgb"] = {
        "accuracy": float(accuracy_score(yte, pred)),
        "fit_s": fit_wall,
        "fit_cpu_s": fit_cpu,
        "batch_rows_per_s": len(yte) / batch_wall,
    }
    return result


def load_shared(name):
    import csv

    with open(DATASETS / f"{name}.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    t = header.index("target")
    X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    raw = [r[t] for r in body]
    if SHARED[name] == "classification":
        labels = sorted(set(raw))
        y = np.array([labels.index(v) for v in raw])
    else:
        y = np.array([float(v) for v in raw])
    return X, y


def split_shared(name):
    X, y = load_shared(name)
    idx = np.arange(len(y))
    stratify = y if SHARED[name] == "classification" else None
    tr, te = train_test_split(idx, test_size=0.2, stratify=stratify, random_state=42)
    return X, y, tr, te


def shared_scores(name, X, y, tr, te):
    if SHARED[name] == "classification":
        lg = lgbm_classifier().fit(X[tr], y[tr])
        hg = hgb_classifier().fit(X[tr], y[tr])
        return {"metric": "accuracy", "lightgbm": float(accuracy_score(y[te], lg.predict(X[te]))),
                "hgb": float(accuracy_score(y[te], hg.predict(X[te])))}
    lg = lgb.LGBMRegressor(n_jobs=1, verbose=-1, random_state=0).fit(X[tr], y[tr])
    hg = HistGradientBoostingRegressor(max_iter=100, max_leaf_nodes=31, min_samples_leaf=20, early_stopping=False,
                                       random_state=0).fit(X[tr], y[tr])
    return {"metric": "r2", "lightgbm": float(r2_score(y[te], lg.predict(X[te]))),
            "hgb": float(r2_score(y[te], hg.predict(X[te])))}


def shared_all(with_splits):
    out = {}
    for name in SHARED:
        X, y, tr, te = split_shared(name)
        entry = shared_scores(name, X, y, tr, te)
        if with_splits:
            entry["train"] = [int(i) for i in tr]
            entry["test"] = [int(i) for i in te]
        out[name] = entry
    return out


def one_split_case():
    """LightGBM's first split on a tiny problem: the test checks our gain, threshold and leaf values against it."""
    rng = np.random.RandomState(7)
    x = np.round(rng.uniform(0, 10, size=60), 1)
    y = (x > 4.0).astype(float) * 3.0 + rng.normal(0, 0.5, size=60)
    X = x.reshape(-1, 1)
    params = dict(objective="regression", num_leaves=2, learning_rate=1.0, min_data_in_leaf=5, min_sum_hessian_in_leaf=0,
                  lambda_l2=0.0, boost_from_average=True, verbose=-1, num_threads=1, min_data_in_bin=1, max_bin=255)
    booster = lgb.train(params, lgb.Dataset(X, y, params={"min_data_in_bin": 1, "max_bin": 255}), num_boost_round=1)
    tree = booster.dump_model()["tree_info"][0]["tree_structure"]
    return {"x": x.tolist(), "y": y.tolist(), "split_gain": tree["split_gain"], "threshold": tree["threshold"],
            "left_value": tree["left_child"]["leaf_value"], "right_value": tree["right_child"]["leaf_value"],
            "left_count": tree["left_child"]["leaf_count"], "right_count": tree["right_child"]["leaf_count"]}


def main():
    mode, target = sys.argv[1], Path(sys.argv[2])
    if mode == "data":
        target.mkdir(parents=True, exist_ok=True)
        result = {"synthetic": make_synthetic(target), "shared": shared_all(with_splits=True)}
        for name, entry in result["shared"].items():
            X, y, _, _ = split_shared(name)
            write_f64(target / f"{name}_X.f64", X)
            write_f64(target / f"{name}_y.f64", y)
            entry["n_features"] = int(X.shape[1])
            entry["n_rows"] = int(len(y))
        print(json.dumps(result))
    elif mode == "time":
        print(json.dumps(time_synthetic(target)))
    elif mode == "fixtures":
        fixture = {
            "generated_by": "bench/gbdt_reference.py fixtures",
            "lightgbm_version": lgb.__version__,
            "shared": shared_all(with_splits=True),
            "one_split": one_split_case(),
        }
        target.write_text(json.dumps(fixture) + "\n")
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
