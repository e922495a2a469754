"""The day's paper on the designed population: each attendee's schedule page names its partners at the
right times and tables with why, the table plan holds every meeting, 受付名簿 every attendee, 名札 one card a
person on A4 sheets of 10; fonts embedded; a schedule made before a decline is refused."""

from __future__ import annotations

import math
import re
import subprocess
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

import _event_population as P
from intake import events
from intake.cli import main
from intake.tools.poppler import pdffonts

FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def scheduled(tmp_path):
    ws = P.workspace(tmp_path)
    events.create(ws, "E1", "北関東ものづくり商談会", FUTURE, "小山市中央公民館", 4, 3, start="13:00")
    for f in P.PEOPLE:
        events.attend(ws, "E1", f, people=3 if f == "T1" else None, hosts_visit="yes" if f == "T2" else None)
    events.attend(ws, "E1", "A2", decline=True)
    events.attend(ws, "E1", "X1", wishes=["T1"])                  # X1 (no consent) and T1 wish to meet: a must
    events.attend(ws, "E1", "T1", people=3, wishes=["X1"])
    return ws, events.make_schedule(ws, "E1")


def _pages(pdf) -> list[str]:
    """Each page's text in drawing order (-raw: a line drawn as one string stays one)."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60,
                         check=True).stdout.decode()
    return [re.sub(r"\s+", "", p) for p in out.split("\f") if p.strip()]


def test_day_sheets(scheduled, tmp_path):
    ws, sch = scheduled
    run = events.print_day_sheets(ws, "E1", tmp_path / "day")
    for pdf in run.paths:
        fonts = pdffonts(pdf)
        assert fonts and all(f["embedded"] for f in fonts), pdf
    ev, nm = sch.event, sch.names
    attendees = sorted(p.factory for p in ev.attending)
    assert "A2" not in attendees
    pages = _pages(run.schedules)
    assert len(pages) == len(attendees)
    for fid, page in zip(attendees, pages):
        assert f"（{fid}）" in page and "面談予定表" in page
        for m in sch.by_participant(fid):
            other = m.b if m.a == fid else m.a
            t0, t1 = ev.slot_time(m.slot)
            assert f"{t0}〜{t1}テーブル{m.table}{re.sub(chr(32), '', nm[other])}（{other}）" in page, (fid, m)
            assert "面談の理由" in page
        free = ev.slots - len(sch.by_participant(fid))
        assert page.count("面談なし") == free
    x1_partner = [p for fid, p in zip(attendees, pages)
                  if fid != "X1" and any("X1" in m.key for m in sch.by_participant(fid))]
    assert x1_partner and all("同意いただいていません" in p for p in x1_partner)   # X1's profile never shown
    assert not any("非公開工業（X1）対応加工" in p for p in pages)
    plan = "".join(_pages(run.tables))
    for m in sch.meetings:
        assert f"（{m.a}）×" in plan and f"（{m.b}）" in plan
    assert plan.count("テーブル") - plan.count("テーブル配置表") == len(sch.meetings)     # not the title, footer
    reception = "".join(_pages(run.reception))
    assert all(fid in reception for fid in attendees) and "3名" in reception and "A2" not in reception
    people = sum(p.people or 1 for p in ev.attending)
    assert run.badge_count == people == len(attendees) + 2
    badges = _pages(run.badges)
    assert len(badges) == math.ceil(people / 10)
    assert "".join(badges).count("小山精工") == 3


def test_a_stale_schedule_is_refused(scheduled, tmp_path):
    ws, sch = scheduled
    busy = sch.meetings[0].a
    events.attend(ws, "E1", busy, decline=True)
    with pytest.raises(events.EventError) as e:
        events.print_day_sheets(ws, "E1", tmp_path / "day")
    assert busy in str(e.value) and "intake event schedule" in str(e.value)
    events.make_schedule(ws, "E1")
    assert events.print_day_sheets(ws, "E1", tmp_path / "day").meetings > 0


def test_cli_sheets(scheduled, tmp_path):
    ws, _ = scheduled
    r = CliRunner().invoke(main, ["--home", str(ws.root), "event", "sheets", "E1", "--out", str(tmp_path / "d")])
    assert r.exit_code == 0 and "E1-badges.pdf" in r.output, r.output
    events.create(ws, "E2", "t", FUTURE, "v", 2, 2)
    r = CliRunner().invoke(main, ["--home", str(ws.root), "event", "sheets", "E2", "--out", str(tmp_path / "e")])
    assert r.exit_code == 1 and "no schedule yet" in r.output and "fix:" in r.output
