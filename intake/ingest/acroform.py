"""Filled AcroForm values of a PDF return, read exactly instead of by OCR.

The renderer names widgets `KEY` (digits, text) and `KEY.OPTION` (one checkbox per choice
option, on when its /V is not /Off). Values are returned per page (0-based) so the pipeline
can attach them to the page that recognition identified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intake.form.model import FormDef
from intake.recognize.types import FieldReading

OFF = {"", "/Off", "Off", "/off", "off", "/No", "No", "/0"}


def _full_name(annot) -> str:
    parts = []
    node = annot
    for _ in range(32):  # /Parent chains are short; a loop in a hostile file is not
        t = node.get("/T")
        if t is not None:
            parts.append(str(t))
        parent = node.get("/Parent")
        if parent is None:
            break
        node = parent.get_object()
    return ".".join(reversed(parts))


def _value(annot) -> Any:
    v = annot.get("/V")
    if v is None and annot.get("/FT", annot.get("/Parent", {}).get("/FT") if annot.get("/Parent") else None) == "/Btn":
        v = annot.get("/AS")  # some viewers only switch the appearance state of a checkbox
    if v is None and annot.get("/Parent") is not None:
        v = annot["/Parent"].get_object().get("/V")
    if v is None:
        return None
    v = v.get_object() if hasattr(v, "get_object") else v
    return str(v)


def read_values(path: Path) -> dict[int, dict[str, str]]:
    """{page index: {widget name: raw value}} for widgets that carry a value; {} if none or unreadable."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return {}
        if "/AcroForm" not in reader.trailer["/Root"]:
            return {}
        out: dict[int, dict[str, str]] = {}
        for i, page in enumerate(reader.pages):
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                if annot.get("/Subtype") != "/Widget":
                    continue
                name = _full_name(annot)
                val = _value(annot)
                if name and val is not None:
                    out.setdefault(i, {})[name] = val
        return out
    except Exception:  # noqa: BLE001 - a damaged form dictionary only means: fall back to OCR
        return {}


def has_filled_values(values: dict[int, dict[str, str]]) -> bool:
    return any(v not in OFF for page in values.values() for v in page.values())


def readings_for_page(form: FormDef, page_fields: list[str], raw: dict[str, str]) -> list[FieldReading]:
    """FieldReadings (exact, confidence 1.0, source 'acroform') for the fields on one page."""
    out = []
    for key in page_fields:
        f = form.field(key)
        if f.kind == "choice":
            on = [o.key for o in f.options if raw.get(f"{key}.{o.key}", "/Off") not in OFF]
            if not on and raw.get(key) not in (None, *OFF):  # a radio group: /V names the option
                v = raw[key].lstrip("/")
                on = [v] if v in {o.key for o in f.options} else []
            value: Any = on if f.multiple else (on[0] if on else None)
            review = not f.multiple and len(on) > 1
            out.append(FieldReading(key, "choice", value, 1.0, review,
                                    "several options on a single choice" if review else None, source="acroform"))
        else:
            text = (raw.get(key) or "").strip()
            if f.kind == "digits":
                text = "".join(ch for ch in text if not ch.isspace())
            out.append(FieldReading(key, f.kind, text, 1.0, False, None, source="acroform"))
    return out
