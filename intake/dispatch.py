"""What follows a stored or settled submission, in one place.

The ingest stage and the review desk both end a submission's turn by calling `submission_settled`.
Everything that reacts to a submission — the respondent profiles, match reply slips, and any
later kind of reply slip — is listed in HANDLERS, by name, so that neither review nor ingest
imports the stages that react (review ↔ match was a circle before this module).

A handler is `fn(ws, submission_id, status) -> object`; it must be idempotent (ingest and the
desk may both call it for the same submission, and `intake match` repairs anything missed), and
it decides itself whether the submission is its business (form purpose, a code it carries).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module

from intake.workspace import Workspace

# "module:function", called in this order. Profiles first: a reply's handler may read them.
HANDLERS: tuple[str, ...] = (
    "intake.review.profile:on_settled",      # an accepted survey/request → profile tables
    "intake.match.replies:on_settled",       # a match reply slip → its match
    "intake.bcp.replies:on_settled",         # a BCP reply slip → its incident
    "intake.events.replies:on_settled",      # an event RSVP slip → its event's participant and wishes
    "intake.events.followups:on_settled",    # a meeting's follow-up slip → its outcome (visits, trial orders)
)


@cache
def _resolve(name: str) -> Callable:
    module, _, attr = name.partition(":")
    return getattr(import_module(module), attr)


def submission_settled(ws: Workspace, submission_id: str, status: str) -> dict[str, object]:
    """Run every handler for one submission whose status is now `status`. Returns each handler's
    result by name (None where the submission was not its business)."""
    return {name: _resolve(name)(ws, submission_id, status) for name in HANDLERS}
