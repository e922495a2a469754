"""A corpus of simulated returns with their ground truth: what `intake simulate` writes.

For respondent R0001, R0002, ... and each form: render the personalised PDF, rasterise it, fill it
in one writer's hand, send it through a channel (profiles taken in turn, so each gets its share),
and record in truth.jsonl, one line per file written:

  {"file": ..., "profile": ..., "form": ..., "lang": ..., "respondent": ..., "match": ...,
   "pages": [{"index": 0, "identity": {PageIdentity fields}, "rotated": 0|180,
              "fields": {key: true value}, "notes": {key: how it was drawn}}],
   "channel": {what the channel did},
   "writer": {"set": "tuning"|"heldout", "pen": ..., "font": ..., "marks": ..., "hand": {the mark hand}}}

`writers` picks the writer set (intake.simulate.writers): "tuning", the hands thresholds are tuned on
(the default), or "heldout", other fonts, other MNIST digits and other mark styles, for the figures that
are reported. simulate.json (the manifest) names the set, its fonts and its digit source.

Every random choice comes from a generator seeded by (seed, respondent, form), so the same
arguments give byte-identical files, and respondent 7 looks the same in a corpus of 10 or 1000.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np

from intake.form.identity import PageIdentity
from intake.form.layout import layout
from intake.form.model import FormDef
from intake.simulate import handwriting
from intake.simulate.answers import Company, as_written, random_answers, random_company
from intake.simulate.degrade import DEFAULT_PROFILES, PROFILES, FaxHeader, send
from intake.simulate import writers as writer_sets
from intake.simulate.fill import Quirks, fill_page, random_writer
from intake.simulate.writers import DEFAULT_WRITERS, SimulateError

DPI = 300
TRUTH = "truth.jsonl"
ON_FILE_ATTR = {"contact_person": "person"}   # respondents column -> Company attribute, where they differ
OFFICE_LIST = "respondents.csv"    # what the office's list held when it printed the personalised copies
MANIFEST = "simulate.json"


def respondent_id(i: int) -> str:
    return f"R{i:04d}"


def _fax_number(digits: str) -> str:
    if digits.startswith(("03", "06")):
        return f"{digits[:2]}-{digits[2:6]}-{digits[6:]}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}" if len(digits) == 10 else digits


def _header(rng: np.random.Generator, company: Company) -> FaxHeader:
    m, d, hh, mm = (int(rng.integers(a, b)) for a, b in ((1, 13), (1, 29), (8, 19), (0, 60)))
    return FaxHeader(f"2026/{m:02d}/{d:02d} {hh:02d}:{mm:02d}", _fax_number(company.fax), company.name)


def rasterise(pdf: Path, dpi: int = DPI) -> list[np.ndarray]:
    from pdf2image import convert_from_path

    return [np.asarray(im.convert("L")) for im in convert_from_path(str(pdf), dpi=dpi, grayscale=True, timeout=120)]


def simulate_return(form: FormDef, out_stem: Path, profile: str, rng: np.random.Generator, *,
                    respondent: str, company: Company, lang: str = "ja", match: str | None = None,
                    quirks: Quirks = Quirks(), dpi: int = DPI, workdir: Path | None = None,
                    written: Company | None = None, writers: str = DEFAULT_WRITERS) -> list[dict]:
    """One filled return of `form` sent through `profile`, in the hand of a writer of the set `writers`;
    returns its truth records (one per file).

    `company` is what the office's list holds (printed on the personalised copy); `written` what the
    respondent writes back (default: the same). Fields whose definition names an `on_file` column and whose
    written value differs from the list are noted `differs_from_list` in the truth."""
    written = written or company
    from intake.render import Respondent, render_form

    if profile not in PROFILES:
        raise SimulateError(f"unknown profile {profile!r}", hint=f"choose from: {', '.join(PROFILES)}")
    lay = layout(form)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        person = Respondent(respondent, company.name, company.postal_code, company.address, company.phone,
                            company.fax)
        pdf = render_form(form, lang, Path(tmp, "copy.pdf"), respondent=person, match_id=match)
        blanks = rasterise(pdf, dpi)
    answers = random_answers(form, rng, lang, written)
    writer = random_writer(rng, lang, writers)
    filled, pages = [], []
    for page_layout, blank in zip(lay.pages, blanks):
        img, truth, notes = fill_page(blank, dpi, page_layout.fields, answers, rng, writer, lang, quirks)
        for g in page_layout.fields:
            col = ON_FILE_ATTR.get(g.field.on_file, g.field.on_file)
            if col and truth.get(g.key) and truth[g.key] != getattr(company, col):
                notes.setdefault(g.key, {})["differs_from_list"] = True
        filled.append(img)
        ident = PageIdentity(form.id, form.version, page_layout.number, lay.page_count, respondent, match)
        pages.append({"identity": asdict(ident), "fields": truth, "notes": notes})
    header, relay = _header(rng, written), _header(rng, random_company(rng, lang))
    files, info = send(PROFILES[profile], filled, dpi, out_stem, rng, header, relay)
    base = {"profile": profile, "form": form.id, "version": form.version, "lang": lang, "respondent": respondent,
            "match": match, "writer": writer.describe()}
    rotated = info.get("rotated", 0)
    if PROFILES[profile].kind != "fax":                     # scans: one file per page
        return [{"file": f.name, **base, "pages": [{"index": 0, "rotated": rotated, **p}], "channel": info}
                for f, p in zip(files, pages)]
    return [{"file": files[0].name, **base, "channel": info,
             "pages": [{"index": i, "rotated": rotated, **p} for i, p in enumerate(pages)]}]


def profile_for(k: int, n_forms: int, profiles: list[str]) -> str:
    """The channel of the k-th return (profiles taken in turn). When the number of forms and of
    profiles share a factor, plain turns would pair each form with only some profiles (3 forms,
    9 profiles: the survey would never be faxed upside down), so the turn shifts by one per cycle."""
    p = len(profiles)
    g = math.gcd(n_forms, p)
    shift = k // (n_forms * p // g) if g > 1 else 0
    return profiles[(k + shift) % p]


def _respondent(forms: list[FormDef], out_dir: Path, i: int, seed: int, profiles: list[str], lang: str,
                quirks: Quirks, writers: str = DEFAULT_WRITERS) -> list[tuple[str, list[dict]]]:
    """Every return of respondent i: [(file stem, truth records)] in form order."""
    rid = respondent_id(i)
    r_rng, r_lang, company = _on_file(seed, i, lang)
    written = as_written(company, r_rng, r_lang)
    out = []
    for fi, form in enumerate(forms):
        profile = profile_for((i - 1) * len(forms) + fi, len(forms), profiles)
        rng = np.random.default_rng([seed, i, fi + 1])
        match = f"M{i:04d}" if form.purpose == "reply" else None
        stem = out_dir / f"{rid}-{form.id}-{profile}"
        out.append((stem.name, simulate_return(form, stem, profile, rng, respondent=rid, company=company,
                                               lang=r_lang, match=match, quirks=quirks,
                                               written=written, writers=writers)))
    return out


def _on_file(seed: int, i: int, lang: str) -> tuple[np.random.Generator, str, Company]:
    """Respondent i's generator, language and what the office's list holds for it."""
    r_rng = np.random.default_rng([seed, i])
    r_lang = lang if lang != "mix" else ("en" if r_rng.random() < 0.2 else "ja")
    return r_rng, r_lang, random_company(r_rng, r_lang)


def office_list(n_respondents: int, seed: int, lang: str) -> list[tuple[str, Company]]:
    """What the office's respondent list holds for R0001..R{n}."""
    return [(respondent_id(i), _on_file(seed, i, lang)[2]) for i in range(1, n_respondents + 1)]


def write_office_list(path: Path, companies: list[tuple[str, Company]]) -> Path:
    """The office's list as the CSV `intake forms render --respondents` reads (id,name,postal_code,...)."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "postal_code", "address", "phone", "fax", "contact_channel", "representative",
                    "contact_person"])
        for rid, c in companies:
            w.writerow([rid, c.name, c.postal_code, c.address, c.phone, c.fax, "fax", c.representative, c.person])
    return path


def simulate(forms: Iterable[FormDef] | dict[str, FormDef], out_dir: Path, n_respondents: int, seed: int = 0,
             profiles: Iterable[str] = DEFAULT_PROFILES, lang: str = "ja", quirks: Quirks = Quirks(),
             progress: Callable[[str], None] | None = None, workers: int = 1,
             writers: str = DEFAULT_WRITERS) -> Path:
    """Write simulated returns of `forms` for respondents R0001..R{n} into out_dir, with truth.jsonl.

    Profiles are taken in turn per return. lang: 'ja', 'en' or 'mix' (one in five respondents in English).
    writers: the writer set, 'tuning' (what thresholds are tuned on) or 'heldout' (what figures are reported
    on: never seen in tuning; needs `make fonts`, else SimulateError).
    workers > 1 fills respondents in parallel processes (same bytes: each respondent has its own seed).
    Returns the path of truth.jsonl.
    """
    forms = list(forms.values()) if isinstance(forms, dict) else list(forms)
    profiles = list(profiles)
    if not forms:
        raise SimulateError("no forms to simulate", hint="name forms with --forms survey,request")
    bad = [p for p in profiles if p not in PROFILES]
    if bad or not profiles:
        raise SimulateError(f"unknown profile(s): {', '.join(bad) or '(none given)'}",
                            hint=f"choose from: {', '.join(PROFILES)}")
    if lang not in ("ja", "en", "mix"):
        raise SimulateError(f"unknown language {lang!r}", hint="use ja, en or mix")
    if n_respondents < 1:
        raise SimulateError("need at least one respondent", hint="--respondents 10")
    writer_sets.check(writers)
    handwriting.require_digits(writers)                     # fail early with the install hint
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    args = (seed, profiles, lang, quirks, writers)
    if workers > 1 and n_respondents > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = pool.map(_respondent, *zip(*[(forms, out_dir, i, *args) for i in range(1, n_respondents + 1)]))
            for returns in done:
                for name, recs in returns:
                    records += recs
                    if progress:
                        progress(name)
    else:
        for i in range(1, n_respondents + 1):
            for name, recs in _respondent(forms, out_dir, i, *args):
                records += recs
                if progress:
                    progress(name)
    write_office_list(out_dir / OFFICE_LIST, office_list(n_respondents, seed, lang))
    truth = out_dir / TRUTH
    truth.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records),
                     encoding="utf-8")
    manifest = {"seed": seed, "respondents": n_respondents, "forms": [f.id for f in forms], "profiles": profiles,
                "lang": lang, "quirks": asdict(quirks), "files": len(records),
                "pages": sum(len(r["pages"]) for r in records), "writers": writer_manifest(writers),
                "fonts": handwriting.available_fonts(writers), "digits": handwriting.digit_source(writers)}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                    encoding="utf-8")
    return truth


def writer_manifest(writers: str = DEFAULT_WRITERS) -> dict:
    """What the manifest says of the writer set: its fonts (and the scripts that fell back on IPAex Mincho
    because none of the set's fonts is installed), its digits and its mark and correction styles."""
    fallback = handwriting.font_fallback(writers)
    fonts = handwriting.available_fonts(writers)
    return {"set": writers, "fonts": {s: [Path(p).name for p in fs] for s, fs in fonts.items()},
            "font_fallback": {s: "IPAex Mincho: none of the set's handwriting fonts is installed (make fonts)"
                              for s in fallback},
            "digits": handwriting.digit_source(writers), "marks": list(writer_sets.MARKS[writers]),
            "corrections": list(writer_sets.CORRECTIONS[writers])}


def read_truth(path: Path) -> list[dict]:
    """The records of a truth.jsonl (for the benchmark and tests)."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
