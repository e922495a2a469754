"""intake.dispatch: one point after a submission settles; review, store and ingest never import the
stages that react to it (review ↔ match was an import circle)."""

import ast
from pathlib import Path

import pytest

from intake import dispatch

PKG = Path(dispatch.__file__).parent


def _imports(folder: str) -> set[str]:
    names = set()
    for py in (PKG / folder).glob("*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("folder", ["review", "store", "ingest"])
def test_no_stage_imports_what_reacts_to_it(folder):
    bad = {m for m in _imports(folder) if m.split(".")[:2] in (["intake", "match"], ["intake", "bcp"],
                                                               ["intake", "events"])}
    assert not bad, f"intake/{folder} imports {sorted(bad)}; register a handler in intake.dispatch instead"


def test_every_handler_resolves_and_takes_status():
    import inspect

    for name in dispatch.HANDLERS:
        fn = dispatch._resolve(name)
        assert list(inspect.signature(fn).parameters)[:3] == ["ws", "submission_id", "status"], name


def test_handlers_run_in_order(monkeypatch):
    seen = []
    monkeypatch.setattr(dispatch, "HANDLERS", ("a:x", "b:y"))
    monkeypatch.setattr(dispatch, "_resolve", lambda n: lambda ws, sid, st: seen.append((n, sid, st)) or n)
    assert dispatch.submission_settled(None, "s1", "accepted") == {"a:x": "a:x", "b:y": "b:y"}
    assert seen == [("a:x", "s1", "accepted"), ("b:y", "s1", "accepted")]
