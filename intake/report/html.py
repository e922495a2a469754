"""The self-contained HTML page: inline CSS, charts as inline SVG (text as paths), no scripts, no
links to anything outside the file, so it opens on an office PC with no internet."""

from __future__ import annotations

from html import escape
from pathlib import Path

from intake.report import charts
from intake.report.figures import FORM_LABELS, QUALITY_LABELS, ReportData, public_due, risk_rows, status_rows
from intake.report.text import INTERNAL_MARK, PUBLIC_MARK, SECTIONS, WITHHELD, cover_meta, names_cell, short_date

CSS = """
body{font-family:"IPAexGothic","Yu Gothic","Meiryo",sans-serif;color:#1b1b1b;max-width:860px;margin:0 auto;
 padding:24px 28px 60px;line-height:1.6}
h1{color:#1f3a5f;font-size:1.45em;border-bottom:2px solid #1f3a5f;padding-bottom:4px;margin-top:2.2em}
h2{color:#1f3a5f;font-size:1.1em;margin:1.4em 0 .4em}
.cover h1{font-size:2.2em;border:none;margin:.2em 0}
.kicker{color:#666;font-size:1.1em;margin-top:2em}
.mark{position:fixed;top:10px;right:14px;color:#b3261e;border:1.5px solid #b3261e;padding:1px 8px;
 font-weight:bold;background:#fff}
.mark.public{color:#666;border-color:#999;font-weight:normal}
.reading{background:#eef3f9;border-left:6px solid #1f3a5f;padding:6px 12px;margin:.6em 0}
.summary{display:grid;grid-template-columns:repeat(5,1fr);border:2px solid #1f3a5f;background:#eef3f9}
.summary div{padding:10px 4px;text-align:center;border-right:1px solid #b8c4d2;border-bottom:1px solid #b8c4d2}
.summary b{display:block;font-size:1.45em;color:#1f3a5f}
.summary span{font-size:.8em;color:#444}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:.4em 0}
th{background:#1f3a5f;color:#fff;font-weight:normal;text-align:left;padding:3px 6px}
td{border-bottom:1px solid #b8c4d2;padding:3px 6px}
tr:nth-child(even) td{background:#f7f9fc}
td.n{text-align:right}
tr.total td{background:#eef3f9;border-top:2px solid #1f3a5f}
.meta td:first-child{width:7em;color:#555}
.note{color:#555;font-size:.8em}
.chart svg{max-width:100%;height:auto}
@media print{.mark{position:fixed}h1{page-break-before:always}.cover h1{page-break-before:avoid}}
"""


def _table(header, rows, numeric=frozenset(), total_row=False, cls="") -> str:
    out = [f'<table class="{cls}">' if cls else "<table>", "<tr>"
           + "".join(f"<th>{escape(str(h))}</th>" for h in header) + "</tr>"]
    for i, r in enumerate(rows):
        last = total_row and i == len(rows) - 1
        cells = "".join(
            f'<td class="n">{v:,}</td>' if isinstance(v, (int, float)) else
            (f'<td class="n">{escape(str(v))}</td>' if j in numeric else f"<td>{escape(str(v))}</td>")
            for j, v in enumerate(r))
        out.append(f'<tr class="total">{cells}</tr>' if last else f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _reading(text) -> str:
    return f'<p class="reading">{escape(text)}</p>'


def _chart(fig, alt: str) -> str:
    return f'<div class="chart" role="img" aria-label="{escape(alt)}">{charts.svg(fig)}</div>'


def render(d: ReportData) -> str:
    mark = PUBLIC_MARK if d.public else INTERNAL_MARK
    r, c, co, f, q = d.response, d.capabilities, d.collaboration, d.funnel, d.quality
    h = ["<!DOCTYPE html>", '<html lang="ja"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f"<title>{escape(d.title)}（{escape(mark)}）</title>", f"<style>{CSS}</style></head><body>",
         f'<div class="mark{" public" if d.public else ""}">{escape(mark)}</div>',
         '<section class="cover"><p class="kicker">ものづくり企業 実態調査</p><h1>見える化レポート</h1>',
         "<p>地域のものづくりの「できること」「空いている設備」「つながり」を一覧にしました。</p>",
         _table(["", ""], [list(row) for row in cover_meta(d)], cls="meta").replace("<tr><th></th><th></th></tr>", ""),
         "<h2>主な数字</h2>", '<div class="summary">'
         + "".join(f"<div><b>{escape(v)}</b><span>{escape(k)}</span></div>" for k, v in d.summary) + "</div>",
         "<h2>目次</h2><ol>" + "".join(f"<li>{escape(t.split('. ', 1)[1])}</li>" for t in SECTIONS.values())
         + "</ol></section>"]

    # 1 response
    h += [f"<h1>{escape(SECTIONS['response'])}</h1>", _reading(r.reading),
          _chart(charts.response_by_prefecture(r), "県別の回答状況"), "<h2>県・市町村別（実態調査票）</h2>"]
    rows = []
    for p in r.by_prefecture:
        rows.append([p.prefecture, "（県計）", p.sent, p.returned, p.pending, f"{round(p.rate * 100)}%"])
        rows += [["", m.municipality, m.sent, m.returned, m.pending, f"{round(m.rate * 100)}%"]
                 for m in r.by_municipality if m.prefecture == p.prefecture]
    rows.append(["合計", "", r.sent, r.returned, r.pending, f"{round(r.returned / r.sent * 100) if r.sent else 0}%"])
    h.append(_table(["都道府県", "市町村", "送付", "回答", "未回答", "回答率"], rows, {5}, total_row=True))
    if r.by_form:
        h += ["<h2>様式別（マッチング以外で送付したもの）</h2>",
              _table(["様式", "送付", "回答", "未回答"],
                     [[FORM_LABELS.get(k, k), s, n, s - n] for k, (s, n) in r.by_form.items()])]
    h.append(f"<h2>督促の対象（送付から{r.reminder_days}日以上未回答：{len(r.due)}社）</h2>")
    if d.public:
        h += [_table(["都道府県", "市町村", "督促対象"], public_due(r)),
              '<p class="note">公開版では督促対象の企業名を載せていません。</p>']
    elif r.due:
        h.append(_table(["No.", "企業名", "都道府県", "市町村", "最終送付日", "経過日数"],
                        [[i + 1, x.name or x.respondent_id, x.prefecture, x.municipality, x.last_sent, f"{x.days}日"]
                         for i, x in enumerate(r.due)], {5}))

    # 2 capabilities
    h += [f"<h1>{escape(SECTIONS['capabilities'])}</h1>", _reading(c.reading), "<h2>加工・工程 × 都道府県</h2>",
          _chart(charts.capability_heatmap(c), "加工と都道府県のヒートマップ"),
          _table(["加工・工程"] + c.prefectures + ["計"],
                 [[t.label] + [c.matrix.get(t.key, {}).get(p, 0) for p in c.prefectures] + [t.count]
                  for t in c.processes]),
          "<h2>材質・対応ロット・認証</h2>", _reading(c.reading_other),
          _chart(charts.capability_bars(c), "材質・ロット・認証")]

    # 3 collaboration
    h += [f"<h1>{escape(SECTIONS['collaboration'])}</h1>", _reading(co.reading_idle),
          _chart(charts.collaboration(co, c.prefectures), "遊休設備と連携の関心"),
          f"<h2>貸し出せる遊休設備（{co.idle_total}社）</h2>",
          _table(["都道府県", "市町村", "企業名", "設備"],
                 [[x.prefecture, x.municipality, x.name, x.machines] for x in co.idle_listed])]
    if co.idle_withheld:
        h.append(f'<p class="note">{escape(WITHHELD.format(n=co.idle_withheld))}</p>')
    h += ["<h2>連携のまとまり（グループの機会）</h2>", _reading(co.reading_groups),
          _table(["連携", "地域", "社数", "参加企業" + ("（同意企業のみ）" if d.public else ""), "状態"],
                 [[g.interest, g.region, g.members, names_cell(g.names, g.members),
                   "マッチングで結成" if g.source == "matching" else "候補"] for g in co.groups])]
    if co.candidates > len([g for g in co.groups if g.source == "candidate"]):
        h.append(f'<p class="note">候補は全{co.candidates}件。社数の多い順に上位を載せています。</p>')

    # 4 funnel
    h += [f"<h1>{escape(SECTIONS['funnel'])}</h1>", _reading(f.reading), _chart(charts.funnel(f), "紹介の段階"),
          _table(["段階", "件数"], [[s.label, s.count] for s in f.stages] + [["見送り（却下）", f.rejected]]),
          f"<h2>依頼の一覧（{f.requests}件）</h2>",
          _table(["No.", "依頼者" if not d.public else "都道府県", "必要な加工", "候補", "到達段階"],
                 [[x.request_id, x.requester if not d.public else x.prefecture, x.processes, x.matches, x.furthest]
                  for x in f.rows])]
    if f.events:
        h += ["<h2>商談会の成果</h2>", _reading(f.events_reading),
              _table(["段階", "件数"], [[s.label, s.count] for s in f.events])]

    # 5 quality
    h += [f"<h1>{escape(SECTIONS['quality'])}</h1>", _reading(q.reading), _chart(charts.quality(q), "データ品質"),
          "<h2>読み取った項目</h2>",
          _table(["区分", "項目数"], [[QUALITY_LABELS[k], q.fields.get(k, 0)] for k in QUALITY_LABELS]
                 + [["合計", q.fields.get("total", 0)]], total_row=True),
          "<h2>ページ・ファイル・提出の状態（intake status と同じ集計）</h2>",
          _table(["対象", "状態", "件数"],
                 status_rows(q))]

    # 6 risk
    h += [f"<h1>{escape(SECTIONS['risk'])}</h1>", _reading(d.risk.reading),
          _table(["加工", "都道府県・材質", "対応社数", "対応企業（同意企業）", "依存する発注元"], risk_rows(d.risk), {2, 4})]
    if d.risk.total > len(d.risk.rows):
        h.append(f'<p class="note">全{d.risk.total}件のうち、依存する発注元の多い順に{len(d.risk.rows)}件を載せています。</p>')
    h += [          f'<p class="note">{escape(d.title)}　{escape(short_date(d.as_of))}　{escape(mark)}</p>',
          "</body></html>"]
    return "\n".join(h)


def write_html(d: ReportData, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(d), encoding="utf-8")
    return out
