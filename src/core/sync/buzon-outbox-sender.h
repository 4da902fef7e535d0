/* buzon-outbox-sender.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-account.h"
#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BuzonOutboxStats:
 * @sent: messages the server accepted in this run
 * @failed: messages the server refused for good; they wait for the user
 * @deferred: messages that failed for now and will be tried again
 * @filed: messages filed in Sent (the ones sent now, and ones an earlier,
 *   interrupted run had sent)
 * @next_attempt: when the earliest message still queued is due (Unix time),
 *   0 when nothing is queued
 *
 * What one run of a #BuzonOutboxSender did.
 */
typedef struct
{
  guint  sent;
  guint  failed;
  guint  deferred;
  guint  filed;
  gint64 next_attempt;
} BuzonOutboxStats;

#define BUZON_TYPE_OUTBOX_SENDER (buzon_outbox_sender_get_type ())

G_DECLARE_FINAL_TYPE (BuzonOutboxSender, buzon_outbox_sender, BUZON, OUTBOX_SENDER, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxSender *buzon_outbox_sender_new              (BuzonStore          *store,
                                                         BuzonAccount        *account);
BuzonAccount      *buzon_outbox_sender_get_account      (BuzonOutboxSender   *self);
void               buzon_outbox_sender_set_tls_database (BuzonOutboxSender   *self,
                                                         GTlsDatabase        *database);
gboolean           buzon_outbox_sender_is_running       (BuzonOutboxSender   *self);

void               buzon_outbox_sender_run_async        (BuzonOutboxSender   *self,
                                                         gboolean             all,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean           buzon_outbox_sender_run_finish       (BuzonOutboxSender   *self,
                                                         GAsyncResult        *result,
                                                         BuzonOutboxStats    *out_stats,
                                                         GError             **error);

guint              buzon_outbox_backoff                 (guint                attempts);

G_END_DECLS
