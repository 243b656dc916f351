"""HTTP inference service for this Konstruktor model package (starter code).

Run it from the package folder:
    pip install -r requirements-serve.txt
    uvicorn serve:app --host 0.0.0.0 --port 8000

Then:
    curl -F "file=@photo.jpg" "http://localhost:8000/predict?topk=3"
    curl --data-binary "@photo.jpg" "http://localhost:8000/predict"   # raw bytes work too
    curl http://localhost:8000/health

POST /predict answers what predict.py's Predictor.predict returns, under "top" for a
classifier ({"top": [{"label": ..., "probability": ...}, ...]}, most likely first) and
"boxes" for a detector ({"boxes": [{"label": ..., "confidence": ..., "box": [x1, y1, x2,
y2]}, ...]}). `topk` and `conf` mean what they mean for predict.py. The backend is onnx
unless the PREDICT_BACKEND environment variable names another this package has (onnx_int8,
torch, torchscript where its model file is here; `python predict.py --help` lists them).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from PIL import Image
from predict import Predictor, to_rgb
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

PACKAGE_DIR = Path(__file__).resolve().parent
BACKEND = os.environ.get("PREDICT_BACKEND", "onnx")
MAX_TOPK = 1000

predictor = Predictor(PACKAGE_DIR, backend=BACKEND)
app = FastAPI(title=f"Konstruktor model ({predictor.spec['task']})")


async def image_bytes(request: Request) -> bytes:
    """The uploaded file of a multipart form (any field name), else the raw request body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()  # needs python-multipart
        uploads = [value for value in form.values() if isinstance(value, UploadFile)]
        if not uploads:
            raise HTTPException(status_code=400, detail="no file in the form")
        return await uploads[0].read()
    return await request.body()


def decode(data: bytes) -> Image.Image:
    """Bytes -> upright RGB image, or HTTP 400."""
    if not data:
        raise HTTPException(status_code=400, detail="empty upload")
    try:
        with Image.open(io.BytesIO(data)) as image:
            return to_rgb(image)
    except Exception as error:  # whatever the decoder raises on bad bytes
        raise HTTPException(status_code=400, detail=f"not an image: {error}") from error


@app.get("/health")
def health() -> dict[str, Any]:
    """Liveness, task, backend and classes."""
    return {
        "status": "ok",
        "task": predictor.spec["task"],
        "backend": BACKEND,
        "classes": predictor.labels,
    }


@app.post("/predict")
async def predict(
    request: Request, topk: int | None = None, conf: float | None = None
) -> dict[str, Any]:
    """Labels or boxes of one image (multipart upload or raw bytes)."""
    if topk is not None and not 1 <= topk <= MAX_TOPK:
        raise HTTPException(status_code=422, detail=f"topk must be in 1..{MAX_TOPK}")
    if conf is not None and not 0.0 <= conf <= 1.0:
        raise HTTPException(status_code=422, detail="conf must be in 0..1")
    image = decode(await image_bytes(request))
    results = await run_in_threadpool(predictor.predict, image, topk, conf)
    return {predictor.task.result_key: results}
