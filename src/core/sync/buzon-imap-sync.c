/* buzon-imap-sync.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapSync: keeps one IMAP account's folders and messages in the store
 * in step with the server, and replays the user's queued operations on it.
 *
 * Threads. The engine owns a thread with its own GMainContext, on which its
 * one BuzonImapSession lives. Every public call is a job queued to that
 * thread and run there to its end, one at a time, in order; its result comes
 * back as a GTask to the caller's context, and so do the signals. Inside a
 * job the code reads top to bottom: each IMAP command is the session's async
 * call, waited for by iterating the engine's own context
 * (_buzon_imap_sync_wait()), so the owner's main loop never waits on the
 * network and never runs engine code. Cancelling a job disconnects the
 * session; the next job connects again.
 *
 * A folder's sync (sync_folder()):
 *   1. SELECT (with QRESYNC when both sides know the folder's last state:
 *      the server then reports expunges as VANISHED and flag changes as
 *      FETCH right away, RFC 7162 §3.2.5);
 *   2. a new UIDVALIDITY drops the folder's cached messages (RFC 3501
 *      §2.3.1.1); pending operations stay;
 *   3. nothing changed — UIDNEXT, HIGHESTMODSEQ and the count as stored —
 *      means done: a no-op resync costs the SELECT alone;
 *   4. flags: with CONDSTORE only those changed since the stored
 *      HIGHESTMODSEQ; without it all FLAGS, which also list every UID;
 *   5. UIDs: when the count does not add up and expunges are not known
 *      otherwise, UID SEARCH ALL; new = server − store, gone = store − server;
 *   6. new messages' summaries newest first in batches, several commands in
 *      flight, each batch one store transaction: an interrupted sync keeps
 *      what it stored and the next one fetches only the rest;
 *   7. the folder's state (UIDNEXT, HIGHESTMODSEQ) is stored last, so only
 *      a complete sync lets the next one take the shortcut of step 3.
 * Then, for accounts that keep mail offline, bodies newest first (optionally
 * only the last N days).
 *
 * The queue (buzon-imap-replay.c) is replayed before anything is fetched, so
 * the server already holds the user's changes when its state is read back.
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-imap-convert.h"
#include "buzon-imap-sync-private.h"
#include "buzon-imap-uid-set.h"
#include "buzon-mime-text.h"
#include "buzon-net.h"
#include "buzon-secrets.h"

/* Summaries per UID FETCH, and how many such commands are in flight. */
#define SUMMARY_BATCH   250
#define SUMMARY_WINDOW  4
#define SUMMARY_SPAN    1000
/* Bodies per UID FETCH: few, since each may be large. */
#define BODY_BATCH      20
#define BODY_WINDOW     2
/* RFC 2177 §3: clients should re-issue IDLE at least every 29 minutes. */
#define IDLE_RESTART_SECONDS (29 * 60)
#define DEFAULT_POLL_SECONDS 120
/* Other clients' folder changes show up within this long while watching. */
#define DEFAULT_FOLDER_LIST_SECONDS 300
/* Below BUZON_CONNECTION_DEFAULT_IO_TIMEOUT, which ends a quiet session. */
#define NOOP_MAX_SECONDS 25
#define PREVIEW_CHARS 200

typedef void (*JobFunc) (BuzonImapSync *self,
                         GTask         *task);

typedef struct
{
  JobFunc             func;
  BuzonImapSyncFlags  flags;
  char               *folder;
  char               *query;
  GStrv               folders;
  gint64              message_id;
  gboolean            engine_gone;  /* the stop job: the engine was finalized */
} Job;

static void
job_free (Job *job)
{
  g_free (job->folder);
  g_free (job->query);
  g_strfreev (job->folders);
  g_free (job);
}

enum
{
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNT,
  PROP_POLL_INTERVAL,
  PROP_FOLDER_LIST_INTERVAL,
  N_PROPS
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_NEW_MESSAGE,
  SIGNAL_NOTICE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static guint poll_interval_default = DEFAULT_POLL_SECONDS;

G_DEFINE_FINAL_TYPE (BuzonImapSync, buzon_imap_sync, G_TYPE_OBJECT)
G_DEFINE_QUARK (buzon-imap-sync-error-quark, buzon_imap_sync_error)

/* Signals, emitted in the owner's context */

typedef struct
{
  BuzonImapSync       *self;
  guint                signal;
  char                *folder;
  char                *text;
  guint                done;
  guint                total;
  BuzonMessageSummary *summary;
} Emission;

static gboolean
emit_cb (gpointer data)
{
  Emission *e = data;

  switch (e->signal)
    {
    case SIGNAL_PROGRESS:
      g_signal_emit (e->self, signals[SIGNAL_PROGRESS], 0, e->folder, e->done, e->total);
      break;
    case SIGNAL_NEW_MESSAGE:
      g_signal_emit (e->self, signals[SIGNAL_NEW_MESSAGE], 0, e->folder, e->summary);
      break;
    case SIGNAL_NOTICE:
    default:
      g_signal_emit (e->self, signals[SIGNAL_NOTICE], 0, e->text);
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->folder);
  g_free (e->text);
  g_clear_pointer (&e->summary, buzon_message_summary_free);
  g_free (e);
}

static void
emit_later (BuzonImapSync       *self,
            guint                signal,
            const char          *folder,
            const char          *text,
            guint                done,
            guint                total,
            BuzonMessageSummary *summary)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->signal = signal;
  e->folder = g_strdup (folder);
  e->text = g_strdup (text);
  e->done = done;
  e->total = total;
  e->summary = summary != NULL ? buzon_message_summary_copy (summary) : NULL;
  g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, emit_cb, e, emission_free);
}

void
_buzon_imap_sync_emit_op_failed (BuzonImapSync *self,
                                 const char    *message)
{
  emit_later (self, SIGNAL_NOTICE, NULL, message, 0, 0, NULL);
}

/* Waiting on the engine's thread */

void
_buzon_imap_sync_store_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
_buzon_imap_sync_wait (BuzonImapSync  *self,
                       GAsyncResult  **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (self->context, TRUE);

  return *slot;
}

#define AWAIT(result) (_buzon_imap_sync_wait (self, &(result)))
#define STORE_CB _buzon_imap_sync_store_cb

/* Errors after which the session is no use: reconnect next time. */
gboolean
_buzon_imap_sync_is_connection_error (const GError *error)
{
  if (error == NULL)
    return FALSE;

  return error->domain == BUZON_NET_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED) ||
         g_error_matches (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_PROTOCOL) ||
         g_error_matches (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED);
}

static void
drop_session (BuzonImapSync *self)
{
  if (self->watchers != NULL)
    g_ptr_array_set_size (self->watchers, 0);

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      buzon_imap_session_disconnect (self->session);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->selected, g_free);
}

/* Session signals: the server told us something changed. */
static void
session_changed_cb (BuzonImapSession *session,
                    gpointer          self_ptr)
{
  BuzonImapSync *self = self_ptr;

  self->wakeup = TRUE;
  if (buzon_imap_session_is_idling (session))
    buzon_imap_session_idle_done (session);
}

static void
session_exists_cb (BuzonImapSession *session,
                   guint             exists,
                   gpointer          self_ptr)
{
  BuzonImapSync *self = self_ptr;

  self->selected_exists = exists;
  session_changed_cb (session, self);
}

static void
session_expunge_cb (BuzonImapSession *session,
                    guint             number,
                    gpointer          self_ptr)
{
  session_changed_cb (session, self_ptr);
}

static void
session_vanished_cb (BuzonImapSession *session,
                     GArray           *uids,
                     gboolean          earlier,
                     gpointer          self_ptr)
{
  session_changed_cb (session, self_ptr);
}

static void
session_fetch_cb (BuzonImapSession *session,
                  gpointer          fetch,
                  gpointer          self_ptr)
{
  session_changed_cb (session, self_ptr);
}

static void
session_alert_cb (BuzonImapSession *session,
                  const char       *text,
                  gpointer          self_ptr)
{
  BuzonImapSync *self = self_ptr;
  g_autofree char *message = NULL;

  /* RFC 3501 §7.1: ALERT text must be shown to the user. */
  message = g_strdup_printf (_("The server “%s” says: %s"),
                             buzon_account_get_host (self->account), text);
  emit_later (self, SIGNAL_NOTICE, NULL, message, 0, 0, NULL);
}

/* Connects and logs in a new session into *@slot (set before connecting, so
 * that cancelling the job can disconnect it). */
static gboolean
open_session (BuzonImapSync     *self,
              BuzonImapSession **slot,
              GError           **error)
{
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) local_error = NULL;
  BuzonImapSession *session;
  const char *username;

  if (buzon_account_get_protocol (self->account) != BUZON_PROTOCOL_IMAP)
    {
      g_set_error (error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_NOT_IMAP,
                   _("The account “%s” does not use IMAP."),
                   buzon_account_get_name (self->account));
      return FALSE;
    }

  password = buzon_secrets_lookup_password (self->account, BUZON_SECRET_INCOMING,
                                            self->job_cancellable, &local_error);
  if (password == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_NO_PASSWORD,
                     _("There is no password for the account “%s”. Set one with "
                       "“buzon-cli account set-password”."),
                     buzon_account_get_name (self->account));
      return FALSE;
    }

  connection = buzon_connection_new_for_account (self->account, BUZON_CONNECTION_SERVER_INCOMING);
  buzon_connection_set_store (connection, self->store);
  if (self->tls_database != NULL)
    buzon_connection_set_tls_database (connection, self->tls_database);

  session = buzon_imap_session_new (connection);
  *slot = session;

  username = buzon_account_get_username (self->account);
  if (username == NULL || *username == '\0')
    username = buzon_account_get_address (self->account);

  buzon_imap_session_connect_async (session, username, password, self->job_cancellable,
                                    STORE_CB, &result);

  return buzon_imap_session_connect_finish (session, AWAIT (result), error);
}

gboolean
_buzon_imap_sync_ensure_session (BuzonImapSync  *self,
                                 GError        **error)
{
  if (self->session != NULL && buzon_imap_session_is_connected (self->session))
    return TRUE;

  drop_session (self);

  if (!open_session (self, &self->session, error))
    {
      drop_session (self);
      return FALSE;
    }

  g_signal_connect (self->session, "exists", G_CALLBACK (session_exists_cb), self);
  g_signal_connect (self->session, "expunge", G_CALLBACK (session_expunge_cb), self);
  g_signal_connect (self->session, "vanished", G_CALLBACK (session_vanished_cb), self);
  g_signal_connect (self->session, "fetch", G_CALLBACK (session_fetch_cb), self);
  g_signal_connect (self->session, "alert", G_CALLBACK (session_alert_cb), self);

  return TRUE;
}

/* Whether @name changed on the server since its last complete sync, as far
 * as a SELECT or EXAMINE of it (@info) tells: mail came or went, or (where
 * the server keeps modseqs) flags changed. What changes between a folder's
 * sync and the SELECT or EXAMINE that starts watching it comes with no
 * EXISTS or FETCH, so the watch compares instead. */
static gboolean
changed_since_sync (BuzonImapSync             *self,
                    const char                *name,
                    const BuzonImapSelectInfo *info)
{
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GArray) uids = NULL;

  folder = buzon_store_lookup_folder (self->store, buzon_account_get_id (self->account), name,
                                      NULL);
  if (folder == NULL)
    return FALSE;
  uids = buzon_store_list_uids (self->store, folder->id, NULL);
  if (uids == NULL)
    return FALSE;

  return info->uidvalidity != folder->uidvalidity || info->uidnext != folder->uidnext ||
         info->exists != uids->len ||
         (!info->nomodseq && info->highestmodseq != 0 && folder->highestmodseq != 0 &&
          info->highestmodseq != folder->highestmodseq);
}

/* Watchers: one more connection per extra watched folder, idling on it
 * (RFC 2177 IDLE watches the selected mailbox only). A change there wakes
 * the main session, which syncs. */

typedef struct
{
  BuzonImapSync    *self;
  char             *folder;
  BuzonImapSession *session;
  GSource          *restart;
  gboolean          idling;
  gboolean          broken;
} Watcher;

static void
watcher_free (Watcher *watcher)
{
  if (watcher->restart != NULL)
    {
      g_source_destroy (watcher->restart);
      g_source_unref (watcher->restart);
    }
  if (watcher->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (watcher->session, watcher);
      buzon_imap_session_disconnect (watcher->session);
      /* Let a pending IDLE callback run down before the watcher goes. */
      while (watcher->idling)
        g_main_context_iteration (watcher->self->context, TRUE);
    }
  g_clear_object (&watcher->session);
  g_free (watcher->folder);
  g_free (watcher);
}

static void
wake_main (BuzonImapSync *self)
{
  self->wakeup = TRUE;
  if (self->session != NULL && buzon_imap_session_is_idling (self->session))
    buzon_imap_session_idle_done (self->session);
}

static void
watcher_changed_cb (BuzonImapSession *session,
                    gpointer          data)
{
  Watcher *watcher = data;

  wake_main (watcher->self);
}

static void
watcher_exists_cb (BuzonImapSession *session,
                   guint             exists,
                   gpointer          data)
{
  watcher_changed_cb (session, data);
}

static void
watcher_vanished_cb (BuzonImapSession *session,
                     GArray           *uids,
                     gboolean          earlier,
                     gpointer          data)
{
  watcher_changed_cb (session, data);
}

static void
watcher_fetch_cb (BuzonImapSession *session,
                  gpointer          fetch,
                  gpointer          data)
{
  watcher_changed_cb (session, data);
}

static void watcher_idle (Watcher *watcher);

static gboolean
watcher_restart_cb (gpointer data)
{
  Watcher *watcher = data;

  g_clear_pointer (&watcher->restart, g_source_unref);
  if (watcher->idling)
    buzon_imap_session_idle_done (watcher->session);

  return G_SOURCE_REMOVE;
}

static void
watcher_idle_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Watcher *watcher = data;
  g_autoptr(GError) error = NULL;

  watcher->idling = FALSE;
  if (!buzon_imap_session_idle_finish (BUZON_IMAP_SESSION (object), result, &error))
    {
      g_debug ("watching “%s” stopped: %s", watcher->folder, error->message);
      watcher->broken = TRUE;
      /* The next pass notices and reconnects it; sync now in case. */
      wake_main (watcher->self);
      return;
    }

  if (buzon_imap_session_is_connected (watcher->session))
    watcher_idle (watcher);
}

static void
watcher_idle (Watcher *watcher)
{
  if (watcher->restart != NULL)
    {
      g_source_destroy (watcher->restart);
      g_clear_pointer (&watcher->restart, g_source_unref);
    }
  watcher->restart = g_timeout_source_new_seconds (IDLE_RESTART_SECONDS);
  g_source_set_callback (watcher->restart, watcher_restart_cb, watcher, NULL);
  g_source_attach (watcher->restart, watcher->self->context);

  watcher->idling = TRUE;
  buzon_imap_session_idle_async (watcher->session, NULL, watcher_idle_cb, watcher);
}

static gboolean
start_watcher (BuzonImapSync  *self,
               const char     *folder,
               GError        **error)
{
  Watcher *watcher = g_new0 (Watcher, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;

  watcher->self = self;
  watcher->folder = g_strdup (folder);
  g_ptr_array_add (self->watchers, watcher);

  if (!open_session (self, &watcher->session, error))
    return FALSE;

  /* EXAMINE: watching must not take \Recent away from the user's clients. */
  buzon_imap_session_select_async (watcher->session, folder, TRUE, self->job_cancellable,
                                   STORE_CB, &result);
  info = buzon_imap_session_select_finish (watcher->session, AWAIT (result), error);
  if (info == NULL)
    return FALSE;

  /* Mail that came after the pass synced the folder, before this EXAMINE,
   * would otherwise wait for the next change there. */
  if (changed_since_sync (self, folder, info))
    wake_main (self);

  g_signal_connect (watcher->session, "exists", G_CALLBACK (watcher_exists_cb), watcher);
  g_signal_connect (watcher->session, "vanished", G_CALLBACK (watcher_vanished_cb), watcher);
  g_signal_connect (watcher->session, "fetch", G_CALLBACK (watcher_fetch_cb), watcher);
  watcher_idle (watcher);

  return TRUE;
}

/* Makes sure every folder after the first has a working watcher. */
static gboolean
ensure_watchers (BuzonImapSync       *self,
                 const char * const  *names,
                 GError             **error)
{
  for (guint i = self->watchers->len; i > 0; i--)
    {
      Watcher *watcher = g_ptr_array_index (self->watchers, i - 1);

      if (watcher->broken || watcher->session == NULL ||
          !buzon_imap_session_is_connected (watcher->session))
        g_ptr_array_remove_index (self->watchers, i - 1);
    }

  for (guint i = 1; names[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < self->watchers->len && !found; j++)
        found = g_strcmp0 (((Watcher *)g_ptr_array_index (self->watchers, j))->folder,
                           names[i]) == 0;
      if (!found && !start_watcher (self, names[i], error))
        return FALSE;
    }

  return TRUE;
}

BuzonImapSelectInfo *
_buzon_imap_sync_select (BuzonImapSync  *self,
                         const char     *mailbox,
                         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  BuzonImapSelectInfo *info;

  buzon_imap_session_select_async (self->session, mailbox, FALSE, self->job_cancellable,
                                   STORE_CB, &result);
  info = buzon_imap_session_select_finish (self->session, AWAIT (result), error);

  g_free (self->selected);
  self->selected = info != NULL ? g_strdup (mailbox) : NULL;
  if (info != NULL)
    self->selected_exists = info->exists;

  return info;
}

/* Folder list */

static gint
folder_depth_cmp (gconstpointer a,
                  gconstpointer b)
{
  const BuzonFolder *fa = *(BuzonFolder * const *)a;
  const BuzonFolder *fb = *(BuzonFolder * const *)b;

  return (gint)strlen (fa->name) - (gint)strlen (fb->name);
}

/* Folders renamed on the server (by another device) show up as one gone and
 * one new folder. Dovecot, Cyrus and most servers keep the UIDVALIDITY
 * across a RENAME, so a new folder whose STATUS UIDVALIDITY equals a gone
 * one's is that folder: rename it here, keeping its messages. */
static gboolean
detect_renames (BuzonImapSync  *self,
                GPtrArray      *gone,
                GPtrArray      *added,
                GError        **error)
{
  if (gone->len == 0 || added->len == 0)
    return TRUE;

  /* Parents first: renaming one renames its subtree here too. */
  g_ptr_array_sort (gone, folder_depth_cmp);

  for (guint i = 0; i < added->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (added, i);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(BuzonImapMailboxStatus) status = NULL;
      g_autoptr(GError) local_error = NULL;

      if (mailbox->flags & (BUZON_IMAP_MAILBOX_NOSELECT | BUZON_IMAP_MAILBOX_NONEXISTENT))
        continue;

      buzon_imap_session_status_async (self->session, mailbox->name, self->job_cancellable,
                                       STORE_CB, &result);
      status = buzon_imap_session_status_finish (self->session, AWAIT (result), &local_error);
      if (status == NULL)
        {
          if (_buzon_imap_sync_is_connection_error (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          continue;
        }

      for (guint j = 0; j < gone->len; j++)
        {
          BuzonFolder *folder = g_ptr_array_index (gone, j);

          if (folder->uidvalidity != 0 && folder->uidvalidity == status->uidvalidity)
            {
              g_autoptr(GError) rename_error = NULL;

              g_debug ("folder “%s” was renamed to “%s” on the server", folder->name,
                       mailbox->name);
              if (!buzon_store_rename_folder (self->store, folder->id, mailbox->name,
                                              &rename_error))
                g_debug ("could not follow the rename: %s", rename_error->message);
              g_ptr_array_remove_index (gone, j);
              break;
            }
        }
    }

  return TRUE;
}

static gboolean
sync_folder_list (BuzonImapSync  *self,
                  GPtrArray     **out_folders,
                  GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) mailboxes = NULL;
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  g_autoptr(GHashTable) server_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) local_names = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 account_id = buzon_account_get_id (self->account);
  gboolean by_name;

  buzon_imap_session_list_async (self->session, self->job_cancellable, STORE_CB, &result);
  mailboxes = buzon_imap_session_list_finish (self->session, AWAIT (result), error);
  if (mailboxes != NULL)
    self->folders_listed = g_get_monotonic_time ();
  if (mailboxes == NULL)
    return FALSE;

  local = buzon_store_list_folders (self->store, account_id, error);
  if (local == NULL)
    return FALSE;

  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);

      if (mailbox->flags & BUZON_IMAP_MAILBOX_NONEXISTENT)
        continue;
      g_hash_table_add (server_names, mailbox->name);
    }
  for (guint i = 0; i < local->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (local, i);

      g_hash_table_add (local_names, folder->name);
      if (!g_hash_table_contains (server_names, folder->name))
        g_ptr_array_add (gone, folder);
    }
  for (guint i = 0; i < mailboxes->len; i++)
    {
      BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);

      if (!(mailbox->flags & BUZON_IMAP_MAILBOX_NONEXISTENT) &&
          !g_hash_table_contains (local_names, mailbox->name))
        g_ptr_array_add (added, mailbox);
    }

  if (!detect_renames (self, gone, added, error))
    return FALSE;

  /* Names are only a guess for servers that mark no folder at all. */
  by_name = !buzon_imap_session_has_capability (self->session, "SPECIAL-USE");
  for (guint i = 0; by_name && i < mailboxes->len; i++)
    if (((BuzonImapMailbox *)g_ptr_array_index (mailboxes, i))->flags &
        BUZON_IMAP_MAILBOX_SPECIAL_USE_MASK)
      by_name = FALSE;

  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      g_autoptr(BuzonFolder) folder = NULL;

      if (mailbox->flags & BUZON_IMAP_MAILBOX_NONEXISTENT)
        continue;

      folder = buzon_imap_folder_from_mailbox (mailbox, account_id, by_name);
      if (!buzon_store_upsert_folder (self->store, folder, error))
        return FALSE;
    }

  /* Deepest first, so a parent's cascade never removes a row twice. */
  for (guint i = gone->len; i > 0; i--)
    {
      BuzonFolder *folder = g_ptr_array_index (gone, i - 1);
      g_autoptr(GError) local_error = NULL;

      if (!buzon_store_delete_folder (self->store, folder->id, &local_error) &&
          !g_error_matches (local_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  *out_folders = buzon_store_list_folders (self->store, account_id, error);

  return *out_folders != NULL;
}

/* One folder */

static gboolean
apply_fetched_flags (BuzonImapSync  *self,
                     gint64          folder_id,
                     GPtrArray      *fetches,
                     GError        **error)
{
  g_autoptr(GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);

  if (fetches == NULL || fetches->len == 0)
    return TRUE;

  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      BuzonMessageSummary *change;

      if (!(fetch->items & BUZON_IMAP_FETCH_UID) || !(fetch->items & BUZON_IMAP_FETCH_FLAGS))
        continue;

      change = buzon_message_summary_new ();
      change->uid = fetch->uid;
      change->flags = buzon_imap_flags_to_store (fetch->system_flags);
      change->keywords = buzon_imap_keywords_from_flags ((const char * const *)fetch->flags);
      g_ptr_array_add (changes, change);
    }

  return buzon_store_apply_server_flags (self->store, folder_id, changes, error);
}

static gint
uid_desc_cmp (gconstpointer a,
              gconstpointer b)
{
  guint32 ua = *(const guint32 *)a;
  guint32 ub = *(const guint32 *)b;

  return ua < ub ? 1 : ua > ub ? -1 : 0;
}

/* Sets @out_new to the UIDs of @server not in @local (both ascending), and
 * @out_gone to those of @local not in @server. */
static void
diff_uids (GArray  *server,
           GArray  *local,
           GArray **out_new,
           GArray **out_gone)
{
  GArray *added = g_array_new (FALSE, FALSE, sizeof (guint32));
  GArray *gone = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint i = 0, j = 0;

  while (i < server->len || j < local->len)
    {
      guint32 s = i < server->len ? g_array_index (server, guint32, i) : G_MAXUINT32;
      guint32 l = j < local->len ? g_array_index (local, guint32, j) : G_MAXUINT32;

      if (i < server->len && (j >= local->len || s < l))
        {
          g_array_append_val (added, s);
          i++;
        }
      else if (j < local->len && (i >= server->len || l < s))
        {
          g_array_append_val (gone, l);
          j++;
        }
      else
        {
          i++;
          j++;
        }
    }

  *out_new = added;
  *out_gone = gone;
}

static gint
uid_asc_cmp (gconstpointer a,
             gconstpointer b)
{
  return -uid_desc_cmp (a, b);
}

/* Stores one batch of fetched summaries; a message the user moved or copied
 * here without learning its UID is recognised by its Message-ID. */
static gboolean
store_summaries (BuzonImapSync  *self,
                 BuzonFolder    *folder,
                 GPtrArray      *fetches,
                 GHashTable     *wanted,
                 GHashTable     *unplaced,
                 gboolean        notify,
                 GError        **error)
{
  g_autoptr(GPtrArray) summaries =
    g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);

  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      BuzonMessageSummary *summary;

      /* A batch's UID range may span messages stored before (the gaps an
       * interrupted sync left): those are not new. */
      if (!g_hash_table_contains (wanted, GUINT_TO_POINTER (fetch->uid)))
        continue;

      summary = buzon_imap_summary_from_fetch (fetch, folder->id);

      if (unplaced != NULL && summary->message_id != NULL)
        {
          gint64 *id = g_hash_table_lookup (unplaced, summary->message_id);

          if (id != NULL)
            {
              summary->id = *id;
              g_hash_table_remove (unplaced, summary->message_id);
            }
        }
      g_ptr_array_add (summaries, summary);
    }

  if (!buzon_store_upsert_messages (self->store, summaries, error))
    return FALSE;

  if (notify)
    for (guint i = 0; i < summaries->len; i++)
      emit_later (self, SIGNAL_NEW_MESSAGE, folder->name, NULL, 0, 0,
                  g_ptr_array_index (summaries, i));

  return TRUE;
}

/* Fetches the summaries of @uids (descending) in batches, several in flight. */
static gboolean
fetch_new_messages (BuzonImapSync  *self,
                    BuzonFolder    *folder,
                    GArray         *uids,
                    gboolean        notify,
                    GError        **error)
{
  g_autoptr(GHashTable) unplaced = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GArray) batches = NULL;
  GAsyncResult *results[SUMMARY_WINDOW] = { NULL, };
  guint sent = 0, received = 0, n_batches;
  gboolean ok = TRUE;

  if (uids->len == 0)
    return TRUE;

  unplaced = buzon_store_list_unplaced (self->store, folder->id, error);
  if (unplaced == NULL)
    return FALSE;
  if (g_hash_table_size (unplaced) == 0)
    g_clear_pointer (&unplaced, g_hash_table_unref);

  wanted = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < uids->len; i++)
    g_hash_table_add (wanted, GUINT_TO_POINTER (g_array_index (uids, guint32, i)));

  /* Batches of up to SUMMARY_BATCH new UIDs whose range spans at most
   * SUMMARY_SPAN UIDs, so that a batch never drags along many messages
   * already stored (the gaps an interrupted sync leaves). */
  batches = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < uids->len;)
    {
      guint first = i;
      guint32 high = g_array_index (uids, guint32, first);

      g_array_append_val (batches, first);
      while (i < uids->len && i - first < SUMMARY_BATCH &&
             high - g_array_index (uids, guint32, i) < SUMMARY_SPAN)
        i++;
    }
  n_batches = batches->len;

  while (received < n_batches)
    {
      g_autoptr(GPtrArray) fetches = NULL;
      GAsyncResult **slot;
      guint batch_end;

      /* Keep the window full. */
      while (ok && sent < n_batches && sent - received < SUMMARY_WINDOW)
        {
          guint first = g_array_index (batches, guint, sent);
          guint end = sent + 1 < batches->len ? g_array_index (batches, guint, sent + 1)
                                              : uids->len;
          /* Descending: the batch spans [uids[end - 1], uids[first]]. */
          guint32 low = g_array_index (uids, guint32, end - 1);
          guint32 high = g_array_index (uids, guint32, first);

          buzon_imap_session_uid_fetch_summaries_async (self->session, low, high,
                                                        self->job_cancellable, STORE_CB,
                                                        &results[sent % SUMMARY_WINDOW]);
          sent++;
        }

      slot = &results[received % SUMMARY_WINDOW];
      _buzon_imap_sync_wait (self, slot);
      fetches = buzon_imap_session_uid_fetch_summaries_finish (self->session, *slot,
                                                               ok ? error : NULL);
      g_clear_object (slot);
      received++;

      if (fetches == NULL)
        {
          ok = FALSE;
          /* Drain what is in flight (the session fails it fast when closed). */
          n_batches = sent;
          continue;
        }

      if (ok && !store_summaries (self, folder, fetches, wanted, unplaced, notify, error))
        {
          ok = FALSE;
          n_batches = sent;
          continue;
        }

      batch_end = received < batches->len ? g_array_index (batches, guint, received) : uids->len;
      emit_later (self, SIGNAL_PROGRESS, folder->name, NULL, batch_end, uids->len, NULL);
    }

  return ok;
}

static GArray *
search_all (BuzonImapSync  *self,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GArray *uids;

  buzon_imap_session_uid_search_async (self->session, 0, 0, NULL, self->job_cancellable,
                                       STORE_CB, &result);
  uids = buzon_imap_session_uid_search_finish (self->session, AWAIT (result), error);
  if (uids != NULL)
    g_array_sort (uids, uid_asc_cmp);

  return uids;
}

static gboolean
sync_folder (BuzonImapSync  *self,
             BuzonFolder    *stored,
             gboolean        notify,
             GError        **error)
{
  g_autoptr(BuzonFolder) folder = buzon_folder_copy (stored);
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GArray) local = NULL;
  g_autoptr(GArray) server = NULL;
  g_autoptr(GArray) added = NULL;
  g_autoptr(GArray) gone = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean condstore = buzon_imap_session_has_condstore (self->session);
  gboolean qresync = buzon_imap_session_has_qresync (self->session);
  gboolean used_qresync = FALSE;
  gboolean reset = FALSE;

  if (buzon_folder_has_attribute (folder, "\\Noselect") ||
      buzon_folder_has_attribute (folder, "\\NonExistent"))
    return TRUE;

  if (qresync && folder->uidvalidity != 0 && folder->highestmodseq != 0)
    {
      buzon_imap_session_select_qresync_async (self->session, folder->name, FALSE,
                                               folder->uidvalidity, folder->highestmodseq,
                                               NULL, self->job_cancellable, STORE_CB, &result);
      info = buzon_imap_session_select_finish (self->session, AWAIT (result), error);
      g_free (self->selected);
      self->selected = info != NULL ? g_strdup (folder->name) : NULL;
      used_qresync = info != NULL;
    }
  else
    info = _buzon_imap_sync_select (self, folder->name, error);

  if (info == NULL)
    return FALSE;

  /* A new UIDVALIDITY: the UIDs we hold mean nothing any more. */
  if (folder->uidvalidity != info->uidvalidity)
    {
      if (!buzon_store_update_folder_sync_state (self->store, folder->id, info->uidvalidity,
                                                 0, 0, &reset, error))
        return FALSE;
      if (reset)
        g_debug ("UIDVALIDITY of “%s” changed: refetching it", folder->name);
      folder->uidvalidity = info->uidvalidity;
      folder->uidnext = 0;
      folder->highestmodseq = 0;
      used_qresync = FALSE;
    }

  if (info->nomodseq)
    condstore = FALSE;

  local = buzon_store_list_uids (self->store, folder->id, error);
  if (local == NULL)
    return FALSE;

  if (used_qresync)
    {
      if (info->vanished != NULL && info->vanished->len > 0)
        {
          if (!buzon_store_expunge_uids (self->store, folder->id,
                                         (const guint32 *)(gpointer)info->vanished->data,
                                         info->vanished->len, error))
            return FALSE;
          g_clear_pointer (&local, g_array_unref);
          local = buzon_store_list_uids (self->store, folder->id, error);
          if (local == NULL)
            return FALSE;
        }
      if (!apply_fetched_flags (self, folder->id, info->changed, error))
        return FALSE;
    }

  /* Nothing changed since the last complete sync: done. */
  if (folder->uidnext != 0 && info->uidnext == folder->uidnext && info->exists == local->len &&
      (used_qresync || (condstore && info->highestmodseq == folder->highestmodseq)))
    return TRUE;

  /* Flags of the messages already here. */
  if (local->len > 0 && !used_qresync)
    {
      g_autoptr(GPtrArray) fetches = NULL;
      g_autoptr(GArray) vanished = NULL;
      guint64 since = condstore ? folder->highestmodseq : 0;

      if (!condstore || since == 0 || info->highestmodseq != since)
        {
          g_clear_object (&result);
          buzon_imap_session_uid_fetch_flags_async (self->session, 1, BUZON_IMAP_UID_STAR,
                                                    since, self->job_cancellable, STORE_CB,
                                                    &result);
          fetches = buzon_imap_session_uid_fetch_flags_finish (self->session, AWAIT (result),
                                                               &vanished, error);
          if (fetches == NULL)
            return FALSE;
          if (!apply_fetched_flags (self, folder->id, fetches, error))
            return FALSE;
          if (vanished != NULL && vanished->len > 0 &&
              !buzon_store_expunge_uids (self->store, folder->id,
                                         (const guint32 *)(gpointer)vanished->data,
                                         vanished->len, error))
            return FALSE;

          /* A fetch of every message's FLAGS lists every UID, too. */
          if (since == 0)
            {
              server = g_array_sized_new (FALSE, FALSE, sizeof (guint32), fetches->len);
              for (guint i = 0; i < fetches->len; i++)
                {
                  const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);

                  g_array_append_val (server, fetch->uid);
                }
              g_array_sort (server, uid_asc_cmp);
            }
        }
    }

  if (server == NULL)
    {
      if (folder->uidnext != 0 && info->uidnext == folder->uidnext && info->exists == local->len)
        server = g_array_ref (local);
      else if ((server = search_all (self, error)) == NULL)
        return FALSE;
    }

  diff_uids (server, local, &added, &gone);

  if (gone->len > 0 &&
      !buzon_store_expunge_uids (self->store, folder->id, (const guint32 *)(gpointer)gone->data,
                                 gone->len, error))
    return FALSE;

  g_array_sort (added, uid_desc_cmp);
  if (!fetch_new_messages (self, folder, added, notify, error))
    return FALSE;

  return buzon_store_update_folder_sync_state (self->store, folder->id, info->uidvalidity,
                                               info->uidnext,
                                               condstore ? info->highestmodseq : 0, NULL, error);
}

/* Bodies */

static gboolean
store_bodies (BuzonImapSync  *self,
              BuzonFolder    *folder,
              GPtrArray      *fetches,
              GHashTable     *ids,
              GError        **error)
{
  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      g_autoptr(GBytes) raw = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 *id = g_hash_table_lookup (ids, GUINT_TO_POINTER (fetch->uid));

      if (id == NULL)
        continue;

      raw = buzon_imap_fetch_dup_body_bytes (fetch, "", &local_error);
      if (raw == NULL)
        {
          g_debug ("no body for UID %u in “%s”: %s", fetch->uid, folder->name,
                   local_error->message);
          continue;
        }

      text = buzon_mime_extract_text (raw);
      if (!buzon_store_set_body (self->store, *id, raw, text, error))
        return FALSE;

      if (text != NULL)
        {
          g_autoptr(GPtrArray) update =
            g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
          BuzonMessageSummary *summary = buzon_message_summary_new ();

          /* A merge: flags travel with it (they replace), the rest stays. */
          summary->id = *id;
          summary->flags = buzon_imap_flags_to_store (fetch->system_flags);
          summary->keywords = buzon_imap_keywords_from_flags ((const char * const *)fetch->flags);
          summary->preview = buzon_mime_make_preview (text, PREVIEW_CHARS);
          g_ptr_array_add (update, summary);
          if (!buzon_store_upsert_messages (self->store, update, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
fetch_bodies (BuzonImapSync  *self,
              BuzonFolder    *folder,
              GError        **error)
{
  g_autoptr(GArray) refs = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GArray) uids = NULL;
  GAsyncResult *results[BODY_WINDOW] = { NULL, };
  guint days = buzon_account_get_sync_policy (self->account) == BUZON_SYNC_POLICY_FULL_DAYS
               ? buzon_account_get_sync_days (self->account) : 0;
  gint64 since = 0;
  guint sent = 0, received = 0, n_batches;
  gboolean ok = TRUE;

  if (buzon_folder_has_attribute (folder, "\\Noselect") ||
      buzon_folder_has_attribute (folder, "\\NonExistent"))
    return TRUE;

  if (days > 0)
    since = g_get_real_time () / G_USEC_PER_SEC - (gint64)days * 24 * 60 * 60;

  refs = buzon_store_list_missing_bodies (self->store, folder->id, since, 0, error);
  if (refs == NULL)
    return FALSE;
  if (refs->len == 0)
    return TRUE;

  if (g_strcmp0 (self->selected, folder->name) != 0)
    {
      info = _buzon_imap_sync_select (self, folder->name, error);
      if (info == NULL)
        return FALSE;
    }

  ids = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), refs->len);
  for (guint i = 0; i < refs->len; i++)
    {
      const BuzonStoreUidRef *ref = &g_array_index (refs, BuzonStoreUidRef, i);
      gint64 *id = g_new (gint64, 1);

      *id = ref->id;
      g_hash_table_insert (ids, GUINT_TO_POINTER (ref->uid), id);
      g_array_append_val (uids, ref->uid);
    }

  n_batches = (uids->len + BODY_BATCH - 1) / BODY_BATCH;
  while (received < n_batches)
    {
      g_autoptr(GPtrArray) fetches = NULL;
      GAsyncResult **slot;

      while (ok && sent < n_batches && sent - received < BODY_WINDOW)
        {
          guint first = sent * BODY_BATCH;
          guint count = MIN (BODY_BATCH, uids->len - first);

          buzon_imap_session_uid_fetch_bodies_async (self->session,
                                                     &g_array_index (uids, guint32, first),
                                                     count, self->job_cancellable, STORE_CB,
                                                     &results[sent % BODY_WINDOW]);
          sent++;
        }

      slot = &results[received % BODY_WINDOW];
      _buzon_imap_sync_wait (self, slot);
      fetches = buzon_imap_session_uid_fetch_bodies_finish (self->session, *slot,
                                                            ok ? error : NULL);
      g_clear_object (slot);
      received++;

      if (fetches == NULL || (ok && !store_bodies (self, folder, fetches, ids, error)))
        {
          ok = FALSE;
          n_batches = sent;
          continue;
        }

      emit_later (self, SIGNAL_PROGRESS, folder->name, NULL,
                  MIN (received * BODY_BATCH, uids->len), uids->len, NULL);
    }

  return ok;
}

/* Jobs */

/* INBOX first, then the rest in name order (parents before children). */
static gint
folder_order_cmp (gconstpointer a,
                  gconstpointer b)
{
  const BuzonFolder *fa = *(BuzonFolder * const *)a;
  const BuzonFolder *fb = *(BuzonFolder * const *)b;
  gboolean ia = fa->special_use == BUZON_SPECIAL_USE_INBOX;
  gboolean ib = fb->special_use == BUZON_SPECIAL_USE_INBOX;

  if (ia != ib)
    return ia ? -1 : 1;

  return g_strcmp0 (fa->name, fb->name);
}

/* Reads the storage quota of the Inbox's quota root (RFC 9208 section
 * 4.1.2, the STORAGE resource of section 5.1, in KiB) and stores it in bytes;
 * the store writes and signals only when the numbers changed. A server
 * without QUOTA, or without a STORAGE limit, makes it unknown again. The
 * quota only informs the user: a failure here is logged and never fails the
 * sync (a broken connection fails the next command anyway). */
static void
update_quota (BuzonImapSync *self)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = buzon_account_get_id (self->account);
  guint64 usage_kib = 0;
  guint64 limit_kib = 0;

  if (buzon_imap_session_has_capability (self->session, "QUOTA"))
    {
      buzon_imap_session_getquotaroot_async (self->session, "INBOX", self->job_cancellable,
                                             STORE_CB, &result);
      if (!buzon_imap_session_getquotaroot_finish (self->session, AWAIT (result), &usage_kib,
                                                   &limit_kib, &error))
        {
          g_debug ("Could not read the quota of %s: %s",
                   buzon_account_get_name (self->account), error->message);
          return;
        }
    }

  usage_kib = MIN (usage_kib, G_MAXUINT64 / 1024);
  limit_kib = MIN (limit_kib, G_MAXUINT64 / 1024);
  if (!buzon_store_set_account_quota (self->store, account_id, usage_kib * 1024,
                                      limit_kib * 1024, &error))
    g_debug ("Could not store the quota of %s: %s",
             buzon_account_get_name (self->account), error->message);
}

static gboolean
run_sync (BuzonImapSync       *self,
          BuzonImapSyncFlags   flags,
          const char          *only_folder,
          gboolean             notify,
          GError             **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  gboolean bodies;

  if (!_buzon_imap_sync_ensure_session (self, error))
    return FALSE;

  if (!_buzon_imap_sync_replay_queue (self, error))
    return FALSE;

  if (flags & BUZON_IMAP_SYNC_QUEUE_ONLY)
    return TRUE;

  if (!sync_folder_list (self, &folders, error))
    return FALSE;

  g_ptr_array_sort (folders, folder_order_cmp);

  if (only_folder != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < folders->len && !found; i++)
        found = g_strcmp0 (((BuzonFolder *)g_ptr_array_index (folders, i))->name,
                           only_folder) == 0;
      if (!found)
        {
          g_set_error (error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_NO_FOLDER,
                       _("There is no folder “%s” on the server."), only_folder);
          return FALSE;
        }
    }

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (only_folder != NULL && g_strcmp0 (folder->name, only_folder) != 0)
        continue;
      if (!sync_folder (self, folder, notify, error))
        return FALSE;
    }

  /* After the folders, so the usage counts the mail just seen. */
  update_quota (self);

  bodies = buzon_account_get_sync_policy (self->account) != BUZON_SYNC_POLICY_HEADERS &&
           !(flags & BUZON_IMAP_SYNC_NO_BODIES);
  if (!bodies)
    return TRUE;

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (only_folder != NULL && g_strcmp0 (folder->name, only_folder) != 0)
        continue;
      if (!fetch_bodies (self, folder, error))
        return FALSE;
    }

  return TRUE;
}

static void
sync_job (BuzonImapSync *self,
          GTask         *task)
{
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (run_sync (self, job->flags, job->folder, FALSE, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
idle_restart_cb (gpointer data)
{
  BuzonImapSync *self = data;

  if (self->session != NULL && buzon_imap_session_is_idling (self->session))
    buzon_imap_session_idle_done (self->session);

  return G_SOURCE_REMOVE;
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *)data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Sleeps on the engine's context for @seconds, or until the session
 * reports a change or the job is cancelled; returns whether it slept the
 * whole time. */
static gboolean
sleep_on_context (BuzonImapSync *self,
                  guint          seconds)
{
  g_autoptr(GSource) timer = g_timeout_source_new_seconds (seconds);
  gboolean elapsed = FALSE;

  g_source_set_callback (timer, set_true_cb, &elapsed, NULL);
  g_source_attach (timer, self->context);

  while (!elapsed && !self->wakeup && !g_cancellable_is_cancelled (self->job_cancellable))
    g_main_context_iteration (self->context, TRUE);

  g_source_destroy (timer);

  return elapsed;
}

/* Waits on the selected folder until the server reports a change, for at
 * most @seconds: IDLE where the server has it, else a NOOP every @seconds
 * (the server sends what changed in the NOOP's response). */
static gboolean
wait_for_change (BuzonImapSync  *self,
                 guint           seconds,
                 GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSource) timer = NULL;
  gboolean ok;

  if (buzon_imap_session_has_capability (self->session, "IDLE"))
    {
      timer = g_timeout_source_new_seconds (MIN (seconds, IDLE_RESTART_SECONDS));
      g_source_set_callback (timer, idle_restart_cb, self, NULL);
      g_source_attach (timer, self->context);

      buzon_imap_session_idle_async (self->session, self->job_cancellable, STORE_CB, &result);
      ok = buzon_imap_session_idle_finish (self->session, AWAIT (result), error);
      g_source_destroy (timer);
      return ok;
    }

  /* A session with no command running is closed after the connection's
   * I/O timeout, so a NOOP goes at least every NOOP_MAX_SECONDS; each one
   * also brings what changed (RFC 3501 §6.1.2). */
  {
    gint64 deadline = g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC;

    for (;;)
      {
        gint64 left = (deadline - g_get_monotonic_time ()) / G_USEC_PER_SEC;

        sleep_on_context (self, (guint)CLAMP (left, 1, NOOP_MAX_SECONDS));
        if (g_cancellable_set_error_if_cancelled (self->job_cancellable, error))
          return FALSE;

        g_clear_object (&result);
        buzon_imap_session_noop_async (self->session, self->job_cancellable, STORE_CB, &result);
        if (!buzon_imap_session_noop_finish (self->session, AWAIT (result), error))
          return FALSE;
        if (self->wakeup || g_get_monotonic_time () >= deadline)
          return TRUE;
      }
  }
}

static BuzonFolder *
lookup_folder (BuzonImapSync  *self,
               const char     *name,
               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  BuzonFolder *folder;

  folder = buzon_store_lookup_folder (self->store, buzon_account_get_id (self->account), name,
                                      &local_error);
  if (folder == NULL)
    {
      if (g_error_matches (local_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        g_set_error (error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_NO_FOLDER,
                     _("There is no folder “%s” on the server."), name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return folder;
}

/* Seconds until the folders are to be listed again, G_MAXUINT for never. */
static guint
folder_list_wait (BuzonImapSync *self)
{
  gint64 elapsed;

  if (self->folder_list_interval == 0)
    return G_MAXUINT;
  if (self->folders_listed == 0)
    return 0;

  elapsed = (g_get_monotonic_time () - self->folders_listed) / G_USEC_PER_SEC;
  return elapsed >= self->folder_list_interval
         ? 0 : (guint)(self->folder_list_interval - elapsed);
}

static gboolean
folder_list_due (BuzonImapSync *self)
{
  return folder_list_wait (self) == 0;
}

/* One pass over the watched folders: the queue, the folder list when it is
 * due, then each folder. */
static gboolean
watch_pass (BuzonImapSync       *self,
            const char * const  *names,
            GError             **error)
{
  g_autoptr(GPtrArray) unused = NULL;

  if (!_buzon_imap_sync_ensure_session (self, error))
    return FALSE;
  if (!_buzon_imap_sync_replay_queue (self, error))
    return FALSE;

  /* Folders made, renamed or deleted by other clients, now and then. */
  if (folder_list_due (self) && !sync_folder_list (self, &unused, error))
    return FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(BuzonFolder) folder = lookup_folder (self, names[i], NULL);

      if (folder == NULL)
        {
          if (unused == NULL && !sync_folder_list (self, &unused, error))
            return FALSE;
          folder = lookup_folder (self, names[i], error);
          if (folder == NULL)
            return FALSE;
        }

      /* A folder never synced before is being filled, not receiving news. */
      if (!sync_folder (self, folder, folder->uidnext != 0, error))
        return FALSE;
    }

  /* New mail (or mail deleted elsewhere) changes the usage. */
  update_quota (self);

  /* IDLE watches the selected folder: the first one. Selected again after
   * the others, it may have changed since its sync: then another pass. */
  if (g_strcmp0 (self->selected, names[0]) != 0)
    {
      g_autoptr(BuzonImapSelectInfo) info = _buzon_imap_sync_select (self, names[0], error);

      if (info == NULL)
        return FALSE;
      if (changed_since_sync (self, names[0], info))
        self->wakeup = TRUE;
    }

  return TRUE;
}

static void
watch_job (BuzonImapSync *self,
           GTask         *task)
{
  Job *job = g_task_get_task_data (task);
  static const char * const inbox[] = { "INBOX", NULL };
  const char * const *names = job->folders != NULL && job->folders[0] != NULL
                              ? (const char * const *)job->folders : inbox;
  guint backoff = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint wait;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (self->job_cancellable, &error))
        {
          g_ptr_array_set_size (self->watchers, 0);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* What changes from here on calls for another pass. */
      self->wakeup = FALSE;
      ok = watch_pass (self, names, &error);
      if (ok)
        {
          gboolean idle = buzon_imap_session_has_capability (self->session, "IDLE");

          backoff = 0;
          /* IDLE tells about the selected folder only: the other folders get
           * a connection each, idling too; without IDLE, everything is polled. */
          if (idle)
            ok = ensure_watchers (self, names, &error);
          wait = idle ? IDLE_RESTART_SECONDS : self->poll_interval;
          wait = MAX (MIN (wait, folder_list_wait (self)), 1);
        }
      if (ok)
        {
          if (self->wakeup)
            continue;
          ok = wait_for_change (self, wait, &error);
        }

      if (ok)
        continue;

      if (g_cancellable_is_cancelled (self->job_cancellable))
        {
          g_ptr_array_set_size (self->watchers, 0);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                   _("Stopped watching."));
          return;
        }

      if (!_buzon_imap_sync_is_connection_error (error))
        {
          g_ptr_array_set_size (self->watchers, 0);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* The connection went away: say so, wait, try again. */
      drop_session (self);
      backoff = CLAMP (backoff * 2, 5, 300);
      {
        g_autofree char *message =
          g_strdup_printf (_("%s Trying again in %u seconds."), error->message, backoff);

        emit_later (self, SIGNAL_NOTICE, NULL, message, 0, 0, NULL);
      }
      self->wakeup = FALSE;
      sleep_on_context (self, backoff);
    }
}

static void
fetch_body_job (BuzonImapSync *self,
                GTask         *task)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GBytes) raw = NULL;
  GError *error = NULL;
  gint64 *id;

  summary = buzon_store_get_message (self->store, job->message_id, &error);
  if (summary == NULL)
    goto out;

  raw = buzon_store_get_body (self->store, summary->id, NULL);
  if (raw != NULL)
    goto out;

  folder = buzon_store_get_folder (self->store, summary->folder_id, &error);
  if (folder == NULL)
    goto out;

  if (summary->uid == 0)
    {
      g_set_error (&error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_FETCH,
                   _("This message is not on the server yet; it will be once the queued "
                     "changes are sent."));
      goto out;
    }

  if (!_buzon_imap_sync_ensure_session (self, &error))
    goto out;

  if (g_strcmp0 (self->selected, folder->name) != 0)
    {
      g_autoptr(BuzonImapSelectInfo) info = _buzon_imap_sync_select (self, folder->name, &error);

      if (info == NULL)
        goto out;
    }

  buzon_imap_session_uid_fetch_bodies_async (self->session, &summary->uid, 1,
                                             self->job_cancellable, STORE_CB, &result);
  fetches = buzon_imap_session_uid_fetch_bodies_finish (self->session, AWAIT (result), &error);
  if (fetches == NULL)
    goto out;

  ids = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  id = g_new (gint64, 1);
  *id = summary->id;
  g_hash_table_insert (ids, GUINT_TO_POINTER (summary->uid), id);
  if (!store_bodies (self, folder, fetches, ids, &error))
    goto out;

  raw = buzon_store_get_body (self->store, summary->id, NULL);
  if (raw == NULL)
    g_set_error (&error, BUZON_IMAP_SYNC_ERROR, BUZON_IMAP_SYNC_ERROR_FETCH,
                 _("The server “%s” did not send the message; it may have been deleted "
                   "meanwhile."),
                 buzon_account_get_host (self->account));

out:
  if (raw != NULL)
    g_task_return_pointer (task, g_steal_pointer (&raw), (GDestroyNotify)g_bytes_unref);
  else
    g_task_return_error (task, error);
}

static gboolean
search_folder (BuzonImapSync  *self,
               BuzonFolder    *folder,
               const char     *query,
               GPtrArray      *found,
               GError        **error)
{
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) uids = NULL;
  gboolean synced = FALSE;

  if (buzon_folder_has_attribute (folder, "\\Noselect") ||
      buzon_folder_has_attribute (folder, "\\NonExistent"))
    return TRUE;

  info = _buzon_imap_sync_select (self, folder->name, error);
  if (info == NULL)
    return FALSE;

  buzon_imap_session_uid_search_async (self->session, 0, 0, query, self->job_cancellable,
                                       STORE_CB, &result);
  uids = buzon_imap_session_uid_search_finish (self->session, AWAIT (result), error);
  if (uids == NULL)
    return FALSE;

  for (guint i = 0; i < uids->len; i++)
    {
      guint32 uid = g_array_index (uids, guint32, i);
      BuzonMessageSummary *summary;

      summary = buzon_store_lookup_message_by_uid (self->store, folder->id, uid, NULL);
      if (summary == NULL && !synced)
        {
          /* A match the store does not have yet: bring the folder up to date. */
          synced = TRUE;
          if (!sync_folder (self, folder, FALSE, error))
            return FALSE;
          summary = buzon_store_lookup_message_by_uid (self->store, folder->id, uid, NULL);
        }
      if (summary != NULL)
        g_ptr_array_add (found, summary);
    }

  return TRUE;
}

static void
search_job (BuzonImapSync *self,
            GTask         *task)
{
  Job *job = g_task_get_task_data (task);
  g_autoptr(GPtrArray) found =
    g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
  g_autoptr(GPtrArray) folders = NULL;
  GError *error = NULL;

  if (!_buzon_imap_sync_ensure_session (self, &error))
    goto out;

  if (job->folder != NULL)
    {
      BuzonFolder *folder = lookup_folder (self, job->folder, &error);

      if (folder == NULL)
        goto out;
      folders = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_folder_free);
      g_ptr_array_add (folders, folder);
    }
  else if (!sync_folder_list (self, &folders, &error))
    goto out;

  g_ptr_array_sort (folders, folder_order_cmp);
  for (guint i = 0; i < folders->len; i++)
    if (!search_folder (self, g_ptr_array_index (folders, i), job->query, found, &error))
      goto out;

out:
  if (error == NULL)
    g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify)g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static void
close_job (BuzonImapSync *self,
           GTask         *task)
{
  if (self->session != NULL && buzon_imap_session_is_connected (self->session))
    {
      g_autoptr(GAsyncResult) result = NULL;

      /* A polite LOGOUT; whatever it says, the session is done. */
      buzon_imap_session_logout_async (self->session, NULL, STORE_CB, &result);
      buzon_imap_session_logout_finish (self->session, AWAIT (result), NULL);
    }

  drop_session (self);
  g_task_return_boolean (task, TRUE);
}

/* The engine's thread */

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  BuzonImapSync *self = data;

  /* Fails every command in flight; the job then unwinds. */
  if (self->session != NULL)
    buzon_imap_session_disconnect (self->session);
  for (guint i = 0; i < self->watchers->len; i++)
    {
      Watcher *watcher = g_ptr_array_index (self->watchers, i);

      if (watcher->session != NULL)
        buzon_imap_session_disconnect (watcher->session);
    }

  return G_SOURCE_REMOVE;
}

/* A job's cancellation, on its way from the cancelling thread to the
 * engine's. GLib 2.74's GCancellableSource can leak when it is cancelled on
 * one thread while another destroys it (seen under LeakSanitizer), so the
 * engine listens to the cancellable itself and hands the news over. */
typedef struct
{
  BuzonImapSync *self;
  guint          serial;
} JobCancel;

static gboolean
job_cancel_dispatch_cb (gpointer data)
{
  JobCancel *cancel = data;

  /* Too late: the job ended and the next one must not be cancelled. */
  if (cancel->serial == cancel->self->job_serial && cancel->self->job_cancellable != NULL)
    cancelled_cb (cancel->self->job_cancellable, cancel->self);

  return G_SOURCE_REMOVE;
}

/* On the cancelling thread; the worker disconnects it before the job's
 * end, and g_cancellable_disconnect() waits for a handler that runs. */
static void
job_cancelled_cb (GCancellable *cancellable,
                  gpointer      data)
{
  JobCancel *watch = data;
  JobCancel *cancel = g_new0 (JobCancel, 1);

  (void)cancellable;
  /* No reference: the engine's context is iterated only by its thread,
   * while the engine lives, and the source goes with the context. A
   * reference would keep the engine alive when its thread has ended. */
  cancel->self = watch->self;
  cancel->serial = watch->serial;
  g_main_context_invoke_full (watch->self->context, G_PRIORITY_DEFAULT, job_cancel_dispatch_cb,
                              cancel, g_free);
}

/* The end of the engine's thread: what the session left scheduled runs
 * down, on this thread. */
static void
worker_finish (BuzonImapSync *self)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  gint64 quiet_since = g_get_monotonic_time ();

  drop_session (self);

  /* Let what the disconnected sessions still had under way run down: their
   * reads and TLS closes finish with errors a moment later, and a source
   * left on the context when it goes would leak what it holds. Done when
   * nothing happened for 100 ms (2 s at the most). */
  while (g_get_monotonic_time () < deadline &&
         g_get_monotonic_time () - quiet_since < 100 * 1000)
    {
      if (g_main_context_iteration (self->context, FALSE))
        quiet_since = g_get_monotonic_time ();
      else
        g_usleep (5 * 1000);
    }

  g_main_context_pop_thread_default (self->context);
}

static gpointer
worker_main (gpointer data)
{
  BuzonImapSync *self = data;
  /* Our own reference: the engine may be finalized on this thread, when a
   * job's task held its last reference (the owner let go first). Its
   * dispose then finishes the thread's work and queues a stop job that
   * says so, and this loop must not touch the engine again. */
  g_autoptr(GAsyncQueue) jobs = g_async_queue_ref (self->jobs);
  GTask *task;

  g_main_context_push_thread_default (self->context);

  while ((task = g_async_queue_pop (jobs)) != NULL)
    {
      Job *job = g_task_get_task_data (task);
      JobCancel watch = { self, 0 };
      gulong cancel_handler = 0;

      if (job->func == NULL)
        {
          gboolean gone = job->engine_gone;

          g_object_unref (task);
          if (gone)
            return NULL;
          break;
        }

      self->job_cancellable = g_task_get_cancellable (task);
      watch.serial = ++self->job_serial;
      if (self->job_cancellable != NULL)
        cancel_handler = g_cancellable_connect (self->job_cancellable,
                                                G_CALLBACK (job_cancelled_cb), &watch, NULL);

      if (g_task_return_error_if_cancelled (task))
        ;
      else
        job->func (self, task);

      if (cancel_handler != 0)
        g_cancellable_disconnect (self->job_cancellable, cancel_handler);
      self->job_serial++;  /* a cancellation still on its way finds the job gone */
      if (self->job_cancellable != NULL && g_cancellable_is_cancelled (self->job_cancellable))
        drop_session (self);
      self->job_cancellable = NULL;

      /* May be the engine's last reference (see above): nothing of it after. */
      g_object_unref (task);
    }

  worker_finish (self);

  return NULL;
}

static void
queue_job (BuzonImapSync       *self,
           Job                 *job,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify)job_free);
  g_task_set_check_cancellable (task, FALSE);

  if (self->worker == NULL)
    self->worker = g_thread_new ("buzon-imap-sync", worker_main, self);

  g_async_queue_push (self->jobs, task);
}

/* GObject */

static void
buzon_imap_sync_dispose (GObject *object)
{
  BuzonImapSync *self = BUZON_IMAP_SYNC (object);

  if (self->worker != NULL)
    {
      Job *stop = g_new0 (Job, 1);
      GTask *task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (task, stop, (GDestroyNotify)job_free);
      if (g_thread_self () == self->worker)
        {
          /* The last reference went with a job's task on the engine's own
           * thread: finish its work now, while the engine is alive, and
           * tell its loop to end without touching the engine (finalize
           * comes next). It cannot join itself. */
          worker_finish (self);
          stop->engine_gone = TRUE;
          g_async_queue_push (self->jobs, task);
          g_thread_unref (g_steal_pointer (&self->worker));
        }
      else
        {
          g_async_queue_push (self->jobs, task);
          g_thread_join (g_steal_pointer (&self->worker));
        }
    }

  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (buzon_imap_sync_parent_class)->dispose (object);
}

static void
buzon_imap_sync_finalize (GObject *object)
{
  BuzonImapSync *self = BUZON_IMAP_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_pointer (&self->jobs, g_async_queue_unref);
  g_clear_pointer (&self->watchers, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_free (self->selected);

  G_OBJECT_CLASS (buzon_imap_sync_parent_class)->finalize (object);
}

static void
buzon_imap_sync_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BuzonImapSync *self = BUZON_IMAP_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;
    case PROP_FOLDER_LIST_INTERVAL:
      g_value_set_uint (value, self->folder_list_interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_imap_sync_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BuzonImapSync *self = BUZON_IMAP_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    case PROP_POLL_INTERVAL:
      /* Read by the engine's thread between waits; a plain uint suffices. */
      self->poll_interval = MAX (g_value_get_uint (value), 1);
      break;
    case PROP_FOLDER_LIST_INTERVAL:
      self->folder_list_interval = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_imap_sync_class_init (BuzonImapSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_imap_sync_dispose;
  object_class->finalize = buzon_imap_sync_finalize;
  object_class->get_property = buzon_imap_sync_get_property;
  object_class->set_property = buzon_imap_sync_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, BUZON_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonImapSync:poll-interval:
   *
   * Seconds between checks while watching folders that IDLE does not cover
   * (a server without IDLE, or folders other than the first watched one).
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, IDLE_RESTART_SECONDS,
                       DEFAULT_POLL_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonImapSync:folder-list-interval:
   *
   * While watching, seconds between listings of the account's folders, so
   * that folders another client made, renamed or deleted show up; 0 never
   * lists them again. IDLE says nothing about other folders (RFC 2177).
   */
  properties[PROP_FOLDER_LIST_INTERVAL] =
    g_param_spec_uint ("folder-list-interval", NULL, NULL, 0, 24 * 60 * 60,
                       DEFAULT_FOLDER_LIST_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonImapSync::progress:
   * @folder: the folder's name
   * @done: how many messages of this step are done
   * @total: how many there are
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * BuzonImapSync::new-message:
   * @folder: the folder's name
   * @summary: the new message, as stored
   *
   * A message arrived while watching: what a notification needs.
   */
  signals[SIGNAL_NEW_MESSAGE] =
    g_signal_new ("new-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, BUZON_TYPE_MESSAGE_SUMMARY);
  /**
   * BuzonImapSync::notice:
   * @message: a sentence for the user
   *
   * Something the user should know that did not fail the job: a queued
   * operation the server refused (also kept in the store, see
   * buzon_store_list_op_failures()), a server ALERT, a lost connection
   * being retried.
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
buzon_imap_sync_init (BuzonImapSync *self)
{
  self->jobs = g_async_queue_new ();
  self->watchers = g_ptr_array_new_with_free_func ((GDestroyNotify)watcher_free);
  self->context = g_main_context_new ();
  self->owner_context = g_main_context_ref_thread_default ();
  self->poll_interval = poll_interval_default;
  self->folder_list_interval = DEFAULT_FOLDER_LIST_SECONDS;
}

/* Public API */

/**
 * buzon_imap_sync_new:
 * @store: the store to keep in step
 * @account: an IMAP account of @store
 *
 * Signals are emitted in the thread-default main context of the caller.
 *
 * Returns: (transfer full): a new engine
 */
BuzonImapSync *
buzon_imap_sync_new (BuzonStore   *store,
                     BuzonAccount *account)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  return g_object_new (BUZON_TYPE_IMAP_SYNC, "store", store, "account", account, NULL);
}

/**
 * buzon_imap_sync_get_account:
 *
 * Returns: (transfer none): the account
 */
BuzonAccount *
buzon_imap_sync_get_account (BuzonImapSync *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SYNC (self), NULL);

  return self->account;
}

/**
 * buzon_imap_sync_get_store:
 *
 * Returns: (transfer none): the store
 */
BuzonStore *
buzon_imap_sync_get_store (BuzonImapSync *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SYNC (self), NULL);

  return self->store;
}

/**
 * buzon_imap_sync_set_tls_database:
 * @database: (nullable): extra trust anchors (tests: their own CA)
 *
 * Must be called before the first job.
 */
void
buzon_imap_sync_set_tls_database (BuzonImapSync *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));
  g_return_if_fail (self->worker == NULL);

  g_set_object (&self->tls_database, database);
}

/**
 * buzon_imap_sync_run_async:
 * @flags: what to do
 * @folder: (nullable): only this folder (UTF-8 name), or %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Connects if needed, replays the queued operations and brings the store in
 * step with the server (see the top of buzon-imap-sync.c). The connection
 * stays open for the next job until buzon_imap_sync_close_async().
 */
void
buzon_imap_sync_run_async (BuzonImapSync       *self,
                           BuzonImapSyncFlags   flags,
                           const char          *folder,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Job *job;

  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));

  job = g_new0 (Job, 1);
  job->func = sync_job;
  job->flags = flags;
  job->folder = g_strdup (folder);
  queue_job (self, job, BUZON_SOURCE_TAG (buzon_imap_sync_run_async), cancellable, callback,
             user_data);
}

/**
 * buzon_imap_sync_run_finish:
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_imap_sync_run_finish (BuzonImapSync  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_sync_watch_async:
 * @folders: (nullable) (array zero-terminated=1): the folders to watch,
 *   %NULL for INBOX; the first is watched with IDLE, the others polled
 * @cancellable: (nullable): cancel to stop watching
 * @callback: called when watching ended
 * @user_data: data for @callback
 *
 * Keeps the folders in step until cancelled: new mail is stored within
 * seconds (IDLE, RFC 2177; a NOOP every #BuzonImapSync:poll-interval
 * seconds where IDLE is missing) and announced with
 * #BuzonImapSync::new-message. A lost connection is announced with
 * #BuzonImapSync::notice and retried, waiting longer each time.
 */
void
buzon_imap_sync_watch_async (BuzonImapSync       *self,
                             const char * const  *folders,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Job *job;

  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));

  job = g_new0 (Job, 1);
  job->func = watch_job;
  job->folders = g_strdupv ((GStrv)folders);
  queue_job (self, job, BUZON_SOURCE_TAG (buzon_imap_sync_watch_async), cancellable, callback,
             user_data);
}

/**
 * buzon_imap_sync_watch_finish:
 *
 * Returns: %FALSE, with %G_IO_ERROR_CANCELLED after a cancellation or the
 *   error that made watching impossible
 */
gboolean
buzon_imap_sync_watch_finish (BuzonImapSync  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_sync_fetch_body_async:
 * @message_id: a message of the account
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the message's bytes
 * @user_data: data for @callback
 *
 * Returns the stored body, or downloads it (BODY.PEEK[], so opening a
 * message does not mark it read by itself) and stores it.
 */
void
buzon_imap_sync_fetch_body_async (BuzonImapSync       *self,
                                  gint64               message_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Job *job;

  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));

  job = g_new0 (Job, 1);
  job->func = fetch_body_job;
  job->message_id = message_id;
  queue_job (self, job, BUZON_SOURCE_TAG (buzon_imap_sync_fetch_body_async), cancellable,
             callback, user_data);
}

/**
 * buzon_imap_sync_fetch_body_finish:
 *
 * Returns: (transfer full) (nullable): the raw message
 */
GBytes *
buzon_imap_sync_fetch_body_finish (BuzonImapSync  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_imap_sync_search_async:
 * @folder: (nullable): the folder to search, %NULL for every folder
 * @query: the text to find (IMAP TEXT: headers and body, on the server)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the matches
 * @user_data: data for @callback
 *
 * Searches on the server, which has every message even when only headers
 * are kept here.
 */
void
buzon_imap_sync_search_async (BuzonImapSync       *self,
                              const char          *folder,
                              const char          *query,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Job *job;

  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));
  g_return_if_fail (query != NULL);

  job = g_new0 (Job, 1);
  job->func = search_job;
  job->folder = g_strdup (folder);
  job->query = g_strdup (query);
  queue_job (self, job, BUZON_SOURCE_TAG (buzon_imap_sync_search_async), cancellable, callback,
             user_data);
}

/**
 * buzon_imap_sync_search_finish:
 *
 * Returns: (transfer full) (element-type BuzonMessageSummary) (nullable):
 *   the matching messages as stored
 */
GPtrArray *
buzon_imap_sync_search_finish (BuzonImapSync  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_imap_sync_close_async:
 *
 * Logs out and closes the connection (after the jobs queued before).
 */
void
buzon_imap_sync_close_async (BuzonImapSync       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Job *job;

  g_return_if_fail (BUZON_IS_IMAP_SYNC (self));

  job = g_new0 (Job, 1);
  job->func = close_job;
  queue_job (self, job, BUZON_SOURCE_TAG (buzon_imap_sync_close_async), cancellable, callback,
             user_data);
}

/**
 * buzon_imap_sync_close_finish:
 *
 * Returns: %TRUE
 */
gboolean
buzon_imap_sync_close_finish (BuzonImapSync  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
