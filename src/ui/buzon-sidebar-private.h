/* buzon-sidebar-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What tests/ui/test-sidebar.c looks at inside BuzonSidebar: the row items
 * of the tree, the dialog that is open, and a way to drop with an action a
 * test cannot produce by emitting the drop target's signal (COPY). */

#pragma once

#include "buzon-sidebar.h"

G_BEGIN_DECLS

#define BUZON_TYPE_SIDEBAR_ITEM (buzon_sidebar_item_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSidebarItem, buzon_sidebar_item, BUZON, SIDEBAR_ITEM, GObject)

BuzonAccount      *_buzon_sidebar_item_get_account        (BuzonSidebarItem *item);
const BuzonFolder *_buzon_sidebar_item_get_folder         (BuzonSidebarItem *item);
guint              _buzon_sidebar_item_get_unread_count   (BuzonSidebarItem *item);
BuzonSidebarStatus _buzon_sidebar_item_get_status         (BuzonSidebarItem *item);
gboolean           _buzon_sidebar_item_get_quota          (BuzonSidebarItem *item,
                                                           guint64          *out_usage,
                                                           guint64          *out_limit);
G_GNUC_WARN_UNUSED_RESULT
char              *_buzon_sidebar_item_dup_title          (BuzonSidebarItem *item);
G_GNUC_WARN_UNUSED_RESULT
char              *_buzon_sidebar_item_dup_accessible_label (BuzonSidebarItem *item);

GtkTreeListModel  *_buzon_sidebar_get_tree                (BuzonSidebar     *self);
GtkListView       *_buzon_sidebar_get_list_view           (BuzonSidebar     *self);
BuzonSidebarItem  *_buzon_sidebar_find_folder_item        (BuzonSidebar     *self,
                                                           gint64            folder_id);
BuzonSidebarItem  *_buzon_sidebar_find_account_item       (BuzonSidebar     *self,
                                                           gint64            account_id);
GtkWidget         *_buzon_sidebar_get_dialog              (BuzonSidebar     *self);
GMenuModel        *_buzon_sidebar_get_menu_model          (BuzonSidebar     *self);
gboolean           _buzon_sidebar_drop_for_test           (BuzonSidebar     *self,
                                                           BuzonSidebarItem *target,
                                                           const GValue     *value,
                                                           GdkDragAction     action);
void               _buzon_sidebar_set_context_item        (BuzonSidebar     *self,
                                                           BuzonSidebarItem *item);

G_END_DECLS
