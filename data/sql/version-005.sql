-- version-005.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: an IMAP server that offers QUOTA (RFC 9208) refuses new mail once the
-- mailbox is full, and the user only learns of it from senders' bounces. The
-- sync reads the Inbox's STORAGE quota, and the sidebar and buzon-cli show it
-- and warn near the limit, also when offline: so it lives here, per account.
-- Both numbers are BYTES (IMAP reports KiB; the sync multiplies by 1024). No
-- row means unknown: never read, or the server no longer offers QUOTA or a
-- STORAGE limit. updated is when these numbers were stored (unix seconds);
-- the sync writes only when they change.

CREATE TABLE account_quotas (
  account_id   INTEGER NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  usage_bytes  INTEGER NOT NULL,
  limit_bytes  INTEGER NOT NULL CHECK (limit_bytes > 0),
  updated      INTEGER NOT NULL
);
