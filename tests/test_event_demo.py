"""The demo's event step on the designed population: invitations, RSVP slips faxed back at 204x98 and read,
the rest by phone, a schedule, the day's sheets — the story it prints matches what the API holds."""

from __future__ import annotations

from datetime import date

import pytest

import _event_population as P
from intake import events
from intake.events.demo import FAXED, event_day


@pytest.mark.slow
def test_the_demo_event(tmp_path):
    ws = P.workspace(tmp_path)
    lines: list[str] = []
    summary = event_day(ws, lines.append, seed=7, today=date(2026, 12, 8), workers=1)
    text = "\n".join(lines)
    assert "[13] event E202701" in text and "[16] day sheets" in text, text
    ev = events.get_event(ws, "E202701")
    assert summary["event_invited"] == len(ev.participants) == len(P.PEOPLE) - 1          # X1: no consent
    by_fax = [p for p in ev.participants if p.source == "rsvp"]
    assert 1 <= len(by_fax) <= FAXED and all(p.people == 2 and p.status == "attending" for p in by_fax)
    assert all(len(p.wishes) == 1 and p.wishes[0] == p.candidates[0] for p in by_fax)      # line 1 ticked
    assert summary["event_meetings"] == len(events.stored_meetings(ws, "E202701")) > 0
    assert (ws.output / "events" / "day" / "E202701-badges.pdf").exists()
