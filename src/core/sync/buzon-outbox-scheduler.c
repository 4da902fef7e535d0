/* buzon-outbox-scheduler.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonOutboxScheduler: sends every account's outbox while the app runs.
 *
 * One BuzonOutboxSender per account with mail in the outbox. The outbox is
 * looked at when the scheduler starts, whenever the store says it changed
 * (coalesced in an idle), when the network comes back, and when the
 * earliest queued message is due (a timer per account, from the run's
 * next_attempt: the undo-send delay and the backoff of failed attempts both
 * end that way). A request while an account's run is under way runs it
 * again afterwards. Without a network nothing is tried.
 *
 * The senders' "sent" and "failed" are re-emitted with the account's id.
 */

#define G_LOG_DOMAIN "buzon-outbox"

#include "config.h"

#include "buzon-outbox-scheduler.h"
#include "buzon-outbox-sender.h"

typedef struct
{
  BuzonOutboxScheduler *scheduler;  /* unowned; NULL once dropped */
  gint64                account_id;
  BuzonOutboxSender    *sender;
  GCancellable         *cancellable;
  gboolean              again;
  gboolean              force;      /* the next run skips the backoff */
  guint                 timer;
} Slot;

struct _BuzonOutboxScheduler
{
  GObject          parent_instance;

  BuzonStore      *store;
  GTlsDatabase    *tls_database;
  GNetworkMonitor *monitor;
  GHashTable      *slots;      /* account id → Slot */
  guint            scan_source;
  gboolean         started;
  gboolean         online;
};

enum
{
  SIGNAL_SENT,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonOutboxScheduler, buzon_outbox_scheduler, G_TYPE_OBJECT)

static void slot_run (Slot     *slot,
                      gboolean  force);

static void
slot_free (Slot *slot)
{
  g_clear_object (&slot->sender);
  g_clear_object (&slot->cancellable);
  g_free (slot);
}

/* Takes a slot out of service. A run under way is cancelled; its callback
 * frees the slot. */
static void
slot_drop (Slot *slot)
{
  g_clear_handle_id (&slot->timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (slot->sender, slot);
  slot->scheduler = NULL;

  if (buzon_outbox_sender_is_running (slot->sender))
    g_cancellable_cancel (slot->cancellable);
  else
    slot_free (slot);
}

static void
sent_cb (BuzonOutboxSender  *sender,
         gint64              item_id,
         char              **rejected,
         Slot               *slot)
{
  if (slot->scheduler != NULL)
    g_signal_emit (slot->scheduler, signals[SIGNAL_SENT], 0, slot->account_id, item_id,
                   rejected);
}

static void
failed_cb (BuzonOutboxSender *sender,
           gint64             item_id,
           const char        *message,
           gboolean           permanent,
           Slot              *slot)
{
  if (slot->scheduler != NULL)
    g_signal_emit (slot->scheduler, signals[SIGNAL_FAILED], 0, slot->account_id, item_id,
                   message, permanent);
}

static gboolean
timer_cb (gpointer data)
{
  Slot *slot = data;

  slot->timer = 0;
  slot_run (slot, FALSE);

  return G_SOURCE_REMOVE;
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Slot *slot = user_data;
  g_autoptr(GError) error = NULL;
  BuzonOutboxStats stats = { 0, };

  if (!buzon_outbox_sender_run_finish (BUZON_OUTBOX_SENDER (object), result, &stats, &error))
    g_debug ("Outbox of account %" G_GINT64_FORMAT ": %s", slot->account_id, error->message);

  if (slot->scheduler == NULL)
    {
      slot_free (slot);
      return;
    }

  if (slot->again)
    {
      slot_run (slot, FALSE);
      return;
    }

  if (stats.next_attempt > 0)
    {
      gint64 wait = stats.next_attempt - buzon_store_now ();

      g_clear_handle_id (&slot->timer, g_source_remove);
      slot->timer = g_timeout_add_seconds ((guint)CLAMP (wait, 1, G_MAXINT), timer_cb, slot);
    }
}

static void
slot_run (Slot     *slot,
          gboolean  force)
{
  BuzonOutboxScheduler *self = slot->scheduler;

  slot->force |= force;
  if (self == NULL || !self->started || !self->online)
    return;

  if (buzon_outbox_sender_is_running (slot->sender))
    {
      slot->again = TRUE;
      return;
    }

  slot->again = FALSE;
  g_clear_handle_id (&slot->timer, g_source_remove);
  g_clear_object (&slot->cancellable);
  slot->cancellable = g_cancellable_new ();
  buzon_outbox_sender_run_async (slot->sender, slot->force, slot->cancellable, run_cb, slot);
  slot->force = FALSE;
}

static Slot *
slot_new (BuzonOutboxScheduler *self,
          BuzonAccount         *account)
{
  Slot *slot = g_new0 (Slot, 1);

  slot->scheduler = self;
  slot->account_id = buzon_account_get_id (account);
  slot->sender = buzon_outbox_sender_new (self->store, account);
  if (self->tls_database != NULL)
    buzon_outbox_sender_set_tls_database (slot->sender, self->tls_database);
  g_signal_connect (slot->sender, "sent", G_CALLBACK (sent_cb), slot);
  g_signal_connect (slot->sender, "failed", G_CALLBACK (failed_cb), slot);

  return slot;
}

/* Looking at the outbox */

/* Whether an edit of the account leaves its sending as it was. */
static gboolean
same_outgoing (BuzonAccount *a,
               BuzonAccount *b)
{
  return g_strcmp0 (buzon_account_get_address (a), buzon_account_get_address (b)) == 0 &&
         g_strcmp0 (buzon_account_get_smtp_host (a), buzon_account_get_smtp_host (b)) == 0 &&
         buzon_account_get_smtp_port (a) == buzon_account_get_smtp_port (b) &&
         buzon_account_get_smtp_security (a) == buzon_account_get_smtp_security (b) &&
         g_strcmp0 (buzon_account_get_smtp_username (a),
                    buzon_account_get_smtp_username (b)) == 0 &&
         g_strcmp0 (buzon_account_get_password_command (a),
                    buzon_account_get_password_command (b)) == 0 &&
         buzon_account_get_protocol (a) == buzon_account_get_protocol (b);
}

static void
scan (BuzonOutboxScheduler *self)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  items = buzon_store_outbox_list (self->store, 0, &error);
  accounts = items != NULL ? buzon_store_list_accounts (self->store, &error) : NULL;
  if (accounts == NULL)
    {
      g_warning ("Could not read the outbox: %s", error->message);
      return;
    }

  /* Accounts that are gone take their senders along; edited ones get a
   * sender with their new settings. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->slots);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        Slot *slot = value;
        BuzonAccount *current = NULL;

        for (guint i = 0; i < accounts->len; i++)
          if (buzon_account_get_id (g_ptr_array_index (accounts, i)) == slot->account_id)
            current = g_ptr_array_index (accounts, i);

        if (current == NULL ||
            !same_outgoing (current, buzon_outbox_sender_get_account (slot->sender)))
          {
            g_hash_table_iter_steal (&iter);
            slot_drop (slot);
          }
      }
  }

  for (guint i = 0; i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);
      Slot *slot = g_hash_table_lookup (self->slots, &item->account_id);

      if (slot == NULL)
        {
          for (guint j = 0; j < accounts->len && slot == NULL; j++)
            {
              BuzonAccount *account = g_ptr_array_index (accounts, j);

              if (buzon_account_get_id (account) == item->account_id)
                {
                  slot = slot_new (self, account);
                  g_hash_table_insert (self->slots, &slot->account_id, slot);
                  slot_run (slot, FALSE);
                }
            }
        }
    }
}

static gboolean
scan_cb (gpointer data)
{
  BuzonOutboxScheduler *self = data;

  self->scan_source = 0;
  if (self->started)
    scan (self);

  return G_SOURCE_REMOVE;
}

static void
queue_scan (BuzonOutboxScheduler *self)
{
  if (self->started && self->scan_source == 0)
    self->scan_source = g_idle_add (scan_cb, self);
}

/* A change may make a message due now (a new one, a retry): every account
 * looks again. */
static void
outbox_changed_cb (BuzonStore           *store,
                   BuzonOutboxScheduler *self)
{
  buzon_outbox_scheduler_send_now (self, 0, FALSE);
  queue_scan (self);
}

static void
accounts_changed_cb (BuzonStore           *store,
                     BuzonOutboxScheduler *self)
{
  queue_scan (self);
}

static void
network_changed_cb (GNetworkMonitor      *monitor,
                    gboolean              available,
                    BuzonOutboxScheduler *self)
{
  if (available == self->online)
    return;

  self->online = available;
  /* What failed while the network was gone goes now, not after its backoff. */
  if (available)
    buzon_outbox_scheduler_send_now (self, 0, TRUE);
}

/* GObject */

static void
drop_all (BuzonOutboxScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      slot_drop (value);
    }
}

static void
buzon_outbox_scheduler_dispose (GObject *object)
{
  BuzonOutboxScheduler *self = BUZON_OUTBOX_SCHEDULER (object);

  buzon_outbox_scheduler_stop (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  G_OBJECT_CLASS (buzon_outbox_scheduler_parent_class)->dispose (object);
}

static void
buzon_outbox_scheduler_finalize (GObject *object)
{
  BuzonOutboxScheduler *self = BUZON_OUTBOX_SCHEDULER (object);

  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (buzon_outbox_scheduler_parent_class)->finalize (object);
}

static void
buzon_outbox_scheduler_class_init (BuzonOutboxSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_outbox_scheduler_dispose;
  object_class->finalize = buzon_outbox_scheduler_finalize;

  /**
   * BuzonOutboxScheduler::sent:
   * @account_id: the account that sent it
   * @item_id: the outbox item
   * @rejected: (array zero-terminated=1): refused recipients, "address: reason"
   *
   * See #BuzonOutboxSender::sent.
   */
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRV);

  /**
   * BuzonOutboxScheduler::failed:
   * @account_id: the account
   * @item_id: the outbox item
   * @message: why, for the user
   * @permanent: whether it waits for the user
   *
   * See #BuzonOutboxSender::failed.
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
buzon_outbox_scheduler_init (BuzonOutboxScheduler *self)
{
  self->slots = g_hash_table_new (g_int64_hash, g_int64_equal);
}

/**
 * buzon_outbox_scheduler_new:
 * @store: the store
 *
 * Returns: (transfer full): a scheduler, not started
 */
BuzonOutboxScheduler *
buzon_outbox_scheduler_new (BuzonStore *store)
{
  BuzonOutboxScheduler *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);

  self = g_object_new (BUZON_TYPE_OUTBOX_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->online = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->store, "outbox-changed", G_CALLBACK (outbox_changed_cb), self);
  g_signal_connect (self->store, "accounts-changed", G_CALLBACK (accounts_changed_cb), self);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);

  return self;
}

/**
 * buzon_outbox_scheduler_set_tls_database:
 * @database: (nullable): the CA database servers are verified with
 */
void
buzon_outbox_scheduler_set_tls_database (BuzonOutboxScheduler *self,
                                         GTlsDatabase         *database)
{
  g_return_if_fail (BUZON_IS_OUTBOX_SCHEDULER (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->tls_database, database);
}

/**
 * buzon_outbox_scheduler_start:
 *
 * Sends what is due now, and from then on whatever becomes due.
 */
void
buzon_outbox_scheduler_start (BuzonOutboxScheduler *self)
{
  g_return_if_fail (BUZON_IS_OUTBOX_SCHEDULER (self));

  if (self->started)
    return;

  self->started = TRUE;
  scan (self);
}

/**
 * buzon_outbox_scheduler_stop:
 *
 * Stops sending; a message being sent is queued again.
 */
void
buzon_outbox_scheduler_stop (BuzonOutboxScheduler *self)
{
  g_return_if_fail (BUZON_IS_OUTBOX_SCHEDULER (self));

  self->started = FALSE;
  g_clear_handle_id (&self->scan_source, g_source_remove);
  drop_all (self);
}

/**
 * buzon_outbox_scheduler_send_now:
 * @account_id: the account, or 0 for all
 * @force: also messages whose attempts failed, without waiting out their
 *   backoff (the user asked, or the network is back)
 *
 * Looks at the outbox of @account_id now (or as soon as its run under way
 * ends) rather than at its next due time.
 */
void
buzon_outbox_scheduler_send_now (BuzonOutboxScheduler *self,
                                 gint64                account_id,
                                 gboolean              force)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BUZON_IS_OUTBOX_SCHEDULER (self));

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Slot *slot = value;

      if (account_id == 0 || slot->account_id == account_id)
        slot_run (slot, force);
    }
}

/**
 * buzon_outbox_scheduler_is_busy:
 *
 * Returns: whether a message is being sent
 */
gboolean
buzon_outbox_scheduler_is_busy (BuzonOutboxScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (BUZON_IS_OUTBOX_SCHEDULER (self), FALSE);

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (buzon_outbox_sender_is_running (((Slot *)value)->sender))
      return TRUE;

  return FALSE;
}
