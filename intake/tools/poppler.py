"""poppler-utils: pdftoppm (through pdf2image), pdfinfo, pdffonts, pdftotext."""

from __future__ import annotations

import re
from pathlib import Path

from intake.tools._run import run

PACKAGE = "poppler-utils"


def version() -> str:
    proc = run(["pdftoppm", "-v"], timeout=10, package=PACKAGE, check=False)
    text = (proc.stderr or proc.stdout).decode()
    m = re.search(r"version ([\d.]+)", text)
    return m.group(1) if m else text.strip()


def pdftotext(pdf: Path, *, timeout: float = 60) -> str:
    return run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], timeout=timeout, package=PACKAGE).stdout.decode()


def pdffonts(pdf: Path, *, timeout: float = 60) -> list[dict]:
    """Fonts of a PDF: name, type, embedded (bool), subset (bool)."""
    out = run(["pdffonts", str(pdf)], timeout=timeout, package=PACKAGE).stdout.decode()
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) < 7:
            continue
        # columns from the right: emb sub uni object-id(2)
        emb, sub, uni = parts[-5], parts[-4], parts[-3]
        rows.append({"name": parts[0], "embedded": emb == "yes", "subset": sub == "yes", "unicode": uni == "yes"})
    return rows


def pdfinfo(pdf: Path, *, timeout: float = 30) -> dict[str, str]:
    out = run(["pdfinfo", str(pdf)], timeout=timeout, package=PACKAGE).stdout.decode("utf-8", "replace")
    info = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    return info
