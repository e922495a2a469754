"""Free text fields: blank check first, then tesseract (PSM 7 one line, 6 several) in the page's language.

The model follows the page's printed language (OCR_LANGS): jpn on Japanese pages, eng on English
ones, jpn+eng when the page's language is unclear. jpn alone rather than jpn+eng on Japanese
pages: measured on the seed-7 corpus (589 text fields) it read more fields right (37.0% vs 34.8%,
characters 70.4% vs 56.3%: the eng pass turned Japanese handwriting into Latin junk) in 21 ms per
crop instead of 27. A reading without any Japanese character is read again with eng and the more
confident reading kept (romaji names, e-mail addresses: jpn read 2024 as 2924).

A field is blank when no added ink blob reaches TEXT_MIN_BLOB_PX (a handwritten character
is hundreds of px at 8 px/mm, fax specks a few): blank reads as '' with high confidence,
never as OCR junk. The writing check counts faint ink too (FAINT_LEVEL): pencil on a 204x98
fax comes out as broken grey dots that the ink level misses, and a field read as blank must
not be one whose writing the fax thinned out; a little faint ink goes to review.
Not solved: pencil writing a fax erased almost completely (seed 7: 5 fields, the only silent text
errors) leaves 0-46 px of faint ink where empty fields on faxes leave 0-26 px, so it reads blank.

Handwriting OCR is weak and tesseract's confidence is not honest on it. Measured on the seed-7
tuning corpus (354 handwritten fields OCR'd, 114 exactly right): accepting at confidence >= 0.8
accepted 128 of which 40 wrong; >= 0.9 accepted 36, 6 wrong (one misread kanji such as 未/末,
念/令 at 0.89-0.94); >= 0.95: 2, none wrong. So a read text is accepted only at >= MIN_CONF on
min(mean, weakest symbol + LOWEST_SLACK): in practice Japanese handwriting goes to the clerk
with the engine's reading filled in, which is what the issue asks (review rather than noise).
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from intake.form.layout import FieldGeom
from intake.recognize.ink import added_ink, cleaned_crop
from intake.recognize.ocr import recognise_symbols
from intake.recognize.types import FieldReading

INSET_MM = 0.4
TEXT_MIN_BLOB_PX = 40
FAINT_LEVEL = 200          # writing check only: faint pencil comes out of fax resampling grey, not black
FAINT_MIN_PX = 20          # blank fields measured 0-26 px of faint added ink (fax specks)
WRITING_MIN_PX = 40        # ... written ones >= 40 except pencil the fax erased (seen 0-46 px)
MIN_CONF = 0.95           # on min(mean, weakest symbol + LOWEST_SLACK); see the measurements above
MIN_SYMBOL_CONF = 0.85     # the weakest character: one misread character makes the value wrong
LOWEST_SLACK = 0.1
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])")


def tidy(text: str) -> str:
    """Drop the spaces tesseract puts between Japanese characters; keep line breaks."""
    lines = [_CJK_GAP.sub("", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def _ink_amount(mask: np.ndarray) -> tuple[int, int]:
    """(added ink px, largest blob px)."""
    if not mask.any():
        return 0, 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int(mask.sum()), int(stats[1:, cv2.CC_STAT_AREA].max())


OCR_LANGS = {"ja": "jpn", "en": "eng", None: "jpn+eng"}   # None: the language is unclear
CHAR_SETS = {
    "digits": "0123456789",
    "katakana": "".join(chr(c) for c in range(0x30A1, 0x30FB)) + "ー・",
    "hiragana": "".join(chr(c) for c in range(0x3041, 0x3097)) + "ー",
    "latin": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-'&@_/()",
}


def ocr_settings(f, lang: str | None) -> tuple[str, int, str]:
    """(tesseract language, page segmentation mode, character whitelist) for a text field: the form
    definition's `ocr:` settings where given, else the page's language and one line / a block."""
    o = f.ocr or {}
    chars = str(o.get("chars", ""))
    return (o.get("lang") or OCR_LANGS.get(lang, "jpn+eng"), int(o.get("psm") or (6 if f.lines > 1 else 7)),
            CHAR_SETS.get(chars, chars))


def read_text(g: FieldGeom, canon: np.ndarray, blank: np.ndarray, lang: str | None = None) -> FieldReading:
    """lang: the page's language (blank.page_language), which picks the OCR model (OCR_LANGS)."""
    f = g.field
    r = g.area.inset(INSET_MM)
    total, largest = _ink_amount(added_ink(canon, blank, r, level=FAINT_LEVEL))
    if total < FAINT_MIN_PX:
        return FieldReading(f.key, "text", "", 0.95, False)
    if total < WRITING_MIN_PX and largest < TEXT_MIN_BLOB_PX:
        return FieldReading(f.key, "text", "", 0.4, True, "faint marks: blank or writing lost in the fax?")
    crop = cleaned_crop(canon, blank, r)
    crop = cv2.copyMakeBorder(crop, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    ocr_lang, psm, whitelist = ocr_settings(f, lang)
    text, mean, lowest = recognise_symbols(crop, lang=ocr_lang, psm=psm, whitelist=whitelist)
    text = tidy(text)
    conf = min(mean, lowest + LOWEST_SLACK)
    if text and ocr_lang == "jpn" and not whitelist and not _JAPANESE.search(text):
        # Latin writing on a Japanese page (a romaji company name, an e-mail address): the jpn model
        # reads it, but eng reads Latin letters and digits better (seen: 2024 -> 2924); the more
        # confident reading wins. Costs a second pass only on fields without Japanese characters.
        t2, m2, l2 = recognise_symbols(crop, lang="eng", psm=psm)
        t2 = tidy(t2)
        if t2 and min(m2, l2 + LOWEST_SLACK) > conf:
            text, mean, lowest, conf = t2, m2, l2, min(m2, l2 + LOWEST_SLACK)
    if not text:
        return FieldReading(f.key, "text", "", 0.2, True, "writing found but not read")
    needs = conf < MIN_CONF or lowest < MIN_SYMBOL_CONF
    return FieldReading(f.key, "text", text, round(conf, 3), needs, "low OCR confidence" if needs else None)
