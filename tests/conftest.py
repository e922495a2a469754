"""Shared fixtures. Tests use real programs (tesseract, poppler, ghostscript) installed by `make test`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

REPO = Path(__file__).resolve().parent.parent
SHARED_FAX = REPO.parent / "shared" / "fixtures" / "real-fax"


@pytest.fixture(scope="session")
def forms():
    from intake.form import load_forms

    return load_forms(REPO / "forms")


@pytest.fixture
def workspace(tmp_path):
    from intake.workspace import init

    return init(tmp_path / "ws")


@pytest.fixture
def real_fax_dir():
    if not SHARED_FAX.is_dir():
        pytest.skip("../shared/fixtures/real-fax is absent (fresh clone without shared material)")
    return SHARED_FAX
