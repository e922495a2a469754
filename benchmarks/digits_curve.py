"""Print the digit model's calibration curve (accuracy against auto-acceptance) from the committed weights.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/digits_curve.py

Uses the test split only (digits training never saw), rendered clean and fax-damaged by the same seeded
renderer as scripts/train_digits.py, plus not-a-digit boxes; then times classify() on one core.
Needs the test dependencies mlxtend and scikit-learn (not torch).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from intake.recognize import digits_model as dm  # noqa: E402
import train_digits as td  # noqa: E402


def timing(n: int = 2000, batch: int = 11) -> tuple[float, float, float]:
    """ms per digit: prepare, model, classify end to end (batches of one 11-box phone field)."""
    imgs, _ = td.sources()["test"]
    rng = np.random.default_rng(0)
    crops = [td.render_digit(imgs[i % len(imgs)], rng, fax=True) for i in range(n)]
    dm.classify(crops[:batch])                                          # load the weights once
    t = time.perf_counter()
    X = np.stack([dm.prepare(c) for c in crops])
    t_prep = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, n, batch):
        dm.probabilities(X[i:i + batch])
    t_model = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(0, n, batch):
        dm.classify(crops[i:i + batch])
    t_all = time.perf_counter() - t
    return 1000 * t_prep / n, 1000 * t_model / n, 1000 * t_all / n


def main() -> None:
    print(f"weights {dm.MODEL_PATH.relative_to(ROOT)}  temperature {dm.temperature():.3f}  "
          f"ACCEPT_THRESHOLD {dm.ACCEPT_THRESHOLD}")
    print(td.evaluate(dm.ACCEPT_THRESHOLD))
    prep, model, total = timing()
    print(f"ms per digit (1 core, batches of 11): prepare {prep:.3f}  model {model:.3f}  classify {total:.3f}")


if __name__ == "__main__":
    main()
