/* buzon-store-threads.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: conversation threading.
 *
 * Each message gets a thread key (messages.thread_id) when it is stored, in
 * the transaction that stores it. The rule is JWZ's, reduced to what a
 * grouping key needs: a message belongs to the thread of every message it
 * names in In-Reply-To or References (RFC 5322 section 3.6.4) and of every
 * message that names it. thread_refs maps each Message-ID an account has seen
 * (its messages' own and the ones they name) to its thread, so a reply that
 * arrives before its parent leaves the parent's Message-ID there, and the
 * parent joins it on arrival; when a message names messages of two threads,
 * the younger thread is merged into the older (all its rows take the older
 * key). That is union-find over Message-IDs, kept in the database.
 *
 * Only a message that names nothing and that nothing names falls back to its
 * subject: with prefixes (Re:, Fwd:, AW:, SV:, …) and [list] tags stripped,
 * it joins the thread of the account's message with the same subject nearest
 * in date, if that is within THREAD_SUBJECT_WINDOW. Empty and generic
 * subjects ("(no subject)") never group.
 *
 * Threads are never split: deleting the only message that linked two halves
 * leaves them one thread, as JWZ's empty containers do. The folder_threads
 * table the message list reads is kept by triggers (version-003.sql).
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <string.h>

#include "buzon-store-private.h"

/* How far apart in date two messages with the same subject and no
 * references may be and still be grouped. */
#define THREAD_SUBJECT_WINDOW (30 * 24 * 3600)

/* Bounds on what one message can name: a References field of thousands of
 * ids (broken or hostile mail) must not cost thousands of lookups. The first
 * one (the thread's root) and the last ones (the nearest parents) matter. */
#define THREAD_MAX_REFS   100
#define THREAD_MAX_ID_LEN 998

/* Helpers */

static void
add_id (GPtrArray  *ids,
        const char *start,
        gsize       len)
{
  while (len > 0 && g_ascii_isspace (*start))
    start++, len--;
  while (len > 0 && g_ascii_isspace (start[len - 1]))
    len--;

  if (len == 0 || len > THREAD_MAX_ID_LEN)
    return;

  for (guint i = 0; i < ids->len; i++)
    {
      const char *known = g_ptr_array_index (ids, i);

      if (strlen (known) == len && memcmp (known, start, len) == 0)
        return;
    }

  g_ptr_array_add (ids, g_strndup (start, len));
}

/* Appends the message ids in @text (a Message-ID, In-Reply-To or References
 * field: `<a@b> <c@d>`, comments and all) to @ids without the angle
 * brackets, skipping ones already there. Text with no `<` is taken as
 * space-separated ids (what some mailers write). Returns whether it found
 * any. */
gboolean
_buzon_store_parse_message_ids (const char *text,
                                GPtrArray  *ids)
{
  guint before = ids->len;
  const char *p;

  if (text == NULL)
    return FALSE;

  if (strchr (text, '<') == NULL)
    {
      g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n,", -1);

      for (guint i = 0; words[i] != NULL; i++)
        add_id (ids, words[i], strlen (words[i]));

      return ids->len > before;
    }

  for (p = strchr (text, '<'); p != NULL; p = strchr (p, '<'))
    {
      const char *end = strchr (p + 1, '>');

      if (end == NULL)
        break;

      add_id (ids, p + 1, (gsize)(end - p - 1));
      p = end + 1;
    }

  return ids->len > before;
}

static const char * const reply_prefixes[] = {
  /* English, German (AW: Antwort, WG: Weitergeleitet), Spanish and
   * Portuguese (RV: reenviado), Italian (Rif:), Scandinavian (SV:), Dutch
   * (Antw:). */
  "re", "fwd", "fw", "aw", "wg", "rv", "rif", "sv", "antw",
};

static const char * const generic_subjects[] = {
  "(no subject)", "no subject", "(sin asunto)", "sin asunto", "(none)", "none",
  "(untitled)", "untitled",
};

/* If @p starts with a reply or forward prefix (`Re:`, `RE[2]:`, `Fwd :`),
 * returns what follows it; otherwise NULL. */
static const char *
skip_prefix (const char *p)
{
  const char *q = p;
  const char *r;
  gsize len;
  gboolean known = FALSE;

  while (g_ascii_isalpha (*q))
    q++;
  len = (gsize)(q - p);

  for (guint i = 0; !known && i < G_N_ELEMENTS (reply_prefixes); i++)
    known = strlen (reply_prefixes[i]) == len && g_ascii_strncasecmp (p, reply_prefixes[i], len) == 0;
  if (!known)
    return NULL;

  r = q;
  /* A counter: Re[2]: or Re(2): or Re^2: */
  if (*r == '[' || *r == '(' || *r == '^')
    {
      char close = *r == '[' ? ']' : *r == '(' ? ')' : '\0';

      r++;
      while (g_ascii_isdigit (*r))
        r++;
      if (close != '\0')
        {
          if (*r != close)
            return NULL;
          r++;
        }
    }
  /* French typography puts a space before the colon. */
  while (*r == ' ')
    r++;

  if (*r == ':')
    return r + 1;
  if (g_str_has_prefix (r, "\xef\xbc\x9a"))   /* the full-width colon */
    return r + 3;

  return NULL;
}

/* The subject as the fallback compares it, or NULL if it must never group
 * messages (empty, generic, nothing but punctuation). */
char *
_buzon_store_thread_subject (const char *subject)
{
  g_autofree char *valid = NULL;
  g_autofree char *folded = NULL;
  g_autoptr(GString) collapsed = NULL;
  const char *p;
  gboolean changed = TRUE;
  gboolean has_alnum = FALSE;

  if (subject == NULL)
    return NULL;

  valid = g_utf8_make_valid (subject, -1);
  p = valid;

  while (changed)
    {
      const char *next;

      changed = FALSE;
      while (g_ascii_isspace (*p))
        p++;

      if (*p == '[')
        {
          const char *end = strchr (p, ']');

          /* A list tag, [dev] or [Buzón-users]; a long bracket is content. */
          if (end != NULL && end - p <= 64)
            {
              p = end + 1;
              changed = TRUE;
            }
        }
      else if ((next = skip_prefix (p)) != NULL)
        {
          p = next;
          changed = TRUE;
        }
    }

  /* One space for every run of white space, none at the ends. */
  collapsed = g_string_new (NULL);
  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          if (collapsed->len > 0 && collapsed->str[collapsed->len - 1] != ' ')
            g_string_append_c (collapsed, ' ');
          continue;
        }
      if (g_unichar_isalnum (c))
        has_alnum = TRUE;
      g_string_append_unichar (collapsed, c);
    }
  if (collapsed->len > 0 && collapsed->str[collapsed->len - 1] == ' ')
    g_string_truncate (collapsed, collapsed->len - 1);

  if (!has_alnum)
    return NULL;

  folded = g_utf8_casefold (collapsed->str, -1);
  for (guint i = 0; i < G_N_ELEMENTS (generic_subjects); i++)
    if (g_str_equal (folded, generic_subjects[i]))
      return NULL;

  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFKC);
}

static void
add_thread (GArray *threads,
            gint64  thread_id)
{
  if (thread_id <= 0)
    return;

  for (guint i = 0; i < threads->len; i++)
    if (g_array_index (threads, gint64, i) == thread_id)
      return;

  g_array_append_val (threads, thread_id);
}

/* Moves every message and Message-ID of thread @from to thread @to. The
 * folders holding @from's messages change (their thread lists do): noted in
 * @self, unless that is NULL (an upgrade: nobody is listening yet). */
static gboolean
merge_thread (BuzonStore      *self,
              BuzonStoreConn  *conn,
              gint64           account_id,
              gint64           from,
              gint64           to,
              GError         **error)
{
  if (self != NULL)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (conn, "SELECT folder_id FROM folder_threads WHERE thread_id = ?1",
                              error);
      gboolean row = TRUE;

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, from);
      while (row)
        {
          if (!_buzon_store_step_row (conn, stmt, &row, error))
            return FALSE;
          if (row)
            _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED,
                                      sqlite3_column_int64 (stmt, 0));
        }
    }

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (conn, "UPDATE messages SET thread_id = ?2 WHERE thread_id = ?1 "
                                  "AND folder_id IN (SELECT id FROM folders WHERE account_id = ?3)",
                            error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, from);
    sqlite3_bind_int64 (stmt, 2, to);
    sqlite3_bind_int64 (stmt, 3, account_id);
    if (!_buzon_store_step_done (conn, stmt, error))
      return FALSE;
  }

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (conn, "UPDATE thread_refs SET thread_id = ?2 "
                                  "WHERE thread_id = ?1 AND account_id = ?3",
                            error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, from);
    sqlite3_bind_int64 (stmt, 2, to);
    sqlite3_bind_int64 (stmt, 3, account_id);
    return _buzon_store_step_done (conn, stmt, error);
  }
}

/* The thread of the account's message nearest in date to @date with the
 * same thread subject, within the window; 0 if none. */
static gboolean
thread_by_subject (BuzonStoreConn  *conn,
                   gint64           account_id,
                   gint64           message_id,
                   const char      *subject,
                   gint64           date,
                   gint64          *out_thread,
                   GError         **error)
{
  /* CROSS JOIN: the subject index first; folders by account would mean a
   * walk through every message of the account. */
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_prepare (conn, "SELECT m.thread_id FROM messages AS m "
                                "CROSS JOIN folders AS f ON f.id = m.folder_id "
                                "WHERE m.thread_subject = ?1 AND m.date BETWEEN ?2 AND ?3 "
                                "AND m.thread_id IS NOT NULL AND m.id <> ?4 "
                                "AND f.account_id = ?5 "
                                "ORDER BY abs (m.date - ?6), m.id LIMIT 1",
                          error);
  gboolean row = FALSE;

  *out_thread = 0;
  if (stmt == NULL)
    return FALSE;

  _buzon_bind_text_static (stmt, 1, subject);
  sqlite3_bind_int64 (stmt, 2, date - THREAD_SUBJECT_WINDOW);
  sqlite3_bind_int64 (stmt, 3, date + THREAD_SUBJECT_WINDOW);
  sqlite3_bind_int64 (stmt, 4, message_id);
  sqlite3_bind_int64 (stmt, 5, account_id);
  sqlite3_bind_int64 (stmt, 6, date);
  if (!_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;

  if (row)
    *out_thread = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Threads message @message_id, whose fields are given: gives it a thread
 * key (or confirms @current, its key so far, 0 for none), merging the
 * threads it links, and records its Message-IDs. */
static gboolean
thread_fields (BuzonStore      *self,
               BuzonStoreConn  *conn,
               gint64           message_id,
               gint64           account_id,
               gint64           current,
               const char      *own_field,
               const char      *in_reply_to,
               const char      *references,
               const char      *subject,
               gint64           date,
               GError         **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) threads = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 target;
  gboolean has_refs;

  {
    g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);

    /* Its own id first (one: a Message-ID field names one message). */
    {
      g_autoptr(GPtrArray) own = g_ptr_array_new_with_free_func (g_free);

      if (_buzon_store_parse_message_ids (own_field, own))
        g_ptr_array_add (ids, g_strdup (g_ptr_array_index (own, 0)));
    }

    /* Then what it names: References in order, In-Reply-To (usually the
     * last of them already). */
    if (ids->len > 0)
      g_ptr_array_add (refs, g_strdup (g_ptr_array_index (ids, 0)));
    _buzon_store_parse_message_ids (references, refs);
    _buzon_store_parse_message_ids (in_reply_to, refs);
    has_refs = refs->len > ids->len;

    for (guint i = ids->len, base = ids->len; i < refs->len; i++)
      {
        guint n_refs = refs->len - base;
        guint k = i - base;

        /* Too many: keep the first and the last ones. */
        if (n_refs > THREAD_MAX_REFS && k > 0 && k < n_refs - (THREAD_MAX_REFS - 1))
          continue;
        g_ptr_array_add (ids, g_strdup (g_ptr_array_index (refs, i)));
      }
  }

  add_thread (threads, current);

  {
    g_autoptr(BuzonStmt) lookup =
      _buzon_store_prepare (conn, "SELECT thread_id FROM thread_refs "
                                  "WHERE account_id = ?1 AND message_id = ?2",
                            error);

    if (lookup == NULL)
      return FALSE;

    for (guint i = 0; i < ids->len; i++)
      {
        gboolean row = FALSE;

        sqlite3_reset (lookup);
        sqlite3_bind_int64 (lookup, 1, account_id);
        _buzon_bind_text_static (lookup, 2, g_ptr_array_index (ids, i));
        if (!_buzon_store_step_row (conn, lookup, &row, error))
          return FALSE;
        if (row)
          add_thread (threads, sqlite3_column_int64 (lookup, 0));
      }
  }

  /* The subject, only for a message linked to nothing, not threaded yet. */
  if (threads->len == 0 && !has_refs && subject != NULL && date > 0)
    {
      gint64 found;

      if (!thread_by_subject (conn, account_id, message_id, subject, date, &found, error))
        return FALSE;
      add_thread (threads, found);
    }

  /* The oldest thread absorbs the others; a new thread is named after its
   * first message. */
  target = message_id;
  if (threads->len > 0)
    {
      target = g_array_index (threads, gint64, 0);
      for (guint i = 1; i < threads->len; i++)
        target = MIN (target, g_array_index (threads, gint64, i));
    }

  for (guint i = 0; i < threads->len; i++)
    {
      gint64 other = g_array_index (threads, gint64, i);

      if (other != target && !merge_thread (self, conn, account_id, other, target, error))
        return FALSE;
    }

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (conn, "UPDATE messages SET thread_id = ?2, thread_subject = ?3 "
                                  "WHERE id = ?1 AND (thread_id IS NOT ?2 "
                                  "OR thread_subject IS NOT ?3)",
                            error);

    if (stmt == NULL)
      return FALSE;

    sqlite3_bind_int64 (stmt, 1, message_id);
    sqlite3_bind_int64 (stmt, 2, target);
    _buzon_bind_text_static (stmt, 3, subject);
    if (!_buzon_store_step_done (conn, stmt, error))
      return FALSE;
  }

  /* Every id already known is in @target's thread now (merged above), so
   * only the new ones need a row. */
  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (conn, "INSERT INTO thread_refs (account_id, message_id, thread_id) "
                                  "VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT (account_id, message_id) DO NOTHING",
                            error);

    if (stmt == NULL)
      return FALSE;

    for (guint i = 0; i < ids->len; i++)
      {
        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, account_id);
        _buzon_bind_text_static (stmt, 2, g_ptr_array_index (ids, i));
        sqlite3_bind_int64 (stmt, 3, target);
        if (!_buzon_store_step_done (conn, stmt, error))
          return FALSE;
      }
  }

  return TRUE;
}

/* Threads message @message_id if it has no thread: reads it and threads it
 * as thread_fields() does. Nothing happens for a message that is not there
 * or has a thread. Run it, in the writer's open transaction, after a
 * message is inserted or updated: an update that changes its Message-ID,
 * In-Reply-To, References or subject clears its thread (SUMMARY_MERGE in
 * buzon-store-mail.c). */
gboolean
_buzon_store_thread_message_locked (BuzonStore      *self,
                                    BuzonStoreConn  *conn,
                                    gint64           message_id,
                                    GError         **error)
{
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_prepare (conn, "SELECT m.thread_id, m.message_id, m.in_reply_to, m.refs, "
                                "m.subject, m.date, f.account_id FROM messages AS m "
                                "JOIN folders AS f ON f.id = m.folder_id WHERE m.id = ?1",
                          error);
  g_autofree char *own = NULL;
  g_autofree char *in_reply_to = NULL;
  g_autofree char *references = NULL;
  g_autofree char *subject = NULL;
  gint64 account_id;
  gint64 current;
  gint64 date;
  gboolean row = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, message_id);
  if (!_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;
  if (!row)
    return TRUE;

  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    return TRUE;

  /* Copies: threading writes to messages while this row is current. */
  current = sqlite3_column_int64 (stmt, 0);
  own = _buzon_column_dup_text (stmt, 1);
  in_reply_to = _buzon_column_dup_text (stmt, 2);
  references = _buzon_column_dup_text (stmt, 3);
  subject = _buzon_store_thread_subject ((const char *)sqlite3_column_text (stmt, 4));
  date = sqlite3_column_int64 (stmt, 5);
  account_id = sqlite3_column_int64 (stmt, 6);
  g_clear_pointer (&stmt, _buzon_stmt_release);

  return thread_fields (self, conn, message_id, account_id, current, own, in_reply_to, references,
                        subject, date, error);
}

/* Threads a message just inserted from @summary into a folder of
 * @account_id, with @subject its _buzon_store_thread_subject(): what
 * _buzon_store_thread_message_locked() does, without reading the row back
 * (the hot path of a first sync). */
gboolean
_buzon_store_thread_new_locked (BuzonStore                 *self,
                                BuzonStoreConn             *conn,
                                gint64                      account_id,
                                const BuzonMessageSummary  *summary,
                                const char                 *subject,
                                GError                    **error)
{
  return thread_fields (self, conn, summary->id, account_id, 0, summary->message_id,
                        summary->in_reply_to, summary->references, subject, summary->date,
                        error);
}

/* Threads every message that has no thread yet, oldest id first: the
 * post-upgrade hook of version 3, for the messages an older Buzón stored. */
gboolean
_buzon_store_thread_all_locked (BuzonStoreConn  *conn,
                                GError         **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (conn, "SELECT id FROM messages WHERE thread_id IS NULL ORDER BY id",
                            error);
    gboolean row = TRUE;

    if (stmt == NULL)
      return FALSE;

    while (TRUE)
      {
        gint64 id;

        if (!_buzon_store_step_row (conn, stmt, &row, error))
          return FALSE;
        if (!row)
          break;
        id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }
  }

  for (guint i = 0; i < ids->len; i++)
    if (!_buzon_store_thread_message_locked (NULL, conn, g_array_index (ids, gint64, i), error))
      return FALSE;

  return TRUE;
}

/* Rebuilds the folder_threads rows of @folder_id from its messages (after
 * threading any message left without a thread): the repair that
 * buzon_store_recount_folder() does for the folder counts. */
gboolean
_buzon_store_recount_threads_locked (BuzonStoreConn  *conn,
                                     gint64           folder_id,
                                     GError         **error)
{
  static const char * const steps[] = {
    "DELETE FROM folder_threads WHERE folder_id = ?1",

    "INSERT INTO folder_threads (folder_id, thread_id, message_count, unread_count, "
    "latest_date, latest_id) "
    "SELECT ?1, m.thread_id, count(*), sum ((m.flags & 9) = 0), max (m.date), "
    "(SELECT l.id FROM messages AS l WHERE l.thread_id = m.thread_id AND l.folder_id = ?1 "
    "ORDER BY l.date DESC, l.id DESC LIMIT 1) "
    "FROM messages AS m WHERE m.folder_id = ?1 AND m.thread_id IS NOT NULL "
    "GROUP BY m.thread_id",
  };

  if (!_buzon_store_thread_all_locked (conn, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (conn, steps[i], error);

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, folder_id);
      if (!_buzon_store_step_done (conn, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* Public API */

#define THREAD_COLUMNS \
  BUZON_STORE_SUMMARY_COLUMNS_M ", ft.thread_id, ft.latest_date, ft.message_count, " \
  "ft.unread_count, (SELECT sum (a.message_count) FROM folder_threads AS a " \
  "WHERE a.thread_id = ft.thread_id)"

static gpointer
count_from_row (BuzonStmt *stmt)
{
  gint64 *count = g_new (gint64, 1);

  *count = sqlite3_column_int64 (stmt, 0);

  return count;
}

static gpointer
thread_from_row (BuzonStmt *stmt)
{
  BuzonThreadSummary *thread = g_new0 (BuzonThreadSummary, 1);
  int c = BUZON_STORE_SUMMARY_N_COLUMNS;

  thread->latest = _buzon_store_summary_from_row (stmt);
  thread->thread_id = sqlite3_column_int64 (stmt, c);
  thread->latest_date = sqlite3_column_int64 (stmt, c + 1);
  thread->folder_count = (guint)CLAMP (sqlite3_column_int64 (stmt, c + 2), 0, G_MAXUINT);
  thread->unread_count = (guint)CLAMP (sqlite3_column_int64 (stmt, c + 3), 0, G_MAXUINT);
  thread->thread_count = (guint)CLAMP (sqlite3_column_int64 (stmt, c + 4), 0, G_MAXUINT);

  return thread;
}

/**
 * buzon_store_list_threads:
 * @folder_id: the folder
 * @offset: how many threads to skip
 * @limit: how many to return at most; 0 for all
 * @error: return location for an error
 *
 * One page of the conversations that have messages in a folder, newest
 * first: by the date of their newest message in the folder, then by that
 * message's id, as buzon_store_list_messages() orders messages. Each comes
 * with that newest message's summary and its counts, in the folder and in
 * the whole conversation. The store keeps a row per thread and folder
 * (updated in the transactions that change messages), so a page costs the
 * same in a folder of 100 messages as in one of 100,000.
 *
 * Returns: (element-type BuzonThreadSummary) (transfer full) (nullable): the
 *   page, empty past the end or for a folder that does not exist
 */
GPtrArray *
buzon_store_list_threads (BuzonStore  *self,
                          gint64       folder_id,
                          guint        offset,
                          guint        limit,
                          GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " THREAD_COLUMNS " FROM folder_threads AS ft "
                                        "CROSS JOIN messages AS m ON m.id = ft.latest_id "
                                        "WHERE ft.folder_id = ?1 "
                                        "ORDER BY ft.latest_date DESC, ft.latest_id DESC "
                                        "LIMIT ?2 OFFSET ?3",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64)limit : -1);
  sqlite3_bind_int64 (stmt, 3, offset);

  return _buzon_store_read_rows (self, stmt, thread_from_row,
                                 (GDestroyNotify)buzon_thread_summary_free, error);
}

typedef struct
{
  gint64 folder_id;
  guint  offset;
  guint  limit;
} ThreadPageRequest;

static void
list_threads_worker (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  ThreadPageRequest *request = task_data;
  GError *error = NULL;
  GPtrArray *page;

  page = buzon_store_list_threads (source_object, request->folder_id, request->offset,
                                   request->limit, &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * buzon_store_list_threads_async:
 * @folder_id: the folder
 * @offset: how many threads to skip
 * @limit: how many to return at most; 0 for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Reads a page as buzon_store_list_threads() does, in a worker thread.
 */
void
buzon_store_list_threads_async (BuzonStore          *self,
                                gint64               folder_id,
                                guint                offset,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ThreadPageRequest *request;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (ThreadPageRequest, 1);
  request->folder_id = folder_id;
  request->offset = offset;
  request->limit = limit;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_store_list_threads_async));
  g_task_set_task_data (task, request, g_free);
  g_task_run_in_thread (task, list_threads_worker);
}

/**
 * buzon_store_list_threads_finish:
 *
 * Returns: (element-type BuzonThreadSummary) (transfer full) (nullable): the page
 */
GPtrArray *
buzon_store_list_threads_finish (BuzonStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        BUZON_SOURCE_TAG (buzon_store_list_threads_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_store_list_thread_latest_ids:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * For a threaded message list: the id of each conversation's newest message
 * in the folder, in the order of buzon_store_list_threads() (newest
 * conversation first). One index range scan over the store's per-folder
 * thread rows, so a 100,000-message folder costs 8 bytes a thread.
 *
 * Returns: (element-type gint64) (transfer full) (nullable): the ids
 */
GArray *
buzon_store_list_thread_latest_ids (BuzonStore  *self,
                                    gint64       folder_id,
                                    GError     **error)
{
  g_autoptr(GArray) ids = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT latest_id FROM folder_threads "
                                        "WHERE folder_id = ?1 "
                                        "ORDER BY latest_date DESC, latest_id DESC",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!_buzon_store_read_each (self, stmt, _buzon_store_append_id_cb, ids, error))
    return NULL;

  return g_steal_pointer (&ids);
}

/**
 * buzon_store_get_threads_by_latest:
 * @folder_id: the folder
 * @latest_ids: (array length=n_latest_ids): messages, from
 *   buzon_store_list_thread_latest_ids()
 * @n_latest_ids: how many
 * @error: return location for an error
 *
 * The conversations of the folder whose newest message there is one of
 * @latest_ids, as buzon_store_list_threads() gives them: a page of a
 * threaded list read by row ids rather than by offset. Ids that are no
 * longer the newest of their conversation (a reply arrived since) are
 * skipped.
 *
 * Returns: (element-type BuzonThreadSummary) (transfer full) (nullable):
 *   the conversations found, in no particular order
 */
GPtrArray *
buzon_store_get_threads_by_latest (BuzonStore    *self,
                                   gint64         folder_id,
                                   const gint64  *latest_ids,
                                   guint          n_latest_ids,
                                   GError       **error)
{
  g_autofree char *list = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (latest_ids != NULL || n_latest_ids == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = _buzon_store_ids_to_json (latest_ids, n_latest_ids);

  /* messages(id) first, then the (folder, thread) row by its primary key. */
  stmt = _buzon_store_read_begin (self, "SELECT " THREAD_COLUMNS " FROM messages AS m "
                                        "CROSS JOIN folder_threads AS ft "
                                        "ON ft.folder_id = ?1 AND ft.thread_id = m.thread_id "
                                        "AND ft.latest_id = m.id "
                                        "WHERE m.id IN (SELECT value FROM json_each (?2))",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  _buzon_bind_text (stmt, 2, list);

  return _buzon_store_read_rows (self, stmt, thread_from_row,
                                 (GDestroyNotify)buzon_thread_summary_free, error);
}

/**
 * buzon_store_count_threads:
 * @folder_id: the folder
 * @out_count: (out): how many conversations have messages in it
 * @error: return location for an error
 *
 * How many rows buzon_store_list_threads() has for the folder, for a list
 * model's length.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_count_threads (BuzonStore  *self,
                           gint64       folder_id,
                           guint       *out_count,
                           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  BuzonStmt *stmt;
  gint64 *count;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_count = 0;
  stmt = _buzon_store_read_begin (self, "SELECT count(*) FROM folder_threads WHERE folder_id = ?1",
                                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  count = _buzon_store_read_row (self, stmt, count_from_row, &local_error, NULL);
  if (count == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *out_count = (guint)CLAMP (*count, 0, G_MAXUINT);
  g_free (count);

  return TRUE;
}

/**
 * buzon_store_list_thread_messages:
 * @thread_id: the thread, from #BuzonMessageSummary.thread_id or
 *   #BuzonThreadSummary.thread_id
 * @error: return location for an error
 *
 * The conversation: every message of the thread, in whatever folder of the
 * account (the Inbox, Sent, an archive, the Trash), oldest first (by Date,
 * then by id). A message kept in two folders (a copy) is there twice, once
 * per folder.
 *
 * Returns: (element-type BuzonMessageSummary) (transfer full) (nullable):
 *   the messages, empty for a thread that has none (any more)
 */
GPtrArray *
buzon_store_list_thread_messages (BuzonStore  *self,
                                  gint64       thread_id,
                                  GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " BUZON_STORE_SUMMARY_COLUMNS " FROM messages "
                                        "WHERE thread_id = ?1 ORDER BY date, id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, thread_id);

  return _buzon_store_read_rows (self, stmt, _buzon_store_summary_from_row,
                                 (GDestroyNotify)buzon_message_summary_free, error);
}

/**
 * buzon_store_list_thread_message_ids_in_folder:
 * @folder_id: the folder
 * @message_ids: (array length=n_message_ids): messages, e.g. the rows of a
 *   threaded message list (each conversation's newest message there)
 * @n_message_ids: how many
 * @error: return location for an error
 *
 * What an action on conversation rows acts on: every message in @folder_id
 * of the conversations @message_ids belong to, each once, newest first (by
 * date, then id, as the folder's list orders them). Messages of those
 * conversations in other folders are left out: deleting a conversation from
 * the Inbox does not touch the replies in Sent. Ids that are not stored
 * (any more) add nothing.
 *
 * Returns: (element-type gint64) (transfer full) (nullable): the ids
 */
GArray *
buzon_store_list_thread_message_ids_in_folder (BuzonStore    *self,
                                               gint64         folder_id,
                                               const gint64  *message_ids,
                                               guint          n_message_ids,
                                               GError       **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree char *list = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = _buzon_store_ids_to_json (message_ids, n_message_ids);

  /* The threads of the given rows by messages(id), then each thread's
   * messages by messages_thread, kept to the folder. */
  stmt = _buzon_store_read_begin (self, "SELECT m.id FROM messages AS m "
                                        "WHERE m.thread_id IN (SELECT g.thread_id "
                                        "FROM messages AS g WHERE g.id IN "
                                        "(SELECT value FROM json_each (?2))) "
                                        "AND m.folder_id = ?1 "
                                        "ORDER BY m.date DESC, m.id DESC",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  _buzon_bind_text (stmt, 2, list);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!_buzon_store_read_each (self, stmt, _buzon_store_append_id_cb, ids, error))
    return NULL;

  return g_steal_pointer (&ids);
}
