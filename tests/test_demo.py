"""`make demo`: every run tells the whole story from an empty workspace, and never moves a workspace it did not make."""

from __future__ import annotations

import re

from click.testing import CliRunner

from intake.cli import main
from intake.demo import DEMO_MARK, fresh_workspace
from intake.workspace import init


def test_an_earlier_demo_is_set_aside_and_a_real_workspace_never_moved(tmp_path):
    assert fresh_workspace(tmp_path / "none") is None               # nothing there yet
    office = init(tmp_path / "office").root                          # somebody's real workspace
    r = CliRunner().invoke(main, ["--home", str(office), "demo"])
    assert r.exit_code == 2 and "not made by `intake demo`" in r.output, r.output
    assert (office / "intake.db").exists() and not (tmp_path / "office.previous").exists()

    demo = init(tmp_path / "demo").root
    (demo / DEMO_MARK).write_text("x")
    (demo / "inbox" / "old.tif").write_bytes(b"old")
    aside = fresh_workspace(demo)
    assert aside == tmp_path / "demo.previous" and (aside / "inbox" / "old.tif").exists() and not demo.exists()
    init(demo)
    (demo / DEMO_MARK).write_text("x")
    assert fresh_workspace(demo) == aside and not (aside / "inbox" / "old.tif").exists()   # only the last one kept


def _figures(output: str) -> list[str]:
    """The story's lines without the timing and the line that names the set-aside workspace."""
    return [re.sub(r"in [0-9.]+ s", "in _ s", ln) for ln in output.splitlines() if not ln.startswith("[0]")]


def test_two_demos_in_a_row_print_the_same_story(tmp_path):
    home = tmp_path / "demo"
    first = CliRunner().invoke(main, ["--home", str(home), "demo"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["--home", str(home), "demo"])
    assert second.exit_code == 0, second.output
    assert "[0] the previous demo's workspace is kept as" in second.output
    assert _figures(second.output) == _figures(first.output)
    assert "0 duplicates" in second.output and "[9]" in second.output
