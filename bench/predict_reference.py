"""Reference side of bench/predict.ts: a FastAPI + scikit-learn predict server for the same kind of
model (standardised features + logistic regression) on the same data set, served by uvicorn with
one worker.

  predict_reference.py serve CSV TARGET PORT   train on CSV, then serve POST /predict and GET /health

POST /predict takes {"instances": [{feature: value, ...}, ...]} and answers
{"predictions": [...], "probabilities": [[...]]}, like the platform's route. Tests never run this.
"""
import os

# One thread for every native library, set before they load: the server has one worker.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import sys
from typing import Any, Dict, List

import csv as csvmod

import numpy as np
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


class PredictRequest(BaseModel):
    instances: List[Dict[str, Any]]


def build(csv: str, target: str) -> FastAPI:
    with open(csv, newline="") as f:
        rows = list(csvmod.DictReader(f))
    features = [c for c in rows[0].keys() if c != target]
    X = np.array([[float(r[c]) for c in features] for r in rows], dtype=np.float64)
    y = np.array([r[target] for r in rows])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X, y)
    classes = [str(c) for c in model.classes_]
    app = FastAPI()

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    @app.post("/predict")
    async def predict(req: PredictRequest):
        try:
            X = np.array([[float(row[f]) for f in features] for row in req.instances], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as err:
            raise HTTPException(status_code=422, detail=str(err))
        proba = model.predict_proba(X)
        return {"predictions": [classes[i] for i in proba.argmax(axis=1)], "probabilities": proba.tolist()}

    return app


def main() -> None:
    if len(sys.argv) != 5 or sys.argv[1] != "serve":
        sys.exit(__doc__)
    _, _, csv, target, port = sys.argv
    app = build(csv, target)
    uvicorn.run(app, host="127.0.0.1", port=int(port), workers=1, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
