"""OCR scoring helpers for the synthetic pages: run Tesseract, compare with ground truth.

``char_accuracy(truth, ocr)`` is 1 − CER, the Levenshtein distance between the two texts
after :func:`normalize` (NFKC, so full-width punctuation equals half-width and ¹ equals 1;
all whitespace removed, since Tesseract spaces CJK text arbitrarily), divided by the length
of the normalised truth, floored at 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from PIL import Image

__all__ = ["char_accuracy", "cer", "have_tesseract", "levenshtein", "normalize", "tesseract"]


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute; all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(truth: str, ocr: str) -> float:
    t, o = normalize(truth), normalize(ocr)
    if not t:
        return 0.0 if not o else 1.0
    return levenshtein(t, o) / len(t)


def char_accuracy(truth: str, ocr: str) -> float:
    return max(0.0, 1.0 - cer(truth, ocr))


def have_tesseract(langs: str = "chi_sim+eng") -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    listed = set(out.stdout.split())
    return all(lang in listed for lang in langs.split("+"))


def tesseract(
    img: Image.Image, lang: str = "chi_sim+eng", psm: int | None = None, timeout: float = 300
) -> str:
    """Text of ``img`` by the ``tesseract`` command line (single-threaded:
    ``OMP_THREAD_LIMIT=1``). The image's dpi is passed on."""
    dpi = img.info.get("dpi", (300, 300))[0]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="hedang-ocr-") as tmp:
        src = Path(tmp) / "page.png"
        img.save(src, dpi=(round(dpi), round(dpi)))
        cmd = ["tesseract", str(src), "stdout", "-l", lang, "--dpi", str(round(dpi))]
        if psm is not None:
            cmd += ["--psm", str(psm)]
        out = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout, check=True)
    return out.stdout.decode("utf-8")
