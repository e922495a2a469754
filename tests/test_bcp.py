"""BCP on a designed population (tests/_bcp_population.py): the right factories are affected, the
alternatives are outside the area, consenting and sharing a process, the best-covering one first, and
what nobody covers is said; incidents refresh instead of duplicating; bad input writes nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

import _bcp_population as P
from intake import bcp
from intake.bcp.area import place_of
from intake.cli import main
from intake.review.service import connection


@pytest.fixture
def pop(tmp_path):
    return P.workspace(tmp_path)


def _facts(ws):
    with connection(ws) as conn:
        caps: dict = {}
        for fid, kind, value in conn.execute("SELECT factory_id, kind, value FROM capabilities"):
            caps.setdefault((fid, kind), set()).add(value)
        rows = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM factories")}
    return caps, rows


def _check_alternatives(ws, affected, area_factories):
    caps, rows = _facts(ws)
    for a in affected:
        for alt in a.alternatives:
            assert alt.factory not in area_factories, f"{alt.factory} lies in the area"
            assert rows[alt.factory]["shares_profile"] == 1, f"{alt.factory} did not consent"
            assert caps[(alt.factory, "process")] & caps[(a.factory, "process")], f"{alt.factory} shares no process"
            place = place_of(rows[alt.factory]["postal_code"], rows[alt.factory]["address"])
            assert "小山市" not in place.names


def test_an_area_takes_out_its_factories_and_names_the_alternatives(pop):
    inc = bcp.assess(pop, area=[P.AREA], who="佐藤")
    got = {a.factory: a for a in inc.affected}
    assert set(got) == set(P.IN_AREA)
    assert all(a.area == P.AREA for a in inc.affected)
    _check_alternatives(pop, inc.affected, set(P.IN_AREA))
    # the best-covering alternative first: A1 does every process and material of T1 (X1 would too, no consent)
    t1 = got["T1"]
    assert [x.factory for x in t1.alternatives][0] == "A1"
    assert "X1" not in {x.factory for x in t1.alternatives}
    cover = [len(x.processes) + len(x.materials) for x in t1.alternatives]
    assert cover[0] == max(cover) == 4
    assert t1.alternatives[0].score > t1.alternatives[1].score
    assert any("遊休設備" in r for r in t1.alternatives[0].reasons_ja)
    assert t1.buyers == ["B1"]                                   # its approved match's buyer
    assert [x.factory for x in got["T2"].alternatives] == ["A4"]
    assert got["T2"].buyers == ["B2"]                            # the open request it was proposed for
    # what nobody outside the area covers
    assert got["T3"].alternatives == [] and got["T3"].uncovered_processes == ["casting"]
    t4 = got["T4"]
    assert {x.factory for x in t4.alternatives} == {"A5", "A6"}
    assert t4.uncovered_processes == [] and t4.uncovered_materials == []
    assert t4.uncovered_pairs == [("heat_treatment", "titanium")]
    assert "N1" not in {x.factory for a in inc.affected for x in a.alternatives}


def test_postal_prefix_ward_and_down_ids(pop):
    by_prefix = bcp.assess(pop, area=["323-08"])
    assert {a.factory for a in by_prefix.affected} == {"T2", "T4"}        # 323-0807; T1, T3 are 323-0023
    down = bcp.assess(pop, down=["A1"])
    assert [a.factory for a in down.affected] == ["A1"] and down.affected[0].area is None
    assert down.affected[0].alternatives[0].factory == "T1"      # nothing else is down: T1 is the twin
    ward = bcp.assess(pop, area=["宇都宮市"])
    assert {a.factory for a in ward.affected} == {"A1", "X1"}


def test_rerunning_refreshes_the_open_incident(pop):
    first = bcp.assess(pop, area=[P.AREA])
    again = bcp.assess(pop, area=["栃木県小山市 "])
    assert again.id == first.id and again.refreshed and not first.refreshed
    assert [i.id for i in bcp.list_incidents(pop)] == [first.id]
    bcp.close(pop, first.id, "佐藤")
    third = bcp.assess(pop, area=[P.AREA])
    assert third.id != first.id
    assert [i.state for i in bcp.list_incidents(pop)] == ["closed", "open"]


def _tables(ws):
    with sqlite3.connect(ws.db_path) as c:
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("bcp_incidents", "bcp_sent", "bcp_replies", "matches")}


@pytest.mark.parametrize("kwargs, words", [
    (dict(area=["栃木県小出市"]), "小山市"),                      # a misspelling: near spellings offered
    (dict(area=["999"]), "postal code"),
    (dict(down=["F9999"]), "F9999"),
    (dict(area=["北海道"]), "no registered factory"),             # a real area with no factory
    (dict(), "name what is down"),
])
def test_bad_input_is_an_error_and_writes_nothing(pop, kwargs, words):
    before = _tables(pop)
    with pytest.raises(bcp.BcpError) as e:
        bcp.assess(pop, **kwargs)
    assert words in str(e.value) and e.value.hint
    assert _tables(pop) == before


def test_a_closed_incident_refuses_letters_and_closing(pop, tmp_path):
    inc = bcp.assess(pop, area=[P.AREA])
    bcp.close(pop, inc.id, "佐藤")
    before = _tables(pop)
    for call in (lambda: bcp.print_incident_letters(pop, inc.id, tmp_path / "o"), lambda: bcp.close(pop, inc.id, "佐藤")):
        with pytest.raises(bcp.BcpError) as e:
            call()
        assert "closed" in str(e.value)
    assert _tables(pop) == before and not (tmp_path / "o").exists()
    r = CliRunner().invoke(main, ["--home", str(pop.root), "bcp", "letters", inc.id, "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "closed" in r.output and "fix:" in r.output


# --- through the CLI -----------------------------------------------------------------------------

def _cli(ws, *args):
    return CliRunner().invoke(main, ["--home", str(ws.root), *args])


def test_cli_jsonl_is_the_public_line_and_matches_the_api(pop):
    r = _cli(pop, "bcp", "--area", P.AREA, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    lines = [json.loads(ln) for ln in r.output.splitlines()]
    assert [ln["factory"] for ln in lines] == sorted(P.IN_AREA)
    for ln in lines:
        assert set(ln) == {"factory", "name", "area", "offered", "buyers", "alternatives", "uncovered"}
        assert set(ln["offered"]) == {"processes", "materials", "lot_sizes", "certifications"}
        for alt in ln["alternatives"]:
            assert set(alt) == {"factory", "name", "prefecture", "score", "covers", "reasons"}
    inc = bcp.list_incidents(pop)[0]                         # the CLI recorded the incident
    assert [a.public() for a in inc.affected] == lines
    t1 = next(ln for ln in lines if ln["factory"] == "T1")
    assert t1["alternatives"][0]["factory"] == "A1" and t1["buyers"] == ["B1"]


def test_cli_text_and_csv(pop):
    r = _cli(pop, "bcp", "--area", P.AREA)
    assert r.exit_code == 0, r.output
    assert "代替先なし: 熱処理 × チタン" in r.output and "代替先なし: 鋳造" in r.output
    r = _cli(pop, "bcp", "--area", P.AREA, "--format", "csv")
    rows = r.output.splitlines()
    assert rows[0].startswith("incident,factory")
    assert sum(1 for x in rows[1:] if ",T1," in x) == 3


@pytest.mark.parametrize("args, code, words", [
    (["bcp", "--area", "栃本県"], 1, "栃木県"),
    (["bcp", "--down", "NOPE"], 1, "NOPE"),
    (["bcp", "--area", "沖縄県"], 1, "no registered factory"),
    (["bcp", "show", "I0099"], 1, "no incident"),
    (["bcp", "close", "I0099", "--who", "佐藤"], 1, "no incident"),
    (["bcp", "accept", "I0099", "A1", "--who", "佐藤"], 1, "no incident"),
    (["bcp", "letters", "I0099", "--out", "never"], 1, "no incident"),
])
def test_cli_bad_input_exit_codes(pop, args, code, words):
    before = _tables(pop)
    r = _cli(pop, *args)
    assert r.exit_code == code and words in r.output and "fix:" in r.output
    assert _tables(pop) == before


def test_cli_list_show_close(pop):
    assert _cli(pop, "bcp", "--area", P.AREA, "--who", "佐藤").exit_code == 0
    r = _cli(pop, "bcp", "list")
    assert "I0001" in r.output and "open" in r.output and "佐藤" in r.output
    r = _cli(pop, "bcp", "show", "I0001", "--format", "jsonl")
    assert json.loads(r.output)["affected"] == sorted(P.IN_AREA)
    assert _cli(pop, "bcp", "close", "I0001", "--who", "佐藤").output.strip() == "I0001: closed"
    assert bcp.get_incident(pop, "I0001").state == "closed"
