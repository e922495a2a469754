"""The review desk as a small local web app (Flask). Every action calls intake.review.service.

Security: bound to loopback unless told otherwise, and then a password is required
(`check_bind`); images are served by database id and only from inside the workspace;
every POST carries the session's CSRF token; a strict Content-Security-Policy keeps the
page to its own scripts, styles, images and font (nothing is fetched from the internet).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, render_template, request, send_file, session, url_for

from intake.errors import IntakeError
from intake.review import service
from intake.review.texts import TEXTS, t
from intake.workspace import Workspace

HERE = Path(__file__).resolve().parent
LANGS = ("ja", "en")
SERVED_IMAGE = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_CONVERT_PIXELS = 60_000_000   # a page image larger than this is not converted on the fly


class BindRefused(IntakeError):
    """The desk was asked to listen beyond this computer without a password."""

    exit_code = 1


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None) -> None:
    """Loopback is always allowed; any other address only with a password."""
    if not is_loopback(host) and not password:
        raise BindRefused(
            f"refusing to listen on {host} without a password: other computers could read and change answers",
            hint="add --password SECRET (or set INTAKE_REVIEW_PASSWORD), or keep the default --host 127.0.0.1")


def inside(ws: Workspace, rel: str | None) -> Path | None:
    """The workspace file a database path names, or None if it is missing or resolves outside."""
    if not rel:
        return None
    root = ws.root.resolve()
    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def create_app(ws: Workspace, password: str | None = None, secret_key: bytes | None = None) -> Flask:
    ws.require()
    app = Flask("intake.review", template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(SECRET_KEY=secret_key or secrets.token_bytes(32), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", MAX_CONTENT_LENGTH=64 * 1024,
                      TEMPLATES_AUTO_RELOAD=False)
    app.extensions["intake_ws"] = ws

    def lang() -> str:
        return session.get("lang", "ja")

    @app.context_processor
    def _helpers():
        return {"t": lambda key: t(key, lang()), "lang": lang(), "who": session.get("who"),
                "csrf": _csrf_token(), "value_text": service.value_text, "texts": TEXTS, "area": _area}

    def _area(form_id: str | None, key: str | None) -> str:
        """Where a field sits on its (registered) page, in percent: outlines it in the page view."""
        from intake.form.layout import PAGE_H, PAGE_W, layout

        fdef = service.forms(ws).get(form_id or "")
        if fdef is None or not key:
            return ""
        try:
            r = layout(fdef).field(key).area
        except KeyError:
            return ""
        pad = 1.5
        return ",".join(f"{v:.2f}" for v in ((r.x - pad) / PAGE_W * 100, (r.y - pad) / PAGE_H * 100,
                                             (r.w + 2 * pad) / PAGE_W * 100, (r.h + 2 * pad) / PAGE_H * 100))

    @app.before_request
    def _guard():
        if request.method == "POST":
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(403)
        if request.endpoint in ("login", "static", "font", "set_lang", "favicon") or session.get("who"):
            return None
        here = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        return redirect(url_for("login", next=here if request.method == "GET" else "/"))

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store" if resp.mimetype != "font/ttf" else "max-age=86400"
        return resp

    @app.errorhandler(IntakeError)
    def _intake_error(exc: IntakeError):
        return render_template("error.html", message=str(exc)), 400

    # --- sign in ---------------------------------------------------------------------------------

    @app.route("/login", methods=["GET", "POST"])
    def login():
        error = None
        if request.method == "POST":
            name = " ".join(request.form.get("who", "").split())[:40]
            if password is not None and not hmac.compare_digest(request.form.get("password", ""), password):
                error = "password"
            elif not name:
                error = "clerk_prompt"
            else:
                keep = session.get("lang", "ja")
                session.clear()
                session.update(who=name, lang=keep, csrf=secrets.token_urlsafe(32))
                return redirect(_local(request.form.get("next")) or url_for("desk"))
        return render_template("login.html", need_password=password is not None, error=error,
                               next=_local(request.args.get("next")) or "/")

    @app.post("/logout")
    def logout():
        keep = session.get("lang", "ja")
        session.clear()
        session["lang"] = keep
        return redirect(url_for("login"))

    @app.get("/lang/<code>")
    def set_lang(code: str):
        if code in LANGS:
            session["lang"] = code
        return redirect(_local(request.args.get("next")) or url_for("desk"))

    # --- the queue -------------------------------------------------------------------------------

    @app.get("/")
    def desk():
        kind = request.args.get("kind") or None
        if kind not in (None, *service.KINDS):
            abort(404)
        items = service.queue(ws, kind)
        prog = service.progress(ws, session.get("who"))
        return render_template("desk.html", items=items, kind=kind, progress=prog,
                               focus=request.args.get("focus"), forms=_form_choices(),
                               back=url_for("desk", **({"kind": kind} if kind else {})),
                               flash=session.pop("flash", None))

    @app.get("/group")
    def group_pick():
        counts = _group_counts()
        return render_template("group_pick.html", counts=counts, progress=service.progress(ws, session.get("who")))

    @app.get("/group/<form>/<key>")
    def group_view(form: str, key: str):
        try:
            items = service.group(ws, form, key)
        except service.ReviewError:
            abort(404)
        fdef = service.form_of(ws, form)
        return render_template("group.html", items=items, form=fdef, field=fdef.field(key),
                               progress=service.progress(ws, session.get("who")),
                               focus=request.args.get("focus"), back=url_for("group_view", form=form, key=key),
                               flash=session.pop("flash", None), forms=_form_choices())

    @app.post("/field/<sid>/<key>")
    def save_field(sid: str, key: str):
        who = session["who"]
        item_id = f"field:{sid}:{key}"
        typed = request.form.get("value", "")
        back = _local(request.form.get("back")) or url_for("desk")
        try:
            if request.form.get("mode") == "double":
                out = service.enter(ws, sid, key, typed, who)
                flash = {"item": item_id, "ok": True, "msg": out["state"]}
                nxt = request.form.get("next") or ""
            elif typed == request.form.get("original", "") and request.form.get("had_value") == "1":
                service.accept(ws, sid, key, who)
                flash, nxt = None, request.form.get("next") or ""
            else:
                issues = service.set_value(ws, sid, key, typed, who)
                flash, nxt = None, request.form.get("next") or ""
                if issues:
                    flash = {"item": item_id, "ok": True, "warn": True,
                             "msg": " / ".join(i.message(lang()) if hasattr(i, "message") else i.message_en
                                               for i in issues)}
        except service.ReviewError as exc:
            flash, nxt = {"item": item_id, "ok": False, "msg": str(exc)}, item_id
        if flash:
            session["flash"] = flash
        return redirect(_with_focus(back, nxt))

    @app.post("/page/<int:page_id>/assign")
    def assign(page_id: int):
        back = _local(request.form.get("back")) or url_for("desk")
        item_id = f"page:{page_id}"
        try:
            page_no = int(request.form.get("page", "0") or 0)
            sid = service.assign_page(ws, page_id, request.form.get("form", ""), page_no,
                                      request.form.get("respondent", ""), session["who"])
            session["flash"] = {"item": None, "ok": True, "msg": f"{t('assign', lang())}: {sid}"}
            nxt = request.form.get("next") or ""
        except (service.ReviewError, ValueError) as exc:
            session["flash"] = {"item": item_id, "ok": False, "msg": str(exc)}
            nxt = item_id
        return redirect(_with_focus(back, nxt))

    # --- a submission and its export -------------------------------------------------------------

    @app.get("/submission/<sid>")
    def submission(sid: str):
        try:
            data = service.export_submission(ws, sid)
        except service.ReviewError:
            abort(404)
        fdef = service.forms(ws).get(data["submission"]["form"])
        labels = {f.key: f.label for f in fdef.fields} if fdef else {}
        return render_template("submission.html", data=data, labels=labels,
                               progress=service.progress(ws, session.get("who")))

    @app.get("/submission/<sid>/export.json")
    def export_json(sid: str):
        try:
            data = service.export_submission(ws, sid)
        except service.ReviewError:
            abort(404)
        return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json",
                        headers={"Content-Disposition": f"inline; filename=submission-{sid}.json"})

    # --- images, by database id only ------------------------------------------------------------

    @app.get("/crop/<int:fv_id>")
    def crop(fv_id: int):
        with service.connection(ws) as conn:
            row = conn.execute("SELECT crop_path FROM field_values WHERE id=?", (fv_id,)).fetchone()
        return _image(inside(ws, row["crop_path"]) if row else None)

    @app.get("/page/<int:page_id>/image")
    def page_image(page_id: int):
        with service.connection(ws) as conn:
            row = conn.execute("SELECT image_path FROM pages WHERE id=?", (page_id,)).fetchone()
        return _image(inside(ws, row["image_path"]) if row else None)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/font/gothic.ttf")
    def font():
        try:
            from intake.tools.fonts import font_path
            return send_file(font_path("gothic"), mimetype="font/ttf", max_age=86400)
        except IntakeError:
            abort(404)

    # --- helpers -------------------------------------------------------------------------------

    def _form_choices():
        from intake.form.layout import layout
        return [(f.id, f.title, layout(f).page_count) for f in service.forms(ws).values()]

    def _group_counts():
        out = []
        with service.connection(ws) as conn:
            for fdef in service.forms(ws).values():
                for f in fdef.fields:
                    n, flagged = conn.execute(
                        "SELECT COUNT(*), COALESCE(SUM(fv.needs_review),0) FROM field_values fv "
                        "JOIN submissions s ON s.id = fv.submission_id "
                        "WHERE s.form=? AND fv.key=? AND s.status != 'accepted'", (fdef.id, f.key)).fetchone()
                    if n:
                        out.append({"form": fdef, "field": f, "count": n, "flagged": flagged})
        out.sort(key=lambda r: -r["flagged"])
        return out

    return app


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _local(target: str | None) -> str | None:
    """Only same-site paths may be redirect targets (no //host, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _with_focus(back: str, item_id: str) -> str:
    if not item_id:
        return back
    sep = "&" if "?" in back else "?"
    return f"{back}{sep}{urlencode({'focus': item_id})}"


def _image(path: Path | None):
    if path is None:
        abort(404)
    mime = SERVED_IMAGE.get(path.suffix.lower())
    if mime:
        return send_file(path, mimetype=mime, max_age=0)
    import cv2  # TIFF and friends: browsers do not show them, so convert to PNG

    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None or img.size > MAX_CONVERT_PIXELS:
        abort(404)
    ok, buf = cv2.imencode(".png", img)
    if not ok:
        abort(404)
    return Response(buf.tobytes(), mimetype="image/png")


def serve(ws: Workspace, host: str = "127.0.0.1", port: int = 8765, password: str | None = None,
          ready=None) -> None:
    """Run the desk until interrupted. `ready(server)` is called once it listens (tests stop it)."""
    from werkzeug.serving import make_server

    check_bind(host, password)
    server = make_server(host, port, create_app(ws, password=password), threaded=True)
    if ready is not None:
        ready(server)
    server.serve_forever()
