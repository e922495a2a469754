"""Matching: a buyer's request paired with suppliers that fit, group opportunities, and the
coordinator's decisions. Letters for approved matches are in intake.letters.

    run_matching(ws, min_score=0.35) -> MatchRun
    list_matches(ws, state=None) -> list[Match]          Match.public() is the JSONL line
    get_match(ws, match_id) -> Match ; history(ws, match_id) -> list[dict]
    approve(ws, match_id, who) ; reject(ws, match_id, why, who) ; add_match(ws, request, supplier, who)
    mark_sent(ws, match_id, who) ; close(ws, match_id, who, why=None)
    replies.on_settled(ws, submission_id, status)        called through intake.dispatch for each settled submission
"""

from intake.match.service import (  # noqa: F401
    DEFAULT_MIN_SCORE, Match, MatchRun, add_match, approve, close, get_match, history, list_matches, mark_sent,
    reject, run_matching,
)
from intake.match.states import STATES, MatchError  # noqa: F401
