"""A designed population for the BCP tests: every answer is chosen, so the right assessment is known.

Surveys go in as accepted submissions with their field values (source 'acroform', as a filled fillable
PDF is read) and flow into the profile tables through intake.review.profile.sync, the path a real
survey takes. The outage area is 栃木県小山市 (postal codes 323-xxxx): three factories there.

    factory  where            consent  processes             materials               notes
    T1       小山市 (in area)  yes      cutting, plating      steel, titanium         relied on by buyer B1 (approved)
    T2       小山市 (in area)  yes      welding               stainless               proposed for B2's request
    T3       小山市 (in area)  no       casting               aluminium               nobody else casts
    A1       宇都宮市 栃木県    yes      cutting, plating      steel, titanium         best for T1, idle, ISO
    A2       前橋市 群馬県      yes      cutting               steel                   partial for T1
    A3       大阪市 大阪府      yes      cutting, plating      steel                   covers T1 but not titanium plating... and far
    X1       宇都宮市 栃木県    no       cutting, plating      steel, titanium         perfect for T1 but no consent
    A4       熊谷市 埼玉県      yes      welding               stainless               the one alternative for T2
    N1       水戸市 茨城県      yes      painting              resin                   shares nothing with anyone
    T4       小山市 (in area)  yes      heat_treatment,       copper_brass, titanium  heat treatment of titanium:
                                        grinding                                      nobody (A5, A6 cover parts)
    A5       千葉市 千葉県      yes      heat_treatment,       copper_brass
                                        grinding
    A6       長野市 長野県      yes      grinding              titanium
"""

from __future__ import annotations

import json

from intake.store import db as store_db

AREA = "栃木県小山市"
IN_AREA = ("T1", "T2", "T3", "T4")

FACTORIES = {
    "T1": ("株式会社 小山精工", "3230023", "栃木県小山市中央町1-1", True, ["cutting", "plating"], ["steel", "titanium"],
           ["small"], ["iso9001"], "no", "fax"),
    "T2": ("有限会社 小山溶接", "3230807", "栃木県小山市城東2-2", True, ["welding"], ["stainless"], ["medium"], [],
           "no", "post"),
    "T3": ("小山鋳造 株式会社", "3230023", "栃木県小山市中央町3-3", False, ["casting"], ["aluminium"], ["mass"], [],
           "no", "post"),
    "A1": ("株式会社 宇都宮メッキ", "3200811", "栃木県宇都宮市大通り1-1", True, ["cutting", "plating"],
           ["steel", "titanium"], ["small"], ["iso9001"], "yes", "fax"),
    "A2": ("前橋機械 株式会社", "3710023", "群馬県前橋市本町2-2", True, ["cutting"], ["steel"], ["small"], [], "no", "post"),
    "A3": ("大阪精密 株式会社", "5400008", "大阪府大阪市中央区大手前3-3", True, ["cutting", "plating"], ["steel"],
           ["small"], [], "no", "post"),
    "X1": ("株式会社 非公開工業", "3200811", "栃木県宇都宮市大通り9-9", False, ["cutting", "plating"],
           ["steel", "titanium"], ["small"], ["iso9001"], "yes", "fax"),
    "A4": ("熊谷溶接 株式会社", "3600031", "埼玉県熊谷市末広4-4", True, ["welding"], ["stainless"], ["medium"], [],
           "yes", "fax"),
    "N1": ("水戸塗装 株式会社", "3100021", "茨城県水戸市南町5-5", True, ["painting"], ["resin"], ["small"], [],
           "no", "post"),
    "T4": ("小山熱処理 株式会社", "3230807", "栃木県小山市城東4-4", True, ["heat_treatment", "grinding"],
           ["copper_brass", "titanium"], ["small"], [], "no", "post"),
    "A5": ("千葉熱錬 株式会社", "2600013", "千葉県千葉市中央区中央5-5", True, ["heat_treatment", "grinding"],
           ["copper_brass"], ["small"], [], "no", "post"),
    "A6": ("長野研削 株式会社", "3800836", "長野県長野市南県町6-6", True, ["grinding"], ["titanium"], ["small"], [],
           "no", "post"),
}
BUYERS = {"B1": ("東京商事 株式会社", "1000001", "東京都千代田区千代田1-1"),
          "B2": ("横浜物産 株式会社", "2310023", "神奈川県横浜市中区山下町2")}
# buyer, supplier, request needs, match state
MATCHES = (("B1", "T1", ["plating"], ["titanium"], "approved"),
           ("B2", "T2", ["welding"], ["stainless"], "proposed"))


def _values(sid: str, values: dict, conn, at: str) -> None:
    for key, v in values.items():
        kind = "choice" if isinstance(v, list) or key in ("consent", "idle_equipment", "contact_channel") else "text"
        conn.execute("INSERT INTO field_values (submission_id, key, kind, machine_value, value, confidence, needs_review,"
                     " source) VALUES (?,?,?,?,?,1.0,0,'acroform')",
                     (sid, key, kind, json.dumps(v, ensure_ascii=False), json.dumps(v, ensure_ascii=False)))


def populate(ws) -> None:
    from intake.review.profile import sync

    at = store_db.now()
    subs = []
    with store_db.transaction(ws.db_path) as conn:
        for fid, (name, postal, addr, consent, procs, mats, lots, certs, idle, channel) in FACTORIES.items():
            conn.execute("INSERT INTO respondents (id, name, postal_code, address, phone, fax, contact_channel, created_at)"
                         " VALUES (?,?,?,?,?,?,?,?)", (fid, name, postal, addr, "0285221111", "0285221112", channel, at))
            sid = f"S-{fid}"
            conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?,?,?)", (sid, "survey", 1, fid, "accepted", 2, at, at))
            _values(sid, {"company_name": name, "contact_person": "担当 一郎", "postal_code": postal, "address": addr,
                          "phone": "0285221111", "fax": "0285221112", "processes": procs, "materials": mats,
                          "lot_sizes": lots, "certifications": certs or ["none"], "idle_equipment": idle,
                          "idle_machines": "マシニングセンタ 1台" if idle == "yes" else "",
                          "contact_channel": channel, "consent": "agree" if consent else "disagree"}, conn, at)
            subs.append(sid)
        for bid, (name, postal, addr) in BUYERS.items():
            conn.execute("INSERT INTO respondents (id, name, postal_code, address, contact_channel, created_at)"
                         " VALUES (?,?,?,?,?,?)", (bid, name, postal, addr, "post", at))
        for k, (bid, sup, procs, mats, state) in enumerate(MATCHES, 1):
            sid = f"S-REQ{k}"
            conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at,"
                         " updated_at) VALUES (?,?,?,?,?,?,?,?)", (sid, "request", 1, bid, "accepted", 1, at, at))
            _values(sid, {"requester": BUYERS[bid][0], "contact_person": "購買 花子", "phone": "0312345678",
                          "process": procs, "material": mats, "quantity": "200", "region": "nationwide"}, conn, at)
            subs.append((sid, bid, sup, state, k))
    for s in subs:
        sync(ws, s if isinstance(s, str) else s[0])
    with store_db.transaction(ws.db_path) as conn:
        for s in subs:
            if isinstance(s, str):
                continue
            sid, bid, sup, state, k = s
            conn.execute("INSERT INTO matches (id, kind, request_submission_id, requester_id, supplier_id, score, state,"
                         " reasons_ja, reasons_en, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (f"M{k:04d}", "pair", sid, bid, sup, 0.8, state, "[]", "[]", at, at))
