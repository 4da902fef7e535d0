/* buzon-pop3-switch.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonPop3Switch: "Switch to IMAP" for a POP3 account. Mail that vanishes
 * from an inbox is usually another device on POP3 in delete mode; the cure
 * is to keep the mail on the server, with IMAP. This puts the mail stored
 * here into the IMAP server's folders and then makes the account an IMAP
 * account, without a message ending up twice anywhere.
 *
 * A run:
 *   1. log in to the IMAP server (the account's password, its certificate
 *      pins, as the IMAP sync does) and LIST its folders;
 *   2. give every local folder its server folder: the Inbox is INBOX; Sent,
 *      Drafts, Trash, Junk and Archive the server folder with that special
 *      use (RFC 6154; by well-known name where the server marks none), else
 *      the folder of the same name; the user's folders keep their place in
 *      the tree, with the server's hierarchy delimiter. Missing ones are
 *      created (parents first) and subscribed;
 *   3. per folder, SELECT it and read what it holds (UID, Message-ID, size,
 *      flags of every message); then, oldest first, each local message
 *      that has no UID yet is either found there or uploaded (APPEND with
 *      its flags and date), and its UID is written into its row at once,
 *      one transaction per message;
 *   4. once every message of every folder has a UID, one transaction
 *      (buzon_store_switch_to_imap()) renames the local folders after their
 *      server folders, records each one's UIDVALIDITY and makes the account
 *      an IMAP account that keeps its mail offline (sync policy full).
 *
 * Nothing twice. A message is "found" on the server when a message there
 * has the same Message-ID, or, for a message without one, the same size
 * and the same bytes (line endings aside), and no other local message of
 * that folder was tied to it. That also covers an earlier run killed
 * between an APPEND and the commit of its UID: the message is found and
 * tied, not uploaded again. With UIDPLUS the UID comes from APPENDUID (RFC
 * 4315); without it, the messages that appeared since are read and the one
 * that matches is it. A UID written in an earlier run is checked against
 * the server before it is trusted. Because the folders' rows all carry
 * their server UIDs and the folders their UIDVALIDITY, the IMAP sync that
 * follows finds every message in place and fetches only mail that was on
 * the server alone.
 *
 * Nothing lost. Local rows are never deleted: a message is only given a
 * UID, and the account changes only in the last transaction, which refuses
 * while any message has none. Until then it is a POP3 account as before;
 * an interrupted run (even SIGKILL) is simply run again.
 *
 * Flags: \Seen, \Answered, \Flagged and \Draft travel (not \Deleted, which
 * would get the server copy expunged), and keywords where the folder's
 * PERMANENTFLAGS allow them. A message found on the server gets the local
 * flags it lacks there (they are added, never removed). The date given
 * to APPEND is the message's internal date, or its Date header.
 *
 * Test hook: BUZON_TEST_SWITCH_KILL=append:N (after the Nth APPEND of the
 * run, before its UID is written), tie:N (after the Nth UID is written) or
 * switch (before the last transaction) makes the process SIGKILL itself,
 * so tests can interrupt it at exactly those points.
 *
 * The work runs in a worker thread with its own GMainContext, on which the
 * session lives; the signals come to the context run_async() was called in.
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "buzon-imap-convert.h"
#include "buzon-imap-error.h"
#include "buzon-imap-session.h"
#include "buzon-imap-uid-set.h"
#include "buzon-net.h"
#include "buzon-pop3-switch.h"
#include "buzon-sync-worker.h"
#include "buzon-secrets.h"
#include "buzon-store-switch.h"

/* Flags that go to the server with a message. */
#define UPLOAD_FLAGS (BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_ANSWERED | \
                      BUZON_MESSAGE_FLAG_FLAGGED | BUZON_MESSAGE_FLAG_DRAFT)

struct _BuzonPop3Switch
{
  GObject               parent_instance;

  BuzonStore           *store;
  BuzonAccount         *account;
  BuzonAccount         *target;
  GTlsDatabase         *tls_database;
  GMainContext         *owner_context;   /* where signals are emitted; set by run_async */
  gboolean              running;
  BuzonPop3SwitchStats  stats;           /* of the last run, written by its worker */
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_FOLDER_CREATED,
  SIGNAL_NOTICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonPop3Switch, buzon_pop3_switch, G_TYPE_OBJECT)
G_DEFINE_QUARK (buzon-pop3-switch-error-quark, buzon_pop3_switch_error)

typedef enum
{
  KILL_NEVER,
  KILL_AFTER_APPEND,
  KILL_AFTER_TIE,
  KILL_BEFORE_SWITCH,
} KillPoint;

/* One run, on the worker thread. */
typedef struct
{
  BuzonPop3Switch      *self;
  GMainContext         *context;
  GCancellable         *cancellable;
  BuzonImapSession     *session;
  GPtrArray            *mailboxes;      /* BuzonImapMailbox, the last LIST */
  char                  delimiter;      /* the server's, '\0' for a flat namespace */
  gboolean              by_name;        /* the server marks no special folders */
  gboolean              uidplus;
  BuzonPop3SwitchStats  stats;
  GPtrArray            *failures;       /* char *, what could not be uploaded and why */
  KillPoint             kill_point;
  guint                 kill_count;
  guint                 n_appends;
  guint                 n_ties;
} Run;

/* A local folder and where it goes. */
typedef struct
{
  BuzonFolder *local;
  char        *target;        /* the server folder's name */
  guint32      uidvalidity;   /* once selected */
} Place;

static void
place_free (Place *place)
{
  buzon_folder_free (place->local);
  g_free (place->target);
  g_free (place);
}

/* What a server folder holds, as far as finding messages goes. */
typedef struct
{
  guint32            uid;
  char              *message_id;   /* normalised, or NULL */
  guint64            size;
  BuzonMessageFlags  flags;
} ServerMessage;

static void
server_message_free (ServerMessage *message)
{
  g_free (message->message_id);
  g_free (message);
}

typedef struct
{
  GHashTable *by_uid;    /* uid → ServerMessage */
  GHashTable *by_id;     /* Message-ID → GArray of uids, ascending */
  GHashTable *by_size;   /* gint64 size → GArray of uids, ascending */
  GHashTable *claimed;   /* uids a local row holds */
  guint32     high;      /* the highest uid read */
} Index;

static void
index_init (Index *index)
{
  index->by_uid = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify)server_message_free);
  index->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_array_unref);
  index->by_size = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify)g_array_unref);
  index->claimed = g_hash_table_new (g_direct_hash, g_direct_equal);
  index->high = 0;
}

static void
index_clear (Index *index)
{
  g_clear_pointer (&index->by_uid, g_hash_table_unref);
  g_clear_pointer (&index->by_id, g_hash_table_unref);
  g_clear_pointer (&index->by_size, g_hash_table_unref);
  g_clear_pointer (&index->claimed, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Index, index_clear)

/* Signals, emitted in the owner's context */

typedef struct
{
  BuzonPop3Switch *self;
  guint            signal;
  char            *folder;
  guint            done;
  guint            total;
} Emission;

static gboolean
emit_cb (gpointer data)
{
  Emission *e = data;

  /* @folder is the text of a notice. */
  if (e->signal == SIGNAL_PROGRESS)
    g_signal_emit (e->self, signals[SIGNAL_PROGRESS], 0, e->folder, e->done, e->total);
  else
    g_signal_emit (e->self, signals[e->signal], 0, e->folder);

  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->folder);
  g_free (e);
}

static void
emit_later (Run        *run,
            guint       signal,
            const char *folder,
            guint       done,
            guint       total)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (run->self);
  e->signal = signal;
  e->folder = g_strdup (folder);
  e->done = done;
  e->total = total;
  g_main_context_invoke_full (run->self->owner_context, G_PRIORITY_DEFAULT, emit_cb, e,
                              emission_free);
}

/* Waiting on the worker's context */

#define AWAIT(result) (_buzon_sync_wait (run->context, &(result)))
#define STORE_CB _buzon_sync_store_result_cb

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  /* Every command in flight fails at once; the run then ends. */
  if (run->session != NULL)
    buzon_imap_session_disconnect (run->session);

  return G_SOURCE_REMOVE;
}

/* A cancelled run says so, whatever the closed session said. */
static gboolean
fail (Run     *run,
      GError **error)
{
  if (g_cancellable_is_cancelled (run->cancellable) && error != NULL && *error != NULL &&
      !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      g_cancellable_set_error_if_cancelled (run->cancellable, error);
    }

  return FALSE;
}

static void
maybe_kill (Run       *run,
            KillPoint  point,
            guint      count)
{
  if (run->kill_point == point && (point == KILL_BEFORE_SWITCH || count == run->kill_count))
    {
      g_debug ("BUZON_TEST_SWITCH_KILL: killing myself");
      kill (getpid (), SIGKILL);
    }
}

static void
parse_kill_point (Run *run)
{
  const char *hook = g_getenv ("BUZON_TEST_SWITCH_KILL");
  guint64 n = 0;

  run->kill_point = KILL_NEVER;
  if (hook == NULL)
    return;

  if (g_str_equal (hook, "switch"))
    run->kill_point = KILL_BEFORE_SWITCH;
  else if (g_str_has_prefix (hook, "append:") &&
           g_ascii_string_to_unsigned (hook + 7, 10, 1, G_MAXUINT, &n, NULL))
    run->kill_point = KILL_AFTER_APPEND;
  else if (g_str_has_prefix (hook, "tie:") &&
           g_ascii_string_to_unsigned (hook + 4, 10, 1, G_MAXUINT, &n, NULL))
    run->kill_point = KILL_AFTER_TIE;
  else
    g_warning ("BUZON_TEST_SWITCH_KILL=%s is not append:N, tie:N or switch", hook);

  run->kill_count = (guint)n;
}

/* Helpers on messages */

/* A Message-ID as the key it is compared by: without the angle brackets and
 * the white space around them. */
static char *
normalize_message_id (const char *message_id)
{
  g_autofree char *text = NULL;
  char *start;
  gsize len;

  if (message_id == NULL)
    return NULL;

  text = g_strstrip (g_strdup (message_id));
  start = text;
  len = strlen (start);
  if (len >= 2 && start[0] == '<' && start[len - 1] == '>')
    {
      start[len - 1] = '\0';
      start++;
    }
  start = g_strstrip (start);
  if (*start == '\0')
    return NULL;

  return g_strdup (start);
}

/* The message with every line ending CRLF, as IMAP carries messages (RFC
 * 3501 §6.3.11 takes an RFC 5322 message) and as servers report their size. */
static GBytes *
to_crlf (GBytes *raw)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (raw, &len);
  GByteArray *out;
  gboolean bare = FALSE;

  for (gsize i = 0; i < len && !bare; i++)
    bare = (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) ||
           (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n'));
  if (!bare)
    return g_bytes_ref (raw);

  out = g_byte_array_sized_new ((guint)MIN (len + len / 16 + 2, G_MAXUINT));
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *)"\r\n", 2);
      else if (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n'))
        g_byte_array_append (out, (const guint8 *)"\r\n", 2);
      else
        g_byte_array_append (out, (const guint8 *)&data[i], 1);
    }

  return g_byte_array_free_to_bytes (out);
}

static gint
summary_date_cmp (gconstpointer a,
                  gconstpointer b)
{
  const BuzonMessageSummary *sa = *(BuzonMessageSummary * const *)a;
  const BuzonMessageSummary *sb = *(BuzonMessageSummary * const *)b;

  if (sa->date != sb->date)
    return sa->date < sb->date ? -1 : 1;

  return sa->id < sb->id ? -1 : sa->id > sb->id ? 1 : 0;
}

/* An IMAP atom (RFC 3501 §9 flag-keyword), so that a keyword never makes
 * the APPEND unsendable. */
static gboolean
is_keyword (const char *word)
{
  if (*word == '\0' || *word == '\\')
    return FALSE;

  for (const char *p = word; *p != '\0'; p++)
    if ((guchar)*p <= 0x20 || (guchar)*p >= 0x7f || strchr ("(){%*\"\\]", *p) != NULL)
      return FALSE;

  return TRUE;
}

static GStrv
upload_flags (const BuzonMessageSummary *row,
              gboolean                   keywords)
{
  g_auto(GStrv) system = buzon_imap_flags_from_store (row->flags & UPLOAD_FLAGS);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **)system);
  if (keywords && row->keywords != NULL)
    {
      g_auto(GStrv) words = g_strsplit (row->keywords, " ", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (is_keyword (words[i]))
          g_strv_builder_add (builder, words[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
permits_keywords (const BuzonImapSelectInfo *info)
{
  return info->permanent_flags != NULL &&
         g_strv_contains ((const char * const *)info->permanent_flags, "\\*");
}

/* The server folder's index */

/* Adds @uid to the list @table keeps under @key, which it takes. */
static void
index_add_uid (GHashTable *table,
               gpointer    key,
               guint32     uid)
{
  GArray *uids = g_hash_table_lookup (table, key);

  if (uids == NULL)
    {
      uids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (table, key, uids);
    }
  else
    g_free (key);

  g_array_append_val (uids, uid);
}

static void
index_add (Index             *index,
           guint32            uid,
           const char        *message_id,
           guint64            size,
           BuzonMessageFlags  flags)
{
  ServerMessage *message;
  gint64 *size_key;

  if (g_hash_table_contains (index->by_uid, GUINT_TO_POINTER (uid)))
    return;

  message = g_new0 (ServerMessage, 1);
  message->uid = uid;
  message->message_id = g_strdup (message_id);
  message->size = size;
  message->flags = flags;
  g_hash_table_insert (index->by_uid, GUINT_TO_POINTER (uid), message);

  if (message_id != NULL)
    index_add_uid (index->by_id, g_strdup (message_id), uid);

  size_key = g_new (gint64, 1);
  *size_key = (gint64)MIN (size, G_MAXINT64);
  index_add_uid (index->by_size, size_key, uid);

  index->high = MAX (index->high, uid);
}

/* Reads the UIDs, Message-IDs, sizes and flags of the selected folder's
 * messages from UID @first on. */
static gboolean
index_read (Run      *run,
            Index    *index,
            guint32   first,
            GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) fetches = NULL;

  buzon_imap_session_uid_fetch_summaries_async (run->session, first, BUZON_IMAP_UID_STAR,
                                                run->cancellable, STORE_CB, &result);
  fetches = buzon_imap_session_uid_fetch_summaries_finish (run->session, AWAIT (result), error);
  if (fetches == NULL)
    return fail (run, error);

  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      g_autoptr(BuzonMessageSummary) summary = NULL;
      g_autofree char *message_id = NULL;

      /* "N:*" also matches the highest UID when it is below N. */
      if (!(fetch->items & BUZON_IMAP_FETCH_UID) || fetch->uid < first)
        continue;

      summary = buzon_imap_summary_from_fetch (fetch, 0);
      message_id = normalize_message_id (summary->message_id);
      index_add (index, fetch->uid, message_id, summary->size, summary->flags);
    }

  return TRUE;
}

/* Whether the server's message @uid is @crlf, line endings aside. */
static gboolean
same_bytes (Run       *run,
            guint32    uid,
            GBytes    *crlf,
            gboolean  *out_same,
            GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) normal = NULL;

  buzon_imap_session_uid_fetch_body_async (run->session, uid, run->cancellable, STORE_CB,
                                           &result);
  body = buzon_imap_session_uid_fetch_body_finish (run->session, AWAIT (result), error);
  if (body == NULL)
    return fail (run, error);

  normal = to_crlf (body);
  *out_same = g_bytes_equal (normal, crlf);

  return TRUE;
}

/* The UID of a message of the folder that is this one and that no other
 * local message holds, or 0: the same Message-ID; without one, the same
 * size and bytes. */
static gboolean
find_on_server (Run         *run,
                Index       *index,
                const char  *message_id,
                GBytes      *crlf,
                guint32     *out_uid,
                GError     **error)
{
  GArray *uids;
  gint64 size;

  *out_uid = 0;

  if (message_id != NULL)
    {
      uids = g_hash_table_lookup (index->by_id, message_id);
      for (guint i = 0; uids != NULL && i < uids->len; i++)
        {
          guint32 uid = g_array_index (uids, guint32, i);

          if (!g_hash_table_contains (index->claimed, GUINT_TO_POINTER (uid)))
            {
              *out_uid = uid;
              break;
            }
        }
      return TRUE;
    }

  if (crlf == NULL)
    return TRUE;

  size = (gint64)g_bytes_get_size (crlf);
  uids = g_hash_table_lookup (index->by_size, &size);
  for (guint i = 0; uids != NULL && i < uids->len; i++)
    {
      guint32 uid = g_array_index (uids, guint32, i);
      gboolean same = FALSE;

      if (g_hash_table_contains (index->claimed, GUINT_TO_POINTER (uid)))
        continue;
      if (!same_bytes (run, uid, crlf, &same, error))
        return FALSE;
      if (same)
        {
          *out_uid = uid;
          break;
        }
    }

  return TRUE;
}

/* Local rows */

/* Writes @uid into the row of message @id, in a transaction of its own: from
 * then on a new run knows it is on the server. */
static gboolean
tie (Run      *run,
     Index    *index,
     Place    *place,
     gint64    id,
     guint32   uid,
     GError  **error)
{
  BuzonStore *store = run->self->store;
  g_autoptr(BuzonMessageSummary) holder = NULL;
  g_autoptr(GError) local_error = NULL;

  /* set_message_location() gives way to a row that holds the UID already:
   * never let that be another local message. */
  holder = buzon_store_lookup_message_by_uid (store, place->local->id, uid, &local_error);
  if (holder == NULL && !g_error_matches (local_error, BUZON_STORE_ERROR,
                                          BUZON_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (holder != NULL && holder->id != id)
    {
      g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_LOST_TRACK,
                   _("Two messages of the folder “%s” were taken for the same message on the "
                     "server; nothing was changed for them."),
                   place->local->name);
      return FALSE;
    }

  if (!buzon_store_set_message_location (store, id, place->local->id, uid, error))
    return FALSE;

  g_hash_table_add (index->claimed, GUINT_TO_POINTER (uid));
  maybe_kill (run, KILL_AFTER_TIE, ++run->n_ties);

  return TRUE;
}

static gboolean
untie (Run                  *run,
       Place                *place,
       BuzonMessageSummary  *row,
       GError              **error)
{
  g_debug ("message %" G_GINT64_FORMAT " is not UID %u of “%s” after all", row->id, row->uid,
           place->target);
  if (!buzon_store_set_message_location (run->self->store, row->id, place->local->id, 0, error))
    return FALSE;
  row->uid = 0;

  return TRUE;
}

/* A message found on the server gets the flags it has here and lacks there. */
static gboolean
add_missing_flags (Run                        *run,
                   Index                      *index,
                   const BuzonMessageSummary  *row,
                   guint32                     uid,
                   GError                    **error)
{
  ServerMessage *message = g_hash_table_lookup (index->by_uid, GUINT_TO_POINTER (uid));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) names = NULL;
  BuzonMessageFlags missing;

  if (message == NULL)
    return TRUE;

  missing = (row->flags & UPLOAD_FLAGS) & ~message->flags;
  if (missing == 0)
    return TRUE;

  names = buzon_imap_flags_from_store (missing);
  buzon_imap_session_uid_store_async (run->session, &uid, 1, BUZON_IMAP_STORE_ADD,
                                      (const char * const *)names, run->cancellable, STORE_CB,
                                      &result);
  if (!buzon_imap_session_uid_store_finish (run->session, AWAIT (result), &local_error))
    {
      /* A folder that keeps no flags is no reason not to switch. */
      if (!g_error_matches (local_error, BUZON_IMAP_SESSION_ERROR,
                            BUZON_IMAP_SESSION_ERROR_FAILED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return fail (run, error);
        }
      g_debug ("could not set flags on UID %u: %s", uid, local_error->message);
      return TRUE;
    }

  message->flags |= missing;

  return TRUE;
}

static void
note_failure (Run                       *run,
              Place                     *place,
              const BuzonMessageSummary *row,
              const char                *reason)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (_("“%s” in “%s” was not uploaded: %s"),
                          row->subject != NULL ? row->subject : _("(no subject)"),
                          place->local->name, reason);
  run->stats.failed++;
  emit_later (run, SIGNAL_NOTICE, text, 0, 0);
  g_ptr_array_add (run->failures, g_steal_pointer (&text));
}

/* APPENDs @row and writes the UID it got into its row. */
static gboolean
upload (Run                        *run,
        Index                      *index,
        Place                      *place,
        const BuzonImapSelectInfo  *info,
        const BuzonMessageSummary  *row,
        GBytes                     *crlf,
        const char                 *message_id,
        GError                    **error)
{
  g_auto(GStrv) flags = upload_flags (row, permits_keywords (info));
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 when = row->internal_date != 0 ? row->internal_date : row->date;
  guint32 uidvalidity = 0, uid = 0, before = index->high;

  if (when > 0)
    date = g_date_time_new_from_unix_utc (when);

  buzon_imap_session_append_async (run->session, place->target, crlf,
                                   (const char * const *)flags, date, run->cancellable,
                                   STORE_CB, &result);
  if (!buzon_imap_session_append_finish (run->session, AWAIT (result), &uidvalidity, &uid,
                                         &local_error))
    {
      /* The server refused this message (NO, BAD) or it cannot be sent:
       * the others go on; the account stays POP3 until it is dealt with. */
      if (!g_cancellable_is_cancelled (run->cancellable) &&
          (g_error_matches (local_error, BUZON_IMAP_SESSION_ERROR,
                            BUZON_IMAP_SESSION_ERROR_FAILED) ||
           local_error->domain == BUZON_IMAP_ERROR))
        {
          note_failure (run, place, row, local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (run, error);
    }

  run->stats.uploaded++;
  maybe_kill (run, KILL_AFTER_APPEND, ++run->n_appends);

  /* RFC 4315 §3: APPENDUID names the new message. Only trusted from a
   * server that says it has UIDPLUS, and for the folder as selected. */
  if (run->uidplus && uid != 0 && uidvalidity == place->uidvalidity)
    {
      index_add (index, uid, message_id, g_bytes_get_size (crlf), row->flags & UPLOAD_FLAGS);
      return tie (run, index, place, row->id, uid, error);
    }

  /* Without it: of what came in since, the one that is this message. */
  if (!index_read (run, index, before + 1, error))
    return FALSE;
  if (!find_on_server (run, index, message_id, crlf, &uid, error))
    return FALSE;

  if (uid == 0)
    {
      /* Nothing matches (the server changed the message as it stored it):
       * if exactly one message came in, it is this one. */
      guint32 only = 0;
      guint n_new = 0;
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, index->by_uid);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (GPOINTER_TO_UINT (key) > before &&
            !g_hash_table_contains (index->claimed, key))
          {
            only = GPOINTER_TO_UINT (key);
            n_new++;
          }
      if (n_new == 1)
        uid = only;
    }

  if (uid == 0)
    {
      g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_LOST_TRACK,
                   _("The server “%s” stored “%s” in “%s”, but which of its messages it is "
                     "cannot be told; the account stays a POP3 account."),
                   buzon_account_get_host (run->self->target),
                   row->subject != NULL ? row->subject : _("(no subject)"), place->target);
      return FALSE;
    }

  return tie (run, index, place, row->id, uid, error);
}

/* Is the row's UID (from an earlier run) really this message there? */
static gboolean
verify_tie (Run                  *run,
            Index                *index,
            BuzonMessageSummary  *row,
            gboolean             *out_ok)
{
  ServerMessage *message = g_hash_table_lookup (index->by_uid, GUINT_TO_POINTER (row->uid));
  g_autofree char *message_id = normalize_message_id (row->message_id);

  *out_ok = FALSE;

  if (message == NULL || g_hash_table_contains (index->claimed, GUINT_TO_POINTER (row->uid)))
    return TRUE;

  if (message_id != NULL)
    *out_ok = g_strcmp0 (message_id, message->message_id) == 0;
  else
    {
      g_autoptr(GBytes) raw = buzon_store_get_body (run->self->store, row->id, NULL);
      g_autoptr(GBytes) crlf = raw != NULL ? to_crlf (raw) : NULL;

      *out_ok = crlf == NULL || g_bytes_get_size (crlf) == message->size;
    }

  return TRUE;
}

static gboolean
switch_folder (Run     *run,
               Place   *place,
               GError **error)
{
  BuzonStore *store = run->self->store;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_auto(Index) index = { NULL, };
  guint done = 0;

  rows = buzon_store_list_messages (store, place->local->id, 0, 0, error);
  if (rows == NULL)
    return FALSE;

  buzon_imap_session_select_async (run->session, place->target, FALSE, run->cancellable,
                                   STORE_CB, &result);
  info = buzon_imap_session_select_finish (run->session, AWAIT (result), error);
  if (info == NULL)
    return fail (run, error);
  place->uidvalidity = info->uidvalidity;

  index_init (&index);
  if (info->exists > 0 && !index_read (run, &index, 1, error))
    return FALSE;

  /* Oldest first, so that the server's UIDs follow the dates. */
  g_ptr_array_sort (rows, summary_date_cmp);

  /* UIDs an earlier run wrote: kept only when they still name this message. */
  for (guint i = 0; i < rows->len; i++)
    {
      BuzonMessageSummary *row = g_ptr_array_index (rows, i);
      gboolean ok = FALSE;

      if (row->uid == 0)
        continue;
      if (!verify_tie (run, &index, row, &ok))
        return FALSE;
      if (!ok)
        {
          if (!untie (run, place, row, error))
            return FALSE;
          continue;
        }
      g_hash_table_add (index.claimed, GUINT_TO_POINTER (row->uid));
      run->stats.already_there++;
      emit_later (run, SIGNAL_PROGRESS, place->target, ++done, rows->len);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const BuzonMessageSummary *row = g_ptr_array_index (rows, i);
      g_autofree char *message_id = NULL;
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GBytes) crlf = NULL;
      guint32 uid = 0;

      if (row->uid != 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;

      message_id = normalize_message_id (row->message_id);
      raw = buzon_store_get_body (store, row->id, NULL);
      if (raw != NULL)
        crlf = to_crlf (raw);

      if (!find_on_server (run, &index, message_id, crlf, &uid, error))
        return FALSE;

      if (uid != 0)
        {
          if (!tie (run, &index, place, row->id, uid, error) ||
              !add_missing_flags (run, &index, row, uid, error))
            return FALSE;
          run->stats.already_there++;
        }
      else if (crlf == NULL)
        note_failure (run, place, row, _("its content is not stored on this computer"));
      else if (!upload (run, &index, place, info, row, crlf, message_id, error))
        return FALSE;

      emit_later (run, SIGNAL_PROGRESS, place->target, ++done, rows->len);
    }

  return TRUE;
}

/* Folders */

static gboolean
is_inbox (const char *name)
{
  return g_ascii_strcasecmp (name, "INBOX") == 0;
}

static const BuzonImapMailbox *
find_mailbox (Run        *run,
              const char *name)
{
  for (guint i = 0; i < run->mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (run->mailboxes, i);

      if (mailbox->flags & BUZON_IMAP_MAILBOX_NONEXISTENT)
        continue;
      if (g_str_equal (mailbox->name, name) || (is_inbox (name) && is_inbox (mailbox->name)))
        return mailbox;
    }

  return NULL;
}

static const BuzonImapMailbox *
find_special (Run             *run,
              BuzonSpecialUse  use)
{
  for (guint i = 0; i < run->mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (run->mailboxes, i);

      if (mailbox->flags & (BUZON_IMAP_MAILBOX_NONEXISTENT | BUZON_IMAP_MAILBOX_NOSELECT))
        continue;
      if (buzon_imap_special_use (mailbox, run->by_name) == use)
        return mailbox;
    }

  return NULL;
}

static gboolean
list_mailboxes (Run     *run,
                GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GPtrArray *mailboxes;

  buzon_imap_session_list_async (run->session, run->cancellable, STORE_CB, &result);
  mailboxes = buzon_imap_session_list_finish (run->session, AWAIT (result), error);
  if (mailboxes == NULL)
    return fail (run, error);

  g_clear_pointer (&run->mailboxes, g_ptr_array_unref);
  run->mailboxes = mailboxes;

  /* The delimiter of INBOX's namespace, where our folders go. */
  run->delimiter = '\0';
  for (guint i = 0; i < mailboxes->len && run->delimiter == '\0'; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);

      if (is_inbox (mailbox->name))
        run->delimiter = mailbox->delimiter;
    }
  for (guint i = 0; i < mailboxes->len && run->delimiter == '\0'; i++)
    run->delimiter = ((const BuzonImapMailbox *)g_ptr_array_index (mailboxes, i))->delimiter;

  /* As the sync decides it: names are a guess only where nothing is marked. */
  run->by_name = !buzon_imap_session_has_capability (run->session, "SPECIAL-USE");
  for (guint i = 0; run->by_name && i < mailboxes->len; i++)
    if (((const BuzonImapMailbox *)g_ptr_array_index (mailboxes, i))->flags &
        BUZON_IMAP_MAILBOX_SPECIAL_USE_MASK)
      run->by_name = FALSE;

  return TRUE;
}

/* A local folder name's last part as a server name part: the server's
 * delimiter cannot be in it. */
static char *
server_leaf (Run        *run,
             const char *leaf)
{
  char *copy = g_strdup (leaf);

  if (run->delimiter != '\0')
    {
      const char delimiters[2] = { run->delimiter, '\0' };

      g_strdelimit (copy, delimiters, '_');
    }

  return copy;
}

/* The server name for the local folder name @name (a folder of the
 * account, or a path above one). */
static char *
map_name (Run        *run,
          GHashTable *local,
          GHashTable *mapped,
          const char *name,
          const char *delimiter)
{
  const BuzonFolder *folder = g_hash_table_lookup (local, name);
  g_autofree char *parent = NULL;
  g_autofree char *parent_target = NULL;
  g_autofree char *leaf = NULL;
  const char *known = g_hash_table_lookup (mapped, name);
  const char *last;

  if (known != NULL)
    return g_strdup (known);

  if (folder != NULL)
    {
      delimiter = folder->delimiter;

      switch (folder->special_use)
        {
        case BUZON_SPECIAL_USE_INBOX:
          return g_strdup ("INBOX");
        case BUZON_SPECIAL_USE_DRAFTS:
        case BUZON_SPECIAL_USE_SENT:
        case BUZON_SPECIAL_USE_TRASH:
        case BUZON_SPECIAL_USE_JUNK:
        case BUZON_SPECIAL_USE_ARCHIVE:
          {
            const BuzonImapMailbox *mailbox = find_special (run, folder->special_use);

            if (mailbox != NULL)
              return g_strdup (mailbox->name);
          }
          break;
        case BUZON_SPECIAL_USE_NONE:
        case BUZON_SPECIAL_USE_ALL:
        case BUZON_SPECIAL_USE_FLAGGED:
        default:
          break;
        }
    }

  /* A flat namespace has no tree: the name is kept whole. */
  if (run->delimiter == '\0')
    return g_strdup (name);

  last = delimiter != NULL && *delimiter != '\0' ? g_strrstr (name, delimiter) : NULL;
  if (last == NULL || last == name)
    return is_inbox (name) ? g_strdup ("INBOX") : server_leaf (run, name);

  parent = g_strndup (name, last - name);
  parent_target = map_name (run, local, mapped, parent, delimiter);
  leaf = server_leaf (run, last + strlen (delimiter));

  return g_strdup_printf ("%s%c%s", parent_target, run->delimiter, leaf);
}

static gint
place_target_cmp (gconstpointer a,
                  gconstpointer b)
{
  const Place *pa = *(Place * const *)a;
  const Place *pb = *(Place * const *)b;

  /* A parent's name is a prefix of its children's: it sorts first. */
  return strcmp (pa->target, pb->target);
}

/* Which server folder each local folder goes to. */
static GPtrArray *
plan_folders (Run        *run,
              GPtrArray  *folders,
              GError    **error)
{
  g_autoptr(GPtrArray) places = g_ptr_array_new_with_free_func ((GDestroyNotify)place_free);
  g_autoptr(GHashTable) local = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) mapped = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      g_hash_table_insert (local, folder->name, folder);
    }

  /* By name, so parents are mapped before their children. */
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);
      Place *place = g_new0 (Place, 1);
      const BuzonFolder *other;
      char *key;

      place->local = buzon_folder_copy (folder);
      place->target = map_name (run, local, mapped, folder->name, folder->delimiter);
      g_hash_table_insert (mapped, folder->name, g_strdup (place->target));
      g_ptr_array_add (places, place);

      key = is_inbox (place->target) ? g_strdup ("INBOX") : g_strdup (place->target);
      other = g_hash_table_lookup (taken, key);
      if (other != NULL)
        {
          g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_FOLDER_CLASH,
                       _("The folders “%s” and “%s” would both become the folder “%s” on the "
                         "server. Rename one of them, then try again."),
                       other->name, folder->name, place->target);
          g_free (key);
          return NULL;
        }
      g_hash_table_insert (taken, key, folder);
    }

  g_ptr_array_sort (places, place_target_cmp);

  return g_steal_pointer (&places);
}

static gboolean
create_folders (Run        *run,
                GPtrArray  *places,
                GError    **error)
{
  guint created = 0;

  for (guint i = 0; i < places->len; i++)
    {
      Place *place = g_ptr_array_index (places, i);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GAsyncResult) subscribed = NULL;
      g_autoptr(GError) local_error = NULL;

      if (find_mailbox (run, place->target) != NULL)
        continue;

      buzon_imap_session_create_async (run->session, place->target, run->cancellable, STORE_CB,
                                       &result);
      if (!buzon_imap_session_create_finish (run->session, AWAIT (result), error))
        return fail (run, error);

      created++;
      run->stats.folders_created++;
      emit_later (run, SIGNAL_FOLDER_CREATED, place->target, 0, 0);

      buzon_imap_session_subscribe_async (run->session, place->target, run->cancellable,
                                          STORE_CB, &subscribed);
      if (!buzon_imap_session_subscribe_finish (run->session, AWAIT (subscribed), &local_error))
        {
          if (!g_error_matches (local_error, BUZON_IMAP_SESSION_ERROR,
                                BUZON_IMAP_SESSION_ERROR_FAILED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return fail (run, error);
            }
          g_debug ("could not subscribe to “%s”: %s", place->target, local_error->message);
        }
    }

  /* What the server made of them (attributes, special uses). */
  return created == 0 || list_mailboxes (run, error);
}

/* The run */

static BuzonAccount *
copy_account (BuzonAccount *account)
{
  g_autoptr(BuzonAccount) copy = buzon_account_new (buzon_account_get_name (account));
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (account), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GValue value = G_VALUE_INIT;

      if ((pspecs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
          (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY))
        continue;

      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (account), pspecs[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), pspecs[i]->name, &value);
      g_value_unset (&value);
    }

  return g_steal_pointer (&copy);
}

static gboolean
open_session (Run     *run,
              GError **error)
{
  BuzonAccount *target = run->self->target;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *password = NULL;
  const char *username;

  /* The account's own password: the keyring entry is the account's, and a
   * password command is the account's too. */
  password = buzon_secrets_lookup_password (target, BUZON_SECRET_INCOMING, run->cancellable,
                                            &local_error);
  if (password == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_NO_PASSWORD,
                     _("There is no password for the account “%s”. Set one with "
                       "“buzon-cli account set-password”."),
                     buzon_account_get_name (target));
      return FALSE;
    }

  /* Certificates exactly as for the IMAP sync: verified, or pinned for
   * this host and port (buzon-cli account trust). */
  connection = buzon_connection_new_for_account (target, BUZON_CONNECTION_SERVER_INCOMING);
  buzon_connection_set_store (connection, run->self->store);
  if (run->self->tls_database != NULL)
    buzon_connection_set_tls_database (connection, run->self->tls_database);

  run->session = buzon_imap_session_new (connection);

  username = buzon_account_get_username (target);
  if (username == NULL || *username == '\0')
    username = buzon_account_get_address (target);

  buzon_imap_session_connect_async (run->session, username, password, run->cancellable,
                                    STORE_CB, &result);
  if (!buzon_imap_session_connect_finish (run->session, AWAIT (result), error))
    return fail (run, error);

  return TRUE;
}

static gboolean
run_switch (Run     *run,
            GError **error)
{
  BuzonPop3Switch *self = run->self;
  g_autoptr(BuzonAccount) stored = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) places = NULL;
  g_autoptr(GPtrArray) placements = NULL;

  stored = buzon_store_lookup_account (self->store, buzon_account_get_name (self->account),
                                       error);
  if (stored == NULL)
    return FALSE;
  if (buzon_account_get_protocol (stored) != BUZON_PROTOCOL_POP3)
    {
      g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_NOT_POP3,
                   _("The account “%s” does not use POP3."), buzon_account_get_name (stored));
      return FALSE;
    }
  buzon_account_set_id (self->target, buzon_account_get_id (stored));

  if (!buzon_account_validate (self->target, error))
    return FALSE;

  folders = buzon_store_list_folders (self->store, buzon_account_get_id (stored), error);
  if (folders == NULL)
    return FALSE;

  if (!open_session (run, error))
    return FALSE;
  run->uidplus = buzon_imap_session_has_capability (run->session, "UIDPLUS");
  g_debug ("switching “%s” to IMAP on %s:%u, %s UIDPLUS", buzon_account_get_name (stored),
           buzon_account_get_host (self->target), buzon_account_get_port (self->target),
           run->uidplus ? "with" : "without");

  if (!list_mailboxes (run, error))
    return FALSE;

  places = plan_folders (run, folders, error);
  if (places == NULL)
    return FALSE;

  if (!create_folders (run, places, error))
    return FALSE;

  for (guint i = 0; i < places->len; i++)
    {
      Place *place = g_ptr_array_index (places, i);
      const BuzonImapMailbox *mailbox = find_mailbox (run, place->target);

      /* A folder that holds no mail on the server (a parent only) can only
       * stand for an empty one here. */
      if (mailbox != NULL && (mailbox->flags & BUZON_IMAP_MAILBOX_NOSELECT) &&
          place->local->total_count == 0)
        continue;

      if (!switch_folder (run, place, error))
        return FALSE;
    }

  if (run->stats.failed > 0)
    {
      g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_INCOMPLETE,
                   _("Some messages (%u) could not be uploaded, the first: %s. So the "
                     "account “%s” stays a POP3 account. What was uploaded stays on the "
                     "server; once those messages are dealt with, switch again to go on."),
                   run->stats.failed, (const char *)g_ptr_array_index (run->failures, 0),
                   buzon_account_get_name (stored));
      return FALSE;
    }

  placements = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_folder_free);
  for (guint i = 0; i < places->len; i++)
    {
      Place *place = g_ptr_array_index (places, i);
      const BuzonImapMailbox *mailbox = find_mailbox (run, place->target);
      BuzonFolder *folder;

      if (mailbox == NULL)
        {
          g_set_error (error, BUZON_POP3_SWITCH_ERROR, BUZON_POP3_SWITCH_ERROR_LOST_TRACK,
                       _("The server does not list the folder “%s”; the account stays a POP3 "
                         "account."),
                       place->target);
          return FALSE;
        }

      /* What the sync will make of it, so that its first folder list
       * changes nothing. */
      folder = buzon_imap_folder_from_mailbox (mailbox, buzon_account_get_id (stored),
                                               run->by_name);
      folder->id = place->local->id;
      folder->uidvalidity = place->uidvalidity;
      g_ptr_array_add (placements, folder);
    }

  maybe_kill (run, KILL_BEFORE_SWITCH, 0);

  return buzon_store_switch_to_imap (self->store, self->target, placements, error);
}

static void
run_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  BuzonPop3Switch *self = source_object;
  g_autoptr(GError) error = NULL;
  GSource *cancel_source;
  Run run = { NULL, };
  gboolean ok;

  run.self = self;
  run.context = g_main_context_new ();
  run.cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  run.failures = g_ptr_array_new_with_free_func (g_free);
  parse_kill_point (&run);

  g_main_context_push_thread_default (run.context);

  cancel_source = g_cancellable_source_new (run.cancellable);
  g_source_set_callback (cancel_source, G_SOURCE_FUNC (cancelled_cb), &run, NULL);
  g_source_attach (cancel_source, run.context);

  ok = run_switch (&run, &error);

  if (run.session != NULL)
    {
      if (buzon_imap_session_is_connected (run.session))
        {
          g_autoptr(GAsyncResult) result = NULL;

          buzon_imap_session_logout_async (run.session, NULL, STORE_CB, &result);
          buzon_imap_session_logout_finish (run.session, _buzon_sync_wait (run.context, &result),
                                            NULL);
        }
      buzon_imap_session_disconnect (run.session);
      g_clear_object (&run.session);
    }

  g_source_destroy (cancel_source);
  g_source_unref (cancel_source);

  /* Let what the session left behind run down on this context. */
  while (g_main_context_pending (run.context))
    g_main_context_iteration (run.context, FALSE);

  g_main_context_pop_thread_default (run.context);
  g_main_context_unref (run.context);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.mailboxes, g_ptr_array_unref);
  g_clear_pointer (&run.failures, g_ptr_array_unref);

  self->stats = run.stats;

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* The object */

static void
buzon_pop3_switch_dispose (GObject *object)
{
  BuzonPop3Switch *self = BUZON_POP3_SWITCH (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->target);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->owner_context, g_main_context_unref);

  G_OBJECT_CLASS (buzon_pop3_switch_parent_class)->dispose (object);
}

static void
buzon_pop3_switch_class_init (BuzonPop3SwitchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_pop3_switch_dispose;

  /**
   * BuzonPop3Switch::progress:
   * @folder: the server folder
   * @done: messages of the folder dealt with so far
   * @total: messages of the folder
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * BuzonPop3Switch::folder-created:
   * @folder: the folder created on the server
   */
  signals[SIGNAL_FOLDER_CREATED] =
    g_signal_new ("folder-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * BuzonPop3Switch::notice:
   * @message: a sentence for the user: a message that was not uploaded, and why
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
buzon_pop3_switch_init (BuzonPop3Switch *self)
{
}

/**
 * buzon_pop3_switch_new:
 * @store: the store
 * @account: a POP3 account of @store
 *
 * Returns: (transfer full): a switch of @account to IMAP. Its target (see
 *   buzon_pop3_switch_get_target()) is the account's host with the standard
 *   IMAP port for its security, the account's user name, and the sync
 *   policy "full": the mail was all here, and stays here too.
 */
BuzonPop3Switch *
buzon_pop3_switch_new (BuzonStore   *store,
                       BuzonAccount *account)
{
  BuzonPop3Switch *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  self = g_object_new (BUZON_TYPE_POP3_SWITCH, NULL);
  self->store = g_object_ref (store);
  self->account = g_object_ref (account);
  self->target = copy_account (account);
  buzon_account_set_protocol (self->target, BUZON_PROTOCOL_IMAP);
  buzon_account_set_port (self->target, 0);
  buzon_account_set_sync_policy (self->target, BUZON_SYNC_POLICY_FULL);
  buzon_account_set_sync_days (self->target, 0);

  return self;
}

/**
 * buzon_pop3_switch_get_account:
 *
 * Returns: (transfer none): the POP3 account, as given
 */
BuzonAccount *
buzon_pop3_switch_get_account (BuzonPop3Switch *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SWITCH (self), NULL);

  return self->account;
}

/**
 * buzon_pop3_switch_get_target:
 *
 * The account as it will be: an IMAP account. Set its host, port, security
 * or user name before running the switch when the IMAP server differs from
 * the defaults; other changes are not saved.
 *
 * Returns: (transfer none): the IMAP account to be
 */
BuzonAccount *
buzon_pop3_switch_get_target (BuzonPop3Switch *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SWITCH (self), NULL);

  return self->target;
}

/**
 * buzon_pop3_switch_set_tls_database:
 * @database: (nullable): the certificate authorities to trust instead of
 *   the system's (tests)
 */
void
buzon_pop3_switch_set_tls_database (BuzonPop3Switch *self,
                                    GTlsDatabase    *database)
{
  g_return_if_fail (BUZON_IS_POP3_SWITCH (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->tls_database, database);
}

/**
 * buzon_pop3_switch_run_async:
 * @cancellable: (nullable): cancels the run; what it did so far is kept,
 *   and the account stays a POP3 account
 * @callback: called when the run ended
 * @user_data: data for @callback
 *
 * Uploads the account's mail and switches it to IMAP (see the top of
 * buzon-pop3-switch.c). Signals are emitted in the thread-default context
 * of the caller. One run at a time.
 */
void
buzon_pop3_switch_run_async (BuzonPop3Switch     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_POP3_SWITCH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_pop3_switch_run_async));
  /* The worker reports what it did, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  g_clear_pointer (&self->owner_context, g_main_context_unref);
  self->owner_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  memset (&self->stats, 0, sizeof self->stats);

  g_task_run_in_thread (task, run_worker);
}

/**
 * buzon_pop3_switch_run_finish:
 * @out_stats: (out) (optional): what the run did, also when it failed
 * @error: return location for an error
 *
 * Returns: %TRUE if the account is an IMAP account now
 */
gboolean
buzon_pop3_switch_run_finish (BuzonPop3Switch       *self,
                              GAsyncResult          *result,
                              BuzonPop3SwitchStats  *out_stats,
                              GError               **error)
{
  g_return_val_if_fail (BUZON_IS_POP3_SWITCH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->running = FALSE;
  if (out_stats != NULL)
    *out_stats = self->stats;

  return g_task_propagate_boolean (G_TASK (result), error);
}
