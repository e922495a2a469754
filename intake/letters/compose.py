"""The documents themselves: match letters (pair and group), fax cover sheets, confirmation
sheets, reminders. Each returns (pdf bytes, page count).

Post: the address sits in the 長3 window, date and sender to its right, fold marks in the margin.
FAX: no window; the addressee heads the page in a larger, plain layout (no fine rules or grey),
and a cover sheet (送付状) with the page count goes first.
"""

from __future__ import annotations

from intake.letters.dates import season_greeting
from intake.letters.parties import Party
from intake.letters.sheet import GOTHIC, LEFT, RIGHT, Sheet, addressee, postal

NEXT_STEP = ("まずは先方の工場をご訪問いただき、設備や品質管理の様子を直接ご覧になることをお勧めいたします。"
             "取引の信頼は、顔を合わせることから始まると考えております。訪問日程の調整など、当課でもお手伝いいたしますので、"
             "お気軽にご相談ください。")


def _head(s: Sheet, to: Party, office, date_text: str, fax: bool, ref: str) -> None:
    if fax:
        comp, pers = addressee(to.name, to.person)
        s.y = 22.0
        s.line(comp, size=13.0, font=GOTHIC, gap=1.0)
        if pers:
            s.line(pers, size=12.0, font=GOTHIC, x=LEFT + 4, gap=1.0)
        if to.fax:
            s.line(f"FAX {to.fax}", size=10.0, font=GOTHIC)
        y = s.date_and_sender(date_text, office, top=22.0, ref=ref)
        s.y = max(s.y, y) + 6.0
    else:
        s.window_address(to.postal_code, to.address, to.name, to.person, ref=f"{to.id} / {ref}")
        s.date_and_sender(date_text, office, top=20.0, ref=ref)
        s.fold_marks()
        s.y = 68.0


def _body_open(s: Sheet, today, lines: list[str]) -> None:
    s.para("拝啓　" + season_greeting(today) + "平素より県の産業振興に格別のご理解とご協力を賜り、厚く御礼申し上げます。",
           first=0.0)
    for ln in lines:
        s.para(ln, first=s.size * 0.3528)
    s.line("敬具", align="right", gap=3.0)
    s.line("記", align="center", gap=3.0)


def _close(s: Sheet, office) -> None:
    s.line("以上", align="right", gap=4.0)
    s.sender_block(office)


def match_letter(to: Party, partner: Party, *, role: str, match_id: str, office, today, date_text: str,
                 reasons: list[str], request_rows: list[tuple[str, str]], fax: bool) -> tuple[bytes, int]:
    """role: 'requester' (told about the supplier) or 'supplier' (told about the requester's need)."""
    s = Sheet(f"企業ご紹介のお知らせ {match_id} {to.id}", body_size=11.0 if fax else 10.5)
    s.footer = f"ご紹介番号 {match_id}"
    _head(s, to, office, date_text, fax, f"ご紹介番号 {match_id}")
    s.line("企業ご紹介のお知らせ", size=14.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    if role == "requester":
        intro = [f"さて、先般ご提出いただきました案件相談票につきまして、ご要望に沿うと考えられる企業として、"
                 f"下記の{partner.name}をご紹介申し上げます。",
                 "ご紹介の理由と先方の概要は下記のとおりです。つきましては、直接ご連絡をお取りいただきますよう"
                 "お願い申し上げます。先方にも貴社をご紹介する旨をお知らせしております。"]
    else:
        intro = [f"さて、このたび{partner.name}より加工のご相談をいただきました。ご回答いただいた調査票の内容から、"
                 "貴社の技術がご要望に合うと考え、下記のとおりご紹介申し上げます。",
                 "先方から貴社へご連絡を差し上げることがございますので、ご対応くださいますようお願い申し上げます。"]
    intro.append("なお、その後の状況を同封の返信票にてお知らせいただければ幸いです。")
    _body_open(s, today, intro)
    s.line("1. ご紹介先", font=GOTHIC, gap=1.0)
    contact = [("企業名", partner.name)]
    if partner.person:
        contact.append(("ご担当者", f"{partner.person} 様"))
    if partner.address:
        contact.append(("所在地", f"{postal(partner.postal_code)} {partner.address}".strip()))
    if partner.phone:
        contact.append(("電話", partner.phone))
    if partner.fax and role == "requester":
        contact.append(("FAX", partner.fax))
    s.table(contact)
    if role == "requester":
        if partner.profile:
            s.line("2. 先方の概要", font=GOTHIC, gap=1.0)
            s.table(partner.profile)
    else:
        s.line("2. ご相談の内容", font=GOTHIC, gap=1.0)
        s.table(request_rows)
    s.line("3. ご紹介の理由", font=GOTHIC, gap=1.0)
    met = [r[2:] for r in reasons if r.startswith("○")]
    unmet = [r[2:] for r in reasons if r.startswith("×")]
    for r in met:
        s.para(r, indent=5.0, hang="・", gap=0.5)
    if unmet:
        s.para("ご留意いただきたい点：", indent=5.0, gap=0.5)
        for r in unmet:
            s.para(r, indent=8.0, hang="・", gap=0.5)
    s.space(2.0)
    s.line("4. 今後の進め方", font=GOTHIC, gap=1.0)
    s.para(NEXT_STEP, indent=5.0)
    s.line("5. 同封書類", font=GOTHIC, gap=1.0)
    s.para("ご紹介結果 返信票　1枚（ご記入のうえ、FAXまたは郵送でご返送ください）", indent=5.0)
    s.line("6. お問い合わせ先", font=GOTHIC, gap=1.0)
    s.para(f"{office.department}　{office.coordinator}（TEL {office.phone}）", indent=5.0)
    _close(s, office)
    pdf = s.finish()
    return pdf, s.pages


def group_letter(to: Party, others: list[Party], *, interest_ja: str, region: str, match_id: str, office, today,
                 date_text: str, reasons: list[str], fax: bool) -> tuple[bytes, int]:
    s = Sheet(f"企業連携のご案内 {match_id} {to.id}", body_size=11.0 if fax else 10.5)
    s.footer = f"ご案内番号 {match_id}"
    _head(s, to, office, date_text, fax, f"ご案内番号 {match_id}")
    s.line(f"「{interest_ja}」に関する企業連携のご案内", size=14.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    _body_open(s, today, [
        f"さて、先般の実態調査において、貴社より「{interest_ja}」へのご関心をお寄せいただきました。"
        f"{region}内で同じご関心をお持ちの企業が下記のとおりございますので、ご案内申し上げます。",
        "各社とも情報の提供にご同意いただいております。連携の第一歩として、まずはお互いの工場をご訪問いただく機会を"
        "設けたいと考えております。同封の返信票にてご意向をお知らせください。"])
    s.line("1. 同じご関心をお持ちの企業", font=GOTHIC, gap=1.0)
    for o in others:
        rows = [("企業名", o.name)]
        if o.address:
            rows.append(("所在地", o.address))
        if o.phone:
            rows.append(("電話", o.phone))
        rows += [r for r in o.profile if r[0] in ("対応加工", "遊休設備")]
        s.table(rows)
    s.line("2. ご案内の理由", font=GOTHIC, gap=1.0)
    for r in reasons:
        s.para(r[2:] if r[:1] in "○×" else r, indent=5.0, hang="・", gap=0.5)
    s.space(2.0)
    s.line("3. 今後の進め方", font=GOTHIC, gap=1.0)
    first = ("まずは遊休設備をお持ちの企業の工場見学から始め、設備を実際にご覧いただくことをお勧めいたします。"
             if "設備" in interest_ja else
             "まずは各社の工場を相互にご訪問いただき、購入品目や数量をお話しいただくことをお勧めいたします。")
    s.para(first + "見学の日程調整は当課が承ります。", indent=5.0)
    s.line("4. 同封書類", font=GOTHIC, gap=1.0)
    s.para("返信票　1枚", indent=5.0)
    _close(s, office)
    pdf = s.finish()
    return pdf, s.pages


def fax_cover(to: Party, *, office, date_text: str, pages_total: int, subject: str, message: str) -> bytes:
    """送付状: large, plain, the page count including itself."""
    s = Sheet(f"FAX送付状 {to.id}", body_size=12.0, font=GOTHIC)
    s.y = 20.0
    s.line("FAX送付状", size=22.0, align="center", bold=True, gap=6.0)
    s.line(date_text, align="right", gap=4.0)
    comp, pers = addressee(to.name, to.person)
    s.line(comp, size=15.0, gap=1.0)
    if pers:
        s.line(pers, size=14.0, x=LEFT + 4)
    s.line(f"FAX番号：{to.fax or ''}", size=12.0, gap=6.0)
    s.line(f"{office.name} {office.department}", align="right", gap=1.0)
    s.line(f"担当：{office.coordinator}", align="right", gap=1.0)
    s.line(f"TEL {office.phone}　FAX {office.fax}", align="right", gap=6.0)
    s.rule(1.0)
    s.line(f"件名：{subject}", size=13.0, gap=3.0)
    s.line(f"送信枚数：{pages_total}枚（本紙を含む）", size=13.0, gap=3.0)
    s.rule(1.0)
    s.line("通信欄", size=12.0, gap=2.0)
    s.para(message, indent=3.0)
    s.para("万一、不鮮明な箇所や枚数の不足がございましたら、お手数ですが上記担当までご連絡ください。", indent=3.0)
    return s.finish()


def confirmation_sheet(to: Party, rows: list[tuple[str, str]], *, form_title: str, submission_id: str, office,
                       today, date_text: str, fax: bool) -> tuple[bytes, int]:
    """読み取り結果確認票: the values as recognised, with room to write corrections and fax back."""
    s = Sheet(f"読み取り結果確認票 {submission_id}", body_size=10.5, font=GOTHIC)
    s.footer = f"受付番号 {submission_id}"
    _head(s, to, office, date_text, fax, f"受付番号 {submission_id}")
    s.line("読み取り結果確認票", size=14.0, align="center", bold=True, gap=4.0)
    s.para(f"ご返送いただいた「{form_title}」を、下記のとおり読み取りました。内容に誤りがございましたら、"
           "訂正欄にご記入のうえ、本票をFAXでご返送ください。誤りがなければご返送は不要です。", first=3.7)
    s.table([(k, f"{v}　　訂正：＿＿＿＿＿＿＿＿") for k, v in rows], key_w=40.0, indent=0.0, size=9.5)
    s.sender_block(office)
    pdf = s.finish()
    return pdf, s.pages


def reminder_letter(to: Party, *, form_title: str, sent_date: str, office, today, date_text: str,
                    fax: bool) -> tuple[bytes, int]:
    """お願い状: the survey has not come back; a fresh personalised copy is enclosed."""
    s = Sheet(f"ご回答のお願い {to.id}", body_size=11.0 if fax else 10.5)
    _head(s, to, office, date_text, fax, f"{to.id}")
    s.line(f"「{form_title}」ご回答のお願い", size=14.0, align="center", font=GOTHIC, bold=True, gap=5.0)
    _body_open(s, today, [
        f"さて、{sent_date}にお送りいたしました「{form_title}」につきまして、まだご返送を確認できておりません。"
        "ご多忙のところ誠に恐縮ですが、改めて調査票をお送りいたしますので、ご記入のうえご返送くださいますよう"
        "お願い申し上げます。",
        "ご回答いただいた内容は、県内外の企業とのマッチングや支援施策の検討に活用させていただきます。"
        "なお、本状と行き違いにご返送いただいている場合は、何卒ご容赦ください。"])
    s.table([("同封書類", f"{form_title}（貴社専用）"), ("ご返送方法", f"FAX {office.fax} または同封の調査票を郵送")])
    _close(s, office)
    pdf = s.finish()
    return pdf, s.pages
