/* buzon-sync-worker.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the engines that run on a worker thread of their own share: the
 * worker pushes a GMainContext of its own, starts a session's async call
 * with _buzon_sync_store_result_cb and a result slot, and iterates that
 * context until the result is there (_buzon_sync_wait), so the protocol
 * code reads top to bottom. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void          _buzon_sync_store_result_cb (GObject        *object,
                                           GAsyncResult   *result,
                                           gpointer        user_data);
GAsyncResult *_buzon_sync_wait            (GMainContext   *context,
                                           GAsyncResult  **slot);

G_END_DECLS
