"""The recognition benchmark (issue 4): a simulated corpus through the real pipeline, scored against its truth.

    run(out_dir, pages=200, workers=2, seed=2026, profiles=None) -> BenchResult
    figures(result) -> dict          the JSON document (also checks the issue's targets)
    table(figures) -> str            the printed table
    judge(kind, truth, value, stored=, needs_review=) -> FieldOutcome   the rule for one field
"""

from intake.bench.compare import FieldOutcome, Tally, judge, normalise_text, tally  # noqa: F401
from intake.bench.report import figures, table, write  # noqa: F401
from intake.bench.run import BenchResult, compare, run, stored_pages  # noqa: F401
