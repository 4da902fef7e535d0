/* buzon-dnd.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * BuzonMessageDrag:
 * @account_id: the account the messages belong to
 * @folder_id: the folder they are dragged from
 * @ids: (element-type gint64): the store ids of the dragged messages, in list order
 *
 * What a drag of messages from the message list carries (a #GValue of this
 * boxed type in the drag's #GdkContentProvider). Drags stay inside Buzón,
 * so the value is handed over as it is, without serialization.
 */
typedef struct
{
  gint64  account_id;
  gint64  folder_id;
  GArray *ids;
} BuzonMessageDrag;

/**
 * BuzonFolderDrag:
 * @account_id: the account the folder belongs to
 * @folder_id: the store id of the dragged folder
 *
 * What a drag of a folder in the sidebar carries.
 */
typedef struct
{
  gint64 account_id;
  gint64 folder_id;
} BuzonFolderDrag;

#define BUZON_TYPE_MESSAGE_DRAG (buzon_message_drag_get_type ())
#define BUZON_TYPE_FOLDER_DRAG  (buzon_folder_drag_get_type ())

GType             buzon_message_drag_get_type (void);
BuzonMessageDrag *buzon_message_drag_new      (gint64                  account_id,
                                               gint64                  folder_id,
                                               const gint64           *ids,
                                               guint                   n_ids);
BuzonMessageDrag *buzon_message_drag_copy     (const BuzonMessageDrag *drag);
void              buzon_message_drag_free     (BuzonMessageDrag       *drag);

GType             buzon_folder_drag_get_type  (void);
BuzonFolderDrag  *buzon_folder_drag_new       (gint64                  account_id,
                                               gint64                  folder_id);
BuzonFolderDrag  *buzon_folder_drag_copy      (const BuzonFolderDrag  *drag);
void              buzon_folder_drag_free      (BuzonFolderDrag        *drag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonMessageDrag, buzon_message_drag_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonFolderDrag, buzon_folder_drag_free)

G_END_DECLS
