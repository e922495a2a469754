"""The 見える化 report: who can do what, what sits idle, how the network is doing (issue 7).

build_report(ws, out, fmt, public) gathers every figure once (figures.collect) and hands the same
data to the PDF and HTML renderers, so both always say the same thing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from intake.errors import IntakeError
from intake.workspace import Workspace

FORMATS = ("pdf", "html", "both")


def build_report(ws: Workspace, out: Path | None = None, fmt: str = "pdf", public: bool = False,
                 as_of: date | None = None, reminder_days: int = 14) -> list[Path]:
    """Write the report into `out` (default: the workspace's output/) and return the files written:
    report[-public]-YYYYMMDD.pdf / .html."""
    from intake.report.figures import collect

    if fmt not in FORMATS:
        raise IntakeError(f"unknown report format {fmt!r}", hint="use --format pdf, html or both")
    ws.require()
    data = collect(ws, public=public, as_of=as_of, reminder_days=reminder_days)
    out = Path(out) if out is not None else ws.output
    stem = f"report{'-public' if public else ''}-{data.as_of:%Y%m%d}"
    written = []
    if fmt in ("pdf", "both"):
        from intake.report.pdf import write_pdf
        written.append(write_pdf(data, out / f"{stem}.pdf"))
    if fmt in ("html", "both"):
        from intake.report.html import write_html
        written.append(write_html(data, out / f"{stem}.html"))
    return written
