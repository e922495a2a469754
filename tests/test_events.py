"""Matching events on a designed population (tests/_event_population.py): the right candidate pairs, a
schedule that obeys every rule, meets every feasible mutual wish and is never below a greedy schedule of
the same pairs, re-runs that keep what was shown, and bad input refused with its documented exit code."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

import _event_population as P
from intake import events
from intake.cli import main
from intake.events.pairs import Pair

FUTURE = (date.today() + timedelta(days=60)).isoformat()


@pytest.fixture
def pop(tmp_path):
    return P.workspace(tmp_path)


def _event(ws, slots=3, tables=2, eid="E1"):
    return events.create(ws, eid, "北関東ものづくり商談会", FUTURE, "小山市中央公民館", slots, tables, start="13:30")


def _all_attend(ws, eid="E1", skip=()):
    for f in P.PEOPLE:
        if f not in skip:
            events.attend(ws, eid, f)


def check_rules(meetings, pairs, attendees, slots, tables):
    """Every rule of the schedule, checked on its output alone."""
    by_key = {p.key: p for p in pairs}
    seen_pairs, busy = set(), set()
    per_slot: dict[int, int] = {}
    tables_used = set()
    for m in meetings:
        assert 1 <= m.slot <= slots and 1 <= m.table <= tables
        assert m.a < m.b and (m.a, m.b) in by_key, f"{m.key} is not a candidate pair"
        assert m.a in attendees and m.b in attendees, f"{m.key}: only attendees meet"
        assert m.key not in seen_pairs, f"{m.key} meets twice"
        seen_pairs.add(m.key)
        for x in m.key:
            assert (x, m.slot) not in busy, f"{x} is in two places in slot {m.slot}"
            busy.add((x, m.slot))
        assert (m.slot, m.table) not in tables_used, f"two meetings at table {m.table} in slot {m.slot}"
        tables_used.add((m.slot, m.table))
        per_slot[m.slot] = per_slot.get(m.slot, 0) + 1
        assert m.score == by_key[m.key].score and m.wished == bool(by_key[m.key].wished_by)
    assert all(n <= tables for n in per_slot.values())


# --- the event and its participants ---------------------------------------------------------------

def test_create_list_show_and_attend(pop):
    ev = _event(pop)
    assert (ev.id, ev.slots, ev.tables, ev.start, ev.slot_time(3)) == ("E1", 3, 2, "13:30", ("14:10", "14:30"))
    assert [e.id for e in events.list_events(pop)] == ["E1"]
    events.attend(pop, "E1", "T1", wishes=["A1"], people=2, hosts_visit="yes")
    events.attend(pop, "E1", "X1", decline=True)
    ev = events.get_event(pop, "E1")
    got = {p.factory: p for p in ev.participants}
    assert (got["T1"].status, got["T1"].people, got["T1"].hosts_visit, got["T1"].wishes) == ("attending", 2, "yes",
                                                                                              ["A1"])
    assert got["X1"].status == "declined" and [p.factory for p in ev.attending] == ["T1"]
    events.attend(pop, "E1", "T1", wishes=["T2"])              # a second answer replaces the first, wishes too
    assert events.get_event(pop, "E1").participants[0].wishes == ["T2"]


# --- candidate pairs --------------------------------------------------------------------------------

def test_pairs_are_the_designed_ones(pop):
    _event(pop)
    _all_attend(pop)
    pairs = events.event_pairs(pop, "E1")
    assert {p.key for p in pairs} == set(P.PAIRS)
    for p in pairs:
        assert P.PAIRS[p.key] in p.kinds and p.reasons and 0 < p.score <= 1 and p.wished_by == []
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert not any("X1" in p.key or "N1" in p.key for p in pairs)        # no consent; nothing in common
    t2t4 = next(p for p in pairs if p.key == ("T2", "T4"))
    assert any("設備の間貸し" in r for r in t2t4.reasons) and any("遊休設備" in r for r in t2t4.reasons)
    b1 = next(p for p in pairs if p.key == ("A1", "B1"))
    assert any("めっき" in r for r in b1.reasons)                     # the match's own reasons


def test_a_wish_raises_a_score_and_makes_a_pair_and_mutual_is_a_must(pop):
    _event(pop)
    _all_attend(pop)
    before = {p.key: p.score for p in events.event_pairs(pop, "E1")}
    events.attend(pop, "E1", "T1", wishes=["A1", "N1"])
    events.attend(pop, "E1", "A1", wishes=["T1"])
    after = {p.key: p for p in events.event_pairs(pop, "E1")}
    assert after[("A1", "T1")].wished_by == ["A1", "T1"] and after[("A1", "T1")].must
    assert after[("A1", "T1")].score > before[("A1", "T1")]
    assert after[("N1", "T1")].wished_by == ["T1"] and not after[("N1", "T1")].must     # a pair of its own
    assert ("N1", "T1") not in before
    assert all(after[k].score == s for k, s in before.items() if k != ("A1", "T1"))


def test_pairs_among_attendees_only(pop):
    _event(pop)
    _all_attend(pop, skip=("A1", "A4"))
    events.attend(pop, "E1", "A1", decline=True)
    assert not any("A1" in p.key or "A4" in p.key for p in events.event_pairs(pop, "E1"))
    with sqlite3.connect(pop.db_path) as c:                      # invited, not answered yet
        c.execute("INSERT INTO event_participants (event_id, factory_id, status, updated_at) "
                  "VALUES ('E1', 'A4', 'invited', 'now')")
    invited = {p.key for p in events.event_pairs(pop, "E1", among="invited")}
    assert ("A4", "B2") in invited and not any("A1" in k for k in invited)
    with pytest.raises(events.EventError):
        events.event_pairs(pop, "E1", among="everyone")


# --- the schedule -----------------------------------------------------------------------------------

def test_schedule_obeys_every_rule_meets_mutual_wishes_and_beats_greedy(pop):
    _event(pop, slots=3, tables=2)
    _all_attend(pop, skip=("A2",))                               # A2 never answered: invited, not attending
    events.attend(pop, "E1", "N1", wishes=["T1"])
    events.attend(pop, "E1", "T1", wishes=["N1", "A1"])           # N1 × T1: mutual, though profiles do not fit
    events.attend(pop, "E1", "A4", wishes=["A1"])
    events.attend(pop, "E1", "A1", wishes=["A4"])                 # A1 × A4: mutual, the lowest-scored fit
    sch = events.make_schedule(pop, "E1")
    attendees = {p.factory for p in sch.event.attending}
    assert "A2" not in attendees
    check_rules(sch.meetings, sch.pairs, attendees, 3, 2)
    keys = {m.key for m in sch.meetings}
    assert {("N1", "T1"), ("A1", "A4")} <= keys
    assert all(m.must == (m.key in {("N1", "T1"), ("A1", "A4")}) for m in sch.meetings)
    sol = sch.solution
    assert sol.status == "optimal" and sol.objective == pytest.approx(sum(m.score for m in sch.meetings))
    assert sol.bound == pytest.approx(sol.objective, abs=1e-6)
    greedy = events.greedy(sch.pairs, 3, 2)
    check_rules(greedy, sch.pairs, attendees, 3, 2)
    assert sol.objective >= sum(m.score for m in greedy) - 1e-9
    # stored, and what `show` reports
    assert [m.public() for m in events.stored_meetings(pop, "E1")] == [m.public() for m in sch.meetings]
    assert events.get_event(pop, "E1").objective == pytest.approx(sol.objective)


def _brute_force(pairs, slots, tables):
    """The best total by enumeration (tiny instances only): the solver must reach it."""
    best = 0.0
    n = len(pairs)
    for assign in itertools.product(range(slots + 1), repeat=n):    # 0 = not held
        busy, load, ok, total = set(), [0] * (slots + 1), True, 0.0
        for p, s in zip(pairs, assign):
            if s == 0:
                if p.must:
                    ok = False
                    break
                continue
            if (p.a, s) in busy or (p.b, s) in busy or load[s] == tables:
                ok = False
                break
            busy |= {(p.a, s), (p.b, s)}
            load[s] += 1
            total += p.score
        if ok:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_random_instances_obey_the_rules_and_never_fall_below_greedy(seed):
    rng = random.Random(seed)
    people = [f"F{i:02d}" for i in range(rng.randint(6, 14))]
    pairs = [Pair(a, b, round(rng.uniform(0.3, 1.0), 3)) for a, b in itertools.combinations(people, 2)
             if rng.random() < 0.4]
    for p in rng.sample(pairs, min(3, len(pairs))):
        if rng.random() < 0.5:
            p.wished_by = sorted([p.a, p.b])
    slots, tables = rng.randint(2, 5), rng.randint(1, 4)
    try:
        sol = events.solve(pairs, slots, tables)
    except Exception as exc:                                     # mutual wishes that cannot all fit
        from intake.events.schedule import Infeasible

        assert isinstance(exc, Infeasible) and exc.unmet
        sol = events.solve(pairs, slots, tables, allow_unmet=True)
    check_rules(sol.meetings, pairs, set(people), slots, tables)
    assert not ({p.key for p in pairs if p.must} - {m.key for m in sol.meetings} - set(sol.unmet))
    greedy = events.greedy(pairs, slots, tables)
    check_rules(greedy, pairs, set(people), slots, tables)
    if not sol.unmet and all(any(m.key == p.key for m in greedy) for p in pairs if p.must):
        assert sol.objective >= sum(m.score for m in greedy) - 1e-9
    assert sol.bound >= sol.objective - 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_tiny_instances_reach_the_enumerated_optimum(seed):
    rng = random.Random(100 + seed)
    people = [f"F{i}" for i in range(5)]
    pairs = [Pair(a, b, round(rng.uniform(0.1, 1.0), 2)) for a, b in itertools.combinations(people, 2)
             if rng.random() < 0.7][:7]
    sol = events.solve(pairs, 2, 2)
    assert sol.objective == pytest.approx(_brute_force(pairs, 2, 2))


def test_a_late_rsvp_keeps_the_meetings_already_shown(pop):
    _event(pop, slots=4, tables=3)
    _all_attend(pop, skip=("A4",))
    first = {m.key: (m.slot, m.table) for m in events.make_schedule(pop, "E1").meetings}
    events.attend(pop, "E1", "A4")                               # late: A4 pairs with B2 and A1
    again = events.make_schedule(pop, "E1")
    now = {m.key: (m.slot, m.table) for m in again.meetings}
    assert again.solution.kept == len(first) and not again.dropped
    assert all(now[k] == v for k, v in first.items())            # same slot, same table
    assert any("A4" in k for k in now)
    check_rules(again.meetings, again.pairs, {p.factory for p in again.event.attending}, 4, 3)
    fresh = events.make_schedule(pop, "E1", fresh=True)
    assert fresh.solution.objective >= again.solution.objective - 1e-9


def test_a_decline_drops_only_its_meetings(pop):
    _event(pop, slots=4, tables=3)
    _all_attend(pop)
    first = {m.key: m.slot for m in events.make_schedule(pop, "E1").meetings}
    events.attend(pop, "E1", "T4", decline=True)
    again = events.make_schedule(pop, "E1")
    now = {m.key: m.slot for m in again.meetings}
    assert not any("T4" in k for k in now)
    assert all(now.get(k) == s for k, s in first.items() if "T4" not in k)
    assert {(a, b) for a, b, _ in again.dropped} == {k for k in first if "T4" in k}


def test_more_mutual_wishes_than_slots_is_refused_naming_them(pop):
    _event(pop, slots=2, tables=4)
    _all_attend(pop)
    events.attend(pop, "E1", "N1", wishes=["T1", "T2", "T4"])
    for f in ("T1", "T2", "T4"):
        events.attend(pop, "E1", f, wishes=["N1"])
    with pytest.raises(events.ScheduleError) as e:
        events.make_schedule(pop, "E1")
    assert e.value.exit_code == 7 and len(e.value.unmet) == 1 and "N1" in e.value.unmet[0]
    a, b = e.value.unmet[0]
    assert f"（{a}）" in str(e.value) and f"（{b}）" in str(e.value) and "--allow-unmet" in str(e.value)
    assert events.stored_meetings(pop, "E1") == []                # nothing stored
    sch = events.make_schedule(pop, "E1", allow_unmet=True)
    met = {m.key for m in sch.meetings if "N1" in m.key}
    assert len(met) == 2 and sch.solution.unmet and not (set(sch.solution.unmet) & met)


# --- bad input ----------------------------------------------------------------------------------------

def _tables(ws):
    with sqlite3.connect(ws.db_path) as c:
        return {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("events", "event_participants", "event_wishes", "event_meetings")}


@pytest.mark.parametrize("kwargs, words", [
    (dict(on=(date.today() - timedelta(days=1)).isoformat()), "in the past"),
    (dict(on="2027-02-30"), "not a date"),
    (dict(event_id="E 1"), "cannot be printed"),
    (dict(event_id="E2027-02-KITAKANTO"), "cannot be printed"),      # 18 > 16: meeting codes would not fit
    (dict(slots=0), "--slots"),
    (dict(start="25:00"), "time of day"),
])
def test_create_refuses_bad_input_and_writes_nothing(pop, kwargs, words):
    args = dict(event_id="E9", title="商談会", on=FUTURE, venue="会場", slots=3, tables=2) | kwargs
    before = _tables(pop)
    with pytest.raises(events.EventError) as e:
        events.create(pop, **args)
    assert words in str(e.value) and e.value.hint and e.value.exit_code == 1
    assert _tables(pop) == before


def _cli(ws, *args):
    return CliRunner().invoke(main, ["--home", str(ws.root), *args])


@pytest.mark.parametrize("args, code, words", [
    (["event", "show", "E404"], 1, "no event"),
    (["event", "attend", "E404", "T1"], 1, "no event"),
    (["event", "attend", "E1", "Z9"], 1, "no factory 'Z9'"),
    (["event", "attend", "E1", "T1", "--wish", "Z9"], 1, "no factory 'Z9'"),
    (["event", "attend", "E1", "T1", "--wish", "T1"], 1, "itself"),
    (["event", "schedule", "E404"], 1, "no event"),
    (["event", "schedule", "E1"], 7, "no attendees"),
    (["event", "pairs", "E1"], 7, "no attendees"),
    (["event", "create", "--id", "E2", "--title", "t", "--date", "2020-01-01", "--venue", "v", "--slots", "3",
      "--tables", "2"], 1, "in the past"),
    (["event", "create", "--id", "E1", "--title", "t", "--date", FUTURE, "--venue", "v", "--slots", "3",
      "--tables", "2"], 1, "already exists"),
])
def test_cli_bad_input_exit_codes(pop, args, code, words):
    _event(pop)
    events.attend(pop, "E1", "X1", decline=True)                  # someone answered, nobody attends
    before = _tables(pop)
    r = _cli(pop, *args)
    assert r.exit_code == code, r.output
    assert words in r.output and "fix:" in r.output and "Traceback" not in r.output
    assert _tables(pop) == before


def test_cli_infeasible_wishes_exit_7_and_allow_unmet(pop):
    _event(pop, slots=1, tables=4)
    _all_attend(pop)
    events.attend(pop, "E1", "T1", wishes=["T2", "T4"])
    events.attend(pop, "E1", "T2", wishes=["T1"])
    events.attend(pop, "E1", "T4", wishes=["T1"])
    r = _cli(pop, "event", "schedule", "E1")
    assert r.exit_code == 7 and "cannot be met" in r.output and "T1" in r.output and "fix:" in r.output
    r = _cli(pop, "event", "schedule", "E1", "--allow-unmet")
    assert r.exit_code == 0 and "mutual wish not met" in r.output


# --- through the CLI ----------------------------------------------------------------------------------

def test_cli_create_attend_pairs_schedule_match_the_api(pop):
    r = _cli(pop, "event", "create", "--id", "E7", "--title", "商談会", "--date", FUTURE, "--venue", "小山",
             "--slots", "3", "--tables", "2", "--slot-minutes", "15", "--start", "9:00")
    assert r.exit_code == 0 and "09:00-09:45" in r.output, r.output
    for f in P.PEOPLE:
        assert _cli(pop, "event", "attend", "E7", f, "--people", "1").exit_code == 0
    r = _cli(pop, "event", "attend", "E7", "N1", "--wish", "T2", "--hosts-visit", "yes")
    assert r.exit_code == 0 and "希望: T2" in r.output and "工場見学受入: 可" in r.output
    r = _cli(pop, "event", "pairs", "E7", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert all(set(x) == {"a", "b", "score", "reasons", "wished_by"} for x in lines)
    assert lines == [p.public() for p in events.event_pairs(pop, "E7")]
    assert {"a": "N1", "b": "T2"}.items() <= next(x for x in lines if x["wished_by"] == ["N1"]).items()
    r = _cli(pop, "event", "schedule", "E7", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert all(set(x) == {"slot", "table", "a", "b", "score", "wished"} for x in got)
    assert got == [m.public() for m in events.stored_meetings(pop, "E7")]
    assert "objective" in r.stderr and "bound" in r.stderr
    r = _cli(pop, "event", "schedule", "E7")
    assert r.exit_code == 0 and "slot 1  09:00-09:15" in r.output and "objective" in r.output
    assert f"kept {len(got)} of {len(got)}" in r.output
    r = _cli(pop, "event", "show", "E7", "--format", "jsonl")
    shown = json.loads(r.output)
    assert shown["event"] == "E7" and len(shown["participants"]) == len(P.PEOPLE) and shown["objective"] > 0
    assert "E7" in _cli(pop, "event", "list").output


def test_every_event_command_has_help_with_an_example():
    for cmd in ("create", "list", "show", "attend", "pairs", "schedule", "invite", "sheets", "followups", "visits"):
        r = CliRunner().invoke(main, ["event", cmd, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output and "Python: intake.events." in r.output
