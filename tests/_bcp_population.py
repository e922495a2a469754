"""A designed population for the BCP tests: every answer is chosen, so the right assessment is known.

Each factory's survey and each buyer's request is rendered personalised, filled as a fillable PDF
(the widgets a PDF viewer fills), dropped into the inbox and processed: the profile tables fill the
way a real return fills them. Matching then runs and the coordinator approves B1's match with T1.
Built once per test process and copied for each test (`workspace(tmp_path)`).
The outage area is 栃木県小山市 (postal codes 323-xxxx): four factories there.

    factory  where            consent  processes             materials               notes
    T1       小山市 (in area)  yes      cutting, plating      steel, titanium         buyer B1 relies on it (approved)
    T2       小山市 (in area)  yes      welding               stainless               proposed for B2's request
    T3       小山市 (in area)  no       casting               aluminium               nobody else casts
    T4       小山市 (in area)  yes      heat_treatment,       copper_brass, titanium  heat treatment of titanium:
                                        grinding                                      nobody (A5, A6 cover parts)
    A1       宇都宮市 栃木県    yes      cutting, plating      steel, titanium         best for T1, idle, ISO
    A2       前橋市 群馬県      yes      cutting               steel                   partial for T1
    A3       大阪市 大阪府      yes      cutting, plating      steel                   covers T1 but titanium, far
    X1       宇都宮市 栃木県    no       cutting, plating      steel, titanium         perfect for T1 but no consent
    A4       熊谷市 埼玉県      yes      welding               stainless               the one alternative for T2
    A5       千葉市 千葉県      yes      heat_treatment,       copper_brass
                                        grinding
    A6       長野市 長野県      yes      grinding              titanium
    N1       水戸市 茨城県      yes      painting              resin                   shares nothing with anyone
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

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
BUYERS = {"B1": ("東京商事 株式会社", "1000001", "東京都千代田区千代田1-1", "0332221111"),
          "B2": ("横浜物産 株式会社", "2310023", "神奈川県横浜市中区山下町2", "0452221111")}
# buyer -> what its request needs
REQUESTS = {"B1": (["plating"], ["titanium"]), "B2": (["welding"], ["stainless"])}
APPROVED = ("B1", "T1")         # the coordinator approved this pair; the other proposals stay proposed


def fill_pdf(src, out, values: dict) -> None:
    """Fill a rendered form's widgets as a PDF viewer would: text fields get /V, ticked options /V and /AS /Yes."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    from intake.ingest.acroform import _full_name

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            key, _, option = _full_name(annot).partition(".")
            v = values.get(key)
            if v is None:
                continue
            if option:
                if option in (v if isinstance(v, list) else [v]):
                    annot[NameObject("/V")] = annot[NameObject("/AS")] = NameObject("/Yes")
            else:
                annot[NameObject("/V")] = TextStringObject(str(v))
    with open(out, "wb") as fh:
        writer.write(fh)


def survey_values(fid: str) -> dict:
    name, postal, addr, consent, procs, mats, lots, certs, idle, channel = FACTORIES[fid]
    return {"company_name": name, "representative": "代表 太郎", "contact_person": "担当 一郎", "postal_code": postal,
            "address": addr, "phone": PHONES[fid], "fax": PHONES[fid][:-1] + "9", "employees": "25",
            "processes": procs, "materials": mats, "lot_sizes": lots, "certifications": certs or ["none"],
            "idle_equipment": idle, "idle_machines": "マシニングセンタ 1台" if idle == "yes" else "",
            "contact_channel": channel, "consent": "agree" if consent else "disagree"}


# Real area codes of each factory's city, so the phone agrees with the address.
PHONES = {"T1": "0285221111", "T2": "0285222222", "T3": "0285223333", "T4": "0285224444", "A1": "0286221111",
          "A2": "0272221111", "A3": "0662221111", "X1": "0286229999", "A4": "0485221111", "N1": "0292221111",
          "A5": "0432221111", "A6": "0262221111"}


def request_values(bid: str) -> dict:
    name, _postal, _addr, phone = BUYERS[bid]
    procs, mats = REQUESTS[bid]
    return {"requester": name, "contact_person": "購買 花子", "phone": phone, "process": procs, "material": mats,
            "quantity": "200", "region": "nationwide", "drawings": "yes"}


def build(root: Path):
    """The population in a new workspace at root, through the inbox (see the module docstring)."""
    from intake import match as m_api
    from intake.form import load_forms
    from intake.render import Respondent, render_form
    from intake.workspace import init

    ws = init(root)
    forms = load_forms(ws.forms_path())
    blanks = root / "blanks"
    people = [(forms["survey"], Respondent(fid, f[0], f[1], f[2], PHONES[fid], None, f[9]), survey_values(fid))
              for fid, f in FACTORIES.items()]
    people += [(forms["request"], Respondent(bid, b[0], b[1], b[2], b[3], None, "post"), request_values(bid))
               for bid, b in BUYERS.items()]
    for form, person, values in people:
        blank = render_form(form, "ja", blanks / f"{form.id}-{person.id}.pdf", respondent=person)
        fill_pdf(blank, blanks / f"filled-{form.id}-{person.id}.pdf", values)
    read_back(ws, forms, blanks)
    m_api.run_matching(ws)
    pair = next(m for m in m_api.list_matches(ws) if (m.requester, m.supplier) == APPROVED)
    m_api.approve(ws, pair.id, "佐藤")
    return ws


def read_back(ws, forms, blanks: Path) -> None:
    """The filled PDFs in `blanks` through the inbox; every submission must read cleanly."""
    from intake.ingest.pipeline import process

    for f in sorted(blanks.glob("filled-*.pdf")):      # whole files only: renamed into the inbox
        f.replace(ws.inbox / f.name)
    process(ws, forms=forms, stable_seconds=0, progress=False, workers=1)
    with sqlite3.connect(ws.db_path) as c:
        open_subs = c.execute("SELECT id, form, respondent_id, status FROM submissions WHERE status != 'accepted'"
                              ).fetchall()
    assert not open_subs, f"the designed population did not read cleanly: {open_subs}"


_BUILT: dict[str, Path] = {}


def copy_of(build_fn, name: str, tmp_path: Path):
    """A copy at tmp_path/ws of the population `build_fn` makes (built once per test process and name)."""
    from intake.workspace import Workspace

    if name not in _BUILT:
        _BUILT[name] = build_fn(Path(tempfile.mkdtemp(prefix=f"{name}-population-")) / "ws").root
    shutil.copytree(_BUILT[name], tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def workspace(tmp_path: Path):
    """A copy of the population (built once per test process) at tmp_path/ws."""
    return copy_of(build, "bcp", tmp_path)
