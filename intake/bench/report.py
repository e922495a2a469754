"""The benchmark's figures: a printed table, a JSON document, and the issue's targets checked.

    figures(result) -> dict               one seed's document (also judges the targets on that seed)
    summary([figures, ...]) -> dict       several seeds: per-seed documents, targets judged on the WORST seed
    worst_of({seed: {target: value}})     the judging itself (pure)
    table(figures), summary_table(summary) -> str

Every document and table names the writer set its figures come from and the seed(s), and says what the
thresholds were tuned on (TUNED_ON).
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass
from pathlib import Path

from intake.bench.compare import Tally
from intake.bench.run import TUNED_ON, BenchResult, no_clerk_counts, no_clerk_line


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    op: str              # "<=" (at most: the worst seed is the highest) or ">=" (at least: the lowest)
    want: float
    percent: bool = True

    def met(self, v) -> bool | None:
        if v is None:
            return None
        return v <= self.want if self.op == "<=" else v >= self.want

    def show(self, v) -> str:
        if v is None:
            return "-"
        if self.percent:
            return f"{100 * v:.2f}%"
        return f"{v:.1f}" if isinstance(v, float) else str(v)

    @property
    def said(self) -> str:
        return f"{self.op} {self.show(self.want)}"


# The targets, judged on the worst of the seeds run.
TARGETS = (
    Target("wrong_identities", "wrong identities", "<=", 0, percent=False),
    Target("identified", "pages identified", ">=", 0.995),
    Target("silent_rate", "silent errors, of all fields", "<=", 0.003),
    Target("marks_silent_rate", "silent errors, of marks", "<=", 0.003),
    Target("review_rate", "review rate, of fields", "<=", 0.20),
    Target("text_exact", "text read exactly (non-blank)", ">=", 0.70),
    Target("text_accepted_right", "text accepted, right (non-blank)", ">=", 0.995),
    Target("digits_accepted", "digit fields auto-accepted", ">=", 0.75),
    Target("digits_accepted_right", "digit fields accepted, right", ">=", 0.995),
    Target("marks_accepted", "marks auto-accepted", ">=", 0.97),
    Target("marks_accepted_right", "marks accepted, right", ">=", 0.998),
    Target("pages_per_minute", "pages/min (processing only)", ">=", 350.0, percent=False),
    Target("speedup", "x full-page tesseract, same run", ">=", 3.0, percent=False),
)
TARGET_BY_NAME = {t.name: t for t in TARGETS}


def _pct(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{100 * v:.{digits}f}%"


def _row(name: str, t: Tally, chars: bool = False) -> str:
    s = (f"  {name:18} {t.fields:6d} {_pct(t.accuracy):>8} {_pct(t.accepted_rate):>9} "
         f"{_pct(t.accepted_right, 2):>10} {_pct(t.silent_rate, 2):>8}")
    return s + (f" {_pct(t.char_accuracy):>9}" if chars else "")


def _writers_doc(r: BenchResult) -> dict:
    return {"set": r.writers, "said": r.writers_said}


def provenance(f: dict) -> str:
    """'writers: heldout (...), seed 101' or '..., seeds 101, 202' for a figures or summary document."""
    seeds = f.get("seeds") or [f["seed"]]
    return (f"writers: {f['writers']['said']}, " + ("seed " if len(seeds) == 1 else "seeds ")
            + ", ".join(str(s) for s in seeds))


def tag(f: dict) -> str:
    """The short form each sub-table's header carries."""
    seeds = f.get("seeds") or [f["seed"]]
    return f"[writers: {f['writers']['set']}, seed{'s' if len(seeds) > 1 else ''} {','.join(str(s) for s in seeds)}]"


def figures(r: BenchResult) -> dict:
    t = r.tallies
    pages = len(r.pages)
    ident = sum(p.status == "right" for p in r.pages)
    wrong = sum(p.status == "wrong" for p in r.pages)
    by_prof: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for p in r.pages:
        by_prof[p.profile][p.status] += 1
    out = {
        "seed": r.seed, "writers": _writers_doc(r), "tuned_on": TUNED_ON,
        "workers": r.workers, "pages": pages, "identified": ident, "wrong_identities": wrong,
        "identified_rate": ident / pages if pages else None,
        "pages_by_profile": {k: dict(v) for k, v in sorted(by_prof.items())},
        "process_seconds": round(r.process_seconds, 2), "pages_per_minute": round(r.pages_per_minute, 1),
        "simulate_seconds": round(r.simulate_seconds, 1),
        "no_clerk": no_clerk_counts(r.submissions),
        "submission_status": dict(collections.Counter(s.status or "pages not in one submission"
                                                      for s in r.submissions)),
        "fields": t.to_json(), "notes": r.notes,
        "field_kinds": {o.key: o.kind for o in r.fields},
    }
    if r.baseline:
        b = r.baseline
        out["baseline"] = {"command": "tesseract FILE stdout -l jpn", "parallel": 2, "files": b.files,
                           "pages": b.pages, "seconds": round(b.seconds, 2),
                           "pages_per_minute": round(b.pages_per_minute, 1)}
        out["speedup"] = round(r.pages_per_minute / b.pages_per_minute, 2) if b.pages_per_minute else None
    out["target_values"] = target_values(out)
    out["targets"] = worst_of({r.seed: out["target_values"]})
    return out


def target_values(f: dict) -> dict[str, float | int | None]:
    """The figures the targets are judged on, from one seed's figures document."""
    k = f["fields"]["by_kind"]
    nb = f["fields"].get("by_kind_nonblank", {})
    return {
        "wrong_identities": f["wrong_identities"], "identified": f["identified_rate"],
        "silent_rate": f["fields"]["overall"]["silent_rate"],
        "marks_silent_rate": k.get("choice", {}).get("silent_rate"),
        "review_rate": f["fields"]["overall"]["review_rate"],
        "text_exact": nb.get("text", {}).get("accuracy"),
        "text_accepted_right": nb.get("text", {}).get("accepted_right"),
        "digits_accepted": k.get("digits", {}).get("accepted_rate"),
        "digits_accepted_right": k.get("digits", {}).get("accepted_right"),
        "marks_accepted": k.get("choice", {}).get("accepted_rate"),
        "marks_accepted_right": k.get("choice", {}).get("accepted_right"),
        "pages_per_minute": f["pages_per_minute"], "speedup": f.get("speedup"),
    }


def worst_of(values: dict[int, dict[str, float | int | None]]) -> list[dict]:
    """Judge every target on the worst seed: {seed: target_values} -> one row per target
    {name, label, target, worst, seed, met, values}. An 'at most' target's worst is the highest value, an
    'at least' target's the lowest; a seed without the figure (None: no baseline, no such fields) is left
    out, and a target no seed has is not judged (met None). Ties go to the first seed given."""
    rows = []
    for t in TARGETS:
        have = [(seed, v[t.name]) for seed, v in values.items() if v.get(t.name) is not None]
        if have:
            pick = max if t.op == "<=" else min
            seed, worst = pick(have, key=lambda sv: sv[1])
        else:
            seed, worst = None, None
        rows.append({"name": t.name, "label": t.label, "target": t.said, "op": t.op, "want": t.want,
                     "worst": worst, "seed": seed, "met": t.met(worst),
                     "seeds_at_worst": [s for s, v in have if v == worst],
                     "values": {str(s): v.get(t.name) for s, v in values.items()}})
    return rows


def _sum_tallies(docs: list[dict]) -> dict[str, dict]:
    """Counts of several tallies' JSON added up (the derived rates recomputed)."""
    out: dict[str, Tally] = {}
    for d in docs:
        for k, v in d.items():
            t = out.setdefault(k, Tally())
            for a in ("fields", "right", "accepted", "silent", "chars", "chars_right"):
                setattr(t, a, getattr(t, a) + v[a])
    return {k: t.to_json() for k, t in out.items()}


def summary(per_seed: list[dict]) -> dict:
    """Several seeds' figures() documents: the targets judged on the worst seed, the marks by style pooled."""
    if not per_seed:
        raise ValueError("no seeds")
    said = sorted({f["writers"]["said"] for f in per_seed})
    sets = sorted({f["writers"]["set"] for f in per_seed})
    writers = dict(per_seed[0]["writers"]) if len(said) == 1 else {"set": "+".join(sets), "said": " / ".join(said)}
    seeds = [f["seed"] for f in per_seed]
    styles = _sum_tallies([f["fields"].get("by_mark_style", {}) for f in per_seed])
    order = [k for f in per_seed for k in f["fields"].get("by_mark_style", {})]
    return {
        "writers": writers, "seeds": seeds, "tuned_on": TUNED_ON,
        "pages_per_seed": [f["pages"] for f in per_seed],
        "targets": worst_of({f["seed"]: f.get("target_values") or target_values(f) for f in per_seed}),
        "no_clerk": {str(f["seed"]): f["no_clerk"] for f in per_seed},
        "by_mark_style_pooled": {k: styles[k] for k in dict.fromkeys(order)},
        "notes": list(dict.fromkeys(n for f in per_seed for n in f.get("notes", [])[1:])),
        "per_seed": per_seed,
    }


def hazard_table(by_hazard: dict[str, dict], tag: str = "") -> list[str]:
    """Lines of the hazards table: fields the respondent made hard on purpose (truth note flags) and
    what the machine did with them. The issue's demand: to review, never accepted wrong."""
    if not by_hazard:
        return []
    lines = ["", f"  {'hazards':18} {'n':>6} {'review':>8} {'acc.right':>10} {'silent':>12}  {tag}".rstrip()]
    for name, d in by_hazard.items():
        lines.append(f"  {name:18} {d['fields']:6d} {_pct(d['review_rate']):>8} {_pct(d['accepted_right_rate']):>10} "
                     f"{d['silent']:5d} {_pct(d['silent_rate']):>6}")
    return lines


def field_table(by_field: dict[str, dict], kinds: tuple[str, ...], kind_of: dict[str, str], tag: str = "") -> list[str]:
    """Per question of the given kinds: where the clerk's work comes from."""
    rows = [(k, d) for k, d in by_field.items() if kind_of.get(k) in kinds]
    if not rows:
        return []
    lines = ["", f"  {'by question':26} {'n':>4} {'right':>8} {'accepted':>9} {'acc.right':>10} {'silent':>8}  "
                 f"{tag}".rstrip()]
    for key, d in rows:
        lines.append(f"  {key:26} {d['fields']:4d} {_pct(d['accuracy']):>8} {_pct(d['accepted_rate']):>9} "
                     f"{_pct(d['accepted_right'], 2):>10} {_pct(d['silent_rate'], 2):>8}")
    return lines


def mark_style_table(by_style: dict[str, dict], tag: str = "") -> list[str]:
    """Marks by the style the respondent used (truth notes): which styles fail silently. A field with a
    crossed-out mark beside its answer counts under its style and again under 'correction: <style>'."""
    if not by_style:
        return []
    lines = ["", f"  {'marks by style':22} {'fields':>6} {'right':>8} {'accepted':>9} {'silent':>7} {'of acc.':>8}  "
                 f"{tag}".rstrip()]
    for name, d in by_style.items():
        lines.append(f"  {name:22} {d['fields']:6d} {_pct(d['accuracy']):>8} {_pct(d['accepted_rate']):>9} "
                     f"{d['silent']:7d} {_pct(None if d['accepted_right'] is None else 1 - d['accepted_right'], 2):>8}")
    return lines


def targets_table(rows: list[dict], tag: str = "", title: str = "targets") -> list[str]:
    """One row per target: the target, the worst value, which seed ('all': every seed had that value),
    met / NOT met."""
    lines = ["", f"  {title:34} {'target':>9} {'worst':>9} {'seed':>6}  {'':7}  {tag}".rstrip()]
    for r in rows:
        t = TARGET_BY_NAME[r["name"]]
        mark = {True: "met", False: "NOT met", None: "n/a"}[r["met"]]
        tied = r.get("seeds_at_worst", [])
        seed = "-" if r["seed"] is None else ("all" if len(tied) > 1 and len(tied) == len(r["values"]) else r["seed"])
        lines.append(f"  {r['label']:34} {r['target']:>9} {t.show(r['worst']):>9} {seed:>6}  {mark}")
    return lines


def _tl(d: dict) -> Tally:
    return Tally(**{k: d[k] for k in ("fields", "right", "accepted", "silent", "chars", "chars_right")})


def table(f: dict, targets: bool = True) -> str:
    """One seed's tables; `targets`: end with that seed's own targets (several seeds: see summary_table)."""
    t = f["fields"]
    tg = tag(f)
    lines = [f"intake bench  {provenance(f)}  {f['pages']} pages  {f['workers']} workers",
             f"  ({f['tuned_on']})"]
    lines += [f"  note: {n}" for n in f.get("notes", [])[1:]]
    lines += [f"pages identified   {f['identified']}/{f['pages']} ({_pct(f['identified_rate'], 2)})   "
              f"wrong identities {f['wrong_identities']}",
              "  by profile: " + ", ".join(f"{p} {c.get('right', 0)}/{sum(c.values())}"
                                           for p, c in f["pages_by_profile"].items()),
              "",
              f"  {'fields':18} {'n':>6} {'right':>8} {'accepted':>9} {'acc.right':>10} {'silent':>8}  {tg}"]
    for kind, d in t["by_kind"].items():
        lines.append(_row(kind, _tl(d)))
    lines.append(_row("all fields", _tl(t["overall"])))
    for kind, d in t.get("by_kind_nonblank", {}).items():
        if kind == "text":
            lines.append(_row("text, non-blank", _tl(d)) + "   (handwritten: truth not empty)")
    if "text" in t["by_kind"]:
        lines.append(f"  text character accuracy {_pct(t['by_kind']['text']['char_accuracy'])}")
    for kind, profs in t["by_kind_profile"].items():
        lines += ["", f"  {kind + ' by profile':18} {'n':>6} {'right':>8} {'accepted':>9} {'acc.right':>10} "
                      f"{'silent':>8}" + (f" {'chars':>9}" if kind == "text" else "") + f"  {tg}"]
        for prof, d in profs.items():
            lines.append(_row(prof, _tl(d), chars=kind == "text"))
    lines += mark_style_table(t.get("by_mark_style", {}), tg)
    lines += hazard_table(t.get("by_hazard", {}), tg)
    lines += field_table(t.get("by_field", {}), kinds=("digits", "text"), kind_of=f.get("field_kinds", {}), tag=tg)
    lines += ["", f"review rate {_pct(t['overall']['review_rate'])} of fields   "
                  f"silent errors {_pct(t['overall']['silent_rate'], 2)} of fields  {tg}",
              f"throughput {f['pages_per_minute']:.0f} pages/min ({f['pages']} pages in {f['process_seconds']:.1f} s, "
              f"{f['workers']} workers, processing only)"]
    if "baseline" in f:
        b = f["baseline"]
        ratio = "-" if f.get("speedup") is None else f"{f['speedup']:.1f}x"
        lines.append(f"baseline   {b['pages_per_minute']:.0f} pages/min (full-page tesseract -l jpn, 2 at a time, "
                     f"{b['seconds']:.1f} s)   ratio {ratio}")
    lines.append(no_clerk_line(f["no_clerk"]) + f"  {tg}")
    if targets:
        lines += targets_table(f["targets"], tg, title=f"targets (seed {f['seed']})")
    return "\n".join(lines)


def seeds_table(per_seed: list[dict], tag: str = "") -> list[str]:
    """One summary row per seed."""
    head = (f"  {'seed':>6} {'pages':>5} {'ident.':>7} {'wrong':>5} {'review':>7} {'silent':>7} {'m.silent':>8} "
            f"{'text ok':>7} {'dig.acc':>7} {'mark acc':>8} {'p/min':>6} {'ratio':>6} {'no clerk':>9} {'right':>5}")
    lines = ["", head + f"  {tag}".rstrip()]
    for f in per_seed:
        v = f.get("target_values") or target_values(f)
        nc = f["no_clerk"]
        ratio = "-" if v["speedup"] is None else f"{v['speedup']:.1f}x"
        lines.append(f"  {f['seed']:>6} {f['pages']:5d} {_pct(v['identified']):>7} {v['wrong_identities']:5d} "
                     f"{_pct(v['review_rate']):>7} {_pct(v['silent_rate'], 2):>7} {_pct(v['marks_silent_rate'], 2):>8} "
                     f"{_pct(v['text_exact']):>7} {_pct(v['digits_accepted']):>7} {_pct(v['marks_accepted']):>8} "
                     f"{v['pages_per_minute']:6.0f} {ratio:>6} {nc['no_clerk']:4d}/{nc['submissions']:<4d} "
                     f"{nc['no_clerk_right']:5d}")
    return lines


def summary_table(doc: dict) -> str:
    """Several seeds: a row per seed, marks by style pooled, and the targets judged on the worst seed."""
    tg = tag(doc)
    lines = [f"intake bench, {len(doc['seeds'])} seeds  {provenance(doc)}",
             f"  ({doc['tuned_on']})"]
    lines += [f"  note: {n}" for n in doc.get("notes", [])]
    lines += seeds_table(doc["per_seed"], tg)
    lines.append("  (text ok: non-blank text fields read exactly; no clerk: submissions accepted whole, "
                 "right: of those, every field right)")
    lines += mark_style_table(doc.get("by_mark_style_pooled", {}), tg + " pooled")
    lines += targets_table(doc["targets"], tg, title="targets, on the worst seed")
    return "\n".join(lines)


def write(f: dict, out_dir: Path) -> Path:
    path = Path(out_dir) / "bench.json"
    path.write_text(json.dumps(f, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def render(doc: dict) -> str:
    """What `intake bench` prints for a summary() document: one seed's tables with its targets, or each
    seed's tables followed by the per-seed rows and the targets judged on the worst seed."""
    per = doc["per_seed"]
    if len(per) == 1:
        return table(per[0])
    return "\n\n".join([table(f, targets=False) for f in per] + [summary_table(doc)])


def benchmark(out_dir: Path, seeds=(2026,), **run_kw) -> dict:
    """run_seeds, then figures per seed and the summary; writes out_dir/bench.json (the summary, each seed's
    figures under per_seed) and fields.jsonl beside each seed's workspace. Returns the summary document."""
    from dataclasses import asdict

    from intake.bench.run import run_seeds, seed_dir

    out_dir = Path(out_dir)
    results = run_seeds(out_dir, seeds, **run_kw)
    per = []
    for r in results:
        f = figures(r)
        where = out_dir if len(results) == 1 else out_dir / seed_dir(r.seed)
        if len(results) > 1:
            write(f, where)
        with (where / "fields.jsonl").open("w", encoding="utf-8") as fh:
            for o in r.fields:
                fh.write(json.dumps(asdict(o), ensure_ascii=False, default=str) + "\n")
        per.append(f)
    doc = summary(per)
    write(doc, out_dir)
    return doc
