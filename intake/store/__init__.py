"""SQLite storage: schema + migrations (db.py), queries, export."""
