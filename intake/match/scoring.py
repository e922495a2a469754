"""How well one supplier fits one request, and why, in Japanese and English.

Pure functions over plain data (no database), so the rules can be read and tested alone.

Must (else never proposed): the supplier offers at least one requested process AND at least one
requested material ("other" matches nothing: its meaning is in free text a person must read).
A partial fit is still proposed: a buyer may split work, and the letter says what is not covered.
Then a score in 0..1 from weighted factors; each factor adds a reason, met (○) or not met (×).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.form.model import FormDef, Label

WEIGHTS = {                 # sum 1.0
    "process": 0.30, "material": 0.20, "region": 0.20, "lot": 0.10,
    "certification": 0.05, "idle": 0.05, "interest": 0.05, "history": 0.05,
}
UNMATCHABLE = {"other"}
LOT_ORDER = ("prototype", "small", "medium", "mass")
# Interests that make a first contact easier for the buyer.
WELCOMING_INTERESTS = ("factory_visits", "joint_development", "engineer_exchange")


@dataclass(frozen=True)
class Supplier:
    id: str
    name: str | None
    prefecture: str | None
    processes: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()
    lots: frozenset[str] = frozenset()
    certifications: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    idle_equipment: bool = False
    history: float | None = None      # 0..1 from past reply slips; None: no replies yet


@dataclass(frozen=True)
class Need:
    submission_id: str
    requester_id: str | None
    requester_name: str | None
    prefecture: str | None          # where the requester is
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    quantity: int | None = None
    region: str | None = None       # prefecture | neighbours | nationwide


@dataclass
class Fit:
    must: bool
    score: float
    met_ja: list[str] = field(default_factory=list)
    unmet_ja: list[str] = field(default_factory=list)
    met_en: list[str] = field(default_factory=list)
    unmet_en: list[str] = field(default_factory=list)

    @property
    def reasons_ja(self) -> list[str]:
        return [f"○ {s}" for s in self.met_ja] + [f"× {s}" for s in self.unmet_ja]

    @property
    def reasons_en(self) -> list[str]:
        return [f"met: {s}" for s in self.met_en] + [f"not met: {s}" for s in self.unmet_en]

    def add(self, met: bool, ja: str, en: str) -> None:
        (self.met_ja if met else self.unmet_ja).append(ja)
        (self.met_en if met else self.unmet_en).append(en)


class Vocabulary:
    """Option keys -> printed labels, taken from the form definitions (survey and request)."""

    def __init__(self, forms: dict[str, FormDef] | None = None):
        self.labels: dict[tuple[str, str], Label] = {}
        for form in (forms or {}).values():
            for f in form.fields:
                kind = {"processes": "process", "process": "process", "materials": "material",
                        "material": "material", "lot_sizes": "lot", "certifications": "certification",
                        "interests": "interest", "region": "region"}.get(f.key)
                if kind:
                    for o in f.options:
                        self.labels.setdefault((kind, o.key), o.label)

    def label(self, kind: str, key: str, lang: str) -> str:
        lab = self.labels.get((kind, key))
        return lab.get(lang) if lab else key

    def join(self, kind: str, keys, lang: str) -> str:
        sep = "・" if lang == "ja" else ", "
        return sep.join(self.label(kind, k, lang) for k in keys)


def lot_class(quantity: int | None) -> str | None:
    """A quantity as the survey's lot classes."""
    if quantity is None or quantity <= 0:
        return None
    if quantity < 10:
        return "prototype"
    if quantity < 1000:
        return "small"
    if quantity < 10000:
        return "medium"
    return "mass"


def region_fit(need: Need, supplier: Supplier, neighbours_of) -> tuple[float, str, str, bool]:
    """(0..1, reason ja, reason en, met). neighbours_of(prefecture name) -> set of names."""
    req, sup = need.prefecture, supplier.prefecture
    wish = need.region or "nationwide"
    if not req or not sup:
        return 0.5, "所在地（都道府県）が不明のため地域条件は未確認", "region not checked (prefecture unknown)", False
    near = sup in neighbours_of(req)
    if sup == req:
        return 1.0, f"同じ{req}内の企業", f"same prefecture ({req})", True
    if wish == "prefecture":
        return 0.0, f"ご希望は県内ですが所在地は{sup}", f"wants same prefecture, supplier is in {sup}", False
    if near:
        return 0.8, f"隣接県（{sup}）の企業", f"neighbouring prefecture ({sup})", True
    if wish == "neighbours":
        return 0.1, f"ご希望は隣県までですが所在地は{sup}", f"wants neighbours only, supplier is in {sup}", False
    return 0.5, f"全国可のご希望に対し{sup}の企業", f"nationwide: supplier in {sup}", True


def score(need: Need, supplier: Supplier, vocab: Vocabulary, neighbours_of) -> Fit:
    """The fit of `supplier` to `need`. fit.must False means: never propose."""
    fit = Fit(must=False, score=0.0)
    if need.requester_id and supplier.id == need.requester_id:
        return fit                                          # never a company with itself
    if need.requester_name and supplier.name and _same_name(need.requester_name, supplier.name):
        return fit
    procs = [p for p in need.processes if p not in UNMATCHABLE]
    mats = [m for m in need.materials if m not in UNMATCHABLE]
    p_ok = [p for p in procs if p in supplier.processes]
    m_ok = [m for m in mats if m in supplier.materials]
    if not p_ok or not m_ok:
        return fit
    fit.must = True
    p_no = [p for p in procs if p not in p_ok]
    m_no = [m for m in mats if m not in m_ok]
    total = WEIGHTS["process"] * len(p_ok) / len(procs) + WEIGHTS["material"] * len(m_ok) / len(mats)
    fit.add(True, f"必要な加工（{vocab.join('process', p_ok, 'ja')}）に対応",
            f"does the process needed ({vocab.join('process', p_ok, 'en')})")
    if p_no:
        fit.add(False, f"加工（{vocab.join('process', p_no, 'ja')}）は対応外",
                f"does not do {vocab.join('process', p_no, 'en')}")
    fit.add(True, f"材質（{vocab.join('material', m_ok, 'ja')}）の加工実績あり",
            f"works the material ({vocab.join('material', m_ok, 'en')})")
    if m_no:
        fit.add(False, f"材質（{vocab.join('material', m_no, 'ja')}）は対応外",
                f"does not work {vocab.join('material', m_no, 'en')}")

    r, ja, en, met = region_fit(need, supplier, neighbours_of)
    total += WEIGHTS["region"] * r
    fit.add(met, ja, en)

    lot = lot_class(need.quantity)
    if lot and supplier.lots:
        if lot in supplier.lots:
            total += WEIGHTS["lot"]
            fit.add(True, f"数量{need.quantity:,}個に合うロット（{vocab.label('lot', lot, 'ja')}）に対応",
                    f"lot size fits {need.quantity:,} pieces ({vocab.label('lot', lot, 'en')})")
        else:
            near = {LOT_ORDER[i] for i in _adjacent(LOT_ORDER.index(lot))}
            if near & supplier.lots:
                total += WEIGHTS["lot"] / 2
            fit.add(False, f"数量{need.quantity:,}個（{vocab.label('lot', lot, 'ja')}）はロットの対応範囲外",
                    f"{need.quantity:,} pieces ({vocab.label('lot', lot, 'en')}) is outside its usual lots")
    else:
        total += WEIGHTS["lot"] / 2                         # unknown: neither helps nor hurts much
    if supplier.certifications:
        total += WEIGHTS["certification"]
        fit.add(True, f"認証取得（{vocab.join('certification', sorted(supplier.certifications), 'ja')}）",
                f"certified ({vocab.join('certification', sorted(supplier.certifications), 'en')})")
    if supplier.idle_equipment:
        total += WEIGHTS["idle"]
        fit.add(True, "遊休設備があり早期の対応が見込める", "has idle equipment: can start soon")
    welcoming = [i for i in WELCOMING_INTERESTS if i in supplier.interests]
    if welcoming:
        total += WEIGHTS["interest"]
        fit.add(True, f"連携に前向き（{vocab.join('interest', welcoming, 'ja')}）",
                f"open to collaboration ({vocab.join('interest', welcoming, 'en')})")
    if supplier.history is None:
        total += WEIGHTS["history"] / 2
    else:
        total += WEIGHTS["history"] * supplier.history
        good = supplier.history >= 0.5
        fit.add(good, "過去のご紹介で良好な結果" if good else "過去のご紹介では成果が少ない",
                "good outcomes from past introductions" if good else "few results from past introductions")
    fit.score = round(min(1.0, total), 3)
    return fit


def _adjacent(i: int) -> list[int]:
    return [j for j in (i - 1, i + 1) if 0 <= j < len(LOT_ORDER)]


def _same_name(a: str, b: str) -> bool:
    """Company names equal once 株式会社/有限会社 and spaces are dropped (a buyer with two ids)."""
    def core(s: str) -> str:
        for w in ("株式会社", "有限会社", "合同会社", "(株)", "（株）", "(有)", "（有）", " ", "　"):
            s = s.replace(w, "")
        return s
    return bool(core(a)) and core(a) == core(b)


def history_score(outcomes: list[dict]) -> float | None:
    """0..1 from reply slips (contacted, visit, trial_order, satisfaction); None without any."""
    vals = []
    for o in outcomes:
        v = 0.2 * (o.get("contacted") == "yes")
        v += {"done": 0.3, "planned": 0.15}.get(o.get("visit") or "", 0.0)
        v += {"placed": 0.3, "considering": 0.15}.get(o.get("trial_order") or "", 0.0)
        sat = o.get("satisfaction")
        v += 0.2 * (int(sat) - 1) / 4 if sat else 0.1
        vals.append(v)
    return sum(vals) / len(vals) if vals else None
