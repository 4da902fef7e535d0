/* test-composer.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The composer with the real main window, in process, under Xvfb, on a
 * POP3 account of a store in a temporary XDG_DATA_HOME (nothing leaves the
 * machine: BUZON_NO_SYNC, so the outbox keeps what is queued): Ctrl+N
 * opens a composer that is filled and sent (Ctrl+Enter) with a dropped
 * attachment (the outbox item parsed back with GMime), Undo from the toast
 * takes it back into a composer with the same fields, a bad address is
 * said inline and queues nothing, Reply (Ctrl+R), Reply to All
 * (Ctrl+Shift+R) and Forward (Ctrl+L) on a stored message are prefilled
 * and threaded, and a draft
 * is saved into Drafts (\Draft), replaced as it changes, opened again from
 * the Drafts folder and deleted when sent; the sent and refused toasts,
 * and the 20 MB warning. The keys are pressed through the X server
 * (xdotool); without it the actions are activated instead. Writes
 * tests/ui/composer.png. */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include <gmime/gmime.h>

#include "buzon-account.h"
#include "buzon-mail-ops.h"
#include "buzon-store.h"

#include "buzon-application.h"
#include "buzon-composer-private.h"
#include "buzon-test-ui.h"
#include "buzon-window-compose.h"
#include "buzon-window-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

#define WAIT_TIMEOUT_USEC (15 * G_USEC_PER_SEC)

static BuzonApplication *app;
static BuzonAccount *account;
static char *data_home;

static const char ORIGINAL[] =
  "From: Ana García <ana@example.test>\r\n"
  "To: Bruno <bruno@example.test>\r\n"
  "Cc: Carmen <carmen@example.test>\r\n"
  "Subject: Fotos del viaje\r\n"
  "Date: Tue, 01 Dec 2026 10:30:00 +0100\r\n"
  "Message-ID: <fotos@example.test>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/plain; charset=UTF-8\r\n"
  "\r\n"
  "Hola Bruno, ¿te mando las fotos?\r\n";

static const guint8 PICTURE[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
                                  0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0xff, 0xd9 };

/* --- helpers --- */

static void
spin (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition condition,
          gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;

  for (;;)
    {
      spin ();
      if (condition (data))
        return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_usleep (5000);
    }
}

static gboolean
window_allocated (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

static gboolean
accounts_loaded (gpointer data)
{
  return g_list_model_get_n_items (buzon_window_get_accounts (data)) == 1;
}

static BuzonWindow *
open_window (void)
{
  GtkWindow *window = NULL;

  g_application_activate (G_APPLICATION (app));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      window = l->data;

  g_assert_nonnull (window);
  g_assert_true (wait_for (window_allocated, window));
  g_assert_true (wait_for (accounts_loaded, window));

  return BUZON_WINDOW (window);
}

static gboolean
find_composer_cb (gpointer data)
{
  BuzonComposer **out = data;

  *out = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_COMPOSER (l->data) && gtk_widget_get_mapped (l->data) &&
        gtk_widget_get_width (l->data) > 0)
      *out = l->data;

  return *out != NULL;
}

static BuzonComposer *
wait_composer (void)
{
  BuzonComposer *composer = NULL;

  if (!wait_for (find_composer_cb, &composer))
    g_error ("no composer was opened");

  return composer;
}

static gboolean
no_composer_cb (gpointer data)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_COMPOSER (l->data))
      return FALSE;
  return TRUE;
}

static void
assert_composer_gone (void)
{
  g_assert_true (wait_for (no_composer_cb, NULL));
}

static void
type_into (GtkEntry   *entry,
           const char *text)
{
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static void
type_body (BuzonComposer *composer,
           const char    *text)
{
  gtk_widget_grab_focus (GTK_WIDGET (composer->body_view));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer->body_view), text, -1);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_tooltip (GtkWidget  *root,
              const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} Lookup;

static gboolean
label_shown_cb (gpointer data)
{
  Lookup *lookup = data;

  return find_label (lookup->root, lookup->text) != NULL;
}

static void
assert_label_shown (GtkWidget  *root,
                    const char *text)
{
  Lookup lookup = { root, text };

  if (!wait_for (label_shown_cb, &lookup))
    g_error ("'%s' is not shown", text);
}

static gboolean
attached_cb (gpointer data)
{
  return !buzon_composer_get_attaching (data);
}

static GPtrArray *
outbox (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = buzon_store_outbox_list (buzon_application_get_store (app), 0, &error);

  g_assert_no_error (error);
  return items;
}

static BuzonFolder *
special_folder (BuzonSpecialUse use)
{
  g_autoptr(GPtrArray) folders =
    buzon_store_list_folders (buzon_application_get_store (app), buzon_account_get_id (account),
                              NULL);

  for (guint i = 0; i < folders->len; i++)
    if (((BuzonFolder *)folders->pdata[i])->special_use == use)
      return buzon_folder_copy (folders->pdata[i]);

  g_assert_not_reached ();
}

static GArray *
folder_ids (BuzonSpecialUse use)
{
  g_autoptr(BuzonFolder) folder = special_folder (use);
  g_autoptr(GError) error = NULL;
  GArray *ids = buzon_store_list_message_ids (buzon_application_get_store (app), folder->id,
                                              &error);

  g_assert_no_error (error);
  return ids;
}

static void
empty_outbox (void)
{
  g_autoptr(GPtrArray) items = outbox ();

  for (guint i = 0; i < items->len; i++)
    buzon_store_outbox_remove (buzon_application_get_store (app),
                               ((BuzonOutboxItem *)items->pdata[i])->id, NULL);
}

/* The decoded content of @part. */
static GBytes *
part_bytes (GMimeObject *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);

  return g_byte_array_free_to_bytes (array);
}

static GtkDropTarget *
drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

/* Presses @keys (xdotool's names, "ctrl+n") in @window as a user would,
 * through the X server. FALSE when that cannot be done here (no X11, no
 * xdotool): the caller then activates the action instead. */
static gboolean
press_keys (GtkWindow  *window,
            const char *keys)
{
#ifdef GDK_WINDOWING_X11
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autofree char *wid = NULL;
  g_autoptr(GError) error = NULL;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  int status = 0;

  if (xdotool == NULL || !GDK_IS_X11_SURFACE (surface))
    return FALSE;

  wid = g_strdup_printf ("%lu", (unsigned long)gdk_x11_surface_get_xid (surface));
  {
    const char *argv[] = { xdotool, "windowfocus", wid, "key", "--clearmodifiers", keys, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &status, &error));
  }
  g_assert_no_error (error);

  return g_spawn_check_wait_status (status, NULL);
#else
  return FALSE;
#endif
}

/* --- tests --- */

static void
test_send_and_undo (void)
{
  BuzonWindow *window = open_window ();
  BuzonComposer *composer;
  BuzonComposer *again;
  g_autofree char *path = g_build_filename (data_home, "foto del viaje.jpg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GBytes) picture = g_bytes_new_static (PICTURE, sizeof PICTURE);
  g_autoptr(GError) error = NULL;
  GFile *files[] = { file };
  GtkDropTarget *target;
  GdkFileList *list;
  GValue value = G_VALUE_INIT;
  gboolean dropped = FALSE;
  BuzonOutboxItem *item;
  GMimeObject *body;
  GMimeObject *part;
  GtkWidget *undo;
  gint64 item_id;

  g_assert_true (g_file_set_contents (path, (const char *)PICTURE, sizeof PICTURE, &error));
  g_assert_no_error (error);

  /* Ctrl+N, pressed; the composer starts in To, from the only account. */
  if (!press_keys (GTK_WINDOW (window), "ctrl+n"))
    {
      g_test_message ("no xdotool or no X11: win.compose activated instead of Ctrl+N");
      gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
    }
  composer = wait_composer ();
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (composer)) == GTK_WIDGET (composer->to_entry) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (composer)),
                                         GTK_WIDGET (composer->to_entry)));
  g_assert_true (buzon_composer_get_account (composer) != NULL);
  g_assert_cmpstr (gtk_label_get_text (composer->from_label), ==, "Bruno <bruno@example.test>");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));

  type_into (composer->to_entry, "Ana García <ana@example.test>");
  gtk_toggle_button_set_active (composer->cc_button, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));
  type_into (composer->bcc_entry, "carmen@example.test");
  type_into (composer->subject_entry, "Fotos del viaje");
  type_body (composer, "Hola Ana,\nte mando la foto.");

  /* Dropped on the composer, as a file manager does. */
  target = drop_target (GTK_WIDGET (composer));
  g_assert_nonnull (target);
  list = gdk_file_list_new_from_array (files, 1);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &dropped);
  g_value_unset (&value);
  g_assert_true (dropped);
  g_assert_true (wait_for (attached_cb, composer));
  g_assert_cmpuint (buzon_composer_get_n_attachments (composer), ==, 1);
  assert_label_shown (GTK_WIDGET (composer), "foto del viaje.jpg");
  assert_label_shown (GTK_WIDGET (composer), "18 bytes");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer->size_warning)));

  buzon_test_ui_screenshot (GTK_WIDGET (composer), "composer.png", 300);

  /* Ctrl+Enter sends, also from the text. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (composer->body_view)));
  if (!press_keys (GTK_WINDOW (composer), "ctrl+Return"))
    gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  assert_composer_gone ();

  items = outbox ();
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  item_id = item->id;
  g_assert_cmpint (item->account_id, ==, buzon_account_get_id (account));
  g_assert_cmpuint (g_strv_length (item->recipients), ==, 2);
  g_assert_cmpstr (item->recipients[0], ==, "ana@example.test");
  g_assert_cmpstr (item->recipients[1], ==, "carmen@example.test");
  /* Held back for the undo delay (30 s here). */
  g_assert_cmpint (item->next_attempt, >, buzon_store_now () + 20);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_QUEUED);

  message = buzon_compose_parse_message (item->raw);
  g_assert_nonnull (message);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Fotos del viaje");
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"));
  body = g_mime_message_get_mime_part (message);
  g_assert_true (GMIME_IS_MULTIPART (body));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
  {
    GMimeObject *text = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
    g_autofree char *plain = g_mime_text_part_get_text (GMIME_TEXT_PART (text));

    g_assert_nonnull (strstr (plain, "te mando la foto."));
  }
  part = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "foto del viaje.jpg");
  {
    g_autoptr(GBytes) data = part_bytes (part);

    g_assert_true (g_bytes_equal (data, picture));
  }

  /* The toast's Undo: out of the outbox, into a composer as it was. */
  undo = NULL;
  for (gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;
       undo == NULL && g_get_monotonic_time () < end; g_usleep (5000))
    {
      spin ();
      undo = find_button (GTK_WIDGET (window), "_Undo");
    }
  g_assert_nonnull (undo);
  g_assert_true (find_label (GTK_WIDGET (window), "Sending…") != NULL ||
                 find_label (GTK_WIDGET (window), "Message queued") != NULL);
  g_signal_emit_by_name (undo, "clicked");

  again = wait_composer ();
  g_clear_pointer (&items, g_ptr_array_unref);
  items = outbox ();
  g_assert_cmpuint (items->len, ==, 0);

  draft = buzon_composer_dup_draft (again);
  g_assert_cmpstr (draft->to, ==, "Ana García <ana@example.test>");
  g_assert_cmpstr (draft->bcc, ==, "carmen@example.test");
  g_assert_cmpstr (draft->subject, ==, "Fotos del viaje");
  g_assert_cmpstr (draft->body, ==, "Hola Ana,\nte mando la foto.");
  g_assert_cmpuint (draft->attachments->len, ==, 1);
  g_assert_true (g_bytes_equal (((BuzonComposeAttachment *)draft->attachments->pdata[0])->data,
                                picture));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (again->bcc_entry)));

  /* Too late once taken back: a second Undo says so and opens nothing. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-send", "x", item_id);
  assert_label_shown (GTK_WIDGET (window), "too late to undo");

  /* Closing asks; discarding deletes the autosaved copy too. */
  gtk_window_close (GTK_WINDOW (again));
  {
    g_autoptr(GList) toplevels = NULL;
    AdwMessageDialog *dialog = NULL;

    spin ();
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data))
        dialog = l->data;
    g_assert_nonnull (dialog);
    g_assert_true (adw_message_dialog_has_response (dialog, "save"));
    g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
    adw_message_dialog_response (dialog, "discard");
  }
  assert_composer_gone ();
  g_assert_cmpuint (folder_ids (BUZON_SPECIAL_USE_DRAFTS)->len, ==, 0);
}

static void
test_bad_address (void)
{
  BuzonWindow *window = open_window ();
  BuzonComposer *composer;
  g_autoptr(GPtrArray) items = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
  composer = wait_composer ();
  type_into (composer->to_entry, "ana@example.test, bruno@");
  type_into (composer->subject_entry, "Hola");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  spin ();

  /* Said inline, naming the address; the composer stays. */
  g_assert_true (gtk_revealer_get_reveal_child (composer->error_revealer));
  assert_label_shown (GTK_WIDGET (composer), "bruno@");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer)));
  items = outbox ();
  g_assert_cmpuint (items->len, ==, 0);

  /* Nothing in To: said too. */
  type_into (composer->to_entry, "");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  assert_label_shown (GTK_WIDGET (composer), "no recipients");

  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();
}

typedef struct
{
  BuzonWindow *window;
  gint64       message_id;
} Show;

/* The sidebar may still be loading the account's folders: ask again
 * until the message is the selection. */
static gboolean
shown_cb (gpointer data)
{
  Show *show = data;
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (show->window);

  if (ids->len == 1 && g_array_index (ids, gint64, 0) == show->message_id)
    return TRUE;
  buzon_window_show_message (show->window, show->message_id);
  return FALSE;
}

static void
show_message (BuzonWindow *window,
              gint64       message_id)
{
  Show show = { window, message_id };

  if (!wait_for (shown_cb, &show))
    g_error ("message %" G_GINT64_FORMAT " could not be selected", message_id);
}

static void
test_reply (void)
{
  BuzonWindow *window = open_window ();
  BuzonStore *store = buzon_application_get_store (app);
  g_autoptr(BuzonFolder) inbox = special_folder (BUZON_SPECIAL_USE_INBOX);
  g_autoptr(GBytes) raw = g_bytes_new_static (ORIGINAL, sizeof ORIGINAL - 1);
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  BuzonComposer *composer;
  GtkTextBuffer *buffer;
  GtkTextIter cursor;
  gint64 id = 0;

  g_assert_true (buzon_mail_ops_append (store, account, inbox->id, raw, 0, &id, &error));
  g_assert_no_error (error);

  show_message (window, id);

  if (!press_keys (GTK_WINDOW (window), "ctrl+r"))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.reply", NULL);
  composer = wait_composer ();
  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->to, ==, "Ana García <ana@example.test>");
  g_assert_null (draft->cc);
  g_assert_cmpstr (draft->subject, ==, "Re: Fotos del viaje");
  g_assert_cmpstr (draft->in_reply_to, ==, "fotos@example.test");
  g_assert_nonnull (strstr (draft->body, "Ana García wrote:"));
  g_assert_nonnull (strstr (draft->body, "> Hola Bruno, ¿te mando las fotos?"));
  g_assert_cmpstr (draft->from_address, ==, "bruno@example.test");

  /* Written above the quote. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (composer)) == GTK_WIDGET (composer->body_view));
  buffer = gtk_text_view_get_buffer (composer->body_view);
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_offset (&cursor), ==, 0);

  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();

  /* Reply to All: Cc has the other recipients, never this account. */
  if (!press_keys (GTK_WINDOW (window), "ctrl+shift+r"))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.reply-all", NULL);
  composer = wait_composer ();
  g_clear_pointer (&draft, buzon_compose_draft_free);
  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->to, ==, "Ana García <ana@example.test>");
  g_assert_cmpstr (draft->cc, ==, "Carmen <carmen@example.test>");
  g_assert_cmpstr (draft->subject, ==, "Re: Fotos del viaje");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));
  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();

  /* Forward: the original's subject and text, no recipient yet. */
  if (!press_keys (GTK_WINDOW (window), "ctrl+l"))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.forward", NULL);
  composer = wait_composer ();
  g_clear_pointer (&draft, buzon_compose_draft_free);
  draft = buzon_composer_dup_draft (composer);
  g_assert_null (draft->to);
  g_assert_cmpstr (draft->subject, ==, "Fwd: Fotos del viaje");
  g_assert_nonnull (strstr (draft->body, "Hola Bruno"));
  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();

  g_assert_true (buzon_mail_ops_delete_for_good (store, account, &id, 1, &error));
  g_assert_no_error (error);
}

static gboolean
saved_cb (gpointer data)
{
  return buzon_composer_get_saved_draft (data) != 0;
}

typedef struct
{
  BuzonComposer *composer;
  gint64         old;
} Resave;

static gboolean
resaved_cb (gpointer data)
{
  Resave *resave = data;
  gint64 now = buzon_composer_get_saved_draft (resave->composer);

  return now != 0 && now != resave->old;
}

static void
test_drafts (void)
{
  BuzonWindow *window = open_window ();
  BuzonStore *store = buzon_application_get_store (app);
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonMessageSummary) gone = NULL;
  g_autoptr(BuzonFolder) drafts = special_folder (BUZON_SPECIAL_USE_DRAFTS);
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) items = NULL;
  BuzonComposer *composer;
  Resave resave;
  gint64 first, second;
  AdwMessageDialog *dialog = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
  composer = wait_composer ();
  buzon_composer_set_autosave_delay (composer, 50);
  type_into (composer->to_entry, "dora@example.test");
  type_into (composer->subject_entry, "Borrador");
  type_body (composer, "Primera versión");

  /* Saved a moment after the last change, into Drafts, \Seen \Draft. */
  g_assert_true (wait_for (saved_cb, composer));
  first = buzon_composer_get_saved_draft (composer);
  summary = buzon_store_get_message (store, first, NULL);
  g_assert_nonnull (summary);
  g_assert_cmpint (summary->folder_id, ==, drafts->id);
  g_assert_true (summary->flags & BUZON_MESSAGE_FLAG_DRAFT);
  g_assert_true (summary->flags & BUZON_MESSAGE_FLAG_SEEN);
  g_assert_cmpstr (summary->subject, ==, "Borrador");

  /* A change replaces it: one copy in Drafts, the old one gone for good. */
  type_body (composer, "Segunda versión");
  resave.composer = composer;
  resave.old = first;
  g_assert_true (wait_for (resaved_cb, &resave));
  second = buzon_composer_get_saved_draft (composer);
  gone = buzon_store_get_message (store, first, NULL);
  g_assert_null (gone);
  ids = folder_ids (BUZON_SPECIAL_USE_DRAFTS);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, second);
  g_clear_pointer (&ids, g_array_unref);
  ids = folder_ids (BUZON_SPECIAL_USE_TRASH);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* Closing: Save Draft keeps it. */
  gtk_window_close (GTK_WINDOW (composer));
  spin ();
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data))
        dialog = l->data;
  }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "save");
  assert_composer_gone ();
  ids = folder_ids (BUZON_SPECIAL_USE_DRAFTS);
  g_assert_cmpuint (ids->len, ==, 1);
  second = g_array_index (ids, gint64, 0);

  /* Opened from the Drafts folder: the composer again, with that copy. */
  show_message (window, second);
  g_signal_emit_by_name (window->message_view, "activate", 0);
  composer = wait_composer ();
  g_assert_cmpint (buzon_composer_get_saved_draft (composer), ==, second);
  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->to, ==, "dora@example.test");
  g_assert_cmpstr (draft->subject, ==, "Borrador");
  g_assert_cmpstr (draft->body, ==, "Segunda versión");

  /* Sent: out of Drafts, into the outbox. */
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  assert_composer_gone ();
  g_clear_pointer (&ids, g_array_unref);
  ids = folder_ids (BUZON_SPECIAL_USE_DRAFTS);
  g_assert_cmpuint (ids->len, ==, 0);
  items = outbox ();
  g_assert_cmpuint (items->len, ==, 1);
  empty_outbox ();
}

static void
test_mailto (void)
{
  BuzonWindow *window = open_window ();
  BuzonComposer *composer;
  g_autoptr(BuzonComposeDraft) draft = NULL;

  buzon_window_compose_mailto (window, "mailto:ana@example.test?subject=Hola%20Ana"
                                       "&cc=bruno@example.test&body=L%C3%ADnea%0D%0Aotra");
  composer = wait_composer ();
  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->to, ==, "ana@example.test");
  g_assert_cmpstr (draft->cc, ==, "bruno@example.test");
  g_assert_cmpstr (draft->subject, ==, "Hola Ana");
  g_assert_cmpstr (draft->body, ==, "Línea\notra");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->cc_entry)));
  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();

  buzon_window_compose_mailto (window, "mailto:ana%ZZ@example.test");
  assert_label_shown (GTK_WIDGET (window), "is not a valid e-mail link");
}

/* What the outbox says later: sent (a short toast), or refused for good
 * (the reason, until dismissed). */
static void
test_sent_and_failed (void)
{
  BuzonWindow *window = open_window ();
  BuzonOutboxScheduler *scheduler =
    buzon_sync_manager_get_outbox (buzon_application_get_sync_manager (app));
  g_autoptr(GPtrArray) items = NULL;
  BuzonComposer *composer;
  gint64 first, second;
  const char *none[] = { NULL };

  for (guint i = 0; i < 2; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
      composer = wait_composer ();
      type_into (composer->to_entry, "ana@example.test");
      type_into (composer->subject_entry, i == 0 ? "Primero" : "Segundo");
      gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
      assert_composer_gone ();
    }
  items = outbox ();
  g_assert_cmpuint (items->len, ==, 2);
  first = ((BuzonOutboxItem *)items->pdata[0])->id;
  second = ((BuzonOutboxItem *)items->pdata[1])->id;

  g_signal_emit_by_name (scheduler, "sent", buzon_account_get_id (account), first, none);
  g_signal_emit_by_name (scheduler, "failed", buzon_account_get_id (account), second,
                         "The server said: 554 Message refused.", TRUE);
  assert_label_shown (GTK_WIDGET (window), "“Segundo” was not sent: The server said: 554");

  /* Edit, from the toast: out of the outbox into a composer (and Drafts),
   * to be put right and sent again. Only a refused message can be. */
  g_assert_true (buzon_store_outbox_record_failure (buzon_application_get_store (app), second,
                                                    "554 Message refused.", 0, TRUE, NULL));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-refused", "x", second);
  composer = wait_composer ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (composer->subject_entry)), ==,
                   "Segundo");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (composer->to_entry)), ==,
                   "ana@example.test");
  g_assert_null (buzon_store_outbox_get (buzon_application_get_store (app), second, NULL));
  g_assert_cmpint (buzon_composer_get_saved_draft (composer), >, 0);
  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-refused", "x", first);
  g_assert_true (no_composer_cb (NULL));
  empty_outbox ();
}

/* Forward as an attachment: the original, whole, as message/rfc822. */
static void
test_forward_attachment (void)
{
  BuzonWindow *window = open_window ();
  BuzonStore *store = buzon_application_get_store (app);
  g_autoptr(BuzonFolder) inbox = special_folder (BUZON_SPECIAL_USE_INBOX);
  g_autoptr(GBytes) raw = g_bytes_new_static (ORIGINAL, sizeof ORIGINAL - 1);
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  BuzonComposer *composer;
  gint64 id = 0;

  g_assert_true (buzon_mail_ops_append (store, account, inbox->id, raw, 0, &id, &error));
  g_assert_no_error (error);
  show_message (window, id);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.forward-attachment", NULL);
  composer = wait_composer ();
  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->subject, ==, "Fwd: Fotos del viaje");
  g_assert_nonnull (draft->forwarded);
  g_assert_true (g_bytes_equal (draft->forwarded, raw));
  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();

  g_assert_true (buzon_mail_ops_delete_for_good (store, account, &id, 1, &error));
  g_assert_no_error (error);
}

/* Over 20 MB of attachments: said; removing one takes the warning away. */
static void
test_size_warning (void)
{
  BuzonWindow *window = open_window ();
  g_autofree char *path = g_build_filename (data_home, "grande.bin", NULL);
  g_autofree char *big = g_malloc0 (21 * 1000 * 1000);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GFile *files[] = { file };
  BuzonComposer *composer;
  GtkWidget *remove;

  g_assert_true (g_file_set_contents (path, big, 21 * 1000 * 1000, &error));
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.compose", NULL);
  composer = wait_composer ();
  buzon_composer_attach_files (composer, files, 1);
  g_assert_true (wait_for (attached_cb, composer));
  g_assert_cmpuint (buzon_composer_get_n_attachments (composer), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (composer->size_warning)));
  assert_label_shown (GTK_WIDGET (composer), "Many mail servers refuse messages over 20 MB");

  remove = find_tooltip (GTK_WIDGET (composer->attachments_list), "Remove “grande.bin”");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (buzon_composer_get_n_attachments (composer), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (composer->size_warning)));

  composer->done = TRUE;
  gtk_window_destroy (GTK_WINDOW (composer));
  assert_composer_gone ();
  g_unlink (path);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  BuzonStore *store;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  data_home = g_dir_make_tmp ("buzon-test-composer-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("BUZON_NO_SYNC", "1", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", BUZON_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  g_set_prgname ("test-composer");
  gtk_test_init (&argc, &argv, NULL);
  g_mime_init ();

  app = buzon_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buzon_application_get_settings (app));
  g_settings_set_uint (buzon_application_get_settings (app), "undo-send-delay", 30);

  store = buzon_application_get_store (app);
  g_assert_nonnull (store);
  account = buzon_account_new ("casa");
  buzon_account_set_address (account, "bruno@example.test");
  buzon_account_set_display_name (account, "Bruno");
  buzon_account_set_protocol (account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (account, "pop.example.invalid");
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_port (account, 995);
  buzon_account_set_username (account, "bruno");
  g_assert_true (buzon_store_add_account (store, account, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_ensure_local_folders (store, account, &error));
  g_assert_no_error (error);

  g_test_add_func ("/buzon/ui/composer/send-undo", test_send_and_undo);
  g_test_add_func ("/buzon/ui/composer/bad-address", test_bad_address);
  g_test_add_func ("/buzon/ui/composer/reply", test_reply);
  g_test_add_func ("/buzon/ui/composer/drafts", test_drafts);
  g_test_add_func ("/buzon/ui/composer/mailto", test_mailto);
  g_test_add_func ("/buzon/ui/composer/sent-and-failed", test_sent_and_failed);
  g_test_add_func ("/buzon/ui/composer/forward-attachment", test_forward_attachment);
  g_test_add_func ("/buzon/ui/composer/size-warning", test_size_warning);

  ret = g_test_run ();

  {
    g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_destroy (l->data);
    spin ();
  }
  g_clear_object (&account);
  g_clear_object (&app);
  remove_tree (data_home);
  g_free (data_home);

  return ret;
}
