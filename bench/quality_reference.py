"""scikit-learn's side of the model-quality bench (bench/quality.ts): the split and the default models' test scores.

  .venv-ref/bin/python bench/quality_reference.py OUT_DIR [DATASETS] [SEEDS]

DATASETS: comma-separated names (default: all); SEEDS: comma-separated split seeds (default 42). Each seed
gives its own split; seed 42 is the split of issue 4's bar, the others show how much one split's rows decide.

For every dataset: the rows of the train/test split (stratified 80/20 with seed 42 for classification,
random 80/20 with seed 42 for regression) and the test score (accuracy, or R^2) of scikit-learn's default
models fitted on the train rows, raw and, for the scale-sensitive ones, behind a StandardScaler.
The shared datasets are read from ../shared/datasets; the others ship with scikit-learn or statsmodels (no
network) and are written to OUT_DIR as CSV so that both sides read the same bytes. Prints one JSON object.
"""

import json
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_friedman1
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "datasets"))
SEED = 42

# Our family each scikit-learn model stands beside.
FAMILY_OF = {
    "LogisticRegression": "linear",
    "LinearRegression": "linear",
    "Ridge": "linear",
    "MLPClassifier": "mlp",
    "MLPRegressor": "mlp",
    "HistGradientBoostingClassifier": "gbdt",
    "HistGradientBoostingRegressor": "gbdt",
    "RandomForestClassifier": None,
    "RandomForestRegressor": None,
}


def read_csv(path):
    import csv

    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    t = header.index("target")
    X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    y = np.array([r[t] for r in body])
    return X, y


def write_csv(path, X, y, names):
    with open(path, "w") as f:
        f.write(",".join([*names, "target"]) + "\n")
        for row, label in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + str(label) + "\n")


def bundled(out_dir):
    """Public tabular sets that ship inside scikit-learn and statsmodels, plus one classic synthetic regression."""
    out = []
    bc = load_breast_cancer()
    names = [n.replace(" ", "_") for n in bc.feature_names]
    write_csv(os.path.join(out_dir, "breast_cancer.csv"), bc.data, [bc.target_names[i] for i in bc.target], names)
    out.append(("breast_cancer", os.path.join(out_dir, "breast_cancer.csv"), "classification", "UCI Wisconsin diagnostic breast cancer (scikit-learn copy)"))
    dg = load_digits()
    write_csv(os.path.join(out_dir, "digits.csv"), dg.data, [f"d{i}" for i in dg.target], [f"px{i}" for i in range(dg.data.shape[1])])
    out.append(("digits", os.path.join(out_dir, "digits.csv"), "classification", "UCI optical handwritten digits, 8x8 (scikit-learn copy)"))
    X, y = make_friedman1(n_samples=1000, n_features=10, noise=1.0, random_state=SEED)
    write_csv(os.path.join(out_dir, "friedman1.csv"), X, y, [f"x{i}" for i in range(X.shape[1])])
    out.append(("friedman1", os.path.join(out_dir, "friedman1.csv"), "regression", "Friedman #1 (1991), synthetic: 1000 rows, 10 features, noise 1"))
    # Two survey sets that ship with statsmodels (no network): features on mixed scales (years, 1-5 ratings,
    # codes), the kind of data a threshold on the features' spread must not mistake for one unit.
    import statsmodels.api as sm

    fair = sm.datasets.fair.load_pandas().data
    cols = [c for c in fair.columns if c != "affairs"]
    write_csv(os.path.join(out_dir, "fair.csv"), fair[cols].values, ["yes" if a > 0 else "no" for a in fair["affairs"]], cols)
    out.append(("fair", os.path.join(out_dir, "fair.csv"), "classification", "Fair (1978) extramarital affairs survey: any affair (statsmodels copy)"))
    anes = sm.datasets.anes96.load_pandas().data
    cols = [c for c in anes.columns if c not in ("vote", "popul")]
    write_csv(os.path.join(out_dir, "anes96.csv"), anes[cols].values, ["dole" if v > 0 else "clinton" for v in anes["vote"]], cols)
    out.append(("anes96", os.path.join(out_dir, "anes96.csv"), "classification", "American National Election Studies 1996: vote (statsmodels copy)"))
    return out


def models(task):
    if task == "regression":
        return {
            "LinearRegression": LinearRegression(),
            "Ridge": Ridge(),
            "MLPRegressor": MLPRegressor(random_state=SEED),
            "HistGradientBoostingRegressor": HistGradientBoostingRegressor(random_state=SEED),
            "RandomForestRegressor": RandomForestRegressor(random_state=SEED),
        }
    return {
        "LogisticRegression": LogisticRegression(),
        "MLPClassifier": MLPClassifier(random_state=SEED),
        "HistGradientBoostingClassifier": HistGradientBoostingClassifier(random_state=SEED),
        "RandomForestClassifier": RandomForestClassifier(random_state=SEED),
    }


def reference(name, path, task, origin, seeds):
    X, y = read_csv(path)
    if task == "regression":
        y = y.astype(float)
    splits = [split_and_score(X, y, task, seed) for seed in seeds]
    return {
        "path": path,
        "origin": origin,
        "task": task,
        "metric": "r2" if task == "regression" else "accuracy",
        "rows": int(len(y)),
        "features": int(X.shape[1]),
        "split": "stratified 80/20" if task == "classification" else "random 80/20",
        "splits": splits,
    }


def split_and_score(X, y, task, seed):
    idx = np.arange(len(y))
    if task == "regression":
        train, test = train_test_split(idx, test_size=0.2, random_state=seed)
        score = r2_score
    else:
        train, test = train_test_split(idx, test_size=0.2, random_state=seed, stratify=y)
        score = accuracy_score
    results = []
    for label, model in models(task).items():
        variants = [("raw", model)]
        if FAMILY_OF[label] in ("linear", "mlp"):
            variants.append(("scaled", make_pipeline(StandardScaler(), clone(model))))
        for variant, m in variants:
            t0, c0 = time.perf_counter(), time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                m.fit(X[train], y[train])
            results.append(
                {
                    "model": label,
                    "variant": variant,
                    "family": FAMILY_OF[label],
                    "score": float(score(y[test], m.predict(X[test]))),
                    "fit_s": round(time.perf_counter() - t0, 4),
                    "fit_cpu_s": round(time.process_time() - c0, 4),
                }
            )
    return {
        "seed": seed,
        "train_rows": sorted(int(i) for i in train),
        "test_rows": sorted(int(i) for i in test),
        "sklearn": results,
    }


def main():
    out_dir = sys.argv[1]
    sets = [
        ("iris", os.path.join(SHARED, "iris.csv"), "classification", "Fisher's iris (shared)"),
        ("wine", os.path.join(SHARED, "wine.csv"), "classification", "UCI wine recognition (shared)"),
        ("diabetes", os.path.join(SHARED, "diabetes.csv"), "regression", "Efron et al. diabetes progression (shared)"),
        *bundled(out_dir),
    ]
    only = set(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else None
    seeds = [int(s) for s in sys.argv[3].split(",")] if len(sys.argv) > 3 and sys.argv[3] else [SEED]
    out = {"sklearn_version": sklearn.__version__, "seed": SEED, "datasets": {}}
    for name, path, task, origin in sets:
        if only and name not in only:
            continue
        out["datasets"][name] = reference(name, path, task, origin, seeds)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
