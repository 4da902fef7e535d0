-- version-003.sql
--
-- Copyright 2026 The Buzón developers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Why: conversation threading. The message list can group a folder's
-- messages by conversation and the reader can show a whole conversation,
-- across the account's folders (a reply in Sent belongs with the Inbox
-- message it answers). The store computes a thread per message when it
-- stores it (buzon-store-threads.c), from Message-ID, In-Reply-To and
-- References, the normalized subject as a fallback only for messages that
-- reference nothing. This script adds the columns and tables; the store's
-- post-upgrade hook for version 3 threads the messages already stored, in
-- the same transaction.

-- The conversation a message belongs to: a grouping key, nothing more. It
-- is the id of the first message of the thread the store saw (ids are never
-- reused, so a key never comes to mean another thread); when a message links
-- two threads, all of the younger one takes the older one's key. NULL only
-- between storing a row and threading it, inside one transaction.
ALTER TABLE messages ADD COLUMN thread_id INTEGER;
-- The subject as the fallback compares it: prefixes (Re:, Fwd:, AW:, …) and
-- [list] tags stripped, case folded. NULL when empty or generic, which never
-- groups messages.
ALTER TABLE messages ADD COLUMN thread_subject TEXT;

-- A conversation, oldest first; merging threads; counting a thread.
CREATE INDEX messages_thread ON messages (thread_id, date, id);
-- The subject fallback: same subject, dates near each other.
CREATE INDEX messages_thread_subject ON messages (thread_subject, date)
  WHERE thread_subject IS NOT NULL;

-- Every Message-ID an account's messages have or refer to, with the thread
-- it belongs to. A reply that arrives before the message it answers records
-- the parent's Message-ID here, so the parent joins the reply's thread when
-- it arrives; a References chain whose middle is missing still links its
-- ends. Rows stay when messages are deleted: a later reply to a deleted
-- message still finds the rest of its conversation.
CREATE TABLE thread_refs (
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  message_id  TEXT    NOT NULL,                        -- without the angle brackets
  thread_id   INTEGER NOT NULL,
  PRIMARY KEY (account_id, message_id)
) WITHOUT ROWID;

CREATE INDEX thread_refs_thread ON thread_refs (thread_id);

-- One row per thread with messages in a folder: what a threaded message list
-- shows, so that a page of a 100,000-message folder's threads, newest first,
-- is an index range scan, not a GROUP BY over the whole folder. Kept by the
-- triggers below (so deletes, moves, flag changes and cascades keep it right).
-- latest_id is the folder's newest message of the thread (by date, then id).
CREATE TABLE folder_threads (
  folder_id      INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  thread_id      INTEGER NOT NULL,
  message_count  INTEGER NOT NULL,
  unread_count   INTEGER NOT NULL,
  latest_date    INTEGER NOT NULL,
  latest_id      INTEGER NOT NULL,
  PRIMARY KEY (folder_id, thread_id)
) WITHOUT ROWID;

CREATE INDEX folder_threads_latest ON folder_threads (folder_id, latest_date, latest_id);
CREATE INDEX folder_threads_thread ON folder_threads (thread_id);

-- A message joins its (folder, thread) row. Unread: (flags & 9) = 0, as in
-- version-001.sql.
CREATE TRIGGER messages_threads_after_insert AFTER INSERT ON messages
WHEN NEW.thread_id IS NOT NULL
BEGIN
  INSERT INTO folder_threads (folder_id, thread_id, message_count, unread_count, latest_date,
                              latest_id)
  VALUES (NEW.folder_id, NEW.thread_id, 1, (NEW.flags & 9) = 0, NEW.date, NEW.id)
  ON CONFLICT (folder_id, thread_id) DO UPDATE SET
    message_count = message_count + 1,
    unread_count = unread_count + excluded.unread_count,
    latest_date = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                       THEN excluded.latest_date ELSE latest_date END,
    latest_id = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                     THEN excluded.latest_id ELSE latest_id END;
END;

-- A message leaves its row; the row goes with its last message. When it was
-- the latest, the next latest is found through messages_thread.
CREATE TRIGGER messages_threads_after_delete AFTER DELETE ON messages
WHEN OLD.thread_id IS NOT NULL
BEGIN
  UPDATE folder_threads
     SET message_count = message_count - 1,
         unread_count = unread_count - ((OLD.flags & 9) = 0)
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id;
  DELETE FROM folder_threads
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id AND message_count <= 0;
  UPDATE folder_threads
     SET (latest_date, latest_id) =
         (SELECT m.date, m.id FROM messages AS m
           WHERE m.thread_id = OLD.thread_id AND m.folder_id = OLD.folder_id
           ORDER BY m.date DESC, m.id DESC LIMIT 1)
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id AND latest_id = OLD.id;
END;

-- Threaded (NULL to a key: every new message, right after its insert): join
-- the row as the insert trigger does.
CREATE TRIGGER messages_threads_after_threading AFTER UPDATE OF thread_id ON messages
WHEN OLD.thread_id IS NULL AND NEW.thread_id IS NOT NULL
BEGIN
  INSERT INTO folder_threads (folder_id, thread_id, message_count, unread_count, latest_date,
                              latest_id)
  VALUES (NEW.folder_id, NEW.thread_id, 1, (NEW.flags & 9) = 0, NEW.date, NEW.id)
  ON CONFLICT (folder_id, thread_id) DO UPDATE SET
    message_count = message_count + 1,
    unread_count = unread_count + excluded.unread_count,
    latest_date = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                       THEN excluded.latest_date ELSE latest_date END,
    latest_id = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                     THEN excluded.latest_id ELSE latest_id END;
END;

-- Moved to another folder, merged into another thread, unthreaded (to be
-- threaded again) or redated: leave the old row as the delete trigger does,
-- join the new one as the insert trigger does.
CREATE TRIGGER messages_threads_after_update AFTER UPDATE OF folder_id, thread_id, date
ON messages
WHEN OLD.thread_id IS NOT NULL
 AND (OLD.folder_id IS NOT NEW.folder_id OR OLD.thread_id IS NOT NEW.thread_id
      OR OLD.date IS NOT NEW.date)
BEGIN
  UPDATE folder_threads
     SET message_count = message_count - 1,
         unread_count = unread_count - ((OLD.flags & 9) = 0)
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id;
  DELETE FROM folder_threads
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id AND message_count <= 0;
  UPDATE folder_threads
     SET (latest_date, latest_id) =
         (SELECT m.date, m.id FROM messages AS m
           WHERE m.thread_id = OLD.thread_id AND m.folder_id = OLD.folder_id
           ORDER BY m.date DESC, m.id DESC LIMIT 1)
   WHERE folder_id = OLD.folder_id AND thread_id = OLD.thread_id AND latest_id = OLD.id;
  INSERT INTO folder_threads (folder_id, thread_id, message_count, unread_count, latest_date,
                              latest_id)
  SELECT NEW.folder_id, NEW.thread_id, 1, (NEW.flags & 9) = 0, NEW.date, NEW.id
   WHERE NEW.thread_id IS NOT NULL
  ON CONFLICT (folder_id, thread_id) DO UPDATE SET
    message_count = message_count + 1,
    unread_count = unread_count + excluded.unread_count,
    latest_date = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                       THEN excluded.latest_date ELSE latest_date END,
    latest_id = CASE WHEN (excluded.latest_date, excluded.latest_id) > (latest_date, latest_id)
                     THEN excluded.latest_id ELSE latest_id END;
END;

-- Read or unread in place (the common case: nothing else of the row moved;
-- otherwise the trigger above counted the new flags already).
CREATE TRIGGER messages_threads_after_update_flags AFTER UPDATE OF flags ON messages
WHEN NEW.thread_id IS NOT NULL AND OLD.thread_id IS NEW.thread_id
  AND OLD.folder_id IS NEW.folder_id AND OLD.date IS NEW.date
  AND ((OLD.flags & 9) = 0) IS NOT ((NEW.flags & 9) = 0)
BEGIN
  UPDATE folder_threads
     SET unread_count = unread_count + ((NEW.flags & 9) = 0) - ((OLD.flags & 9) = 0)
   WHERE folder_id = NEW.folder_id AND thread_id = NEW.thread_id;
END;
