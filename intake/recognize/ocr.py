"""Tesseract in-process (tesserocr): one engine per language set per process, guarded by a lock.

Creating an engine costs ~100 ms; a small crop then takes ~10 ms.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("OMP_THREAD_LIMIT", "1")     # tesseract's OpenMP threads fight the pipeline's own

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from intake.tools.tesseract import require_languages, tessdata_dir  # noqa: E402

_LOCK = threading.Lock()
_APIS: dict[str, object] = {}


def _api(lang: str):
    import tesserocr

    api = _APIS.get(lang)
    if api is None:
        require_languages(*lang.split("+"))
        api = tesserocr.PyTessBaseAPI(path=str(tessdata_dir()), lang=lang)
        _APIS[lang] = api
    return api


def _loaded(lang: str, img: np.ndarray, psm: int, whitelist: str):
    """The process's engine for `lang`, set up for one crop (call with _LOCK held)."""
    api = _api(lang)
    api.SetPageSegMode(psm)
    api.SetVariable("tessedit_char_whitelist", whitelist)
    api.SetImage(Image.fromarray(img))
    return api


def recognise(img: np.ndarray, *, lang: str, psm: int, whitelist: str = "") -> tuple[str, float]:
    """(text, confidence 0..1) for a grey crop, black ink on white."""
    with _LOCK:
        api = _loaded(lang, img, psm, whitelist)
        text = api.GetUTF8Text() or ""
        conf = api.MeanTextConf()
        api.Clear()
    return text.strip(), max(0.0, min(1.0, conf / 100.0))


def recognise_symbols(img: np.ndarray, *, lang: str, psm: int, whitelist: str = "") -> tuple[str, float, float]:
    """(text, mean confidence, lowest symbol confidence), all 0..1. The lowest symbol is the honest
    figure for a field: one misread character makes the whole value wrong."""
    import tesserocr

    with _LOCK:
        api = _loaded(lang, img, psm, whitelist)
        text = api.GetUTF8Text() or ""
        conf = api.MeanTextConf()
        lowest = 100.0
        it = api.GetIterator()
        level = tesserocr.RIL.SYMBOL
        if it is not None:
            while True:
                try:
                    if it.GetUTF8Text(level):
                        lowest = min(lowest, it.Confidence(level))
                except RuntimeError:        # tesserocr raises for a symbol without text
                    pass
                if not it.Next(level):
                    break
        api.Clear()
    clip = lambda v: max(0.0, min(1.0, v / 100.0))  # noqa: E731
    return text.strip(), clip(conf), clip(lowest)
