"""A generated workspace for the report's tests and for trying the report: a few hundred factories
across five prefectures with everything the report reads (sent forms, files, pages, submissions,
field values, profiles, requests, matches, groups), inserted through SQL consistent with the schema.

Deterministic for a seed. Names are unique and none is contained in another, so a test can search a
rendered report for one factory's name without hitting a different factory.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from intake.store.db import transaction
from intake.workspace import Workspace, init

# (prefecture, municipality as the postal list names it, postal code, town) — real codes.
AREAS = [
    ("群馬県", "高崎市", "3700006", "問屋町"), ("群馬県", "前橋市", "3710023", "本町"),
    ("群馬県", "太田市", "3730853", "浜町"), ("群馬県", "桐生市", "3760011", "相生町"),
    ("群馬県", "伊勢崎市", "3720801", "宮子町"),
    ("栃木県", "宇都宮市", "3200811", "大通り"), ("栃木県", "小山市", "3230025", "城山町"),
    ("栃木県", "足利市", "3260814", "通"), ("栃木県", "佐野市", "3270004", "赤坂町"),
    ("埼玉県", "熊谷市", "3600031", "末広"), ("埼玉県", "さいたま市浦和区", "3300063", "高砂"),
    ("埼玉県", "川口市", "3320012", "本町"), ("埼玉県", "川越市", "3500043", "新富町"),
    ("埼玉県", "越谷市", "3430808", "赤山本町"),
    ("茨城県", "水戸市", "3100805", "中央"), ("茨城県", "ひたちなか市", "3120005", "新光町"),
    ("茨城県", "石岡市", "3150001", "石岡"), ("茨城県", "土浦市", "3000043", "中央"),
    ("長野県", "長野市", "3800836", "南県町"), ("長野県", "松本市", "3900874", "大手"),
    ("長野県", "安曇野市", "3998205", "豊科"), ("長野県", "木曽郡大桑村", "3995501", "殿"),
    ("長野県", "岡谷市", "3940027", "中央町"),
]
# How keen each prefecture is on each process: the heat map should show regional character.
BIAS = {"群馬県": {"press", "casting", "assembly"}, "栃木県": {"forging", "heat_treatment"},
        "埼玉県": {"cutting", "plating", "painting"}, "茨城県": {"welding", "sheet_metal"},
        "長野県": {"grinding", "inspection", "design"}}
RETURN_RATE = {"群馬県": 0.8, "栃木県": 0.7, "埼玉県": 0.6, "茨城県": 0.55, "長野県": 0.72}
PROCESSES = ["cutting", "grinding", "press", "sheet_metal", "welding", "casting", "forging", "heat_treatment",
             "plating", "painting", "resin_molding", "assembly", "design", "inspection"]
MATERIALS = ["steel", "stainless", "aluminium", "copper_brass", "titanium", "resin"]
LOTS = ["prototype", "small", "medium", "mass"]
CERTS = ["iso9001", "iso14001", "iatf16949", "jisq9100"]
INTERESTS = ["joint_purchase", "equipment_sharing", "joint_development", "factory_visits", "engineer_exchange"]
MACHINES = ["5軸マシニングセンタ", "NC旋盤", "200tプレス", "ワイヤ放電加工機", "三次元測定機", "レーザー加工機",
            "真空熱処理炉", "射出成形機 150t", "ベンダー", "平面研削盤"]
PLACES = ["赤城", "榛名", "妙義", "浅間", "利根", "碓氷", "鬼怒", "那須", "日光", "筑波", "霞ヶ浦", "秩父", "荒川",
          "武蔵", "千曲", "諏訪", "穂高", "木曽", "梓川", "渡良瀬", "北関東", "上毛", "両毛", "常陸", "信濃",
          "関東", "東雲", "若葉", "朝日", "旭", "大和", "三笠", "白鳥", "明星", "昭和", "大成", "共栄", "協和",
          "富士見", "緑川"]
KINDS = ["精機", "製作所", "鉄工所", "金属", "技研", "プレス", "鋳造所", "鍛工", "精密", "電機", "化成", "機械"]
LEGAL = ["株式会社 {}", "有限会社 {}", "{} 株式会社"]
FIELD_KEYS = ["company_name", "contact_person", "postal_code", "address", "phone", "employees", "processes",
              "materials", "consent"]


def _names(rng: random.Random, n: int) -> list[str]:
    """n distinct company cores, none contained in another."""
    cores = [p + k for p in PLACES for k in KINDS]
    rng.shuffle(cores)
    picked: list[str] = []
    for c in cores:
        if not any(c in q or q in c for q in picked):
            picked.append(c)
        if len(picked) == n:
            return picked
    raise ValueError(f"only {len(picked)} distinct names available")


def _iso(d: date, hour: int = 9) -> str:
    return datetime.combine(d, time(hour), tzinfo=timezone.utc).isoformat(timespec="seconds")


def generate(root: Path, factories: int = 300, buyers: int = 24, seed: int = 7,
             as_of: date = date(2026, 11, 30)) -> Workspace:
    """Create (or fill) a workspace at `root` with a generated population. Returns the workspace."""
    rng = random.Random(seed)
    ws = init(Path(root))
    names = _names(rng, factories + buyers)
    start = as_of - timedelta(days=75)
    with transaction(ws.db_path) as c:
        file_no = [0]

        def new_file(state: str, day: date, reason: str | None = None, pages: int = 1) -> int:
            file_no[0] += 1
            return c.execute(
                "INSERT INTO files (sha256, original_name, size, kind, state, reason, page_count, received_at,"
                " finished_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (f"{seed:04d}{file_no[0]:060d}", f"fax_{file_no[0]:05d}.tif", 40000 + file_no[0], "tiff", state,
                 reason, pages, _iso(day, 10), _iso(day, 10))).lastrowid

        def new_submission(sid: str, form: str, rid: str | None, status: str, pages: int, day: date) -> None:
            c.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at,"
                      " updated_at) VALUES (?,?,1,?,?,?,?,?)", (sid, form, rid, status, pages, _iso(day), _iso(day)))
            fid = new_file("archived", day, pages=pages)
            page_ids = [c.execute(
                "INSERT INTO pages (file_id, page_index, status, form, version, page, pages, respondent_id,"
                " submission_id, created_at) VALUES (?,?,?,?,1,?,?,?,?,?)",
                (fid, i, "identified", form, i + 1, pages, rid, sid, _iso(day))).lastrowid for i in range(pages)]
            for key in FIELD_KEYS:
                r = rng.random()
                needs = 1 if status != "accepted" and r < 0.25 else 0
                source = "acroform" if rng.random() < 0.1 else "ocr"
                corrected_by = None
                if not needs and r < 0.12:
                    source, corrected_by = "clerk", "佐藤"
                elif not needs and r < 0.2:
                    corrected_by = "鈴木"           # accepted the reading as it was
                c.execute("INSERT INTO field_values (submission_id, page_id, key, kind, machine_value, value,"
                          " confidence, needs_review, source, corrected_by, corrected_at)"
                          " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                          (sid, page_ids[0], key, "text", '"x"', '"x"', round(rng.uniform(0.3, 1), 3), needs,
                           source, corrected_by, _iso(day) if corrected_by else None))

        # factories: respondents, survey sent, some returned
        fac_ids = []
        for i in range(factories):
            rid = f"F{i + 1:04d}"
            pref, muni, pc, town = rng.choice(AREAS)
            name = rng.choice(LEGAL).format(names[i])
            addr = f"{pref}{muni}{town}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
            c.execute("INSERT INTO respondents (id, name, postal_code, address, phone, fax, contact_channel,"
                      " created_at) VALUES (?,?,?,?,?,?,?,?)",
                      (rid, name, pc, addr, "0270000000", "0270000001", rng.choice(["fax", "post"]), _iso(start)))
            sent = start + timedelta(days=rng.randint(0, 60))
            c.execute("INSERT INTO sent_forms (respondent_id, form, version, lang, output_path, sent_at)"
                      " VALUES (?,?,1,'ja',?,?)", (rid, "survey", f"sent/{rid}.pdf", _iso(sent)))
            if rng.random() < 0.15:             # a reminder copy went out later
                c.execute("INSERT INTO sent_forms (respondent_id, form, version, lang, output_path, sent_at)"
                          " VALUES (?,?,1,'ja',?,?)",
                          (rid, "survey", f"sent/{rid}-2.pdf", _iso(min(as_of, sent + timedelta(days=20)))))
            if rng.random() >= RETURN_RATE[pref]:
                continue
            back = min(as_of, sent + timedelta(days=rng.randint(2, 20)))
            status = rng.choices(["accepted", "needs_review", "incomplete"], [0.85, 0.1, 0.05])[0]
            sid = f"S-{rid}"
            new_submission(sid, "survey", rid, status, 2, back)
            if status != "accepted":
                continue
            consent = rng.choices(["agree", "disagree", None], [0.7, 0.25, 0.05])[0]
            idle = 1 if rng.random() < 0.22 else 0
            c.execute("INSERT INTO factories (id, submission_id, name, postal_code, address, prefecture, employees,"
                      " channel, consent, shares_profile, idle_equipment, idle_machines, updated_at)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      (rid, sid, name, pc, addr, pref, rng.randint(3, 300), "fax", consent,
                       1 if consent == "agree" else 0, idle, "、".join(rng.sample(MACHINES, 2)) if idle else None,
                       _iso(back)))
            fac_ids.append((rid, pref, consent == "agree"))
            chosen = {"process": [p for p in PROCESSES if rng.random() < (0.55 if p in BIAS[pref] else 0.15)],
                      "material": [m for m in MATERIALS if rng.random() < 0.35],
                      "lot": [x for x in LOTS if rng.random() < 0.4],
                      "certification": [x for x in CERTS if rng.random() < (0.4 if x == "iso9001" else 0.1)],
                      "interest": [x for x in INTERESTS if rng.random() < 0.3]}
            chosen["process"] = chosen["process"] or [rng.choice(PROCESSES)]
            for kind, values in chosen.items():
                for v in values:
                    c.execute("INSERT INTO capabilities (factory_id, kind, value) VALUES (?,?,?)", (rid, kind, v))

        # buyers: request forms; most returned a request
        requests = []
        for j in range(buyers):
            rid = f"B{j + 1:04d}"
            pref, muni, pc, town = rng.choice(AREAS)
            name = f"株式会社 {names[factories + j]}"
            c.execute("INSERT INTO respondents (id, name, postal_code, address, created_at) VALUES (?,?,?,?,?)",
                      (rid, name, pc, f"{pref}{muni}{town}1-1-1", _iso(start)))
            sent = start + timedelta(days=rng.randint(0, 30))
            c.execute("INSERT INTO sent_forms (respondent_id, form, version, lang, sent_at) VALUES (?,?,1,'ja',?)",
                      (rid, "request", _iso(sent)))
            if rng.random() < 0.2:
                continue
            back = sent + timedelta(days=rng.randint(3, 15))
            sid = f"R-{rid}"
            new_submission(sid, "request", rid, "accepted", 1, back)
            procs = rng.sample(PROCESSES, rng.randint(1, 2))
            rq = c.execute("INSERT INTO requests (submission_id, requester_id, requester_name, processes, materials,"
                           " quantity, region, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                           (sid, rid, name, json.dumps(procs), json.dumps(rng.sample(MATERIALS, 1)),
                            rng.choice([1, 10, 100, 1000]), "prefecture", _iso(back), _iso(back))).lastrowid
            requests.append((sid, rid, back))

        # matches along the funnel (only consenting suppliers are ever proposed)
        suppliers = [f for f in fac_ids if f[2]]
        m = 0
        for sid, rid, back in requests:
            for sup, _pref, _ok in rng.sample(suppliers, min(len(suppliers), rng.randint(1, 4))):
                m += 1
                state = rng.choices(["proposed", "rejected", "approved", "letter_printed", "sent", "reply_received",
                                     "closed"], [3, 2, 1, 1, 2, 3, 1])[0]
                contacted = visit = trial = reply = None
                if state in ("reply_received", "closed"):
                    contacted = rng.choice(["yes", "yes", "no"])
                    visit = rng.choice(["done", "planned", "none"]) if contacted == "yes" else "none"
                    trial = rng.choice(["placed", "considering", "none"]) if visit == "done" else "none"
                    mid = f"M{m:04d}"
                    reply = f"Y-{mid}"
                    new_submission(reply, "reply-slip", rid, "accepted", 1, back + timedelta(days=20))
                    c.execute("UPDATE submissions SET match_id=? WHERE id=?", (mid, reply))
                c.execute("INSERT INTO matches (id, kind, request_submission_id, requester_id, supplier_id, score,"
                          " state, reply_submission_id, contacted, visit, trial_order, created_at, updated_at)"
                          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          (f"M{m:04d}", "pair", sid, rid, sup, round(rng.uniform(0.4, 1), 2), state, reply, contacted,
                           visit, trial, _iso(back), _iso(back)))

        # two groups the matching stage formed
        for interest, pref in (("joint_purchase", "群馬県"), ("equipment_sharing", "長野県")):
            members = [f[0] for f in fac_ids if f[1] == pref and f[2]][:4]
            gid = c.execute("INSERT INTO match_groups (interest, region, members, created_at) VALUES (?,?,?,?)",
                            (interest, pref, json.dumps(members), _iso(as_of))).lastrowid
            m += 1
            c.execute("INSERT INTO matches (id, kind, group_id, state, created_at, updated_at)"
                      " VALUES (?,?,?,?,?,?)", (f"M{m:04d}", "group", gid, "approved", _iso(as_of), _iso(as_of)))

        # what never became a submission: unreadable pages, quarantined and duplicate files
        for k in range(12):
            day = start + timedelta(days=rng.randint(0, 70))
            fid = new_file("quarantined", day, rng.choice(["not_our_form: 当所の様式ではありません",
                                                           "unidentified: QRコードが読めません", "corrupt: 壊れたPDF"]))
            c.execute("INSERT INTO pages (file_id, page_index, status, note, created_at) VALUES (?,?,?,?,?)",
                      (fid, 0, rng.choice(["unidentified", "foreign"]), "no code", _iso(day)))
        for k in range(5):
            new_file("duplicate", start + timedelta(days=rng.randint(0, 70)))
    return ws
