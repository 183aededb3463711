#!/usr/bin/env python3
"""Times scikit-learn's probes on the features bench/analysis-benches.ts writes, same protocol as ours:
StandardScaler + LinearSVC with C by GridSearchCV over the given folds (then refit), and StandardScaler +
MLPClassifier(hidden 64, adam, early stopping). Prints one JSON line: median_ms per probe and accuracy.

usage: training/.venv/bin/python bench/sklearn_probes.py <features.json> <repeats>
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

with open(sys.argv[1]) as f:
    d = json.load(f)
repeats = int(sys.argv[2])
dim = d["dim"]
x_train = np.asarray(d["xTrain"]).reshape(-1, dim)
y_train = np.asarray(d["yTrain"])
x_test = np.asarray(d["xTest"]).reshape(-1, dim)
y_test = np.asarray(d["yTest"])
folds = np.asarray(d["folds"])


def svm():
    search = GridSearchCV(make_pipeline(StandardScaler(), LinearSVC(tol=1e-4, max_iter=1000, random_state=0)),
                          {"linearsvc__C": d["cGrid"]}, cv=PredefinedSplit(folds), scoring="accuracy")
    search.fit(x_train, y_train)
    return search.score(x_test, y_test)


def mlp():
    model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), alpha=1e-4, batch_size=200,
                                                          early_stopping=True, validation_fraction=0.1,
                                                          n_iter_no_change=10, max_iter=200, random_state=0))
    model.fit(x_train, y_train)
    return model.score(x_test, y_test)


def timed(f):
    times, acc = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        acc = f()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), float(acc)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    svm_ms, svm_acc = timed(svm)
    mlp_ms, mlp_acc = timed(mlp)
print(json.dumps({"sklearn": sklearn.__version__, "svm_ms": svm_ms, "svm_accuracy": svm_acc,
                  "mlp_ms": mlp_ms, "mlp_accuracy": mlp_acc}))
