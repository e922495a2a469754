"""Whole documents: one form for one respondent, batches for a mailing list, the blank templates."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from tqdm import tqdm

from intake.errors import IntakeError
from intake.form.identity import PageIdentity, valid_id
from intake.form.layout import layout
from intake.form.model import FormDef
from intake.render import fonts
from intake.render.page import draw_page
from intake.render.paper import Paper
from intake.render.record import record_sent
from intake.render.respondents import Respondent
from intake.render.widgets import add_widgets

LANGS = ("ja", "en")


class RenderError(IntakeError):
    """A render request that cannot be done as asked."""

    exit_code = 1


def _check(form: FormDef, lang: str, match_id: str | None) -> None:
    if lang not in LANGS:
        raise RenderError(f"unknown language {lang!r}", hint="use --lang ja or --lang en")
    if match_id is not None and not valid_id(match_id):
        raise RenderError(f"match id {match_id!r} is not allowed",
                          hint="letters, digits, '_', '.', '-' only, at most 24 characters")


def _draw(form: FormDef, lang: str, copies: Iterable[tuple[Respondent | None, str | None]]) -> bytes:
    """Draw every page of every copy into one PDF (no widgets yet)."""
    fonts.register()
    lay = layout(form)
    buf = BytesIO()
    # invariant: no timestamps or random ids, so the same definition gives the same bytes.
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.GOTHIC)
    c.setTitle(f"{form.title.get(lang)} ({form.id} v{form.version})")
    c.setAuthor("intake")
    c.setSubject(form.title.ja if lang == "en" else form.title.en)
    c.setCreator("intake render")
    paper = Paper(c)
    for respondent, match_id in copies:
        for page in lay.pages:
            ident = PageIdentity(form.id, form.version, page.number, lay.page_count,
                                 respondent.id if respondent else None, match_id)
            draw_page(paper, form, lay, page, lang, ident, respondent)
            c.showPage()
    c.save()
    return buf.getvalue()


def render_form(form: FormDef, lang: str, out: Path, respondent: Respondent | None = None,
                match_id: str | None = None) -> Path:
    """One copy of `form` in `lang` ('ja' or 'en') with fillable widgets; personalised when respondent is given."""
    _check(form, lang, match_id)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    add_widgets(_draw(form, lang, [(respondent, match_id)]), layout(form), out,
                title=f"{form.title.get(lang)} ({form.id} v{form.version})")
    return out


def copy_name(form: FormDef, lang: str, respondent: Respondent | None = None) -> str:
    return f"{form.id}-{lang}-{respondent.id}.pdf" if respondent else f"{form.id}-{lang}.pdf"


def render_batch(form: FormDef, lang: str, respondents: list[Respondent], out_dir: Path, combined: bool = False,
                 progress: bool = True, workspace=None) -> list[Path]:
    """Personalised copies, one PDF each (`{form}-{lang}-{id}.pdf`), or with combined=True one print-ready
    PDF of all copies (`{form}-{lang}-batch.pdf`, no widgets: their names would clash between copies).

    With an initialised `workspace` (intake.workspace.Workspace) each copy is recorded in
    respondents / sent_forms, so the office can see who has not answered yet.
    """
    _check(form, lang, None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = [r.id for r in respondents]
    if len(set(ids)) != len(ids):
        raise RenderError("the same respondent id appears twice in the batch", hint="give each respondent its own id")
    paths: list[Path]
    if combined:
        path = out_dir / f"{form.id}-{lang}-batch.pdf"
        path.write_bytes(_draw(form, lang, ((r, None) for r in tqdm(respondents, desc=f"{form.id} {lang}",
                                                                   unit="copy", disable=not progress))))
        paths = [path]
        copies = [(r, path, None) for r in respondents]
    else:
        paths = [render_form(form, lang, out_dir / copy_name(form, lang, r), r)
                 for r in tqdm(respondents, desc=f"{form.id} {lang}", unit="copy", disable=not progress)]
        copies = [(r, p, None) for r, p in zip(respondents, paths)]
    if workspace is not None and workspace.is_initialised and respondents:
        record_sent(workspace, form, lang, copies)
    return paths


def render_templates(forms: dict[str, FormDef], out_dir: Path) -> list[Path]:
    """The blank forms, `{form_id}-{lang}.pdf` for ja and en, ready to print or fill on screen."""
    out_dir = Path(out_dir)
    return [render_form(form, lang, out_dir / copy_name(form, lang)) for form in forms.values() for lang in LANGS]
