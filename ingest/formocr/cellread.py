"""Reading single cell lines with PP-OCRv4's recogniser (ONNX, one thread).

Tesseract's ``chi_sim`` misreads the less common characters of names (翠 → 雁, 磊 → 需,
铭 → 铝) and short cells (女 → 区); PP-OCRv4's text-line recogniser reads them right far more
often. Only the recogniser runs here (no detection): the cell engine already knows where each
cell and each of Tesseract's lines in it is, and those are the crops read here.

The model ships inside the ``rapidocr-onnxruntime`` wheel (no download at run time); it is
found by the package's location without importing it (its ``__init__`` pulls in the whole
detection pipeline). ``available()`` is False when the package or onnxruntime is missing; the
caller then keeps Tesseract's reading.
"""

from __future__ import annotations

import importlib.util
import math
from functools import cache
from pathlib import Path

import cv2
import numpy as np

MODEL = "ch_PP-OCRv4_rec_infer.onnx"
HEIGHT = 48


@cache
def _session():
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0], "models", MODEL)
    if not path.exists():
        return None
    options = ort.SessionOptions()
    # One thread: the ingest workers run one process per core.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    chars = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    return session, ["", *chars, " "]


def available() -> bool:
    return _session() is not None


def _tensor(crops: list[np.ndarray], min_width: int = HEIGHT) -> tuple[np.ndarray, list[int]]:
    widths = [max(1, math.ceil(HEIGHT * c.shape[1] / max(1, c.shape[0]))) for c in crops]
    width = max(max(widths), min_width)
    batch = np.zeros((len(crops), 3, HEIGHT, width), np.float32)
    for i, (crop, w) in enumerate(zip(crops, widths, strict=True)):
        line = cv2.resize(crop, (w, HEIGHT), interpolation=cv2.INTER_AREA)
        batch[i, :, :, :w] = (line.transpose(2, 0, 1).astype(np.float32) / 255.0 - 0.5) / 0.5
    return batch, widths


# A short cell padded only to its own width reads worse (情况 → 情沉/情); padded to the 320 of
# PP-OCR's training shape, specks in an empty cell of a heavy scan read as 一 or 美. 160
# keeps both as the batched reading had them (195 cells of 4 pages compared).
MIN_WIDTH = 160


def probabilities(crops: list[np.ndarray]) -> list[np.ndarray]:
    """Per crop (greyscale text line), the recogniser's (steps × classes) probabilities.

    Each crop is read on its own, padded to ``MIN_WIDTH``: batching crops pads every one to
    the widest of its batch, and on the cells of a form that cost about 2× the CPU
    (docs/benchmarks.md "Ingest")."""
    session, _ = _session()
    name = session.get_inputs()[0].name
    out: list[np.ndarray] = []
    for crop in crops:
        batch, widths = _tensor([crop], MIN_WIDTH)
        preds = session.run(None, {name: batch})[0]
        steps = preds.shape[1]
        used = max(1, math.ceil(steps * widths[0] / batch.shape[3]))
        out.append(preds[0, :used])
    return out


def decode(probs: np.ndarray) -> tuple[str, float]:
    """Greedy CTC: the text and its mean character confidence."""
    _, chars = _session()
    if probs.size == 0:
        return "", 0.0
    best = probs.argmax(axis=1)
    keep = (best != 0) & np.r_[True, best[1:] != best[:-1]]
    text = "".join(chars[k] for k in best[keep])
    conf = float(probs.max(axis=1)[keep].mean()) if keep.any() else 0.0
    return text.strip(), conf


def score(probs: np.ndarray, text: str) -> float:
    """Log-likelihood of ``text`` under the CTC output ``probs`` (forward algorithm)."""
    _, chars = _session()
    index = {c: i for i, c in enumerate(chars)}
    labels = [index.get(c) for c in text]
    if not labels or None in labels or probs.size == 0:
        return -math.inf
    logp = np.log(np.maximum(probs, 1e-12))
    ext = [0]
    for label in labels:
        ext += [label, 0]
    n = len(ext)
    alpha = np.full(n, -np.inf)
    alpha[0] = logp[0, 0]
    alpha[1] = logp[0, ext[1]]
    for t in range(1, probs.shape[0]):
        prev = alpha.copy()
        for s in range(n):
            a = prev[s]
            if s >= 1:
                a = np.logaddexp(a, prev[s - 1])
            if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                a = np.logaddexp(a, prev[s - 2])
            alpha[s] = a + logp[t, ext[s]]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def choose(probs: np.ndarray, vocabulary: tuple[str, ...]) -> tuple[str, float]:
    """The vocabulary word the recogniser's output supports best, and its margin over the
    runner-up (log-likelihood)."""
    scored = sorted(((score(probs, word), word) for word in vocabulary), reverse=True)
    if not scored or scored[0][0] == -math.inf:
        return "", 0.0
    margin = scored[0][0] - scored[1][0] if len(scored) > 1 else math.inf
    return scored[0][1], margin
