"""Letters: read back with poppler (pdftotext, pdftotext -bbox, pdffonts), never by trusting the writer."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from intake import match as api
from intake.letters import Office, print_letters, write_office
from intake.match import sample
from intake.review.service import connection
from intake.tools.poppler import pdffonts, pdftotext

MM = 72 / 25.4
# 長形3号 window on the tri-folded A4 sheet (from envelope makers' specs, not from our code).
WINDOW_MM = (23.0, 13.0, 23.0 + 90.0, 13.0 + 45.0)
OFFICE = Office(name="テスト県 産業労働部", department="ものづくり連携推進課", postal_code="3308501",
                address="テスト県さいたま市浦和区高砂3-15-1", phone="048-000-0000", fax="048-000-0001",
                coordinator="佐藤 一郎", placeholder=False)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A population with matches approved (every known pair of 8 requests, every group) and printed
    once for the module (tests only read it; the one that prints again expects nothing new)."""
    from intake.workspace import init

    tmp_path = tmp_path_factory.mktemp("letters")
    workspace = init(tmp_path / "ws")
    pop = sample.populate(workspace, n_factories=100, n_requests=20, seed=5)
    write_office(workspace, OFFICE)
    api.run_matching(workspace)
    chosen = set(pop.requests[:8])
    for m in api.list_matches(workspace):
        if m.kind == "group" or m.request in chosen:
            api.approve(workspace, m.id, "佐藤")
    run = print_letters(workspace, tmp_path / "out", approved=True, wareki=True, today=date(2026, 3, 2))
    return workspace, pop, run


def _all_pdfs(run) -> list[Path]:
    return sorted({d.path for d in run.documents} | {run.batch})


def test_non_consenting_factories_are_never_named_in_any_letter(printed):
    ws, pop, run = printed
    assert run.packets and len(run.matches) >= 8
    names = {pop.names[f] for f in pop.hidden}
    bare = {n.replace("株式会社 ", "") for n in names}
    for pdf in _all_pdfs(run):
        text = re.sub(r"\s+", "", pdftotext(pdf))
        for n in bare:
            assert n not in text, f"{n} (no consent) appears in {pdf.name}"
    # ...while the consenting partners are named: the search would have found them.
    letter = next(d for d in run.documents if d.kind == "match")
    m = api.get_match(ws, letter.match_id)
    partner = m.supplier if letter.respondent.id == m.requester else m.requester
    partner_name = pop.names.get(partner) or next(p.to.name for p in run.packets if p.to.id == partner)
    assert partner_name.replace("株式会社 ", "") in re.sub(r"\s+", "", pdftotext(letter.path))


def test_letters_read_as_japanese_business_letters_with_embedded_fonts(printed):
    ws, pop, run = printed
    letters = [d for d in run.documents if d.kind in ("match", "group")]
    assert letters
    for d in letters:
        text = re.sub(r"[ \t]+", "", pdftotext(d.path))
        for word in ("拝啓", "敬具", "記", "以上", "令和8年3月2日", "工場", "佐藤一郎", OFFICE.fax):
            assert word in text, f"{word} missing from {d.path.name}"
        assert text.index("拝啓") < text.index("敬具") < text.index("以上")
    for pdf in _all_pdfs(run)[:12] + [run.batch]:
        fonts = pdffonts(pdf)
        assert fonts and all(f["embedded"] for f in fonts), pdf


def test_fax_parties_get_a_cover_sheet_with_the_page_count(printed):
    ws, pop, run = printed
    fax = [p for p in run.packets if p.to.channel == "fax"]
    post = [p for p in run.packets if p.to.channel == "post"]
    assert fax and post
    for p in fax:
        cover = p.documents[0]
        assert cover.kind == "fax_cover"
        text = re.sub(r"\s+", "", pdftotext(cover.path))
        pages = sum(int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(d.path)], capture_output=True,
                                                                    text=True, timeout=30).stdout).group(1))
                    for d in p.documents)
        assert f"送信枚数：{pages}枚" in text
        assert "FAX送付状" in text and p.to.fax in text
    for p in post:
        assert all(d.kind != "fax_cover" for d in p.documents)


def _words(pdf: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, timeout=60).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
            re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def test_address_block_lies_inside_the_naga3_window(printed):
    ws, pop, run = printed
    post = [p for p in run.packets if p.to.channel == "post" and p.documents[0].kind in ("match", "group")]
    assert post
    x0, y0, x1, y1 = (v * MM for v in WINDOW_MM)
    for p in post[:6]:
        words = _words(p.documents[0].path)
        zip_ = p.to.postal_code
        want = [f"〒{zip_[:3]}-{zip_[3:]}", p.to.name.split()[-1], "様" if p.to.person else "御中"]
        for token in want:
            hits = [w for w in words if token in w[4]]
            assert hits, f"{token} not printed"
            a, b, c, d, _ = min(hits, key=lambda w: w[1])          # the topmost: the address block's
            assert x0 <= a and c <= x1 and y0 <= b and d <= y1, f"{token} at {a / MM:.0f},{b / MM:.0f} mm"
        # Nothing else shows through the window.
        inside = [w for w in words if w[0] < x1 and w[2] > x0 and w[1] < y1 and w[3] > y0]
        block = " ".join(w[4] for w in inside)
        assert "拝啓" not in block and OFFICE.name.split()[0] not in block


def test_printing_logs_letters_and_moves_matches(printed):
    ws, pop, run = printed
    with connection(ws) as conn:
        logged = conn.execute("SELECT COUNT(*) FROM letters WHERE letter_date='2026-03-02'").fetchone()[0]
        slips = conn.execute("SELECT COUNT(*) FROM sent_forms WHERE match_id IS NOT NULL").fetchone()[0]
    assert logged == len(run.documents)
    assert slips == sum(1 for d in run.documents if d.kind == "reply_slip")
    for mid in run.matches:
        assert api.get_match(ws, mid).state == "letter_printed"
    raw = run.mailing_list.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = raw.decode("utf-8-sig").splitlines()
    assert len(rows) == len(run.packets) + 1
    # A second run prints nothing more for the same matches (they are no longer approved).
    again = print_letters(ws, run.out, approved=True)
    assert again.packets == []
    with pytest.raises(api.MatchError):
        print_letters(ws, run.out, match_id=api.list_matches(ws, "proposed")[0].id)


def test_consent_withdrawn_after_approval_prints_nothing_about_that_factory(workspace, tmp_path):
    pop = sample.populate(workspace, n_factories=40, n_requests=4, seed=9)
    api.run_matching(workspace)
    req, sup = sorted(pop.known_pairs)[0]
    m = next(m for m in api.list_matches(workspace) if (m.request, m.supplier) == (req, sup))
    api.approve(workspace, m.id, "佐藤")
    with connection(workspace) as conn:
        conn.execute("UPDATE factories SET shares_profile=0 WHERE id=?", (sup,))
    run = print_letters(workspace, tmp_path / "o", match_id=m.id)
    assert run.packets == [] and any(sup in w for w in run.warnings)
    assert api.get_match(workspace, m.id).state == "approved"


def test_confirmations_and_reminders(workspace, forms, tmp_path):
    from intake.render import read_respondents_csv, render_batch
    from intake.demo import sample_respondents_path

    people = read_respondents_csv(sample_respondents_path())[:3]
    render_batch(forms["survey"], "ja", people, tmp_path / "sent", workspace=workspace, progress=False)
    with connection(workspace) as conn:
        conn.execute("UPDATE sent_forms SET sent_at='2026-01-01T00:00:00+00:00'")
        t = "2026-01-10T00:00:00+00:00"
        conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at, "
                     "updated_at) VALUES ('S1','survey',1,?, 'accepted', 2, ?, ?)", (people[0].id, t, t))
        conn.execute("INSERT INTO field_values (submission_id, key, kind, value, confidence, needs_review, source) "
                     "VALUES ('S1','company_name','text',?,0.9,0,'ocr')", ('"株式会社 山田精機"',))
        conn.execute("INSERT INTO field_values (submission_id, key, kind, value, confidence, needs_review, source) "
                     "VALUES ('S1','processes','choice',?,0.9,0,'ocr')", ('["cutting", "welding"]',))
    run = print_letters(workspace, tmp_path / "o", confirmations=True, reminder_days=14)
    kinds = sorted(d.kind for d in run.documents if d.kind != "fax_cover")
    assert kinds == ["confirmation", "reminder", "reminder", "survey", "survey"]
    reminded = {p.to.id for p in run.packets if any(d.kind == "reminder" for d in p.documents)}
    assert reminded == {people[1].id, people[2].id}
    conf = next(d for d in run.documents if d.kind == "confirmation")
    text = re.sub(r"\s+", "", pdftotext(conf.path))
    assert "読み取り結果確認票" in text and "切削・溶接" in text and "訂正" in text
    # The fresh copies were recorded as sent, so the next run does not remind again.
    again = print_letters(workspace, tmp_path / "o", confirmations=True, reminder_days=14)
    assert again.packets == []


@pytest.mark.slow
def test_a_reply_slip_faxed_back_through_the_inbox_updates_the_match(workspace, forms, tmp_path):
    import numpy as np

    from intake.ingest.pipeline import process
    from intake.simulate.answers import Company, random_company
    from intake.simulate.corpus import simulate_return

    pop = sample.populate(workspace, n_factories=30, n_requests=3, seed=11)
    api.run_matching(workspace)
    req, sup = sorted(pop.known_pairs)[0]
    m = next(m for m in api.list_matches(workspace) if (m.request, m.supplier) == (req, sup))
    api.approve(workspace, m.id, "佐藤")
    run = print_letters(workspace, tmp_path / "o", match_id=m.id)
    slip = next(d for d in run.documents if d.kind == "reply_slip" and d.respondent.id == sup)
    # The printed slip carries the match id in its code (as a clerk would read it).
    assert f"M:{m.id}" in re.sub(r"\s+", " ", pdftotext(slip.path)).replace("M: ", "M:")
    rng = np.random.default_rng(4)
    made = random_company(rng, "ja")
    to = slip.respondent
    company = Company(name=to.name, person=made.person, representative=made.representative,
                      postal_code=to.postal_code or made.postal_code, address=to.address or made.address,
                      phone=to.phone or made.phone, fax=to.fax or made.fax)
    truth = simulate_return(forms["reply-slip"], workspace.inbox / f"reply-{sup}", "fax-fine", rng,
                            respondent=sup, company=company, match=m.id)
    process(workspace, forms=forms, stable_seconds=0, progress=False)
    after = api.get_match(workspace, m.id)
    assert after.state == "reply_received"
    states = [h["to_state"] for h in api.history(workspace, m.id)]
    assert states[-3:] == ["letter_printed", "sent", "reply_received"]
    answered = truth[0]["pages"][0]["fields"]
    for key in ("contacted", "visit", "trial_order"):
        if answered.get(key) and after.outcome.get(key) is not None:
            assert after.outcome[key] == answered[key]
    assert after.outcome, "no outcome copied from the slip"
