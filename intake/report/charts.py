"""The report's charts, drawn by matplotlib with the IPAex Gothic font (no label turns into boxes).

Each function takes report figures and returns a Figure; `svg()` and `png()` serialise it. SVG keeps
text as paths, so the HTML needs no font and stays self-contained.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no display: the report is built on servers and in tests

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

from intake.report.figures import CapabilityMap, Collaboration, DataQuality, Funnel, ResponseStatus  # noqa: E402
from intake.tools.fonts import font_path  # noqa: E402

NAVY, BLUE, SKY, GREY, ORANGE = "#1f3a5f", "#3b6ea5", "#9cc3e6", "#c8ccd2", "#d9822b"
HEAT = LinearSegmentedColormap.from_list("office", ["#ffffff", "#cfe0f1", "#3b6ea5", "#1f3a5f"])


@lru_cache(maxsize=1)
def setup() -> str:
    """Register IPAex Gothic with matplotlib once; returns its family name."""
    path = str(font_path("gothic"))
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams.update({
        "font.family": name, "axes.unicode_minus": False, "svg.fonttype": "path", "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#888888",
        "axes.titlesize": 10, "axes.titleweight": "normal", "axes.titlelocation": "left",
        "svg.hashsalt": "intake-report",     # stable ids: the same data gives the same file
    })
    return name


def _fig(w_mm: float, h_mm: float):
    setup()
    return plt.figure(figsize=(w_mm / 25.4, h_mm / 25.4))


def svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]        # no XML prolog or DOCTYPE (it names a URL) inside HTML


def png(fig, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _empty(text: str = "データがまだありません"):
    fig = _fig(170, 25)
    fig.text(0.5, 0.5, text, ha="center", va="center", color="#777777", fontsize=10)
    return fig


def _hbar(ax, labels, values, color=BLUE, unit="社"):
    y = range(len(labels))[::-1]
    ax.barh(list(y), values, color=color, height=0.65)
    ax.set_yticks(list(y), labels)
    top = max(values, default=0) or 1
    for yi, v in zip(y, values):
        ax.text(v + top * 0.01, yi, f"{v}{unit}", va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)


def response_by_prefecture(r: ResponseStatus):
    if not r.by_prefecture:
        return _empty("調査票の送付記録がまだありません")
    fig = _fig(170, 20 + 9 * max(1, len(r.by_prefecture)))
    ax = fig.add_subplot()
    rows = r.by_prefecture
    y = list(range(len(rows)))[::-1]
    ax.barh(y, [x.returned for x in rows], color=NAVY, height=0.6, label="回答あり")
    ax.barh(y, [x.pending for x in rows], left=[x.returned for x in rows], color=GREY, height=0.6, label="未回答")
    top = max((x.sent for x in rows), default=1) or 1
    for yi, x in zip(y, rows):
        ax.text(x.sent + top * 0.01, yi, f"回答率 {round(x.rate * 100)}%（{x.returned}/{x.sent}社）",
                va="center", fontsize=8)
    ax.set_yticks(y, [x.prefecture for x in rows])
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("社数")
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=2, fontsize=8)
    return fig


def capability_heatmap(c: CapabilityMap):
    procs = [t for t in c.processes]
    if not c.prefectures or not procs:
        return _empty("工場の回答がまだありません")
    fig = _fig(170, 30 + 6.2 * len(procs))
    ax = fig.add_subplot()
    prefs = c.prefectures
    share = [[(c.matrix.get(t.key, {}).get(p, 0) / c.factories_by_prefecture[p]) if c.factories_by_prefecture.get(p)
              else 0 for p in prefs] for t in procs]
    ax.imshow(share, cmap=HEAT, aspect="auto", vmin=0, vmax=max(0.01, max((max(r) for r in share), default=1)))
    for i, t in enumerate(procs):
        for j, p in enumerate(prefs):
            n = c.matrix.get(t.key, {}).get(p, 0)
            dark = share[i][j] > 0.45 * max(0.01, max(max(r) for r in share))
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, color="white" if dark else "#222222")
    ax.set_xticks(range(len(prefs)), [f"{p}\n（{c.factories_by_prefecture[p]}社）" for p in prefs])
    ax.set_yticks(range(len(procs)), [t.label for t in procs])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_xticks([x - 0.5 for x in range(1, len(prefs))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(procs))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    fig.text(0.01, 0.0, "数字は対応できる工場の数、色の濃さは県内の回答工場に占める割合", fontsize=7.5, color="#555555")
    return fig


def capability_bars(c: CapabilityMap):
    groups = [("材質", c.materials), ("対応ロット", c.lots), ("認証", c.certifications)]
    fig = _fig(170, 62)
    for k, (title, ts) in enumerate(groups):
        ax = fig.add_subplot(1, 3, k + 1)
        _hbar(ax, [t.label for t in ts], [t.count for t in ts], color=[BLUE, NAVY, SKY][k])
        ax.set_title(title)
    fig.tight_layout(w_pad=2)
    return fig


def collaboration(co: Collaboration, prefectures: list[str]):
    fig = _fig(170, 62)
    ax = fig.add_subplot(1, 2, 1)
    prefs = [p for p in prefectures if p in co.idle_by_prefecture] + \
        sorted(p for p in co.idle_by_prefecture if p not in prefectures)
    _hbar(ax, prefs, [co.idle_by_prefecture[p] for p in prefs], color=ORANGE)
    ax.set_title("遊休設備の貸出申し出（県別）")
    ax = fig.add_subplot(1, 2, 2)
    _hbar(ax, [t.label for t in co.interests], [t.count for t in co.interests], color=BLUE)
    ax.set_title("関心のある連携")
    fig.tight_layout(w_pad=3)
    return fig


def funnel(f: Funnel):
    fig = _fig(170, 66)
    ax = fig.add_subplot()
    stages = f.stages
    top = max((s.count for s in stages), default=1) or 1
    y = list(range(len(stages)))[::-1]
    colors = [GREY, SKY, BLUE, BLUE, NAVY, ORANGE]
    first = stages[0].count if stages else 0
    for yi, s, col in zip(y, stages, colors):
        ax.barh(yi, s.count, left=(top - s.count) / 2, color=col, height=0.72)
        pct = f"（提案の{round(s.count / first * 100)}%）" if first and s is not stages[0] else ""
        ax.text((top + s.count) / 2 + top * 0.015, yi, f"{s.count}件{pct}", va="center", fontsize=8.5)
    ax.set_yticks(y, [s.label for s in stages])
    ax.tick_params(axis="y", length=0, labelsize=9)
    ax.set_xlim(0, top * 1.25)
    ax.xaxis.set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return fig


def quality(q: DataQuality):
    from intake.report.figures import FILE_LABELS, QUALITY_LABELS

    fig = _fig(170, 44)
    ax = fig.add_subplot(1, 2, 1)
    keys = list(QUALITY_LABELS)
    _hbar(ax, [QUALITY_LABELS[k] for k in keys], [q.fields.get(k, 0) for k in keys], color=[NAVY, SKY, ORANGE, GREY],
          unit="項目")
    ax.set_title(f"読み取った項目（{q.fields.get('total', 0):,}項目）")
    ax = fig.add_subplot(1, 2, 2)
    files = [k for k in FILE_LABELS if q.files.get(k)] + sorted(k for k in q.files if k not in FILE_LABELS)
    _hbar(ax, [FILE_LABELS.get(k, k) for k in files], [q.files[k] for k in files], color=BLUE, unit="件")
    ax.set_title("受信ファイルの行き先")
    fig.tight_layout(w_pad=3)
    return fig
