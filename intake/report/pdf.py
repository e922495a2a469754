"""The A4 PDF: cover with key numbers, then one section per topic (reading, chart, table).

reportlab with IPAex Gothic/Mincho registered as TrueType fonts, so every font is embedded. Charts
are matplotlib PNGs at 200 dpi. Every page carries the 内部資料 mark unless the report is public.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from intake.render import fonts
from intake.report import charts
from intake.report.figures import FORM_LABELS, QUALITY_LABELS, ReportData, public_due, risk_rows, status_rows
from intake.report.text import INTERNAL_MARK, PUBLIC_MARK, SECTIONS, WITHHELD, cover_meta, names_cell, short_date

NAVY = colors.HexColor("#1f3a5f")
PALE = colors.HexColor("#eef3f9")
LINE = colors.HexColor("#b8c4d2")
RED = colors.HexColor("#b3261e")
WIDTH = 170 * mm


def _styles():
    g, m = fonts.GOTHIC, fonts.MINCHO
    base = dict(fontName=g, wordWrap="CJK")
    return {
        "h1": ParagraphStyle("h1", fontSize=15, leading=20, textColor=NAVY, spaceBefore=2, spaceAfter=4, **base),
        "h2": ParagraphStyle("h2", fontSize=11.5, leading=15, textColor=NAVY, spaceBefore=8, spaceAfter=3, **base),
        "body": ParagraphStyle("body", fontName=m, fontSize=9.5, leading=14, wordWrap="CJK"),
        "reading": ParagraphStyle("reading", fontSize=10, leading=15, textColor=colors.black, **base),
        "cell": ParagraphStyle("cell", fontSize=8, leading=10.5, **base),
        "head": ParagraphStyle("head", fontSize=8, leading=10.5, textColor=colors.white, **base),
        "note": ParagraphStyle("note", fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"), **base),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _reading(text: str, st) -> Table:
    """The one-line reading of a section: a tinted box with a bar on the left."""
    t = Table([[_p("読み取り", st["head"]), _p(text, st["reading"])]], colWidths=[18 * mm, WIDTH - 18 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.GOTHIC),
        ("BACKGROUND", (0, 0), (0, 0), NAVY), ("BACKGROUND", (1, 0), (1, 0), PALE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return t


def _table(header: list[str], rows: list[list], widths_mm: list[float], st, numeric: set[int] = frozenset(),
           total_row: bool = False) -> Table:
    right = ParagraphStyle("headr", parent=st["head"], alignment=2)
    data = [[_p(h, right if i in numeric else st["head"]) for i, h in enumerate(header)]]
    for r in rows:
        data.append([_p(v, st["cell"]) if not isinstance(v, (int, float)) else _p(f"{v:,}", st["cell"]) for v in r])
    t = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    style = [("FONTNAME", (0, 0), (-1, -1), fonts.GOTHIC), ("BACKGROUND", (0, 0), (-1, 0), NAVY),
             ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    for i in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f7f9fc")))
    if total_row:
        style += [("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), PALE),
                  ("LINEABOVE", (0, len(data) - 1), (-1, len(data) - 1), 0.8, NAVY)]
    t.setStyle(TableStyle(style))
    for r in data[1:]:
        for i in numeric:
            r[i].style = ParagraphStyle("num", parent=st["cell"], alignment=2)
    return t


def _chart(fig) -> Image:
    data = charts.png(fig)
    from PIL import Image as PILImage

    w, h = PILImage.open(io.BytesIO(data)).size
    width = min(WIDTH, w / 200 * 25.4 * mm)
    return Image(io.BytesIO(data), width=width, height=width * h / w)


def _cover(d: ReportData, st) -> list:
    out = [Spacer(1, 28 * mm),
           _p("ものづくり企業 実態調査", ParagraphStyle("k", parent=st["h2"], fontSize=14, textColor=colors.grey)),
           _p("見える化レポート", ParagraphStyle("t", parent=st["h1"], fontSize=30, leading=38)),
           Spacer(1, 4 * mm),
           _p("地域のものづくりの「できること」「空いている設備」「つながり」を一覧にしました。", st["body"]),
           Spacer(1, 10 * mm)]
    meta = cover_meta(d)
    t = Table([[_p(a, st["cell"]), _p(b, st["reading"])] for a, b in meta], colWidths=[24 * mm, WIDTH - 24 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.GOTHIC),
                           ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    out += [t, Spacer(1, 10 * mm), _p("主な数字", st["h2"])]
    big = ParagraphStyle("big", parent=st["h1"], fontSize=17, leading=21, alignment=1, spaceBefore=0, spaceAfter=0)
    small = ParagraphStyle("small", parent=st["cell"], alignment=1, textColor=colors.HexColor("#444444"))
    cells = [[_p(v, big), _p(k, small)] for k, v in d.summary]
    rows = []
    for i in range(0, len(cells), 5):
        chunk = cells[i:i + 5] + [["", ""]] * (5 - len(cells[i:i + 5]))
        rows.append([c[0] for c in chunk])
        rows.append([c[1] for c in chunk])
    box = Table(rows, colWidths=[WIDTH / 5] * 5)
    style = [("FONTNAME", (0, 0), (-1, -1), fonts.GOTHIC), ("BOX", (0, 0), (-1, -1), 1.2, NAVY),
             ("BACKGROUND", (0, 0), (-1, -1), PALE),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 5),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
    for r in range(0, len(rows), 2):
        style.append(("TOPPADDING", (0, r), (-1, r), 9))
        style.append(("BOTTOMPADDING", (0, r + 1), (-1, r + 1), 9))
        if r:
            style.append(("LINEABOVE", (0, r), (-1, r), 0.4, LINE))
    for c in range(1, 5):
        style.append(("LINEBEFORE", (c, 0), (c, -1), 0.4, LINE))
    box.setStyle(TableStyle(style))
    out += [box, Spacer(1, 10 * mm), _p("目次", st["h2"])]
    for title in SECTIONS.values():
        out.append(_p(title, st["body"]))
    out.append(PageBreak())
    return out


def _response(d: ReportData, st) -> list:
    r = d.response
    out = [_p(SECTIONS["response"], st["h1"]), _reading(r.reading, st), Spacer(1, 3 * mm),
           _chart(charts.response_by_prefecture(r)), _p("県・市町村別（実態調査票）", st["h2"])]
    rows = []
    for p in r.by_prefecture:
        rows.append([p.prefecture, "（県計）", p.sent, p.returned, p.pending, f"{round(p.rate * 100)}%"])
        for m in r.by_municipality:
            if m.prefecture == p.prefecture:
                rows.append(["", m.municipality, m.sent, m.returned, m.pending, f"{round(m.rate * 100)}%"])
    rows.append(["合計", "", r.sent, r.returned, r.pending, f"{round(r.returned / r.sent * 100) if r.sent else 0}%"])
    out.append(_table(["都道府県", "市町村", "送付", "回答", "未回答", "回答率"], rows, [30, 50, 22, 22, 22, 24], st,
                      numeric={2, 3, 4, 5}, total_row=True))
    if r.by_form:
        out += [_p("様式別（マッチング以外で送付したもの）", st["h2"]),
                _table(["様式", "送付", "回答", "未回答"],
                       [[FORM_LABELS.get(f, f), s, n, s - n] for f, (s, n) in r.by_form.items()],
                       [70, 30, 30, 30], st, numeric={1, 2, 3})]
    out += [CondPageBreak(40 * mm), _p(f"督促の対象（送付から{r.reminder_days}日以上未回答：{len(r.due)}社）", st["h2"])]
    if d.public:
        out.append(_table(["都道府県", "市町村", "督促対象"], public_due(r),
                          [40, 60, 30], st, numeric={2}))
        out.append(_p("公開版では督促対象の企業名を載せていません。", st["note"]))
    elif r.due:
        out.append(_table(["No.", "企業名", "都道府県", "市町村", "最終送付日", "経過日数"],
                          [[i + 1, x.name or x.respondent_id, x.prefecture, x.municipality, x.last_sent, f"{x.days}日"]
                           for i, x in enumerate(r.due)], [12, 62, 24, 32, 24, 16], st, numeric={0, 5}))
    else:
        out.append(_p("督促の対象はありません。", st["body"]))
    out.append(PageBreak())
    return out


def _capabilities(d: ReportData, st) -> list:
    c = d.capabilities
    return [_p(SECTIONS["capabilities"], st["h1"]), _reading(c.reading, st), Spacer(1, 3 * mm),
            _p("加工・工程 × 都道府県", st["h2"]), _chart(charts.capability_heatmap(c)),
            KeepTogether([_p("材質・対応ロット・認証", st["h2"]), _reading(c.reading_other, st), Spacer(1, 2 * mm),
                          _chart(charts.capability_bars(c))]),
            PageBreak()]


def _collaboration(d: ReportData, st) -> list:
    co = d.collaboration
    out = [_p(SECTIONS["collaboration"], st["h1"]), _reading(co.reading_idle, st), Spacer(1, 3 * mm),
           _chart(charts.collaboration(co, d.capabilities.prefectures)),
           _p(f"貸し出せる遊休設備（{co.idle_total}社）", st["h2"])]
    if co.idle_listed:
        out.append(_table(["都道府県", "市町村", "企業名", "設備"],
                          [[x.prefecture, x.municipality, x.name, x.machines] for x in co.idle_listed],
                          [22, 30, 56, 62], st))
    if co.idle_withheld:
        out.append(_p(WITHHELD.format(n=co.idle_withheld), st["note"]))
    out += [CondPageBreak(50 * mm), _p("連携のまとまり（グループの機会）", st["h2"]), _reading(co.reading_groups, st),
            Spacer(1, 2 * mm)]
    if co.groups:
        rows = [[g.interest, g.region, g.members, names_cell(g.names, g.members),
                 "マッチングで結成" if g.source == "matching" else "候補"] for g in co.groups]
        out.append(_table(["連携", "地域", "社数", "参加企業" + ("（同意企業のみ）" if d.public else ""), "状態"], rows,
                          [22, 32, 12, 78, 26], st, numeric={2}))
        if co.candidates > len([g for g in co.groups if g.source == "candidate"]):
            out.append(_p(f"候補は全{co.candidates}件。社数の多い順に上位を載せています。", st["note"]))
    out.append(PageBreak())
    return out


def _funnel(d: ReportData, st) -> list:
    f = d.funnel
    out = [_p(SECTIONS["funnel"], st["h1"]), _reading(f.reading, st), Spacer(1, 3 * mm), _chart(charts.funnel(f)),
           _p(f"見送り（却下）{f.rejected}件。グループ連携の提案{f.groups.get('proposed', 0)}件、"
              f"うち承認{f.groups.get('approved', 0)}件。", st["note"]),
           _p(f"依頼の一覧（{f.requests}件）", st["h2"])]
    if f.rows:
        out.append(_table(["No.", "依頼者" if not d.public else "都道府県", "必要な加工", "候補", "到達段階"],
                          [[x.request_id, x.requester if not d.public else x.prefecture, x.processes, x.matches,
                            x.furthest] for x in f.rows], [12, 60, 50, 16, 32], st, numeric={0, 3}))
    if f.events:
        out += [_p("商談会の成果", st["h2"]), _reading(f.events_reading, st),
                _table(["段階", "件数"], [[s.label, s.count] for s in f.events], [60, 30], st, numeric={1})]
    out.append(PageBreak())
    return out


def _quality(d: ReportData, st) -> list:
    q = d.quality
    rows = [[QUALITY_LABELS[k], q.fields.get(k, 0)] for k in QUALITY_LABELS]
    rows.append(["合計", q.fields.get("total", 0)])
    other = status_rows(q)
    return [_p(SECTIONS["quality"], st["h1"]), _reading(q.reading, st), Spacer(1, 3 * mm), _chart(charts.quality(q)),
            _p("読み取った項目", st["h2"]),
            _table(["区分", "項目数"], rows, [100, 40], st, numeric={1}, total_row=True),
            _p(f"自動読取の内訳：OCR {q.fields.get('automatic_ocr', 0)}項目、"
               f"PDFフォーム {q.fields.get('automatic_acroform', 0)}項目", st["note"]),
            _p("ページ・ファイル・提出の状態（intake status と同じ集計）", st["h2"]),
            _table(["対象", "状態", "件数"], other, [30, 110, 30], st, numeric={2})]


def _risk(d: ReportData, st) -> list:
    k = d.risk
    out = [PageBreak(), _p(SECTIONS["risk"], st["h1"]), _reading(k.reading, st), Spacer(1, 3 * mm)]
    if k.rows:
        out.append(_table(["加工", "都道府県・材質", "対応社数", "対応企業（同意企業）", "依存する発注元"], risk_rows(k),
                          [24, 30, 18, 74, 24], st, numeric={2, 4}))
        if k.total > len(k.rows):
            out.append(_p(f"全{k.total}件のうち、依存する発注元の多い順に{len(k.rows)}件を載せています。", st["note"]))
    return out


def write_pdf(d: ReportData, out: Path) -> Path:
    fonts.register()
    st = _styles()
    mark = PUBLIC_MARK if d.public else INTERNAL_MARK

    def decorate(canvas, doc):
        canvas.saveState()
        w, h = A4
        if d.public:
            canvas.setFont(fonts.GOTHIC, 8)
            canvas.setFillColor(colors.grey)
            canvas.drawRightString(w - 20 * mm, h - 12 * mm, mark)
        else:  # a framed red stamp, top right of every page
            canvas.setFont(fonts.GOTHIC, 11)
            canvas.setFillColor(RED)
            canvas.setStrokeColor(RED)
            tw = fonts.width(mark, fonts.GOTHIC, 11)
            canvas.rect(w - 20 * mm - tw - 8, h - 14 * mm - 4, tw + 8, 17, stroke=1, fill=0)
            canvas.drawRightString(w - 20 * mm - 4, h - 14 * mm + 1, mark)
        canvas.setFont(fonts.GOTHIC, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 10 * mm, f"{d.title}　{short_date(d.as_of)}")
        canvas.drawRightString(w - 20 * mm, 10 * mm, f"{doc.page}")
        canvas.setStrokeColor(LINE)
        canvas.line(20 * mm, 13 * mm, w - 20 * mm, 13 * mm)
        canvas.restoreState()

    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=d.title, author="intake", subject=mark,
                            creator="intake report", initialFontName=fonts.GOTHIC, invariant=1)
    story = _cover(d, st) + _response(d, st) + _capabilities(d, st) + _collaboration(d, st) + _funnel(d, st) \
        + _quality(d, st) + _risk(d, st)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out
