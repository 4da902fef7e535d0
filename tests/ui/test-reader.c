/* test-reader.c — BuzonReader, the real widget with its WebKit view, under Xvfb
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A message stored here (a POP3 account: nothing goes to a server) shown in
 * the reader: header (subject, sender, recipients, date), attachments listed
 * with open/save buttons named for screen readers, the HTML/plain switch,
 * the source view, the flag button and marking as read (both stored through
 * buzon-mail-ops), the remote-content bar; a message whose body is not
 * stored (an IMAP summary) offers to download it.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "buzon-mail-ops.h"
#include "buzon-reader.h"
#include "buzon-store.h"

static char *data_home;

static const char MESSAGE[] =
  "From: Ana García <ana@example.test>\r\n"
  "To: Bruno <bruno@example.test>\r\n"
  "Cc: Carmen <carmen@example.test>\r\n"
  "Subject: =?UTF-8?Q?Fotos_del_viaje_a_Le=C3=B3n?=\r\n"
  "Date: Tue, 01 Dec 2026 10:30:00 +0100\r\n"
  "Message-ID: <fotos@example.test>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
  "\r\n"
  "--outer\r\n"
  "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
  "\r\n"
  "--alt\r\n"
  "Content-Type: text/plain; charset=UTF-8\r\n"
  "\r\n"
  "Hola Bruno, te mando las fotos.\r\n"
  "--alt\r\n"
  "Content-Type: text/html; charset=UTF-8\r\n"
  "\r\n"
  "<p>Hola Bruno, te mando las <b>fotos</b>.</p>"
  "<img src=\"http://127.0.0.1:9/track.png\">\r\n"
  "--alt--\r\n"
  "--outer\r\n"
  "Content-Type: application/pdf; name=\"itinerario.pdf\"\r\n"
  "Content-Disposition: attachment; filename=\"itinerario.pdf\"\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n"
  "--outer--\r\n";

static gboolean
spin_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static GtkWidget *
find_child (GtkWidget  *root,
            GType       type,
            const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          if (label == NULL)
            return child;
          if (GTK_IS_LABEL (child) && strstr (gtk_label_get_text (GTK_LABEL (child)), label))
            return child;
          if (GTK_IS_WIDGET (child) && gtk_widget_get_tooltip_text (child) != NULL &&
              strstr (gtk_widget_get_tooltip_text (child), label))
            return child;
        }
      found = find_child (child, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget *reader;
  const char *page;
} PageWait;

static gboolean
on_page (gpointer data)
{
  PageWait *wait = data;
  GtkStack *stack = GTK_STACK (find_child (wait->reader, GTK_TYPE_STACK, NULL));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), wait->page) == 0;
}

typedef struct
{
  BuzonStore *store;
  gint64      id;
  BuzonMessageFlags flag;
} FlagWait;

static gboolean
has_flag (gpointer data)
{
  FlagWait *wait = data;
  g_autoptr(BuzonMessageSummary) summary = buzon_store_get_message (wait->store, wait->id, NULL);

  return summary != NULL && (summary->flags & wait->flag) != 0;
}

static BuzonStore *
new_store (const char *name)
{
  g_autofree char *path = g_build_filename (data_home, name, NULL);
  g_autoptr(GError) error = NULL;
  BuzonStore *store = buzon_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static BuzonAccount *
add_account (BuzonStore    *store,
             BuzonProtocol  protocol)
{
  g_autoptr(BuzonAccount) account = buzon_account_new (protocol == BUZON_PROTOCOL_POP3
                                                       ? "casa" : "trabajo");
  g_autoptr(GError) error = NULL;

  buzon_account_set_address (account, "bruno@example.test");
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, "127.0.0.1");
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo x");
  g_assert_true (buzon_store_add_account (store, account, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_ensure_local_folders (store, account, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&account);
}

static gint64
inbox_id (BuzonStore   *store,
          BuzonAccount *account)
{
  g_autoptr(BuzonFolder) inbox = buzon_store_lookup_folder (store, buzon_account_get_id (account),
                                                            "INBOX", NULL);

  if (inbox == NULL)
    {
      inbox = buzon_folder_new ();
      inbox->account_id = buzon_account_get_id (account);
      inbox->name = g_strdup ("INBOX");
      inbox->delimiter = g_strdup ("/");
      inbox->special_use = BUZON_SPECIAL_USE_INBOX;
      g_assert_true (buzon_store_upsert_folder (store, inbox, NULL));
    }
  return inbox->id;
}

static GtkWidget *
show_in_window (GtkWidget *reader)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), reader);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (window) == 0)
    g_main_context_iteration (NULL, TRUE);

  return window;
}

/* The window as the app draws it, the web view included, into the build
 * dir: tests/ui/reader-pane-NAME.png (looked at by whoever changes this). */
static void
screenshot (GtkWidget  *window,
            const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("reader-pane-%s.png", name);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "ui", file, NULL);
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
  gint64 settle = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  /* WebKit paints its first frame a little after the load. */
  while (g_get_monotonic_time () < settle)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  for (gint64 end = settle + 10 * G_USEC_PER_SEC; node == NULL; )
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (gsk_renderer_realize (renderer, NULL, NULL));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
test_reader_shows_message (void)
{
  g_autoptr(BuzonStore) store = new_store ("reader.db");
  g_autoptr(BuzonAccount) account = add_account (store, BUZON_PROTOCOL_POP3);
  g_autoptr(GBytes) raw = g_bytes_new_static (MESSAGE, sizeof MESSAGE - 1);
  g_autoptr(GError) error = NULL;
  GtkWidget *reader = buzon_reader_new ();
  GtkWidget *window;
  GtkWidget *widget;
  PageWait page = { reader, "body" };
  FlagWait flag = { store, 0, BUZON_MESSAGE_FLAG_SEEN };
  gint64 id = 0;

  g_assert_true (buzon_mail_ops_append (store, account, inbox_id (store, account), raw, 0, &id,
                                        &error));
  g_assert_no_error (error);
  flag.id = id;

  window = show_in_window (reader);
  buzon_reader_show_message (BUZON_READER (reader), store, account, id);
  g_assert_true (spin_until (on_page, &page));

  /* The header, decoded. */
  g_assert_nonnull (find_child (reader, GTK_TYPE_LABEL, "Fotos del viaje a León"));
  g_assert_nonnull (find_child (reader, GTK_TYPE_LABEL, "Ana García <ana@example.test>"));
  g_assert_nonnull (find_child (reader, GTK_TYPE_LABEL, "Bruno <bruno@example.test>"));
  g_assert_nonnull (find_child (reader, GTK_TYPE_LABEL, "Carmen <carmen@example.test>"));

  /* The attachment, with buttons a screen reader can name. */
  widget = find_child (reader, ADW_TYPE_ACTION_ROW, NULL);
  g_assert_nonnull (widget);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), ==,
                   "itinerario.pdf");
  g_assert_nonnull (find_child (widget, GTK_TYPE_BUTTON, "Save itinerario.pdf"));
  g_assert_nonnull (find_child (widget, GTK_TYPE_BUTTON, "Open itinerario.pdf"));

  /* HTML and plain text: the switch is offered. */
  widget = find_child (reader, GTK_TYPE_TOGGLE_BUTTON, "plain text");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_visible (widget));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), FALSE);

  screenshot (window, "html-light");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (window, "html-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* Opened, so read: in the store (and queued for POP3: nothing). */
  g_assert_true (spin_until (has_flag, &flag));

  /* The flag. */
  widget = find_child (reader, GTK_TYPE_TOGGLE_BUTTON, "Flag");
  g_assert_nonnull (widget);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), TRUE);
  flag.flag = BUZON_MESSAGE_FLAG_FLAGGED;
  g_assert_true (spin_until (has_flag, &flag));

  /* The source, raw. */
  widget = find_child (reader, GTK_TYPE_TOGGLE_BUTTON, "source");
  g_assert_nonnull (widget);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), TRUE);
  page.page = "source";
  g_assert_true (spin_until (on_page, &page));
  {
    GtkStack *stack = GTK_STACK (find_child (reader, GTK_TYPE_STACK, NULL));
    GtkWidget *scrolled = gtk_stack_get_child_by_name (stack, "source");
    GtkTextView *view = GTK_TEXT_VIEW (find_child (scrolled, GTK_TYPE_TEXT_VIEW, NULL));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
    text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
    if (strstr (text, "Content-Type: multipart/mixed") == NULL)
      g_error ("source: [%.300s]", text);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
fetch_body_cb (BuzonReader *reader,
               gint64       message_id,
               gpointer     user_data)
{
  gint64 *asked = user_data;

  (void)reader;
  *asked = message_id;
}

static void
test_reader_not_downloaded (void)
{
  g_autoptr(BuzonStore) store = new_store ("headers.db");
  g_autoptr(BuzonAccount) account = add_account (store, BUZON_PROTOCOL_IMAP);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *summary = buzon_message_summary_new ();
  GtkWidget *reader = buzon_reader_new ();
  GtkWidget *window;
  PageWait page = { reader, "error" };
  gint64 asked = 0;

  summary->folder_id = inbox_id (store, account);
  summary->uid = 7;
  summary->subject = g_strdup ("Only the header");
  summary->from = g_strdup ("Ana <ana@example.test>");
  summary->date = 1796000000;
  g_ptr_array_add (batch, summary);
  g_assert_true (buzon_store_upsert_messages (store, batch, &error));
  g_assert_no_error (error);

  window = show_in_window (reader);
  g_signal_connect (reader, "fetch-body", G_CALLBACK (fetch_body_cb), &asked);
  buzon_reader_show_message (BUZON_READER (reader), store, account, summary->id);
  g_assert_true (spin_until (on_page, &page));
  g_assert_nonnull (find_child (reader, GTK_TYPE_LABEL, "Only the header"));
  {
    AdwStatusPage *status = ADW_STATUS_PAGE (find_child (reader, ADW_TYPE_STATUS_PAGE, NULL));
    GtkWidget *button = find_child (GTK_WIDGET (status), GTK_TYPE_BUTTON, NULL);

    g_assert_cmpstr (adw_status_page_get_title (status), ==, "Not Downloaded Yet");
    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpint (asked, ==, summary->id);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  data_home = g_dir_make_tmp ("buzon-test-reader-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);

  g_set_prgname ("test-reader");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/buzon/ui/reader/shows-message", test_reader_shows_message);
  g_test_add_func ("/buzon/ui/reader/not-downloaded", test_reader_not_downloaded);

  ret = g_test_run ();

  command = g_strdup_printf ("rm -rf '%s'", data_home);
  (void)system (command);
  g_free (data_home);

  return ret;
}
