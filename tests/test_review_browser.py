"""A clerk at the desk in real headless Chromium (Debian's chromium, driven by Playwright).

Corrects a digit field by keyboard alone, assigns an unidentified page, and checks that the
export shows the corrected value with its audit row. Screenshots land in the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from intake.review import service
from intake.review.app import serve
from test_review_builder import SURVEY, make_submission, make_unidentified_page

CHROMIUM = "/usr/bin/chromium"
NOTES_SHOT = Path("/work/notes/review-screenshot.png")


@pytest.fixture
def desk(workspace):
    """The desk served on 127.0.0.1:<free port> in a thread; yields its base URL."""
    box: dict = {}
    ready = threading.Event()

    def on_ready(server):
        box["server"] = server
        ready.set()

    t = threading.Thread(target=serve, args=(workspace,), kwargs={"port": 0, "ready": on_ready}, daemon=True)
    t.start()
    assert ready.wait(10), "desk did not start"
    yield f"http://127.0.0.1:{box['server'].server_port}"
    box["server"].shutdown()
    t.join(10)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.mark.slow
def test_clerk_corrects_by_keyboard_assigns_a_page_and_exports(workspace, forms, desk, browser, tmp_path,
                                                               monkeypatch):
    monkeypatch.setattr(service, "rule_issues", lambda form, values: [])
    sid = make_submission(workspace, forms, "survey", dict(SURVEY, postal_code="2310028"), respondent="F001",
                          flagged={"postal_code": "digit 7 unsure (8 or 3)", "processes": "faint tick"})
    part = make_submission(workspace, forms, "survey", SURVEY, respondent="F002", pages=[1])
    pid = make_unidentified_page(workspace, note="no QR code found (page upside down?)")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests_seen: list[str] = []
    page.on("request", lambda r: requests_seen.append(r.url))
    page.goto(desk + "/")
    page.fill("input[name=who]", "佐藤")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".card.kind-field")
    page.screenshot(path=str(tmp_path / "desk.png"), full_page=False)

    # Keyboard alone: focus is already on the first field, its reading selected; type and Enter.
    focused = page.evaluate("document.activeElement.closest('.card').id")
    assert focused == f"field:{sid}:postal_code"
    page.keyboard.type("2310023")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Focus moved on to the next field (processes): Enter accepts it unchanged.
    assert page.evaluate("document.activeElement.closest('.card').id") == f"field:{sid}:processes"
    page.keyboard.press("F2")                                    # the whole page, field outlined
    assert page.is_visible("#overlay")
    page.screenshot(path=str(tmp_path / "page-view.png"))
    page.keyboard.press("Escape")
    assert not page.is_visible("#overlay")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Assign the unidentified page: survey page 2 of F002.
    card = page.locator(f"[id='page:{pid}']")
    card.locator("select[name=form]").select_option("survey")
    card.locator("input[name=page]").fill("2")
    card.locator("input[name=respondent]").fill("F002")
    with page.expect_navigation():
        card.locator("input[name=respondent]").press("Enter")
    assert page.locator(f"[id='page:{pid}']").count() == 0
    assert page.locator(f"[id='field:{part}:consent']").count() == 1      # its fields now wait for a clerk
    page.screenshot(path=str(tmp_path / "after-assign.png"), full_page=True)

    # The export shows the corrected value and its audit row.
    page.goto(f"{desk}/submission/{sid}")
    assert page.inner_text("#status") == "accepted"
    row = page.locator("#audit tr", has_text="postal_code")
    assert "2310028" in row.inner_text() and "2310023" in row.inner_text() and "佐藤" in row.inner_text()
    page.screenshot(path=str(tmp_path / "submission.png"), full_page=True)
    data = json.loads(page.goto(f"{desk}/submission/{sid}/export.json").text())
    pc = next(f for f in data["fields"] if f["key"] == "postal_code")
    assert (pc["value"], pc["machine_value"], pc["corrected_by"]) == ("2310023", "2310028", "佐藤")
    audit = [a for a in data["audit"] if a["key"] == "postal_code"]
    assert [(json.loads(a["old_value"]), json.loads(a["new_value"]), a["who"], a["action"]) for a in audit] == [
        ("2310028", "2310023", "佐藤", "set")]
    assert all(u.startswith(desk) for u in requests_seen), "the desk fetched something from elsewhere"

    try:
        NOTES_SHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "desk.png", NOTES_SHOT)
    except OSError:
        pass  # notes folder not writable (CI): the screenshots stay in tmp_path
