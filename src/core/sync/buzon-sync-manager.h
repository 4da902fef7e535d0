/* buzon-sync-manager.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-outbox-scheduler.h"
#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BuzonSyncState:
 * @BUZON_SYNC_STATE_IDLE: in step with the server, watching for changes
 * @BUZON_SYNC_STATE_SYNCING: a full sync is running
 * @BUZON_SYNC_STATE_OFFLINE: there is no network; nothing is tried
 * @BUZON_SYNC_STATE_ERROR: the last attempt failed; see buzon_sync_manager_get_state()
 *
 * What the sidebar shows for an account.
 */
typedef enum
{
  BUZON_SYNC_STATE_IDLE,
  BUZON_SYNC_STATE_SYNCING,
  BUZON_SYNC_STATE_OFFLINE,
  BUZON_SYNC_STATE_ERROR,
} BuzonSyncState;

#define BUZON_TYPE_SYNC_MANAGER (buzon_sync_manager_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSyncManager, buzon_sync_manager, BUZON, SYNC_MANAGER, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonSyncManager *buzon_sync_manager_new                  (BuzonStore           *store);
void              buzon_sync_manager_set_tls_database     (BuzonSyncManager     *self,
                                                           GTlsDatabase         *database);
BuzonOutboxScheduler *
                  buzon_sync_manager_get_outbox           (BuzonSyncManager     *self);
void              buzon_sync_manager_set_pop3_interval    (BuzonSyncManager     *self,
                                                           guint                 seconds);
void              buzon_sync_manager_start                (BuzonSyncManager     *self);
void              buzon_sync_manager_stop_async           (BuzonSyncManager     *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          buzon_sync_manager_stop_finish          (BuzonSyncManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              buzon_sync_manager_set_viewed_folder    (BuzonSyncManager     *self,
                                                           gint64                folder_id);
void              buzon_sync_manager_kick                 (BuzonSyncManager     *self,
                                                           gint64                account_id);
void              buzon_sync_manager_retry                (BuzonSyncManager     *self,
                                                           gint64                account_id);
BuzonSyncState    buzon_sync_manager_get_state            (BuzonSyncManager     *self,
                                                           gint64                account_id,
                                                           const GError        **error_out);

void              buzon_sync_manager_fetch_body_async     (BuzonSyncManager     *self,
                                                           gint64                account_id,
                                                           gint64                message_id,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes           *buzon_sync_manager_fetch_body_finish    (BuzonSyncManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              buzon_sync_manager_search_server_async  (BuzonSyncManager     *self,
                                                           gint64                account_id,
                                                           const char           *folder,
                                                           const char           *query,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray        *buzon_sync_manager_search_server_finish (BuzonSyncManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
