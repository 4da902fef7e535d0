-- version-006.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: two settings of an account that sending needs.
--
-- save_sent: after sending, Buzón keeps a copy in the account's Sent folder
-- (an IMAP APPEND). Some servers (Gmail, Outlook.com) already file every
-- message sent through their SMTP server in Sent, and would get it twice; for
-- those accounts the user turns this off. 1 keeps a copy (the default, and
-- what every account did before), 0 leaves it to the server. POP3 accounts
-- keep their copy here whatever this says.
--
-- signature: the text the composer puts under a new message, after the "-- "
-- line, per account (an identity). NULL: none.

ALTER TABLE accounts ADD COLUMN save_sent INTEGER NOT NULL DEFAULT 1 CHECK (save_sent IN (0, 1));
ALTER TABLE accounts ADD COLUMN signature TEXT;
