/* test-window-threads.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real window grouping a folder by conversation, in process under
 * Xvfb, on the real store: an Inbox with four conversations (replies that
 * name their parents in In-Reply-To and References, one reply in Sent) is
 * shown flat, then grouped through win.show-threads (the setting follows);
 * each conversation is one row, with its count in a badge and in the row's
 * accessible name. Marking a conversation read, flagging it, deleting it
 * (to Trash, and Undo), dragging it onto a folder, moving it with the
 * picker (Ctrl+M) and archiving it act on all its messages in the folder,
 * checked in the store; its replies in Sent stay. The reader's strip lists
 * the conversation, its unread dots follow the store, and activating one of
 * its messages opens it and marks it read.
 * Switching the setting off gives the flat list back with the same folder
 * and message. Screenshots go to the build dir (tests/ui/window-threads*.png).
 *
 * The accounts name a host that does not exist: the application does not
 * sync (BUZON_NO_SYNC); the changes stay queued in the store.
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "buzon-account.h"
#include "buzon-dnd.h"
#include "buzon-message-list.h"
#include "buzon-message-row-private.h"
#include "buzon-sidebar.h"
#include "buzon-store.h"
#include "buzon-test-store.h"
#include "buzon-test-ui.h"

#include "buzon-application.h"
#include "buzon-reader.h"
#include "buzon-window.h"

#define WAIT_SECONDS 30
#define T0 G_GINT64_CONSTANT (1795000000)   /* November 2026 */

static BuzonApplication *app;
static char *data_home;

/* The store's ids of the messages made in main() */
static gint64 account_id;
static gint64 inbox_id, sent_id, trash_id, work_id, archive_id;
static gint64 a1, a2, a3, a_sent;   /* "Cena del viernes": three in the Inbox, one in Sent */
static gint64 b1, b2;               /* "Presupuesto 2027" */
static gint64 c1;                   /* "Boletín de noviembre", alone */
static gint64 d1;                   /* "Factura", alone */

/* --- waiting --- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition condition,
          gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      if (condition (data))
        return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_usleep (5000);
    }
}

static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* --- widgets --- */

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (gtk_widget_get_mapped (root) && match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_LABEL (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_count_badge (GtkWidget     *widget,
                gconstpointer  data)
{
  (void)data;
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "buzon-count-badge");
}

/* The row showing @data (a message id), drawn. */
static gboolean
is_row_of (GtkWidget     *widget,
           gconstpointer  data)
{
  BuzonMessageItem *item;

  if (!BUZON_IS_MESSAGE_ROW (widget))
    return FALSE;
  item = buzon_message_row_get_item (BUZON_MESSAGE_ROW (widget));

  return item != NULL && buzon_message_item_get_loaded (item) &&
         buzon_message_item_get_id (item) == *(const gint64 *)data;
}

/* The drop target of the sidebar row showing @name. */
static GtkDropTarget *
find_drop_target (GtkWidget  *root,
                  const char *name,
                  GType       type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (root);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller) &&
          find_widget (root, is_label_with_text, name) != NULL)
        {
          gsize n_types = 0;
          const GType *types = gtk_drop_target_get_gtypes (GTK_DROP_TARGET (controller), &n_types);

          for (gsize t = 0; t < n_types; t++)
            if (types[t] == type)
              return GTK_DROP_TARGET (controller);
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkDropTarget *found = find_drop_target (child, name, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* --- the app --- */

static gboolean
window_allocated (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static BuzonWindow *
get_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      return l->data;

  g_application_activate (G_APPLICATION (app));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      {
        g_assert_true (wait_for (window_allocated, l->data));
        return l->data;
      }

  g_assert_not_reached ();
}

static BuzonStore *
store (void)
{
  return buzon_application_get_store (app);
}

static gboolean
is_message_view (GtkWidget     *widget,
                 gconstpointer  data)
{
  GtkSelectionModel *model;
  g_autoptr(GObject) inner = NULL;

  (void)data;
  if (!GTK_IS_LIST_VIEW (widget))
    return FALSE;
  model = gtk_list_view_get_model (GTK_LIST_VIEW (widget));
  if (model == NULL)
    return FALSE;
  g_object_get (model, "model", &inner, NULL);

  return BUZON_IS_MESSAGE_LIST (inner);
}

static GtkListView *
message_view (void)
{
  return GTK_LIST_VIEW (find_widget (GTK_WIDGET (get_window ()), is_message_view, NULL));
}

static BuzonMessageList *
message_list (void)
{
  GtkListView *view = message_view ();
  g_autoptr(GObject) inner = NULL;

  if (view == NULL)
    return NULL;
  g_object_get (gtk_list_view_get_model (view), "model", &inner, NULL);

  return BUZON_MESSAGE_LIST (inner);
}

typedef struct
{
  gboolean threaded;
  guint    rows;
} ListWait;

static gboolean
list_shows (gpointer data)
{
  ListWait *wait = data;
  BuzonMessageList *list = message_list ();

  return list != NULL && !buzon_message_list_get_loading (list) &&
         buzon_message_list_get_folder_id (list) == inbox_id &&
         buzon_message_list_get_threaded (list) == wait->threaded &&
         g_list_model_get_n_items (G_LIST_MODEL (list)) == wait->rows;
}

static void
assert_list (gboolean threaded,
             guint    rows)
{
  ListWait wait = { threaded, rows };

  if (!wait_for (list_shows, &wait))
    {
      BuzonMessageList *list = message_list ();

      g_error ("the Inbox is not shown %s with %u rows (it has %u, %s)",
               threaded ? "threaded" : "flat", rows,
               list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (list)) : 0,
               list != NULL && buzon_message_list_get_threaded (list) ? "threaded" : "flat");
    }
}

/* Selects the row of @id alone; returns its position. */
static guint
select_row (gint64 id)
{
  guint position = G_MAXUINT;

  g_assert_true (buzon_message_list_get_position_of (message_list (), id, &position));
  gtk_selection_model_select_item (gtk_list_view_get_model (message_view ()), position, TRUE);
  settle (50);

  return position;
}

static gboolean
row_drawn (gpointer data)
{
  return find_widget (GTK_WIDGET (message_view ()), is_row_of, data) != NULL;
}

static BuzonMessageRow *
drawn_row (gint64 id)
{
  if (!wait_for (row_drawn, &id))
    g_error ("the row of message %" G_GINT64_FORMAT " is not drawn", id);

  return BUZON_MESSAGE_ROW (find_widget (GTK_WIDGET (message_view ()), is_row_of, &id));
}

static BuzonMessageSummary *
message (gint64 id)
{
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *summary = buzon_store_get_message (store (), id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static void
assert_in_folder (const gint64 *ids,
                  guint         n_ids,
                  gint64        folder_id)
{
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(BuzonMessageSummary) summary = message (ids[i]);

      g_assert_cmpint (summary->folder_id, ==, folder_id);
    }
}

static gboolean
has_flag (gint64            id,
          BuzonMessageFlags flag)
{
  g_autoptr(BuzonMessageSummary) summary = message (id);

  return (summary->flags & flag) != 0;
}

static void
open_inbox (void)
{
  GtkWidget *sidebar = find_widget (GTK_WIDGET (get_window ()), is_of_type,
                                    GSIZE_TO_POINTER (BUZON_TYPE_SIDEBAR));

  g_assert_nonnull (sidebar);
  g_assert_true (buzon_sidebar_select_folder (BUZON_SIDEBAR (sidebar), inbox_id));
}

static gboolean
sidebar_shows_inbox (gpointer data)
{
  (void)data;
  return find_widget (GTK_WIDGET (get_window ()), is_label_with_text, "Inbox") != NULL;
}

/* --- the tests, in order: each builds on the one before --- */

static void
test_switch_on (void)
{
  BuzonWindow *window;
  GSettings *settings = buzon_application_get_settings (app);
  g_autoptr(GVariant) state = NULL;

  g_assert_nonnull (settings);
  /* Starts flat, as for someone who turned grouping off. */
  g_settings_set_boolean (settings, "show-threads", FALSE);
  window = get_window ();
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (sidebar_shows_inbox, NULL));
  open_inbox ();
  assert_list (FALSE, 7);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-threads"));
  state = g_action_group_get_action_state (G_ACTION_GROUP (window), "show-threads");
  g_assert_false (g_variant_get_boolean (state));
  g_clear_pointer (&state, g_variant_unref);

  /* The message read stays read after the switch: its conversation's row. */
  select_row (a2);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "show-threads",
                                      g_variant_new_boolean (TRUE));
  g_assert_true (g_settings_get_boolean (settings, "show-threads"));
  state = g_action_group_get_action_state (G_ACTION_GROUP (window), "show-threads");
  g_assert_true (g_variant_get_boolean (state));

  /* Four conversations, newest first: c, b, a, d. */
  assert_list (TRUE, 4);
  g_assert_cmpint (buzon_message_list_get_id_at (message_list (), 0), ==, c1);
  g_assert_cmpint (buzon_message_list_get_id_at (message_list (), 1), ==, b2);
  g_assert_cmpint (buzon_message_list_get_id_at (message_list (), 2), ==, a3);
  g_assert_cmpint (buzon_message_list_get_id_at (message_list (), 3), ==, d1);
  {
    guint position;

    g_assert_true (buzon_message_list_get_position_of (message_list (), a3, &position));
    g_assert_true (gtk_selection_model_is_selected (gtk_list_view_get_model (message_view ()),
                                                    position));
  }
}

static gboolean
is_seen (gpointer data)
{
  return has_flag (*(const gint64 *)data, BUZON_MESSAGE_FLAG_SEEN);
}

static gboolean
row_name_says (gpointer data)
{
  BuzonMessageRow *row = drawn_row (a3);

  return strstr (_buzon_message_row_get_accessible_label (row), data) != NULL;
}

static gboolean
row_name_lacks (gpointer data)
{
  return !row_name_says (data);
}

static gboolean
reader_shows (gpointer data)
{
  GtkWidget *reader = find_widget (GTK_WIDGET (get_window ()), is_of_type,
                                   GSIZE_TO_POINTER (BUZON_TYPE_READER));

  return reader != NULL && buzon_reader_get_message_id (BUZON_READER (reader)) ==
                           *(const gint64 *)data;
}

/* The row of conversation a names its unread count as the store has it. */
static gboolean
row_counts_unread (gpointer data)
{
  guint unread = 0;
  g_autofree char *expected = NULL;

  (void)data;
  unread += !has_flag (a1, BUZON_MESSAGE_FLAG_SEEN);
  unread += !has_flag (a2, BUZON_MESSAGE_FLAG_SEEN);
  unread += !has_flag (a3, BUZON_MESSAGE_FLAG_SEEN);
  expected = g_strdup_printf ("3 messages in this conversation, %u unread", unread);

  return row_name_says (expected);
}

static gboolean
label_shown (gpointer data)
{
  return find_widget (GTK_WIDGET (get_window ()), is_label_with_text, data) != NULL;
}

static void
test_badge_and_name (void)
{
  BuzonMessageRow *row = drawn_row (a3);
  GtkWidget *badge = find_widget (GTK_WIDGET (row), is_count_badge, NULL);
  const char *name = _buzon_message_row_get_accessible_label (row);

  g_assert_nonnull (badge);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (badge)), ==, "3");
  g_assert_nonnull (strstr (name, "Re: Cena del viernes"));
  g_assert_nonnull (strstr (name, "3 messages in this conversation"));
  /* The reader still shows a2, the message read before the switch (and
   * marks it read); the row counts the others unread. */
  g_assert_true (wait_for (reader_shows, &a2));
  g_assert_true (wait_for (is_seen, &a2));
  g_assert_false (has_flag (a1, BUZON_MESSAGE_FLAG_SEEN));
  if (!wait_for (row_counts_unread, NULL))
    g_error ("the row is named “%s”", _buzon_message_row_get_accessible_label (drawn_row (a3)));
  g_test_message ("row name: %s", _buzon_message_row_get_accessible_label (drawn_row (a3)));

  /* A single message has no badge, and says nothing of conversations. */
  row = drawn_row (c1);
  g_assert_null (find_widget (GTK_WIDGET (row), is_count_badge, NULL));
  g_assert_null (strstr (_buzon_message_row_get_accessible_label (row), "conversation"));

  /* Two rows selected: the reader says how many conversations. */
  {
    GtkSelectionModel *selection = gtk_list_view_get_model (message_view ());
    guint position;

    g_assert_true (buzon_message_list_get_position_of (message_list (), b2, &position));
    gtk_selection_model_select_item (selection, position, FALSE);
    g_assert_true (wait_for (label_shown, (gpointer)"2 Conversations Selected"));
    select_row (a3);
  }

  buzon_test_ui_screenshot (GTK_WIDGET (get_window ()), "window-threads.png", 1000);
}

static void
test_mark_read_and_flag (void)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  gint64 all[] = { a1, a2, a3 };

  select_row (a3);
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-read", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (has_flag (all[i], BUZON_MESSAGE_FLAG_SEEN));
  /* Not the reply in Sent, nor the other conversations. */
  g_assert_false (has_flag (b1, BUZON_MESSAGE_FLAG_SEEN));
  g_assert_false (has_flag (a_sent, BUZON_MESSAGE_FLAG_SEEN));
  /* Read: the row says no unread count any more. */
  g_assert_true (wait_for (row_name_lacks, (gpointer)"unread"));

  g_assert_true (gtk_widget_activate_action (window, "win.toggle-flag", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (has_flag (all[i], BUZON_MESSAGE_FLAG_FLAGGED));
  g_assert_true (wait_for (row_name_says, (gpointer)"flagged"));
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-flag", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_false (has_flag (all[i], BUZON_MESSAGE_FLAG_FLAGGED));

  /* Unread again, all of them: one click makes them alike. */
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-read", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_false (has_flag (all[i], BUZON_MESSAGE_FLAG_SEEN));
  g_assert_true (wait_for (row_name_says, (gpointer)"3 unread"));
  g_assert_true (gtk_widget_activate_action (window, "win.toggle-read", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_assert_true (has_flag (all[i], BUZON_MESSAGE_FLAG_SEEN));
}

static void
test_delete_and_undo (void)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  gint64 all[] = { a1, a2, a3 };

  select_row (a3);
  g_assert_true (gtk_widget_activate_action (window, "win.delete", NULL));
  assert_in_folder (all, G_N_ELEMENTS (all), trash_id);
  assert_in_folder (&a_sent, 1, sent_id);
  assert_in_folder ((gint64[]) { b1, b2, c1, d1 }, 4, inbox_id);
  assert_list (TRUE, 3);

  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  assert_in_folder (all, G_N_ELEMENTS (all), inbox_id);
  assert_list (TRUE, 4);
}

static gboolean
is_conversation_list (GtkWidget     *widget,
                      gconstpointer  data)
{
  (void)data;
  return GTK_IS_LIST_BOX (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar") &&
         gtk_widget_get_ancestor (widget, BUZON_TYPE_READER) != NULL;
}

static GtkListBox *
conversation_list (void)
{
  return GTK_LIST_BOX (find_widget (GTK_WIDGET (get_window ()), is_conversation_list, NULL));
}

static gboolean
strip_shown (gpointer data)
{
  GtkListBox *list = conversation_list ();

  int n = GPOINTER_TO_INT (data);

  return list != NULL && gtk_list_box_get_row_at_index (list, n - 1) != NULL &&
         gtk_list_box_get_row_at_index (list, n) == NULL;
}

static gboolean
has_text (GtkWidget  *root,
          const char *text)
{
  return find_widget (root, is_label_with_text, text) != NULL;
}

static gboolean
is_image (GtkWidget     *widget,
          gconstpointer  data)
{
  (void)data;
  return GTK_IS_IMAGE (widget);
}

/* Whether the unread dot of the strip's row @index is shown. */
static gboolean
dot_shown (int index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (conversation_list (), index);
  GtkWidget *dot = find_widget (GTK_WIDGET (row), is_image, NULL);

  g_assert_nonnull (dot);

  return gtk_widget_get_opacity (dot) > 0.5;
}

/* @data: a row's index, plus 100 to wait for its dot shown, else hidden. */
static gboolean
dot_shows (gpointer data)
{
  int value = GPOINTER_TO_INT (data);

  return dot_shown (value % 100) == (value >= 100);
}

/* The reader's strip: the conversation oldest first, the opened one
 * selected; activating another shows it and marks it read. */
static void
test_conversation_strip (void)
{
  g_autoptr(GError) error = NULL;
  GtkListBox *list;
  GtkListBoxRow *row;
  GtkWidget *reader = find_widget (GTK_WIDGET (get_window ()), is_of_type,
                                   GSIZE_TO_POINTER (BUZON_TYPE_READER));

  /* The oldest unread again, to see it marked read when opened. */
  g_assert_true (buzon_store_set_flags (store (), &a1, 1, 0, BUZON_MESSAGE_FLAG_SEEN, NULL,
                                        &error));
  g_assert_no_error (error);

  select_row (d1);
  g_assert_true (wait_for (reader_shows, &d1));
  g_assert_null (conversation_list ());   /* a single message: no strip */

  select_row (a3);
  g_assert_true (wait_for (reader_shows, &a3));
  if (!wait_for (strip_shown, GINT_TO_POINTER (3)))
    g_error ("the reader does not list the conversation's three messages");
  list = conversation_list ();
  g_assert_true (has_text (reader, "3 messages in this conversation"));

  /* Oldest first, the opened one (the newest) selected. */
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_true (has_text (GTK_WIDGET (row), "Ana Pérez"));
  g_assert_true (has_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list, 1)), "Luis García"));
  g_assert_true (gtk_list_box_get_selected_row (list) == gtk_list_box_get_row_at_index (list, 2));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (row)));

  g_assert_true (dot_shown (0));     /* a1, unread */
  g_assert_false (dot_shown (2));
  buzon_test_ui_screenshot (GTK_WIDGET (get_window ()), "window-threads-strip.png", 1000);

  /* Activating the first opens it, and marks it read. */
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_true (wait_for (reader_shows, &a1));
  if (!wait_for (is_seen, &a1))
    g_error ("opening a message from the strip did not mark it read");
  g_assert_true (gtk_list_box_get_selected_row (list) == row);
  g_assert_true (wait_for (dot_shows, GINT_TO_POINTER (0)));

  /* Its dots follow the store: a2 marked unread elsewhere shows one. */
  g_assert_false (dot_shown (1));
  g_assert_true (buzon_store_set_flags (store (), &a2, 1, 0, BUZON_MESSAGE_FLAG_SEEN, NULL,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (dot_shows, GINT_TO_POINTER (1 + 100)));
  g_assert_true (buzon_store_set_flags (store (), &a2, 1, BUZON_MESSAGE_FLAG_SEEN, 0, NULL,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (dot_shows, GINT_TO_POINTER (1)));

  /* The strip stays, the list's row too. */
  g_assert_true (conversation_list () == list);
  g_assert_true (has_text (reader, "Cena del viernes"));
}

static void
test_drag_conversation (void)
{
  GtkListView *view = message_view ();
  BuzonMessageRow *row = drawn_row (b2);
  GtkDragSource *source = NULL;
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  g_autoptr(GdkContentProvider) provider = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  GtkWidget *sidebar;
  GtkDropTarget *target;
  BuzonMessageDrag *drag;
  gboolean accepted = FALSE;
  graphene_point_t point;

  select_row (b2);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && source == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DRAG_SOURCE (controller))
        source = GTK_DRAG_SOURCE (controller);
    }
  g_assert_nonnull (source);

  /* What the drag source hands GTK when a drag starts on the row. */
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (row), GTK_WIDGET (view),
                                           &GRAPHENE_POINT_INIT (10, 10), &point));
  g_signal_emit_by_name (source, "prepare", (double)point.x, (double)point.y, &provider);
  g_assert_nonnull (provider);
  g_value_init (&value, BUZON_TYPE_MESSAGE_DRAG);
  g_assert_true (gdk_content_provider_get_value (provider, &value, &error));
  g_assert_no_error (error);
  drag = g_value_get_boxed (&value);
  g_assert_cmpint (drag->folder_id, ==, inbox_id);
  g_assert_cmpuint (drag->ids->len, ==, 2);

  sidebar = find_widget (GTK_WIDGET (get_window ()), is_of_type,
                         GSIZE_TO_POINTER (BUZON_TYPE_SIDEBAR));
  target = find_drop_target (sidebar, "Trabajo", BUZON_TYPE_MESSAGE_DRAG);
  g_assert_nonnull (target);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  assert_in_folder ((gint64[]) { b1, b2 }, 2, work_id);
  assert_list (TRUE, 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  assert_in_folder ((gint64[]) { b1, b2 }, 2, inbox_id);
  assert_list (TRUE, 4);
}

static gboolean
is_picker_label (GtkWidget     *widget,
                 gconstpointer  data)
{
  return is_label_with_text (widget, data) && gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER);
}

static gboolean
picker_shows (gpointer data)
{
  return find_widget (GTK_WIDGET (get_window ()), is_picker_label, data) != NULL;
}

/* Move to… (Ctrl+M) and Archive take the whole conversation too. */
static void
test_move_and_archive (void)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  GtkWidget *label;
  GtkWidget *row;
  gint64 both[] = { b1, b2 };

  select_row (b2);
  g_assert_true (gtk_widget_activate_action (window, "win.move-to", NULL));
  if (!wait_for (picker_shows, "Trabajo"))
    g_error ("the move picker does not offer Trabajo");
  label = find_widget (window, is_picker_label, "Trabajo");
  row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);
  g_signal_emit_by_name (gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX), "row-activated", row);
  assert_in_folder (both, 2, work_id);
  assert_list (TRUE, 3);
  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  assert_in_folder (both, 2, inbox_id);
  assert_list (TRUE, 4);

  select_row (b2);
  g_assert_true (gtk_widget_activate_action (window, "win.archive", NULL));
  assert_in_folder (both, 2, archive_id);
  assert_list (TRUE, 3);
  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  assert_in_folder (both, 2, inbox_id);
  assert_list (TRUE, 4);
}

static void
test_switch_off (void)
{
  BuzonWindow *window = get_window ();
  GSettings *settings = buzon_application_get_settings (app);
  guint position;

  select_row (b2);
  /* Through the setting this time: the window follows it. */
  g_settings_set_boolean (settings, "show-threads", FALSE);
  assert_list (FALSE, 7);
  {
    g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window),
                                                                  "show-threads");

    g_assert_false (g_variant_get_boolean (state));
  }
  g_assert_true (buzon_message_list_get_position_of (message_list (), b2, &position));
  g_assert_true (gtk_selection_model_is_selected (gtk_list_view_get_model (message_view ()),
                                                  position));
  g_assert_null (find_widget (GTK_WIDGET (message_view ()), is_count_badge, NULL));
}

/* --- the mail --- */

static gint64
add_folder (const char      *name,
            BuzonSpecialUse  use)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();

  folder->account_id = account_id;
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  folder->uidvalidity = 1;
  g_assert_true (buzon_store_upsert_folder (store (), folder, &error));
  g_assert_no_error (error);

  return folder->id;
}

static gint64
add_message (gint64      folder_id,
             const char *message_id,
             const char *in_reply_to,
             const char *references,
             const char *subject,
             const char *from,
             gint64      date)
{
  static guint32 uid = 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  BuzonMessageSummary *summary = buzon_message_summary_new ();

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);

  summary->folder_id = folder_id;
  summary->uid = uid++;
  summary->subject = g_strdup (subject);
  summary->from = g_strdup (from);
  summary->to = g_strdup ("Marta Ríos <marta@example.test>");
  summary->date = date;
  summary->internal_date = date;
  summary->message_id = g_strdup (message_id);
  summary->in_reply_to = g_strdup (in_reply_to);
  summary->references = g_strdup (references);
  summary->preview = g_strdup_printf ("%s — texto de prueba", subject);
  g_ptr_array_add (batch, summary);
  g_assert_true (buzon_store_upsert_messages (store (), batch, &error));
  g_assert_no_error (error);

  /* The whole message, so the reader shows it (and marks it read). */
  {
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (date);
    g_autofree char *date_text = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S +0000");
    g_autofree char *raw = NULL;
    g_autoptr(GBytes) bytes = NULL;

    raw = g_strdup_printf ("From: %s\r\nTo: Marta Ríos <marta@example.test>\r\n"
                           "Subject: %s\r\nMessage-ID: %s\r\nDate: %s\r\n"
                           "MIME-Version: 1.0\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Transfer-Encoding: 8bit\r\n\r\n"
                           "%s: texto de prueba.\r\n",
                           from, subject, message_id, date_text, subject);
    bytes = g_bytes_new (raw, strlen (raw));
    g_assert_true (buzon_store_set_body (store (), summary->id, bytes, subject, &error));
    g_assert_no_error (error);
  }

  return summary->id;
}

static void
add_mail (void)
{
  g_autoptr(BuzonAccount) account = buzon_account_new ("Marta");
  g_autoptr(GError) error = NULL;

  buzon_account_set_display_name (account, "Marta Ríos");
  buzon_account_set_address (account, "marta@example.test");
  buzon_account_set_protocol (account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (account, "imap.example.test");
  g_assert_true (buzon_store_add_account (store (), account, &error));
  g_assert_no_error (error);
  account_id = buzon_account_get_id (account);

  inbox_id = add_folder ("INBOX", BUZON_SPECIAL_USE_INBOX);
  sent_id = add_folder ("Sent", BUZON_SPECIAL_USE_SENT);
  trash_id = add_folder ("Trash", BUZON_SPECIAL_USE_TRASH);
  work_id = add_folder ("Trabajo", BUZON_SPECIAL_USE_NONE);
  archive_id = add_folder ("Archive", BUZON_SPECIAL_USE_ARCHIVE);

  a1 = add_message (inbox_id, "<a1@example.test>", NULL, NULL, "Cena del viernes",
                    "Ana Pérez <ana@example.test>", T0);
  d1 = add_message (inbox_id, "<d1@example.test>", NULL, NULL, "Factura de octubre",
                    "Luz y Gas <facturas@example.test>", T0 + 10);
  b1 = add_message (inbox_id, "<b1@example.test>", NULL, NULL, "Presupuesto 2027",
                    "José Ángel Muñoz <jose@example.test>", T0 + 50);
  a_sent = add_message (sent_id, "<as@example.test>", "<a1@example.test>", "<a1@example.test>",
                        "Re: Cena del viernes", "Marta Ríos <marta@example.test>", T0 + 60);
  a2 = add_message (inbox_id, "<a2@example.test>", "<as@example.test>",
                    "<a1@example.test> <as@example.test>", "Re: Cena del viernes",
                    "Luis García <luis@example.test>", T0 + 100);
  a3 = add_message (inbox_id, "<a3@example.test>", "<a2@example.test>",
                    "<a1@example.test> <as@example.test> <a2@example.test>",
                    "Re: Cena del viernes", "Ana Pérez <ana@example.test>", T0 + 200);
  b2 = add_message (inbox_id, "<b2@example.test>", "<b1@example.test>", "<b1@example.test>",
                    "Re: Presupuesto 2027", "Carmen Ruiz <carmen@example.test>", T0 + 300);
  c1 = add_message (inbox_id, "<c1@example.test>", NULL, NULL, "Boletín de noviembre",
                    "GNOME <news@example.test>", T0 + 400);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  data_home = g_dir_make_tmp ("buzon-test-window-threads-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", data_home, TRUE);
  g_setenv ("BUZON_NO_SYNC", "1", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", BUZON_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_set_prgname ("test-window-threads");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, BUZON_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = buzon_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store ());
  add_mail ();

  g_test_add_func ("/buzon/ui/window-threads/switch-on", test_switch_on);
  g_test_add_func ("/buzon/ui/window-threads/badge-and-name", test_badge_and_name);
  g_test_add_func ("/buzon/ui/window-threads/mark-read-and-flag", test_mark_read_and_flag);
  g_test_add_func ("/buzon/ui/window-threads/delete-and-undo", test_delete_and_undo);
  g_test_add_func ("/buzon/ui/window-threads/conversation-strip", test_conversation_strip);
  g_test_add_func ("/buzon/ui/window-threads/drag-conversation", test_drag_conversation);
  g_test_add_func ("/buzon/ui/window-threads/move-and-archive", test_move_and_archive);
  g_test_add_func ("/buzon/ui/window-threads/switch-off", test_switch_off);

  ret = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  while (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&app);
  buzon_test_remove_tree (data_home);
  g_free (data_home);

  return ret;
}
