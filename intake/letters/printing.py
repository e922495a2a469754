"""The day's mailing: every document as its own PDF, one print-ready batch PDF, a mailing list
CSV (UTF-8 with BOM, for label printers and Excel), every document logged in `letters`, and
each approved match moved to letter_printed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from intake.errors import IntakeError
from intake.letters import compose
from intake.letters.dates import letter_date, seireki
from intake.letters.office import load_office
from intake.letters.parties import Party, party, request_summary
from intake.match.states import MatchError, transition
from intake.store import db as store_db
from intake.workspace import Workspace

PRINTABLE = ("approved", "letter_printed", "sent", "reply_received")


@dataclass
class Document:
    kind: str                      # match | group | fax_cover | confirmation | reminder | reply_slip | survey
    respondent: Party
    path: Path
    pages: int
    match_id: str | None = None
    submission_id: str | None = None


@dataclass
class Packet:
    """What goes into one envelope (or one fax transmission), in order."""
    to: Party
    subject: str
    documents: list[Document] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(d.pages for d in self.documents)


@dataclass
class LetterRun:
    out: Path
    packets: list[Packet] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)        # moved to letter_printed
    batch: Path | None = None
    mailing_list: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [d for p in self.packets for d in p.documents]

    def summary_lines(self) -> list[str]:
        lines = [f"warning: {w}" for w in self.warnings]
        if not self.packets:
            return lines + ["nothing to print"]
        fax = sum(1 for p in self.packets if p.to.channel == "fax")
        lines.append(f"{len(self.packets)} mailings ({len(self.packets) - fax} by post, {fax} by FAX), "
                     f"{len(self.documents)} documents, {sum(p.pages for p in self.packets)} pages; "
                     f"matches now letter_printed: {', '.join(self.matches) or 'none'}")
        lines.append(f"print: {self.batch}")
        lines.append(f"mailing list: {self.mailing_list}")
        return lines


class LetterError(IntakeError):
    exit_code = 1


def print_letters(ws: Workspace, out: Path, *, match_id: str | None = None, approved: bool = False,
                  wareki: bool = False, confirmations: bool = False, reminder_days: int | None = None,
                  today: date | None = None) -> LetterRun:
    from intake.match.service import get_match, list_matches, vocabulary
    from intake.review.service import connection, forms, transaction

    ws.require()
    today = today or date.today()
    date_text = letter_date(today, wareki)
    out = Path(out)
    docs_dir = out / today.strftime("%Y%m%d")
    docs_dir.mkdir(parents=True, exist_ok=True)
    office = load_office(ws)
    run = LetterRun(out=out)
    if office.placeholder:
        run.warnings.append(f"no {ws.root / 'office.yaml'}: letters carry placeholder office details "
                            "(write name, department, postal_code, address, phone, fax, coordinator there)")
    fdefs = forms(ws)
    vocab = vocabulary(ws)
    matches = []
    if match_id:
        m = get_match(ws, match_id)
        if m.state not in PRINTABLE:
            raise MatchError(f"match {match_id} is {m.state}: letters are printed for approved matches",
                             hint=f"approve it first: intake match approve {match_id} --who NAME")
        matches.append(m)
    elif approved:
        matches = list_matches(ws, "approved")
    reply_form = next((f for f in fdefs.values() if f.purpose == "reply"), None)

    with connection(ws) as conn:
        for m in matches:
            packets = _match_packets(ws, conn, m, vocab, office, today, date_text, docs_dir, reply_form, run)
            if packets:
                run.packets += packets
                if m.state == "approved":
                    run.matches.append(m.id)
        if confirmations:
            run.packets += _confirmation_packets(conn, fdefs, office, today, date_text, docs_dir)
        if reminder_days is not None:
            run.packets += _reminder_packets(ws, conn, fdefs, office, today, date_text, docs_dir, reminder_days)

    finish_batch(run, office, date_text, docs_dir, today)
    at = store_db.now()
    with transaction(ws) as conn:
        for p in run.packets:
            for d in p.documents:
                conn.execute("INSERT INTO letters (kind, match_id, respondent_id, channel, path, printed_at, letter_date,"
                             " pages, batch_path, submission_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                             (d.kind, d.match_id, p.to.id, p.to.channel, str(d.path), at, today.isoformat(), d.pages,
                              str(run.batch) if run.batch else None, d.submission_id))
        for mid in run.matches:
            transition(conn, mid, "letter_printed", "letters", f"batch {run.batch.name if run.batch else ''}", at)
    return run


# --- match letters -------------------------------------------------------------------------------

def _reply_slip(reply_form, to: Party, match_id: str, docs_dir: Path) -> Document | None:
    from intake.form.layout import layout
    from intake.render import Respondent, render_form

    if reply_form is None:
        return None
    path = docs_dir / f"{match_id}-{to.id}-reply.pdf"
    person = Respondent(to.id, to.name, to.postal_code, to.address, to.phone, to.fax, to.channel)
    render_form(reply_form, "ja", path, respondent=person, match_id=match_id)
    return Document("reply_slip", to, path, layout(reply_form).page_count, match_id=match_id)


def _record_reply_slips(ws: Workspace, reply_form, docs: list[Document]) -> None:
    from intake.render import Respondent, record_sent

    copies = [(Respondent(d.respondent.id, d.respondent.name, d.respondent.postal_code, d.respondent.address,
                          d.respondent.phone, d.respondent.fax, d.respondent.channel), d.path, d.match_id) for d in docs]
    if copies:
        record_sent(ws, reply_form, "ja", copies)


def _match_packets(ws, conn, m, vocab, office, today, date_text, docs_dir, reply_form, run: LetterRun) -> list[Packet]:
    packets: list[Packet] = []
    if m.kind == "pair":
        req = party(conn, m.requester, vocab) if m.requester else None
        sup = party(conn, m.supplier, vocab)
        if not sup.shares_profile:
            run.warnings.append(f"{m.id}: {m.supplier} no longer consents to sharing its profile: no letters printed")
            return []
        if req is None:
            run.warnings.append(f"{m.id}: the request has no known requester (blank form): no letters printed")
            return []
        rows = request_summary(conn, m.request, vocab)
        for to, partner, role in ((req, sup, "requester"), (sup, req, "supplier")):
            pdf, pages = compose.match_letter(to, partner, role=role, match_id=m.id, office=office, today=today,
                                              date_text=date_text, reasons=m.reasons_ja, request_rows=rows,
                                              fax=to.channel == "fax")
            packets.append(_packet(to, "企業ご紹介のお知らせ", "match", m.id, pdf, pages, docs_dir, reply_form))
    else:
        members = [party(conn, fid, vocab) for fid in m.members]
        members = [p for p in members if p.shares_profile]
        if len(members) < 2:
            run.warnings.append(f"{m.id}: fewer than two consenting members left: no letters printed")
            return []
        ilab = vocab.label("interest", m.group_interest or "", "ja")
        for to in members:
            others = [p for p in members if p.id != to.id]
            pdf, pages = compose.group_letter(to, others, interest_ja=ilab, region=m.group_region or "", match_id=m.id,
                                              office=office, today=today, date_text=date_text, reasons=m.reasons_ja,
                                              fax=to.channel == "fax")
            packets.append(_packet(to, f"企業連携のご案内（{ilab}）", "group", m.id, pdf, pages, docs_dir, reply_form))
    _record_reply_slips(ws, reply_form, [d for p in packets for d in p.documents if d.kind == "reply_slip"])
    return packets


def _packet(to: Party, subject: str, kind: str, match_id: str, pdf: bytes, pages: int, docs_dir: Path,
            reply_form) -> Packet:
    path = docs_dir / f"{match_id}-{to.id}-letter.pdf"
    path.write_bytes(pdf)
    p = Packet(to, subject, [Document(kind, to, path, pages, match_id=match_id)])
    slip = _reply_slip(reply_form, to, match_id, docs_dir)
    if slip:
        p.documents.append(slip)
    return p


def finish_batch(run: LetterRun, office, date_text: str, docs_dir: Path, today: date) -> None:
    """A cover sheet first in every fax packet, then the day's batch PDF and mailing list (match and BCP letters)."""
    for p in run.packets:
        if p.to.channel == "fax":
            _add_fax_cover(p, office, date_text, docs_dir)
    if run.packets:
        run.batch, run.mailing_list = _batch(run, run.out, today)


def _add_fax_cover(p: Packet, office, date_text: str, docs_dir: Path) -> None:
    total = p.pages + 1
    names = "、".join(_doc_title(d) for d in p.documents)
    pdf = compose.fax_cover(p.to, office=office, date_text=date_text, pages_total=total, subject=p.subject,
                            message=f"いつもお世話になっております。{names}をお送りいたします。ご査収のほど、"
                                    "よろしくお願い申し上げます。")
    first = p.documents[0]
    path = first.path.with_name(first.path.stem + "-faxcover.pdf")
    path.write_bytes(pdf)
    p.documents.insert(0, Document("fax_cover", p.to, path, 1, match_id=first.match_id,
                                   submission_id=first.submission_id))


def _doc_title(d: Document) -> str:
    return {"match": "企業ご紹介のお知らせ", "group": "企業連携のご案内", "reply_slip": "返信票",
            "confirmation": "読み取り結果確認票", "reminder": "ご回答のお願い", "survey": "調査票",
            "bcp_request": "代替生産のお願い", "bcp_notice": "代替調達先のお知らせ",
            "event_invitation": "商談会のご案内", "event_rsvp": "出欠回答票",
            "event_followup_letter": "面談後アンケートのお願い", "event_followup": "面談後アンケート",
            "visit_request": "工場見学のお願い", "visit_notice": "工場見学の日程調整のお知らせ"}.get(d.kind, d.kind)


# --- confirmation sheets and reminders -----------------------------------------------------------

def _display(f, value) -> str:
    if value in (None, "", []):
        return "（空欄）"
    if f.kind == "choice":
        keys = value if isinstance(value, list) else [value]
        out = []
        for k in keys:
            try:
                out.append(f.option(k).label.ja)
            except KeyError:
                out.append(str(k))
        return "・".join(out)
    return str(value)


def _confirmation_packets(conn, fdefs, office, today, date_text, docs_dir) -> list[Packet]:
    from intake.match.scoring import Vocabulary

    vocab = Vocabulary(fdefs)
    done = {r[0] for r in conn.execute("SELECT submission_id FROM letters WHERE kind='confirmation' "
                                       "AND submission_id IS NOT NULL")}
    packets = []
    for sub in conn.execute("SELECT * FROM submissions WHERE respondent_id IS NOT NULL AND status IN "
                            "('accepted', 'needs_review') ORDER BY id").fetchall():
        form = fdefs.get(sub["form"])
        if sub["id"] in done or form is None or form.purpose not in ("survey", "request"):
            continue
        values = {r["key"]: json.loads(r["value"]) if r["value"] is not None else None
                  for r in conn.execute("SELECT key, value FROM field_values WHERE submission_id=?", (sub["id"],))}
        rows = [(f.label.ja, _display(f, values.get(f.key))) for f in form.fields]
        to = party(conn, sub["respondent_id"], vocab)
        pdf, pages = compose.confirmation_sheet(to, rows, form_title=form.title.ja, submission_id=sub["id"],
                                                office=office, today=today, date_text=date_text,
                                                fax=to.channel == "fax")
        path = docs_dir / f"confirm-{sub['id']}-{to.id}.pdf"
        path.write_bytes(pdf)
        packets.append(Packet(to, "読み取り結果確認票", [Document("confirmation", to, path, pages,
                                                           submission_id=sub["id"])]))
    return packets


def _reminder_packets(ws, conn, fdefs, office, today, date_text, docs_dir, days: int) -> list[Packet]:
    from intake.match.scoring import Vocabulary
    from intake.render import Respondent, record_sent, render_form

    vocab = Vocabulary(fdefs)
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    packets = []
    due = conn.execute("SELECT respondent_id, form, lang, MAX(sent_at) AS last FROM sent_forms WHERE match_id IS NULL "
                       "GROUP BY respondent_id, form ORDER BY respondent_id").fetchall()
    for r in due:
        form = fdefs.get(r["form"])
        if form is None or form.purpose != "survey":
            continue
        if datetime.fromisoformat(r["last"]) > cutoff:
            continue
        if conn.execute("SELECT 1 FROM submissions WHERE respondent_id=? AND form=?",
                        (r["respondent_id"], r["form"])).fetchone():
            continue
        to = party(conn, r["respondent_id"], vocab)
        sent = seireki(datetime.fromisoformat(r["last"]).date())
        pdf, pages = compose.reminder_letter(to, form_title=form.title.ja, sent_date=sent, office=office, today=today,
                                             date_text=date_text, fax=to.channel == "fax")
        path = docs_dir / f"reminder-{to.id}-{form.id}.pdf"
        path.write_bytes(pdf)
        copy = docs_dir / f"reminder-{to.id}-{form.id}-copy.pdf"
        lang = r["lang"] or "ja"
        person = Respondent(to.id, to.name, to.postal_code, to.address, to.phone, to.fax, to.channel)
        render_form(form, lang, copy, respondent=person)
        record_sent(ws, form, lang, [(person, copy, None)])
        from intake.form.layout import layout

        packets.append(Packet(to, f"「{form.title.ja}」ご回答のお願い",
                              [Document("reminder", to, path, pages),
                               Document("survey", to, copy, layout(form).page_count)]))
    return packets


# --- the batch -----------------------------------------------------------------------------------

def _free(path: Path) -> Path:
    if not path.exists():
        return path
    for i in range(2, 1000):
        cand = path.with_name(f"{path.stem}-{i}{path.suffix}")
        if not cand.exists():
            return cand
    raise LetterError(f"too many batches named {path.name}", hint="use another --out folder")


def _batch(run: LetterRun, out: Path, today: date) -> tuple[Path, Path]:
    """One PDF to print in order (form widgets dropped: their names would clash), and the mailing list."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    for d in run.documents:
        for page in PdfReader(str(d.path)).pages:
            if "/Annots" in page:
                del page[NameObject("/Annots")]
            writer.add_page(page)
    stamp = today.strftime("%Y%m%d")
    batch = _free(out / f"batch-{stamp}.pdf")
    with open(batch, "wb") as fh:
        writer.write(fh)
    csv_path = batch.with_name(batch.stem.replace("batch", "mailing") + ".csv")
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["宛先ID", "送付方法", "郵便番号", "住所", "宛名", "ご担当者", "FAX番号", "件名", "番号", "枚数", "ファイル"])
        for p in run.packets:
            first = p.documents[0]
            ref = next((d.match_id or d.submission_id for d in p.documents if d.match_id or d.submission_id), "")
            w.writerow([p.to.id, "FAX" if p.to.channel == "fax" else "郵送", p.to.postal_code or "", p.to.address or "",
                        p.to.name, p.to.person or "", p.to.fax or "", p.subject, ref or "", p.pages, first.path.name])
    return batch, csv_path
