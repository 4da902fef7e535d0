/* buzon-imap-sync.h
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
 * BUZON_IMAP_SYNC_ERROR:
 *
 * Errors of the sync engine itself; the session's and the connection's
 * errors (BUZON_IMAP_SESSION_ERROR, BUZON_NET_ERROR) come through unchanged.
 * Messages are sentences for the user.
 */
#define BUZON_IMAP_SYNC_ERROR (buzon_imap_sync_error_quark ())

/**
 * BuzonImapSyncError:
 * @BUZON_IMAP_SYNC_ERROR_NO_PASSWORD: no password is stored for the account
 * @BUZON_IMAP_SYNC_ERROR_NOT_IMAP: the account is not an IMAP account
 * @BUZON_IMAP_SYNC_ERROR_NO_FOLDER: the folder is not on the server
 * @BUZON_IMAP_SYNC_ERROR_FETCH: the server did not send a message it has
 */
typedef enum
{
  BUZON_IMAP_SYNC_ERROR_NO_PASSWORD,
  BUZON_IMAP_SYNC_ERROR_NOT_IMAP,
  BUZON_IMAP_SYNC_ERROR_NO_FOLDER,
  BUZON_IMAP_SYNC_ERROR_FETCH,
} BuzonImapSyncError;

GQuark buzon_imap_sync_error_quark (void);

/**
 * BuzonImapSyncFlags:
 * @BUZON_IMAP_SYNC_DEFAULT: replay the queue, sync the folder list and every
 *   selectable folder, then download bodies as the account's policy says
 * @BUZON_IMAP_SYNC_QUEUE_ONLY: only replay the queued operations
 * @BUZON_IMAP_SYNC_NO_BODIES: do not download bodies, whatever the policy
 *
 * What buzon_imap_sync_run_async() does.
 */
typedef enum
{
  BUZON_IMAP_SYNC_DEFAULT    = 0,
  BUZON_IMAP_SYNC_QUEUE_ONLY = 1 << 0,
  BUZON_IMAP_SYNC_NO_BODIES  = 1 << 1,
} BuzonImapSyncFlags;

#define BUZON_TYPE_IMAP_SYNC (buzon_imap_sync_get_type ())

G_DECLARE_FINAL_TYPE (BuzonImapSync, buzon_imap_sync, BUZON, IMAP_SYNC, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonImapSync *buzon_imap_sync_new                (BuzonStore           *store,
                                                   BuzonAccount         *account);
BuzonAccount  *buzon_imap_sync_get_account        (BuzonImapSync        *self);
BuzonStore    *buzon_imap_sync_get_store          (BuzonImapSync        *self);
void           buzon_imap_sync_set_tls_database   (BuzonImapSync        *self,
                                                   GTlsDatabase         *database);

void           buzon_imap_sync_run_async          (BuzonImapSync        *self,
                                                   BuzonImapSyncFlags    flags,
                                                   const char           *folder,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       buzon_imap_sync_run_finish         (BuzonImapSync        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void           buzon_imap_sync_watch_async        (BuzonImapSync        *self,
                                                   const char * const   *folders,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       buzon_imap_sync_watch_finish       (BuzonImapSync        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void           buzon_imap_sync_fetch_body_async   (BuzonImapSync        *self,
                                                   gint64                message_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes        *buzon_imap_sync_fetch_body_finish  (BuzonImapSync        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void           buzon_imap_sync_search_async       (BuzonImapSync        *self,
                                                   const char           *folder,
                                                   const char           *query,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray     *buzon_imap_sync_search_finish      (BuzonImapSync        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void           buzon_imap_sync_close_async        (BuzonImapSync        *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       buzon_imap_sync_close_finish       (BuzonImapSync        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
