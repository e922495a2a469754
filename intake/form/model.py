"""Plain data classes for a form definition (validated by loader.py)."""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

KINDS = ("choice", "digits", "text")
LANGS = ("ja", "en")
# What a form's answers feed: profiles (survey, request), a match (reply), a BCP incident (bcp_reply).
PURPOSES = ("survey", "request", "reply", "bcp_reply", "event_rsvp", "event_followup")


@dataclass(frozen=True)
class Label:
    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Option:
    key: str
    label: Label


@dataclass(frozen=True)
class Field:
    key: str
    kind: str                      # choice | digits | text
    label: Label
    line: int = 0                  # line in the definition file, for messages
    hint: Label | None = None      # small help text under the label
    required: bool = False
    # choice
    multiple: bool = False
    options: tuple[Option, ...] = ()
    columns: int = 0               # options per row (0: automatic)
    # digits
    boxes: int = 0
    # text
    multiline: bool = False
    lines: int = 1
    # validation hints for the validate stage (min, max, pattern, rule, when, ...)
    validate: dict[str, Any] = dc_field(default_factory=dict)
    # the office's respondent list holds this value (a respondents column: name, postal_code, address, phone,
    # fax, representative, contact_person): recognition weighs a reading against it (intake.recognize.expect); '' = nothing on file
    on_file: str = ""
    # text: tesseract settings for this field: psm (6 block, 7 line, 8 word, 13 raw line), chars (a set name:
    # digits, katakana, hiragana, latin, or the characters themselves), lang (jpn, eng, jpn+eng)
    ocr: dict[str, Any] = dc_field(default_factory=dict)

    def option(self, key: str) -> Option:
        for o in self.options:
            if o.key == key:
                return o
        raise KeyError(f"{self.key}: no option {key!r}")


@dataclass(frozen=True)
class Section:
    title: Label
    fields: tuple[Field, ...]
    new_page: bool = False


@dataclass(frozen=True)
class FormDef:
    id: str
    version: int
    title: Label
    sections: tuple[Section, ...]
    intro: Label | None = None
    purpose: str = "survey"        # one of PURPOSES (what the answers feed)
    source: str = ""
    max_pages: int = 0             # 0: no limit; otherwise layout must fit

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"form {self.id}: no field {key!r}")
