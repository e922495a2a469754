"""Every figure the report shows, gathered once into plain data the PDF and HTML renderers consume.

Counts come from SQL (intake.store.queries, the same questions `intake status` asks); the renderers
never query. `public=True` removes the names of factories that did not consent to sharing (and of
anyone whose consent is unknown: respondents who never answered, requesters) from every list; they
still count in every number.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from intake.report.regions import UNKNOWN, locate
from intake.store import queries
from intake.store.db import open_db
from intake.workspace import Workspace

SURVEY = "survey"
REQUEST = "request"
GROUP_MIN = 3            # factories in one municipality sharing an interest make a group opportunity
RISK_MAX = 2             # a capability offered by at most this many consenting factories is a risk
RISK_LIST = 20           # risks listed (the most relied-on first); the rest are counted
GROUP_LIST = 12          # candidate groups listed by name (the largest); the rest are counted
CAPABILITY_FIELDS = {"process": "processes", "material": "materials", "lot": "lot_sizes",
                     "certification": "certifications", "interest": "interests"}
FUNNEL_LABELS = {"proposed": "提案", "approved": "承認", "sent": "紹介状送付", "replied": "返信受領",
                 "visited": "工場見学", "trial_order": "試作発注"}
QUALITY_LABELS = {"automatic": "自動読取のまま確定", "confirmed": "職員が確認（修正なし）",
                  "corrected": "職員が修正", "awaiting": "確認待ち"}
FILE_LABELS = {"archived": "保管", "quarantined": "隔離", "duplicate": "重複", "requeued": "再投入",
               "processing": "処理中"}
PAGE_LABELS = {"identified": "識別済み", "unidentified": "識別不能", "foreign": "対象外", "duplicate": "重複"}
SUBMISSION_LABELS = {"accepted": "確定", "needs_review": "要確認", "incomplete": "未完"}
QUARANTINE_LABELS = {"not_our_form": "当所の様式ではない", "unidentified": "様式を識別できない",
                     "corrupt": "壊れたファイル", "empty": "空のファイル", "encrypted": "暗号化されたPDF",
                     "timeout": "処理の時間切れ", "too_large": "大きすぎる", "too_many_pages": "ページ数が多すぎる",
                     "unsupported": "対応していない形式", "recognition_failed": "読み取りに失敗"}
FORM_LABELS = {"survey": "実態調査票", "request": "依頼票", "reply-slip": "返信票"}


@dataclass
class RegionRow:
    prefecture: str
    municipality: str | None        # None: a prefecture total
    sent: int
    returned: int

    @property
    def pending(self) -> int:
        return self.sent - self.returned

    @property
    def rate(self) -> float:
        return self.returned / self.sent if self.sent else 0.0


@dataclass
class DueRow:
    respondent_id: str
    name: str | None                # None in the public version
    prefecture: str
    municipality: str
    last_sent: str                  # ISO date
    days: int


@dataclass
class ResponseStatus:
    sent: int
    returned: int
    by_prefecture: list[RegionRow]
    by_municipality: list[RegionRow]
    by_form: dict[str, tuple[int, int]]      # form -> (sent, returned), forms sent outside matches
    reminder_days: int
    due: list[DueRow]
    reading: str

    @property
    def pending(self) -> int:
        return self.sent - self.returned


@dataclass
class Tally:
    key: str
    label: str
    count: int


@dataclass
class CapabilityMap:
    factories: int
    prefectures: list[str]                    # heat-map columns
    factories_by_prefecture: dict[str, int]
    processes: list[Tally]                    # totals, form order
    matrix: dict[str, dict[str, int]]         # process key -> prefecture -> factories
    materials: list[Tally]
    lots: list[Tally]
    certifications: list[Tally]
    reading: str
    reading_other: str


@dataclass
class IdleRow:
    prefecture: str
    municipality: str
    name: str
    machines: str


@dataclass
class GroupRow:
    interest: str                   # label
    region: str
    members: int
    names: list[str]                # the members one may name
    source: str                     # "matching" (match_groups) | "candidate" (computed here)


@dataclass
class Collaboration:
    idle_total: int
    idle_by_prefecture: dict[str, int]
    idle_listed: list[IdleRow]
    idle_withheld: int              # offered by factories not named here
    interests: list[Tally]
    interest_by_prefecture: dict[str, dict[str, int]]   # interest key -> prefecture -> factories
    groups: list[GroupRow]          # formed by matching, then the largest candidates
    candidates: int                 # candidate groups in all (listed or not)
    reading_idle: str
    reading_groups: str


@dataclass
class RequestRow:
    request_id: int
    requester: str | None           # None in the public version
    prefecture: str
    processes: str
    matches: int
    furthest: str                   # label of the furthest funnel stage reached


@dataclass
class Funnel:
    requests: int
    stages: list[Tally]             # pair matches at each stage, in order
    rejected: int
    groups: dict[str, int]          # group matches at each stage
    rows: list[RequestRow]
    reading: str
    events: list[Tally] = field(default_factory=list)    # matching events → meetings → visits → trial orders
    events_reading: str = ""


@dataclass
class DataQuality:
    fields: dict[str, int]          # queries.field_quality
    files: dict[str, int]           # status_counts().files
    pages: dict[str, int]           # status_counts().pages
    submissions: dict[str, int]
    quarantine_reasons: dict[str, int]
    reading: str

    @property
    def pages_unidentified(self) -> int:
        return self.pages.get("unidentified", 0)

    @property
    def files_quarantined(self) -> int:
        return self.files.get("quarantined", 0)


@dataclass
class RiskRow:
    """A capability only one or two consenting factories offer: the network's single points of failure."""
    process: str                    # label
    where: str                      # a prefecture (process × prefecture) or a material label (process × material)
    axis: str                       # "prefecture" | "material"
    providers: int
    names: list[str]                # consenting factories: their names may be shown
    buyers: int                     # distinct buyers relying on one of them for this capability


@dataclass
class Risk:
    rows: list[RiskRow]             # the most relied-on first, at most RISK_LIST
    total: int                      # such capabilities in all
    reading: str


@dataclass
class ReportData:
    title: str
    office: str | None              # the issuing office, from <workspace>/office.yaml when it names one
    as_of: date
    period: tuple[date | None, date]
    public: bool
    response: ResponseStatus
    capabilities: CapabilityMap
    collaboration: Collaboration
    funnel: Funnel
    quality: DataQuality
    risk: Risk | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)   # (label, value) for the cover


# --- helpers -----------------------------------------------------------------------------------

def _labels(ws: Workspace) -> dict[str, dict[str, str]]:
    """capability kind -> option key -> Japanese label, from the survey definition."""
    from intake.form.loader import load_forms

    out: dict[str, dict[str, str]] = {k: {} for k in CAPABILITY_FIELDS}
    try:
        survey = load_forms(ws.forms_path()).get(SURVEY)
    except Exception:  # a broken definition must not stop the report: keys stand in for labels
        survey = None
    if survey is not None:
        for kind, key in CAPABILITY_FIELDS.items():
            try:
                out[kind] = {o.key: o.label.ja for o in survey.field(key).options}
            except KeyError:
                pass
    return out


def _tallies(counts: Counter, labels: dict[str, str]) -> list[Tally]:
    order = list(labels) + sorted(k for k in counts if k not in labels)
    # every option of the form (a zero is news too), except the "none" answers sync never stores
    return [Tally(k, labels.get(k, k), counts.get(k, 0)) for k in order if k != "none" or counts.get(k)]


def _day(iso: str | None) -> date | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        return None


def risk_rows(k: "Risk") -> list[list]:
    """The risk table's rows (PDF and HTML show the same)."""
    from intake.report.text import names_cell

    return [[r.process, r.where, r.providers, names_cell(r.names, r.providers), r.buyers] for r in k.rows]


def status_rows(q: "DataQuality") -> list[list]:
    """(what, state label, count) rows of the status table, in a fixed order, as `intake status` counts them."""
    def rows(what, counts, labels, show_code=False):
        keys = [k for k in labels if k in counts] + sorted(k for k in counts if k not in labels)
        return [[what, (f"{labels[k]}（{k}）" if show_code else labels[k]) if k in labels else k, counts[k]]
                for k in keys]
    return (rows("ページ", q.pages, PAGE_LABELS) + rows("ファイル", q.files, FILE_LABELS)
            + rows("提出", q.submissions, SUBMISSION_LABELS)
            + rows("隔離の理由", q.quarantine_reasons, QUARANTINE_LABELS, show_code=True))


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def _pref_order(prefs) -> list[str]:
    from intake.validate.prefectures import BY_NAME

    return sorted(set(prefs), key=lambda p: (BY_NAME[p].code if p in BY_NAME else "99", p))


# --- sections ------------------------------------------------------------------------------------

def _response(conn, ws, public: bool, as_of: date, reminder_days: int, where) -> ResponseStatus:
    names = dict(conn.execute("SELECT id, name FROM respondents"))
    shared = {r[0] for r in conn.execute("SELECT id FROM factories WHERE shares_profile=1")}
    pref_rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    muni_rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    due = []
    sent = returned = 0
    for rid, _first, last, ret in queries.sent_without_match(conn, SURVEY):
        pref, muni = where(rid)
        sent += 1
        returned += ret
        for acc in (pref_rows[pref], muni_rows[(pref, muni)]):
            acc[0] += 1
            acc[1] += ret
        last_day = _day(last)
        if not ret and last_day is not None and (as_of - last_day).days >= reminder_days:
            name = names.get(rid) if (not public or rid in shared) else None
            due.append(DueRow(rid, name, pref, muni, last_day.isoformat(), (as_of - last_day).days))
    by_pref = [RegionRow(p, None, *pref_rows[p]) for p in _pref_order(pref_rows)]
    by_muni = [RegionRow(p, m, *muni_rows[(p, m)])
               for p in _pref_order(pref_rows) for m in sorted(m for q, m in muni_rows if q == p)]
    due.sort(key=lambda d: (-d.days, d.prefecture, d.municipality, d.respondent_id))
    by_form = {}
    for form in [r[0] for r in conn.execute(
            "SELECT DISTINCT form FROM sent_forms WHERE match_id IS NULL ORDER BY form")]:
        rows = queries.sent_without_match(conn, form)
        by_form[form] = (len(rows), sum(r[3] for r in rows))
    if sent:
        ranked = [r for r in by_pref if r.sent]
        best = max(ranked, key=lambda r: (r.rate, r.sent))
        worst = min(ranked, key=lambda r: (r.rate, -r.sent))
        reading = (f"調査票{sent}社に送付し{returned}社が回答（回答率{_pct(returned / sent)}）。"
                   f"回答率は{best.prefecture}が最も高く{_pct(best.rate)}"
                   + (f"、{worst.prefecture}が最も低く{_pct(worst.rate)}。" if worst is not best else "。")
                   + f"送付から{reminder_days}日以上未回答の{len(due)}社が督促の対象です。")
    else:
        reading = "調査票の送付記録はまだありません。"
    return ResponseStatus(sent, returned, by_pref, by_muni, by_form, reminder_days, due, reading)


def _capabilities(conn, labels, factories) -> CapabilityMap:
    caps = defaultdict(set)          # (kind, value) -> factory ids
    for fid, kind, value in conn.execute("SELECT factory_id, kind, value FROM capabilities"):
        caps[(kind, value)].add(fid)
    by_pref = Counter(f["prefecture"] for f in factories.values())
    prefs = _pref_order(by_pref)

    def tally(kind):
        return _tallies(Counter({v: len(ids) for (k, v), ids in caps.items() if k == kind}), labels[kind])

    matrix = {}
    for (kind, value), ids in caps.items():
        if kind == "process":
            matrix[value] = dict(Counter(factories[i]["prefecture"] for i in ids if i in factories))
    processes = tally("process")
    materials, lots, certs = tally("material"), tally("lot"), tally("certification")
    reading = other = "工場の回答がまだありません。"
    if factories and processes:
        top = max(processes, key=lambda t: t.count)
        share = {p: matrix.get(top.key, {}).get(p, 0) / n for p, n in by_pref.items() if n}
        lead = max(share, key=share.get) if share else UNKNOWN
        reading = (f"回答{len(factories)}社で最も多い加工は{top.label}（{top.count}社）。"
                   f"{top.label}の対応社の割合は{lead}が最も高く{_pct(share.get(lead, 0))}です。")
        parts = []
        for name, ts in (("材質", materials), ("ロット", lots), ("認証", certs)):
            ts = [t for t in ts if t.count]
            if ts:
                t = max(ts, key=lambda t: t.count)
                parts.append(f"{name}は{t.label}（{t.count}社）")
        other = "、".join(parts) + "が最多です。" if parts else other
    return CapabilityMap(len(factories), prefs, dict(by_pref), processes, matrix, materials, lots, certs,
                         reading, other)


def _collaboration(conn, labels, factories, public) -> Collaboration:
    named = {fid for fid, f in factories.items() if not public or f["shares"]}
    idle = [f for f in factories.values() if f["idle"] == 1]
    idle_by_pref = Counter(f["prefecture"] for f in idle)
    listed = sorted((IdleRow(f["prefecture"], f["municipality"], f["name"] or f["id"], f["machines"] or "")
                     for f in idle if f["id"] in named),
                    key=lambda r: (_pref_order(idle_by_pref).index(r.prefecture), r.municipality, r.name))
    interest_ids = defaultdict(set)
    for fid, value in conn.execute("SELECT factory_id, value FROM capabilities WHERE kind='interest'"):
        if fid in factories:
            interest_ids[value].add(fid)
    interests = _tallies(Counter({k: len(v) for k, v in interest_ids.items()}), labels["interest"])
    by_pref = {k: dict(Counter(factories[i]["prefecture"] for i in ids)) for k, ids in interest_ids.items()}

    def names_of(ids):
        return sorted((factories[i]["name"] or i) for i in ids if i in named and i in factories)

    groups = []
    for _gid, interest, region, members in conn.execute(
            "SELECT id, interest, region, members FROM match_groups ORDER BY region, interest, id"):
        ids = json.loads(members or "[]")
        groups.append(GroupRow(labels["interest"].get(interest, interest), region, len(ids), names_of(ids),
                               "matching"))
    for key in labels["interest"] or sorted(interest_ids):
        areas = defaultdict(set)
        for i in interest_ids.get(key, ()):
            f = factories[i]
            if f["municipality"] != UNKNOWN:
                areas[(f["prefecture"], f["municipality"])].add(i)
        for (pref, muni), ids in areas.items():
            if len(ids) >= GROUP_MIN:
                groups.append(GroupRow(labels["interest"].get(key, key), f"{pref}{muni}", len(ids),
                                       names_of(ids), "candidate"))
    cand = [g for g in groups if g.source == "candidate"]
    cand.sort(key=lambda g: (-g.members, g.region, g.interest))
    groups = [g for g in groups if g.source == "matching"] + cand[:GROUP_LIST]
    if idle:
        p = max(idle_by_pref, key=lambda k: (idle_by_pref[k], k))
        reading_idle = (f"遊休設備を貸し出せる工場は{len(idle)}社（回答の{_pct(len(idle) / len(factories))}）、"
                        f"最多は{p}の{idle_by_pref[p]}社です。")
    else:
        reading_idle = "貸し出せる遊休設備の申し出はまだありません。"
    if cand:
        g = cand[0]
        reading_groups = (f"同じ市町村で同じ連携に関心を持つ{GROUP_MIN}社以上のまとまりが{len(cand)}件。"
                          f"最大は{g.region}の{g.interest}（{g.members}社）です。")
    else:
        reading_groups = f"同じ市町村で同じ連携に関心を持つ{GROUP_MIN}社以上のまとまりはまだありません。"
    return Collaboration(len(idle), dict(idle_by_pref), listed, len(idle) - len(listed), interests, by_pref,
                         groups, len(cand), reading_idle, reading_groups)


def _funnel(conn, labels_process, public) -> Funnel:
    counts = queries.match_funnel(conn, "pair")
    stages = [Tally(k, FUNNEL_LABELS[k], counts[k]) for k in FUNNEL_LABELS]
    groups = queries.match_funnel(conn, "group")
    rows = []
    order = list(FUNNEL_LABELS)
    for rid, sid, name, requester_id, procs in conn.execute(
            "SELECT id, submission_id, requester_name, requester_id, processes FROM requests ORDER BY id"):
        ms = conn.execute(f"SELECT {', '.join(f'MAX({c})' for c in queries.FUNNEL_SQL.values())}, COUNT(*)"
                          " FROM matches WHERE kind='pair' AND request_submission_id=?", (sid,)).fetchone()
        reached = [order[i] for i, v in enumerate(ms[:-1]) if v]
        furthest = FUNNEL_LABELS[reached[-1]] if ms[-1] and reached else "候補なし"
        addr = conn.execute("SELECT address, postal_code FROM respondents WHERE id=?", (requester_id,)).fetchone()
        pref = locate(*(addr or (None, None)))[0]
        plist = json.loads(procs or "[]")
        rows.append(RequestRow(rid, None if public else (name or requester_id or "（匿名）"), pref,
                               "・".join(labels_process.get(p, p) for p in plist), ms[-1], furthest))
    n = len(rows)
    if counts["proposed"]:
        reading = (f"依頼{n}件から{counts['proposed']}件の紹介候補を提案し、承認{counts['approved']}件、"
                   f"返信{counts['replied']}件、工場見学{counts['visited']}件、"
                   f"試作発注{counts['trial_order']}件に至りました"
                   f"（提案からの発注率{_pct(counts['trial_order'] / counts['proposed'])}）。")
    else:
        reading = f"依頼{n}件。紹介候補の提案はまだありません。"
    return Funnel(n, stages, counts["rejected"], groups, rows, reading, *_event_funnel(conn))


EVENT_LABELS = {"events": "商談会", "meetings": "面談（予定）", "held": "面談（実施）", "visits": "工場見学",
                "trial_orders": "試作発注"}


def _event_funnel(conn) -> tuple[list[Tally], str]:
    """The matching events' own funnel (intake.events.followups.funnel): events → meetings → visits → orders."""
    from intake.events.followups import funnel

    f = funnel(conn)
    if not f["events"]:
        return [], ""
    reading = (f"商談会{f['events']}回で面談{f['meetings']}件を組み、実施の報告{f['held']}件、"
               f"双方が工場見学を希望{f['visits']}件、試作発注{f['trial_orders']}件に至りました。")
    return [Tally(k, EVENT_LABELS[k], f[k]) for k in EVENT_LABELS], reading


def _quality(conn, ws) -> DataQuality:
    sc = queries.status_counts(ws)
    fq = queries.field_quality(conn)
    if fq["total"]:
        reading = (f"読み取った{fq['total']}項目のうち{_pct(fq['automatic'] / fq['total'])}は自動読取のまま確定、"
                   f"職員の修正は{fq['corrected']}項目（{_pct(fq['corrected'] / fq['total'])}）。"
                   f"識別できないページ{sc.pages.get('unidentified', 0)}枚、"
                   f"隔離したファイル{sc.files.get('quarantined', 0)}件。")
    else:
        reading = "読み取った項目はまだありません。"
    return DataQuality(fq, dict(sc.files), dict(sc.pages), dict(sc.submissions), dict(sc.quarantine_reasons),
                       reading)


def _risk(conn, labels, factories) -> Risk:
    """Process × prefecture and process × material offered by 1..RISK_MAX consenting factories, with the
    buyers relying on them (matches under way or closed with a trial order, as intake bcp counts)."""
    from intake.bcp.assess import RELYING

    sharing = {fid for fid, f in factories.items() if f["shares"]}
    caps = defaultdict(set)
    for fid, kind, value in conn.execute("SELECT factory_id, kind, value FROM capabilities "
                                         "WHERE kind IN ('process', 'material')"):
        if fid in sharing and value != "other":
            caps[(fid, kind)].add(value)
    q = ",".join("?" * len(RELYING))
    relies = defaultdict(set)          # supplier -> (buyer, process, material) of its relying matches
    for sup, buyer, procs, mats in conn.execute(
            f"SELECT m.supplier_id, m.requester_id, r.processes, r.materials FROM matches m JOIN requests r "
            f"ON r.submission_id = m.request_submission_id WHERE m.kind='pair' AND m.requester_id IS NOT NULL AND "
            f"(m.state IN ({q}) OR (m.state='closed' AND m.trial_order='placed'))", RELYING):
        for p in json.loads(procs or "[]"):
            for m in json.loads(mats or "[]") or [None]:
                relies[sup].add((buyer, p, m))
    groups = defaultdict(set)          # (axis, process, where) -> providers
    for (fid, kind), values in caps.items():
        if kind != "process":
            continue
        for p in values:
            groups[("prefecture", p, factories[fid]["prefecture"])].add(fid)
            for m in caps.get((fid, "material"), ()):
                groups[("material", p, m)].add(fid)
    rows = []
    for (axis, p, w), ids in groups.items():
        if len(ids) > RISK_MAX:
            continue
        buyers = {b for fid in ids for b, rp, rm in relies.get(fid, ()) if rp == p and (axis == "prefecture" or rm == w)}
        rows.append(RiskRow(labels["process"].get(p, p), w if axis == "prefecture" else labels["material"].get(w, w),
                            axis, len(ids), sorted(factories[f]["name"] or f for f in ids), len(buyers)))
    rows.sort(key=lambda r: (-r.buyers, r.providers, r.axis, r.process, r.where))
    if rows:
        top = rows[0]
        reading = (f"同意企業が1〜2社しかない加工の組み合わせは{len(rows)}件。最も多くの発注元が頼っているのは"
                   f"{top.process}（{top.where}）で、{top.providers}社に{top.buyers}社の発注元が依存しています。"
                   "代替先を事前に確保しておくべき供給源です。")
    else:
        reading = "同意企業が1〜2社しかない加工の組み合わせはありません。"
    return Risk(rows[:RISK_LIST], len(rows), reading)


def _office(ws: Workspace) -> str | None:
    """The issuing office from <workspace>/office.yaml (the letters' settings: name, department), if any."""
    path = ws.root / "office.yaml"
    try:
        import yaml
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    except Exception:  # the letters stage owns and checks that file; the report does without it
        return None
    if not isinstance(data, dict):
        return None
    parts = [str(data[k]).strip() for k in ("name", "department") if data.get(k) and str(data[k]).strip()]
    return " ".join(parts) or None


def public_due(r: ResponseStatus) -> list[list]:
    """The public reminder table: how many are due per municipality, never who."""
    counts = Counter((x.prefecture, x.municipality) for x in r.due)
    order = {p.prefecture: i for i, p in enumerate(r.by_prefecture)}
    return [[p, m, n] for (p, m), n in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))]


def collect(ws: Workspace, public: bool = False, as_of: date | None = None,
            reminder_days: int = 14) -> ReportData:
    """All figures of the report, from the workspace database."""
    as_of = as_of or date.today()
    labels = _labels(ws)
    db = open_db(ws.require().db_path)
    conn = db.conn
    try:
        resp = {rid: (addr, pc) for rid, addr, pc in conn.execute(
            "SELECT id, address, postal_code FROM respondents")}
        cache: dict[str, tuple[str, str]] = {}

        def where(rid):
            if rid not in cache:
                cache[rid] = locate(*resp.get(rid, (None, None)))
            return cache[rid]

        factories = {}
        for fid, name, pref, addr, pc, shares, idle, machines in conn.execute(
                "SELECT id, name, prefecture, address, postal_code, shares_profile, idle_equipment, idle_machines"
                " FROM factories"):
            lp, muni = locate(addr, pc)
            factories[fid] = dict(id=fid, name=name, prefecture=pref or lp, municipality=muni,
                                  shares=bool(shares), idle=idle, machines=machines)
        first = conn.execute("SELECT MIN(sent_at) FROM sent_forms").fetchone()[0]
        data = ReportData(
            title="ものづくり企業 実態調査 見える化レポート", office=_office(ws), as_of=as_of, period=(_day(first), as_of),
            public=public,
            response=_response(conn, ws, public, as_of, reminder_days, where),
            capabilities=_capabilities(conn, labels, factories),
            collaboration=_collaboration(conn, labels, factories, public),
            funnel=_funnel(conn, labels["process"], public),
            quality=_quality(conn, ws),
            risk=_risk(conn, labels, factories))
    finally:
        conn.close()
    r, c, f, q = data.response, data.capabilities, data.funnel, data.quality
    data.summary = [
        ("調査票 送付", f"{r.sent}社"), ("回答", f"{r.returned}社"),
        ("回答率", _pct(r.returned / r.sent) if r.sent else "—"), ("督促対象", f"{len(r.due)}社"),
        ("工場プロファイル", f"{c.factories}社"), ("遊休設備の申し出", f"{data.collaboration.idle_total}社"),
        ("依頼", f"{f.requests}件"), ("紹介 提案→試作発注", f"{f.stages[0].count}→{f.stages[-1].count}件"),
        ("自動読取のまま確定", _pct(q.fields["automatic"] / q.fields["total"]) if q.fields["total"] else "—"),
        ("隔離ファイル", f"{q.files_quarantined}件"),
    ]
    return data
