/* buzon-pop3-sync.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One check of a POP3 account, on a worker thread with its own main context
 * (the session's asynchronous calls are awaited by iterating it):
 *
 *  1. log in; UIDL and LIST, pipelined. Without UIDL each message is known
 *     by a fingerprint of its header (TOP n 0, or RETR without TOP): the
 *     Message-ID, the Date and the size.
 *  2. mark the records of messages the server no longer lists (deleted
 *     there, by us or by another program). Records are kept: a server that
 *     lists a message again (one that hides downloaded mail, a DELE that
 *     did not take) must not make it download twice;
 *  3. DELE what the account's mode says should go and was stored before
 *     (delete mode: everything downloaded; keep N days: what was first seen
 *     N days ago or more; until deleted here: what the user deleted for
 *     good or put in the Trash, and with N days also what is that old);
 *  4. RETR every message not downloaded yet, pipelined, newest batch by
 *     batch: each batch is one transaction that is on disk (fsync) before
 *     any DELE of its messages is sent;
 *  5. QUIT. Only its +OK makes the DELEs take effect (RFC 1939 §6); then the
 *     deleted messages' records are marked so.
 *
 * A check killed at any point loses nothing and stores nothing twice: what
 * was committed is known by its UIDL, so the next check does not fetch it
 * again, and what was not committed was not deleted, since no DELE for it
 * was sent and no QUIT either. A kill after QUIT but before the records are
 * marked is mended at step 2. */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "buzon-mail-ops.h"
#include "buzon-mime-summary.h"
#include "buzon-net.h"
#include "buzon-pop3-sync.h"
#include "buzon-secrets.h"

/* RETR commands in flight at once (with PIPELINING). */
#define RETR_WINDOW 32

/* A batch is committed once it holds this many messages or bytes. */
#define BATCH_MESSAGES 100
#define BATCH_BYTES (16 * 1024 * 1024)

#define SECONDS_PER_DAY (24 * 60 * 60)

/* What RETR may bring (the parser's bound, less room for dot-stuffing and
 * the bare line ends a server may turn into CRLF). */
#define MAX_MESSAGE_SIZE (BUZON_POP3_DEFAULT_MAX_DATA / 2)

G_DEFINE_QUARK (buzon-pop3-sync-error-quark, buzon_pop3_sync_error)

struct _BuzonPop3Sync
{
  GObject              parent_instance;

  BuzonStore          *store;
  BuzonAccount        *account;
  GTlsDatabase        *tls_database;
  BuzonPop3AuthMethod  auth_method;
  guint64              max_message_size;
  GMainContext        *owner_context;
  GMutex               lock;           /* one check at a time */
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_NEW_MESSAGE,
  SIGNAL_NOTICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonPop3Sync, buzon_pop3_sync, G_TYPE_OBJECT)

/* Test hook: BUZON_TEST_CRASH_AT=POINT:N kills the process (SIGKILL, as a
 * power cut or the OOM killer would) the Nth time the check passes POINT.
 * The kill tests use it to stop at exact places; nothing else sets it. */
static void
crash_point (const char *point)
{
  static gsize initialized = 0;
  static char *wanted = NULL;
  static guint wanted_count = 0;
  static guint seen = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *spec = g_getenv ("BUZON_TEST_CRASH_AT");

      if (spec != NULL && strchr (spec, ':') != NULL)
        {
          const char *colon = strchr (spec, ':');

          wanted = g_strndup (spec, (gsize)(colon - spec));
          wanted_count = (guint)g_ascii_strtoull (colon + 1, NULL, 10);
        }
      g_once_init_leave (&initialized, 1);
    }

  if (wanted == NULL || strcmp (wanted, point) != 0)
    return;
  if (++seen == wanted_count)
    kill (getpid (), SIGKILL);
}

/* Signals, emitted in the owner's context */

typedef struct
{
  BuzonPop3Sync       *self;
  guint                signal;
  guint                done;
  guint                total;
  char                *text;
  BuzonMessageSummary *summary;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->text);
  g_clear_pointer (&e->summary, buzon_message_summary_free);
  g_free (e);
}

static gboolean
emit_cb (gpointer data)
{
  Emission *e = data;

  switch (e->signal)
    {
    case SIGNAL_PROGRESS:
      g_signal_emit (e->self, signals[SIGNAL_PROGRESS], 0, e->done, e->total);
      break;
    case SIGNAL_NEW_MESSAGE:
      g_signal_emit (e->self, signals[SIGNAL_NEW_MESSAGE], 0, e->summary);
      break;
    case SIGNAL_NOTICE:
    default:
      g_signal_emit (e->self, signals[SIGNAL_NOTICE], 0, e->text);
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
emit_later (BuzonPop3Sync             *self,
            guint                      signal,
            guint                      done,
            guint                      total,
            const char                *text,
            const BuzonMessageSummary *summary)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->signal = signal;
  e->done = done;
  e->total = total;
  e->text = g_strdup (text);
  e->summary = summary != NULL ? buzon_message_summary_copy (summary) : NULL;
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, emit_cb, e,
                              emission_free);
}

/* The object */

static void
buzon_pop3_sync_finalize (GObject *object)
{
  BuzonPop3Sync *self = BUZON_POP3_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (buzon_pop3_sync_parent_class)->finalize (object);
}

static void
buzon_pop3_sync_class_init (BuzonPop3SyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_pop3_sync_finalize;

  /**
   * BuzonPop3Sync::progress:
   * @done: messages downloaded so far in this check
   * @total: messages to download in this check
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * BuzonPop3Sync::new-message:
   * @summary: a message just stored (durably) in the local Inbox
   */
  signals[SIGNAL_NEW_MESSAGE] =
    g_signal_new ("new-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, BUZON_TYPE_MESSAGE_SUMMARY);

  /**
   * BuzonPop3Sync::notice:
   * @text: a sentence for the user (a warning about the account)
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
buzon_pop3_sync_init (BuzonPop3Sync *self)
{
  g_mutex_init (&self->lock);
  self->max_message_size = MAX_MESSAGE_SIZE;
}

/**
 * buzon_pop3_sync_new:
 * @store: the store
 * @account: a POP3 account
 *
 * Signals are emitted in the thread-default main context of the caller.
 *
 * Returns: (transfer full): the engine of @account
 */
BuzonPop3Sync *
buzon_pop3_sync_new (BuzonStore   *store,
                     BuzonAccount *account)
{
  BuzonPop3Sync *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  self = g_object_new (BUZON_TYPE_POP3_SYNC, NULL);
  self->store = g_object_ref (store);
  self->account = g_object_ref (account);
  self->owner_context = g_main_context_ref_thread_default ();

  return self;
}

/**
 * buzon_pop3_sync_get_account:
 *
 * Returns: (transfer none): the account
 */
BuzonAccount *
buzon_pop3_sync_get_account (BuzonPop3Sync *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SYNC (self), NULL);

  return self->account;
}

/**
 * buzon_pop3_sync_set_tls_database:
 * @database: (nullable): the CAs to verify the server with, instead of the
 *   system's (tests)
 */
void
buzon_pop3_sync_set_tls_database (BuzonPop3Sync *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (BUZON_IS_POP3_SYNC (self));

  g_set_object (&self->tls_database, database);
}

/**
 * buzon_pop3_sync_set_auth_method:
 * @method: how to log in (automatic by default)
 */
void
buzon_pop3_sync_set_auth_method (BuzonPop3Sync       *self,
                                 BuzonPop3AuthMethod  method)
{
  g_return_if_fail (BUZON_IS_POP3_SYNC (self));

  self->auth_method = method;
}

/**
 * buzon_pop3_sync_set_max_message_size:
 * @size: the largest message to download, in bytes (at most the default,
 *   128 MiB); larger ones stay on the server and the user is told
 */
void
buzon_pop3_sync_set_max_message_size (BuzonPop3Sync *self,
                                      guint64        size)
{
  g_return_if_fail (BUZON_IS_POP3_SYNC (self));

  self->max_message_size = MIN (size, MAX_MESSAGE_SIZE);
}

/* One check, on the worker thread */

typedef struct
{
  guint  number;
  guint64 size;
  char  *uidl;          /* or the fingerprint standing in for it */
} ServerMessage;

typedef struct
{
  BuzonPop3Sync        *self;
  GMainContext         *context;
  GCancellable         *cancellable;
  BuzonPop3Session     *session;
  gint64                account_id;
  gint64                inbox_id;
  BuzonPop3CheckResult  result;
  guint                 retrieved;    /* RETRs stored or found here already */
  GArray               *messages;     /* ServerMessage, in the server's order */
  GPtrArray            *deletions;    /* GAsyncResult ** of DELEs in flight */
  GPtrArray            *deleted;      /* char *: UIDLs whose DELE got +OK */
} Check;

static void
server_message_clear (gpointer data)
{
  ServerMessage *message = data;

  g_free (message->uidl);
}

static void
slot_free (gpointer data)
{
  GAsyncResult **slot = data;

  g_clear_object (slot);
  g_free (slot);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  (void)object;
  *slot = g_object_ref (result);
}

static GAsyncResult *
await (Check         *check,
       GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (check->context, TRUE);

  return *slot;
}

#define AWAIT(result) (await (check, &(result)))

/* The local Inbox of the account, made with the other local folders if
 * they are not there yet. */
static gint64
find_inbox (Check   *check,
            GError **error)
{
  BuzonPop3Sync *self = check->self;
  g_autoptr(GPtrArray) folders = NULL;

  if (!buzon_mail_ops_ensure_local_folders (self->store, self->account, error))
    return 0;

  folders = buzon_store_list_folders (self->store, check->account_id, error);
  if (folders == NULL)
    return 0;
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == BUZON_SPECIAL_USE_INBOX)
        return folder->id;
    }

  g_set_error (error, BUZON_POP3_SYNC_ERROR, BUZON_POP3_SYNC_ERROR_NO_INBOX,
               _("The account “%s” has no Inbox here."), buzon_account_get_name (self->account));
  return 0;
}

static gboolean
open_session (Check   *check,
              GError **error)
{
  BuzonPop3Sync *self = check->self;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  const char *username;

  /* The keyring or the password command; none is a sentence for the user. */
  password = buzon_secrets_lookup_password (self->account, BUZON_SECRET_INCOMING,
                                            check->cancellable, error);
  if (password == NULL)
    return FALSE;

  connection = buzon_connection_new_for_account (self->account, BUZON_CONNECTION_SERVER_INCOMING);
  buzon_connection_set_store (connection, self->store);
  if (self->tls_database != NULL)
    buzon_connection_set_tls_database (connection, self->tls_database);

  check->session = buzon_pop3_session_new (connection);
  buzon_pop3_session_set_auth_method (check->session, self->auth_method);

  username = buzon_account_get_username (self->account);
  if (username == NULL || *username == '\0')
    username = buzon_account_get_address (self->account);

  buzon_pop3_session_connect_async (check->session, username, password, check->cancellable,
                                    store_cb, &result);
  memset (password, 0, strlen (password));

  return buzon_pop3_session_connect_finish (check->session, AWAIT (result), error);
}

/* The value of header field @name in @header (the first one, unfolded),
 * or an empty string. */
static char *
header_value (const char *header,
              gsize       length,
              const char *name)
{
  gsize name_length = strlen (name);
  const char *end = header + length;
  const char *line = header;

  while (line < end)
    {
      const char *eol = memchr (line, '\n', (gsize)(end - line));
      const char *next = eol != NULL ? eol + 1 : end;
      gsize line_length = (gsize)((eol != NULL ? eol : end) - line);

      if (line_length == 0 || (line_length == 1 && line[0] == '\r'))
        break;  /* the end of the header */

      if (line_length > name_length && line[name_length] == ':' &&
          g_ascii_strncasecmp (line, name, name_length) == 0)
        {
          GString *value = g_string_new_len (line + name_length + 1,
                                             (gssize)(line_length - name_length - 1));

          /* Continuation lines begin with white space. */
          while (next < end && (*next == ' ' || *next == '\t'))
            {
              const char *ceol = memchr (next, '\n', (gsize)(end - next));
              const char *cnext = ceol != NULL ? ceol + 1 : end;

              g_string_append_len (value, next, (gssize)((ceol != NULL ? ceol : end) - next));
              next = cnext;
            }
          g_strdelimit (value->str, "\r\n\t", ' ');
          g_strstrip (value->str);
          return g_string_free (value, FALSE);
        }

      line = next;
    }

  return g_strdup ("");
}

/* What stands for a UIDL on a server without one. */
static char *
fingerprint (GBytes  *header,
             guint64  size)
{
  gsize length;
  const char *data = g_bytes_get_data (header, &length);
  g_autofree char *message_id = header_value (data, length, "Message-ID");
  g_autofree char *date = header_value (data, length, "Date");
  g_autofree char *input = g_strdup_printf ("%s\n%s\n%" G_GUINT64_FORMAT, message_id, date,
                                            size);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  return g_strconcat ("fp:", digest, NULL);
}

/* UIDL and LIST: the server's messages into check->messages. Without UIDL,
 * each message's header is read (TOP n 0) for its fingerprint. */
static gboolean
list_messages (Check   *check,
               GError **error)
{
  g_autoptr(GAsyncResult) uidl_result = NULL;
  g_autoptr(GAsyncResult) list_result = NULL;
  g_autoptr(GPtrArray) uidls = NULL;
  g_autoptr(GPtrArray) sizes = NULL;
  g_autoptr(GError) uidl_error = NULL;
  g_autoptr(GHashTable) uidl_of = NULL;
  g_autoptr(GHashTable) seen = NULL;

  buzon_pop3_session_list_async (check->session, TRUE, check->cancellable, store_cb,
                                 &uidl_result);
  buzon_pop3_session_list_async (check->session, FALSE, check->cancellable, store_cb,
                                 &list_result);
  uidls = buzon_pop3_session_list_finish (check->session, AWAIT (uidl_result), &uidl_error);
  sizes = buzon_pop3_session_list_finish (check->session, AWAIT (list_result), error);
  if (sizes == NULL)
    return FALSE;

  if (uidls == NULL)
    {
      if (!g_error_matches (uidl_error, BUZON_POP3_SESSION_ERROR,
                            BUZON_POP3_SESSION_ERROR_UNSUPPORTED) &&
          !g_error_matches (uidl_error, BUZON_POP3_SESSION_ERROR,
                            BUZON_POP3_SESSION_ERROR_FAILED))
        {
          g_propagate_error (error, g_steal_pointer (&uidl_error));
          return FALSE;
        }
      check->result.fingerprints = TRUE;
    }

  uidl_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; uidls != NULL && i < uidls->len; i++)
    {
      BuzonPop3Listing *entry = g_ptr_array_index (uidls, i);

      g_hash_table_insert (uidl_of, GUINT_TO_POINTER (entry->number), entry->uidl);
    }

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < sizes->len; i++)
    {
      BuzonPop3Listing *entry = g_ptr_array_index (sizes, i);
      ServerMessage message = { entry->number, entry->size, NULL };
      const char *uidl = g_hash_table_lookup (uidl_of, GUINT_TO_POINTER (entry->number));

      if (!check->result.fingerprints)
        {
          /* A message UIDL does not list (it arrived in between) waits
           * for the next check. */
          if (uidl == NULL)
            continue;
          message.uidl = g_strdup (uidl);
        }
      g_array_append_val (check->messages, message);
    }

  if (check->result.fingerprints)
    {
      g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (slot_free);
      gboolean top = TRUE;

      /* The headers, pipelined. Without TOP each message is read whole. */
      for (guint i = 0; i < check->messages->len; i++)
        {
          ServerMessage *message = &g_array_index (check->messages, ServerMessage, i);
          GAsyncResult **slot = g_new0 (GAsyncResult *, 1);

          g_ptr_array_add (slots, slot);
          buzon_pop3_session_top_async (check->session, message->number, 0, check->cancellable,
                                        store_cb, slot);
        }
      for (guint i = 0; i < check->messages->len; i++)
        {
          ServerMessage *message = &g_array_index (check->messages, ServerMessage, i);
          g_autoptr(GError) local_error = NULL;
          g_autoptr(GBytes) header = NULL;
          GAsyncResult **slot = slots->pdata[i];

          header = buzon_pop3_session_retrieve_finish (check->session, await (check, slot),
                                                       &local_error);
          if (header == NULL && top &&
              (g_error_matches (local_error, BUZON_POP3_SESSION_ERROR,
                                BUZON_POP3_SESSION_ERROR_UNSUPPORTED) ||
               g_error_matches (local_error, BUZON_POP3_SESSION_ERROR,
                                BUZON_POP3_SESSION_ERROR_FAILED)))
            top = FALSE;
          if (header == NULL && !top && buzon_pop3_session_is_connected (check->session))
            {
              g_autoptr(GAsyncResult) result = NULL;

              g_clear_error (&local_error);
              buzon_pop3_session_retrieve_async (check->session, message->number,
                                                 check->cancellable, store_cb, &result);
              header = buzon_pop3_session_retrieve_finish (check->session, AWAIT (result),
                                                           &local_error);
            }
          if (header == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          message->uidl = fingerprint (header, message->size);
        }
    }

  /* A UIDL listed twice (a broken server) is one message: the first. */
  for (guint i = 0; i < check->messages->len;)
    {
      ServerMessage *message = &g_array_index (check->messages, ServerMessage, i);

      if (!g_hash_table_add (seen, message->uidl))
        g_array_remove_index (check->messages, i);
      else
        i++;
    }

  check->result.on_server = check->messages->len;
  return TRUE;
}

static void
dele_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  (void)object;
  *slot = g_object_ref (result);
}

/* Sends DELE for @message, pipelined; its result is awaited before QUIT. */
static void
delete_message (Check               *check,
                const ServerMessage *message)
{
  GAsyncResult **slot = g_new0 (GAsyncResult *, 1);

  /* check->deleted holds the UIDL of each slot of check->deletions. */
  g_ptr_array_add (check->deletions, slot);
  g_ptr_array_add (check->deleted, g_strdup (message->uidl));
  buzon_pop3_session_delete_async (check->session, message->number, check->cancellable, dele_cb,
                                   slot);
  crash_point ("dele-sent");
}

/* Whether @record's mode says its message should leave the server now. */
static gboolean
should_delete (Check               *check,
               const BuzonPop3Uidl *record,
               gint64               now)
{
  BuzonAccount *account = check->self->account;
  guint days = buzon_account_get_pop3_keep_days (account);
  gboolean old = days > 0 && now - record->first_seen >= (gint64)days * SECONDS_PER_DAY;

  if (record->downloaded == 0)
    return FALSE;

  switch (buzon_account_get_pop3_mode (account))
    {
    case BUZON_POP3_MODE_DELETE:
      return TRUE;
    case BUZON_POP3_MODE_KEEP_DAYS:
      return old;
    case BUZON_POP3_MODE_KEEP_UNTIL_DELETED:
      /* And, with a number of days, at most that long. */
      return record->deleted_here || old;
    case BUZON_POP3_MODE_KEEP:
    default:
      return FALSE;
    }
}

/* Steps 2 and 3: what the store knows against what the server lists. Fills
 * @known with the UIDLs downloaded before. */
static gboolean
reconcile (Check       *check,
           GHashTable  *known,
           GError     **error)
{
  BuzonPop3Sync *self = check->self;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) listed = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  g_autoptr(GHashTable) by_uidl = NULL;
  gint64 now = buzon_store_now ();

  records = buzon_store_pop3_list_uidls (self->store, check->account_id, error);
  if (records == NULL)
    return FALSE;

  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < check->messages->len; i++)
    g_hash_table_add (listed, g_array_index (check->messages, ServerMessage, i).uidl);

  gone = g_ptr_array_new ();
  by_uidl = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < records->len; i++)
    {
      BuzonPop3Uidl *record = g_ptr_array_index (records, i);

      if (g_hash_table_contains (listed, record->uidl))
        g_hash_table_insert (by_uidl, record->uidl, record);
      else if (!record->deleted_on_server)
        g_ptr_array_add (gone, record->uidl);
    }
  g_ptr_array_add (gone, NULL);
  if (!buzon_store_pop3_mark_deleted (self->store, check->account_id,
                                      (const char * const *)gone->pdata, error))
    return FALSE;

  for (guint i = 0; i < check->messages->len; i++)
    {
      ServerMessage *message = &g_array_index (check->messages, ServerMessage, i);
      BuzonPop3Uidl *record = g_hash_table_lookup (by_uidl, message->uidl);

      if (record == NULL || record->downloaded == 0)
        continue;
      g_hash_table_add (known, g_strdup (message->uidl));
      if (should_delete (check, record, now))
        delete_message (check, message);
    }

  return TRUE;
}

typedef struct
{
  GPtrArray *downloads;   /* BuzonPop3Download * */
  GPtrArray *messages;    /* const ServerMessage *, the same order */
  gsize      bytes;
} Batch;

static void
download_free (BuzonPop3Download *download)
{
  g_free (download->uidl);
  g_clear_pointer (&download->summary, buzon_message_summary_free);
  g_clear_pointer (&download->raw, g_bytes_unref);
  g_free (download->text);
  g_free (download);
}

/* Commits @batch (fsync), then DELEs its messages if the mode says so. */
static gboolean
commit_batch (Check   *check,
              Batch   *batch,
              guint    total,
              GError **error)
{
  BuzonPop3Sync *self = check->self;
  gboolean delete_now = buzon_account_get_pop3_mode (self->account) == BUZON_POP3_MODE_DELETE;

  if (batch->downloads->len == 0)
    return TRUE;

  if (!buzon_store_pop3_save_messages (self->store, check->account_id,
                                       (BuzonPop3Download **)batch->downloads->pdata,
                                       batch->downloads->len, error))
    return FALSE;
  crash_point ("batch-committed");

  for (guint i = 0; i < batch->downloads->len; i++)
    {
      BuzonPop3Download *download = batch->downloads->pdata[i];

      if (!download->already_here)
        {
          check->result.downloaded++;
          emit_later (self, SIGNAL_NEW_MESSAGE, 0, 0, NULL, download->summary);
        }
      if (delete_now)
        delete_message (check, batch->messages->pdata[i]);
    }
  check->retrieved += batch->downloads->len;
  emit_later (self, SIGNAL_PROGRESS, check->retrieved, total, NULL, NULL);

  g_ptr_array_set_size (batch->downloads, 0);
  g_ptr_array_set_size (batch->messages, 0);
  batch->bytes = 0;

  return TRUE;
}

/* Step 4. */
static gboolean
download_new (Check       *check,
              GHashTable  *known,
              GError     **error)
{
  g_autoptr(GPtrArray) wanted = g_ptr_array_new ();
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (slot_free);
  Batch batch = { NULL, NULL, 0 };
  guint window;
  guint issued = 0;
  guint finished = 0;
  gboolean ok = TRUE;

  for (guint i = 0; i < check->messages->len; i++)
    {
      ServerMessage *message = &g_array_index (check->messages, ServerMessage, i);

      if (g_hash_table_contains (known, message->uidl))
        continue;
      /* One that cannot be held whole would stop every check at it. It
       * stays on the server (never downloaded, so never deleted). */
      if (message->size > check->self->max_message_size)
        {
          g_autofree char *size = g_format_size (message->size);
          g_autofree char *text =
            g_strdup_printf (_("Message %u on the server is too large to download here (%s); "
                               "it stays on the server. Read it with webmail or another "
                               "program."),
                             message->number, size);

          emit_later (check->self, SIGNAL_NOTICE, 0, 0, text, NULL);
          continue;
        }
      g_ptr_array_add (wanted, message);
    }
  if (wanted->len == 0)
    return TRUE;

  emit_later (check->self, SIGNAL_PROGRESS, 0, wanted->len, NULL, NULL);

  window = buzon_pop3_session_has_capability (check->session, "PIPELINING") ? RETR_WINDOW : 1;
  batch.downloads = g_ptr_array_new_with_free_func ((GDestroyNotify)download_free);
  batch.messages = g_ptr_array_new ();

  for (guint i = 0; ok && i < wanted->len; i++)
    {
      const ServerMessage *message = wanted->pdata[i];
      g_autoptr(GBytes) raw = NULL;
      BuzonPop3Download *download;

      while (issued < wanted->len && issued < i + window)
        {
          const ServerMessage *next = wanted->pdata[issued];
          GAsyncResult **slot = g_new0 (GAsyncResult *, 1);

          g_ptr_array_add (slots, slot);
          buzon_pop3_session_retrieve_async (check->session, next->number, check->cancellable,
                                             store_cb, slot);
          issued++;
          crash_point ("retr-sent");
        }

      raw = buzon_pop3_session_retrieve_finish (check->session,
                                                await (check, slots->pdata[i]), error);
      g_clear_object ((GAsyncResult **)slots->pdata[i]);
      finished = i + 1;
      if (raw == NULL)
        {
          ok = FALSE;
          break;
        }
      crash_point ("retr-received");

      download = g_new0 (BuzonPop3Download, 1);
      download->uidl = g_strdup (message->uidl);
      download->summary = buzon_mime_summary_from_bytes (raw, check->inbox_id, buzon_store_now (),
                                                         &download->text);
      download->summary->body_state = BUZON_BODY_STATE_FULL;
      download->raw = g_bytes_ref (raw);
      batch.bytes += g_bytes_get_size (raw);
      g_ptr_array_add (batch.downloads, download);
      g_ptr_array_add (batch.messages, (gpointer)message);

      if (batch.downloads->len >= BATCH_MESSAGES || batch.bytes >= BATCH_BYTES)
        ok = commit_batch (check, &batch, wanted->len, error);
    }

  /* What arrived before a failure is kept too. */
  if (batch.downloads->len > 0)
    {
      if (ok)
        ok = commit_batch (check, &batch, wanted->len, error);
      else
        (void)commit_batch (check, &batch, wanted->len, NULL);
    }

  /* RETRs still in flight after a failure end with it; wait for them so
   * none outlives this check. */
  for (guint i = finished; i < issued; i++)
    {
      g_autoptr(GBytes) ignored = NULL;

      ignored = buzon_pop3_session_retrieve_finish (check->session,
                                                    await (check, slots->pdata[i]), NULL);
    }

  g_ptr_array_unref (batch.downloads);
  g_ptr_array_unref (batch.messages);

  return ok;
}

/* Waits for the DELEs; keeps in check->deleted the UIDLs whose DELE the
 * server accepted. */
static gboolean
await_deletions (Check   *check,
                 GError **error)
{
  g_autoptr(GPtrArray) accepted = g_ptr_array_new_with_free_func (g_free);
  GError *first_error = NULL;

  for (guint i = 0; i < check->deletions->len; i++)
    {
      GAsyncResult **slot = check->deletions->pdata[i];
      g_autoptr(GError) local_error = NULL;

      if (buzon_pop3_session_command_finish (check->session, await (check, slot), &local_error))
        {
          g_ptr_array_add (accepted, g_strdup (check->deleted->pdata[i]));
          crash_point ("dele-answered");
        }
      else if (first_error == NULL && !buzon_pop3_session_is_connected (check->session))
        first_error = g_steal_pointer (&local_error);
      /* A DELE refused (another program deleted it) is left alone. */
    }

  g_ptr_array_set_size (check->deleted, 0);
  g_ptr_array_extend_and_steal (check->deleted, g_steal_pointer (&accepted));

  if (first_error != NULL)
    {
      g_propagate_error (error, first_error);
      return FALSE;
    }

  return TRUE;
}

/* The connection failed (@cause) after DELEs were sent: the server deletes
 * nothing without QUIT, and what was to be deleted is stored. */
static void
unconfirmed_error (Check         *check,
                   const GError  *cause,
                   GError       **error)
{
  g_set_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_CLOSED,
               _("The server %s did not confirm the end of the session, so it may not have "
                 "deleted the downloaded messages. Nothing is lost: every message is stored "
                 "here, and the next check deletes them from the server if needed. (%s)"),
               buzon_account_get_host (check->self->account), cause->message);
}

/* Step 5. */
static gboolean
quit (Check   *check,
      GError **error)
{
  BuzonPop3Sync *self = check->self;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;

  crash_point ("before-quit");
  buzon_pop3_session_quit_async (check->session, check->cancellable, store_cb, &result);
  crash_point ("quit-sent");
  if (!buzon_pop3_session_command_finish (check->session, AWAIT (result), &local_error))
    {
      if (check->deleted->len > 0)
        unconfirmed_error (check, local_error, error);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  crash_point ("after-quit");

  check->result.deleted = check->deleted->len;
  g_ptr_array_add (check->deleted, NULL);
  if (!buzon_store_pop3_mark_deleted (self->store, check->account_id,
                                      (const char * const *)check->deleted->pdata, error))
    return FALSE;
  crash_point ("after-bookkeeping");

  return TRUE;
}

static gboolean
run_check (Check   *check,
           GError **error)
{
  BuzonPop3Sync *self = check->self;
  g_autoptr(GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok;

  check->inbox_id = find_inbox (check, error);
  if (check->inbox_id == 0)
    return FALSE;

  if (!open_session (check, error))
    return FALSE;
  crash_point ("connected");

  if (!list_messages (check, error))
    return FALSE;
  crash_point ("listed");

  if (check->result.fingerprints)
    emit_later (self, SIGNAL_NOTICE, 0, 0, buzon_pop3_sync_fingerprint_warning (), NULL);

  ok = reconcile (check, known, error) && download_new (check, known, error);

  /* The DELEs sent so far are for stored messages: let them take effect
   * also when the download failed, if the connection still stands. */
  if (!buzon_pop3_session_is_connected (check->session))
    {
      if (ok)
        g_set_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_CLOSED,
                     _("The connection to %s closed."), buzon_account_get_host (self->account));
      return FALSE;
    }
  {
    g_autoptr(GError) local_error = NULL;

    if (!await_deletions (check, &local_error))
      {
        if (ok)
          unconfirmed_error (check, local_error, error);
        return FALSE;
      }
  }
  if (!ok)
    {
      (void)quit (check, NULL);
      return FALSE;
    }
  crash_point ("deletions-answered");

  return quit (check, error);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BuzonPop3Sync *self = source_object;
  BuzonPop3CheckResult *out = task_data;
  Check check = { NULL, };
  GError *error = NULL;
  gboolean ok;

  (void)cancellable;
  g_mutex_lock (&self->lock);

  check.self = self;
  check.context = g_main_context_new ();
  check.cancellable = g_task_get_cancellable (task);
  check.account_id = buzon_account_get_id (self->account);
  check.messages = g_array_new (FALSE, TRUE, sizeof (ServerMessage));
  g_array_set_clear_func (check.messages, server_message_clear);
  check.deletions = g_ptr_array_new_with_free_func (slot_free);
  check.deleted = g_ptr_array_new_with_free_func (g_free);

  g_main_context_push_thread_default (check.context);
  ok = run_check (&check, &error);
  if (check.session != NULL)
    {
      /* Nothing may outlive the check on this context: commands still
       * pending end with the connection. */
      buzon_pop3_session_disconnect (check.session);
      for (guint i = 0; i < check.deletions->len; i++)
        (void)await (&check, check.deletions->pdata[i]);
      g_clear_object (&check.session);
    }
  while (g_main_context_pending (check.context))
    g_main_context_iteration (check.context, FALSE);
  g_main_context_pop_thread_default (check.context);

  *out = check.result;
  g_array_unref (check.messages);
  g_ptr_array_unref (check.deletions);
  g_ptr_array_unref (check.deleted);
  g_main_context_unref (check.context);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * buzon_pop3_sync_fingerprint_warning:
 *
 * What an account whose server has no UIDL says to the user (see
 * buzon_store_pop3_uses_fingerprints()).
 *
 * Returns: the warning, translated
 */
const char *
buzon_pop3_sync_fingerprint_warning (void)
{
  return _("This server does not give its messages unique ids (UIDL), so Buzón tells them "
           "apart by their date, Message-ID and size. Leaving mail on the server cannot be "
           "exact here: two copies of the same message count as one.");
}

/**
 * buzon_pop3_sync_check_async:
 * @cancellable: (nullable): cancelling stops the check at once (nothing
 *   not yet stored was deleted from the server)
 * @callback: called when the check is over
 * @user_data: data for @callback
 *
 * Checks the account once: downloads what is new into the local Inbox and
 * deletes from the server what the account's mode says, as described at the
 * top of this file. Runs on a worker thread; checks of one engine run one
 * after another.
 */
void
buzon_pop3_sync_check_async (BuzonPop3Sync       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_POP3_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_pop3_sync_check_async));
  g_task_set_task_data (task, g_new0 (BuzonPop3CheckResult, 1), g_free);

  if (buzon_account_get_protocol (self->account) != BUZON_PROTOCOL_POP3)
    {
      g_task_return_new_error (task, BUZON_POP3_SYNC_ERROR, BUZON_POP3_SYNC_ERROR_NOT_POP3,
                               _("The account “%s” does not use POP3."),
                               buzon_account_get_name (self->account));
      return;
    }

  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, check_thread);
}

/**
 * buzon_pop3_sync_check_finish:
 * @out_result: (out) (optional): what the check did (also when it failed:
 *   what it did until then)
 * @error: return location for an error
 *
 * Returns: %TRUE if the check went through to the end
 */
gboolean
buzon_pop3_sync_check_finish (BuzonPop3Sync         *self,
                              GAsyncResult          *result,
                              BuzonPop3CheckResult  *out_result,
                              GError               **error)
{
  g_return_val_if_fail (BUZON_IS_POP3_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_result != NULL)
    *out_result = *(BuzonPop3CheckResult *)g_task_get_task_data (G_TASK (result));

  return g_task_propagate_boolean (G_TASK (result), error);
}
