"""Load and validate form definitions (YAML). Errors name the file, the line and the field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from intake.errors import FormDefinitionError
from intake.form.model import KINDS, PURPOSES, Field, FormDef, Label, Option, Section

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
FORM_ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
VALIDATE_KEYS = {"min", "max", "pattern", "rule", "min_digits", "max_digits", "requires", "when",
                 "one_of_required", "double_entry", "message"}
RULES = {"postal_code", "phone_jp", "date", "prefecture_matches_postal", "year_month_day"}
OCR_KEYS = {"psm", "chars", "lang"}          # per-field tesseract settings (text fields; intake.recognize.text)
OCR_PSMS = (6, 7, 8, 13)                     # a block, one line, one word, one raw line
OCR_LANGS = ("jpn", "eng", "jpn+eng")


class LineDict(dict):
    line: int = 0


class LineList(list):
    line: int = 0


def _py(node: yaml.Node) -> Any:
    """YAML node -> Python value, keeping each mapping's and sequence's line (1-based)."""
    if isinstance(node, yaml.MappingNode):
        d = LineDict()
        d.line = node.start_mark.line + 1
        for k, v in node.value:
            key = _py(k)
            if key in d:
                raise _err(None, node.start_mark.line + 1, f"duplicate key {key!r}")
            d[key] = _py(v)
        return d
    if isinstance(node, yaml.SequenceNode):
        lst = LineList(_py(v) for v in node.value)
        lst.line = node.start_mark.line + 1
        return lst
    return yaml.SafeLoader.construct_object(_SCALARS, node)  # type: ignore[arg-type]


class _ScalarLoader(yaml.SafeLoader):
    def __init__(self):  # no stream: only used to construct scalars
        super().__init__("")


_SCALARS = _ScalarLoader()


def _err(source: str | None, line: int, msg: str) -> FormDefinitionError:
    where = f"{source}:{line}" if source else f"line {line}"
    return FormDefinitionError(f"{where}: {msg}", hint="fix the form definition; see forms/README.md")


class _Ctx:
    def __init__(self, source: str):
        self.source = source

    def fail(self, obj: Any, msg: str, line: int | None = None) -> FormDefinitionError:
        return _err(self.source, line or getattr(obj, "line", 0), msg)

    def mapping(self, obj: Any, what: str, line: int) -> LineDict:
        if not isinstance(obj, dict):
            raise self.fail(obj, f"{what} must be a mapping", line)
        return obj

    def label(self, obj: Any, what: str, line: int, required: bool = True) -> Label | None:
        if obj is None and not required:
            return None
        if isinstance(obj, str):
            raise self.fail(obj, f"{what} needs both languages, e.g. {{ja: ..., en: ...}}", line)
        d = self.mapping(obj, what, line)
        extra = set(d) - {"ja", "en"}
        if extra:
            raise self.fail(d, f"{what}: unknown language(s) {sorted(extra)} (use ja and en)")
        for lang in ("ja", "en"):
            if not isinstance(d.get(lang), str) or not d[lang].strip():
                raise self.fail(d, f"{what}: missing '{lang}' text")
        return Label(d["ja"].strip(), d["en"].strip())

    def unknown(self, d: LineDict, allowed: set[str], what: str) -> None:
        extra = set(d) - allowed
        if extra:
            raise self.fail(d, f"{what}: unknown setting(s) {sorted(extra)}; allowed: {sorted(allowed)}")


FIELD_KEYS = {"key", "kind", "label", "hint", "required", "multiple", "options", "columns", "boxes",
              "multiline", "lines", "validate", "on_file", "ocr"}
ON_FILE = ("name", "postal_code", "address", "phone", "fax", "representative", "contact_person")      # respondents columns a form may repeat


def _field(ctx: _Ctx, d: Any, parent_line: int) -> Field:
    d = ctx.mapping(d, "a field", parent_line)
    key = d.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ctx.fail(d, f"field key {key!r} must be lower-case letters, digits and _ (starting with a letter)")
    what = f"field '{key}'"
    ctx.unknown(d, FIELD_KEYS, what)
    kind = d.get("kind")
    if kind not in KINDS:
        raise ctx.fail(d, f"{what}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    label = ctx.label(d.get("label"), f"{what} label", d.line)
    hint = ctx.label(d.get("hint"), f"{what} hint", d.line, required=False)
    validate = d.get("validate") or {}
    if validate:
        validate = ctx.mapping(validate, f"{what} validate", d.line)
        ctx.unknown(validate, VALIDATE_KEYS, f"{what} validate")
        if "rule" in validate and validate["rule"] not in RULES:
            raise ctx.fail(validate, f"{what}: unknown rule {validate['rule']!r}; known: {sorted(RULES)}")
        if "pattern" in validate:
            try:
                re.compile(str(validate["pattern"]))
            except re.error as exc:
                raise ctx.fail(validate, f"{what}: bad pattern: {exc}")
    on_file = d.get("on_file", "") or ""
    if on_file not in ("", *ON_FILE):
        raise ctx.fail(d, f"{what}: on_file must name a column of the respondent list: {', '.join(ON_FILE)}"
                          f" (got {on_file!r})")
    ocr = d.get("ocr") or {}
    if ocr:
        if kind != "text":
            raise ctx.fail(d, f"{what}: 'ocr' settings only apply to kind text")
        ocr = ctx.mapping(ocr, f"{what} ocr", d.line)
        ctx.unknown(ocr, OCR_KEYS, f"{what} ocr")
        if "psm" in ocr and ocr["psm"] not in OCR_PSMS:
            raise ctx.fail(ocr, f"{what}: ocr psm must be one of {', '.join(map(str, OCR_PSMS))}")
        if "lang" in ocr and ocr["lang"] not in OCR_LANGS:
            raise ctx.fail(ocr, f"{what}: ocr lang must be one of {', '.join(OCR_LANGS)}")
        if "chars" in ocr and (not isinstance(ocr["chars"], str) or not ocr["chars"]):
            raise ctx.fail(ocr, f"{what}: ocr chars must be a set name (digits, katakana, hiragana, latin) or the"
                                " characters themselves")
    kw: dict[str, Any] = dict(key=key, kind=kind, label=label, hint=hint, line=d.line,
                              required=bool(d.get("required", False)), validate=dict(validate), on_file=on_file,
                              ocr=dict(ocr))
    if kind == "choice":
        opts = d.get("options")
        if not isinstance(opts, list) or len(opts) < 2:
            raise ctx.fail(d, f"{what}: a choice needs a list of at least 2 options")
        seen = set()
        options = []
        for o in opts:
            o = ctx.mapping(o, f"{what} option", d.line)
            ok = o.get("key")
            if not isinstance(ok, str) or not OPTION_RE.match(ok):
                raise ctx.fail(o, f"{what}: option key {ok!r} must be lower-case letters, digits and _")
            if ok in seen:
                raise ctx.fail(o, f"{what}: option '{ok}' appears twice")
            seen.add(ok)
            ctx.unknown(o, {"key", "ja", "en"}, f"{what} option '{ok}'")
            options.append(Option(ok, ctx.label({k: o.get(k) for k in ("ja", "en")}, f"{what} option '{ok}'", o.line)))
        cols = d.get("columns", 0)
        if not isinstance(cols, int) or not 0 <= cols <= 6:
            raise ctx.fail(d, f"{what}: columns must be a whole number from 1 to 6")
        kw.update(multiple=bool(d.get("multiple", False)), options=tuple(options), columns=cols)
    elif kind == "digits":
        boxes = d.get("boxes")
        if not isinstance(boxes, int) or not 1 <= boxes <= 16:
            raise ctx.fail(d, f"{what}: digits need 'boxes', a whole number from 1 to 16")
        kw.update(boxes=boxes)
    else:
        lines = d.get("lines", 1)
        if not isinstance(lines, int) or not 1 <= lines <= 8:
            raise ctx.fail(d, f"{what}: lines must be a whole number from 1 to 8")
        kw.update(multiline=bool(d.get("multiline", lines > 1)), lines=lines)
    for k in ("options", "columns", "multiple"):
        if kind != "choice" and k in d:
            raise ctx.fail(d, f"{what}: '{k}' only applies to kind choice")
    if kind != "digits" and "boxes" in d:
        raise ctx.fail(d, f"{what}: 'boxes' only applies to kind digits")
    return Field(**kw)


def parse_form(text: str, source: str = "<string>") -> FormDef:
    ctx = _Ctx(source)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise _err(source, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")
    if node is None:
        raise _err(source, 1, "the file is empty")
    doc = ctx.mapping(_py(node), "the form", 1)
    ctx.unknown(doc, {"id", "version", "title", "intro", "purpose", "sections", "max_pages"}, "form")
    fid = doc.get("id")
    if not isinstance(fid, str) or not FORM_ID_RE.match(fid):
        raise ctx.fail(doc, f"id {fid!r} must be lower-case letters, digits and '-'")
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        raise ctx.fail(doc, "version must be a whole number ≥ 1 (raise it when fields change)")
    title = ctx.label(doc.get("title"), "title", doc.line)
    intro = ctx.label(doc.get("intro"), "intro", doc.line, required=False)
    purpose = doc.get("purpose", "survey")
    if purpose not in PURPOSES:
        raise ctx.fail(doc, f"purpose must be one of {', '.join(PURPOSES)}")
    secs = doc.get("sections")
    if not isinstance(secs, list) or not secs:
        raise ctx.fail(doc, "sections: a list of sections, each with a title and fields")
    sections, keys = [], set()
    for s in secs:
        s = ctx.mapping(s, "a section", secs.line)
        ctx.unknown(s, {"title", "fields", "new_page"}, "section")
        st = ctx.label(s.get("title"), "section title", s.line)
        flds = s.get("fields")
        if not isinstance(flds, list) or not flds:
            raise ctx.fail(s, f"section '{st.en}': fields must be a non-empty list")
        fields = []
        for f in flds:
            fld = _field(ctx, f, s.line)
            if fld.key in keys:
                raise ctx.fail(f, f"field key '{fld.key}' is used twice")
            keys.add(fld.key)
            fields.append(fld)
        sections.append(Section(st, tuple(fields), bool(s.get("new_page", False))))
    form = FormDef(id=fid, version=version, title=title, intro=intro, purpose=purpose,
                   sections=tuple(sections), source=source, max_pages=int(doc.get("max_pages", 0) or 0))
    # Cross-field references must name real fields/options.
    for fld in form.fields:
        req = fld.validate.get("requires") or fld.validate.get("when")
        if isinstance(req, dict):
            other = req.get("field")
            if other not in keys:
                raise _err(source, fld.line, f"field '{fld.key}': validate refers to unknown field {other!r}")
    # Layout must fit the page budget: checked here so the error is a definition error.
    from intake.form.layout import layout

    lay = layout(form)
    if form.max_pages and len(lay.pages) > form.max_pages:
        raise _err(source, doc.line, f"the form needs {len(lay.pages)} pages but max_pages is {form.max_pages}")
    return form


def load_form(path: Path) -> FormDef:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDefinitionError(f"{path}: cannot read: {exc}", hint="save the file as UTF-8 YAML")
    return parse_form(text, str(path))


def load_forms(folder: Path) -> dict[str, FormDef]:
    forms: dict[str, FormDef] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        form = load_form(path)
        if form.id in forms:
            raise FormDefinitionError(f"{path}: form id '{form.id}' is also used by {forms[form.id].source}")
        forms[form.id] = form
    if not forms:
        raise FormDefinitionError(f"no form definitions (*.yaml) in {folder}")
    return forms
