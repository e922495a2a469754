"""What validation hands on: issues a clerk can read, in Japanese and English."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"   # the field goes to the review desk; the value stays as read
NOTE = "note"     # shown to the clerk next to the field, but does not hold the submission back


@dataclass(frozen=True)
class Problem:
    """A rule's finding about one value, before it is tied to a field (checkers return these)."""

    code: str
    ja: str
    en: str
    severity: str = ERROR


@dataclass(frozen=True)
class Issue:
    key: str           # field key
    code: str          # stable machine code, e.g. postal_code_unknown
    message_ja: str    # clerk-readable, starts with the field's label
    message_en: str
    severity: str = ERROR

    @property
    def needs_review(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en
