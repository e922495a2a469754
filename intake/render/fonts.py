"""Embedded Japanese fonts and text that always fits its rectangle.

IPAex Gothic / Mincho are registered as reportlab TTFonts, so every PDF embeds a
subset of the TrueType outlines (never an unembedded CID font a fax PC may lack).
IPAex has no bold face: bold is drawn as fill + a thin stroke of the same outline.
"""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from intake.errors import MissingDependencyError
from intake.tools.fonts import font_path

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"
BOLD_STROKE = 0.28            # pt of outline stroke that makes IPAex look bold
# Symbols the forms print as text (instructions, hints); checked once at registration.
REQUIRED_GLYPHS = "✓○〒※"


def register() -> None:
    """Register both IPAex faces once per process; fail with the install hint if absent."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, face in ((GOTHIC, "gothic"), (MINCHO, "mincho")):
        if name in registered:
            continue
        font = TTFont(name, str(font_path(face)))
        missing = [ch for ch in REQUIRED_GLYPHS if ord(ch) not in font.face.charToGlyph]
        if missing:
            raise MissingDependencyError(f"font {name} lacks {''.join(missing)}",
                                         hint="install fonts-ipaexfont (IPAex 00401 or later)")
        pdfmetrics.registerFont(font)


def has_glyphs(text: str, font: str = GOTHIC) -> bool:
    face = pdfmetrics.getFont(font).face
    return all(ord(ch) in face.charToGlyph for ch in text if not ch.isspace())


def width(text: str, font: str, size: float) -> float:
    """Width in points."""
    return pdfmetrics.stringWidth(text, font, size)


def fit_size(text: str, font: str, size: float, max_w: float, min_size: float = 4.0) -> float:
    """The largest size ≤ `size` at which `text` is at most `max_w` points wide (never below min_size)."""
    w = width(text, font, size)
    if w <= max_w or w == 0:
        return size
    return max(min_size, size * max_w / w * 0.999)


def wrap(text: str, font: str, size: float, max_w: float) -> list[str]:
    """Break into lines no wider than max_w: Latin at spaces, Japanese between any two characters
    (but never before 、。 and closing brackets: 禁則)."""
    no_start = set("、。，．）」』】〕・ー！？!?,.):;")
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        tokens = _tokens(para)
        for tok in tokens:
            cand = line + tok
            if not line or width(cand.rstrip(), font, size) <= max_w or tok[:1] in no_start:
                line = cand
            else:
                lines.append(line.rstrip())
                line = tok.lstrip()
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words (with their trailing space) for Latin runs, single characters for Japanese."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) < 0x2E80:          # below CJK: Latin, digits, punctuation, ✓ ○
            word += ch
            if ch == " ":
                out.append(word)
                word = ""
        else:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
    if word:
        out.append(word)
    return out
