/* buzon-outbox-scheduler.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_OUTBOX_SCHEDULER (buzon_outbox_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (BuzonOutboxScheduler, buzon_outbox_scheduler, BUZON, OUTBOX_SCHEDULER,
                      GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxScheduler *buzon_outbox_scheduler_new              (BuzonStore           *store);
void                  buzon_outbox_scheduler_set_tls_database (BuzonOutboxScheduler *self,
                                                               GTlsDatabase         *database);
void                  buzon_outbox_scheduler_start            (BuzonOutboxScheduler *self);
void                  buzon_outbox_scheduler_stop             (BuzonOutboxScheduler *self);
void                  buzon_outbox_scheduler_send_now         (BuzonOutboxScheduler *self,
                                                               gint64                account_id,
                                                               gboolean              force);
gboolean              buzon_outbox_scheduler_is_busy          (BuzonOutboxScheduler *self);

G_END_DECLS
