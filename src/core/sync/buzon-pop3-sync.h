/* buzon-pop3-sync.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-account.h"
#include "buzon-pop3-session.h"
#include "buzon-store.h"

G_BEGIN_DECLS

#define BUZON_POP3_SYNC_ERROR (buzon_pop3_sync_error_quark ())

typedef enum
{
  BUZON_POP3_SYNC_ERROR_NOT_POP3,
  BUZON_POP3_SYNC_ERROR_NO_INBOX,
} BuzonPop3SyncError;

GQuark buzon_pop3_sync_error_quark (void);

/**
 * BuzonPop3CheckResult:
 * @on_server: messages the server listed
 * @downloaded: messages downloaded by this check
 * @deleted: messages deleted from the server by this check
 * @fingerprints: the server has no UIDL: messages were told apart by a
 *   fingerprint of their header, which cannot be exact
 *
 * What one check did.
 */
typedef struct
{
  guint    on_server;
  guint    downloaded;
  guint    deleted;
  gboolean fingerprints;
} BuzonPop3CheckResult;

#define BUZON_TYPE_POP3_SYNC (buzon_pop3_sync_get_type ())

G_DECLARE_FINAL_TYPE (BuzonPop3Sync, buzon_pop3_sync, BUZON, POP3_SYNC, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Sync *buzon_pop3_sync_new              (BuzonStore            *store,
                                                 BuzonAccount          *account);
BuzonAccount  *buzon_pop3_sync_get_account      (BuzonPop3Sync         *self);
void           buzon_pop3_sync_set_tls_database (BuzonPop3Sync         *self,
                                                 GTlsDatabase          *database);
void           buzon_pop3_sync_set_auth_method  (BuzonPop3Sync         *self,
                                                 BuzonPop3AuthMethod    method);
void           buzon_pop3_sync_set_max_message_size
                                                (BuzonPop3Sync         *self,
                                                 guint64                size);

const char    *buzon_pop3_sync_fingerprint_warning (void);

void           buzon_pop3_sync_check_async      (BuzonPop3Sync         *self,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
gboolean       buzon_pop3_sync_check_finish     (BuzonPop3Sync         *self,
                                                 GAsyncResult          *result,
                                                 BuzonPop3CheckResult  *out_result,
                                                 GError               **error);

G_END_DECLS
