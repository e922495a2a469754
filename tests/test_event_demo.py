"""The demo's event step on the designed population: invitations, RSVP slips faxed back at 204x98 and read
(what the reader left unsure confirmed by the simulated clerk), the rest by phone, a schedule, the day's
sheets — the story it prints matches what the API holds."""

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
    # read from the fax, what was unsure confirmed by the simulated clerk: every slip as it was written
    assert len(by_fax) == FAXED and all(p.people == 2 and p.status == "attending" for p in by_fax)
    assert all(p.wishes == p.candidates[:1] for p in by_fax)                                  # line 1 ticked
    assert "confirmed" in text and "[14]" in text
    assert summary["event_meetings"] == len(events.stored_meetings(ws, "E202701")) > 0
    assert (ws.output / "events" / "day" / "E202701-badges.pdf").exists()
