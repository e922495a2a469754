"""After the day: a follow-up slip per meeting and side (forms/event-followup.yaml, the reply-slip mechanism:
its code carries the meeting), the outcomes read back through intake.dispatch, factory-visit requests for the
pairs who both want a visit, and the funnel the report shows (events → meetings → visits → trial orders).

    print_followups(ws, id, out) -> AfterRun                 `intake event followups ID --out DIR`
    print_visit_requests(ws, id, out) -> AfterRun            `intake event visits ID --out DIR`
    on_settled(ws, submission_id, status)                    through intake.dispatch
    funnel(conn) -> dict                                     the report's event funnel

A meeting's code is <event>.<slot>.<table>: the schedule is not made again after the day, so the code names
one meeting for good. Every document is logged in event_sent and never printed twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from intake.events.meetings import stored_meetings
from intake.events.model import EventError, _conn, _tx, get_event, names
from intake.events.slips import personal_slip
from intake.form.identity import valid_id
from intake.letters import compose
from intake.letters.dates import letter_date
from intake.letters.office import load_office
from intake.letters.parties import party
from intake.letters.printing import Document, LetterRun, Packet, _record_reply_slips, finish_batch
from intake.letters.sheet import GOTHIC, Sheet
from intake.store import db as store_db
from intake.workspace import Workspace

FOLLOWUP_FORM = "event-followup"
PURPOSE = "event_followup"
VISIT_DATES = 3                    # dates a host may choose from
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


def meeting_code(event_id: str, slot: int, table: int) -> str:
    code = f"{event_id}.{slot}.{table}"
    if not valid_id(code):
        raise EventError(f"event id {event_id!r} is too long for a meeting's code ({code})",
                         hint="meeting codes need event ids of at most 18 characters")
    return code


def parse_code(code: str | None) -> tuple[str, int, int] | None:
    ev, _, rest = (code or "").rpartition(".")
    ev, _, slot = ev.rpartition(".")
    if ev and slot.isdigit() and rest.isdigit():
        return ev, int(slot), int(rest)
    return None


@dataclass
class AfterRun(LetterRun):
    event: str = ""

    def summary_lines(self) -> list[str]:
        return [ln.split("; matches now")[0] + (f" for event {self.event}" if "; matches now" in ln else "")
                for ln in super().summary_lines()]


def _setup(ws: Workspace, event_id: str, out: Path, today: date | None):
    ev = get_event(ws, event_id)
    today = today or date.today()
    if today < date.fromisoformat(ev.date):
        raise EventError(f"event {event_id} is on {ev.date}: what follows the day is printed after it",
                         hint="run this after the event")
    meetings = stored_meetings(ws, event_id)
    if not meetings:
        raise EventError(f"event {event_id} has no schedule", hint=f"see: intake event schedule {event_id}")
    run = AfterRun(out=Path(out))
    run.event = event_id
    office = load_office(ws)
    if office.placeholder:
        run.warnings.append(f"no {ws.root / 'office.yaml'}: letters carry placeholder office details")
    return ev, today, meetings, run, office


def _letter(to, ev, title: str, opening: list[str], rows: list[tuple[str, str]], enclosed: str | None, *, office,
            today, date_text: str, choices: list[str] = ()) -> tuple[bytes, int]:
    fax = to.channel == "fax"
    s = Sheet(f"{title} {ev.id} {to.id}", body_size=11.0 if fax else 10.5)
    s.footer = f"商談会 {ev.id}"
    compose._head(s, to, office, date_text, fax, f"商談会 {ev.id}")
    s.line(title, size=14.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    compose._body_open(s, today, opening)
    s.table(rows)
    if choices:
        s.line("ご都合のよい日に○をつけ、このページをFAXでご返送ください。", font=GOTHIC, gap=2.0)
        for c in choices:
            s.line(f"□　{c}", size=12.0, x=40.0, gap=2.5)
    if enclosed:
        s.para(f"同封書類：{enclosed}", indent=5.0)
    s.para(f"お問い合わせ先：{office.department}　{office.coordinator}（TEL {office.phone}）", indent=5.0)
    compose._close(s, office)
    return s.finish(), s.pages


def _sent(conn, event_id: str) -> set[tuple[str, str, str]]:
    return {(r[0], r[1], r[2]) for r in conn.execute("SELECT kind, respondent_id, ref FROM event_sent WHERE event_id=?",
                                                     (event_id,))}


def _log(ws: Workspace, event_id: str, rows: list[tuple[str, str, str, str, str]]) -> None:
    at = store_db.now()
    with _tx(ws) as conn:
        for kind, rid, ref, channel, path in rows:
            conn.execute("INSERT OR IGNORE INTO event_sent (event_id, kind, respondent_id, ref, channel, path,"
                         " printed_at) VALUES (?,?,?,?,?,?,?)", (event_id, kind, rid, ref, channel, path, at))


def print_followups(ws: Workspace, event_id: str, out: Path, *, today: date | None = None,
                    wareki: bool = False) -> AfterRun:
    """面談後アンケートのお願い to each attendee, with one follow-up slip per meeting it had (partner and time
    printed beside 面談は); meetings already written to are skipped."""
    from intake.match.service import vocabulary
    from intake.review.service import forms

    ev, today, meetings, run, office = _setup(ws, event_id, out, today)
    form = forms(ws).get(FOLLOWUP_FORM)
    if form is None:
        raise EventError(f"no form {FOLLOWUP_FORM!r} in {ws.forms_path()}", hint="copy forms/event-followup.yaml there")
    vocab = vocabulary(ws)
    date_text = letter_date(today, wareki)
    docs_dir = run.out / today.strftime("%Y%m%d")
    log = []
    with _conn(ws) as conn:
        nm, done = names(conn), _sent(conn, event_id)
        for fid in sorted({x for m in meetings for x in m.key}):
            mine = [m for m in meetings if fid in m.key
                    and ("followup", fid, meeting_code(event_id, m.slot, m.table)) not in done]
            if not mine:
                continue
            docs_dir.mkdir(parents=True, exist_ok=True)
            to = party(conn, fid, vocab)
            rows = []
            for m in mine:
                other = m.b if m.a == fid else m.a
                t0, _ = ev.slot_time(m.slot)
                rows.append((f"第{m.slot}回 {t0}", f"{nm.get(other, other)}（テーブル {m.table}）"))
            pdf, pages = _letter(to, ev, "面談後アンケートのお願い", [
                f"先日は{ev.title}にご参加いただき、誠にありがとうございました。",
                "面談のその後（工場見学や試作・試験発注のご希望）を、面談ごとの回答票でお知らせください。"
                "双方が工場見学を希望された組み合わせには、当課から日程調整のご案内をお送りします。"],
                rows, f"面談後アンケート　{len(mine)}枚", office=office, today=today, date_text=date_text)
            letter = docs_dir / f"{event_id}-{fid}-followup.pdf"
            letter.write_bytes(pdf)
            p = Packet(to, "面談後アンケートのお願い", [Document("event_followup_letter", to, letter, pages,
                                                               match_id=event_id)])
            for m in mine:
                other = m.b if m.a == fid else m.a
                code = meeting_code(event_id, m.slot, m.table)
                t0, t1 = ev.slot_time(m.slot)
                slip = personal_slip(form, to, code, {"talked": (f"面談相手：{nm.get(other, other)}",
                                                                 f"{ev.date} 第{m.slot}回 {t0}〜{t1} テーブル {m.table}")},
                                     docs_dir / f"{code}-{fid}-followup-slip.pdf")
                p.documents.append(Document("event_followup", to, slip, 1, match_id=code))
                log.append(("followup", fid, code, to.channel, str(slip)))
            run.packets.append(p)
    _record_reply_slips(ws, form, [d for d in run.documents if d.kind == "event_followup"])
    finish_batch(run, office, date_text, docs_dir, today)
    _log(ws, event_id, log)
    return run


def _scalar(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v if v not in ("", None) else None


def on_settled(ws: Workspace, submission_id: str, status: str) -> str | None:
    """intake.dispatch handler: a follow-up slip records its meeting's outcome for the side that sent it, from
    its settled fields (one awaiting a clerk is copied at the clerk's settle, which calls again). None when
    the submission is not a follow-up slip of a known meeting."""
    from intake.review.service import forms, transaction

    with transaction(ws) as conn:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if sub is None or not sub["respondent_id"]:
            return None
        form = forms(ws).get(sub["form"])
        parsed = parse_code(sub["match_id"])
        if form is None or form.purpose != PURPOSE or parsed is None:
            return None
        ev, slot, table = parsed
        m = conn.execute("SELECT a, b FROM event_meetings WHERE event_id=? AND slot=? AND table_no=?",
                         (ev, slot, table)).fetchone()
        if m is None or sub["respondent_id"] not in (m["a"], m["b"]):
            return None
        # settled fields only, as for the RSVP: an unsure 工場見学 must not print a visit request
        v = {r["key"]: json.loads(r["value"]) if r["value"] is not None and not r["needs_review"] else None
             for r in conn.execute("SELECT key, value, needs_review FROM field_values WHERE submission_id=?",
                                   (submission_id,))}
        row = dict(event_id=ev, ref=sub["match_id"], a=m["a"], b=m["b"], factory_id=sub["respondent_id"],
                   submission_id=submission_id, talked=_scalar(v.get("talked")), visit=_scalar(v.get("visit")),
                   trial_order=_scalar(v.get("trial_order")), status=status)
        store_db.upsert_reply(conn, "event_followups", row)
        return row["talked"] or ""


def _latest(conn, event_id: str | None = None) -> dict[tuple[str, str], dict]:
    """Each (meeting code, side) -> its latest follow-up answer."""
    cols = ("event_id", "ref", "a", "b", "factory_id", "talked", "visit", "trial_order")
    sql = (f"SELECT {', '.join(cols)} FROM event_followups" + (" WHERE event_id=?" if event_id else "")
           + " ORDER BY updated_at, id")          # named columns: any row factory (the report's sqlite_utils too)
    rows = (dict(zip(cols, r)) for r in conn.execute(sql, (event_id,) if event_id else ()))
    return {(r["ref"], r["factory_id"]): r for r in rows}


def visit_pairs(conn, event_id: str | None = None) -> list[tuple[str, str, str, str]]:
    """(event, code, a, b) of the meetings where both sides asked for a factory visit."""
    latest = _latest(conn, event_id)
    out = []
    for (code, fid), r in latest.items():
        if fid == r["a"] and r["visit"] == "yes" and (latest.get((code, r["b"])) or {}).get("visit") == "yes":
            out.append((r["event_id"], code, r["a"], r["b"]))
    return sorted(out)


def visit_dates(today: date, n: int = VISIT_DATES) -> list[str]:
    """Weekdays from two weeks on, two or three days apart: the dates a host chooses from."""
    out, d = [], today + timedelta(days=14)
    while len(out) < n:
        if d.weekday() < 5:
            out.append(f"{d.year}年{d.month}月{d.day}日（{WEEKDAYS[d.weekday()]}）　10:00〜 / 14:00〜")
            d += timedelta(days=2)
        d += timedelta(days=1)
    return out


def print_visit_requests(ws: Workspace, event_id: str, out: Path, *, today: date | None = None,
                         wareki: bool = False) -> AfterRun:
    """工場見学のお願い for the pairs who both want a visit: to the side that said it can host (工場見学の受け入れ
    可 on its RSVP; both sides when neither or both did), with dates to choose; the other side is told."""
    from intake.match.service import vocabulary

    ev, today, _meetings, run, office = _setup(ws, event_id, out, today)
    vocab = vocabulary(ws)
    date_text = letter_date(today, wareki)
    docs_dir = run.out / today.strftime("%Y%m%d")
    hosts_ok = {p.factory for p in ev.participants if p.hosts_visit == "yes"}
    log = []
    with _conn(ws) as conn:
        nm, done = names(conn), _sent(conn, event_id)

        def send(kind: str, fid: str, code: str, title: str, body: list[str], rows: list, **extra) -> None:
            """One letter of `kind` about meeting `code` to factory `fid`, unless it went out before."""
            if (kind, fid, code) in done:
                return
            docs_dir.mkdir(parents=True, exist_ok=True)
            to = party(conn, fid, vocab)
            pdf, pages = _letter(to, ev, title, body, rows, None, office=office, today=today, date_text=date_text,
                                 **extra)
            path = docs_dir / f"{code}-{fid}-{kind.replace('_', '-')}.pdf"
            path.write_bytes(pdf)
            run.packets.append(Packet(to, title, [Document(kind, to, path, pages, match_id=code)]))
            log.append((kind, fid, code, to.channel, str(path)))

        for _ev, code, a, b in visit_pairs(conn, event_id):
            hosts = [x for x in (a, b) if x in hosts_ok] or [a, b]
            for host in hosts:
                guest = b if host == a else a
                send("visit_request", host, code, "工場見学のお願い", [
                    f"先日の{ev.title}で面談いただいた{nm.get(guest, guest)}様が、貴社の工場見学を希望されています"
                    "（面談後アンケートで双方が工場見学を希望）。",
                    "下記の候補日のうちご都合のよい日をお知らせください。日程が決まり次第、当課から先方へご連絡します。"],
                    [("見学を希望する企業", f"{nm.get(guest, guest)}（{guest}）"), ("面談", code)],
                    choices=visit_dates(today))
            if len(hosts) == 1:
                host = hosts[0]
                send("visit_notice", b if host == a else a, code, "工場見学の日程調整のお知らせ", [
                    f"先日の{ev.title}で面談いただいた{nm.get(host, host)}様に、工場見学のお願いを"
                    "お送りしました。日程が決まり次第ご連絡いたします。"],
                    [("見学先", f"{nm.get(host, host)}（{host}）"), ("面談", code)])
    finish_batch(run, office, date_text, docs_dir, today)
    _log(ws, event_id, log)
    return run


def funnel(conn) -> dict[str, int]:
    """Events → meetings scheduled → meetings held (a side said so) → visits (both sides want one) → trial
    orders (a side placed one), over every event."""
    latest = _latest(conn)
    by_meeting: dict[str, list[dict]] = {}
    for (code, _fid), r in latest.items():
        by_meeting.setdefault(code, []).append(r)
    return {"events": conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
            "meetings": conn.execute("SELECT COUNT(*) FROM event_meetings").fetchone()[0],
            "held": sum(1 for rs in by_meeting.values() if any(r["talked"] == "yes" for r in rs)),
            "visits": len(visit_pairs(conn)),
            "trial_orders": sum(1 for rs in by_meeting.values() if any(r["trial_order"] == "placed" for r in rs))}
