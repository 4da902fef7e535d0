/* buzon-dnd.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The values drags carry between the message list and the sidebar. */

#include "config.h"

#include "buzon-types.h"
#include "buzon-dnd.h"

/* Spelled out: see buzon-types.h. */
BUZON_DEFINE_BOXED_TYPE (BuzonMessageDrag, buzon_message_drag)
BUZON_DEFINE_BOXED_TYPE (BuzonFolderDrag, buzon_folder_drag)

/**
 * buzon_message_drag_new:
 * @account_id: the account
 * @folder_id: the folder the messages are in
 * @ids: (array length=n_ids): the messages' store ids
 * @n_ids: how many
 *
 * Returns: (transfer full): a new #BuzonMessageDrag
 */
BuzonMessageDrag *
buzon_message_drag_new (gint64        account_id,
                        gint64        folder_id,
                        const gint64 *ids,
                        guint         n_ids)
{
  BuzonMessageDrag *drag = g_new0 (BuzonMessageDrag, 1);

  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  drag->account_id = account_id;
  drag->folder_id = folder_id;
  drag->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (drag->ids, ids, n_ids);

  return drag;
}

BuzonMessageDrag *
buzon_message_drag_copy (const BuzonMessageDrag *drag)
{
  g_return_val_if_fail (drag != NULL, NULL);

  return buzon_message_drag_new (drag->account_id, drag->folder_id,
                                 (const gint64 *)(void *)drag->ids->data, drag->ids->len);
}

void
buzon_message_drag_free (BuzonMessageDrag *drag)
{
  if (drag == NULL)
    return;
  g_clear_pointer (&drag->ids, g_array_unref);
  g_free (drag);
}

/**
 * buzon_folder_drag_new:
 * @account_id: the account
 * @folder_id: the folder
 *
 * Returns: (transfer full): a new #BuzonFolderDrag
 */
BuzonFolderDrag *
buzon_folder_drag_new (gint64 account_id,
                       gint64 folder_id)
{
  BuzonFolderDrag *drag = g_new0 (BuzonFolderDrag, 1);

  drag->account_id = account_id;
  drag->folder_id = folder_id;

  return drag;
}

BuzonFolderDrag *
buzon_folder_drag_copy (const BuzonFolderDrag *drag)
{
  g_return_val_if_fail (drag != NULL, NULL);

  return buzon_folder_drag_new (drag->account_id, drag->folder_id);
}

void
buzon_folder_drag_free (BuzonFolderDrag *drag)
{
  g_free (drag);
}
