"""Optuna side of bench/hpo.ts: the same test functions (keep in step with bench/hpo-functions.ts),
optimised with Optuna's TPESampler at its defaults, printing JSON on stdout.

  python bench/hpo_reference.py quality --seeds 20 --trials 100 [--functions a,b]
  python bench/hpo_reference.py timing --trials 100 --repeats 3 --functions hartmann6
"""
import argparse
import json
import math
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def floats(trial, d, low, high):
    return [trial.suggest_float(f"x{i}", low, high) for i in range(d)]


def branin(x1, x2):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
H6_ALPHA = [1, 1.2, 3, 3.2]


def hartmann6(x):
    s = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        s += H6_ALPHA[i] * math.exp(-inner)
    return -s


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def ackley(x):
    d = len(x)
    s1 = sum(v * v for v in x)
    s2 = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(s1 / d)) - math.exp(s2 / d) + 20 + math.e


def styblinski_tang(x):
    return sum(v**4 - 16 * v**2 + 5 * v for v in x) / 2


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    d = len(w)
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(d - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    s += (w[d - 1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[d - 1]) ** 2)
    return s


SHEKEL_C = [0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.5]
SHEKEL_A = [[4, 4, 4, 4], [1, 1, 1, 1], [8, 8, 8, 8], [6, 6, 6, 6], [3, 7, 3, 7], [2, 9, 2, 9], [5, 5, 3, 3], [8, 1, 8, 1], [6, 2, 6, 2], [7, 3.6, 7, 3.6]]


def shekel10(x):
    return -sum(1 / (SHEKEL_C[i] + sum((x[j] - SHEKEL_A[i][j]) ** 2 for j in range(4))) for i in range(10))


def michalewicz(x):
    return -sum(math.sin(v) * math.sin((i + 1) * v * v / math.pi) ** 20 for i, v in enumerate(x))


def dixon_price(x):
    return (x[0] - 1) ** 2 + sum((i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2 for i in range(1, len(x)))


def mixed_space(trial):
    kind = trial.suggest_categorical("kind", ["svm", "forest", "mlp"])
    if kind == "svm":
        c = math.log10(trial.suggest_float("svm_c", 1e-3, 1e3, log=True))
        g = math.log10(trial.suggest_float("svm_gamma", 1e-4, 10, log=True))
        shrinking = trial.suggest_categorical("svm_shrinking", [True, False])
        return 0.1 + 0.02 * (c - 1.3) ** 2 + 0.03 * (g + 2.1) ** 2 + 0.015 * (c - 1.3) * (g + 2.1) + (0 if shrinking else 0.01)
    if kind == "forest":
        trees = math.log10(trial.suggest_int("rf_trees", 10, 1000, log=True))
        depth = trial.suggest_int("rf_depth", 2, 32)
        leaf = trial.suggest_int("rf_min_leaf", 1, 64, log=True)
        return 0.08 + 0.03 * (trees - 2.6) ** 2 + 0.0004 * (depth - 14) ** 2 + 0.01 * abs(math.log2(leaf) - 2) + 0.0005 * abs(depth - 14) * abs(trees - 2.6)
    lr = math.log10(trial.suggest_float("mlp_lr", 1e-5, 1e-1, log=True))
    layers = trial.suggest_int("mlp_layers", 1, 6)
    units = math.log2(trial.suggest_int("mlp_units", 16, 1024, log=True))
    dropout = trial.suggest_float("mlp_dropout", 0, 0.5, step=0.05)
    return 0.05 + 0.025 * (lr + 3.2) ** 2 + 0.008 * (layers - 3) ** 2 + 0.006 * (units - 7.5) ** 2 + 0.2 * (dropout - 0.2) ** 2 + 0.01 * abs(lr + 3.2) * abs(layers - 3)


FUNCTIONS = {
    "branin": lambda t: branin(t.suggest_float("x0", -5, 10), t.suggest_float("x1", 0, 15)),
    "hartmann6": lambda t: hartmann6(floats(t, 6, 0, 1)),
    "rosenbrock5": lambda t: rosenbrock(floats(t, 5, -2, 2)),
    "mixed": mixed_space,
    "ackley5": lambda t: ackley(floats(t, 5, -32.768, 32.768)),
    "styblinski_tang4": lambda t: styblinski_tang(floats(t, 4, -5, 5)),
    "levy5": lambda t: levy(floats(t, 5, -10, 10)),
    "shekel10": lambda t: shekel10(floats(t, 4, 0, 10)),
    "michalewicz5": lambda t: michalewicz(floats(t, 5, 0, math.pi)),
    "dixon_price4": lambda t: dixon_price(floats(t, 4, -10, 10)),
}


class TimedSampler(optuna.samplers.BaseSampler):
    """Delegates to a sampler and adds up the time spent in it (all of its entry points): wall time and
    this process's CPU time."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def _timed(self, fn, *args):
        t0 = time.perf_counter()
        c0 = time.process_time()
        try:
            return fn(*args)
        finally:
            self.cpu_seconds += time.process_time() - c0
            self.seconds += time.perf_counter() - t0

    def infer_relative_search_space(self, study, trial):
        return self._timed(self.inner.infer_relative_search_space, study, trial)

    def sample_relative(self, study, trial, search_space):
        return self._timed(self.inner.sample_relative, study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._timed(self.inner.sample_independent, study, trial, param_name, param_distribution)

    def before_trial(self, study, trial):
        return self._timed(self.inner.before_trial, study, trial)

    def after_trial(self, study, trial, state, values):
        return self._timed(self.inner.after_trial, study, trial, state, values)

    def reseed_rng(self):
        self.inner.reseed_rng()


def quality(args):
    out = {}
    for name in args.functions:
        best = []
        for seed in range(args.seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(FUNCTIONS[name], n_trials=args.trials)
            best.append(study.best_value)
        out[name] = best
    return {"optuna_version": optuna.__version__, "trials": args.trials, "best": out}


def timing(args):
    out = {}
    for name in args.functions:
        runs = []
        for r in range(args.repeats):
            sampler = TimedSampler(optuna.samplers.TPESampler(seed=r))
            study = optuna.create_study(sampler=sampler)
            t0 = time.perf_counter()
            study.optimize(FUNCTIONS[name], n_trials=args.trials)
            wall = time.perf_counter() - t0
            runs.append(
                {
                    "sampler_ms_per_trial": 1000 * sampler.seconds / args.trials,
                    "sampler_cpu_ms_per_trial": 1000 * sampler.cpu_seconds / args.trials,
                    "wall_ms_per_trial": 1000 * wall / args.trials,
                }
            )
        out[name] = runs
    return {"optuna_version": optuna.__version__, "trials": args.trials, "timing": out}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["quality", "timing"])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--functions", default=",".join(FUNCTIONS))
    args = p.parse_args()
    args.functions = [f for f in args.functions.split(",") if f]
    unknown = [f for f in args.functions if f not in FUNCTIONS]
    if unknown:
        sys.exit(f"unknown function(s): {', '.join(unknown)}")
    result = quality(args) if args.mode == "quality" else timing(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
