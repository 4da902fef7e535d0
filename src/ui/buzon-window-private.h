/* buzon-window-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-message-list.h"
#include "buzon-reader.h"
#include "buzon-sidebar.h"
#include "buzon-store.h"
#include "buzon-sync-manager.h"
#include "buzon-window.h"

G_BEGIN_DECLS

/* What the Undo of the last toast puts back. */
typedef enum
{
  BUZON_UNDO_NONE,
  BUZON_UNDO_MOVE_MESSAGES,   /* move ids back to from_folder */
  BUZON_UNDO_RENAME_FOLDER,   /* rename folder_id back to old_name */
  BUZON_UNDO_COPY_MESSAGES,   /* delete the copies (ids) for good */
} BuzonUndoKind;

typedef struct
{
  BuzonUndoKind  kind;
  BuzonAccount  *account;
  GArray        *ids;          /* gint64: messages, with their folder before the move */
  GArray        *from_folders; /* gint64, parallel to ids */
  gint64         folder_id;
  char          *old_name;
  AdwToast      *toast;        /* (weak) the toast offering it */
} BuzonUndo;

struct _BuzonWindow
{
  AdwApplicationWindow  parent_instance;

  BuzonStore           *store;
  BuzonSyncManager     *sync;
  GSettings            *settings;
  GListStore           *accounts;
  GCancellable         *cancellable;
  guint                 list_serial;

  /* the folder shown, or the search */
  BuzonAccount         *account;
  BuzonFolder          *folder;
  BuzonMessageList     *messages;
  GtkMultiSelection    *selection;
  gint64                pending_message;  /* select it once the list has it */
  gboolean              show_threads;     /* folders list conversations */
  GCancellable         *search_cancellable;
  guint                 search_serial;
  char                 *search_text;
  gint64                folder_opened_at; /* monotonic µs, for BUZON_REPORT_TIMINGS */
  gboolean              report_timings;
  gboolean              first_rows_reported;
  gulong                after_paint_handler;

  /* the message in the reader */
  gint64                reader_message;
  GCancellable         *fetch_cancellable;

  BuzonUndo            *undo;
  BuzonAccount         *banner_account;   /* whose problem the banner shows */
  GtkWidget            *message_menu;     /* the list's context menu, made on first use */

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  GtkStack             *sidebar_stack;
  GtkSpinner           *loading_spinner;
  BuzonSidebar         *sidebar;
  AdwStatusPage        *error_page;
  GtkMenuButton        *primary_menu_button;
  GtkMenuButton        *error_menu_button;
  AdwLeaflet           *outer_leaflet;
  AdwLeaflet           *inner_leaflet;
  AdwWindowTitle       *list_title;
  GtkToggleButton      *search_button;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkButton            *banner_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkCheckButton       *search_all_button;
  GtkCheckButton       *search_server_button;
  GtkStack             *list_stack;
  GtkSpinner           *list_spinner;
  GtkListView          *message_view;
  AdwStatusPage        *empty_folder_page;
  AdwStatusPage        *no_results_page;
  GtkStack             *reader_stack;
  AdwStatusPage        *selection_page;
  BuzonReader          *reader;
  GtkMenuButton        *move_button;
  GtkPopover           *move_popover;
  GtkSearchEntry       *move_entry;
  GtkListBox           *move_list;
  GtkButton            *unread_button;
};

/* buzon-window-actions.c */
void          _buzon_window_class_init_actions  (GtkWidgetClass   *widget_class);
void          _buzon_window_update_actions      (BuzonWindow      *self);
GArray       *_buzon_window_dup_selected_rows   (BuzonWindow      *self);
GArray       *_buzon_window_dup_selected_ids    (BuzonWindow      *self);
void          _buzon_window_undo_free           (BuzonUndo        *undo);
void          _buzon_window_init_message_menu   (BuzonWindow      *self);
void          _buzon_window_sidebar_move_messages_cb (BuzonWindow      *self,
                                                 BuzonFolder      *target,
                                                 BuzonMessageDrag *drag,
                                                 gboolean          copy);
void          _buzon_window_sidebar_move_folder_cb (BuzonWindow    *self,
                                                 BuzonFolder      *folder,
                                                 BuzonFolder      *new_parent,
                                                 BuzonAccount     *account);
void          _buzon_window_sidebar_show_toast_cb (BuzonWindow     *self,
                                                 const char       *text);

/* buzon-window.c */
BuzonAccount *_buzon_window_find_account        (BuzonWindow      *self,
                                                 gint64            account_id);

G_END_DECLS
