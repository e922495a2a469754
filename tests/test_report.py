"""The 見える化 report (issue 7): every figure equals a direct SQL count on a generated workspace;
the PDF embeds its fonts and carries its Japanese headings and marks; the HTML is self-contained;
the public version never names a factory that did not consent."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import warnings
from datetime import date

import pytest

from intake.report import build_report
from intake.report.figures import GROUP_MIN, collect
from intake.report.sample import AREAS, generate
from intake.report.text import INTERNAL_MARK, SECTIONS

AS_OF = date(2026, 11, 30)
PREFS = sorted({a[0] for a in AREAS})


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("report") / "ws", factories=300, seed=11, as_of=AS_OF)


@pytest.fixture(scope="module")
def db(ws):
    conn = sqlite3.connect(ws.db_path)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def internal(ws):
    return collect(ws, public=False, as_of=AS_OF)


@pytest.fixture(scope="module")
def public(ws):
    return collect(ws, public=True, as_of=AS_OF)


@pytest.fixture(scope="module")
def files(ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    paths = build_report(ws, out, "both", False, as_of=AS_OF) + build_report(ws, out, "both", True, as_of=AS_OF)
    return {p.name: p for p in paths}


def one(db, sql, *args):
    return db.execute(sql, args).fetchone()[0]


def pdftext(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the population is what the issue asks for --------------------------------------------------

def test_generated_workspace_has_a_few_hundred_factories_in_several_prefectures(db):
    assert one(db, "SELECT COUNT(*) FROM respondents WHERE id LIKE 'F%'") == 300
    assert one(db, "SELECT COUNT(DISTINCT prefecture) FROM factories") >= 4
    assert one(db, "SELECT COUNT(*) FROM factories WHERE shares_profile=0") > 10
    for table in ("sent_forms", "submissions", "pages", "files", "field_values", "matches", "requests"):
        assert one(db, f"SELECT COUNT(*) FROM {table}") > 0, table


# --- every figure equals a direct SQL count -----------------------------------------------------

SENT = ("SELECT DISTINCT r.id, r.address FROM respondents r JOIN sent_forms sf ON sf.respondent_id=r.id"
        " WHERE sf.form='survey' AND sf.match_id IS NULL")
RETURNED = "EXISTS(SELECT 1 FROM submissions s WHERE s.form='survey' AND s.respondent_id=x.id)"


def test_response_status_by_prefecture_and_municipality(internal, db):
    r = internal.response
    assert r.sent == one(db, f"SELECT COUNT(*) FROM ({SENT})")
    assert r.returned == one(db, f"SELECT COUNT(*) FROM ({SENT}) x WHERE {RETURNED}")
    assert r.pending == r.sent - r.returned > 0
    got = {p.prefecture: (p.sent, p.returned) for p in r.by_prefecture}
    want = {pref: (one(db, f"SELECT COUNT(*) FROM ({SENT}) x WHERE x.address LIKE ? || '%'", pref),
                   one(db, f"SELECT COUNT(*) FROM ({SENT}) x WHERE x.address LIKE ? || '%' AND {RETURNED}", pref))
            for pref in PREFS}
    assert got == {p: v for p, v in want.items() if v[0]}
    for m in r.by_municipality:
        like = f"{m.prefecture}{m.municipality}%"
        assert (m.sent, m.returned) == (
            one(db, f"SELECT COUNT(*) FROM ({SENT}) x WHERE x.address LIKE ?", like),
            one(db, f"SELECT COUNT(*) FROM ({SENT}) x WHERE x.address LIKE ? AND {RETURNED}", like)), m
    assert sum(m.sent for m in r.by_municipality) == r.sent
    assert "さいたま市" in {m.municipality for m in r.by_municipality}        # a ward counts as its city
    assert "木曽郡大桑村" in {m.municipality for m in r.by_municipality}
    assert r.by_form["survey"] == (r.sent, r.returned)
    assert r.by_form["request"] == (
        one(db, "SELECT COUNT(DISTINCT respondent_id) FROM sent_forms WHERE form='request'"),
        one(db, "SELECT COUNT(DISTINCT respondent_id) FROM submissions WHERE form='request'"))


def test_reminders_are_the_unanswered_older_than_the_limit(internal, db):
    due = {d.respondent_id for d in internal.response.due}
    want = {row[0] for row in db.execute(
        "SELECT sf.respondent_id FROM sent_forms sf WHERE sf.form='survey' AND sf.match_id IS NULL"
        " AND NOT EXISTS(SELECT 1 FROM submissions s WHERE s.form='survey' AND s.respondent_id=sf.respondent_id)"
        " GROUP BY sf.respondent_id HAVING julianday(?) - julianday(date(MAX(sf.sent_at))) >= 14",
        (AS_OF.isoformat(),))}
    assert due == want and 0 < len(due) < internal.response.pending     # some pending are too recent


def test_capability_map_counts(internal, db):
    c = internal.capabilities
    assert c.factories == one(db, "SELECT COUNT(*) FROM factories")
    for t in c.processes:
        assert t.count == one(db, "SELECT COUNT(*) FROM capabilities WHERE kind='process' AND value=?", t.key)
        for pref in c.prefectures:
            assert c.matrix.get(t.key, {}).get(pref, 0) == one(
                db, "SELECT COUNT(*) FROM capabilities c JOIN factories f ON f.id=c.factory_id"
                    " WHERE c.kind='process' AND c.value=? AND f.prefecture=?", t.key, pref), (t.key, pref)
    for kind, tallies in (("material", c.materials), ("lot", c.lots), ("certification", c.certifications)):
        assert {t.key: t.count for t in tallies if t.count} == dict(db.execute(
            "SELECT value, COUNT(*) FROM capabilities WHERE kind=? GROUP BY value", (kind,)).fetchall())
    assert [t.label for t in c.processes][:3] == ["切削", "研削", "プレス"]     # the form's labels, form order


def test_idle_equipment_and_interests(internal, public, db):
    co = internal.collaboration
    assert co.idle_total == one(db, "SELECT COUNT(*) FROM factories WHERE idle_equipment=1")
    assert co.idle_by_prefecture == dict(db.execute(
        "SELECT prefecture, COUNT(*) FROM factories WHERE idle_equipment=1 GROUP BY prefecture").fetchall())
    assert sorted(x.name for x in co.idle_listed) == sorted(
        r[0] for r in db.execute("SELECT name FROM factories WHERE idle_equipment=1"))
    pub = public.collaboration
    assert sorted(x.name for x in pub.idle_listed) == sorted(
        r[0] for r in db.execute("SELECT name FROM factories WHERE idle_equipment=1 AND shares_profile=1"))
    assert pub.idle_withheld == one(db, "SELECT COUNT(*) FROM factories WHERE idle_equipment=1 AND shares_profile=0")
    assert pub.idle_total == co.idle_total                       # counted, not named
    assert {t.key: t.count for t in co.interests if t.count} == dict(db.execute(
        "SELECT value, COUNT(*) FROM capabilities WHERE kind='interest' GROUP BY value").fetchall())
    # candidate groups: an interest shared by >= GROUP_MIN factories of one municipality (one postal code here)
    assert co.candidates == one(db, "SELECT COUNT(*) FROM (SELECT 1 FROM capabilities c JOIN factories f"
                                    " ON f.id=c.factory_id WHERE c.kind='interest' GROUP BY c.value, f.postal_code"
                                    " HAVING COUNT(*) >= ?)", GROUP_MIN)
    formed = [g for g in co.groups if g.source == "matching"]
    assert len(formed) == one(db, "SELECT COUNT(*) FROM match_groups")


def test_funnel_counts(internal, db):
    f = internal.funnel
    stages = {t.key: t.count for t in f.stages}
    assert list(stages) == ["proposed", "approved", "sent", "replied", "visited", "trial_order"]
    pair = "SELECT COUNT(*) FROM matches WHERE kind='pair'"
    assert stages["proposed"] == one(db, pair)
    assert stages["approved"] == one(db, pair + " AND state NOT IN ('proposed', 'rejected')")
    assert stages["sent"] == one(db, pair + " AND state IN ('sent', 'reply_received', 'closed')")
    assert stages["replied"] == one(db, pair + " AND reply_submission_id IS NOT NULL")
    assert stages["visited"] == one(db, pair + " AND visit='done'")
    assert stages["trial_order"] == one(db, pair + " AND trial_order='placed'")
    assert f.rejected == one(db, pair + " AND state='rejected'")
    counts = list(stages.values())
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0     # a funnel that narrows, and ends somewhere
    assert f.requests == one(db, "SELECT COUNT(*) FROM requests")
    assert sum(r.matches for r in f.rows) == stages["proposed"]


def test_data_quality_counts_agree_with_sql_and_intake_status(internal, db, ws):
    from click.testing import CliRunner

    from intake.cli import main

    q = internal.quality
    fv = "SELECT COUNT(*) FROM field_values WHERE "
    assert q.fields["total"] == one(db, "SELECT COUNT(*) FROM field_values")
    assert q.fields["automatic"] == one(
        db, fv + "needs_review=0 AND source IN ('ocr','acroform') AND corrected_by IS NULL")
    assert q.fields["corrected"] == one(db, fv + "needs_review=0 AND source='clerk'")
    assert q.fields["awaiting"] == one(db, fv + "needs_review=1")
    assert sum(q.fields[k] for k in ("automatic", "confirmed", "corrected", "awaiting")) == q.fields["total"]
    assert q.pages_unidentified == one(db, "SELECT COUNT(*) FROM pages WHERE status='unidentified'") > 0
    assert q.files_quarantined == one(db, "SELECT COUNT(*) FROM files WHERE state='quarantined'") > 0
    status = CliRunner().invoke(main, ["--home", str(ws.root), "status"])
    assert status.exit_code == 0, status.output
    assert f"quarantined {q.files_quarantined}" in status.output
    assert f"unidentified {q.pages_unidentified}" in status.output
    assert f"accepted {q.submissions['accepted']}" in status.output


def test_cover_summary_repeats_the_section_figures(internal):
    s = dict(internal.summary)
    assert s["調査票 送付"] == f"{internal.response.sent}社"
    assert s["回答"] == f"{internal.response.returned}社"
    assert s["督促対象"] == f"{len(internal.response.due)}社"
    assert s["隔離ファイル"] == f"{internal.quality.files_quarantined}件"
    assert s["紹介 提案→試作発注"] == f"{internal.funnel.stages[0].count}→{internal.funnel.stages[-1].count}件"


def test_readings_are_computed_from_the_figures(internal):
    r = internal.response
    best = max(r.by_prefecture, key=lambda p: p.rate)
    assert f"回答率は{best.prefecture}が最も高く{round(best.rate * 100)}%" in r.reading
    top = max(internal.capabilities.processes, key=lambda t: t.count)
    assert f"{top.label}（{top.count}社）" in internal.capabilities.reading


# --- the files ----------------------------------------------------------------------------------

def test_pdf_fonts_embedded_and_japanese_headings_found(files):
    for name in ("report-20261130.pdf", "report-public-20261130.pdf"):
        fonts = subprocess.run(["pdffonts", str(files[name])], capture_output=True, text=True, timeout=60,
                               check=True).stdout.splitlines()[2:]
        assert fonts, "no fonts at all"
        for line in fonts:
            assert line.split()[-5] == "yes", line            # the emb column
        text = squash(pdftext(files[name]))
        for heading in SECTIONS.values():
            assert squash(heading) in text, heading


def test_internal_pdf_marks_every_page(files):
    pages = [p for p in pdftext(files["report-20261130.pdf"]).split("\f") if p.strip()]
    assert len(pages) >= 6
    assert all(INTERNAL_MARK in p for p in pages)
    public_pages = [p for p in pdftext(files["report-public-20261130.pdf"]).split("\f") if p.strip()]
    assert not any(INTERNAL_MARK in p for p in public_pages)


def test_html_references_nothing_outside_itself(files):
    for name in ("report-20261130.html", "report-public-20261130.html"):
        html = files[name].read_text(encoding="utf-8")
        refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", html, flags=re.I)
        assert all(r.startswith(("#", "data:")) for r in refs), [r for r in refs if not r.startswith("#")][:5]
        assert not re.search(r"<script|<link|<iframe|<object|@import|url\((?!#|data:)", html, flags=re.I)
        assert "<svg" in html                                  # the charts are in the page
        for heading in SECTIONS.values():
            assert heading in html


def _names(db, shares: int) -> list[str]:
    """Factory names without the legal form (株式会社 …): what pdftotext cannot split."""
    return [re.sub(r"(株式会社|有限会社)", "", n).strip() for (n,) in db.execute(
        "SELECT name FROM factories WHERE shares_profile=? ORDER BY id", (shares,))]


def test_public_version_never_names_a_non_consenting_factory(files, db):
    hidden = _names(db, 0)
    respondents_without_profile = [re.sub(r"(株式会社|有限会社)", "", n).strip() for (n,) in db.execute(
        "SELECT name FROM respondents WHERE id NOT IN (SELECT id FROM factories)")]
    shown = _names(db, 1)
    for name in ("report-public-20261130.pdf", "report-public-20261130.html"):
        path = files[name]
        text = squash(pdftext(path) if name.endswith(".pdf") else path.read_text(encoding="utf-8"))
        leaks = [n for n in hidden + respondents_without_profile if squash(n) in text]
        assert not leaks, (name, leaks[:5])
        assert any(squash(n) in text for n in shown), "the search would find names: consenting ones are listed"
    internal = squash(pdftext(files["report-20261130.pdf"]))
    assert any(squash(n) in internal for n in hidden)             # the internal version does name them


def test_charts_draw_japanese_without_missing_glyphs(internal):
    from intake.report import charts

    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # matplotlib warns "Glyph ... missing"
        svg = charts.svg(charts.capability_heatmap(internal.capabilities))
    assert charts.setup() == "IPAex Gothic" or "IPAex" in charts.setup()
    assert svg.startswith("<svg") and "http://www.w3.org/Graphics" not in svg


def test_empty_workspace_still_reports_and_names_the_office(workspace, tmp_path):
    (workspace.root / "office.yaml").write_text("name: 群馬県 産業経済部\ndepartment: ものづくり連携推進課\n",
                                                encoding="utf-8")
    paths = build_report(workspace, tmp_path / "out", "both", False, as_of=AS_OF)
    assert [p.suffix for p in paths] == [".pdf", ".html"]
    text = squash(pdftext(paths[0]))
    assert "まだありません" in text and "群馬県産業経済部ものづくり連携推進課" in text


@pytest.mark.parametrize("address, postal, want", [
    ("埼玉県さいたま市浦和区高砂3-15-1", "3300063", ("埼玉県", "さいたま市")),     # a ward counts as its city
    ("長野県木曽郡大桑村殿1", None, ("長野県", "木曽郡大桑村")),
    ("三重県四日市市諏訪町1-5", None, ("三重県", "四日市市")),
    ("東京都千代田区市谷本村町5-1", None, ("東京都", "千代田区")),
    ("長野県大町市大町3887", None, ("長野県", "大町市")),
    ("東京都東村山市本町1-2-3", None, ("東京都", "東村山市")),
    (None, "3700006", ("群馬県", "高崎市")),
    ("住所不明", None, ("不明", "不明")),
])
def test_municipality_from_postal_code_or_address(address, postal, want):
    from intake.report.regions import locate

    assert locate(address, postal) == want


def test_cli_writes_the_requested_formats(ws, tmp_path):
    from click.testing import CliRunner

    from intake.cli import main

    res = CliRunner().invoke(main, ["--home", str(ws.root), "report", "--format", "html", "--public",
                                    "--out", str(tmp_path), "--as-of", "2026-11-30"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-public-20261130.html"]
    res = CliRunner().invoke(main, ["--home", str(tmp_path / "nowhere"), "report"])
    assert res.exit_code == 2 and "init" in res.output
