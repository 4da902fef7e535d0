-- version-004.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: the reader blocks every remote load of a message (images, styles,
-- fonts from the web tell the sender when and where mail is read). The user
-- may choose "always show remote content from this sender"; that choice
-- must outlive the window and hold for every account, so it lives here.
-- Addresses are stored lowercase; the reader compares them so.

CREATE TABLE remote_content_senders (
  address  TEXT    NOT NULL PRIMARY KEY,
  added    INTEGER NOT NULL
) WITHOUT ROWID;
