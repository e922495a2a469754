"""The benchmark's scoring: the rules for one field, the tallies, and a tiny real run whose stored
values are then corrupted to prove the comparison can fail."""

from __future__ import annotations

import json
import sqlite3

import pytest

from intake.bench import compare, figures, judge, run, stored_pages, submission_outcomes, table, tally
from intake.bench.compare import edit_distance, normalise_text
from intake.bench.run import no_clerk_counts, writers_said


def test_choice_sets_digits_strings_text_normalised():
    assert judge("choice", ["a", "b"], ["b", "a"], stored=True, needs_review=False).right
    assert not judge("choice", ["a", "b"], ["a"], stored=True, needs_review=False).right
    assert judge("choice", None, None, stored=True, needs_review=False).right
    assert judge("choice", None, [], stored=True, needs_review=False).right
    assert not judge("choice", "a", "b", stored=True, needs_review=False).right
    assert judge("digits", "0565", "0565", stored=True, needs_review=False).right
    assert not judge("digits", "0565", "565", stored=True, needs_review=False).right
    assert judge("text", "山本 誠", "山本　誠\n", stored=True, needs_review=False).right      # width and spaces
    assert judge("text", "ＡＢＣ１２", "ABC12", stored=True, needs_review=False).right
    assert not judge("text", "8年2月末", "8年2月未", stored=True, needs_review=False).right


def test_double_marked_single_choice_is_right_only_in_review():
    assert judge("choice", None, None, stored=True, needs_review=True, double_marked=True).right
    o = judge("choice", None, None, stored=True, needs_review=False, double_marked=True)
    assert not o.right and o.silent


def test_unstored_field_is_wrong_and_not_accepted():
    o = judge("digits", "123", None, stored=False, needs_review=True)
    assert not o.right and not o.accepted and not o.silent


def test_character_accuracy_and_tallies():
    assert edit_distance("kitten", "sitting") == 3
    assert normalise_text(" ａ b\nc ") == "abc"
    o = judge("text", "abcd", "abed", stored=True, needs_review=False)
    assert (o.chars, o.chars_right, o.silent) == (4, 3, True)
    t = tally([o, judge("text", "xy", "xy", stored=True, needs_review=True)])
    assert t.overall.fields == 2 and t.overall.accepted == 1 and t.overall.silent == 1
    assert t.overall.char_accuracy == pytest.approx(5 / 6)
    assert t.overall.accepted_right == 0.0 and t.overall.review_rate == 0.5


@pytest.mark.slow
def test_tiny_run_scores_stored_values_and_catches_a_corrupted_one(tmp_path):
    pytest.importorskip("mlxtend")
    res = run(tmp_path / "b", pages=2, workers=1, seed=5, profiles=["clean"], baseline=False, writers="tuning")
    assert len(res.pages) >= 2
    assert all(p.status == "right" for p in res.pages)       # the clean channel is always identified
    figs = figures(res)
    assert figs["wrong_identities"] == 0 and "targets" in figs
    printed = table(figs)
    assert "pages identified" in printed

    # The writer set the figures come from is named: the tuning writers asked for (runs without `make fonts`).
    assert res.writers == "tuning"
    assert figs["writers"] == {"set": "tuning", "said": "tuning (the writers the thresholds were tuned with)"}
    assert figs["writers"]["said"] == writers_said("tuning")
    assert f"writers: {writers_said('tuning')}, seed 5" in printed.splitlines()[0]
    assert "[writers: tuning, seed 5]" in printed
    assert "tuned on seeds 7 and 11 with the tuning writers" in printed

    # Submissions needing no clerk: exactly the stored submissions the pipeline accepted whole (the clean
    # channel identifies every page), and the count is printed.
    db = tmp_path / "b" / "ws" / "intake.db"
    conn = sqlite3.connect(str(db))
    statuses = [s for (s,) in conn.execute("SELECT status FROM submissions")]
    conn.close()
    nc = figs["no_clerk"]
    assert nc["submissions"] == len(res.submissions) == len(statuses) == 3      # survey, request, reply slip
    assert nc["no_clerk"] == statuses.count("accepted")
    assert nc["no_clerk_right"] == sum(s.no_clerk and all(o.right for o in res.fields
                                                          if o.key.startswith(s.form + "."))
                                       for s in res.submissions)
    assert f"submissions needing no clerk at all: {nc['no_clerk']} of 3" in printed

    # Corrupt one accepted digit field in the database: the comparison must call it a silent error.
    db = tmp_path / "b" / "ws" / "intake.db"
    records = [json.loads(line) for line in (tmp_path / "b" / "corpus" / "truth.jsonl").read_text().splitlines()]
    kinds = {(r["form"], k): None for r in records for p in r["pages"] for k in p["fields"]}
    from intake.form import load_forms
    from intake.workspace import default_forms_dir
    forms = load_forms(default_forms_dir())
    kinds = {(f, k): fd.kind for (f, k) in kinds for fd in forms[f].fields if fd.key == k}
    conn = sqlite3.connect(str(db))
    row = conn.execute("SELECT id, key, value FROM field_values WHERE kind='digits' AND value != '\"\"' "
                       "ORDER BY id LIMIT 1").fetchone()
    if row is None:
        pytest.skip("no digit field written in this tiny corpus")
    fid, key, value = row
    wrong = json.loads(value)[::-1] + "9"
    conn.execute("UPDATE field_values SET value=?, needs_review=0 WHERE id=?", (json.dumps(wrong), fid))
    conn.commit()
    conn.close()
    _, fields = compare(records, stored_pages(db), kinds)
    hit = [o for o in fields if o.key.endswith("." + key) and o.value == wrong]
    assert hit and hit[0].silent and not hit[0].right
    assert tally(fields).overall.silent >= 1

    # Accept the corrupted field's whole submission: it now needs no clerk, and is not entirely right.
    conn = sqlite3.connect(str(db))
    (sid,) = conn.execute("SELECT submission_id FROM field_values WHERE id=?", (fid,)).fetchone()
    conn.execute("UPDATE field_values SET needs_review=0 WHERE submission_id=?", (sid,))
    conn.execute("UPDATE submissions SET status='accepted' WHERE id=?", (sid,))
    conn.commit()
    conn.close()
    stored = stored_pages(db)
    _, fields = compare(records, stored, kinds)
    subs = submission_outcomes(records, stored, fields)
    bad = [s for s in subs if s.form == hit[0].key.split(".")[0]]
    assert len(bad) == 1 and bad[0].no_clerk and not bad[0].right
    assert no_clerk_counts(subs)["no_clerk_wrong"] >= 1
