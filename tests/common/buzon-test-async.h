/* buzon-test-async.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Running asynchronous APIs to completion in a test, on the thread-default
 * main context of the test's thread (the global default one in the tests):
 *
 *   g_autoptr(GAsyncResult) result = NULL;
 *
 *   buzon_imap_session_logout_async (session, NULL, buzon_test_result_cb, &result);
 *   ok = buzon_imap_session_logout_finish (session, buzon_test_wait_for (&result), &error);
 *
 * and tearing down what other threads may still hold for a moment.
 */

/**
 * BuzonTestCondition:
 * @data: what was given to buzon_test_spin_until()
 *
 * Returns: %TRUE when what is waited for has happened
 */
typedef gboolean (*BuzonTestCondition) (gpointer data);

void          buzon_test_result_cb              (GObject            *object,
                                                 GAsyncResult       *result,
                                                 gpointer            user_data);
GAsyncResult *buzon_test_wait_for               (GAsyncResult      **slot);
gboolean      buzon_test_spin_until             (BuzonTestCondition  done,
                                                 gpointer            data,
                                                 guint               timeout_ms);
void          buzon_test_finalize_object        (gpointer            object);
guint         buzon_test_count_pool_threads     (void);
void          buzon_test_let_pool_threads_exit  (void);

G_END_DECLS
