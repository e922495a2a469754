"""Candidate pairs for an event's 1:1 meetings, each with a score and its reasons.

Two kinds of pair, both only between factories that may be named to each other:
* a buyer with an open request and a supplier that fits it — the match score and reasons of
  intake.match.scoring, unchanged (the supplier consented to sharing its profile);
* two consenting suppliers whose profiles complement each other (each does a process the other does
  not, on a material both work) or who share a group interest (共同購入, 設備の貸し借り, 共同開発).
A wish ("I would like to meet them", from the RSVP slip or the clerk) adds WISH_BONUS per side, and makes
a pair of its own when the profiles do not; a mutual wish makes the pair a must for the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.match import profiles
from intake.match.scoring import UNMATCHABLE, Supplier, Vocabulary, score

MIN_SCORE = 0.35                 # the matching's own threshold for proposing a pair
WISH_BONUS = 0.25                # per side that wished
PEER_INTERESTS = ("joint_purchase", "equipment_sharing", "joint_development")


@dataclass
class Pair:
    a: str                        # a < b
    b: str
    score: float
    reasons: list[str] = field(default_factory=list)
    wished_by: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)        # request | peer | wish
    requester: str | None = None                          # for a request pair: the buyer

    @property
    def key(self) -> tuple[str, str]:
        return self.a, self.b

    @property
    def must(self) -> bool:
        """A mutual wish: the schedule meets it whenever the slots allow."""
        return len(self.wished_by) == 2

    def other(self, fid: str) -> str:
        return self.b if fid == self.a else self.a

    def public(self) -> dict:
        """The `intake event pairs --format jsonl` line (a public interface: keys never change)."""
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": list(self.reasons),
                "wished_by": list(self.wished_by)}


def peer_fit(a: Supplier, b: Supplier, vocab: Vocabulary, neighbours_of) -> tuple[float, list[str]]:
    """How well two suppliers would work together: complementary processes, shared interests, nearness."""
    total, reasons = 0.0, []
    mats = sorted((a.materials & b.materials) - UNMATCHABLE)
    a_only, b_only = sorted(a.processes - b.processes - UNMATCHABLE), sorted(b.processes - a.processes - UNMATCHABLE)
    if mats and a_only and b_only:
        total += 0.4
        reasons.append(f"○ 工程が補い合う（{a.name or a.id}: {vocab.join('process', a_only, 'ja')}／"
                       f"{b.name or b.id}: {vocab.join('process', b_only, 'ja')}、共通の材質: "
                       f"{vocab.join('material', mats, 'ja')}）")
    shared = [i for i in PEER_INTERESTS if i in a.interests and i in b.interests]
    if shared:
        total += 0.3 + 0.1 * (len(shared) - 1)
        reasons.append(f"○ 共に「{vocab.join('interest', shared, 'ja')}」に関心")
        if "equipment_sharing" in shared and (a.idle_equipment or b.idle_equipment):
            total += 0.1
            reasons.append("○ 遊休設備があり設備の貸し借りが具体的")
    if not total:
        return 0.0, []
    if a.prefecture and a.prefecture == b.prefecture:
        total += 0.2
        reasons.append(f"○ 同じ{a.prefecture}内")
    elif a.prefecture and b.prefecture and b.prefecture in neighbours_of(a.prefecture):
        total += 0.1
        reasons.append(f"○ 隣接県（{a.prefecture}・{b.prefecture}）")
    return round(min(1.0, total), 3), reasons


def candidate_pairs(conn, ids, vocab: Vocabulary, wishes: dict[str, list[str]] | None = None,
                    names: dict[str, str] | None = None, min_score: float = MIN_SCORE) -> list[Pair]:
    """Every pair among `ids` worth a meeting, best first. wishes: factory -> whom it would like to meet."""
    ids = set(ids)
    wishes = {f: [o for o in ws if o in ids and o != f] for f, ws in (wishes or {}).items() if f in ids}
    names = names or {}
    sups = {s.id: s for s in profiles.suppliers(conn) if s.id in ids}
    found: dict[tuple[str, str], Pair] = {}

    def add(x: str, y: str, s: float, reasons: list[str], kind: str) -> None:
        key = tuple(sorted((x, y)))
        p = found.get(key)
        if p is None:
            p = found[key] = Pair(key[0], key[1], s, list(reasons), [], [kind])
        elif s > p.score:                         # the better reason for the pair leads
            p.score, p.reasons, p.kinds = s, list(reasons) + p.reasons, [kind] + p.kinds
        else:
            p.reasons += reasons
            p.kinds.append(kind)
        if kind == "request" and p.requester is None:
            p.requester = x

    for need in profiles.needs(conn):
        if need.requester_id not in ids:
            continue
        for sup in sups.values():
            fit = score(need, sup, vocab, profiles.neighbours_of)
            if fit.must and fit.score >= min_score:
                add(need.requester_id, sup.id, fit.score,
                    [f"○ {names.get(need.requester_id, need.requester_id)}の依頼に"
                     f"{names.get(sup.id, sup.name or sup.id)}が対応できる"] + fit.reasons_ja, "request")
    order = sorted(sups)
    for i, x in enumerate(order):
        for y in order[i + 1:]:
            s, reasons = peer_fit(sups[x], sups[y], vocab, profiles.neighbours_of)
            if s >= min_score:
                add(x, y, s, reasons, "peer")
    for f, others in sorted(wishes.items()):
        for o in others:
            key = tuple(sorted((f, o)))
            if key not in found:
                found[key] = Pair(key[0], key[1], 0.0, [], [], ["wish"])
            p = found[key]
            if f not in p.wished_by:
                p.wished_by.append(f)
                p.wished_by.sort()
                p.reasons.insert(0, f"○ {names.get(f, f)}が面会を希望")
    for p in found.values():
        p.score = round(p.score + WISH_BONUS * len(p.wished_by), 3)
    return sorted(found.values(), key=lambda p: (-p.score, p.a, p.b))


def suggestions(conn, factory: str, invitees, vocab: Vocabulary, names: dict[str, str], top: int = 5) -> list[Pair]:
    """The partners printed on `factory`'s RSVP slip: its best pairs among the invitees, named only when the
    partner consented to sharing its profile or asked to be introduced (a request)."""
    pairs = candidate_pairs(conn, set(invitees) | {factory}, vocab, names=names)
    return [p for p in pairs if factory in p.key][:top]
