"""intake forms list | render | templates."""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main
from intake.errors import FormDefinitionError
from intake.form import load_forms


def _forms(ws) -> dict:
    return load_forms(ws.forms_path())


@main.group()
def forms():
    """Form definitions (forms/*.yaml) and their printed PDFs."""


@forms.command("list")
@click.pass_obj
def list_forms(ws):
    """One line per form definition: id, version, pages, title.

    Python: intake.form.load_forms(folder)

    \b
    Example:
      intake forms list
    """
    from intake.form.layout import layout

    for form in _forms(ws).values():
        pages = layout(form).page_count
        click.echo(f"{form.id}\tv{form.version}\t{pages} page{'s' if pages > 1 else ''}\t"
                   f"{form.title.ja} / {form.title.en}")


@forms.command()
@click.argument("form_id")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="ja: Japanese first with English small; en: English only.")
@click.option("--respondents", "respondents_csv", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CSV with id,name[,postal_code,address,phone,fax,contact_channel]: one personalised copy each.")
@click.option("--combined", is_flag=True, help="With --respondents: one print-ready PDF of all copies.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the workspace's sent/ when initialised, else ./out).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def render(ws, form_id, lang, respondents_csv, combined, out_dir, quiet):
    """Render FORM_ID as a printable, fillable A4 PDF; with --respondents, one personalised copy per row,
    recorded in the workspace (respondents, sent_forms) when it is initialised.

    Python: intake.render.render_form(form, lang, out) /
    intake.render.render_batch(form, lang, respondents, out_dir, combined, workspace=ws)

    \b
    Example:
      intake forms render survey --lang ja --out out/
      intake --home office forms render survey --lang ja --respondents factories.csv --combined
    """
    from intake.render import read_respondents_csv, render_batch, render_form
    from intake.render.document import copy_name

    all_forms = _forms(ws)
    if form_id not in all_forms:
        raise FormDefinitionError(f"no form '{form_id}' in {ws.forms_path()}",
                                  hint=f"known forms: {', '.join(all_forms)} (see: intake forms list)")
    form = all_forms[form_id]
    if out_dir is None:
        out_dir = ws.sent if ws.is_initialised else Path("out")
    if respondents_csv is None:
        if combined:
            raise click.UsageError("--combined needs --respondents")
        path = render_form(form, lang, out_dir / copy_name(form, lang))
        click.echo(str(path))
        return
    respondents = read_respondents_csv(respondents_csv)
    paths = render_batch(form, lang, respondents, out_dir, combined=combined, progress=not quiet, workspace=ws)
    for p in paths:
        click.echo(str(p))
    if ws.is_initialised:
        click.echo(f"recorded {len(respondents)} sent copies in {ws.db_path}", err=True)


@forms.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("templates_pdf"),
              show_default=True, help="Output folder.")
@click.pass_obj
def templates(ws, out_dir):
    """Render every form blank in ja and en: OUT/{form_id}-{lang}.pdf.

    Python: intake.render.render_templates(forms, out_dir)

    \b
    Example:
      intake forms templates --out templates_pdf
    """
    from intake.render import render_templates

    for p in render_templates(_forms(ws), out_dir):
        click.echo(str(p))
