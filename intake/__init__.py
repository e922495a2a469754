"""intake: offline-first paper and fax intake.

The one loop: forms/*.yaml --render--> PDF --(fax/scan)--> inbox/ --ingest--> pages
--recognize--> readings --> SQLite --review--> accepted --match--> letters.
"""

__version__ = "0.1.0"
