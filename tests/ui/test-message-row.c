/* test-message-row.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMessageRow in a real GtkListView over a BuzonMessageList of 5,000
 * messages: the first rows show filled in, a placeholder row is as tall as
 * a loaded one, a jump to the end fills the rows shown, and the drag source
 * carries the selected messages (or the one under the pointer when it is
 * not selected) as a BuzonMessageDrag. */

#include "config.h"

#include <gtk/gtk.h>

#include "buzon-dnd.h"
#include "buzon-message-list-private.h"
#include "buzon-message-row.h"
#include "../unit/store-test-util.h"

#define N_MESSAGES 5000

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Lets the view lay out and the list read what it asks for. */
static void
settle (BuzonMessageList *list)
{
  gboolean done = FALSE;

  g_timeout_add (300, timeout_cb, &done);
  while (!done || _buzon_message_list_is_busy (list) || buzon_message_list_get_loading (list))
    g_main_context_iteration (NULL, TRUE);
}

static GtkDragSource *
find_drag_source (GtkWidget *view)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  GtkDragSource *source = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DRAG_SOURCE (controller))
        source = GTK_DRAG_SOURCE (controller);
    }

  return source;
}

static BuzonMessageDrag *
prepare_drag (GtkDragSource *source,
              double         y)
{
  g_autoptr(GdkContentProvider) provider = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_signal_emit_by_name (source, "prepare", 20.0, y, &provider);
  g_assert_nonnull (provider);
  g_value_init (&value, BUZON_TYPE_MESSAGE_DRAG);
  g_assert_true (gdk_content_provider_get_value (provider, &value, NULL));

  return g_value_dup_boxed (&value);
}

static void
test_message_row_in_view (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = store_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "buzon.db", NULL);
  g_autoptr(BuzonAccount) account = store_test_account ("work");
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(BuzonMessageList) list = NULL;
  g_autoptr(GtkSelectionModel) selection = NULL;
  g_autoptr(BuzonMessageDrag) drag = NULL;
  BuzonStore *store;
  GtkWidget *window;
  GtkWidget *scrolled;
  GtkWidget *view;
  GtkDragSource *source;
  int row_height = 0;
  guint rows = 0;

  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (store, account, &error));
  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup ("INBOX");
  g_assert_true (buzon_store_upsert_folder (store, folder, &error));
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Subject %u", i);
      BuzonMessageSummary *summary = store_test_summary (folder->id, i + 1, subject,
                                                         "Ana <ana@example.es>",
                                                         1700000000 + (gint64)i * 600);

      summary->flags = i % 2 ? BUZON_MESSAGE_FLAG_SEEN : BUZON_MESSAGE_FLAG_FLAGGED;
      summary->has_attachments = i % 3 == 0;
      summary->preview = g_strdup ("The first words of the text");
      g_ptr_array_add (batch, summary);
    }
  g_assert_true (buzon_store_upsert_messages (store, batch, &error));
  g_assert_no_error (error);

  list = buzon_message_list_new (store, folder->id);
  selection = GTK_SELECTION_MODEL (gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (list))));
  view = gtk_list_view_new (g_object_ref (selection), buzon_message_row_new_factory ());
  buzon_message_row_add_drag_source (GTK_LIST_VIEW (view), selection, folder->account_id);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 600);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  settle (list);

  /* The rows shown are filled in. */
  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      BuzonMessageItem *item;

      if (row == NULL || !BUZON_IS_MESSAGE_ROW (row))
        continue;
      item = buzon_message_row_get_item (BUZON_MESSAGE_ROW (row));
      g_assert_true (buzon_message_item_get_loaded (item));
      g_assert_cmpstr (buzon_message_item_get_sender (item), ==, "Ana");
      if (rows == 0)
        {
          g_assert_cmpstr (buzon_message_item_get_subject (item), ==, "Subject 4999");
          row_height = gtk_widget_get_height (row);
        }
      rows++;
    }
  g_assert_cmpuint (rows, >, 5);
  g_assert_cmpint (row_height, >, 0);

  /* Selected rows 0–2: a drag on row 0 carries the three, one on row 5
   * only that one. */
  source = find_drag_source (view);
  g_assert_nonnull (source);
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  drag = prepare_drag (source, row_height / 2.0);
  g_assert_cmpuint (drag->ids->len, ==, 3);
  g_assert_cmpint (drag->folder_id, ==, folder->id);
  g_assert_cmpint (drag->account_id, ==, folder->account_id);
  g_assert_cmpint (g_array_index (drag->ids, gint64, 0), ==, buzon_message_list_get_id_at (list, 0));
  g_clear_pointer (&drag, buzon_message_drag_free);
  drag = prepare_drag (source, row_height * 5.5);
  g_assert_cmpuint (drag->ids->len, ==, 1);
  g_assert_cmpint (g_array_index (drag->ids, gint64, 0), ==, buzon_message_list_get_id_at (list, 5));

  /* A jump to the end: the rows there get their summaries. */
  gtk_widget_activate_action (view, "list.scroll-to-item", "u", N_MESSAGES - 1);
  settle (list);
  {
    g_autoptr(BuzonMessageItem) last = g_list_model_get_item (G_LIST_MODEL (list),
                                                              N_MESSAGES - 1);

    g_assert_true (buzon_message_item_get_loaded (last));
    g_assert_cmpstr (buzon_message_item_get_subject (last), ==, "Subject 0");
  }

  /* A placeholder is exactly as tall as a loaded row. */
  {
    GtkWidget *row = g_object_ref_sink (buzon_message_row_new ());
    g_autoptr(BuzonMessageItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);
    int loaded_height = 0;
    int placeholder_height = 0;

    buzon_message_row_set_item (BUZON_MESSAGE_ROW (row), item);
    gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, 400, &loaded_height, NULL, NULL, NULL);
    buzon_message_row_set_item (BUZON_MESSAGE_ROW (row), NULL);
    gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, 400, &placeholder_height, NULL, NULL,
                        NULL);
    g_assert_cmpint (loaded_height, ==, placeholder_height);
    g_object_unref (row);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&selection);
  g_clear_object (&list);
  store_test_drop (store);
  store_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run\n");
      return 77;
    }

  g_setenv ("LANGUAGE", "en", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/ui/message-row/in-view", test_message_row_in_view);

  return g_test_run ();
}
