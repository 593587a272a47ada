"""Schema migrations, applied in order by ``PRAGMA user_version``.

Each migration is a list of statements and runs in the opening transaction; a
vault at version N gets migrations N+1.. on its next open. Never edit a migration
that has shipped: add a new one. ``tests/test_migrations.py`` builds a vault at
every earlier version and upgrades it.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: records, attachments, ledger
    [
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX events_subject ON events(subject, seq)",
        """CREATE TABLE clients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            emails TEXT NOT NULL DEFAULT '[]',
            phones TEXT NOT NULL DEFAULT '[]',
            address TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX clients_name ON clients(name COLLATE NOCASE)",
        """CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            status TEXT NOT NULL,
            reason TEXT NOT NULL,
            changed_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX status_changes_client ON status_changes(client_id, id)",
        # entries holds what never changes plus a cache of the current revision, so
        # the timeline is one indexed scan; verify checks the cache against revisions.
        """CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            recorded_at TEXT NOT NULL,
            current_rev INTEGER NOT NULL,
            kind TEXT NOT NULL,
            occurred_utc TEXT NOT NULL,
            title TEXT NOT NULL,
            private INTEGER NOT NULL DEFAULT 0,
            attachment_count INTEGER NOT NULL DEFAULT 0,
            retracted INTEGER NOT NULL DEFAULT 0
        ) STRICT""",
        "CREATE INDEX entries_timeline ON entries(client_id, occurred_utc DESC, id DESC)",
        "CREATE INDEX entries_occurred ON entries(occurred_utc DESC, id DESC)",
        """CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            rev INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_utc TEXT NOT NULL,
            occurred_offset INTEGER NOT NULL,
            occurred_tz TEXT,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            participants TEXT NOT NULL DEFAULT '[]',
            duration_min INTEGER,
            time_spent_min INTEGER,
            amount_cents INTEGER,
            currency TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            private INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (entry_id, rev)
        ) STRICT""",
        """CREATE TABLE retractions (
            entry_id INTEGER PRIMARY KEY REFERENCES entries(id),
            reason TEXT NOT NULL,
            retracted_at TEXT NOT NULL
        ) STRICT""",
        # Content-addressed file storage. Files are split into chunks so that a
        # 2 GB import never holds more than one chunk in memory.
        """CREATE TABLE blobs (
            id INTEGER PRIMARY KEY,
            sha256 TEXT UNIQUE,
            size INTEGER NOT NULL DEFAULT 0,
            chunk_count INTEGER NOT NULL DEFAULT 0,
            stored_at TEXT NOT NULL
        ) STRICT""",
        # sha256 is NULL only while a blob is being written, inside the transaction
        # that writes it: the hash is known only after the last chunk.
        """CREATE TABLE blob_chunks (
            id INTEGER PRIMARY KEY,
            blob_id INTEGER NOT NULL REFERENCES blobs(id),
            seq INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (blob_id, seq)
        ) STRICT""",
        """CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id),
            sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            source TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            added_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX attachments_entry ON attachments(entry_id)",
        "CREATE INDEX attachments_sha ON attachments(sha256)",
        # Derived data (thumbnails, extracted text) is not evidence: it can be
        # rebuilt from the blob, so it is not in the ledger.
        """CREATE TABLE derivatives (
            sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            kind TEXT NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (sha256, kind)
        ) STRICT""",
        """CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            entry_id INTEGER REFERENCES entries(id),
            due_utc TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at TEXT NOT NULL,
            done_at TEXT
        ) STRICT""",
        "CREATE INDEX reminders_due ON reminders(done_at, due_utc)",
        # Drafts are scratch work autosaved every few seconds; they become evidence
        # only when saved as an entry, so they are not in the ledger.
        """CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            client_id INTEGER REFERENCES clients(id),
            entry_id INTEGER REFERENCES entries(id),
            content TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT""",
    ],
    # 2: full-text search. A standalone FTS5 table keyed by entry id, rebuilt for an
    # entry whenever its revision, attachments or client name change.
    [
        """CREATE VIRTUAL TABLE search_index USING fts5(
            title, body, client, attachments,
            tokenize = 'unicode61 remove_diacritics 2'
        )""",
        """INSERT INTO search_index(rowid, title, body, client, attachments)
           SELECT e.id, r.title, r.body || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(r.participants)), ''), c.name,
                  coalesce((SELECT group_concat(a.name, ' ') FROM attachments a
                            WHERE a.entry_id = e.id), '')
           FROM entries e
           JOIN revisions r ON r.entry_id = e.id AND r.rev = e.current_rev
           JOIN clients c ON c.id = e.client_id""",
    ],
    # 3: text extracted from attachments (PDF text, email bodies) for search.
    [
        "ALTER TABLE attachments ADD COLUMN text TEXT NOT NULL DEFAULT ''",
    ],
    # 4 (parting ways, issue 7): the parting-ways checklist. Append-only: marking a
    # step again adds a row; the latest row per (client, step) is the step's state.
    [
        """CREATE TABLE parting_steps (
            id INTEGER PRIMARY KEY,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            step TEXT NOT NULL,
            done_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            by_whom TEXT NOT NULL DEFAULT '',
            how TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            due_at TEXT,
            entry_id INTEGER REFERENCES entries(id),
            reminder_id INTEGER REFERENCES reminders(id)
        ) STRICT""",
        "CREATE INDEX parting_steps_client ON parting_steps(client_id, step, id)",
    ],
    # 5 (ingest, issue 4): triage: files dropped in the Inbox root, stored (encrypted) and waiting
    # for the user to say which client they belong to.
    [
        """CREATE TABLE triage (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            file_mtime TEXT NOT NULL,
            added_at TEXT NOT NULL,
            assigned_client_id INTEGER REFERENCES clients(id),
            assigned_at TEXT
        ) STRICT""",
        "CREATE INDEX triage_sha ON triage(sha256)",
        # Email threads are put together from Message-ID / In-Reply-To / References
        # kept in the original message's metadata.
        "CREATE INDEX attachments_message_id ON attachments(json_extract(metadata, '$.message_id'))",
    ],
    # 6 (dossier, issue 11): the production register. One row per export, ledgered as
    # production:N; Bates ranges per prefix never overlap (app/dossier/productions.py).
    [
        """CREATE TABLE productions (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            client_id INTEGER NOT NULL REFERENCES clients(id),
            produced_at TEXT NOT NULL,
            recipient TEXT NOT NULL DEFAULT '',
            bates_prefix TEXT NOT NULL,
            bates_digits INTEGER NOT NULL,
            bates_first INTEGER NOT NULL,
            bates_last INTEGER NOT NULL,
            pages INTEGER NOT NULL,
            exhibits TEXT NOT NULL DEFAULT '[]',
            pdf_name TEXT NOT NULL,
            pdf_sha256 TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            supersedes_id INTEGER REFERENCES productions(id)
        ) STRICT""",
        "CREATE INDEX productions_prefix ON productions(bates_prefix, bates_last)",
    ],
    # 7 (evidence, issue 10 §3-4): the vault's Ed25519 signing key (only ever stored here, inside
    # the encrypted database; the key itself is made in code at first use, app/evidence/signing.py),
    # and the queue of RFC 3161 timestamp requests still waiting for a TSA (operational, not
    # evidence: a granted token goes into the ledger as an `anchor` event).
    [
        """CREATE TABLE signing_keys (
            id INTEGER PRIMARY KEY,
            algorithm TEXT NOT NULL,
            private_key BLOB NOT NULL,
            public_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE anchor_queue (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            imprint TEXT NOT NULL,
            sealed_count INTEGER NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            tsa_url TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt_at TEXT,
            last_error TEXT NOT NULL DEFAULT ''
        ) STRICT""",
    ],
    # 8 (issue 17): each client's entry count, kept by triggers in the transaction that
    # adds the entry, so the client list costs O(clients) at a million entries (verify
    # recounts it). A cache, not evidence: no ledger event of its own.
    [
        """CREATE TABLE client_counts (
            client_id INTEGER PRIMARY KEY,
            entries INTEGER NOT NULL DEFAULT 0
        ) STRICT""",
        """INSERT INTO client_counts(client_id, entries)
           SELECT c.id, (SELECT count(*) FROM entries e WHERE e.client_id = c.id) FROM clients c""",
        """CREATE TRIGGER client_counts_client_added AFTER INSERT ON clients BEGIN
               INSERT OR IGNORE INTO client_counts(client_id, entries) VALUES (new.id, 0);
           END""",
        """CREATE TRIGGER client_counts_client_removed AFTER DELETE ON clients BEGIN
               DELETE FROM client_counts WHERE client_id = old.id;
           END""",
        """CREATE TRIGGER client_counts_entry_added AFTER INSERT ON entries BEGIN
               UPDATE client_counts SET entries = entries + 1 WHERE client_id = new.client_id;
           END""",
        """CREATE TRIGGER client_counts_entry_removed AFTER DELETE ON entries BEGIN
               UPDATE client_counts SET entries = entries - 1 WHERE client_id = old.client_id;
           END""",
        """CREATE TRIGGER client_counts_entry_moved AFTER UPDATE OF client_id ON entries
           WHEN new.client_id IS NOT old.client_id BEGIN
               UPDATE client_counts SET entries = entries - 1 WHERE client_id = old.client_id;
               UPDATE client_counts SET entries = entries + 1 WHERE client_id = new.client_id;
           END""",
    ],
    # 9 (mail, issue 13): IMAP accounts and, per account, client and folder, how far a fetch got.
    # The password lives only here, inside the encrypted database, and is never in the ledger
    # (removing an account blanks it; the row stays because the ledger names it).
    [
        """CREATE TABLE mail_accounts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            tls TEXT NOT NULL,
            username TEXT NOT NULL,
            password TEXT NOT NULL,
            preset TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            removed_at TEXT
        ) STRICT""",
        """CREATE TABLE mail_folders (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES mail_accounts(id),
            client_id INTEGER NOT NULL REFERENCES clients(id),
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (account_id, client_id, folder)
        ) STRICT""",
    ],
    # 10 (desktop app, issue 12): Edit → Undo of a checklist step. parting_steps rows never
    # change; an undo is a row of its own (like a retraction), and the step's state is then its
    # latest row that was not undone.
    [
        """CREATE TABLE parting_step_undos (
            id INTEGER PRIMARY KEY,
            step_id INTEGER NOT NULL UNIQUE REFERENCES parting_steps(id),
            reason TEXT NOT NULL,
            undone_at TEXT NOT NULL
        ) STRICT""",
    ],
    # 11 (issue 17): the search index's term list, read to resolve the prefix of the last
    # word typed (app/search.py): a word no longer term extends is searched as itself.
    # A view over search_index: it stores nothing.
    ["CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_index, 'row')"],
    # 12 (issue 17): what a timeline row shows of the current revision, beside the entry
    # (app/records/journal.py): the body's start, the time's own offset and zone. Reading them
    # from the revision loaded — and SQLCipher decrypted — every e-mail's whole row, about a
    # page each. Kept in the revision's transaction, checked by verify; NULL for entries
    # written before (then read from the revision, as before).
    [
        "ALTER TABLE entries ADD COLUMN snippet TEXT",
        "ALTER TABLE entries ADD COLUMN occurred_offset INTEGER",
        "ALTER TABLE entries ADD COLUMN occurred_tz TEXT",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
