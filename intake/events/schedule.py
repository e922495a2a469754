"""The meeting schedule: candidate pairs placed in slots and at tables, solved as an integer programme
with scipy's milp (HiGHS), never by a hand-written heuristic.

Variables x[p, s] = 1 when pair p meets in slot s. Rules (all hard):
  * a pair meets at most once (exactly once when it is a mutual wish);
  * nobody is in two places at once: at most one meeting per participant per slot;
  * at most `tables` meetings per slot; only attendees' pairs are variables at all.
Objective: the total score of the meetings held. Tables are numbered afterwards: any set of at most
`tables` meetings fits a slot's tables, so the table is not a decision the solver needs.

Mutual wishes the slots cannot hold are found by a first solve that maximises how many are met; the
schedule is then refused (ScheduleError, exit 7) naming the ones left out, unless allow_unmet.
A re-run keeps the meetings already shown where it can: a stage maximises how many of them stay in
their slot (mutual wishes still come first), then the score is maximised with that many kept — each
stage's result becomes a constraint of the next, so the reported bound is the score's own bound.
`greedy` (best pair first into the first slot that fits) is the baseline the tests hold the solver to;
it is also the fallback when the solver stops at its time limit with something worse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from intake.events.pairs import Pair

TIME_LIMIT_S = 60.0


@dataclass
class Meeting:
    slot: int
    table: int
    a: str
    b: str
    score: float
    wished: bool
    must: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.a, self.b

    def public(self) -> dict:
        """The `intake event schedule --format jsonl` line (a public interface: keys never change)."""
        return {"slot": self.slot, "table": self.table, "a": self.a, "b": self.b, "score": self.score,
                "wished": self.wished}


@dataclass
class Solution:
    meetings: list[Meeting]
    objective: float                      # total score of the meetings
    bound: float                          # the solver's bound on that total (== objective when proven optimal)
    status: str                           # optimal | time_limit | greedy (solver stopped worse than greedy)
    unmet: list[tuple[str, str]] = field(default_factory=list)    # mutual wishes left out (allow_unmet only)
    kept: int = 0                         # meetings of the previous schedule kept in their slot
    greedy: float = 0.0                   # the greedy baseline's total on the same pairs


class Infeasible(Exception):
    def __init__(self, unmet: list[tuple[str, str]]):
        super().__init__(unmet)
        self.unmet = unmet


def _total(meetings) -> float:
    return round(sum(m.score for m in meetings), 3)


def greedy(pairs: list[Pair], slots: int, tables: int) -> list[Meeting]:
    """Mutual wishes first, then best score first, each into the first slot where both are free and a table is."""
    busy: set[tuple[str, int]] = set()
    load = [0] * (slots + 1)
    out = []
    for p in sorted(pairs, key=lambda p: (not p.must, -p.score, p.a, p.b)):
        for s in range(1, slots + 1):
            if load[s] < tables and (p.a, s) not in busy and (p.b, s) not in busy:
                load[s] += 1
                busy |= {(p.a, s), (p.b, s)}
                out.append(Meeting(s, load[s], p.a, p.b, p.score, bool(p.wished_by), p.must))
                break
    return out


class _Model:
    """The constraint matrix shared by every stage."""

    def __init__(self, pairs: list[Pair], slots: int, tables: int, symmetric: bool):
        self.pairs, self.S, self.T = pairs, slots, tables
        n = len(pairs) * slots
        self.n = n
        people = sorted({x for p in pairs for x in p.key})
        rows: list[tuple[dict[int, float], float, float]] = []
        for i, p in enumerate(pairs):                                     # each pair at most once
            rows.append(({self.v(i, s): 1.0 for s in range(slots)}, 0.0, 1.0))
        self.pair_rows = list(range(len(pairs)))
        by_person: dict[str, list[int]] = {x: [] for x in people}
        for i, p in enumerate(pairs):
            by_person[p.a].append(i)
            by_person[p.b].append(i)
        for x in people:                                                  # nobody in two places at once
            if len(by_person[x]) > 1:
                for s in range(slots):
                    rows.append(({self.v(i, s): 1.0 for i in by_person[x]}, 0.0, 1.0))
        for s in range(slots):                                            # no more meetings than tables
            if len(pairs) > tables:
                rows.append(({self.v(i, s): 1.0 for i in range(len(pairs))}, 0.0, float(tables)))
        if symmetric:
            # Slots are interchangeable when nothing is kept: order them by load (breaks symmetric optima).
            for s in range(slots - 1):
                d = {self.v(i, s): 1.0 for i in range(len(pairs))}
                for i in range(len(pairs)):
                    d[self.v(i, s + 1)] = -1.0
                rows.append((d, 0.0, np.inf))
        self.rows = rows

    def v(self, i: int, s: int) -> int:
        return i * self.S + s

    def solve(self, c: np.ndarray, extra: list[tuple[dict[int, float], float, float]], must_exact: bool,
              time_limit: float):
        rows = list(self.rows) + extra
        A = lil_matrix((len(rows), self.n))
        lb, ub = np.empty(len(rows)), np.empty(len(rows))
        for r, (d, lo, hi) in enumerate(rows):
            for j, val in d.items():
                A[r, j] = val
            lb[r], ub[r] = lo, hi
        if must_exact:
            for i, p in enumerate(self.pairs):
                if p.must:
                    lb[self.pair_rows[i]] = 1.0
        res = milp(c, integrality=np.ones(self.n), bounds=Bounds(0, 1),
                   constraints=LinearConstraint(A.tocsr(), lb, ub),
                   options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 0.0})
        return res

    def chosen(self, x) -> list[tuple[int, int]]:
        return [(i, s) for i in range(len(self.pairs)) for s in range(self.S) if x[self.v(i, s)] > 0.5]


def solve(pairs: list[Pair], slots: int, tables: int, keep: dict[tuple[str, str], tuple[int, int]] | None = None,
          allow_unmet: bool = False, time_limit: float = TIME_LIMIT_S) -> Solution:
    """The best schedule of `pairs` (all between attendees). keep: pair -> (slot, table) already shown.
    Raises Infeasible(unmet) when the mutual wishes cannot all be met and allow_unmet is False."""
    keep = {k: v for k, v in (keep or {}).items() if v[0] <= slots}
    base = greedy(pairs, slots, tables)
    if not pairs:
        return Solution([], 0.0, 0.0, "optimal", greedy=0.0)
    model = _Model(pairs, slots, tables, symmetric=not keep)
    extra: list[tuple[dict[int, float], float, float]] = []
    musts = [i for i, p in enumerate(pairs) if p.must]
    unmet: list[tuple[str, str]] = []
    exact = bool(musts)
    if musts:
        # Stage 1: how many mutual wishes can be met at all.
        c = np.zeros(model.n)
        for i in musts:
            for s in range(slots):
                c[model.v(i, s)] = -1.0
        res = model.solve(c, extra, False, time_limit)
        # no answer in time says nothing about the wishes: the final stage then holds them all (exact)
        met = {i for i, _ in model.chosen(res.x)} if res.x is not None else set(musts)
        if len(met & set(musts)) < len(musts):
            unmet = [pairs[i].key for i in musts if i not in met]
            if not allow_unmet:
                raise Infeasible(unmet)
            exact = False
            extra.append(({model.v(i, s): 1.0 for i in musts for s in range(slots)}, float(len(musts) - len(unmet)),
                          np.inf))
    kept_target = 0
    keep_vars = {model.v(i, keep[p.key][0] - 1): 1.0 for i, p in enumerate(pairs) if p.key in keep}
    if keep_vars:
        # Stage 2: keep as many of the meetings already shown in their slot as the wishes allow.
        c = np.zeros(model.n)
        for j in keep_vars:
            c[j] = -1.0
        res = model.solve(c, extra, exact, time_limit)
        if res.x is not None:
            kept_target = int(round(-res.fun))
            extra.append((keep_vars, float(kept_target), np.inf))
    # Final stage: the highest total score under everything above.
    c = np.zeros(model.n)
    for i, p in enumerate(pairs):
        for s in range(slots):
            c[model.v(i, s)] = -p.score
    res = model.solve(c, extra, exact, time_limit)
    if res.x is None and res.status == 2:   # infeasible: only when stage 1 ran out of time
        raise Infeasible([pairs[i].key for i in musts])
    if res.x is None:                       # time limit without any solution: the greedy one (musts first)
        return Solution(_tables(base, {}, tables), _total(base), float("nan"), "greedy", unmet, 0, _total(base))
    chosen = model.chosen(res.x)
    meetings = [Meeting(s + 1, 0, pairs[i].a, pairs[i].b, pairs[i].score, bool(pairs[i].wished_by), pairs[i].must)
                for i, s in chosen]
    status = "optimal" if res.status == 0 else "time_limit"
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else -float(res.fun)
    kept = sum(1 for m in meetings if keep.get(m.key, (0, 0))[0] == m.slot)
    if unmet:                    # which wishes are left out is the final stage's choice, not stage 1's
        held = {m.key for m in meetings}
        unmet = [pairs[i].key for i in musts if pairs[i].key not in held]
    greedy_ok = all(any(m.key == pairs[i].key for m in base) for i in musts) and not keep_vars
    if status != "optimal" and greedy_ok and _total(base) > _total(meetings):
        meetings, status = base, "greedy"
    return Solution(_tables(meetings, keep, tables), _total(meetings), round(bound, 3), status, unmet, kept,
                    _total(base))


def _tables(meetings: list[Meeting], keep: dict[tuple[str, str], tuple[int, int]], tables: int) -> list[Meeting]:
    """Number the tables of each slot: a kept meeting keeps its table, the rest take the lowest free ones
    (best score first, so the first tables hold the meetings the coordinator cares most about)."""
    out = []
    for s in sorted({m.slot for m in meetings}):
        here = [m for m in meetings if m.slot == s]
        taken: set[int] = set()
        for m in here:
            old = keep.get(m.key)
            if old and old[0] == s and 1 <= old[1] <= tables and old[1] not in taken:
                m.table = old[1]
                taken.add(old[1])
            else:
                m.table = 0
        free = iter(t for t in range(1, tables + 1) if t not in taken)
        for m in sorted((m for m in here if not m.table), key=lambda m: (-m.score, m.a, m.b)):
            m.table = next(free)
        out += sorted(here, key=lambda m: m.table)
    return out
