"""Ghostscript: turn PDFs into real fax TIFFs (tiffg3/tiffg4) for tests and the simulator."""

from __future__ import annotations

from pathlib import Path

from intake.tools._run import run

PACKAGE = "ghostscript"
MIN_VERSION = (9, 50)


def version() -> str:
    return run(["gs", "--version"], timeout=10, package=PACKAGE).stdout.decode().strip()


def pdf_to_fax_tiff(pdf: Path, out: Path, *, resolution: str = "204x98", device: str = "tiffg3",
                    timeout: float = 120) -> Path:
    """Render a PDF the way a fax machine transmits it: bilevel, CCITT coded, A4 width.

    resolution: "204x98" (standard), "204x196" (fine) or e.g. "200", "300".
    device: tiffg3 (1-D), tiffg32d, tiffg4, tiffcrle, tifflzw (bilevel LZW).
    """
    run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", f"-sDEVICE={device}", f"-r{resolution}",
         "-sPAPERSIZE=a4", "-dFIXEDMEDIA", "-dPDFFitPage", f"-sOutputFile={out}", str(pdf)],
        timeout=timeout, package=PACKAGE,
    )
    return out
