"""The report's risk page on the designed population: capabilities only one or two consenting factories
offer, and how many buyers rely on them (known by construction, see tests/_bcp_population.py)."""

from __future__ import annotations

import sqlite3

import _bcp_population as P
from intake.report import build_report
from intake.report.figures import RISK_MAX, collect


def test_single_points_of_failure_and_their_buyers(tmp_path):
    workspace = P.workspace(tmp_path)
    risk = collect(workspace).risk
    relied = {(r.process, r.where, r.axis): (r.providers, r.buyers) for r in risk.rows if r.buyers}
    # B1 relies (approved match) on T1 for plating titanium; A1 is the only other consenting plater in 栃木県
    # and of titanium; X1 does both too but did not consent, so it does not count.
    assert relied == {("めっき", "チタン", "material"): (2, 1), ("めっき", "栃木県", "prefecture"): (2, 1)}
    assert risk.rows[0].buyers == 1
    with sqlite3.connect(workspace.db_path) as c:
        for r in risk.rows:
            assert 1 <= r.providers <= RISK_MAX
            if r.axis == "material":
                continue
            n = c.execute("SELECT COUNT(*) FROM capabilities k JOIN factories f ON f.id = k.factory_id WHERE "
                          "k.kind='process' AND f.shares_profile=1 AND f.prefecture=? AND k.value IN "
                          "(SELECT key FROM (SELECT 'cutting' key, '切削' label UNION SELECT 'plating', 'めっき' UNION "
                          "SELECT 'welding', '溶接' UNION SELECT 'heat_treatment', '熱処理' UNION "
                          "SELECT 'grinding', '研削' UNION SELECT 'painting', '塗装') WHERE label=?)",
                          (r.where, r.process)).fetchone()[0]
            assert n == r.providers, r
    assert all("非公開工業" not in n and "小山鋳造" not in n for r in risk.rows for n in r.names)
    pdf, html = build_report(workspace, tmp_path, "both")
    assert "供給リスク" in html.read_text(encoding="utf-8")
