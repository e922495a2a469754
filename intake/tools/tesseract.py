"""tesseract: the engine runs in-process through tesserocr; this module checks the install
and finds the Debian tessdata folder (the tesserocr wheel bundles the library, not the data)."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from intake.errors import MissingDependencyError
from intake.tools._run import run

PACKAGE = "tesseract-ocr"
LANGS = {"jpn": "tesseract-ocr-jpn", "eng": "tesseract-ocr-eng"}


def version() -> str:
    out = run(["tesseract", "--version"], timeout=10, package=PACKAGE)
    text = (out.stdout or out.stderr).decode()
    m = re.search(r"tesseract ([\d.]+)", text)
    return m.group(1) if m else text.splitlines()[0]


def tessdata_dir() -> Path:
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = [env] if env else []
    candidates += sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"), reverse=True)
    candidates += ["/usr/share/tessdata", "/usr/local/share/tessdata"]
    for c in candidates:
        if c and Path(c, "eng.traineddata").exists():
            return Path(c)
    raise MissingDependencyError("no tessdata folder with eng.traineddata found",
                                 hint="sudo apt-get install tesseract-ocr tesseract-ocr-jpn")


def languages() -> list[str]:
    return sorted(p.stem for p in tessdata_dir().glob("*.traineddata"))


def require_languages(*langs: str) -> None:
    have = set(languages())
    for lang in langs:
        if lang not in have:
            raise MissingDependencyError(f"tesseract language pack '{lang}' is missing",
                                         hint=f"sudo apt-get install {LANGS.get(lang, 'tesseract-ocr-' + lang)}")
