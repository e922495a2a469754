"""BCP letters on the designed population: read back with poppler; fax first; never sent twice; a reply
slip faxed back through the inbox (simulated channel) updates the incident; an offer becomes a match."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner

import _bcp_population as P
from intake import bcp
from intake import match as m_api
from intake.cli import main
from intake.letters import Office, write_office
from intake.tools.poppler import pdffonts, pdftotext

OFFICE = Office(name="テスト県 産業労働部", department="ものづくり連携推進課", postal_code="3308501",
                address="テスト県さいたま市浦和区高砂3-15-1", phone="048-000-0000", fax="048-000-0001",
                coordinator="佐藤 一郎", placeholder=False)


@pytest.fixture
def printed(tmp_path):
    workspace = P.workspace(tmp_path)
    write_office(workspace, OFFICE)
    inc = bcp.assess(workspace, area=[P.AREA], who="佐藤")
    run = bcp.print_incident_letters(workspace, inc.id, tmp_path / "out", today=date(2026, 3, 2))
    return workspace, inc, run


def _flat(pdf) -> str:
    return re.sub(r"\s+", "", pdftotext(pdf))


def test_requests_go_to_each_alternative_and_notices_to_each_buyer(printed):
    ws, inc, run = printed
    alts = {x.factory for a in inc.affected for x in a.alternatives}
    requests = {p.to.id for p in run.packets if any(d.kind == "bcp_request" for d in p.documents)}
    notices = {p.to.id for p in run.packets if any(d.kind == "bcp_notice" for d in p.documents)}
    assert requests == alts == {"A1", "A2", "A3", "A4", "A5", "A6"}
    assert notices == {"B1", "B2"}
    for p in run.packets:
        text = _flat(next(d.path for d in p.documents if d.kind.startswith("bcp_")))
        assert "【至急】" in text and "拝啓" in text and "以上" in text and inc.id in text
    a1 = _flat(next(d.path for p in run.packets if p.to.id == "A1" for d in p.documents if d.kind == "bcp_request"))
    assert "小山精工" in a1 and "めっき" in a1 and "チタン" in a1
    assert "東京商事" not in a1                                  # buyers are never named to an alternative
    b1 = _flat(next(d.path for p in run.packets if p.to.id == "B1" for d in p.documents if d.kind == "bcp_notice"))
    assert "宇都宮メッキ" in b1 and "非公開工業" not in b1      # the consenting alternative, never X1
    with sqlite3.connect(ws.db_path) as c:
        kinds = sorted(c.execute("SELECT kind, respondent_id FROM bcp_sent").fetchall())
    assert kinds == sorted([("request", f) for f in alts] + [("notice", b) for b in ("B1", "B2")])


def test_fax_first_with_cover_sheets_batch_and_mailing_list(printed):
    ws, inc, run = printed
    for p in run.packets:
        assert p.to.channel == ("fax" if p.to.fax else "post")
        if p.to.channel == "fax":
            assert p.documents[0].kind == "fax_cover"
            assert f"送信枚数：{p.pages}枚" in _flat(p.documents[0].path)
    # T2's preferred channel is post, A2/A3 prefer post too: with a fax number they get a fax all the same
    assert {p.to.id: p.to.channel for p in run.packets}["A2"] == "fax"
    assert run.batch.exists() and run.mailing_list.exists()
    import csv

    with open(run.mailing_list, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["番号"] for r in rows] == [inc.id] * len(run.packets)
    assert {r["宛先ID"]: r["送付方法"] for r in rows}["B2"] == "郵送"      # no fax number: by post


def test_letters_embed_their_fonts_and_are_fax_safe(printed):
    ws, inc, run = printed
    pdfs = sorted({d.path for d in run.documents}) + [run.batch]
    for pdf in pdfs:
        fonts = pdffonts(pdf)
        assert fonts and all(f["embedded"] for f in fonts), pdf
    # Standard fax (204 x 98 dpi, no smoothing): a page is black and white; grey fills would turn to dither.
    for pdf in [d.path for d in run.documents if d.kind in ("bcp_request", "bcp_notice", "reply_slip")][:4]:
        out = subprocess.run(["pdftoppm", "-rx", "204", "-ry", "98", "-gray", "-aa", "no", "-aaVector", "no",
                              "-f", "1", "-l", "1", str(pdf)], capture_output=True, timeout=60, check=True).stdout
        header, _, data = out.partition(b"\n255\n")
        img = np.frombuffer(data, np.uint8)
        grey = ((img > 10) & (img < 245)).mean()
        assert grey < 0.002, f"{pdf.name}: {grey:.2%} grey pixels at fax resolution"


def test_rerunning_sends_nothing_twice(printed, tmp_path):
    ws, inc, run = printed
    bcp.assess(ws, area=[P.AREA])                               # refreshed: same incident
    again = bcp.print_incident_letters(ws, inc.id, tmp_path / "again", today=date(2026, 3, 3))
    assert again.packets == [] and "nothing to print" in again.summary_lines()
    r = CliRunner().invoke(main, ["--home", str(ws.root), "bcp", "letters", inc.id, "--out", str(tmp_path / "c")])
    assert r.exit_code == 0 and "nothing to print" in r.output


@pytest.mark.slow
def test_a_reply_slip_faxed_back_updates_the_incident_and_becomes_a_match(printed, forms):
    from intake.ingest.pipeline import process
    from intake.simulate.answers import Company, random_company
    from intake.simulate.corpus import simulate_return

    ws, inc, run = printed
    slip = next(d for d in run.documents if d.kind == "reply_slip" and d.respondent.id == "A1")
    assert f"M:{inc.id}" in re.sub(r"\s+", " ", pdftotext(slip.path)).replace("M: ", "M:")
    rng = np.random.default_rng(2)
    made = random_company(rng, "ja")
    to = slip.respondent
    company = Company(name=to.name, person=made.person, representative=made.representative,
                      postal_code=to.postal_code, address=to.address, phone=to.phone, fax=to.fax)
    truth = simulate_return(forms["bcp-reply"], ws.inbox / "reply-A1", "fax-fine", rng, respondent="A1",
                            company=company, match=inc.id)
    process(ws, forms=forms, stable_seconds=0, progress=False)
    after = bcp.get_incident(ws, inc.id)
    assert len(after.replies) == 1
    reply = after.replies[0]
    assert reply["factory_id"] == "A1"
    answered = truth[0]["pages"][0]["fields"]
    assert reply["answer"] == answered["answer"] and reply["monthly"] == int(answered["monthly"])
    # An offer becomes a match for the request that relied on T1 (B1's); a refusal is refused.
    with sqlite3.connect(ws.db_path) as c:
        c.execute("UPDATE bcp_replies SET answer='can' WHERE factory_id='A1'")
    made = bcp.accept_offer(ws, inc.id, "A1", "佐藤")
    b1 = next(m for m in m_api.list_matches(ws) if (m.requester, m.supplier) == P.APPROVED)
    assert [(m.request, m.supplier, m.state) for m in made] == [(b1.request, "A1", "approved")]
    with pytest.raises(bcp.BcpError):
        bcp.accept_offer(ws, inc.id, "A1", "佐藤")            # decided: nothing left to accept
    with pytest.raises(bcp.BcpError):
        bcp.accept_offer(ws, inc.id, "A2", "佐藤")            # A2 never replied
