"""What a file is, decided by its first bytes (never by its extension)."""

from __future__ import annotations

from pathlib import Path

EXTENSIONS = {"pdf": "pdf", "tiff": "tif", "png": "png", "jpeg": "jpg", "unknown": "bin"}


def sniff_bytes(head: bytes) -> str:
    """pdf | tiff | png | jpeg | unknown."""
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in head[:1024]:  # the spec lets the header start anywhere in the first 1 KB
        return "pdf"
    return "unknown"


def sniff(path: Path) -> str:
    with open(path, "rb") as fh:
        return sniff_bytes(fh.read(1024))
