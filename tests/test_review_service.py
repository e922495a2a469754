"""The review API: queue, corrections with audit, accept, assign, group, double entry, profile sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from intake.review import service
from intake.review.service import ReviewError
from intake.store import db as store_db
from intake.workspace import Workspace
from test_review_builder import (REQUEST, SURVEY, make_quarantined_file, make_submission,
                                 make_unidentified_page)

REPO = Path(__file__).resolve().parent.parent


def rows(ws, sql, *args):
    conn = store_db.connect(ws.db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def fv(ws, sid, key):
    (value, machine, needs, by) = rows(ws, "SELECT value, machine_value, needs_review, corrected_by FROM field_values "
                                          "WHERE submission_id=? AND key=?", sid, key)[0]
    return json.loads(value) if value else None, json.loads(machine) if machine else None, needs, by


def status(ws, sid):
    return rows(ws, "SELECT status FROM submissions WHERE id=?", sid)[0][0]


@pytest.fixture(autouse=True)
def no_rules(monkeypatch):
    """Rule checks belong to intake.validate (tested there); here they are off unless a test sets them."""
    monkeypatch.setattr(service, "rule_issues", lambda form, values: [])


def test_queue_lists_every_kind_of_open_item(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "digit 2 unsure"})
    part = make_submission(workspace, forms, "survey", SURVEY, respondent="F002", pages=[1])
    pid = make_unidentified_page(workspace)
    fid = make_quarantined_file(workspace)
    items = service.queue(workspace)
    kinds = {(i.kind, i.submission_id or i.page_id or i.file_id) for i in items}
    assert ("field", sid) in kinds
    assert ("incomplete", part) in kinds
    assert ("page", pid) in kinds
    assert ("quarantine", fid) in kinds
    field = next(i for i in items if i.kind == "field")
    assert (field.key, field.value_text, field.machine_value, field.reason) == ("employees", "120", "120",
                                                                               "digit 2 unsure")
    assert field.field_value_id is not None and field.page_id is not None
    assert [i.kind for i in service.queue(workspace, "page")] == ["page"]
    with pytest.raises(ReviewError):
        service.queue(workspace, "nonsense")


def test_set_value_audits_keeps_machine_value_and_accepts_when_done(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY,
                          flagged={"postal_code": "digit 4 unsure", "processes": "faint mark"})
    service.set_value(workspace, sid, "postal_code", "231-0027", "佐藤")
    value, machine, needs, by = fv(workspace, sid, "postal_code")
    assert (value, machine, needs, by) == ("2310027", "2310023", 0, "佐藤")
    audit = rows(workspace, "SELECT key, old_value, new_value, who, action, at FROM audit WHERE submission_id=? "
                            "AND key='postal_code'", sid)
    assert [(a[0], json.loads(a[1]), json.loads(a[2]), a[3], a[4]) for a in audit] == [
        ("postal_code", "2310023", "2310027", "佐藤", "set")]
    assert audit[0][5][:4].isdigit()
    assert status(workspace, sid) == "needs_review"          # processes still open
    service.set_value(workspace, sid, "processes", "1, welding 溶接", "佐藤")  # number, key and label
    assert fv(workspace, sid, "processes")[0] == ["cutting", "welding"]
    assert status(workspace, sid) == "accepted"
    assert service.queue(workspace, "field") == []


def test_bad_values_are_refused_and_change_nothing(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    for key, bad in [("employees", "12a"), ("employees", "12345"), ("consent", "agree,disagree"),
                     ("processes", "laser")]:
        with pytest.raises(ReviewError):
            service.set_value(workspace, sid, key, bad, "佐藤")
    with pytest.raises(ReviewError):
        service.set_value(workspace, sid, "employees", "5", "  ")      # no clerk name
    with pytest.raises(ReviewError):
        service.set_value(workspace, "nope", "employees", "5", "佐藤")
    assert fv(workspace, sid, "employees") == ("120", "120", 1, None)
    assert rows(workspace, "SELECT COUNT(*) FROM audit")[0][0] == 0


def test_accept_keeps_the_reading_and_is_audited(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    service.accept(workspace, sid, "employees", "鈴木")
    assert fv(workspace, sid, "employees") == ("120", "120", 0, "鈴木")
    (old, new, action), = rows(workspace, "SELECT old_value, new_value, action FROM audit WHERE key='employees'")
    assert (json.loads(old), json.loads(new), action) == ("120", "120", "accept")
    assert status(workspace, sid) == "accepted"


def test_accepted_survey_flows_into_the_factory_profile(workspace, forms):
    data = dict(SURVEY, consent="disagree", certifications=["iso9001", "none"])
    sid = make_submission(workspace, forms, "survey", data, respondent="F042", flagged={"employees": "?"})
    assert rows(workspace, "SELECT COUNT(*) FROM factories")[0][0] == 0   # not before acceptance
    service.set_value(workspace, sid, "employees", "130", "佐藤")
    (fid, name, pref, employees, shares, channel), = rows(
        workspace, "SELECT id, name, prefecture, employees, shares_profile, channel FROM factories")
    assert (fid, name, pref, employees, shares, channel) == ("F042", "株式会社テスト製作所", "神奈川県", 130, 0, "fax")
    caps = set(rows(workspace, "SELECT kind, value FROM capabilities WHERE factory_id='F042'"))
    assert caps == {("process", "cutting"), ("process", "welding"), ("material", "steel"),
                    ("material", "aluminium"), ("lot", "small"), ("certification", "iso9001"),
                    ("interest", "joint_purchase")}
    # A later correction of an accepted submission re-syncs (no duplicate rows).
    service.set_value(workspace, sid, "processes", "press", "佐藤")
    caps = set(rows(workspace, "SELECT kind, value FROM capabilities WHERE kind='process'"))
    assert caps == {("process", "press")}


def test_accepted_request_becomes_a_request_row(workspace, forms):
    sid = make_submission(workspace, forms, "request", REQUEST, respondent="B007", flagged={"quantity": "?"})
    service.set_value(workspace, sid, "quantity", "1200", "佐藤")
    (req, procs, mats, qty, deadline, region), = rows(
        workspace, "SELECT requester_id, processes, materials, quantity, deadline, region FROM requests "
                   "WHERE submission_id=?", sid)
    assert (req, json.loads(procs), json.loads(mats), qty, deadline, region) == (
        "B007", ["press"], ["stainless"], 1200, "2026-03-31", "prefecture")


def test_assign_page_completes_a_submission_and_is_audited(workspace, forms):
    part = make_submission(workspace, forms, "survey", SURVEY, respondent="F002", pages=[1])
    assert status(workspace, part) == "incomplete"
    pid = make_unidentified_page(workspace)
    with pytest.raises(ReviewError):
        service.assign_page(workspace, pid, "survey", 3, "F002", "佐藤")   # survey has 2 pages
    with pytest.raises(ReviewError):
        service.assign_page(workspace, pid, "survey", 1, "F002", "佐藤")   # page 1 is already there
    sid = service.assign_page(workspace, pid, "survey", 2, "F002", "佐藤")
    assert sid == part
    assert rows(workspace, "SELECT status, submission_id, page FROM pages WHERE id=?", pid)[0] == ("identified", sid, 2)
    assert status(workspace, sid) == "needs_review"
    page2 = {i.key for i in service.queue(workspace, "field") if i.submission_id == sid}
    assert "consent" in page2 and "company_name" not in page2   # page 2's fields wait for the clerk
    (key, who, action, new), = rows(workspace, "SELECT key, who, action, new_value FROM audit "
                                               "WHERE action='assign_page'")
    assert (key, who, action, json.loads(new)["page"]) == (f"page:{pid}", "佐藤", "assign_page", 2)
    assert service.queue(workspace, "page") == []
    with pytest.raises(ReviewError):
        service.assign_page(workspace, pid, "survey", 2, "F002", "佐藤")    # not unidentified any more


def test_group_shows_one_field_across_submissions_flagged_first(workspace, forms):
    a = make_submission(workspace, forms, "survey", SURVEY, respondent="F001", flagged={"company_name": "?"})
    b = make_submission(workspace, forms, "survey", dict(SURVEY, postal_code="1000001"), respondent="F002",
                        flagged={"postal_code": "unsure"})
    items = service.group(workspace, "survey", "postal_code")
    assert [(i.submission_id, i.value) for i in items] == [(b, "1000001"), (a, "2310023")]
    assert items[0].extra["resolved"] is False and items[1].extra["resolved"] is True
    with pytest.raises(ReviewError):
        service.group(workspace, "survey", "no_such_field")


@pytest.fixture
def double_ws(tmp_path):
    """A workspace whose survey marks `employees` for double entry."""
    from intake.workspace import init

    ws = init(tmp_path / "dws")
    fdir = ws.root / "forms"
    fdir.mkdir()
    text = (REPO / "forms" / "survey.yaml").read_text(encoding="utf-8")
    text = text.replace("validate: {min: 1, max: 9999}", "validate: {min: 1, max: 9999, double_entry: true}")
    assert "double_entry" in text
    (fdir / "survey.yaml").write_text(text, encoding="utf-8")
    return Workspace(ws.root)


def test_double_entry_needs_two_clerks_and_a_third_for_differences(double_ws):
    ws = double_ws
    fdefs = service.forms(ws)
    sid = make_submission(ws, fdefs, "survey", SURVEY)     # nothing flagged by the machine
    assert status(ws, sid) == "accepted"                    # the builder's ingest-like status
    assert service.settle(ws, sid) == "needs_review"        # ...but double entry is still owed
    item, = service.queue(ws, "double")
    assert item.key == "employees" and item.value_text == ""   # blind: machine value not shown
    with pytest.raises(ReviewError):
        service.set_value(ws, sid, "employees", "120", "佐藤")
    assert service.enter(ws, sid, "employees", "120", "佐藤")["state"] == "first"
    with pytest.raises(ReviewError):
        service.enter(ws, sid, "employees", "120", "佐藤")   # same clerk twice
    assert service.enter(ws, sid, "employees", "126", "鈴木")["state"] == "conflict"
    assert status(ws, sid) == "needs_review"
    assert len(service.queue(ws, "double")[0].entries) == 2
    assert service.enter(ws, sid, "employees", "126", "高橋")["state"] == "decided"
    assert fv(ws, sid, "employees")[:2] == ("126", "120")
    assert status(ws, sid) == "accepted"
    actions = [r[0] for r in rows(ws, "SELECT action FROM audit WHERE key='employees' ORDER BY id")]
    assert actions == ["double_entry_first", "double_entry_conflict", "double_entry_decided", "set"]


def test_double_entry_agreement_settles_it(double_ws):
    ws = double_ws
    sid = make_submission(ws, service.forms(ws), "survey", SURVEY)
    service.enter(ws, sid, "employees", "120", "佐藤")
    assert service.enter(ws, sid, "employees", "１２０", "鈴木")["state"] == "agreed"   # full-width digits
    assert fv(ws, sid, "employees")[2:] == (0, "鈴木")
    assert service.settle(ws, sid) == "accepted"


class FakeIssue:
    def __init__(self, key, code, ja, en, severity="error"):
        self.key, self.code, self.message_ja, self.message_en, self.severity = key, code, ja, en, severity

    @property
    def needs_review(self):
        return self.severity == "error"

    def message(self, lang):
        return self.message_ja if lang == "ja" else self.message_en


def test_failed_rules_hold_a_field_until_a_clerk_decides(workspace, forms, monkeypatch):
    def rules(form, values):
        out = []
        if values.get("postal_code") == "9999999":
            out.append(FakeIssue("postal_code", "postal_code_unknown", "郵便番号がありません", "no such postal code"))
        out.append(FakeIssue("fax", "note", "参考", "just a note", severity="note"))
        return out

    monkeypatch.setattr(service, "rule_issues", rules)
    sid = make_submission(workspace, forms, "survey", dict(SURVEY, postal_code="9999999"))
    assert service.settle(workspace, sid) == "needs_review"
    item, = service.queue(workspace, "rule")          # the note does not hold anything back
    assert (item.key, item.message_en) == ("postal_code", "no such postal code")
    issues = service.set_value(workspace, sid, "postal_code", "9999998", "佐藤")
    assert issues == []
    assert status(workspace, sid) == "accepted"


def test_a_reading_with_unread_marks_cannot_be_accepted_unseen(workspace, forms):
    sid = make_submission(workspace, forms, "survey", dict(SURVEY, employees="1?0"), flagged={"employees": "?"})
    with pytest.raises(ReviewError):
        service.accept(workspace, sid, "employees", "佐藤")
    service.set_value(workspace, sid, "employees", "130", "佐藤")
    assert fv(workspace, sid, "employees")[:2] == ("130", "1?0")
