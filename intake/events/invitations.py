"""`intake event invite ID --out DIR`: a 商談会のご案内 to each invitee by its channel (post: the 長3 window
letter; fax: with the letters stage's cover sheet), each with a personalised RSVP slip (forms/event-rsvp.yaml).

The slip is the form as defined, rendered for the invitee with the event id in its code, plus the suggested
partners printed to the right of wish_1..wish_5's options: outside the options' cells and the margin the
mark reader looks at (intake.recognize.choice.FIELD_MARGIN_MM), so the personalised text is never read as a
mark. Which partner each line stands for is stored with the invitation (event_participants.candidates);
the reply handler (replies.py) turns ticked lines back into wishes.

Partners are suggested from the candidate pairs among all invitees (pairs.suggestions): a supplier is
named only when it consented to sharing its profile, a buyer because it asked to be introduced.
An invitee is never invited twice: re-running prints only for the new ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from intake.events.model import Event, EventError, _conn, _tx, get_event, names
from intake.events.pairs import suggestions
from intake.events.slips import personal_slip
from intake.letters import compose
from intake.letters.dates import letter_date
from intake.letters.office import load_office
from intake.letters.parties import Party, party
from intake.letters.printing import Document, LetterRun, Packet, _record_reply_slips, finish_batch
from intake.letters.sheet import GOTHIC, Sheet
from intake.store import db as store_db
from intake.workspace import Workspace

RSVP_FORM = "event-rsvp"
CANDIDATES = 5                     # wish_1 .. wish_5 in the form


@dataclass
class InviteRun(LetterRun):
    event: str = ""

    def summary_lines(self) -> list[str]:
        return [ln.split("; matches now")[0] + (f" for event {self.event}" if "; matches now" in ln else "")
                for ln in super().summary_lines()]


def _why(pair, fid: str) -> str:
    """One line of why, for `fid`'s slip and letter: a request pair says who asks and who can do it from the
    reader's side, then what is needed; other pairs their first reason."""
    met = [r.removeprefix("○ ") for r in pair.reasons if r.startswith("○") and "面会を希望" not in r
           and "の依頼に" not in r]
    if pair.requester:
        head = "ご依頼に対応できる企業" if pair.requester == fid else "貴社の技術に合うご依頼があります"
        need = next((r for r in met if r.startswith("必要な加工")), "")
        return f"{head}（{need}）" if need else head
    return met[0] if met else ""


def render_slip(form, to: Party, event_id: str, lines: list[tuple[str, str]], path: Path) -> Path:
    """The RSVP slip for `to`: the form rendered with the event id in its code, the partners printed beside
    wish_1.. (lines: (partner's name, why)); unused candidate lines say so."""
    notes = {f"wish_{k}": lines[k - 1] if k <= len(lines) else ("（候補なし）", "")
             for k in range(1, CANDIDATES + 1)}
    return personal_slip(form, to, event_id, notes, path)


def invitation_letter(to: Party, ev: Event, partners: list[tuple[Party, str]], *, office, today,
                      date_text: str) -> tuple[bytes, int]:
    """商談会のご案内: the event, how the day runs, the suggested partners and why, the slip enclosed."""
    fax = to.channel == "fax"
    s = Sheet(f"商談会のご案内 {ev.id} {to.id}", body_size=11.0 if fax else 10.5)
    s.footer = f"商談会 {ev.id}"
    compose._head(s, to, office, date_text, fax, f"商談会 {ev.id}")
    s.line(f"{ev.title}のご案内", size=14.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    compose._body_open(s, today, [
        f"さて、当課では地域や業種の異なる企業が具体的なニーズをもとに出会う場として、{ev.title}を開催いたします。"
        "名刺交換ではなく、実態調査・案件相談票でお寄せいただいた内容から、お話が具体的に進みそうな企業との"
        f"1対1の面談（1回{ev.slot_minutes}分）を事務局が組み合わせます。",
        "ご出欠と、面談を希望される企業を同封の出欠回答票でお知らせください。当日の面談予定表は後日お送りします。"])
    last = ev.slot_time(ev.slots)[1]
    s.line("1. 開催概要", font=GOTHIC, gap=1.0)
    s.table([("日時", f"{ev.date}　{ev.start}〜{last}"), ("会場", ev.venue),
             ("形式", f"1対1の面談　{ev.slot_minutes}分 × 最大{ev.slots}回（{ev.tables}テーブル）")])
    s.line("2. 面談をおすすめする企業", font=GOTHIC, gap=1.0)
    if partners:
        s.table([(f"候補 {i}", f"{p.name}：{why}") for i, (p, why) in enumerate(partners, 1)])
    else:
        s.para("現時点でおすすめできる企業はありません。ご希望があれば回答票の連絡事項にお書きください。", indent=5.0)
    s.line("3. 同封書類", font=GOTHIC, gap=1.0)
    s.para(f"商談会 出欠回答票　1枚（FAX {office.fax} または郵送でご返送ください）", indent=5.0)
    s.line("4. お問い合わせ先", font=GOTHIC, gap=1.0)
    s.para(f"{office.department}　{office.coordinator}（TEL {office.phone}）", indent=5.0)
    compose._close(s, office)
    return s.finish(), s.pages


def _invitees(conn, ids, all_consenting: bool) -> list[str]:
    known = names(conn)
    if ids:
        bad = [i for i in ids if i not in known]
        if bad:
            raise EventError(f"no factory {', '.join(repr(b) for b in bad)} in this workspace",
                             hint="give respondent ids from a survey, a request or the office's list")
        return list(dict.fromkeys(ids))
    if not all_consenting:
        raise EventError("say whom to invite", hint="pass --ids F0001,F0002 or --all-consenting")
    out = [r[0] for r in conn.execute("SELECT id FROM factories WHERE shares_profile=1 ORDER BY id")]
    out += [r[0] for r in conn.execute(
        "SELECT DISTINCT r.requester_id FROM requests r JOIN submissions s ON s.id = r.submission_id "
        "WHERE s.status='accepted' AND r.requester_id IS NOT NULL ORDER BY 1")]
    return list(dict.fromkeys(out))


def invite(ws: Workspace, event_id: str, out: Path, *, ids: list[str] | None = None, all_consenting: bool = False,
           today: date | None = None, wareki: bool = False) -> InviteRun:
    """Print the invitations not yet sent (letter + personalised RSVP slip each), a batch PDF and a mailing CSV.
    --all-consenting invites every factory that consented to sharing its profile and every buyer with an
    accepted request."""
    from intake.match.service import vocabulary
    from intake.review.service import forms

    ev = get_event(ws, event_id)
    today = today or date.today()
    if date.fromisoformat(ev.date) < today:
        raise EventError(f"event {event_id} was held on {ev.date}", hint="create a new event for a later date")
    form = forms(ws).get(RSVP_FORM)
    if form is None:
        raise EventError(f"no form {RSVP_FORM!r} in {ws.forms_path()}", hint="copy forms/event-rsvp.yaml there")
    out = Path(out)
    docs_dir = out / today.strftime("%Y%m%d")
    office = load_office(ws)
    vocab = vocabulary(ws)
    date_text = letter_date(today, wareki)
    run = InviteRun(out=out)
    run.event = event_id
    if office.placeholder:
        run.warnings.append(f"no {ws.root / 'office.yaml'}: letters carry placeholder office details")
    chosen: dict[str, list[str]] = {}
    with _conn(ws) as conn:
        nm = names(conn)
        todo = _invitees(conn, ids, all_consenting)
        done = {p.factory for p in ev.participants if p.channel}
        everyone = sorted(set(todo) | {p.factory for p in ev.participants if p.status != "declined"})
        for fid in todo:
            if fid in done:
                continue
            to = party(conn, fid, vocab)
            best = suggestions(conn, fid, everyone, vocab, nm, top=CANDIDATES)
            partners = [(party(conn, p.other(fid), vocab), _why(p, fid)) for p in best]
            chosen[fid] = [p.other(fid) for p in best]
            docs_dir.mkdir(parents=True, exist_ok=True)
            pdf, pages = invitation_letter(to, ev, partners, office=office, today=today, date_text=date_text)
            letter = docs_dir / f"{event_id}-{fid}-invitation.pdf"
            letter.write_bytes(pdf)
            slip = render_slip(form, to, event_id, [(p.name, why) for p, why in partners],
                               docs_dir / f"{event_id}-{fid}-rsvp.pdf")
            run.packets.append(Packet(to, f"{ev.title}のご案内", [
                Document("event_invitation", to, letter, pages, match_id=event_id),
                Document("event_rsvp", to, slip, 1, match_id=event_id)]))
    _record_reply_slips(ws, form, [d for d in run.documents if d.kind == "event_rsvp"])
    finish_batch(run, office, date_text, docs_dir, today)
    at = store_db.now()
    with _tx(ws) as conn:
        for p in run.packets:
            conn.execute(
                "INSERT INTO event_participants (event_id, factory_id, status, candidates, channel, invitation_path,"
                " invited_at, updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(event_id, factory_id) DO UPDATE SET"
                " candidates=excluded.candidates, channel=excluded.channel,"
                " invitation_path=excluded.invitation_path, invited_at=excluded.invited_at,"
                " updated_at=excluded.updated_at",
                (event_id, p.to.id, "invited", json.dumps(chosen[p.to.id]), p.to.channel,
                 str(next(d.path for d in p.documents if d.kind == "event_invitation")), at, at))
    return run
