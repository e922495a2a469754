"""Matching on a generated population: known pairs found, incompatible ones and non-consenting
factories never proposed; idempotent runs; the state machine; the CLI mirrors the API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from intake import match as api
from intake.match import sample
from intake.match.scoring import Need, Supplier, Vocabulary, score
from intake.review.service import connection


@pytest.fixture
def population(workspace):
    return workspace, sample.populate(workspace, n_factories=120, n_requests=24, seed=3)


def _caps(ws):
    with connection(ws) as conn:
        caps = {}
        for fid, kind, value in conn.execute("SELECT factory_id, kind, value FROM capabilities"):
            caps.setdefault((fid, kind), set()).add(value)
        reqs = {r["submission_id"]: (set(json.loads(r["processes"])), set(json.loads(r["materials"])),
                                     r["requester_id"]) for r in conn.execute("SELECT * FROM requests")}
        sharing = {r[0] for r in conn.execute("SELECT id FROM factories WHERE shares_profile=1")}
    return caps, reqs, sharing


def test_population_is_large_enough(population):
    ws, pop = population
    assert len(pop.factories) >= 100 and len(pop.requests) >= 20
    assert len(pop.known_pairs) >= 20 and pop.hidden


def test_known_pairs_found_and_incompatible_or_hidden_never_proposed(population):
    ws, pop = population
    run = api.run_matching(ws)
    pairs = {(m.request, m.supplier) for m in api.list_matches(ws) if m.kind == "pair"}
    assert len(run.proposed) >= len(pop.known_pairs)
    assert pop.known_pairs <= pairs
    assert not (pairs & pop.hidden_perfect)
    caps, reqs, sharing = _caps(ws)
    for req, sup in pairs:
        procs, mats, requester = reqs[req]
        assert sup != requester
        assert sup in sharing, f"{sup} did not consent but was proposed"
        assert procs & caps.get((sup, "process"), set()), f"{sup} does no process {procs} needs"
        assert mats & caps.get((sup, "material"), set())
    # The other direction: pairs with no common process are absent, and there are many of them.
    incompatible = [(r, f) for r, (procs, _, _) in reqs.items() for f in pop.factories
                    if not procs & caps.get((f, "process"), set())]
    assert len(incompatible) > 1000
    assert not set(incompatible) & pairs


def test_every_match_explains_itself_in_both_languages(population):
    ws, _ = population
    api.run_matching(ws)
    for m in api.list_matches(ws):
        assert m.reasons_ja and m.reasons_en and len(m.reasons_ja) == len(m.reasons_en)
        assert all(r[:1] in "○×" for r in m.reasons_ja)
        assert all(r.startswith(("met:", "not met:")) for r in m.reasons_en)


def test_rerunning_does_not_duplicate_and_keeps_decisions(population):
    ws, _ = population
    api.run_matching(ws)
    before = {m.id: (m.request, m.supplier, m.state) for m in api.list_matches(ws)}
    first = next(iter(before))
    api.reject(ws, first, "既に取引あり", "佐藤")
    again = api.run_matching(ws)
    after = {m.id: (m.request, m.supplier, m.state) for m in api.list_matches(ws)}
    assert again.proposed == [] and again.groups == []
    assert set(after) == set(before)
    assert after[first][2] == "rejected"


def test_withdrawn_consent_withdraws_the_proposal(population):
    ws, pop = population
    api.run_matching(ws)
    req, sup = sorted(pop.known_pairs)[0]
    with connection(ws) as conn:
        conn.execute("UPDATE factories SET shares_profile=0, consent='disagree' WHERE id=?", (sup,))
    run = api.run_matching(ws)
    assert run.withdrawn
    assert (req, sup) not in {(m.request, m.supplier) for m in api.list_matches(ws)}


def test_group_matches_gather_one_prefecture(population):
    ws, _ = population
    api.run_matching(ws)
    groups = [m for m in api.list_matches(ws) if m.kind == "group"]
    assert groups
    with connection(ws) as conn:
        for g in groups:
            assert len(g.members) >= 2
            prefs = {conn.execute("SELECT prefecture FROM factories WHERE id=?", (f,)).fetchone()[0] for f in g.members}
            assert prefs == {g.group_region}
            for f in g.members:
                assert conn.execute("SELECT 1 FROM capabilities WHERE factory_id=? AND kind='interest' AND value=?",
                                    (f, g.group_interest)).fetchone()


def test_state_machine_refuses_illegal_steps(population):
    ws, _ = population
    api.run_matching(ws)
    m = api.list_matches(ws, "proposed")[0]
    with pytest.raises(api.MatchError) as e:
        api.mark_sent(ws, m.id, "佐藤")
    assert "approve" in (e.value.hint or "")
    with pytest.raises(api.MatchError):
        api.reject(ws, m.id, "  ", "佐藤")
    api.approve(ws, m.id, "佐藤")
    with pytest.raises(api.MatchError):
        api.approve(ws, m.id, "佐藤")
    assert [h["to_state"] for h in api.history(ws, m.id)] == ["proposed", "approved"]


def test_never_a_company_with_itself():
    vocab = Vocabulary()
    need = Need("S1", "F0001", "株式会社 山田精機", "埼玉県", ("cutting",), ("steel",))
    same = Supplier("F0001", "株式会社 山田精機", "埼玉県", frozenset({"cutting"}), frozenset({"steel"}))
    renamed = Supplier("F0099", "山田精機 株式会社", "埼玉県", frozenset({"cutting"}), frozenset({"steel"}))
    other = Supplier("F0002", "鈴木製作所", "埼玉県", frozenset({"cutting"}), frozenset({"steel"}))
    nb = lambda p: set()  # noqa: E731
    assert not score(need, same, vocab, nb).must
    assert not score(need, renamed, vocab, nb).must
    assert score(need, other, vocab, nb).must


def test_region_preference_uses_neighbours():
    from intake.match.profiles import neighbours_of

    vocab = Vocabulary()
    sup = lambda pref: Supplier("F1", "A", pref, frozenset({"cutting"}), frozenset({"steel"}))  # noqa: E731
    need = Need("S1", "B1", "B", "埼玉県", ("cutting",), ("steel",), region="neighbours")
    same, near, far = (score(need, sup(p), vocab, neighbours_of) for p in ("埼玉県", "群馬県", "大阪府"))
    assert same.score > near.score > far.score
    assert any("群馬県" in r for r in near.met_ja)
    assert any("大阪府" in r for r in far.unmet_ja)


def test_cli_mirrors_the_api(population):
    from intake.cli import main

    ws, pop = population
    runner = CliRunner()
    home = ["--home", str(ws.root)]
    r = runner.invoke(main, home + ["match"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, home + ["match", "list", "--format", "jsonl"])
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["match"] for x in lines] == [m.id for m in api.list_matches(ws)]
    for x in lines:
        assert set(x) == {"match", "request", "requester", "supplier", "score", "state", "reasons"}
        assert isinstance(x["score"], float) and isinstance(x["reasons"], list)
    mid = lines[0]["match"]
    assert runner.invoke(main, home + ["match", "approve", mid, "--who", "佐藤"]).exit_code == 0
    assert api.get_match(ws, mid).state == "approved"
    r = runner.invoke(main, home + ["match", "approve", mid, "--who", "佐藤"])
    assert r.exit_code == 1 and "fix:" in r.output
    mid2 = lines[1]["match"]
    assert runner.invoke(main, home + ["match", "reject", mid2, "--why", "距離", "--who", "佐藤"]).exit_code == 0
    assert api.get_match(ws, mid2).why == "距離"
    # By hand: a consenting factory for a request it was not proposed for.
    proposed = {(x["request"], x["supplier"]) for x in lines}
    caps, reqs, sharing = _caps(ws)
    req = pop.requests[0]
    sup = next(f for f in sorted(sharing) if (req, f) not in proposed and f != reqs[req][2])
    r = runner.invoke(main, home + ["match", "add", req, sup, "--who", "佐藤"])
    assert r.exit_code == 0, r.output
    added = [m for m in api.list_matches(ws) if m.request == req and m.supplier == sup]
    assert len(added) == 1 and added[0].manual
    hidden = sorted(pop.hidden)[0]
    r = runner.invoke(main, home + ["match", "add", req, hidden, "--who", "佐藤"])
    assert r.exit_code == 1 and "consent" in r.output
    r = runner.invoke(main, home + ["match", "list", "--state", "approved", "--format", "jsonl"])
    assert [json.loads(x)["match"] for x in r.output.splitlines()] == [mid]
    assert "Python: intake.match.run_matching" in runner.invoke(main, ["match", "--help"]).output
