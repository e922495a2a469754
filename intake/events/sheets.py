"""`intake event sheets ID --out DIR`: what the day needs on paper, from the stored schedule.

* schedules.pdf — one A4 page per attendee: time, table, partner, the partner's profile in brief and why they
  meet. A supplier's profile is shown only when it consented to sharing it (the letters' rule, via
  letters.parties.party); a buyer is described by its request (it asked to be introduced).
* tables.pdf — the table plan: each slot, each table, who sits there.
* reception.pdf — 受付名簿: every attendee with its people and a box to tick on arrival.
* badges.pdf — 名札, A4 sheets of 10 (2 × 5 cards of 90 × 54 mm), one card per person coming.
All drawn with the embedded IPAex fonts. The stored schedule must still fit the answers: a schedule made
before a decline is refused (re-run `intake event schedule` first), so nobody is sent to an empty table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from intake.events.meetings import event_pairs, stored_meetings
from intake.events.model import EventError, _conn, get_event, names
from intake.form.layout import Rect
from intake.letters.parties import party, request_summary
from intake.letters.sheet import GOTHIC, LEFT, Sheet
from intake.render import fonts
from intake.render.paper import Paper
from intake.workspace import Workspace

BADGE_W, BADGE_H, BADGE_COLS, BADGE_ROWS = 90.0, 54.0, 2, 5
PROFILE_ROWS = ("対応加工", "対応材質", "ロット", "認証", "遊休設備", "強み")


@dataclass
class DaySheets:
    event: str
    schedules: Path
    tables: Path
    reception: Path
    badges: Path
    attendees: int = 0
    meetings: int = 0
    badge_count: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [self.schedules, self.tables, self.reception, self.badges]

    def summary_lines(self) -> list[str]:
        return [f"warning: {w}" for w in self.warnings] + [
            f"{self.event}: {self.attendees} attendees, {self.meetings} meetings, {self.badge_count} badges"] + [
            f"print: {p}" for p in self.paths]


def _brief(conn, fid: str, vocab) -> list[tuple[str, str]]:
    """What a participant may read about its partner."""
    p = party(conn, fid, vocab)
    rows = [(k, v) for k, v in p.profile if k in PROFILE_ROWS]
    req = conn.execute("SELECT submission_id FROM requests WHERE requester_id=? ORDER BY id DESC LIMIT 1",
                       (fid,)).fetchone()
    if req:
        rows += [("ご相談内容", " / ".join(f"{k}: {v}" for k, v in request_summary(conn, req[0], vocab)))]
    if not rows:
        rows = [("概要", "（企業情報の公開にご同意いただいていません）")]
    return rows


def _why(reasons: list[str], n: int = 3) -> str:
    met = [r.removeprefix("○ ") for r in reasons if not r.startswith("×")]
    return "、".join(met[:n]) or "事務局の組み合わせ"


def print_day_sheets(ws: Workspace, event_id: str, out: Path) -> DaySheets:
    from intake.match.service import vocabulary

    ev = get_event(ws, event_id)
    meetings = stored_meetings(ws, event_id)
    if not meetings:
        raise EventError(f"event {event_id} has no schedule yet", hint=f"run: intake event schedule {event_id}")
    attending = {p.factory: p for p in ev.attending}
    stale = sorted({x for m in meetings for x in m.key if x not in attending})
    if stale:
        raise EventError(f"the stored schedule of {event_id} has meetings for {', '.join(stale)}, who no longer "
                         "attend", hint=f"make it again first (it keeps what it can): intake event schedule {event_id}")
    reasons = {p.key: p.reasons for p in event_pairs(ws, event_id)}
    vocab = vocabulary(ws)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run = DaySheets(event_id, out / f"{event_id}-schedules.pdf", out / f"{event_id}-tables.pdf",
                    out / f"{event_id}-reception.pdf", out / f"{event_id}-badges.pdf",
                    attendees=len(attending), meetings=len(meetings))
    with _conn(ws) as conn:
        nm = names(conn)
        briefs = {fid: _brief(conn, fid, vocab) for fid in attending}
    when = f"{ev.date}　{ev.start}〜{ev.slot_time(ev.slots)[1]}　{ev.venue}"

    # one page per attendee
    s = Sheet(f"{ev.title} 面談予定表", body_size=10.0)
    s.footer = f"{ev.title}　面談予定表"
    for i, fid in enumerate(sorted(attending)):
        if i:
            s.new_page()
        s.line(f"{ev.title}　面談予定表", size=14.0, align="center", font=GOTHIC, bold=True, gap=3.0)
        s.line(when, align="center", size=10.0, gap=4.0)
        s.line(f"{nm.get(fid, fid)} 様（{fid}）", size=13.0, font=GOTHIC, gap=3.0)
        mine = {m.slot: m for m in meetings if fid in m.key}
        for slot in range(1, ev.slots + 1):
            t0, t1 = ev.slot_time(slot)
            m = mine.get(slot)
            if m is None:
                s.line(f"{t0}〜{t1}　面談なし（休憩・自由商談）", size=10.0, gap=2.0)
                continue
            other = m.b if m.a == fid else m.a
            s.line(f"{t0}〜{t1}　テーブル {m.table}　{nm.get(other, other)}（{other}）", size=11.0, font=GOTHIC,
                   bold=True, gap=1.0)
            s.table(briefs[other] + [("面談の理由", _why(reasons.get(m.key, [])))], size=9.0, key_w=26.0)
    run.schedules.write_bytes(s.finish())

    # the table plan
    s = Sheet(f"{ev.title} テーブル配置表", body_size=10.0)
    s.footer = f"{ev.title}　テーブル配置表"
    s.line(f"{ev.title}　テーブル配置表", size=14.0, align="center", font=GOTHIC, bold=True, gap=3.0)
    s.line(when, align="center", gap=4.0)
    for slot in range(1, ev.slots + 1):
        t0, t1 = ev.slot_time(slot)
        here = sorted((m for m in meetings if m.slot == slot), key=lambda m: m.table)
        s.line(f"第{slot}回　{t0}〜{t1}（{len(here)}件）", font=GOTHIC, bold=True, gap=1.0)
        rows = [(f"テーブル {m.table}", f"{nm.get(m.a, m.a)}（{m.a}） × {nm.get(m.b, m.b)}（{m.b}）") for m in here]
        s.table(rows or [("—", "面談なし")], key_w=24.0, size=9.5)
    run.tables.write_bytes(s.finish())

    run.reception.write_bytes(_reception(ev, attending, nm, when))
    pdf, run.badge_count = _badges(ev, attending, nm)
    run.badges.write_bytes(pdf)
    return run


def _reception(ev, attending, nm, when: str) -> bytes:
    """受付名簿: a ruled list, one row per attendee, with a box to tick on arrival."""
    s = Sheet(f"{ev.title} 受付名簿", body_size=10.0)
    s.footer = f"{ev.title}　受付名簿"
    s.line(f"{ev.title}　受付名簿", size=14.0, align="center", font=GOTHIC, bold=True, gap=3.0)
    s.line(when, align="center", gap=4.0)
    cols = [("No.", 10.0), ("ID", 18.0), ("企業名", 78.0), ("人数", 14.0), ("工場見学", 18.0), ("受付", 22.0)]
    row_h = 9.0

    def header() -> None:
        x = LEFT
        for label, w in cols:
            s.p.rect(Rect(x, s.y, w, row_h), lw=0.5)
            s.p.fit_line(label, Rect(x + 1.0, s.y, w - 2.0, row_h), 9.5, font=GOTHIC, align="center")
            x += w
        s.y += row_h

    header()
    for i, fid in enumerate(sorted(attending), 1):
        if s.y + row_h > 277.0:
            s.new_page()
            header()
        p = attending[fid]
        visit = {"yes": "可", "no": "否"}.get(p.hosts_visit or "", "")
        cells = [str(i), fid, nm.get(fid, fid), f"{p.people or 1}名", visit, ""]
        x = LEFT
        for (label, w), text in zip(cols, cells):
            s.p.rect(Rect(x, s.y, w, row_h), lw=0.4)
            if label == "受付":
                s.p.rect(Rect(x + w / 2 - 2.5, s.y + 2.0, 5.0, 5.0), lw=0.6)
            elif text:
                s.p.fit_line(text, Rect(x + 1.5, s.y, w - 3.0, row_h), 10.0, font=GOTHIC,
                             align="left" if label == "企業名" else "center")
            x += w
        s.y += row_h
    return s.finish()


def _badges(ev, attending, nm) -> tuple[bytes, int]:
    """名札: 10 cards of 90 × 54 mm an A4 sheet, cut lines drawn; one card per person coming."""
    fonts.register()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=GOTHIC)
    c.setTitle(f"{ev.title} 名札")
    paper = Paper(c)
    cards = [fid for fid in sorted(attending) for _ in range(max(1, attending[fid].people or 1))]
    x0 = (210.0 - BADGE_COLS * BADGE_W) / 2
    y0 = (297.0 - BADGE_ROWS * BADGE_H) / 2
    per = BADGE_COLS * BADGE_ROWS
    for i, fid in enumerate(cards):
        if i and i % per == 0:
            c.showPage()
        r, k = divmod(i % per, BADGE_COLS)
        card = Rect(x0 + k * BADGE_W, y0 + r * BADGE_H, BADGE_W, BADGE_H)
        for (ax, ay), (bx, by) in (((card.x, card.y), (card.x1, card.y)), ((card.x, card.y1), (card.x1, card.y1)),
                                   ((card.x, card.y), (card.x, card.y1)), ((card.x1, card.y), (card.x1, card.y1))):
            paper.line(ax, ay, bx, by, lw=0.3, dash=(2, 2))                         # cut lines
        paper.fit_line(ev.title, Rect(card.x + 5, card.y + 4, card.w - 10, 5.0), 8.5, font=GOTHIC, align="center")
        paper.fit_line(nm.get(fid, fid), Rect(card.x + 5, card.y + 17, card.w - 10, 12.0), 20.0, font=GOTHIC,
                       bold=True, align="center")
        paper.line(card.x + 10, card.y + 37, card.x1 - 10, card.y + 37, lw=0.3)       # a line to write a name on
        paper.fit_line("お名前", Rect(card.x + 10, card.y + 32, 20, 4.0), 7.0, font=GOTHIC)
        paper.fit_line(f"{fid}　{ev.date}", Rect(card.x + 5, card.y1 - 8, card.w - 10, 4.0), 7.5, font=GOTHIC,
                       align="right")
    c.showPage()
    c.save()
    return buf.getvalue(), len(cards)
