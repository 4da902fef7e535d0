/* buzon-sync-manager.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonSyncManager: keeps every account of the store in sync while the app
 * runs.
 *
 * IMAP: one BuzonImapSync per account. At start a full run; then a watch of
 * INBOX and the folder the user is looking at. The engine runs one job at a
 * time and a watch lasts until cancelled, and a watch replays the queue only
 * at the start of a pass, which nothing outside the engine can trigger. So
 * whatever needs the engine while it watches (a kick after a user change, a
 * body, a server search, another viewed folder) cancels the watch, queues its
 * own job and then a new watch at once: jobs run in order, and the new
 * watch's first pass replays the queue. Kicks are coalesced in an idle.
 *
 * Each job carries the engine's generation: a result of a job that was
 * superseded is ignored. Network errors retry with a backoff of 5 s doubling
 * to 5 min; other errors (password, certificate) wait for retry(). Without a
 * network (GNetworkMonitor) nothing is tried; when it returns, at once.
 *
 * New mail: the engine's "new-message" is emitted only while watching a
 * folder synced before (never in the first full sync), and not for messages
 * whose UID the replay of our own moves already stored (COPYUID); those in
 * INBOX are gathered and emitted together as "new-messages".
 *
 * POP3: the BuzonPop3Scheduler checks them; kick does nothing (local ops).
 *
 * Sending: the BuzonOutboxScheduler sends every account's outbox; a message
 * sent from an IMAP account kicks its engine, which replays the APPEND of
 * its copy to Sent.
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "buzon-imap-session.h"
#include "buzon-imap-sync.h"
#include "buzon-net-error.h"
#include "buzon-outbox-scheduler.h"
#include "buzon-pop3-scheduler.h"
#include "buzon-sync-manager.h"

#define BACKOFF_MIN 5
#define BACKOFF_MAX 300

typedef enum
{
  PHASE_NONE,
  PHASE_RUN,
  PHASE_WATCH,
} Phase;

typedef struct
{
  BuzonSyncManager *manager;     /* unowned; NULL once the engine is dropped */
  gint64            account_id;
  BuzonImapSync    *sync;
  GCancellable     *cancellable; /* the running run or watch */
  guint             generation;
  Phase             phase;
  gboolean          synced;      /* the first full run is done */
  guint             backoff;
  guint             retry_source;
  guint             kick_source;
  char             *viewed;      /* folder name, or NULL */
  BuzonSyncState    state;
  GError           *error;
  gint64            new_folder_id;
  GArray           *new_ids;     /* gint64 */
  guint             new_source;
} Engine;

typedef struct
{
  Engine *engine;
  guint   generation;
} JobData;

struct _BuzonSyncManager
{
  GObject             parent_instance;

  BuzonStore         *store;
  GTlsDatabase       *tls_database;
  BuzonPop3Scheduler *pop3;
  BuzonOutboxScheduler *outbox;
  GNetworkMonitor    *monitor;
  GCancellable       *cancellable;
  GHashTable         *engines;   /* account id → Engine */
  GHashTable         *pop3_errors; /* account id → GError of its last check */
  gint64              viewed_folder_id;
  guint               accounts_serial; /* of the newest account listing asked for */
  gboolean            started;
  gboolean            online;
};

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_NEW_MESSAGES,
  SIGNAL_PROGRESS,
  SIGNAL_NOTICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonSyncManager, buzon_sync_manager, G_TYPE_OBJECT)

static void engine_start (Engine *engine);
static void engine_watch (Engine *engine);

/* Engines */

static void
engine_free (Engine *engine)
{
  g_clear_object (&engine->sync);
  g_clear_object (&engine->cancellable);
  g_clear_error (&engine->error);
  g_clear_pointer (&engine->new_ids, g_array_unref);
  g_free (engine->viewed);
}

static Engine *
engine_ref (Engine *engine)
{
  return g_rc_box_acquire (engine);
}

static void
engine_unref (Engine *engine)
{
  g_rc_box_release_full (engine, (GDestroyNotify)engine_free);
}

static JobData *
job_data_new (Engine *engine)
{
  JobData *data = g_new0 (JobData, 1);

  data->engine = engine_ref (engine);
  data->generation = engine->generation;

  return data;
}

static void
job_data_free (JobData *data)
{
  engine_unref (data->engine);
  g_free (data);
}

/* Whether the result of @data's job still matters. */
static gboolean
job_data_current (JobData *data)
{
  return data->engine->manager != NULL && data->engine->generation == data->generation;
}

static void
engine_set_state (Engine         *engine,
                  BuzonSyncState  state,
                  const GError   *error)
{
  if (engine->state == state && error == NULL && engine->error == NULL)
    return;

  engine->state = state;
  g_clear_error (&engine->error);
  if (error != NULL)
    engine->error = g_error_copy (error);
  if (engine->manager != NULL)
    g_signal_emit (engine->manager, signals[SIGNAL_STATE_CHANGED], 0, engine->account_id);
}

/* Cancels the running job; its result will be ignored. */
static void
engine_interrupt (Engine *engine)
{
  engine->generation++;
  engine->phase = PHASE_NONE;
  if (engine->cancellable != NULL)
    g_cancellable_cancel (engine->cancellable);
  g_clear_object (&engine->cancellable);
}

static void
engine_clear_sources (Engine *engine)
{
  g_clear_handle_id (&engine->retry_source, g_source_remove);
  g_clear_handle_id (&engine->kick_source, g_source_remove);
  g_clear_handle_id (&engine->new_source, g_source_remove);
}

/* Errors that another attempt later may not meet. */
static gboolean
is_transient (const GError *error)
{
  if (error->domain == BUZON_NET_ERROR)
    return error->code != BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED &&
           error->code != BUZON_NET_ERROR_CREDENTIALS;
  if (error->domain == BUZON_IMAP_SESSION_ERROR)
    return error->code == BUZON_IMAP_SESSION_ERROR_CLOSED ||
           error->code == BUZON_IMAP_SESSION_ERROR_PROTOCOL ||
           error->code == BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED ||
           error->code == BUZON_IMAP_SESSION_ERROR_REFUSED;
  return error->domain == G_IO_ERROR;
}

static gboolean
retry_cb (gpointer data)
{
  Engine *engine = data;

  engine->retry_source = 0;
  engine_start (engine);

  return G_SOURCE_REMOVE;
}

static void
engine_failed (Engine       *engine,
               const GError *error)
{
  engine->phase = PHASE_NONE;
  g_clear_object (&engine->cancellable);
  engine_set_state (engine, BUZON_SYNC_STATE_ERROR, error);

  if (is_transient (error))
    {
      engine->backoff = engine->backoff == 0 ? BACKOFF_MIN
                                             : MIN (engine->backoff * 2, BACKOFF_MAX);
      g_clear_handle_id (&engine->retry_source, g_source_remove);
      engine->retry_source = g_timeout_add_seconds (engine->backoff, retry_cb, engine);
    }
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  JobData *data = user_data;
  Engine *engine = data->engine;
  g_autoptr(GError) error = NULL;
  gboolean ok = buzon_imap_sync_run_finish (BUZON_IMAP_SYNC (object), result, &error);

  if (job_data_current (data))
    {
      if (ok)
        {
          engine->synced = TRUE;
          engine->backoff = 0;
          engine_watch (engine);
          /* Mail sent before the folders were known can be filed now. */
          if (engine->manager != NULL)
            buzon_outbox_scheduler_send_now (engine->manager->outbox, engine->account_id, FALSE);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        engine_failed (engine, error);
    }
  job_data_free (data);
}

static void
engine_run (Engine *engine)
{
  engine_interrupt (engine);
  engine->cancellable = g_cancellable_new ();
  engine->phase = PHASE_RUN;
  engine_set_state (engine, BUZON_SYNC_STATE_SYNCING, NULL);
  buzon_imap_sync_run_async (engine->sync, BUZON_IMAP_SYNC_DEFAULT, NULL, engine->cancellable,
                             run_cb, job_data_new (engine));
}

static void
watch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  JobData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!buzon_imap_sync_watch_finish (BUZON_IMAP_SYNC (object), result, &error) &&
      job_data_current (data) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    engine_failed (data->engine, error);
  job_data_free (data);
}

/* (Re)starts the watch; its first pass replays the queue. */
static void
engine_watch (Engine *engine)
{
  const char *folders[3] = { "INBOX", NULL, NULL };

  if (engine->viewed != NULL && g_ascii_strcasecmp (engine->viewed, "INBOX") != 0)
    folders[1] = engine->viewed;

  engine_interrupt (engine);
  engine->cancellable = g_cancellable_new ();
  engine->phase = PHASE_WATCH;
  engine_set_state (engine, BUZON_SYNC_STATE_IDLE, NULL);
  buzon_imap_sync_watch_async (engine->sync, folders, engine->cancellable, watch_cb,
                               job_data_new (engine));
}

static void
engine_start (Engine *engine)
{
  g_clear_handle_id (&engine->retry_source, g_source_remove);
  if (!engine->manager->online)
    {
      engine_interrupt (engine);
      engine_set_state (engine, BUZON_SYNC_STATE_OFFLINE, NULL);
      return;
    }
  if (engine->synced)
    engine_watch (engine);
  else
    engine_run (engine);
}

static gboolean
flush_new_cb (gpointer user_data)
{
  Engine *engine = user_data;
  g_autoptr(GArray) ids = g_steal_pointer (&engine->new_ids);

  engine->new_source = 0;
  if (engine->manager != NULL && ids != NULL && ids->len > 0)
    g_signal_emit (engine->manager, signals[SIGNAL_NEW_MESSAGES], 0, engine->account_id,
                   engine->new_folder_id, ids);

  return G_SOURCE_REMOVE;
}

static void
new_message_cb (BuzonImapSync       *sync,
                const char          *folder,
                BuzonMessageSummary *summary,
                gpointer             user_data)
{
  Engine *engine = user_data;

  /* RFC 3501 §5.1: INBOX, in any case, is the inbox. */
  if (folder == NULL || g_ascii_strcasecmp (folder, "INBOX") != 0)
    return;

  if (engine->new_ids != NULL && engine->new_folder_id != summary->folder_id)
    flush_new_cb (engine);
  if (engine->new_ids == NULL)
    engine->new_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  engine->new_folder_id = summary->folder_id;
  g_array_append_val (engine->new_ids, summary->id);
  if (engine->new_source == 0)
    engine->new_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_new_cb, engine, NULL);
}

static void
progress_cb (BuzonImapSync *sync,
             const char    *folder,
             guint          done,
             guint          total,
             gpointer       user_data)
{
  Engine *engine = user_data;
  g_autofree char *text = NULL;

  if (engine->manager == NULL)
    return;
  text = g_strdup_printf (_("Updating “%s”…"), folder);
  g_signal_emit (engine->manager, signals[SIGNAL_PROGRESS], 0, engine->account_id, text,
                 total > 0 ? (double)done / total : 0.0);
}

static void
notice_cb (BuzonImapSync *sync,
           const char    *text,
           gpointer       user_data)
{
  Engine *engine = user_data;

  if (engine->manager != NULL)
    g_signal_emit (engine->manager, signals[SIGNAL_NOTICE], 0, engine->account_id, text);
}

static Engine *
engine_new (BuzonSyncManager *self,
            BuzonAccount     *account)
{
  Engine *engine = g_rc_box_new0 (Engine);

  engine->manager = self;
  engine->account_id = buzon_account_get_id (account);
  engine->sync = buzon_imap_sync_new (self->store, account);
  if (self->tls_database != NULL)
    buzon_imap_sync_set_tls_database (engine->sync, self->tls_database);
  g_signal_connect (engine->sync, "new-message", G_CALLBACK (new_message_cb), engine);
  g_signal_connect (engine->sync, "progress", G_CALLBACK (progress_cb), engine);
  g_signal_connect (engine->sync, "notice", G_CALLBACK (notice_cb), engine);

  return engine;
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  guint *pending = g_task_get_task_data (task);

  buzon_imap_sync_close_finish (BUZON_IMAP_SYNC (object), result, NULL);
  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

/* Takes the engine out of service; with @task, closes its session for it. */
static void
engine_drop (Engine *engine,
             GTask  *task)
{
  engine_interrupt (engine);
  engine_clear_sources (engine);
  g_signal_handlers_disconnect_by_data (engine->sync, engine);
  engine->manager = NULL;
  if (task != NULL)
    {
      guint *pending = g_task_get_task_data (task);

      (*pending)++;
      buzon_imap_sync_close_async (engine->sync, NULL, close_cb, g_object_ref (task));
    }
  else
    buzon_imap_sync_close_async (engine->sync, NULL, NULL, NULL);
}

static Engine *
lookup_engine (BuzonSyncManager *self,
               gint64            account_id)
{
  return g_hash_table_lookup (self->engines, &account_id);
}

/* Accounts */

typedef struct
{
  BuzonSyncManager *self;
  guint             serial;
} Listing;

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Listing *listing = user_data;
  g_autoptr(BuzonSyncManager) self = listing->self;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = NULL;
  guint serial = listing->serial;
  GHashTableIter iter;
  gpointer key, value;

  g_free (listing);
  accounts = buzon_store_list_accounts_finish (BUZON_STORE (object), result, &error);
  if (accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list the accounts: %s", error->message);
      return;
    }
  /* Listings run on worker threads and may finish out of order: an older
   * one must not drop the engine of an account a newer one has. */
  if (!self->started || serial != self->accounts_serial)
    return;

  seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < accounts->len; i++)
    {
      BuzonAccount *account = g_ptr_array_index (accounts, i);
      gint64 id = buzon_account_get_id (account);

      if (buzon_account_get_protocol (account) != BUZON_PROTOCOL_IMAP)
        continue;
      if (lookup_engine (self, id) == NULL)
        {
          Engine *engine = engine_new (self, account);

          g_hash_table_insert (self->engines, &engine->account_id, engine);
          engine_start (engine);
        }
      g_hash_table_add (seen, &lookup_engine (self, id)->account_id);
    }

  g_hash_table_iter_init (&iter, self->engines);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        engine_drop (value, NULL);
        g_hash_table_iter_remove (&iter);
      }
}

static void
accounts_changed_cb (BuzonStore       *store,
                     BuzonSyncManager *self)
{
  Listing *listing = g_new0 (Listing, 1);

  listing->self = g_object_ref (self);
  listing->serial = ++self->accounts_serial;
  buzon_store_list_accounts_async (self->store, self->cancellable, list_accounts_cb, listing);
}

static void
network_changed_cb (GNetworkMonitor  *monitor,
                    gboolean          available,
                    BuzonSyncManager *self)
{
  GHashTableIter iter;
  gpointer value;

  if (available == self->online)
    return;
  self->online = available;

  g_hash_table_iter_init (&iter, self->engines);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Engine *engine = value;

      engine->backoff = 0;
      engine_start (engine);
    }

  if (available)
    {
      buzon_pop3_scheduler_start (self->pop3);
      buzon_pop3_scheduler_check_now (self->pop3);
    }
  else
    buzon_pop3_scheduler_stop (self->pop3);
}

/* GObject */

static void
buzon_sync_manager_dispose (GObject *object)
{
  BuzonSyncManager *self = BUZON_SYNC_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->engines != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->engines);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        engine_drop (value, NULL);
      g_hash_table_remove_all (self->engines);
    }
  if (self->pop3 != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->pop3, self);
      buzon_pop3_scheduler_stop (self->pop3);
    }
  if (self->outbox != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->outbox, self);
      buzon_outbox_scheduler_stop (self->outbox);
    }

  G_OBJECT_CLASS (buzon_sync_manager_parent_class)->dispose (object);
}

static void
buzon_sync_manager_finalize (GObject *object)
{
  BuzonSyncManager *self = BUZON_SYNC_MANAGER (object);

  g_clear_pointer (&self->engines, g_hash_table_unref);
  g_clear_pointer (&self->pop3_errors, g_hash_table_unref);
  g_clear_object (&self->pop3);
  g_clear_object (&self->outbox);
  g_clear_object (&self->monitor);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (buzon_sync_manager_parent_class)->finalize (object);
}

static void
buzon_sync_manager_class_init (BuzonSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_sync_manager_dispose;
  object_class->finalize = buzon_sync_manager_finalize;

  /**
   * BuzonSyncManager::state-changed:
   * @account_id: the account whose state (or error) changed
   */
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * BuzonSyncManager::new-messages:
   * @account_id: the account
   * @folder_id: its inbox
   * @message_ids: (element-type gint64): the messages that arrived
   *
   * Mail arrived in an inbox after the account's first sync.
   */
  signals[SIGNAL_NEW_MESSAGES] =
    g_signal_new ("new-messages", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_ARRAY);
  /**
   * BuzonSyncManager::progress:
   * @account_id: the account
   * @text: what is being done, for the user
   * @fraction: how much of this step is done, 0 to 1
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_DOUBLE);
  /**
   * BuzonSyncManager::notice:
   * @account_id: the account
   * @text: a sentence for the user (see #BuzonImapSync::notice)
   */
  signals[SIGNAL_NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
buzon_sync_manager_init (BuzonSyncManager *self)
{
  self->engines = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify)engine_unref);
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/* A POP3 account's state is its last check's: an error until a check works. */
static void
pop3_checked_cb (BuzonPop3Scheduler *scheduler,
                 BuzonAccount       *account,
                 const GError       *error,
                 guint               downloaded,
                 BuzonSyncManager   *self)
{
  gint64 account_id = buzon_account_get_id (account);
  gboolean had_error = g_hash_table_contains (self->pop3_errors, &account_id);

  (void)scheduler;
  (void)downloaded;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_hash_table_replace (self->pop3_errors, g_memdup2 (&account_id, sizeof account_id),
                          g_error_copy (error));
  else if (had_error)
    g_hash_table_remove (self->pop3_errors, &account_id);
  else
    return;

  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, account_id);
}

/* The copy in Sent goes to the server with the engine's next pass. */
static void
outbox_sent_cb (BuzonOutboxScheduler  *scheduler,
                gint64                 account_id,
                gint64                 item_id,
                char                 **rejected,
                BuzonSyncManager      *self)
{
  if (lookup_engine (self, account_id) != NULL)
    buzon_sync_manager_kick (self, account_id);
}

/**
 * buzon_sync_manager_new:
 * @store: the store whose accounts to keep in sync
 *
 * Returns: (transfer full): a new manager, not started
 */
BuzonSyncManager *
buzon_sync_manager_new (BuzonStore *store)
{
  BuzonSyncManager *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);

  self = g_object_new (BUZON_TYPE_SYNC_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->pop3 = buzon_pop3_scheduler_new (store);
  buzon_pop3_scheduler_set_interval (self->pop3, BUZON_POP3_DEFAULT_CHECK_MINUTES * 60);
  self->pop3_errors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify)g_error_free);
  g_signal_connect (self->pop3, "checked", G_CALLBACK (pop3_checked_cb), self);
  self->outbox = buzon_outbox_scheduler_new (store);
  g_signal_connect (self->outbox, "sent", G_CALLBACK (outbox_sent_cb), self);

  return self;
}

/**
 * buzon_sync_manager_set_tls_database:
 * @database: (nullable): the database to verify servers with, %NULL for the system's
 *
 * For engines created from now on (call before buzon_sync_manager_start()).
 */
void
buzon_sync_manager_set_tls_database (BuzonSyncManager *self,
                                     GTlsDatabase     *database)
{
  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  g_set_object (&self->tls_database, database);
  buzon_pop3_scheduler_set_tls_database (self->pop3, database);
  buzon_outbox_scheduler_set_tls_database (self->outbox, database);
}

/**
 * buzon_sync_manager_get_outbox:
 *
 * Returns: (transfer none): what sends the outbox (its "sent" and "failed"
 *   signals tell how sending goes)
 */
BuzonOutboxScheduler *
buzon_sync_manager_get_outbox (BuzonSyncManager *self)
{
  g_return_val_if_fail (BUZON_IS_SYNC_MANAGER (self), NULL);

  return self->outbox;
}

/**
 * buzon_sync_manager_set_pop3_interval:
 * @seconds: seconds between checks of the POP3 accounts, 0 for none
 */
void
buzon_sync_manager_set_pop3_interval (BuzonSyncManager *self,
                                      guint             seconds)
{
  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  buzon_pop3_scheduler_set_interval (self->pop3, seconds);
}

/**
 * buzon_sync_manager_start:
 *
 * Starts keeping every account in sync, and follows the store's accounts.
 */
void
buzon_sync_manager_start (BuzonSyncManager *self)
{
  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  if (self->started)
    return;
  self->started = TRUE;

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->online = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  g_signal_connect (self->store, "accounts-changed", G_CALLBACK (accounts_changed_cb), self);

  accounts_changed_cb (self->store, self);
  if (self->online)
    buzon_pop3_scheduler_start (self->pop3);
  buzon_outbox_scheduler_start (self->outbox);
}

/**
 * buzon_sync_manager_stop_async:
 * @cancellable: (nullable): not used to cancel the closing: a #GCancellable
 * @callback: called when every session is closed
 * @user_data: data for @callback
 *
 * Stops every sync and closes the sessions (LOGOUT).
 */
void
buzon_sync_manager_stop_async (BuzonSyncManager    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer value;
  guint *pending;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_sync_manager_stop_async));
  pending = g_new0 (guint, 1);
  *pending = 1;  /* ours, until every close is queued */
  g_task_set_task_data (task, pending, g_free);

  self->started = FALSE;
  g_cancellable_cancel (self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_signal_handlers_disconnect_by_data (self->store, self);
  buzon_pop3_scheduler_stop (self->pop3);
  buzon_outbox_scheduler_stop (self->outbox);

  g_hash_table_iter_init (&iter, self->engines);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    engine_drop (value, task);
  g_hash_table_remove_all (self->engines);

  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_sync_manager_stop_finish:
 *
 * Returns: %TRUE
 */
gboolean
buzon_sync_manager_stop_finish (BuzonSyncManager  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_sync_manager_set_viewed_folder:
 * @folder_id: the folder the user is looking at, 0 for none
 *
 * That folder is watched too (as well as INBOX), so changes show at once.
 */
void
buzon_sync_manager_set_viewed_folder (BuzonSyncManager *self,
                                      gint64            folder_id)
{
  g_autoptr(BuzonFolder) folder = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  if (folder_id == self->viewed_folder_id)
    return;
  self->viewed_folder_id = folder_id;
  if (folder_id > 0)
    folder = buzon_store_get_folder (self->store, folder_id, NULL);

  g_hash_table_iter_init (&iter, self->engines);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Engine *engine = value;
      const char *name = folder != NULL && folder->account_id == engine->account_id
                         ? folder->name : NULL;

      if (g_strcmp0 (name, engine->viewed) == 0)
        continue;
      g_free (engine->viewed);
      engine->viewed = g_strdup (name);
      if (engine->phase == PHASE_WATCH)
        engine_watch (engine);
    }
}

static gboolean
kick_cb (gpointer data)
{
  Engine *engine = data;

  engine->kick_source = 0;
  /* A run replays the queue first, then starts a watch which replays it
   * again; a failed engine retries on its own or on retry(). */
  if (engine->phase == PHASE_WATCH)
    engine_watch (engine);

  return G_SOURCE_REMOVE;
}

/**
 * buzon_sync_manager_kick:
 * @account_id: the account the user changed something in
 *
 * Sends the account's queued operations to the server soon; kicks in a row
 * are sent together. Nothing for POP3 accounts, whose operations are local.
 */
void
buzon_sync_manager_kick (BuzonSyncManager *self,
                         gint64            account_id)
{
  Engine *engine;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  engine = lookup_engine (self, account_id);
  if (engine != NULL && engine->kick_source == 0)
    /* At the default priority: an idle one waits for as long as other
     * sources keep being ready (a busy window, a test's polling). */
    engine->kick_source = g_idle_add_full (G_PRIORITY_DEFAULT, kick_cb, engine, NULL);
}

/**
 * buzon_sync_manager_retry:
 * @account_id: an account
 *
 * Tries again at once, after the user fixed what failed (the password, the
 * trust in a certificate).
 */
void
buzon_sync_manager_retry (BuzonSyncManager *self,
                          gint64            account_id)
{
  Engine *engine;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  engine = lookup_engine (self, account_id);
  if (engine == NULL)
    {
      buzon_pop3_scheduler_check_now (self->pop3);
      return;
    }
  engine->backoff = 0;
  engine_start (engine);
}

/**
 * buzon_sync_manager_get_state:
 * @account_id: an account
 * @error_out: (out) (optional) (transfer none) (nullable): the error of
 *   %BUZON_SYNC_STATE_ERROR, a sentence for the user
 *
 * Returns: the account's state (%BUZON_SYNC_STATE_IDLE for POP3 accounts)
 */
BuzonSyncState
buzon_sync_manager_get_state (BuzonSyncManager  *self,
                              gint64             account_id,
                              const GError     **error_out)
{
  Engine *engine;

  g_return_val_if_fail (BUZON_IS_SYNC_MANAGER (self), BUZON_SYNC_STATE_IDLE);

  engine = lookup_engine (self, account_id);
  if (error_out != NULL)
    *error_out = engine != NULL ? engine->error : NULL;
  if (engine == NULL)
    {
      /* A POP3 account (or one not started). */
      const GError *error = g_hash_table_lookup (self->pop3_errors, &account_id);

      if (!self->online)
        return BUZON_SYNC_STATE_OFFLINE;
      if (error_out != NULL)
        *error_out = error;
      return error != NULL ? BUZON_SYNC_STATE_ERROR : BUZON_SYNC_STATE_IDLE;
    }

  return engine->state;
}

/* Gets the engine's attention for a job of its own: the watch would hold the
 * job back until cancelled, so it is stopped, and queued again after @queue's
 * job. */
static Engine *
engine_for_job (BuzonSyncManager  *self,
                gint64             account_id,
                GError           **error)
{
  Engine *engine = lookup_engine (self, account_id);

  if (engine == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("This account is not kept in step with a server."));

  return engine;
}

static void
fetch_body_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GBytes *bytes = buzon_imap_sync_fetch_body_finish (BUZON_IMAP_SYNC (object), result, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify)g_bytes_unref);
}

/**
 * buzon_sync_manager_fetch_body_async:
 * @account_id: the message's account
 * @message_id: a message whose body may not be stored
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the message's bytes
 * @user_data: data for @callback
 *
 * Gets the message's bytes from the server (and stores them).
 */
void
buzon_sync_manager_fetch_body_async (BuzonSyncManager    *self,
                                     gint64               account_id,
                                     gint64               message_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Engine *engine;
  gboolean watching;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_sync_manager_fetch_body_async));

  engine = engine_for_job (self, account_id, &error);
  if (engine == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  watching = engine->phase == PHASE_WATCH;
  if (watching)
    engine_interrupt (engine);
  buzon_imap_sync_fetch_body_async (engine->sync, message_id, cancellable, fetch_body_cb,
                                    g_steal_pointer (&task));
  if (watching)
    engine_watch (engine);
}

/**
 * buzon_sync_manager_fetch_body_finish:
 *
 * Returns: (transfer full) (nullable): the message's bytes
 */
GBytes *
buzon_sync_manager_fetch_body_finish (BuzonSyncManager  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *found = buzon_imap_sync_search_finish (BUZON_IMAP_SYNC (object), result, &error);

  if (found == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, found, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * buzon_sync_manager_search_server_async:
 * @account_id: an IMAP account
 * @folder: (nullable): the folder's name, %NULL for every folder
 * @query: the text to find
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the matches
 * @user_data: data for @callback
 *
 * Searches on the server (see buzon_imap_sync_search_async()).
 */
void
buzon_sync_manager_search_server_async (BuzonSyncManager    *self,
                                        gint64               account_id,
                                        const char          *folder,
                                        const char          *query,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Engine *engine;
  gboolean watching;

  g_return_if_fail (BUZON_IS_SYNC_MANAGER (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_sync_manager_search_server_async));

  engine = engine_for_job (self, account_id, &error);
  if (engine == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  watching = engine->phase == PHASE_WATCH;
  if (watching)
    engine_interrupt (engine);
  buzon_imap_sync_search_async (engine->sync, folder, query, cancellable, search_cb,
                                g_steal_pointer (&task));
  if (watching)
    engine_watch (engine);
}

/**
 * buzon_sync_manager_search_server_finish:
 *
 * Returns: (transfer full) (element-type BuzonMessageSummary) (nullable):
 *   the matching messages as stored
 */
GPtrArray *
buzon_sync_manager_search_server_finish (BuzonSyncManager  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
