"""After the day, on the designed population: a follow-up slip per meeting and side (its code carries the
meeting), filled slips through the inbox record outcomes, pairs who both want a visit get 工場見学のお願い with
dates to choose (to the side that can host), nothing is printed twice, and the funnel counts it all."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

import _bcp_population as BCP
import _event_population as P
from intake import events
from intake.cli import main
from intake.events.followups import funnel, parse_code, visit_pairs
from intake.letters import write_office
from intake.review.service import connection
from intake.tools.poppler import pdffonts, pdftotext
from test_bcp_letters import OFFICE

DAY = date.today()


@pytest.fixture
def held(tmp_path):
    ws = P.workspace(tmp_path)
    write_office(ws, OFFICE)
    events.create(ws, "E1", "北関東ものづくり商談会", DAY.isoformat(), "小山市中央公民館", 3, 3, today=DAY)
    for f in P.PEOPLE:
        events.attend(ws, "E1", f, hosts_visit="yes" if f == "T4" else None)
    sch = events.make_schedule(ws, "E1")
    run = events.print_followups(ws, "E1", tmp_path / "after", today=DAY + timedelta(days=1))
    return ws, sch, run


def _process(ws):
    from intake.form import load_forms
    from intake.ingest.pipeline import process

    process(ws, forms=load_forms(ws.forms_path()), stable_seconds=0, progress=False, workers=1)


def test_one_slip_per_meeting_and_side(held):
    ws, sch, run = held
    slips = [d for d in run.documents if d.kind == "event_followup"]
    assert sorted((d.respondent.id, d.match_id) for d in slips) == sorted(
        (x, f"E1.{m.slot}.{m.table}") for m in sch.meetings for x in m.key)
    for d in slips[:6]:
        text = re.sub(r"\s+", "", pdftotext(d.path))
        m = next(m for m in sch.meetings if f"E1.{m.slot}.{m.table}" == d.match_id)
        other = m.b if m.a == d.respondent.id else m.a
        assert f"M:{d.match_id}" in text and re.sub(r"\s+", "", sch.names[other]) in text
        assert all(f["embedded"] for f in pdffonts(d.path))
    assert parse_code("E2027-02.3.12") == ("E2027-02", 3, 12) and parse_code("E1") is None
    again = events.print_followups(ws, "E1", run.out, today=DAY + timedelta(days=2))
    assert again.packets == []


def test_outcomes_through_the_inbox_visit_requests_and_the_funnel(held, tmp_path):
    ws, sch, run = held
    t4 = next(m for m in sch.meetings if "T4" in m.key)                  # T4 can host (its RSVP said 可)
    other = next(m for m in sch.meetings if "T4" not in m.key)
    slip = {(d.respondent.id, d.match_id): d.path for d in run.documents if d.kind == "event_followup"}
    code4, codeo = f"E1.{t4.slot}.{t4.table}", f"E1.{other.slot}.{other.table}"
    answers = {(t4.a, code4): {"talked": "yes", "visit": "yes", "trial_order": "considering"},
               (t4.b, code4): {"talked": "yes", "visit": "yes", "trial_order": "placed"},
               (other.a, codeo): {"talked": "yes", "visit": "yes", "trial_order": "none"},
               (other.b, codeo): {"talked": "yes", "visit": "no", "trial_order": "none"}}
    for (fid, code), values in answers.items():
        BCP.fill_pdf(slip[(fid, code)], tmp_path / "f.pdf", values)
        (tmp_path / "f.pdf").replace(ws.inbox / f"followup-{code}-{fid}.pdf")
    _process(ws)
    with connection(ws) as conn:
        got = {(r["factory_id"], r["ref"]): (r["talked"], r["visit"], r["trial_order"])
               for r in conn.execute("SELECT * FROM event_followups")}
        assert got == {k: (v["talked"], v["visit"], v["trial_order"]) for k, v in answers.items()}
        assert visit_pairs(conn, "E1") == [("E1", code4, t4.a, t4.b)]                # both wanted: only T4's
        f = funnel(conn)
    assert f == {"events": 1, "meetings": len(sch.meetings), "held": 2, "visits": 1, "trial_orders": 1}
    visits = events.print_visit_requests(ws, "E1", tmp_path / "visits", today=DAY + timedelta(days=10))
    guest = t4.b if t4.a == "T4" else t4.a
    assert [(d.kind, d.respondent.id) for d in visits.documents if d.kind.startswith("visit")] == [
        ("visit_request", "T4"), ("visit_notice", guest)]
    req = re.sub(r"\s+", "", pdftotext(next(d.path for d in visits.documents if d.kind == "visit_request")))
    assert "工場見学のお願い" in req and re.sub(r"\s+", "", sch.names[guest]) in req and req.count("□") == 3
    assert events.print_visit_requests(ws, "E1", tmp_path / "v2", today=DAY + timedelta(days=11)).packets == []
    # the report's funnel: events → meetings → held → visits → trial orders, in the HTML and the PDF
    from intake.report import build_report
    from intake.report.figures import collect

    data = collect(ws)
    assert [(t.key, t.count) for t in data.funnel.events] == [(k, f[k]) for k in ("events", "meetings", "held",
                                                                                   "visits", "trial_orders")]
    pdf, html = build_report(ws, tmp_path / "report", fmt="both")
    text = html.read_text(encoding="utf-8")
    assert "商談会の成果" in text and f"面談{len(sch.meetings)}件" in text and "試作発注1件" in text
    assert "商談会の成果" in re.sub(r"\s+", "", pdftotext(pdf))


def test_after_the_day_only(tmp_path):
    ws = P.workspace(tmp_path)
    events.create(ws, "E2", "t", (DAY + timedelta(days=5)).isoformat(), "v", 2, 2)
    events.attend(ws, "E2", "T1")
    events.attend(ws, "E2", "T2")
    for call in (events.print_followups, events.print_visit_requests):
        with pytest.raises(events.EventError) as e:
            call(ws, "E2", tmp_path / "o", today=DAY)
        assert "after" in str(e.value)
    with pytest.raises(events.EventError) as e:
        events.print_followups(ws, "E2", tmp_path / "o", today=DAY + timedelta(days=6))
    assert "no schedule" in str(e.value)
    r = CliRunner().invoke(main, ["--home", str(ws.root), "event", "followups", "E404", "--out", str(tmp_path / "x")])
    assert r.exit_code == 1 and "no event" in r.output


@pytest.mark.slow
def test_a_handwritten_follow_up_slip_faxed_at_204x98_reads_back(held):
    import numpy as np

    from intake.events.demo import fax_back_slip
    from intake.review.service import forms

    ws, sch, run = held
    d = next(d for d in run.documents if d.kind == "event_followup")
    written = {"talked": "yes", "visit": "yes", "trial_order": "placed"}
    truth = fax_back_slip(ws, forms(ws)["event-followup"], d.path, written, np.random.default_rng(3),
                          "followup-fax", d.respondent.name)
    assert {k: truth[k] for k in written} == written
    _process(ws)
    with connection(ws) as conn:
        rows = [dict(r) for r in conn.execute("SELECT * FROM event_followups")]
    assert [(r["factory_id"], r["ref"]) for r in rows] == [(d.respondent.id, d.match_id)]
    got = {k: rows[0][k] for k in written}
    assert all(v in (written[k], None) for k, v in got.items()), got        # right, or awaiting a clerk
    assert got["talked"] == "yes", got
