"""Validation: the rules in the form definitions, plus Japanese postal codes, phone numbers and 和暦.

A failed rule becomes an Issue (Japanese and English) that sends the field to review; values are
never dropped or "fixed". `normalise` gives clean forms (ISO dates, digits-only phones) separately.
"""

from intake.validate.issues import ERROR, NOTE, Issue, Problem  # noqa: F401
from intake.validate.rules import (  # noqa: F401
    double_entry_keys, normalise, shares_profile, validate_submission,
)
from intake.validate.phone import check_phone, format_phone  # noqa: F401
from intake.validate.dates import parse_date, to_iso  # noqa: F401
from intake.validate.postal import format_postal, lookup as lookup_postal  # noqa: F401
from intake.validate.prefectures import PREFECTURES, find_in_address  # noqa: F401
