/* buzon-pop3-scheduler.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Checks every POP3 account of the store when started and then every
 * interval (the "pop3-check-interval" setting of the application), one
 * account after another. The accounts are listed afresh at each round, so
 * an account added or removed meanwhile is seen. A round that is still
 * running when the next is due is not doubled: the next one starts an
 * interval after it ended. */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include "buzon-pop3-scheduler.h"
#include "buzon-pop3-sync.h"

struct _BuzonPop3Scheduler
{
  GObject        parent_instance;

  BuzonStore    *store;
  GTlsDatabase  *tls_database;
  guint          interval;       /* seconds, 0: only when asked */
  guint          timer;
  gboolean       started;
  gboolean       again;          /* check_now() during a round */
  GCancellable  *cancellable;    /* the running round's, NULL between rounds */
  GPtrArray     *queue;          /* BuzonAccount *: the round's accounts still to check */
};

enum
{
  SIGNAL_CHECKED,
  SIGNAL_ROUND_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonPop3Scheduler, buzon_pop3_scheduler, G_TYPE_OBJECT)

static void check_next (BuzonPop3Scheduler *self);

static void
buzon_pop3_scheduler_dispose (GObject *object)
{
  BuzonPop3Scheduler *self = BUZON_POP3_SCHEDULER (object);

  buzon_pop3_scheduler_stop (self);

  G_OBJECT_CLASS (buzon_pop3_scheduler_parent_class)->dispose (object);
}

static void
buzon_pop3_scheduler_finalize (GObject *object)
{
  BuzonPop3Scheduler *self = BUZON_POP3_SCHEDULER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->queue, g_ptr_array_unref);

  G_OBJECT_CLASS (buzon_pop3_scheduler_parent_class)->finalize (object);
}

static void
buzon_pop3_scheduler_class_init (BuzonPop3SchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_pop3_scheduler_dispose;
  object_class->finalize = buzon_pop3_scheduler_finalize;

  /**
   * BuzonPop3Scheduler::checked:
   * @account: the account checked
   * @error: (nullable): why the check failed (a sentence for the user), or
   *   %NULL
   * @downloaded: how many messages arrived
   *
   * One account was checked.
   */
  signals[SIGNAL_CHECKED] =
    g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, BUZON_TYPE_ACCOUNT, G_TYPE_ERROR, G_TYPE_UINT);

  /**
   * BuzonPop3Scheduler::round-done:
   *
   * Every POP3 account was checked once.
   */
  signals[SIGNAL_ROUND_DONE] =
    g_signal_new ("round-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
buzon_pop3_scheduler_init (BuzonPop3Scheduler *self)
{
  self->interval = BUZON_POP3_DEFAULT_CHECK_MINUTES * 60;
  self->queue = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * buzon_pop3_scheduler_new:
 * @store: the store whose POP3 accounts to check
 *
 * Returns: (transfer full): a scheduler, not started
 */
BuzonPop3Scheduler *
buzon_pop3_scheduler_new (BuzonStore *store)
{
  BuzonPop3Scheduler *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);

  self = g_object_new (BUZON_TYPE_POP3_SCHEDULER, NULL);
  self->store = g_object_ref (store);

  return self;
}

static gboolean
timer_cb (gpointer user_data)
{
  BuzonPop3Scheduler *self = user_data;

  self->timer = 0;
  buzon_pop3_scheduler_check_now (self);

  return G_SOURCE_REMOVE;
}

static void
arm_timer (BuzonPop3Scheduler *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->started && self->interval > 0 && self->cancellable == NULL)
    self->timer = g_timeout_add_seconds (self->interval, timer_cb, self);
}

/**
 * buzon_pop3_scheduler_set_interval:
 * @seconds: between the end of a round and the next; 0 checks only at the
 *   start and when asked
 */
void
buzon_pop3_scheduler_set_interval (BuzonPop3Scheduler *self,
                                   guint               seconds)
{
  g_return_if_fail (BUZON_IS_POP3_SCHEDULER (self));

  if (self->interval == seconds)
    return;
  self->interval = seconds;
  arm_timer (self);
}

/**
 * buzon_pop3_scheduler_get_interval:
 *
 * Returns: the seconds between rounds
 */
guint
buzon_pop3_scheduler_get_interval (BuzonPop3Scheduler *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SCHEDULER (self), 0);

  return self->interval;
}

/**
 * buzon_pop3_scheduler_set_tls_database:
 * @database: (nullable): CAs instead of the system's (tests)
 */
void
buzon_pop3_scheduler_set_tls_database (BuzonPop3Scheduler *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (BUZON_IS_POP3_SCHEDULER (self));

  g_set_object (&self->tls_database, database);
}

static void
round_done (BuzonPop3Scheduler *self)
{
  g_clear_object (&self->cancellable);
  g_ptr_array_set_size (self->queue, 0);
  g_signal_emit (self, signals[SIGNAL_ROUND_DONE], 0);

  if (self->again)
    {
      self->again = FALSE;
      buzon_pop3_scheduler_check_now (self);
      return;
    }
  arm_timer (self);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BuzonPop3Scheduler) self = user_data;
  BuzonPop3Sync *sync = BUZON_POP3_SYNC (object);
  g_autoptr(GError) error = NULL;
  BuzonPop3CheckResult out = { 0, };

  buzon_pop3_sync_check_finish (sync, result, &out, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;  /* stopped */

  if (error != NULL)
    g_debug ("POP3 check of %s: %s", buzon_account_get_name (buzon_pop3_sync_get_account (sync)),
             error->message);
  g_signal_emit (self, signals[SIGNAL_CHECKED], 0, buzon_pop3_sync_get_account (sync), error,
                 out.downloaded);

  check_next (self);
}

static void
check_next (BuzonPop3Scheduler *self)
{
  g_autoptr(BuzonAccount) account = NULL;
  BuzonPop3Sync *sync;

  if (self->queue->len == 0)
    {
      round_done (self);
      return;
    }

  /* A new engine each time: it reads the account's settings as they are
   * now. The check holds it until it ends. */
  account = g_ptr_array_steal_index (self->queue, 0);
  sync = buzon_pop3_sync_new (self->store, account);
  if (self->tls_database != NULL)
    buzon_pop3_sync_set_tls_database (sync, self->tls_database);
  buzon_pop3_sync_check_async (sync, self->cancellable, check_cb, g_object_ref (self));
  g_object_unref (sync);
}

/**
 * buzon_pop3_scheduler_check_now:
 *
 * Checks every POP3 account now (or, if a round is running, once more
 * right after it).
 */
void
buzon_pop3_scheduler_check_now (BuzonPop3Scheduler *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (BUZON_IS_POP3_SCHEDULER (self));

  if (self->cancellable != NULL)
    {
      self->again = TRUE;
      return;
    }

  g_clear_handle_id (&self->timer, g_source_remove);
  accounts = buzon_store_list_accounts (self->store, &error);
  if (accounts == NULL)
    {
      g_debug ("POP3 checks: %s", error->message);
      arm_timer (self);
      return;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      BuzonAccount *account = g_ptr_array_index (accounts, i);

      if (buzon_account_get_protocol (account) == BUZON_PROTOCOL_POP3)
        g_ptr_array_add (self->queue, g_object_ref (account));
    }

  self->cancellable = g_cancellable_new ();
  check_next (self);
}

/**
 * buzon_pop3_scheduler_start:
 *
 * Checks every POP3 account now, then every interval.
 */
void
buzon_pop3_scheduler_start (BuzonPop3Scheduler *self)
{
  g_return_if_fail (BUZON_IS_POP3_SCHEDULER (self));

  if (self->started)
    return;
  self->started = TRUE;
  buzon_pop3_scheduler_check_now (self);
}

/**
 * buzon_pop3_scheduler_stop:
 *
 * Cancels the running check (what it stored is kept) and the timer.
 */
void
buzon_pop3_scheduler_stop (BuzonPop3Scheduler *self)
{
  g_return_if_fail (BUZON_IS_POP3_SCHEDULER (self));

  self->started = FALSE;
  self->again = FALSE;
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_ptr_array_set_size (self->queue, 0);
}

/**
 * buzon_pop3_scheduler_is_checking:
 *
 * Returns: whether a round of checks is running
 */
gboolean
buzon_pop3_scheduler_is_checking (BuzonPop3Scheduler *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SCHEDULER (self), FALSE);

  return self->cancellable != NULL;
}
