"""Printed forms: A4 PDFs with embedded IPAex fonts, ArUco markers, an identity QR code and AcroForm widgets.

    render_form(form, lang, out, respondent=None, match_id=None) -> Path
    render_batch(form, lang, respondents, out_dir, combined=False, progress=True, workspace=None) -> list[Path]
    render_templates(forms, out_dir) -> list[Path]
    read_respondents_csv(path) -> list[Respondent]
    record_sent(ws, form, lang, copies) -> int
"""

from intake.render.document import LANGS, render_batch, render_form, render_templates  # noqa: F401
from intake.render.record import record_sent  # noqa: F401
from intake.render.respondents import Respondent, RespondentListError, read_respondents_csv  # noqa: F401
