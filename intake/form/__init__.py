"""The form model: definitions loaded from forms/*.yaml, and their page geometry in millimetres.

Geometry lives only here; rendering draws it and recognition reads it, so a box is
drawn and read at the same spot by construction.
"""

from intake.form.model import Field, FormDef, Label, Option, Section  # noqa: F401
from intake.form.loader import load_form, load_forms  # noqa: F401
from intake.form.layout import layout, FormLayout, PageLayout, FieldGeom, Rect  # noqa: F401
from intake.form.identity import PageIdentity  # noqa: F401
