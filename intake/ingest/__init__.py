"""The inbox journey: scan, claim, sniff, rasterize, recognize, assemble, store, archive/quarantine.

Every file that enters inbox/ ends in exactly one of archive/, quarantine/, duplicates/,
and its database rows are committed before it moves there (see pipeline.py).
"""

from intake.ingest.pipeline import Summary, process  # noqa: F401
