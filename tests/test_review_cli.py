"""`intake review ...` through click's CliRunner, checked through the Python API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from intake.cli import main
from intake.review import service
from test_review_builder import SURVEY, make_submission, make_unidentified_page


@pytest.fixture(autouse=True)
def no_rules(monkeypatch):
    monkeypatch.setattr(service, "rule_issues", lambda form, values: [])


def run(ws, *args):
    return CliRunner().invoke(main, ["--home", str(ws.root), "review", *args], catch_exceptions=False)


def test_list_text_and_jsonl(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "digit unsure"})
    pid = make_unidentified_page(workspace)
    r = run(workspace, "list")
    assert r.exit_code == 0 and sid in r.output and "employees" in r.output and f"page {pid}" in r.output
    r = run(workspace, "list", "--format", "jsonl", "--kind", "field")
    items = [json.loads(line) for line in r.output.splitlines() if line.strip()]
    assert [(i["kind"], i["submission_id"], i["key"], i["value"]) for i in items] == [
        ("field", sid, "employees", "120")]


def test_set_accept_assign_export(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?", "fax": "?"})
    assert run(workspace, "set", sid, "employees", "135", "--who", "佐藤").exit_code == 0
    assert run(workspace, "accept", sid, "fax", "--who", "佐藤").exit_code == 0
    data = service.export_submission(workspace, sid)
    assert data["submission"]["status"] == "accepted"
    emp = next(f for f in data["fields"] if f["key"] == "employees")
    assert (emp["value"], emp["machine_value"], emp["corrected_by"]) == ("135", "120", "佐藤")
    part = make_submission(workspace, forms, "survey", SURVEY, respondent="F009", pages=[1])
    pid = make_unidentified_page(workspace)
    r = run(workspace, "assign", str(pid), "--form", "survey", "--page", "2", "--respondent", "F009", "--who", "佐藤")
    assert r.exit_code == 0 and part in r.output
    assert service.export_submission(workspace, part)["submission"]["status"] == "needs_review"
    r = run(workspace, "export", sid)
    assert json.loads(r.output)["audit"][0]["who"] == "佐藤"


def test_user_errors_exit_nonzero_with_a_fix(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "?"})
    r = CliRunner().invoke(main, ["--home", str(workspace.root), "review", "set", sid, "employees", "abc",
                                  "--who", "佐藤"])
    assert r.exit_code == 1 and "fix:" in r.output
    r = CliRunner().invoke(main, ["--home", str(workspace.root), "review", "set", sid, "employees", "5"])
    assert r.exit_code == 2                                    # --who is required
    assert service.queue(workspace, "field")[0].value == "120"


def test_help_names_the_python_function_and_has_an_example():
    for cmd, fn in [([], "intake.review.app.serve"), (["list"], "service.queue"), (["set"], "service.set_value"),
                    (["accept"], "service.accept"), (["assign"], "service.assign_page"),
                    (["enter"], "service.enter")]:
        r = CliRunner().invoke(main, ["review", *cmd, "--help"])
        assert r.exit_code == 0 and fn in r.output and "Example" in r.output, cmd
