"""The embedded Japanese font: IPAex Gothic / Mincho from Debian's fonts-ipaexfont."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from intake.errors import MissingDependencyError

PACKAGE = "fonts-ipaexfont"
_SEARCH = {
    "gothic": ["/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", "/usr/share/fonts/**/ipaexg.ttf"],
    "mincho": ["/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", "/usr/share/fonts/**/ipaexm.ttf"],
}


def font_path(face: str = "gothic") -> Path:
    env = os.environ.get(f"INTAKE_FONT_{face.upper()}")
    if env and Path(env).exists():
        return Path(env)
    for pattern in _SEARCH[face]:
        for hit in glob.glob(pattern, recursive=True):
            return Path(hit)
    raise MissingDependencyError(f"IPAex {face} font not found", hint=f"sudo apt-get install {PACKAGE}")


def version() -> str:
    font_path("gothic")
    font_path("mincho")
    try:
        from fontTools.ttLib import TTFont  # optional
        return TTFont(str(font_path("gothic")))["name"].getDebugName(5) or "present"
    except Exception:
        return "present"
