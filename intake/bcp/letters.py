"""`intake bcp letters INCIDENT --out DIR`: an urgent 代替生産のお願い to each named alternative (with a
reply slip whose code carries the incident) and a 代替調達先のお知らせ to each affected buyer.

Fax first: after a disaster a fax gets through when post does not, so any party with a fax number
gets a fax (with the letters stage's cover sheet), whatever it usually prefers. The batch PDF and
mailing CSV are the letters stage's own. Each document is logged in bcp_sent; a party already
written to for this incident is never written to again, so re-running sends only what is new.

Consent: an alternative is named (to buyers) only because it consented; a down factory is named to
an alternative only when it consented too, else it is 被災地域の企業; buyers are never named.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from intake.bcp.assess import Affected, uncovered_text
from intake.bcp.incidents import require_open, vocabulary
from intake.letters import compose
from intake.letters.dates import letter_date
from intake.letters.office import load_office
from intake.letters.parties import Party, party
from intake.letters.printing import Document, LetterRun, Packet, _record_reply_slips, _reply_slip, finish_batch
from intake.letters.sheet import GOTHIC, Sheet
from intake.store import db as store_db
from intake.workspace import Workspace

REPLY_FORM = "bcp-reply"


class BcpLetterRun(LetterRun):
    """The letters stage's run, summarised for an incident (no match moves)."""

    incident: str = ""

    def summary_lines(self) -> list[str]:
        lines = super().summary_lines()
        return [ln.split("; matches now")[0] + (f" for incident {self.incident}" if "; matches now" in ln else "")
                for ln in lines]


def _fax_first(p: Party) -> Party:
    return replace(p, channel="fax") if p.fax else replace(p, channel="post")


def _urgent(to: Party, title: str, incident: str, office, today, date_text: str, opening: list[str]) -> Sheet:
    """A letter's head, 【至急】 title and 拝啓 … 敬具 記 (the match letters' own blocks), the incident on every page."""
    s = Sheet(f"{title} {incident} {to.id}", body_size=11.0 if to.channel == "fax" else 10.5)
    s.footer = f"案件番号 {incident}"
    compose._head(s, to, office, date_text, to.channel == "fax", f"案件番号 {incident}")
    s.line(f"【至急】{title}", size=15.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    compose._body_open(s, today, opening)
    return s


def request_letter(to: Party, needs: list[tuple[str, list[tuple[str, str]]]], *, incident: str, office, today,
                   date_text: str) -> tuple[bytes, int]:
    """needs: (who is down, rows of what it did that `to` covers)."""
    s = _urgent(to, "代替生産のお願い", incident, office, today, date_text, [
        "さて、このたびの災害等により、下記の企業の生産が停止しております。その取引先の生産を止めないため、"
        "実態調査でご回答いただいた貴社の設備・技術から、代替生産をお願いできる企業としてご相談申し上げます。",
        "ご対応の可否、開始可能な時期、月あたりの対応可能数量を、同封の回答票にて至急FAXでお知らせください。"
        "ご対応いただける場合は、当課から発注元へおつなぎいたします。"])
    for i, (who, rows) in enumerate(needs, 1):
        s.line(f"{i}. 生産停止中の企業：{who}", font=GOTHIC, gap=1.0)
        s.table(rows)
    s.line(f"{len(needs) + 1}. 同封書類", font=GOTHIC, gap=1.0)
    s.para(f"代替生産 回答票　1枚（FAX {office.fax} へご返送ください）", indent=5.0)
    s.line(f"{len(needs) + 2}. お問い合わせ先", font=GOTHIC, gap=1.0)
    s.para(f"{office.department}　{office.coordinator}（TEL {office.phone}）", indent=5.0)
    compose._close(s, office)
    return s.finish(), s.pages


def notice_letter(to: Party, items: list[tuple[str, list[tuple[Party, str]], list[str]]], *, incident: str, office,
                  today, date_text: str) -> tuple[bytes, int]:
    """items: (the down supplier's name, its alternatives with what each covers, what nobody covers)."""
    s = _urgent(to, "代替調達先のお知らせ", incident, office, today, date_text, [
        "さて、このたびの災害等により、貴社の取引先（当課からご紹介した企業）の生産が停止しております。"
        "代替の調達先として、情報の提供にご同意いただいている下記の企業をお知らせいたします。",
        "各社には当課から代替生産のご相談をお送りしております。回答があり次第ご連絡いたしますが、"
        "お急ぎの場合は直接ご連絡いただいても差し支えございません。"])
    for n, (down, alts, uncovered) in enumerate(items, 1):
        s.line(f"{n}. 生産停止中の取引先：{down}", font=GOTHIC, gap=1.0)
        for a, covers in alts:
            rows = [("企業名", a.name), ("代替できる範囲", covers)] + ([("所在地", a.address)] if a.address else [])
            rows += ([("電話", a.phone)] if a.phone else []) + ([("FAX", a.fax)] if a.fax else [])
            rows += [r for r in a.profile if r[0] in ("対応加工", "対応材質", "認証", "遊休設備")]
            s.table(rows)
        if not alts:
            s.para("代替先は見つかっておりません。当課で引き続き探しております。", indent=5.0)
        for u in uncovered:
            s.para(u, indent=5.0, hang="・", gap=0.5)
    compose._close(s, office)
    return s.finish(), s.pages


def _write(docs_dir: Path, name: str, pdf: bytes) -> Path:
    path = docs_dir / name
    path.write_bytes(pdf)
    return path


def print_incident_letters(ws: Workspace, incident_id: str, out: Path, *, today: date | None = None,
                           wareki: bool = False) -> "BcpLetterRun":
    """The letters of an open incident not yet sent. Returns the run (packets, batch, mailing list)."""
    from intake.review.service import connection, forms, transaction

    inc = require_open(ws, incident_id)
    today = today or date.today()
    date_text = letter_date(today, wareki)
    out = Path(out)
    docs_dir = out / today.strftime("%Y%m%d")
    office = load_office(ws)
    vocab = vocabulary(ws)
    reply_form = forms(ws).get(REPLY_FORM)
    run = BcpLetterRun(out=out)
    run.incident = incident_id
    if office.placeholder:
        run.warnings.append(f"no {ws.root / 'office.yaml'}: letters carry placeholder office details")
    if reply_form is None:
        run.warnings.append(f"no form {REPLY_FORM!r} in {ws.forms_path()}: requests go without a reply slip")
    replaces: dict[tuple[str, str], list[str]] = {}
    with connection(ws) as conn:
        done = {(r[0], r[1]) for r in conn.execute("SELECT kind, respondent_id FROM bcp_sent WHERE incident_id=?",
                                                   (incident_id,))}
        shares = {r[0] for r in conn.execute("SELECT id FROM factories WHERE shares_profile=1")}
        # Alternatives: one request each, listing every down factory it may replace.
        asks: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
        for a in inc.affected:
            shown = a.name if a.factory in shares else "被災地域の企業（企業名は非公開）"
            for alt in a.alternatives:
                rows = [("お願いしたい加工", vocab.join("process", alt.processes, "ja")),
                        ("材質", vocab.join("material", alt.materials, "ja"))]
                if a.lots:
                    rows.append(("ロット", vocab.join("lot", a.lots, "ja")))
                if a.buyers:
                    rows.append(("関係する発注元", f"{len(a.buyers)}社（企業名は回答後にお知らせします）"))
                asks.setdefault(alt.factory, []).append((shown, rows))
                replaces.setdefault(("request", alt.factory), []).append(a.factory)
        for fid, needs in asks.items():
            if ("request", fid) in done:
                continue
            docs_dir.mkdir(parents=True, exist_ok=True)
            to = _fax_first(party(conn, fid, vocab))
            pdf, pages = request_letter(to, needs, incident=incident_id, office=office, today=today, date_text=date_text)
            p = Packet(to, "【至急】代替生産のお願い", [Document("bcp_request", to, _write(
                docs_dir, f"{incident_id}-{fid}-request.pdf", pdf), pages, match_id=incident_id)])
            slip = _reply_slip(reply_form, to, incident_id, docs_dir)
            if slip:
                p.documents.append(slip)
            run.packets.append(p)
        # Buyers: one notice each, listing its down suppliers and their alternatives.
        tell: dict[str, list[Affected]] = {}
        for a in inc.affected:
            for b in a.buyers:
                tell.setdefault(b, []).append(a)
                replaces.setdefault(("notice", b), []).append(a.factory)
        for bid, downs in tell.items():
            if ("notice", bid) in done:
                continue
            docs_dir.mkdir(parents=True, exist_ok=True)
            to = _fax_first(party(conn, bid, vocab))
            items = [(a.name, [(party(conn, x.factory, vocab), f"{vocab.join('process', x.processes, 'ja')}"
                                f"（{vocab.join('material', x.materials, 'ja')}）") for x in a.alternatives],
                      uncovered_text(a, vocab)) for a in downs]
            pdf, pages = notice_letter(to, items, incident=incident_id, office=office, today=today, date_text=date_text)
            run.packets.append(Packet(to, "【至急】代替調達先のお知らせ", [Document("bcp_notice", to, _write(
                docs_dir, f"{incident_id}-{bid}-notice.pdf", pdf), pages, match_id=incident_id)]))
    if reply_form is not None:
        _record_reply_slips(ws, reply_form, [d for d in run.documents if d.kind == "reply_slip"])
    finish_batch(run, office, date_text, docs_dir, today)
    at = store_db.now()
    with transaction(ws) as conn:
        for p in run.packets:
            main_doc = next(d for d in p.documents if d.kind.startswith("bcp_"))
            kind = main_doc.kind.removeprefix("bcp_")
            conn.execute("INSERT INTO bcp_sent (incident_id, kind, respondent_id, channel, replaces, path, batch_path,"
                         " pages, printed_at) VALUES (?,?,?,?,?,?,?,?,?)",
                         (incident_id, kind, p.to.id, p.to.channel, json.dumps(replaces[(kind, p.to.id)]),
                          str(main_doc.path), str(run.batch),
                          p.pages, at))
    return run
