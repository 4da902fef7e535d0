/* buzon-application.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "buzon-types.h"
#include "buzon-sync-manager.h"

G_BEGIN_DECLS

#define BUZON_TYPE_APPLICATION (buzon_application_get_type ())

G_DECLARE_FINAL_TYPE (BuzonApplication, buzon_application, BUZON, APPLICATION, AdwApplication)

BuzonApplication *buzon_application_new             (const char        *application_id,
                                                     GApplicationFlags  flags)
                                                     G_GNUC_WARN_UNUSED_RESULT;
BuzonStore       *buzon_application_get_store       (BuzonApplication  *self);
const GError     *buzon_application_get_store_error (BuzonApplication  *self);
GSettings        *buzon_application_get_settings    (BuzonApplication  *self);
BuzonSyncManager *buzon_application_get_sync_manager (BuzonApplication *self);
gint64            buzon_application_get_start_time  (BuzonApplication  *self);

G_END_DECLS
