/* buzon-pop3-scheduler.h
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

/* The default of the "pop3-check-interval" setting, in minutes. */
#define BUZON_POP3_DEFAULT_CHECK_MINUTES 10

#define BUZON_TYPE_POP3_SCHEDULER (buzon_pop3_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (BuzonPop3Scheduler, buzon_pop3_scheduler, BUZON, POP3_SCHEDULER, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Scheduler *buzon_pop3_scheduler_new          (BuzonStore         *store);
void                buzon_pop3_scheduler_set_interval (BuzonPop3Scheduler *self,
                                                       guint               seconds);
guint               buzon_pop3_scheduler_get_interval (BuzonPop3Scheduler *self);
void                buzon_pop3_scheduler_set_tls_database
                                                      (BuzonPop3Scheduler *self,
                                                       GTlsDatabase       *database);
void                buzon_pop3_scheduler_start        (BuzonPop3Scheduler *self);
void                buzon_pop3_scheduler_check_now    (BuzonPop3Scheduler *self);
void                buzon_pop3_scheduler_stop         (BuzonPop3Scheduler *self);
gboolean            buzon_pop3_scheduler_is_checking  (BuzonPop3Scheduler *self);

G_END_DECLS
