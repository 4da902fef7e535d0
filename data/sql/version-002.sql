-- version-002.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: the IMAP sync engine drops a queued user action that the server
-- refused for good (the message is gone, the folder name is taken, …) rather
-- than retrying it forever. The user must still be told what did not happen
-- on the server, also when that was found out by a background sync with no
-- window open: each dropped operation leaves a sentence here, in the user's
-- language at the time, until the UI or `buzon-cli` has shown it.

CREATE TABLE op_failures (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  kind        TEXT    NOT NULL,                        -- the pending_ops kind
  message     TEXT    NOT NULL,                        -- a sentence for the user
  created     INTEGER NOT NULL
);

CREATE INDEX op_failures_account ON op_failures (account_id, id);
