"""A designed population for the event tests: every answer is chosen, so the right pairs are known.

Surveys and requests are rendered personalised, filled as fillable PDFs, dropped into the inbox and
processed (as tests/_bcp_population.py does, whose contact details and PDF filling are reused). Built
once per test process and copied for each test (`workspace(tmp_path)`).

    id  where       consent  processes        materials        interests                       idle
    T1  小山 栃木    yes      cutting          steel, titanium  joint_purchase                  no
    T2  小山 栃木    yes      welding          stainless, steel joint_purchase, equipment_sh.   yes
    T4  小山 栃木    yes      heat_treatment   steel            equipment_sharing               no
    A1  宇都宮 栃木  yes      plating          titanium, steel  joint_development               no
    A2  前橋 群馬    yes      cutting, plating titanium         -                               no
    A4  熊谷 埼玉    yes      welding          stainless        joint_development               no
    X1  宇都宮 栃木  NO       plating          titanium         -                               no
    N1  水戸 茨城    yes      painting         resin            -                               no
    B1  buyer: plating on titanium          B2  buyer: welding on stainless

The pairs, worked out by hand from the rules in intake/events/pairs.py (see PAIRS).
"""

from __future__ import annotations

from pathlib import Path

import _bcp_population as BCP

# id -> consent, processes, materials, interests, idle, channel
FACTORIES = {
    "T1": (True, ["cutting"], ["steel", "titanium"], ["joint_purchase"], "no", "fax"),
    "T2": (True, ["welding"], ["stainless", "steel"], ["joint_purchase", "equipment_sharing"], "yes", "post"),
    "T4": (True, ["heat_treatment"], ["steel"], ["equipment_sharing"], "no", "post"),
    "A1": (True, ["plating"], ["titanium", "steel"], ["joint_development"], "no", "fax"),
    "A2": (True, ["cutting", "plating"], ["titanium"], [], "no", "post"),
    "A4": (True, ["welding"], ["stainless"], ["joint_development"], "no", "fax"),
    "X1": (False, ["plating"], ["titanium"], [], "no", "fax"),
    "N1": (True, ["painting"], ["resin"], [], "no", "post"),
}
BUYERS = ("B1", "B2")
REQUESTS = {"B1": (["plating"], ["titanium"]), "B2": (["welding"], ["stainless"])}

# Every pair the rules give, and why (X1 never: no consent; N1 shares nothing with anyone).
PAIRS = {
    ("A1", "B1"): "request", ("A2", "B1"): "request",            # plating on titanium
    ("B2", "T2"): "request", ("A4", "B2"): "request",            # welding on stainless
    ("T1", "T2"): "peer",    # cutting | welding on steel, both 共同購入, same prefecture
    ("T2", "T4"): "peer",    # welding | heat treatment on steel, both 設備の間貸し, T2 idle, same prefecture
    ("T1", "T4"): "peer", ("A1", "T1"): "peer", ("A1", "T2"): "peer", ("A1", "T4"): "peer",   # complements on steel
    ("A1", "A4"): "peer",    # both 共同開発, neighbouring prefectures (栃木・埼玉)
}
PEOPLE = tuple(FACTORIES) + BUYERS


def survey_values(fid: str) -> dict:
    consent, procs, mats, interests, idle, channel = FACTORIES[fid]
    name, postal, addr = BCP.FACTORIES[fid][:3]
    phone = BCP.PHONES[fid]
    values = {"company_name": name, "representative": "代表 太郎", "contact_person": "担当 一郎", "postal_code": postal,
              "address": addr, "phone": phone, "fax": phone[:-1] + "9", "employees": "25", "processes": procs,
              "materials": mats, "lot_sizes": ["small"], "certifications": ["none"], "idle_equipment": idle,
              "idle_machines": "溶接機 1台" if idle == "yes" else "", "contact_channel": channel,
              "consent": "agree" if consent else "disagree"}
    if interests:
        values["interests"] = interests
    return values


def request_values(bid: str) -> dict:
    values = BCP.request_values(bid)
    values["process"], values["material"] = REQUESTS[bid]
    return values


def build(root: Path):
    from intake.form import load_forms
    from intake.render import Respondent, render_form
    from intake.workspace import init

    ws = init(root)
    forms = load_forms(ws.forms_path())
    blanks = root / "blanks"
    people = []
    for fid, f in FACTORIES.items():
        name, postal, addr = BCP.FACTORIES[fid][:3]
        people.append((forms["survey"], Respondent(fid, name, postal, addr, BCP.PHONES[fid], None, f[5]),
                       survey_values(fid)))
    for bid in BUYERS:
        b = BCP.BUYERS[bid]
        people.append((forms["request"], Respondent(bid, b[0], b[1], b[2], b[3], None, "post"), request_values(bid)))
    for form, person, values in people:
        blank = render_form(form, "ja", blanks / f"{form.id}-{person.id}.pdf", respondent=person)
        BCP.fill_pdf(blank, blanks / f"filled-{form.id}-{person.id}.pdf", values)
    BCP.read_back(ws, forms, blanks)
    return ws


def workspace(tmp_path: Path):
    """A copy of the population (built once per test process) at tmp_path/ws."""
    return BCP.copy_of(build, "event", tmp_path)
