"""Stored readings against the simulator's ground truth: the rules of the benchmark, in one place.

A field counts right when the stored value equals the truth: choice — the same set of option keys
(a single choice: the same key, or both empty); digits — the same string; text — the same after
normalising width (NFKC) and dropping all white space. A truth of None for a single choice the
respondent deliberately marked twice is right iff the field went to review (its value is moot).
A field the pipeline did not store (its page was not identified) is wrong and not accepted: a
clerk has to key it.

Outcomes per field: right/wrong, accepted (stored with needs_review = 0) or sent to review.
Silent error = accepted and wrong: the one the office never sees.

Text read exactly, as the targets count it: only the non-blank text fields (truth not empty after
normalising; every such field is drawn in a handwriting font). A blank text field read blank is right
too, but it says nothing about reading handwriting, so `by_kind_nonblank` tallies the non-blank fields
of each kind apart.

Mark styles: a choice field's note names the style it was marked in (`style`, e.g. tick, circle-open)
and a crossed-out first choice (`correction: <style>`, or the older `scribbled: [...]`, counted as
"scribble"); `by_mark_style` tallies marked choice fields per style, fields with no mark as "(no mark)",
and each correction again under "correction: <style>".

Hazards: the truth's notes flag fields the respondent made hard on purpose (HAZARDS: a single choice
marked twice, a digit outside its box, two digits in one box, an empty box inside a number, a value
that differs from the office's respondent list). Each outcome carries its flags, and the tallies
count them apart, so the report can show that such fields go to review rather than in wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from intake.validate.textnorm import edit_distance

_SPACE = re.compile(r"\s+")

# Note flags (truth.jsonl pages[].notes[key]) that mark a hazard field, in report order.
HAZARDS = ("double_marked", "outside_box", "two_in_box", "empty_box_inside", "differs_from_list")


def hazard_flags(note: Any) -> tuple[str, ...]:
    """The hazard flags set (truthy) in one field's note, in HAZARDS order."""
    if not isinstance(note, dict):
        return ()
    return tuple(h for h in HAZARDS if note.get(h))


NO_MARK = "(no mark)"


def mark_style(note: Any) -> tuple[str, str]:
    """(style, correction style) of one choice field's note; "" where the note does not say."""
    if not isinstance(note, dict):
        return "", ""
    style = str(note.get("style") or "")
    corr = note.get("correction")
    if isinstance(corr, dict):
        corr = corr.get("style") or "yes"
    elif corr and not isinstance(corr, str):
        corr = "yes"
    if not corr and note.get("scribbled"):
        corr = "scribble"
    return style, str(corr or "")


def normalise_text(s: Any) -> str:
    """Width-folded (NFKC) with every space and line break removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(s or "")))


def _as_set(v: Any) -> frozenset:
    if v is None or v == "":
        return frozenset()
    if isinstance(v, (list, tuple, set, frozenset)):
        return frozenset(str(x) for x in v)
    return frozenset([str(v)])


@dataclass(frozen=True)
class FieldOutcome:
    kind: str                 # choice | digits | text
    profile: str
    key: str
    truth: Any
    value: Any
    stored: bool              # the pipeline stored a value for this field
    accepted: bool            # stored and not flagged for review
    right: bool
    chars: int = 0            # text: characters in the (normalised) truth
    chars_right: int = 0      # text: chars minus edit distance, floored at 0
    double_marked: bool = False
    flags: tuple[str, ...] = ()      # hazard flags from the truth's note (HAZARDS)
    style: str = ""           # choice: the mark style drawn (truth note), "" when not said
    correction: str = ""      # choice: the style of a crossed-out mark beside the answer, "" if none
    file: str = ""            # where the field is: the corpus file and page index
    page: int = -1

    @property
    def silent(self) -> bool:
        return self.accepted and not self.right

    @property
    def blank(self) -> bool:
        """The respondent left the field empty (a double-marked choice is not blank)."""
        if self.kind == "choice":
            return not _as_set(self.truth) and not self.double_marked
        if self.kind == "digits":
            return str(self.truth or "") == ""
        return normalise_text(self.truth) == ""

    @property
    def mark_styles(self) -> tuple[str, ...]:
        """The by-mark-style rows this field counts in (choice fields only)."""
        if self.kind != "choice":
            return ()
        rows = [NO_MARK if self.blank else (self.style or "(style not noted)")]
        if self.correction:
            rows.append(f"correction: {self.correction}")
        return tuple(rows)


def judge(kind: str, truth: Any, value: Any, *, stored: bool, needs_review: bool, profile: str = "",
          key: str = "", double_marked: bool = False, flags: tuple[str, ...] = (), style: str = "",
          correction: str = "", file: str = "", page: int = -1) -> FieldOutcome:
    """One field's outcome under the rules above; `flags`: the field's hazard flags (hazard_flags(note)),
    `style`/`correction`: a choice field's mark styles (mark_style(note))."""
    flags = tuple(h for h in HAZARDS if h in flags or (h == "double_marked" and double_marked))
    double_marked = "double_marked" in flags
    accepted = stored and not needs_review
    chars = chars_right = 0
    if not stored:
        right = False
    elif kind == "choice" and double_marked:
        right = needs_review
    elif kind == "choice":
        right = _as_set(truth) == _as_set(value)
    elif kind == "digits":
        right = str(truth or "") == str(value if value is not None else "")
    else:
        t, v = normalise_text(truth), normalise_text(value)
        right = t == v
    if kind == "text":
        t, v = normalise_text(truth), normalise_text(value if stored else "")
        chars = len(t)
        chars_right = max(0, chars - edit_distance(t, v)) if chars else 0
    return FieldOutcome(kind, profile, key, truth, value, stored, accepted, right, chars, chars_right, double_marked,
                        flags, style, correction, file, page)


@dataclass
class Tally:
    """Counts for one group of fields (a kind, a profile, or all)."""
    fields: int = 0
    right: int = 0
    accepted: int = 0
    silent: int = 0
    chars: int = 0
    chars_right: int = 0

    def add(self, o: FieldOutcome) -> None:
        self.fields += 1
        self.right += o.right
        self.accepted += o.accepted
        self.silent += o.silent
        self.chars += o.chars
        self.chars_right += o.chars_right

    @property
    def accuracy(self) -> float | None:
        return self.right / self.fields if self.fields else None

    @property
    def accepted_rate(self) -> float | None:
        return self.accepted / self.fields if self.fields else None

    @property
    def review_rate(self) -> float | None:
        return 1 - self.accepted / self.fields if self.fields else None

    @property
    def silent_rate(self) -> float | None:
        """Accepted-but-wrong, as a share of all fields of the group."""
        return self.silent / self.fields if self.fields else None

    @property
    def accepted_right(self) -> float | None:
        """Share of the accepted fields that are right (the issue's '% of auto-accepted right')."""
        return 1 - self.silent / self.accepted if self.accepted else None

    @property
    def accepted_right_rate(self) -> float | None:
        """Share of all fields of the group accepted with the right value (no clerk needed, no error)."""
        return (self.accepted - self.silent) / self.fields if self.fields else None

    @property
    def char_accuracy(self) -> float | None:
        return self.chars_right / self.chars if self.chars else None

    def to_json(self) -> dict:
        d = asdict(self)
        for k in ("accuracy", "accepted_rate", "review_rate", "silent_rate", "accepted_right", "accepted_right_rate",
                  "char_accuracy"):
            d[k] = getattr(self, k)
        return d


@dataclass
class Tallies:
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_profile: dict[str, Tally] = field(default_factory=dict)
    by_kind_profile: dict[str, dict[str, Tally]] = field(default_factory=dict)
    by_hazard: dict[str, Tally] = field(default_factory=dict)     # a field with two flags counts in both
    by_field: dict[str, Tally] = field(default_factory=dict)      # form.key: which questions cost the clerk
    by_kind_nonblank: dict[str, Tally] = field(default_factory=dict)   # truth not empty: what was written
    by_mark_style: dict[str, Tally] = field(default_factory=dict)      # choice fields (FieldOutcome.mark_styles)

    def add(self, o: FieldOutcome) -> None:
        self.overall.add(o)
        if not o.blank:
            self.by_kind_nonblank.setdefault(o.kind, Tally()).add(o)
        for s in o.mark_styles:
            self.by_mark_style.setdefault(s, Tally()).add(o)
        self.by_field.setdefault(o.key, Tally()).add(o)
        self.by_kind.setdefault(o.kind, Tally()).add(o)
        self.by_profile.setdefault(o.profile, Tally()).add(o)
        self.by_kind_profile.setdefault(o.kind, {}).setdefault(o.profile, Tally()).add(o)
        for h in o.flags:
            self.by_hazard.setdefault(h, Tally()).add(o)

    def to_json(self) -> dict:
        return {"overall": self.overall.to_json(),
                "by_hazard": {h: self.by_hazard[h].to_json() for h in HAZARDS if h in self.by_hazard},
                "by_kind": {k: t.to_json() for k, t in sorted(self.by_kind.items())},
                "by_kind_nonblank": {k: t.to_json() for k, t in sorted(self.by_kind_nonblank.items())},
                "by_mark_style": {k: self.by_mark_style[k].to_json() for k in _style_order(self.by_mark_style)},
                "by_profile": {k: t.to_json() for k, t in sorted(self.by_profile.items())},
                "by_kind_profile": {k: {p: t.to_json() for p, t in sorted(v.items())}
                                    for k, v in sorted(self.by_kind_profile.items())},
                "by_field": {k: t.to_json() for k, t in sorted(self.by_field.items())}}


def _style_order(styles) -> list[str]:
    """Marked styles by name, then corrections, then the other rows."""
    def rank(k: str) -> tuple:
        return (k.startswith("correction: "), k.startswith("("), k)
    return sorted(styles, key=rank)


def tally(outcomes: list[FieldOutcome]) -> Tallies:
    t = Tallies()
    for o in outcomes:
        t.add(o)
    return t
