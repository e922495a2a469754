"""Who a personalised copy is for, read from the office's CSV list."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from intake.errors import IntakeError
from intake.form.identity import valid_id

REQUIRED = ("id", "name")
OPTIONAL = ("postal_code", "address", "phone", "fax", "contact_channel", "representative", "contact_person")
CHANNELS = ("fax", "post", "phone", "email")       # the survey's contact_channel options


class RespondentListError(IntakeError):
    """The respondents CSV cannot be used (names the line)."""

    exit_code = 1


@dataclass(frozen=True)
class Respondent:
    id: str
    name: str
    postal_code: str | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None
    contact_channel: str | None = None
    representative: str | None = None     # 代表者 and ご担当者, when the office knows them
    contact_person: str | None = None

    def as_row(self) -> dict:
        return asdict(self)


def _decode(raw: bytes, path: Path) -> str:
    # Offices save CSV from Excel: UTF-8 (with or without BOM) or Shift_JIS (cp932).
    for enc in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RespondentListError(f"{path}: not UTF-8 or Shift_JIS text", hint="save the list as CSV (UTF-8)")


def read_respondents_csv(path: Path) -> list[Respondent]:
    """Rows of `id,name[,postal_code,address,phone,fax,contact_channel,representative,contact_person]`
    (header line required)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RespondentListError(f"{path}: cannot read: {exc.strerror}", hint="check the path to the CSV file")
    reader = csv.DictReader(io.StringIO(_decode(raw, path), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RespondentListError(f"{path}:1: missing column(s) {', '.join(missing)} (found: {', '.join(header) or 'nothing'})",
                                  hint="the first line must name the columns, e.g. id,name,postal_code,address,phone,fax")
    unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RespondentListError(f"{path}:1: unknown column(s) {', '.join(unknown)}",
                                  hint=f"allowed columns: {', '.join(REQUIRED + OPTIONAL)}")
    out: list[Respondent] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue                                   # blank line
        rid, name = row.get("id", ""), row.get("name", "")
        where = f"{path}:{line}"
        if not rid:
            raise RespondentListError(f"{where}: id is empty", hint="give every row an id such as R0001")
        if not valid_id(rid):
            raise RespondentListError(f"{where}: id {rid!r} is not allowed",
                                      hint="ids use letters, digits, '_', '.', '-' only, at most 24 characters")
        if rid in seen:
            raise RespondentListError(f"{where}: id {rid!r} is also used on line {seen[rid]}",
                                      hint="each respondent needs its own id")
        if not name:
            raise RespondentListError(f"{where}: name is empty for id {rid}", hint="fill in the company name")
        channel = row.get("contact_channel") or None
        if channel and channel not in CHANNELS:
            raise RespondentListError(f"{where}: contact_channel {channel!r} is not one of {', '.join(CHANNELS)}",
                                      hint="leave it empty or use fax, post, phone or email")
        seen[rid] = line
        out.append(Respondent(rid, name, **{k: (row.get(k) or None) for k in OPTIONAL if k != "contact_channel"},
                              contact_channel=channel))
    if not out:
        raise RespondentListError(f"{path}: no respondents", hint="add one row per company below the header")
    return out
