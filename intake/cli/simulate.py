"""simulate."""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main
from intake.simulate.writers import WRITER_SETS


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@main.command()
@click.option("--forms", "form_ids", default="survey,request,reply-slip", show_default=True,
              help="Comma-separated form ids to fill.")
@click.option("--respondents", "-n", default=10, show_default=True, type=click.IntRange(1, 100000),
              help="Respondents R0001..; each returns every form once.")
@click.option("--profiles", default=None,
              help="Comma-separated channels, taken in turn (default: fax-standard,fax-fine,fax-upside-down,"
                   "fax-of-fax,scan-300-grey). 'all' for every one.")
@click.option("--lang", type=click.Choice(["ja", "en", "mix"]), default="ja", show_default=True,
              help="Language of the printed forms and the answers.")
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--writers", type=click.Choice(WRITER_SETS), default="tuning", show_default=True,
              help="Which writers fill the forms: 'tuning', the hands recognition thresholds are tuned on, or "
                   "'heldout', other handwriting fonts, other MNIST digits and other mark and correction styles, "
                   "never used in tuning (what the benchmark reports on; needs `make fonts`).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the return files, truth.jsonl and simulate.json.")
@click.option("--list-profiles", is_flag=True, help="Print the channels and exit.")
@click.pass_obj
def simulate(ws, form_ids, respondents, profiles, lang, seed, writers, out_dir, list_profiles):
    """Fill rendered forms with synthetic handwriting and send them through fax and scan channels,
    writing the ground truth (truth.jsonl) beside the files.

    Python: intake.simulate.simulate(forms, out_dir, n_respondents, seed, profiles, lang, writers=...)

    \b
    Example:
      intake simulate --forms survey,request --respondents 20 --profiles fax-standard,fax-fine --seed 1 --out sim/
      intake simulate --profiles all -n 3 --out sim-all/
      intake simulate --writers heldout -n 5 --seed 2026 --out sim-heldout/   # writers never seen in tuning
    """
    from intake.form import load_forms
    from intake.simulate import DEFAULT_PROFILES, PROFILES, SimulateError
    from intake.simulate import simulate as run

    if list_profiles:
        for p in PROFILES.values():
            click.echo(f"{p.name:16} {p.kind:5} {p.res[0]}x{p.res[1]} dpi  {p.coding}")
        return
    if out_dir is None:
        raise click.UsageError("--out DIR is required")
    forms = load_forms(ws.forms_path())
    missing = [f for f in _names(form_ids) if f not in forms]
    if missing:
        raise SimulateError(f"unknown form(s): {', '.join(missing)}", hint=f"available: {', '.join(sorted(forms))}")
    chosen = list(PROFILES) if profiles == "all" else (_names(profiles) if profiles else list(DEFAULT_PROFILES))
    with click.progressbar(length=respondents * len(_names(form_ids)), label="simulating", file=None) as bar:
        truth = run([forms[f] for f in _names(form_ids)], out_dir, respondents, seed=seed, profiles=chosen,
                    lang=lang, writers=writers, progress=lambda _name: bar.update(1))
    n = sum(1 for _ in truth.open(encoding="utf-8"))
    click.echo(f"{n} files in {out_dir}  (truth: {truth})")
