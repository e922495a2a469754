"""A generated population for testing matching at scale: factories with profiles, requests, and
planted pairs whose fit is known by construction (the generator, not the matcher, says so).

Rows go straight into respondents / submissions / factories / capabilities / requests, as
profile.sync would write them for accepted submissions.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from intake.store import db as store_db
from intake.workspace import Workspace

PROCESSES = ("cutting", "grinding", "press", "sheet_metal", "welding", "casting", "forging", "heat_treatment",
             "plating", "painting", "resin_molding", "assembly", "design", "inspection")
MATERIALS = ("steel", "stainless", "aluminium", "copper_brass", "titanium", "resin")
LOTS = ("prototype", "small", "medium", "mass")
CERTS = ("iso9001", "iso14001", "iatf16949", "jisq9100")
INTERESTS = ("joint_purchase", "equipment_sharing", "joint_development", "factory_visits", "engineer_exchange")
# (prefecture, postal code, address) — real postal codes of each prefectural capital's centre.
PLACES = (
    ("埼玉県", "3300063", "埼玉県さいたま市浦和区高砂{n}-1"),
    ("群馬県", "3710023", "群馬県前橋市本町{n}-2"),
    ("栃木県", "3200811", "栃木県宇都宮市大通り{n}-3"),
    ("茨城県", "3100021", "茨城県水戸市南町{n}-4"),
    ("東京都", "1000001", "東京都千代田区千代田{n}-5"),
    ("神奈川県", "2310023", "神奈川県横浜市中区山下町{n}"),
    ("千葉県", "2600013", "千葉県千葉市中央区中央{n}-6"),
    ("長野県", "3800836", "長野県長野市南県町{n}-7"),
    ("愛知県", "4600001", "愛知県名古屋市中区三の丸{n}-8"),
    ("大阪府", "5400008", "大阪府大阪市中央区大手前{n}-9"),
)
WORDS = ("精機", "製作所", "工業", "技研", "金属", "精工", "工作所", "産業")
HEADS = ("青葉", "旭", "朝日", "東", "曙", "石川", "泉", "稲田", "岩崎", "梅田", "大森", "岡野", "川口", "菊池",
         "北川", "桜井", "柴田", "清水", "杉山", "高田", "竹内", "千葉", "寺田", "中島", "西村", "野口", "原田",
         "平野", "福田", "松本", "三浦", "森田", "山口", "横山", "若林")


@dataclass
class Population:
    factories: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)          # id -> company name
    requests: list[str] = field(default_factory=list)            # submission ids
    requesters: dict[str, str] = field(default_factory=dict)     # submission id -> requester id
    known_pairs: set[tuple[str, str]] = field(default_factory=set)     # (request, supplier) fit by construction
    hidden: set[str] = field(default_factory=set)                # factories that did not consent
    hidden_perfect: set[tuple[str, str]] = field(default_factory=set)  # would fit, but must never be proposed


def populate(ws: Workspace, n_factories: int = 120, n_requests: int = 24, seed: int = 0) -> Population:
    """Write the population into ws. Each request gets two planted suppliers that do every
    process and material it needs in its own prefecture, and one planted non-consenting twin."""
    rng = random.Random(seed)
    pop = Population()
    at = store_db.now()
    with store_db.transaction(ws.db_path) as conn:
        def factory(fid: str, pref_i: int, procs, mats, consent: bool, interests=(), lots=None, idle=None):
            pref, postal, addr = PLACES[pref_i]
            name = f"株式会社 {rng.choice(HEADS)}{rng.choice(WORDS)}{int(fid[1:]):03d}"
            pop.factories.append(fid)
            pop.names[fid] = name
            if not consent:
                pop.hidden.add(fid)
            sid = f"S-{fid}"
            address = addr.format(n=int(fid[1:]) % 9 + 1)
            channel = rng.choice(("fax", "post"))
            conn.execute("INSERT INTO respondents (id, name, postal_code, address, phone, fax, contact_channel,"
                         " created_at) VALUES (?,?,?,?,?,?,?,?)",
                         (fid, name, postal, address, f"0{rng.randint(100000000, 999999999)}",
                          f"0{rng.randint(100000000, 999999999)}", channel, at))
            conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?,?,?)", (sid, "survey", 1, fid, "accepted", 2, at, at))
            conn.execute("INSERT INTO factories (id, submission_id, name, contact_person, postal_code, address,"
                         " prefecture, phone, fax, channel, consent, shares_profile, idle_equipment, idle_machines,"
                         " strengths, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         (fid, sid, name, "担当 太郎", postal, address, pref, f"0{rng.randint(10**8, 10**9 - 1)}",
                          f"0{rng.randint(10**8, 10**9 - 1)}", channel, "agree" if consent else "disagree",
                          int(consent), idle if idle is not None else int(rng.random() < 0.3),
                          "マシニングセンタ 1台" if idle else None, "短納期対応", at))
            caps = [("process", p) for p in procs] + [("material", m) for m in mats]
            caps += [("lot", x) for x in (lots or rng.sample(LOTS, rng.randint(1, 2)))]
            caps += [("certification", c) for c in rng.sample(CERTS, rng.randint(0, 1))]
            caps += [("interest", i) for i in interests]
            conn.executemany("INSERT OR IGNORE INTO capabilities (factory_id, kind, value) VALUES (?,?,?)",
                             [(fid, k, v) for k, v in caps])

        # Background factories: a few random capabilities each.
        n = 0
        for _ in range(n_factories - 3 * n_requests):
            n += 1
            factory(f"F{n:04d}", rng.randrange(len(PLACES)), rng.sample(PROCESSES, rng.randint(1, 3)),
                    rng.sample(MATERIALS, rng.randint(1, 2)), rng.random() < 0.7,
                    interests=rng.sample(INTERESTS, rng.randint(0, 2)))
        for k in range(1, n_requests + 1):
            rid, sid = f"B{k:04d}", f"S-REQ{k:04d}"
            pref_i = rng.randrange(len(PLACES))
            pref, postal, addr = PLACES[pref_i]
            procs = rng.sample(PROCESSES, rng.randint(1, 2))
            mats = rng.sample(MATERIALS, 1)
            qty = rng.choice((5, 200, 3000, 50000))
            region = rng.choice(("prefecture", "neighbours", "nationwide"))
            conn.execute("INSERT INTO respondents (id, name, postal_code, address, contact_channel, created_at) "
                         "VALUES (?,?,?,?,?,?)", (rid, f"発注テスト商事{k:03d}", postal, addr.format(n=k % 9 + 1),
                                                  "post", at))
            conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?,?,?)", (sid, "request", 1, rid, "accepted", 1, at, at))
            conn.execute("INSERT INTO requests (submission_id, requester_id, requester_name, contact_person, phone,"
                         " processes, materials, quantity, region, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (sid, rid, f"発注テスト商事{k:03d}", "購買 花子", "0312345678", json.dumps(procs),
                          json.dumps(mats), qty, region, at, at))
            pop.requests.append(sid)
            pop.requesters[sid] = rid
            lot = {5: "prototype", 200: "small", 3000: "medium", 50000: "mass"}[qty]
            for consent in (True, True, False):
                n += 1
                fid = f"F{n:04d}"
                factory(fid, pref_i, procs, mats, consent, lots=[lot], idle=1)
                (pop.known_pairs if consent else pop.hidden_perfect).add((sid, fid))
    return pop
