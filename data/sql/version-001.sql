-- version-001.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: the first Buzón mail store. One SQLite database per profile holds the
-- accounts, the folder tree of each account, a summary row per message (what
-- the message list shows), the raw bytes of downloaded messages, the POP3
-- UIDL bookkeeping, the queue of user actions not yet replayed on the server,
-- the outbox, pinned certificates, and a full-text index.
--
-- The store applies this script in one exclusive transaction together with
-- PRAGMA user_version = 1 (buzon-store-migrate.c); do not put BEGIN/COMMIT here.
-- Later changes go in version-002.sql and onwards: never edit a shipped script.
--
-- Times are seconds since the Unix epoch, UTC. Booleans are 0 or 1.

-- 'Buzn': tells a Buzón store apart from any other SQLite file.
PRAGMA application_id = 1114995310;

-- Ids of accounts, folders and messages are AUTOINCREMENT: never reused,
-- so an id kept in a pending operation's payload can never come to mean a
-- different message after the first one was deleted.

-- Enumerations are stored by their GEnum nick (buzon-account.h) so that
-- reordering the C enum can never change what an old row means.
CREATE TABLE accounts (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  name             TEXT    NOT NULL UNIQUE,
  display_name     TEXT,
  address          TEXT,
  protocol         TEXT    NOT NULL DEFAULT 'imap',
  host             TEXT,
  port             INTEGER NOT NULL DEFAULT 0,        -- 0: the standard port
  security         TEXT    NOT NULL DEFAULT 'tls',
  username         TEXT,                              -- NULL: the address
  password_command TEXT,                              -- never a password itself
  pop3_mode        TEXT    NOT NULL DEFAULT 'keep',
  pop3_keep_days   INTEGER NOT NULL DEFAULT 0,
  sync_policy      TEXT    NOT NULL DEFAULT 'headers',
  sync_days        INTEGER NOT NULL DEFAULT 0,
  smtp_host        TEXT,
  smtp_port        INTEGER NOT NULL DEFAULT 0,        -- 0: 465 or 587
  smtp_security    TEXT    NOT NULL DEFAULT 'starttls',
  smtp_username    TEXT,                              -- NULL: the incoming user name
  created          INTEGER NOT NULL
);

-- The folder tree. name is the full name as the server knows it, decoded to
-- UTF-8 (IMAP sends modified UTF-7, RFC 3501 section 5.1.3), e.g. "Work/2026"
-- with delimiter "/". parent_id mirrors the name hierarchy so the sidebar can
-- build the tree without parsing names; deleting a folder deletes its subtree.
CREATE TABLE folders (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  parent_id      INTEGER REFERENCES folders (id) ON DELETE CASCADE,
  name           TEXT    NOT NULL,
  delimiter      TEXT,                                -- NULL: a flat namespace
  special_use    TEXT,                                -- 'inbox', 'sent', … (RFC 6154)
  subscribed     INTEGER NOT NULL DEFAULT 1,
  attributes     TEXT,                                -- LIST attributes: '\Noselect \HasChildren'
  uidvalidity    INTEGER NOT NULL DEFAULT 0,          -- RFC 3501 section 2.3.1.1
  uidnext        INTEGER NOT NULL DEFAULT 0,
  highestmodseq  INTEGER NOT NULL DEFAULT 0,          -- RFC 7162
  total_count    INTEGER NOT NULL DEFAULT 0,          -- kept by the triggers below
  unread_count   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, name)
);

CREATE INDEX folders_parent ON folders (parent_id);

-- One row per message in a folder: everything the message list and threading
-- need, and nothing bulky, so that scanning a 100,000-row folder stays fast.
-- uid is the IMAP UID (RFC 3501 section 2.3.1.1); NULL for a message that
-- only exists here (POP3, or not yet copied to the server). UIDs are unique
-- per folder; NULLs never collide.
--
-- flags is a bitmask: 1 \Seen, 2 \Answered, 4 \Flagged, 8 \Deleted, 16 \Draft.
-- keywords holds any other IMAP keywords, space separated.
-- body_state: 0 none (envelope only), 1 headers, 2 full (the raw message is in
-- message_bodies; see there for why that is crash-safe).
CREATE TABLE messages (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id        INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  uid              INTEGER,
  message_id       TEXT,                              -- Message-ID header
  in_reply_to      TEXT,
  refs             TEXT,                              -- References header
  subject          TEXT,
  from_addr        TEXT,
  to_addrs         TEXT,
  cc_addrs         TEXT,
  date             INTEGER NOT NULL DEFAULT 0,        -- Date header
  internal_date    INTEGER NOT NULL DEFAULT 0,        -- when the server got it
  size             INTEGER NOT NULL DEFAULT 0,        -- RFC 822 size in bytes
  flags            INTEGER NOT NULL DEFAULT 0,
  keywords         TEXT,
  has_attachments  INTEGER NOT NULL DEFAULT 0,
  preview          TEXT,
  body_state       INTEGER NOT NULL DEFAULT 0 CHECK (body_state IN (0, 1, 2)),
  UNIQUE (folder_id, uid)
);

-- The message list: a folder's messages newest first, paged by position.
-- (folder_id, uid) is served by the UNIQUE constraint's index.
CREATE INDEX messages_folder_date ON messages (folder_id, date, id);
-- Threading and duplicate detection.
CREATE INDEX messages_message_id ON messages (message_id);

-- The raw RFC 5322 bytes of a message, exactly as received.
--
-- Crash safety: a body is written in the same transaction that sets the
-- message's body_state to 2 (full). SQLite commits a transaction atomically
-- (in WAL mode, by appending a commit frame to the log; a log without that
-- frame is ignored on the next open), so after a crash or power loss either
-- both the body and body_state = 2 are there, or neither is: a half-written
-- body never counts as stored. Readers must trust body_state, never the mere
-- presence of a row. The table is separate from messages so that list scans
-- never page through megabytes of mail.
CREATE TABLE message_bodies (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  raw         BLOB    NOT NULL
);

-- POP3 has no folders or flags, only a unique id per message (UIDL, RFC 1939
-- section 7). A row remembers every UIDL seen on the server so nothing is
-- fetched twice. local_message is the downloaded copy; it becomes NULL when
-- the user deletes that copy, which the "keep until deleted" mode turns into
-- a DELE. deleted_on_server is set after a QUIT that expunged it.
CREATE TABLE pop3_uidls (
  account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  uidl               TEXT    NOT NULL,
  local_message      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
  first_seen         INTEGER NOT NULL,
  downloaded         INTEGER NOT NULL DEFAULT 0,      -- 0: not downloaded
  deleted_on_server  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, uidl)
);

CREATE INDEX pop3_uidls_local_message ON pop3_uidls (local_message);

-- User actions applied locally and waiting to be replayed on the server, in
-- id order (AUTOINCREMENT: ids are never reused, so order is creation order).
-- The payload is JSON the sync engine defines per kind; it names folders by
-- name, not only by id, because the local folder may be gone by replay time.
CREATE TABLE pending_ops (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  folder_id   INTEGER REFERENCES folders (id) ON DELETE SET NULL,
  kind        TEXT    NOT NULL,
  payload     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid (payload)),
  created     INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);

CREATE INDEX pending_ops_account ON pending_ops (account_id, id);
CREATE INDEX pending_ops_folder ON pending_ops (folder_id);

-- Mail waiting to be sent. It is stored before the first SMTP attempt and
-- removed only after the server accepted it. recipients are the envelope
-- recipients (RCPT TO), one address per line. state: 'queued', 'sending',
-- 'sent' (accepted, not yet saved to Sent) or 'failed' (needs the user).
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  raw           BLOB    NOT NULL,
  recipients    TEXT    NOT NULL,
  created       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_attempt  INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  state         TEXT    NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'sending', 'sent', 'failed'))
);

CREATE INDEX outbox_account ON outbox (account_id);

-- Certificates the user chose to trust although they did not verify, pinned
-- by the SHA-256 of their DER encoding (lowercase hex) for one host and port.
CREATE TABLE cert_pins (
  host     TEXT    NOT NULL COLLATE NOCASE,
  port     INTEGER NOT NULL,
  sha256   TEXT    NOT NULL,
  created  INTEGER NOT NULL,
  PRIMARY KEY (host, port)
);

-- Full-text search over subject, addresses and body text; rowid is
-- messages.id. remove_diacritics 2 folds accents, so "cancion" finds
-- "canción". It keeps its own copy of the text (not contentless) so that a
-- row can be deleted without knowing what was indexed: SQLite 3.40 has no
-- contentless_delete. body is the decoded text the MIME layer extracts.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  subject,
  addresses,
  body,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- Messages whose index entry must be added, refreshed or removed. The
-- triggers below only note the id; the store applies the whole queue to
-- messages_fts with a few set-based statements just before each COMMIT, so
-- the index is never out of step once a transaction is visible. Why not
-- write messages_fts from the triggers: FTS5 writes its pending terms out at
-- every statement boundary, which made indexing a 20,000-message batch one
-- row per statement 15 times slower than the batch itself.
CREATE TABLE fts_queue (
  message_id  INTEGER PRIMARY KEY
);

-- Keep the folder counts and the index queue in step with messages. Unread
-- means neither \Seen nor \Deleted: (flags & 9) = 0. Triggers also run for
-- foreign-key cascades, so deleting a folder or account stays consistent.
CREATE TRIGGER messages_after_insert AFTER INSERT ON messages
BEGIN
  UPDATE folders
     SET total_count = total_count + 1,
         unread_count = unread_count + ((NEW.flags & 9) = 0)
   WHERE id = NEW.folder_id;
  INSERT OR IGNORE INTO fts_queue (message_id) VALUES (NEW.id);
END;

CREATE TRIGGER messages_after_delete AFTER DELETE ON messages
BEGIN
  UPDATE folders
     SET total_count = total_count - 1,
         unread_count = unread_count - ((OLD.flags & 9) = 0)
   WHERE id = OLD.folder_id;
  INSERT OR IGNORE INTO fts_queue (message_id) VALUES (OLD.id);
END;

CREATE TRIGGER messages_after_update_counts AFTER UPDATE OF folder_id, flags ON messages
WHEN OLD.folder_id IS NOT NEW.folder_id OR ((OLD.flags & 9) = 0) IS NOT ((NEW.flags & 9) = 0)
BEGIN
  UPDATE folders
     SET total_count = total_count - 1,
         unread_count = unread_count - ((OLD.flags & 9) = 0)
   WHERE id = OLD.folder_id;
  UPDATE folders
     SET total_count = total_count + 1,
         unread_count = unread_count + ((NEW.flags & 9) = 0)
   WHERE id = NEW.folder_id;
END;

CREATE TRIGGER messages_after_update_text AFTER UPDATE OF subject, from_addr, to_addrs, cc_addrs
ON messages
WHEN OLD.subject IS NOT NEW.subject OR OLD.from_addr IS NOT NEW.from_addr
  OR OLD.to_addrs IS NOT NEW.to_addrs OR OLD.cc_addrs IS NOT NEW.cc_addrs
BEGIN
  INSERT OR IGNORE INTO fts_queue (message_id) VALUES (NEW.id);
END;
