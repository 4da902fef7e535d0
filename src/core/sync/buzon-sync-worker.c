/* buzon-sync-worker.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "buzon-sync-worker.h"

/* A GAsyncReadyCallback whose data is a GAsyncResult ** slot: it keeps the
 * result there (a reference) for _buzon_sync_wait(). */
void
_buzon_sync_store_result_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Iterates @context until *@slot holds a result, and returns it (still
 * owned by the slot). */
GAsyncResult *
_buzon_sync_wait (GMainContext  *context,
                  GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);

  return *slot;
}
