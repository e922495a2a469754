"""The baseline the benchmark compares throughput with: full-page `tesseract -l jpn` on the same files.

The tesseract command line, one process per file, OMP_THREAD_LIMIT=1, two files at a time (the
same two cores the pipeline gets). Its text is thrown away: only the time counts.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from intake.tools._run import run
from intake.tools.tesseract import PACKAGE

PAGE_TIMEOUT = 300.0


@dataclass
class BaselineResult:
    files: int
    pages: int
    seconds: float

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0


def _ocr(path: Path, pages: int) -> None:
    run(["tesseract", str(path), "stdout", "-l", "jpn"], timeout=PAGE_TIMEOUT * max(1, pages),
        package=PACKAGE, check=False)


def full_page_ocr(files: list[tuple[Path, int]], parallel: int = 2) -> BaselineResult:
    """OCR each (file, page count) with the tesseract CLI, `parallel` at a time; wall time."""
    os.environ["OMP_THREAD_LIMIT"] = "1"          # inherited by every tesseract child (the project's setting too)
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda fp: _ocr(*fp), files))
    return BaselineResult(len(files), sum(n for _, n in files), time.monotonic() - t0)
