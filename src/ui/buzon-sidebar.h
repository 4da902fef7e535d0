/* buzon-sidebar.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "buzon-account.h"
#include "buzon-dnd.h"
#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BuzonSidebarStatus:
 * @BUZON_SIDEBAR_STATUS_IDLE: nothing to show
 * @BUZON_SIDEBAR_STATUS_SYNCING: the account is being checked
 * @BUZON_SIDEBAR_STATUS_OFFLINE: the server cannot be reached
 * @BUZON_SIDEBAR_STATUS_ERROR: the last check failed (the tooltip says why)
 *
 * What an account row shows in its status slot.
 */
typedef enum
{
  BUZON_SIDEBAR_STATUS_IDLE,
  BUZON_SIDEBAR_STATUS_SYNCING,
  BUZON_SIDEBAR_STATUS_OFFLINE,
  BUZON_SIDEBAR_STATUS_ERROR,
} BuzonSidebarStatus;

#define BUZON_TYPE_SIDEBAR (buzon_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSidebar, buzon_sidebar, BUZON, SIDEBAR, GtkWidget)

G_GNUC_WARN_UNUSED_RESULT
GtkWidget         *buzon_sidebar_new                  (void);
void               buzon_sidebar_set_store            (BuzonSidebar           *self,
                                                       BuzonStore             *store);
BuzonStore        *buzon_sidebar_get_store            (BuzonSidebar           *self);
void               buzon_sidebar_set_accounts         (BuzonSidebar           *self,
                                                       GListModel             *accounts);
void               buzon_sidebar_set_account_status   (BuzonSidebar           *self,
                                                       gint64                  account_id,
                                                       BuzonSidebarStatus      status,
                                                       const char             *tooltip);
gboolean           buzon_sidebar_select_folder        (BuzonSidebar           *self,
                                                       gint64                  folder_id);
const BuzonFolder *buzon_sidebar_get_selected_folder  (BuzonSidebar           *self);
BuzonAccount      *buzon_sidebar_get_selected_account (BuzonSidebar           *self);

gboolean           buzon_sidebar_can_drop_messages    (BuzonSidebar           *self,
                                                       gint64                  folder_id,
                                                       const BuzonMessageDrag *drag);
gboolean           buzon_sidebar_can_drop_folder      (BuzonSidebar           *self,
                                                       gint64                  account_id,
                                                       gint64                  new_parent_id,
                                                       const BuzonFolderDrag  *drag);
G_GNUC_WARN_UNUSED_RESULT
char              *buzon_sidebar_dup_folder_title     (const BuzonFolder      *folder);
G_GNUC_WARN_UNUSED_RESULT
char              *buzon_sidebar_dup_child_name       (BuzonSidebar           *self,
                                                       gint64                  account_id,
                                                       gint64                  parent_id,
                                                       const char             *leaf);

G_END_DECLS
