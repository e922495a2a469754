"""Through the real pipeline: a simulated scan goes through `process`, then the desk settles it."""

from __future__ import annotations

import numpy as np
import pytest

from intake.review import service


@pytest.mark.slow
def test_a_processed_request_is_reviewed_into_the_requests_table(workspace, forms):
    pipeline = pytest.importorskip("intake.ingest.pipeline", reason="ingest stage not built yet")
    corpus = pytest.importorskip("intake.simulate.corpus", reason="simulate stage not built yet")
    from intake.simulate.answers import random_company

    rng = np.random.default_rng(7)
    company = random_company(rng, "ja")
    records = corpus.simulate_return(forms["request"], workspace.inbox / "B0001-request", "scan-300-grey", rng,
                                     respondent="B0001", company=company)
    truth = records[0]["pages"][0]["fields"]      # what the clerk sees on the crop
    pipeline.process(workspace, forms=forms, progress=False, stable_seconds=0)

    with service.connection(workspace) as conn:
        (sid, status), = conn.execute("SELECT id, status FROM submissions WHERE respondent_id='B0001'").fetchall()
    assert status in ("needs_review", "accepted")
    # The desk's own view of what is open: every item of this submission has a crop to look at.
    open_items = [i for i in service.queue(workspace) if i.submission_id == sid]
    assert all(i.field_value_id is not None for i in open_items if i.kind == "field")
    for i in open_items:
        if i.kind not in ("field", "rule"):
            continue
        if i.value == truth[i.key]:
            service.accept(workspace, sid, i.key, "佐藤")
        else:
            service.set_value(workspace, sid, i.key, truth[i.key], "佐藤")
    assert service.settle(workspace, sid, "佐藤") == "accepted"
    data = service.export_submission(workspace, sid)
    for f in data["fields"]:
        if f["corrected_by"]:
            assert f["value"] == truth[f["key"]], f["key"]
    with service.connection(workspace) as conn:
        (requester, quantity), = conn.execute("SELECT requester_id, quantity FROM requests WHERE submission_id=?",
                                              (sid,)).fetchall()
    assert requester == "B0001"
    value = next(f["value"] for f in data["fields"] if f["key"] == "quantity")
    assert quantity == (int(value) if value else None)
