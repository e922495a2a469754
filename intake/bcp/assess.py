"""Who is down, who relies on them, and who could take their work: pure reads of the profile and
match tables, scored with the matching stage's own rules (a down factory's profile is the need).

An alternative must lie outside every affected area, have consented to sharing its profile, and
share at least one process and one material with the factory it replaces (scoring's must). The
region factor counts the down factory's own prefecture and its neighbours first; idle equipment
and certifications add to the score as in matching.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from intake.bcp.area import Area, BcpError, factories_in
from intake.match import profiles
from intake.match.scoring import UNMATCHABLE, Need, Supplier, Vocabulary, score

# Matches whose buyer relies on the supplier: introduced and under way, or closed with a trial order.
RELYING = ("approved", "letter_printed", "sent", "reply_received")
DEFAULT_TOP = 3                 # alternatives named per affected factory (each gets a letter)


@dataclass
class Alternative:
    factory: str
    name: str
    prefecture: str
    score: float
    processes: list[str]
    materials: list[str]
    reasons_ja: list[str]
    reasons_en: list[str]

    def public(self, lang: str = "ja") -> dict:
        return {"factory": self.factory, "name": self.name, "prefecture": self.prefecture, "score": float(self.score),
                "covers": {"processes": list(self.processes), "materials": list(self.materials)},
                "reasons": list(self.reasons_ja if lang == "ja" else self.reasons_en)}


@dataclass
class Affected:
    factory: str
    name: str
    area: str | None                  # the --area it fell in; None when named by --down
    prefecture: str | None
    processes: list[str]
    materials: list[str]
    lots: list[str]
    certifications: list[str]
    idle_equipment: bool
    buyers: list[str]                 # requester ids: relying matches, then open requests it was proposed for
    requests: list[str]               # the request submission ids behind them
    alternatives: list[Alternative] = field(default_factory=list)
    uncovered_processes: list[str] = field(default_factory=list)
    uncovered_materials: list[str] = field(default_factory=list)
    uncovered_pairs: list[tuple[str, str]] = field(default_factory=list)   # (process, material) nobody does together

    def public(self, lang: str = "ja") -> dict:
        """The `intake bcp --format jsonl` line (a public interface: keys never change)."""
        return {"factory": self.factory, "name": self.name, "area": self.area,
                "offered": {"processes": list(self.processes), "materials": list(self.materials),
                            "lot_sizes": list(self.lots), "certifications": list(self.certifications)},
                "buyers": list(self.buyers), "alternatives": [a.public(lang) for a in self.alternatives],
                "uncovered": {"processes": list(self.uncovered_processes),
                              "materials": list(self.uncovered_materials)}}

    @classmethod
    def from_record(cls, d: dict) -> "Affected":
        d = dict(d)
        d["alternatives"] = [Alternative(**a) for a in d.get("alternatives", [])]
        d["uncovered_pairs"] = [tuple(p) for p in d.get("uncovered_pairs", [])]
        return cls(**d)


def _caps(conn: sqlite3.Connection, fid: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, value in conn.execute("SELECT kind, value FROM capabilities WHERE factory_id=? ORDER BY id", (fid,)):
        out.setdefault(kind, []).append(value)
    return out


def reliance(conn: sqlite3.Connection, fid: str) -> tuple[list[str], list[str]]:
    """(buyer ids, request submission ids) relying on factory `fid`: its matches that are approved,
    printed, sent, answered or closed with a trial order, then the open requests it was proposed for."""
    q = ",".join("?" * len(RELYING))
    rows = conn.execute(
        f"SELECT requester_id, request_submission_id FROM matches WHERE kind='pair' AND supplier_id=? AND "
        f"(state IN ({q}) OR (state='closed' AND trial_order='placed') OR state='proposed') "
        f"ORDER BY state='proposed', id", (fid, *RELYING)).fetchall()
    buyers = list(dict.fromkeys(r[0] for r in rows if r[0]))
    requests = list(dict.fromkeys(r[1] for r in rows if r[1]))
    return buyers, requests


def assess_factories(conn: sqlite3.Connection, areas: list[Area], down: list[str], vocab: Vocabulary,
                     top: int = DEFAULT_TOP) -> list[Affected]:
    """The affected factories, each with its alternatives. Raises BcpError when an id or area names nothing."""
    known = {r[0]: r for r in conn.execute("SELECT id, name, prefecture, idle_equipment FROM factories")}
    unknown = [d for d in down if d not in known]
    if unknown:
        raise BcpError(f"no factory profile {', '.join(repr(u) for u in unknown)}",
                       hint="give a factory id with an accepted survey (see: intake report, or the factories list)")
    in_area = factories_in(conn, areas)
    empty = [a.text for a in areas if a not in set(in_area.values())]
    if empty:
        raise BcpError(f"no registered factory lies in {', '.join(repr(e) for e in empty)}",
                       hint="check the area, or name the factories themselves with --down ID")
    hit: dict[str, str | None] = {fid: a.text for fid, a in in_area.items()}
    for d in down:
        hit.setdefault(d, None)
    candidates = [s for s in profiles.suppliers(conn) if s.id not in hit]
    out = []
    for fid in sorted(hit):
        _, name, prefecture, idle = known[fid]
        caps = _caps(conn, fid)
        buyers, requests = reliance(conn, fid)
        a = Affected(factory=fid, name=name or fid, area=hit[fid], prefecture=prefecture,
                     processes=caps.get("process", []), materials=caps.get("material", []),
                     lots=caps.get("lot", []), certifications=caps.get("certification", []),
                     idle_equipment=bool(idle), buyers=buyers, requests=requests)
        _alternatives(a, candidates, vocab, top)
        out.append(a)
    return out


def _alternatives(a: Affected, candidates: list[Supplier], vocab: Vocabulary, top: int) -> None:
    need = Need(submission_id=f"down:{a.factory}", requester_id=a.factory, requester_name=a.name,
                prefecture=a.prefecture, processes=tuple(a.processes), materials=tuple(a.materials),
                region="nationwide")
    fits = []
    for s in candidates:
        fit = score(need, s, vocab, profiles.neighbours_of)
        if fit.must:
            fits.append((fit, s))
    near = profiles.neighbours_of(a.prefecture) if a.prefecture else frozenset()
    # Best score first; on a tie the nearer one (same prefecture, then a neighbour), then the id.
    fits.sort(key=lambda fs: (-fs[0].score, fs[1].prefecture != a.prefecture, fs[1].prefecture not in near, fs[1].id))
    for fit, s in fits[:top]:
        a.alternatives.append(Alternative(
            factory=s.id, name=s.name or s.id, prefecture=s.prefecture or "", score=fit.score,
            processes=[p for p in a.processes if p in s.processes], materials=[m for m in a.materials if m in s.materials],
            reasons_ja=fit.reasons_ja, reasons_en=fit.reasons_en))
    # What nobody outside the area covers (over every candidate, not only the few named).
    able = [s for _, s in fits]
    procs = [p for p in a.processes if p not in UNMATCHABLE]
    mats = [m for m in a.materials if m not in UNMATCHABLE]
    a.uncovered_processes = [p for p in procs if not any(p in s.processes for s in able)]
    a.uncovered_materials = [m for m in mats if not any(m in s.materials for s in able)]
    a.uncovered_pairs = [(p, m) for p in procs for m in mats
                         if p not in a.uncovered_processes and m not in a.uncovered_materials
                         and not any(p in s.processes and m in s.materials for s in able)]


def uncovered_text(a: Affected, vocab: Vocabulary) -> list[str]:
    """代替先なし lines, in the office's words: a whole process or material, or a pair nobody does together."""
    out = [f"代替先なし: {vocab.label('process', p, 'ja')}" for p in a.uncovered_processes]
    out += [f"代替先なし: 材質 {vocab.label('material', m, 'ja')}" for m in a.uncovered_materials]
    out += [f"代替先なし: {vocab.label('process', p, 'ja')} × {vocab.label('material', m, 'ja')}"
            for p, m in a.uncovered_pairs]
    return out
