"""The recognition benchmark (issue 4): a simulated corpus through the real pipeline, scored against its truth.

    run(out_dir, pages=200, workers=2, seed=2026, profiles=None, writers="heldout") -> BenchResult   one seed
    run_seeds(out_dir, seeds=[101, 202], ...) -> [BenchResult, ...]                                  several
    benchmark(out_dir, seeds=[...], **run_kw) -> dict    all of it, as `intake bench`: writes bench.json
    figures(result) -> dict          one seed's JSON document (also judges the issue's targets on it)
    summary([figures, ...]) -> dict  several seeds: targets judged on the worst seed (worst_of)
    table(figures), summary_table(summary), render(summary) -> str    the printed tables
    judge(kind, truth, value, stored=, needs_review=) -> FieldOutcome   the rule for one field
    office_view(db_path, truth_records, kinds) -> {submissions, no_clerk, no_clerk_right, ...}
"""

from intake.bench.compare import FieldOutcome, Tally, judge, normalise_text, tally  # noqa: F401
from intake.bench.report import (TARGETS, benchmark, figures, render, summary, summary_table, table,  # noqa: F401
                                 target_values, worst_of, write)
from intake.bench.run import (TUNED_ON, BenchResult, compare, no_clerk_counts, no_clerk_line,  # noqa: F401
                              office_view, run, run_seeds, stored_pages, submission_outcomes, writers_said)
