"""Open the workspace database: WAL mode, foreign keys, schema migrations.

Each migration is recorded in the `migrations` table and applied in its own
transaction, so a crash mid-upgrade leaves the database at the previous version.
To change the schema, append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial schema", """
    CREATE TABLE respondents (          -- factories and buyers we send forms to
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        postal_code TEXT, address TEXT, phone TEXT, fax TEXT,
        contact_channel TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sent_forms (           -- what was printed for whom (who has not answered yet)
        id INTEGER PRIMARY KEY,
        respondent_id TEXT NOT NULL REFERENCES respondents(id),
        form TEXT NOT NULL, version INTEGER NOT NULL, lang TEXT NOT NULL,
        match_id TEXT,
        output_path TEXT,
        sent_at TEXT NOT NULL
    );
    CREATE TABLE files (                -- every file that entered the inbox, and where it ended
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        kind TEXT,                      -- pdf | tiff | png | jpeg | unknown
        state TEXT NOT NULL,            -- processing | archived | quarantined | duplicate
        reason TEXT,                    -- quarantine reason code and message
        stored_path TEXT,               -- archive/quarantine/duplicates path
        duplicate_of INTEGER REFERENCES files(id),
        page_count INTEGER,
        received_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE UNIQUE INDEX files_sha_loaded ON files(sha256) WHERE state IN ('archived', 'processing');
    CREATE TABLE submissions (          -- one respondent's answers to one form
        id TEXT PRIMARY KEY,
        form TEXT NOT NULL, version INTEGER NOT NULL,
        respondent_id TEXT,
        match_id TEXT,
        status TEXT NOT NULL,           -- incomplete | needs_review | accepted
        page_count INTEGER NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE pages (                -- every page of every file
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id),
        page_index INTEGER NOT NULL,    -- 0-based within its file
        status TEXT NOT NULL,           -- identified | unidentified | foreign | duplicate
        form TEXT, version INTEGER, page INTEGER, pages INTEGER,
        respondent_id TEXT, match_id TEXT,
        rotated INTEGER DEFAULT 0,      -- degrees turned to read it
        registration_mm REAL,           -- marker residual after the homography
        image_path TEXT,
        submission_id TEXT REFERENCES submissions(id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE field_values (         -- the machine's reading and, later, a clerk's correction
        id INTEGER PRIMARY KEY,
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        page_id INTEGER REFERENCES pages(id),
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        machine_value TEXT,             -- JSON, never overwritten
        value TEXT,                     -- JSON, the current value
        confidence REAL NOT NULL,
        needs_review INTEGER NOT NULL,
        reason TEXT,                    -- why it needs review
        source TEXT NOT NULL,           -- ocr | acroform | clerk
        crop_path TEXT,
        corrected_by TEXT, corrected_at TEXT,
        UNIQUE(submission_id, key)
    );
    CREATE TABLE audit (                -- every change a person made
        id INTEGER PRIMARY KEY,
        submission_id TEXT, key TEXT,
        old_value TEXT, new_value TEXT,
        who TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL
    );
    CREATE INDEX pages_submission ON pages(submission_id);
    CREATE INDEX pages_file ON pages(file_id);
    CREATE INDEX fv_submission ON field_values(submission_id);
    """),
    (2, "ingest: claims, page notes, duplicate pages", """
    ALTER TABLE files ADD COLUMN claimed_as TEXT;     -- processing/<claim> name: finishes an interrupted move
    ALTER TABLE files ADD COLUMN requeued_at TEXT;    -- set by `intake retry` (state becomes 'requeued')
    CREATE INDEX files_claimed ON files(claimed_as);
    CREATE INDEX files_state ON files(state);
    ALTER TABLE pages ADD COLUMN note TEXT;           -- why a page is unidentified / foreign / a duplicate
    ALTER TABLE pages ADD COLUMN dpi_x REAL;
    ALTER TABLE pages ADD COLUMN dpi_y REAL;
    ALTER TABLE pages ADD COLUMN duplicate_of INTEGER REFERENCES pages(id);
    CREATE INDEX pages_status ON pages(status);
    CREATE INDEX submissions_key ON submissions(form, version, respondent_id, match_id);
    """),
    (10, "review: double entry, respondent profiles (factories, capabilities, requests)", """
    CREATE TABLE review_entries (       -- double entry: each clerk's independent keying of one field
        id INTEGER PRIMARY KEY,
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        key TEXT NOT NULL,
        value TEXT,                     -- JSON, parsed like field_values.value
        who TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE INDEX review_entries_field ON review_entries(submission_id, key);
    CREATE TABLE factories (            -- a respondent's profile, from its latest accepted survey
        id TEXT PRIMARY KEY,            -- respondent id (or 'anon-<submission id>' for a blank form)
        submission_id TEXT REFERENCES submissions(id),
        name TEXT, representative TEXT, contact_person TEXT,
        postal_code TEXT, address TEXT, prefecture TEXT,
        phone TEXT, fax TEXT, employees INTEGER,
        channel TEXT,                   -- preferred contact: fax | post | phone | email
        consent TEXT,                   -- agree | disagree | NULL (not answered)
        shares_profile INTEGER NOT NULL DEFAULT 0,   -- 1 only with consent = agree
        idle_equipment INTEGER, idle_machines TEXT,
        strengths TEXT, challenges TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE capabilities (         -- what a factory does: one row per ticked option
        id INTEGER PRIMARY KEY,
        factory_id TEXT NOT NULL REFERENCES factories(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,             -- process | material | lot | certification | interest
        value TEXT NOT NULL,            -- the option key in the form definition
        UNIQUE(factory_id, kind, value)
    );
    CREATE INDEX capabilities_kind_value ON capabilities(kind, value);
    CREATE TABLE requests (             -- a buyer's need, from an accepted request form
        id INTEGER PRIMARY KEY,
        submission_id TEXT NOT NULL UNIQUE REFERENCES submissions(id),
        requester_id TEXT,              -- respondent id of the requester (NULL for a blank form)
        requester_name TEXT, contact_person TEXT, phone TEXT,
        processes TEXT NOT NULL,        -- JSON list of option keys
        materials TEXT NOT NULL,        -- JSON list of option keys
        quantity INTEGER,
        deadline TEXT,                  -- ISO date (YYYY-MM-DD) when it could be read
        region TEXT,                    -- prefecture | neighbours | nationwide
        drawings INTEGER, description TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    """),
    (20, "matching: matches, groups, letters", """
    CREATE TABLE matches (              -- a request paired with a supplier (or a group opportunity)
        id TEXT PRIMARY KEY,            -- M0001 ... (printed in the reply slip's code)
        kind TEXT NOT NULL DEFAULT 'pair',          -- pair | group
        request_submission_id TEXT REFERENCES submissions(id),
        requester_id TEXT,
        supplier_id TEXT,               -- factories.id
        group_id INTEGER REFERENCES match_groups(id),
        score REAL NOT NULL DEFAULT 0,
        state TEXT NOT NULL,            -- proposed | approved | rejected | letter_printed | sent | reply_received | closed
        reasons_ja TEXT, reasons_en TEXT,            -- JSON lists: needs met and not met
        manual INTEGER NOT NULL DEFAULT 0,           -- added by a coordinator
        decided_by TEXT, decided_at TEXT, why TEXT,  -- approve / reject
        reply_submission_id TEXT REFERENCES submissions(id),
        contacted TEXT, visit TEXT, trial_order TEXT, satisfaction INTEGER,   -- from reply slips
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX matches_state ON matches(state);
    CREATE TABLE match_groups (         -- several factories sharing an interest in one region
        id INTEGER PRIMARY KEY,
        interest TEXT NOT NULL,         -- equipment_sharing | joint_purchase | ...
        region TEXT NOT NULL,           -- prefecture name
        members TEXT NOT NULL,          -- JSON list of factories.id
        created_at TEXT NOT NULL
    );
    CREATE TABLE letters (              -- every printed letter, cover sheet, confirmation, reminder
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,             -- match | fax_cover | confirmation | reminder
        match_id TEXT REFERENCES matches(id),
        respondent_id TEXT,
        channel TEXT,                   -- post | fax
        path TEXT,
        printed_at TEXT NOT NULL
    );
    """),
    (21, "matching: one proposal per pair, match history, letter details", """
    CREATE UNIQUE INDEX matches_pair ON matches(request_submission_id, supplier_id) WHERE kind = 'pair';
    CREATE UNIQUE INDEX match_groups_key ON match_groups(interest, region);
    CREATE TABLE match_events (         -- every state change of a match: who, when, why
        id INTEGER PRIMARY KEY,
        match_id TEXT NOT NULL REFERENCES matches(id),
        from_state TEXT, to_state TEXT NOT NULL,
        who TEXT NOT NULL, at TEXT NOT NULL, note TEXT
    );
    CREATE INDEX match_events_match ON match_events(match_id);
    ALTER TABLE letters ADD COLUMN letter_date TEXT;     -- the date printed on the letter (ISO)
    ALTER TABLE letters ADD COLUMN pages INTEGER;
    ALTER TABLE letters ADD COLUMN batch_path TEXT;      -- the day's print-ready batch it went into
    ALTER TABLE letters ADD COLUMN submission_id TEXT;   -- confirmation sheets: the submission shown
    """),
    (22, "respondents: the people the office knows (read against handwriting)", """
    ALTER TABLE respondents ADD COLUMN representative TEXT;
    ALTER TABLE respondents ADD COLUMN contact_person TEXT;
    """),
    (30, "bcp: incidents, what was sent for them, the replies", """
    CREATE TABLE bcp_incidents (        -- an outage: an area or factories down, and what the office did
        id TEXT PRIMARY KEY,            -- I0001 ... (printed in the BCP reply slip's code)
        scope TEXT NOT NULL,            -- JSON {"areas": [...], "down": [...]} as normalised; one open incident each
        areas TEXT NOT NULL,            -- JSON list of the --area values as first typed
        state TEXT NOT NULL,            -- open | closed
        declared_at TEXT NOT NULL, declared_by TEXT NOT NULL,
        assessment TEXT NOT NULL,       -- JSON list: the latest assessment, one entry per affected factory
        assessed_at TEXT NOT NULL,
        closed_at TEXT, closed_by TEXT, why TEXT
    );
    CREATE TABLE bcp_sent (             -- every document printed for an incident (never sent twice)
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES bcp_incidents(id),
        kind TEXT NOT NULL,             -- request (to an alternative) | notice (to a buyer)
        respondent_id TEXT NOT NULL,
        channel TEXT NOT NULL,          -- fax | post
        replaces TEXT NOT NULL,         -- JSON list of the affected factories the document is about
        path TEXT, batch_path TEXT, pages INTEGER,
        printed_at TEXT NOT NULL,
        UNIQUE(incident_id, kind, respondent_id)
    );
    CREATE TABLE bcp_replies (          -- a BCP reply slip that came back
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES bcp_incidents(id),
        factory_id TEXT,
        submission_id TEXT NOT NULL UNIQUE REFERENCES submissions(id),
        answer TEXT,                    -- can | conditional | cannot | NULL (not readable yet)
        start_date TEXT, monthly INTEGER, conditions TEXT,
        status TEXT,                    -- the submission's status when last read
        match_ids TEXT,                 -- JSON list: matches made from this offer (intake bcp accept)
        received_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    """),
    (40, "events: matching events (商談会), participants, wishes, the meeting schedule", """
    CREATE TABLE events (               -- a matching event; its id is printed in the RSVP slip's code
        id TEXT PRIMARY KEY,            -- chosen by the coordinator (--id), e.g. E2027-02
        title TEXT NOT NULL, date TEXT NOT NULL, venue TEXT NOT NULL,
        slots INTEGER NOT NULL, tables INTEGER NOT NULL,
        slot_minutes INTEGER NOT NULL, start TEXT NOT NULL,          -- HH:MM of slot 1
        created_at TEXT NOT NULL, created_by TEXT NOT NULL,
        scheduled_at TEXT, objective REAL, bound REAL                -- the latest schedule's solve
    );
    CREATE TABLE event_participants (   -- who was invited, and what they answered (RSVP slip or clerk)
        event_id TEXT NOT NULL REFERENCES events(id),
        factory_id TEXT NOT NULL,       -- respondents.id / factories.id
        status TEXT NOT NULL,           -- invited | attending | declined
        people INTEGER,                 -- how many come
        hosts_visit TEXT,               -- yes | no | NULL: 工場見学の受け入れ
        candidates TEXT,                -- JSON list: the partners printed on its slip, in slot order
        channel TEXT, invitation_path TEXT, invited_at TEXT,
        source TEXT,                    -- rsvp | clerk: where the answer came from
        submission_id TEXT,             -- the RSVP slip read back
        answered_at TEXT, updated_at TEXT NOT NULL,
        PRIMARY KEY (event_id, factory_id)
    );
    CREATE TABLE event_wishes (         -- "I would like to meet them": one row per direction
        event_id TEXT NOT NULL REFERENCES events(id),
        factory_id TEXT NOT NULL, other_id TEXT NOT NULL,
        source TEXT NOT NULL,           -- rsvp | clerk
        at TEXT NOT NULL,
        PRIMARY KEY (event_id, factory_id, other_id)
    );
    CREATE TABLE event_meetings (       -- the latest schedule; what was shown is kept on a re-run
        event_id TEXT NOT NULL REFERENCES events(id),
        slot INTEGER NOT NULL, table_no INTEGER NOT NULL,
        a TEXT NOT NULL, b TEXT NOT NULL,                            -- a < b
        score REAL NOT NULL, wished INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (event_id, slot, table_no), UNIQUE (event_id, a, b)
    );
    """),
    (41, "events: after the day — follow-up slips per meeting, visit requests, what was sent", """
    CREATE TABLE event_sent (           -- every document printed for an event after the day (never twice)
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events(id),
        kind TEXT NOT NULL,             -- followup | visit_request | visit_notice
        respondent_id TEXT NOT NULL,
        ref TEXT NOT NULL,              -- the meeting's code <event>.<slot>.<table>
        channel TEXT NOT NULL, path TEXT, printed_at TEXT NOT NULL,
        UNIQUE (event_id, kind, respondent_id, ref)
    );
    CREATE TABLE event_followups (      -- a follow-up slip that came back: one meeting, one side
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events(id),
        ref TEXT NOT NULL,              -- the meeting's code
        a TEXT NOT NULL, b TEXT NOT NULL,
        factory_id TEXT NOT NULL,       -- the side that answered
        submission_id TEXT NOT NULL UNIQUE REFERENCES submissions(id),
        talked TEXT, visit TEXT, trial_order TEXT,   -- yes|no, yes|no, placed|considering|none (NULL: unread)
        status TEXT,                    -- the submission's status when last read
        received_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    """),
]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def upsert_reply(conn: sqlite3.Connection, table: str, row: dict) -> None:
    """A reply slip's row, keyed by its submission: inserted the first time, refreshed when the submission settles
    again (a clerk confirms a field); received_at stays the first time's."""
    at = now()
    updates = ", ".join(f"{k}=excluded.{k}" for k in row if k != "submission_id")
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}, received_at, updated_at) VALUES "
                 f"({', '.join('?' * len(row))}, ?, ?) ON CONFLICT(submission_id) DO UPDATE SET {updates}, "
                 f"updated_at=excluded.updated_at", (*row.values(), at, at))


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)  # explicit transactions
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction. Returns the schema version."""
    conn.execute("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    done = {r[0] for r in conn.execute("SELECT version FROM migrations")}
    for version, name, sql in sorted(MIGRATIONS):
        if version in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM migrations WHERE version=?", (version,)).fetchone():
                conn.execute("ROLLBACK")  # another process applied it meanwhile
                continue
            for stmt in _statements(sql):
                conn.execute(stmt)
            conn.execute("INSERT INTO migrations VALUES (?,?,?)", (version, name, now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return max(v for v, _, _ in MIGRATIONS)


def _statements(sql: str) -> list[str]:
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s.strip(";").strip()]


@contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated connection inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on any error), then closed."""
    conn = connect(Path(path))
    try:
        migrate(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def open_db(path: Path) -> sqlite_utils.Database:
    """The workspace database as a sqlite_utils.Database, migrated to the current schema."""
    conn = connect(Path(path))
    migrate(conn)
    return sqlite_utils.Database(conn)
