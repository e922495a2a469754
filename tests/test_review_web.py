"""The desk's web app through Flask's test client: sign-in, CSRF, keyboard actions, no path escapes."""

from __future__ import annotations

import json
import os
import re

import pytest

from intake.review import service
from intake.review.app import BindRefused, check_bind, create_app
from intake.store import db as store_db
from test_review_builder import SURVEY, make_submission, make_unidentified_page


@pytest.fixture(autouse=True)
def no_rules(monkeypatch):
    monkeypatch.setattr(service, "rule_issues", lambda form, values: [])


@pytest.fixture
def app(workspace):
    return create_app(workspace, secret_key=b"test")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(app, who="佐藤"):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"who": who, "csrf": token, "next": "/"})
    assert r.status_code == 302
    return client, csrf_of(client.get("/").get_data(as_text=True))


def test_bind_beyond_loopback_needs_a_password():
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.5"):
        check_bind(host, None)
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        with pytest.raises(BindRefused):
            check_bind(host, None)
        check_bind(host, "secret")


def test_cli_refuses_to_serve_off_loopback_without_password(workspace):
    from click.testing import CliRunner

    from intake.cli import main

    r = CliRunner().invoke(main, ["--home", str(workspace.root), "review", "--host", "0.0.0.0", "--port", "1"],
                           env={"INTAKE_REVIEW_PASSWORD": ""})
    assert r.exit_code != 0
    assert "password" in r.output


def test_pages_need_a_clerk_name_first(app):
    client = app.test_client()
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/crop/1").status_code == 302


def test_password_is_checked_when_set(workspace):
    client = create_app(workspace, password="pw", secret_key=b"k").test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"who": "佐藤", "password": "wrong", "csrf": token})
    assert r.status_code == 200 and client.get("/").status_code == 302
    r = client.post("/login", data={"who": "佐藤", "password": "pw", "csrf": token})
    assert r.status_code == 302 and client.get("/").status_code == 200


def test_post_without_csrf_token_is_forbidden(app, workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    client, token = signed_in(app)
    assert client.post(f"/field/{sid}/employees", data={"value": "5"}).status_code == 403
    assert client.post(f"/field/{sid}/employees", data={"value": "5", "csrf": "forged"}).status_code == 403
    assert client.post("/login", data={"who": "x"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert service.queue(workspace, "field")[0].value == "120"          # nothing changed
    r = client.post(f"/field/{sid}/employees", data={"value": "5", "original": "120", "had_value": "1",
                                                     "csrf": token})
    assert r.status_code == 302
    assert service.queue(workspace, "field") == []


def test_enter_on_unchanged_value_accepts_and_typing_corrects(app, workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?", "postal_code": "?"})
    client, token = signed_in(app, "鈴木")
    html = client.get("/").get_data(as_text=True)
    assert f'id="field:{sid}:postal_code"' in html and "image-rendering" not in html  # styles live in desk.css
    base = {"csrf": token, "had_value": "1"}
    client.post(f"/field/{sid}/postal_code", data={**base, "value": "2310023", "original": "2310023"})
    client.post(f"/field/{sid}/employees", data={**base, "value": "121", "original": "120"})
    actions = {k: a for k, a in _audit(workspace)}
    assert actions == {"postal_code": "accept", "employees": "set", None: "status"}
    bad = client.post(f"/field/{sid}/fax", data={**base, "value": "abc", "original": ""})
    assert bad.status_code == 302 and "focus=field" in bad.headers["Location"]


def _audit(ws):
    conn = store_db.connect(ws.db_path)
    try:
        return conn.execute("SELECT key, action FROM audit ORDER BY id").fetchall()
    finally:
        conn.close()


def test_images_are_served_by_id_and_never_from_outside(app, workspace, forms, tmp_path):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    item = service.queue(workspace, "field")[0]
    client, _ = signed_in(app)
    ok = client.get(f"/crop/{item.field_value_id}")
    assert ok.status_code == 200 and ok.data[:4] == b"\x89PNG"
    assert client.get(f"/page/{item.page_id}/image").status_code == 200
    secret = tmp_path / "secret.png"
    secret.write_bytes(ok.data)
    os.symlink(secret, workspace.root / "crops" / "link.png")
    conn = store_db.connect(workspace.db_path)
    try:
        for i, bad in enumerate(["../secret.png", str(secret), "crops/link.png", "crops/../../secret.png"]):
            conn.execute("UPDATE field_values SET crop_path=? WHERE id=?", (bad, item.field_value_id))
            assert client.get(f"/crop/{item.field_value_id}").status_code == 404, bad
        conn.execute("UPDATE pages SET image_path='../secret.png' WHERE id=?", (item.page_id,))
    finally:
        conn.close()
    assert client.get(f"/page/{item.page_id}/image").status_code == 404
    for url in ["/crop/../../etc/passwd", "/static/../intake.db", "/static/..%2f..%2fintake.db",
                "/static/%2e%2e/app.py", "/crop/-1", "/page/999/image", "/group/../../etc/passwd",
                "/submission/..%2f..%2fintake.db/export.json", "/font/..%2fintake.db"]:
        assert client.get(url).status_code == 404, url
    assert client.get("/static/desk.css").status_code == 200


def test_redirect_targets_stay_on_this_site(app):
    client, token = signed_in(app)
    r = client.get("/lang/en?next=//evil.example/x")
    assert r.headers["Location"] == "/"
    r = client.get("/lang/en?next=https://evil.example/")
    assert r.headers["Location"] == "/"


def test_both_languages_and_a_strict_content_policy(app, workspace, forms):
    make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    client, _ = signed_in(app)
    r = client.get("/")
    assert "従業員数" in r.get_data(as_text=True) and "確定" in r.get_data(as_text=True)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert not re.search(r"https?://", r.get_data(as_text=True))       # nothing from the internet
    client.get("/lang/en")
    text = client.get("/").get_data(as_text=True)
    assert "Employees" in text and "Save" in text


def test_assign_form_and_submission_export(app, workspace, forms):
    part = make_submission(workspace, forms, "survey", SURVEY, respondent="F002", pages=[1])
    pid = make_unidentified_page(workspace)
    client, token = signed_in(app, "高橋")
    html = client.get("/?kind=page").get_data(as_text=True)
    assert f'action="/page/{pid}/assign"' in html
    r = client.post(f"/page/{pid}/assign", data={"csrf": token, "form": "survey", "page": "2",
                                                 "respondent": "F002"})
    assert r.status_code == 302
    data = json.loads(client.get(f"/submission/{part}/export.json").data)
    assert [a["action"] for a in data["audit"]][:1] == ["assign_page"]
    assert data["audit"][0]["who"] == "高橋"
    assert client.get(f"/submission/{part}").status_code == 200
    assert client.get("/group").status_code == 200
    assert client.get("/group/survey/consent").status_code == 200
