/* buzon-reader.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonReader shows one message: its header, the attachments, the body in a
 * BuzonReaderView (HTML with every remote load blocked until the user asks,
 * or plain text), its source on demand. The message is read from the store
 * and parsed on a worker thread, so a large one never blocks the window.
 * Opening a message marks it read, at once or after the mark-read-delay;
 * the flag button flags it. Both go through buzon-mail-ops, so they reach
 * the server through the operation queue.
 *
 * A message whose body is not stored (headers-only IMAP accounts) shows a
 * "Download" page and emits ::fetch-body: whoever owns the account's sync
 * engine fetches it and shows the message again.
 *
 * Attachments are saved and opened by streaming the part to the file on a
 * worker thread (never whole in memory); a failure is said in the pane. An
 * attached message (message/rfc822) is viewed in the pane itself, with its
 * own header, attachments and body, and a way back (button or Escape). A
 * dim notice says when the body was cut or parts were left unlisted, and a
 * message GMime could not read says so above its source.
 *
 * Above it all, for a message opened from a conversation's row, a compact
 * strip of the conversation's messages (buzon_reader_set_conversation()):
 * sender, date and an unread dot each, oldest first, the one shown
 * selected; activating one shows it here, and marks it read as opening
 * does. */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "buzon-mail-ops.h"
#include "buzon-mime-message.h"

#include "buzon-message-item.h"

#include "buzon-reader-view.h"
#include "buzon-reader-private.h"
#include "buzon-reader.h"

struct _BuzonReader
{
  GtkWidget            parent_instance;

  BuzonStore          *store;
  BuzonAccount        *account;
  gint64               message_id;
  BuzonMessageSummary *summary;
  BuzonMimeMessage    *message;
  GPtrArray           *nested;          /* attached messages opened, innermost last;
                                           owned by message */
  GPtrArray           *nested_ids;      /* the part id each was opened from */
  GCancellable        *cancellable;
  GCancellable        *io_cancellable;  /* saves and opens: outlive a change of message */
  GHashTable          *remote_senders;  /* lowercase addresses, allowed always */
  guint                mark_read_delay;
  guint                mark_read_timer;
  gboolean             prefer_plain;
  gboolean             not_downloaded;
  gboolean             fetch_automatically;
  gboolean             updating;

  /* template */
  GtkWidget           *box;
  GtkWidget           *conversation_box;
  GtkLabel            *conversation_label;
  GtkListBox          *conversation_list;
  GtkLabel            *subject_label;
  GtkToggleButton     *flag_button;
  GtkToggleButton     *plain_button;
  GtkToggleButton     *source_button;
  GtkLabel            *from_label;
  GtkLabel            *to_label;
  GtkLabel            *cc_label;
  GtkLabel            *date_label;
  GtkLabel            *notice_label;
  GtkButton           *back_button;
  GtkRevealer         *problem_revealer;
  GtkLabel            *problem_label;
  GtkLabel            *broken_label;
  GtkRevealer         *remote_revealer;
  GtkRevealer         *attachments_revealer;
  GtkListBox          *attachments_list;
  GtkStack            *content_stack;
  GtkSpinner          *spinner;
  BuzonReaderView     *view;
  GtkTextView         *source_view;
  AdwStatusPage       *error_page;
  GtkButton           *retry_button;
};

enum
{
  SIGNAL_FETCH_BODY,
  SIGNAL_ALLOW_SENDER,
  SIGNAL_QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonReader, buzon_reader, GTK_TYPE_WIDGET)

/* GMime reads a part by seeking and reading streams the parts of one
 * message share, so two threads must not read parts of one message at
 * once: saving and opening on workers, cid: images, nested messages and
 * their source on the UI thread. One lock per message read from the store
 * (its nested messages share its streams), kept on it as data, so a save
 * from one message never holds up another. */
typedef struct
{
  GMutex mutex;
} MimeLock;

static void
mime_lock_free (MimeLock *lock)
{
  g_mutex_clear (&lock->mutex);
  g_free (lock);
}

static void
attach_mime_lock (BuzonMimeMessage *message)
{
  MimeLock *lock = g_new0 (MimeLock, 1);

  g_mutex_init (&lock->mutex);
  g_object_set_data_full (G_OBJECT (message), "buzon-reader-lock", lock,
                          (GDestroyNotify)mime_lock_free);
}

static GMutex *
mime_lock_of (BuzonMimeMessage *message)
{
  MimeLock *lock = g_object_get_data (G_OBJECT (message), "buzon-reader-lock");

  g_assert (lock != NULL);
  return &lock->mutex;
}

/* The message on screen: the attached one when the user opened it. */
static BuzonMimeMessage *
shown (BuzonReader *self)
{
  return self->nested->len > 0 ? g_ptr_array_index (self->nested, self->nested->len - 1)
                               : self->message;
}

/* The lock for the message on screen: its top message's. */
static GMutex *
shown_lock (BuzonReader *self)
{
  return mime_lock_of (self->message);
}

/* Loading, on a worker thread */

typedef struct
{
  BuzonStore          *store;
  gint64               message_id;
  BuzonMessageSummary *summary;
  BuzonMimeMessage    *message;
  GPtrArray           *senders;       /* char *: remote content always allowed */
  gboolean             not_downloaded;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->store);
  g_clear_pointer (&load->summary, buzon_message_summary_free);
  g_clear_object (&load->message);
  g_clear_pointer (&load->senders, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;

  (void)source_object;
  (void)cancellable;

  /* Read here, off the UI thread; a short list. */
  load->senders = buzon_store_list_remote_content_senders (load->store, NULL);
  load->summary = buzon_store_get_message (load->store, load->message_id, &error);
  if (load->summary == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  raw = buzon_store_get_body (load->store, load->message_id, &error);
  if (raw == NULL)
    {
      if (!g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      load->not_downloaded = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Never fails: a message GMime cannot read still shows its source. */
  load->message = buzon_mime_message_new_from_bytes (raw);
  attach_mime_lock (load->message);
  g_task_return_boolean (task, TRUE);
}

/* Showing */

static char *
format_addresses (GPtrArray *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      const BuzonMimeAddress *address = g_ptr_array_index (addresses, i);

      if (text->len > 0)
        g_string_append (text, ", ");
      if (address->name != NULL && *address->name != '\0')
        {
          g_string_append (text, address->name);
          if (address->address != NULL && *address->address != '\0')
            g_string_append_printf (text, " <%s>", address->address);
        }
      else if (address->address != NULL)
        g_string_append (text, address->address);
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/* The sender's address, lowercase, for "always show remote content". */
static char *
dup_sender_address (BuzonReader *self)
{
  GPtrArray *from = shown (self) != NULL ? buzon_mime_message_get_from (shown (self)) : NULL;

  for (guint i = 0; from != NULL && i < from->len; i++)
    {
      const BuzonMimeAddress *address = g_ptr_array_index (from, i);

      if (address->address != NULL && *address->address != '\0')
        return g_utf8_strdown (address->address, -1);
    }

  return NULL;
}

static GBytes *
resolve_part_cb (BuzonReaderView  *view,
                 const char       *content_id,
                 char            **content_type,
                 gpointer          user_data)
{
  BuzonReader *self = user_data;
  BuzonMimeMessage *message = shown (self);
  BuzonMimePart *part;
  GBytes *bytes;

  (void)view;
  if (message == NULL)
    return NULL;

  part = buzon_mime_message_find_by_content_id (message, content_id);
  if (part == NULL)
    return NULL;

  *content_type = g_strdup (buzon_mime_part_get_content_type (part));
  g_mutex_lock (shown_lock (self));
  bytes = buzon_mime_message_dup_part_bytes (message, buzon_mime_part_get_id (part));
  g_mutex_unlock (shown_lock (self));
  return bytes;
}

static void
show_body (BuzonReader *self)
{
  BuzonMimeMessage *message = shown (self);
  const char *html = buzon_mime_message_get_body_html (message);
  const char *text = buzon_mime_message_get_body_text (message);
  gboolean broken = buzon_mime_message_is_broken (message);
  gboolean plain = gtk_toggle_button_get_active (self->plain_button) || html == NULL;
  g_autofree char *sender = dup_sender_address (self);

  buzon_reader_view_set_allow_remote (self->view, sender != NULL &&
                                                  g_hash_table_contains (self->remote_senders,
                                                                         sender));
  gtk_widget_set_visible (GTK_WIDGET (self->broken_label), broken);
  if (broken)
    {
      g_autofree char *source = NULL;

      g_mutex_lock (shown_lock (self));  /* a nested message's source is written from its parts */
      source = buzon_mime_message_dup_source (message, 1024 * 1024);
      g_mutex_unlock (shown_lock (self));

      buzon_reader_view_set_plain_text (self->view, source);
    }
  else if (plain)
    buzon_reader_view_set_plain_text (self->view, text != NULL ? text : "");
  else
    buzon_reader_view_set_html (self->view, html, NULL);

  gtk_stack_set_visible_child_name (self->content_stack, "body");
}

static void
show_source (BuzonReader *self)
{
  g_autofree char *source = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);

  g_mutex_lock (shown_lock (self));  /* a nested message's source is written from its parts */
  source = buzon_mime_message_dup_source (shown (self), 16 * 1024 * 1024);
  g_mutex_unlock (shown_lock (self));

  gtk_text_buffer_set_text (buffer, source != NULL ? source : "", -1);
  gtk_stack_set_visible_child_name (self->content_stack, "source");
}

/* Saving and opening attachments: the part is streamed to the file on a
 * worker thread, never held whole in memory. */

typedef struct
{
  BuzonMimeMessage *message;   /* the part's */
  BuzonMimeMessage *top;       /* the one read from the store: its lock */
  char             *part_id;
  char             *name;      /* for the error sentence */
  GFile            *file;
  gboolean          open;      /* show it with the desktop's application */
} Write;

static void
write_free (Write *write)
{
  g_clear_object (&write->message);
  g_clear_object (&write->top);
  g_free (write->part_id);
  g_free (write->name);
  g_clear_object (&write->file);
  g_free (write);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Write *write = task_data;
  g_autoptr(GFileOutputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  gboolean existed;
  gboolean ok;

  (void)source_object;

  if (write->open)
    {
      g_autoptr(GFile) dir = g_file_get_parent (write->file);

      if (g_mkdir_with_parents (g_file_peek_path (dir), 0700) != 0)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), "%s",
                                   g_strerror (saved));
          return;
        }
    }

  /* Only the user can read what is written (G_FILE_CREATE_PRIVATE): an
   * attachment is the user's mail. */
  existed = g_file_query_exists (write->file, cancellable);
  output = g_file_replace (write->file, NULL, FALSE,
                           G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           cancellable, &error);
  if (output == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_mutex_lock (mime_lock_of (write->top));
  ok = buzon_mime_message_write_part (write->message, write->part_id, G_OUTPUT_STREAM (output),
                                      cancellable, &error);
  g_mutex_unlock (mime_lock_of (write->top));

  if (!ok)
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* Closing through a cancelled cancellable drops the temporary file,
       * so a failed save leaves any earlier file as it was; a new file is
       * written in place, so what there is of it goes. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (output), abandon, NULL);
      if (!existed)
        g_file_delete (write->file, NULL, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (output), cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
show_problem (BuzonReader *self,
              const char  *text)
{
  gtk_label_set_text (self->problem_label, text);
  gtk_revealer_set_reveal_child (self->problem_revealer, TRUE);
}

typedef struct
{
  BuzonReader *reader;
  char        *name;
} Shown;

/* The desktop could not open the copy (no application for its type…):
 * said in the pane too. */
static void
show_uri_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Shown *shown_uri = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      shown_uri->reader->io_cancellable != NULL &&  /* NULL: disposed */
      !g_cancellable_is_cancelled (shown_uri->reader->io_cancellable))
    {
      /* TRANSLATORS: %s is a file name, then why (a sentence from the system) */
      g_autofree char *text = g_strdup_printf (_("“%s” could not be opened: %s"),
                                               shown_uri->name, error->message);

      show_problem (shown_uri->reader, text);
    }

  g_object_unref (shown_uri->reader);
  g_free (shown_uri->name);
  g_free (shown_uri);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  BuzonReader *self = BUZON_READER (object);
  Write *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  (void)user_data;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (write->open)
        /* TRANSLATORS: %s is a file name, then why (a sentence from the system) */
        text = g_strdup_printf (_("“%s” could not be opened: %s"), write->name, error->message);
      else
        /* TRANSLATORS: %s is a file name, then why (a sentence from the system) */
        text = g_strdup_printf (_("“%s” could not be saved: %s"), write->name, error->message);
      show_problem (self, text);
      return;
    }

  if (write->open)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      g_autofree char *uri = g_file_get_uri (write->file);
      Shown *shown_uri = g_new0 (Shown, 1);

      shown_uri->reader = g_object_ref (self);
      shown_uri->name = g_strdup (write->name);
      gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME,
                         self->io_cancellable, show_uri_cb, shown_uri);
    }
}

static void
write_part_async (BuzonReader   *self,
                  BuzonMimePart *part,
                  GFile         *file,
                  gboolean       open)
{
  g_autoptr(GTask) task = NULL;
  Write *write = g_new0 (Write, 1);
  const char *name = buzon_mime_part_get_filename (part);

  /* A nested message is owned by the top one: both are kept. */
  write->message = g_object_ref (shown (self));
  write->top = g_object_ref (self->message);
  write->part_id = g_strdup (buzon_mime_part_get_id (part));
  write->name = g_strdup (name != NULL && *name != '\0' ? name : _("Unnamed attachment"));
  write->file = g_object_ref (file);
  write->open = open;

  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
  task = g_task_new (self, self->io_cancellable, write_cb, NULL);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (write_part_async));
  g_task_set_task_data (task, write, (GDestroyNotify)write_free);
  g_task_run_in_thread (task, write_thread);
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  BuzonReader *self = BUZON_READER (user_data);
  const char *part_id = g_object_get_data (G_OBJECT (dialog), "buzon-part");
  BuzonMimePart *part = shown (self) != NULL && part_id != NULL
                        ? buzon_mime_message_get_part (shown (self), part_id) : NULL;

  if (response == GTK_RESPONSE_ACCEPT && part != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        write_part_async (self, part, file, FALSE);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

/* A file name safe to create: no directories, no leading dot. */
static char *
safe_file_name (BuzonMimePart *part)
{
  const char *name = buzon_mime_part_get_filename (part);
  g_autofree char *base = NULL;

  if (name == NULL || *name == '\0')
    return g_strdup (_("attachment"));

  base = g_path_get_basename (name);
  g_strdelimit (base, "/\\\n\r\t", '_');
  if (base[0] == '.' || *base == '\0')
    return g_strconcat ("_", base, NULL);

  return g_steal_pointer (&base);
}

static void
save_attachment (BuzonReader   *self,
                 BuzonMimePart *part)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autofree char *name = safe_file_name (part);

  dialog = gtk_file_chooser_native_new (_("Save Attachment"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "buzon-part",
                          g_strdup (buzon_mime_part_get_id (part)), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Opens an attachment with the desktop's application for its type: a copy
 * in the cache (only the user can read it) is what that application gets. */
static void
open_attachment (BuzonReader   *self,
                 BuzonMimePart *part)
{
  g_autofree char *name = safe_file_name (part);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *within = NULL;

  /* A nested message's parts have ids of their own: keep them apart by
   * the attached messages they are in. */
  g_ptr_array_add (self->nested_ids, NULL);
  within = g_strjoinv ("~", (char **)self->nested_ids->pdata);
  g_ptr_array_remove_index (self->nested_ids, self->nested_ids->len - 1);
  path = g_build_filename (g_get_user_cache_dir (), "buzon", "attachments",
                           *within != '\0' ? within : "top",
                           buzon_mime_part_get_id (part), name, NULL);
  file = g_file_new_for_path (path);
  write_part_async (self, part, file, TRUE);
}

enum
{
  ATTACHMENT_OPEN,
  ATTACHMENT_SAVE,
  ATTACHMENT_VIEW,
};

static void show_shown (BuzonReader *self);
static void start_load (BuzonReader *self);

static void
view_nested (BuzonReader   *self,
             BuzonMimePart *part)
{
  BuzonMimeMessage *nested;

  /* Parsing the attached message reads its parts: not while a worker does. */
  g_mutex_lock (shown_lock (self));
  nested = buzon_mime_message_get_nested (shown (self), buzon_mime_part_get_id (part));
  g_mutex_unlock (shown_lock (self));
  if (nested == NULL)
    return;

  g_ptr_array_add (self->nested, nested);
  g_ptr_array_add (self->nested_ids, g_strdup (buzon_mime_part_get_id (part)));
  show_shown (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
attachment_clicked_cb (GtkButton *button,
                       gpointer   user_data)
{
  BuzonReader *self = user_data;
  const char *part_id = g_object_get_data (G_OBJECT (button), "buzon-part");
  int what = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "buzon-action"));
  BuzonMimePart *part;

  if (shown (self) == NULL || part_id == NULL)
    return;
  part = buzon_mime_message_get_part (shown (self), part_id);
  if (part == NULL)
    return;

  if (what == ATTACHMENT_SAVE)
    save_attachment (self, part);
  else if (what == ATTACHMENT_VIEW)
    view_nested (self, part);
  else
    open_attachment (self, part);
}

static GtkWidget *
attachment_button (BuzonReader   *self,
                   BuzonMimePart *part,
                   const char    *icon,
                   const char    *label,
                   int            what)
{
  /* Viewing an attached message is a word, not an icon: no icon says it. */
  GtkWidget *button = what == ATTACHMENT_VIEW ? gtk_button_new_with_label (_("View"))
                                              : gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "buzon-part",
                          g_strdup (buzon_mime_part_get_id (part)), g_free);
  g_object_set_data (G_OBJECT (button), "buzon-action", GINT_TO_POINTER (what));
  g_signal_connect (button, "clicked", G_CALLBACK (attachment_clicked_cb), self);

  return button;
}

static void
show_attachments (BuzonReader *self)
{
  GPtrArray *attachments = buzon_mime_message_get_attachments (shown (self));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_list))) != NULL)
    gtk_list_box_remove (self->attachments_list, child);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      BuzonMimePart *part = g_ptr_array_index (attachments, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *size = g_format_size (buzon_mime_part_get_size (part));
      g_autofree char *subtitle = g_strdup_printf ("%s — %s",
                                                   buzon_mime_part_get_content_type (part),
                                                   size);
      const char *name = buzon_mime_part_get_filename (part);
      g_autofree char *open_label = NULL;
      g_autofree char *save_label = NULL;

      if (name == NULL || *name == '\0')
        name = buzon_mime_part_is_message (part) ? _("Attached message")
                                                 : _("Unnamed attachment");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (buzon_mime_part_is_message (part))
        {
          /* TRANSLATORS: a button's name for screen readers; %s is a file name
           * or “Attached message” */
          g_autofree char *view_label = g_strdup_printf (_("View %s"), name);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     attachment_button (self, part, NULL, view_label,
                                                        ATTACHMENT_VIEW));
        }
      /* TRANSLATORS: a button's name for screen readers; %s is a file name */
      open_label = g_strdup_printf (_("Open %s"), name);
      /* TRANSLATORS: a button's name for screen readers; %s is a file name */
      save_label = g_strdup_printf (_("Save %s"), name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 attachment_button (self, part, "document-open-symbolic",
                                                    open_label, ATTACHMENT_OPEN));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 attachment_button (self, part, "document-save-symbolic",
                                                    save_label, ATTACHMENT_SAVE));
      gtk_list_box_append (self->attachments_list, row);
    }

  gtk_revealer_set_reveal_child (self->attachments_revealer,
                                 attachments != NULL && attachments->len > 0);
}

/* The conversation strip */

/* What a row of the strip says, and to screen readers. */
static void
update_conversation_row (BuzonReader *self,
                         gint64       message_id,
                         gboolean     unread)
{
  GtkListBoxRow *row;
  GtkWidget *dot;
  GtkWidget *sender;
  const char *sender_text;
  const char *date_text;
  g_autofree char *name = NULL;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->conversation_list, i)) != NULL; i++)
    {
      gint64 *id = g_object_get_data (G_OBJECT (row), "message-id");

      if (id != NULL && *id == message_id)
        break;
    }
  if (row == NULL)
    return;

  dot = g_object_get_data (G_OBJECT (row), "dot");
  sender = g_object_get_data (G_OBJECT (row), "sender");
  gtk_widget_set_opacity (dot, unread ? 1.0 : 0.0);
  if (unread)
    gtk_widget_add_css_class (sender, "heading");
  else
    gtk_widget_remove_css_class (sender, "heading");

  sender_text = gtk_label_get_text (GTK_LABEL (sender));
  date_text = g_object_get_data (G_OBJECT (row), "date");
  /* Translators: how a screen reader names a message of the conversation
   * strip above the reader: sender, date. */
  name = g_strdup_printf (C_("conversation", "%s, %s"), sender_text, date_text);
  if (unread)
    {
      char *with_state = g_strconcat (name, C_("message row", ", unread"), NULL);

      g_free (name);
      name = with_state;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static GtkWidget *
conversation_row_new (const BuzonMessageSummary *summary,
                      GDateTime                 *now)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *dot = g_object_new (GTK_TYPE_IMAGE,
                                 "icon-name", "media-record-symbolic",
                                 "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                 NULL);
  GtkWidget *sender;
  GtkWidget *date;
  g_autofree char *from = buzon_message_item_sender_from_text (summary->from);
  g_autofree char *when = buzon_message_item_format_date (summary->date, now);
  gint64 *id = g_new (gint64, 1);

  *id = summary->id;
  gtk_image_set_pixel_size (GTK_IMAGE (dot), 8);
  gtk_widget_add_css_class (dot, "accent");
  gtk_widget_set_tooltip_text (dot, _("Unread"));
  sender = gtk_label_new (from != NULL && from[0] != '\0' ? from : _("Unknown sender"));
  gtk_label_set_xalign (GTK_LABEL (sender), 0);
  gtk_label_set_ellipsize (GTK_LABEL (sender), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (sender, TRUE);
  date = gtk_label_new (when);
  gtk_widget_add_css_class (date, "caption");
  gtk_widget_add_css_class (date, "dim-label");
  gtk_widget_add_css_class (date, "numeric");

  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), sender);
  gtk_box_append (GTK_BOX (box), date);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data_full (G_OBJECT (row), "message-id", id, g_free);
  g_object_set_data (G_OBJECT (row), "dot", dot);
  g_object_set_data (G_OBJECT (row), "sender", sender);
  g_object_set_data_full (G_OBJECT (row), "date", g_steal_pointer (&when), g_free);

  return row;
}

/* The strip's unread dots follow the store (a conversation marked read
 * from the list, a sync). */
static void
store_messages_changed_cb (BuzonReader *self,
                           gint64       folder_id)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) summaries = NULL;
  GtkListBoxRow *row;

  (void)folder_id;
  if (!gtk_widget_get_visible (self->conversation_box) || self->store == NULL)
    return;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->conversation_list, i)) != NULL; i++)
    g_array_append_val (ids, *(gint64 *)g_object_get_data (G_OBJECT (row), "message-id"));
  summaries = buzon_store_get_messages (self->store, (const gint64 *)(gpointer)ids->data,
                                        ids->len, NULL);
  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    {
      const BuzonMessageSummary *summary = summaries->pdata[i];

      update_conversation_row (self, summary->id,
                               (summary->flags & (BUZON_MESSAGE_FLAG_SEEN |
                                                  BUZON_MESSAGE_FLAG_DELETED)) == 0);
    }
}

/* Selects the strip's row of the message shown. */
static void
select_conversation_row (BuzonReader *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->conversation_list, i)) != NULL; i++)
    {
      gint64 *id = g_object_get_data (G_OBJECT (row), "message-id");

      if (id != NULL && *id == self->message_id)
        {
          gtk_list_box_select_row (self->conversation_list, row);
          return;
        }
    }
  gtk_list_box_unselect_all (self->conversation_list);
}

static void
on_conversation_row_activated_cb (BuzonReader   *self,
                                  GtkListBoxRow *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "message-id");

  if (id == NULL || self->store == NULL || self->account == NULL)
    return;
  if (*id != self->message_id)
    {
      self->message_id = *id;
      g_clear_handle_id (&self->mark_read_timer, g_source_remove);
      start_load (self);
    }
  select_conversation_row (self);
}

static gint
compare_oldest_first (gconstpointer a,
                      gconstpointer b)
{
  const BuzonMessageSummary *x = *(BuzonMessageSummary * const *)a;
  const BuzonMessageSummary *y = *(BuzonMessageSummary * const *)b;

  if (x->date != y->date)
    return x->date < y->date ? -1 : 1;

  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean
mark_read_cb (gpointer user_data)
{
  BuzonReader *self = user_data;
  g_autoptr(GError) error = NULL;

  self->mark_read_timer = 0;
  if (self->summary == NULL || (self->summary->flags & BUZON_MESSAGE_FLAG_SEEN) != 0)
    return G_SOURCE_REMOVE;

  if (!buzon_mail_ops_set_flags (self->store, self->account, &self->message_id, 1,
                                 BUZON_MESSAGE_FLAG_SEEN, 0, &error))
    g_warning ("Could not mark the message as read: %s", error->message);
  else
    {
      self->summary->flags |= BUZON_MESSAGE_FLAG_SEEN;
      update_conversation_row (self, self->message_id, FALSE);
      g_signal_emit (self, signals[SIGNAL_QUEUED], 0, buzon_account_get_id (self->account));
    }

  return G_SOURCE_REMOVE;
}

/* A full star when flagged, an outline otherwise. */
static void
update_flag_icon (BuzonReader *self)
{
  gtk_button_set_icon_name (GTK_BUTTON (self->flag_button),
                            gtk_toggle_button_get_active (self->flag_button)
                            ? "starred-symbolic" : "non-starred-symbolic");
}

/**
 * _buzon_reader_dup_notice:
 * @body_truncated: the body was cut at BUZON_MIME_MAX_BODY_BYTES
 * @n_unlisted: parts left out of the list by BUZON_MIME_MAX_PARTS
 *
 * Returns: (transfer full) (nullable): the notice, one sentence a line
 */
char *
_buzon_reader_dup_notice (gboolean body_truncated,
                          guint    n_unlisted)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (body_truncated)
    g_string_append (text, _("This message is very long; the rest is in its source."));
  if (n_unlisted > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u more part is not listed.",
                                                 "%u more parts are not listed.", n_unlisted),
                              n_unlisted);
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
show_header (BuzonReader *self)
{
  BuzonMimeMessage *message = shown (self);
  /* The store's summary describes the top message only. */
  BuzonMessageSummary *summary = self->nested->len == 0 ? self->summary : NULL;
  const char *subject = message != NULL ? buzon_mime_message_get_subject (message) : NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *date = NULL;
  g_autofree char *notice = NULL;
  GDateTime *when = message != NULL ? buzon_mime_message_get_date (message) : NULL;

  if (subject == NULL && summary != NULL)
    subject = summary->subject;
  gtk_label_set_text (self->subject_label, subject != NULL && *subject != '\0'
                                           ? subject : _("(No subject)"));

  if (message != NULL)
    {
      from = format_addresses (buzon_mime_message_get_from (message));
      to = format_addresses (buzon_mime_message_get_to (message));
      cc = format_addresses (buzon_mime_message_get_cc (message));
      notice = _buzon_reader_dup_notice (buzon_mime_message_get_body_truncated (message),
                                         buzon_mime_message_get_n_unlisted_parts (message));
    }
  else if (summary != NULL)
    {
      from = g_strdup (summary->from);
      to = g_strdup (summary->to);
      cc = g_strdup (summary->cc);
    }
  gtk_label_set_text (self->notice_label, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), notice != NULL);
  gtk_label_set_text (self->from_label, from != NULL ? from : _("(No sender)"));

  {
    /* TRANSLATORS: the recipients of a message; %s is a list of addresses */
    g_autofree char *text = g_strdup_printf (_("To: %s"), to != NULL ? to : "");

    gtk_label_set_text (self->to_label, text);
    gtk_widget_set_visible (GTK_WIDGET (self->to_label), to != NULL);
  }
  {
    /* TRANSLATORS: the copy recipients of a message; %s is a list of addresses */
    g_autofree char *text = g_strdup_printf (_("Cc: %s"), cc != NULL ? cc : "");

    gtk_label_set_text (self->cc_label, text);
    gtk_widget_set_visible (GTK_WIDGET (self->cc_label), cc != NULL);
  }

  if (when != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);

      /* The user's locale decides the format. */
      date = g_date_time_format (local, "%c");
    }
  else if (summary != NULL && summary->date > 0)
    {
      g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (summary->date);

      date = g_date_time_format (local, "%c");
    }
  gtk_label_set_text (self->date_label, date != NULL ? date : "");
  gtk_widget_set_visible (GTK_WIDGET (self->date_label), date != NULL);

  /* The flag, the read state and the way back belong to the top message. */
  gtk_widget_set_visible (GTK_WIDGET (self->flag_button), self->nested->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->nested->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reader.back", self->nested->len > 0);

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->flag_button,
                                (self->summary->flags & BUZON_MESSAGE_FLAG_FLAGGED) != 0);
  self->updating = FALSE;
  update_flag_icon (self);
}

static void
show_error (BuzonReader *self,
            const char  *title,
            const char  *description,
            const char  *button)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_button_set_label (self->retry_button, button);
  gtk_stack_set_visible_child_name (self->content_stack, "error");
}

/* The header, the attachments and the body of the message on screen: the
 * top one, or the attached one the user is viewing. */
static void
show_shown (BuzonReader *self)
{
  BuzonMimeMessage *message = shown (self);

  gtk_revealer_set_reveal_child (self->remote_revealer, FALSE);
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
  show_header (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->source_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->plain_button),
                          buzon_mime_message_get_body_html (message) != NULL &&
                          buzon_mime_message_get_body_text (message) != NULL);
  self->updating = TRUE;
  gtk_toggle_button_set_active (self->plain_button, self->prefer_plain);
  gtk_toggle_button_set_active (self->source_button, FALSE);
  self->updating = FALSE;
  show_attachments (self);
  show_body (self);
}

/* Asks whoever owns the sync engine for the body, with the spinner up
 * until the message is shown again or buzon_reader_show_fetch_error(). */
static void
request_body (BuzonReader *self)
{
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gtk_spinner_start (self->spinner);
  g_signal_emit (self, signals[SIGNAL_FETCH_BODY], 0, self->message_id);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  BuzonReader *self = BUZON_READER (object);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  (void)user_data;
  gtk_spinner_stop (self->spinner);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, _("This Message Cannot Be Shown"), error->message, _("_Try Again"));
      return;
    }
  if (load->message_id != self->message_id)
    return;  /* another message was asked for meanwhile */

  g_clear_pointer (&self->summary, buzon_message_summary_free);
  g_ptr_array_set_size (self->nested, 0);
  g_ptr_array_set_size (self->nested_ids, 0);
  g_clear_object (&self->message);
  self->summary = g_steal_pointer (&load->summary);
  self->message = g_steal_pointer (&load->message);
  self->not_downloaded = load->not_downloaded;
  for (guint i = 0; load->senders != NULL && i < load->senders->len; i++)
    g_hash_table_add (self->remote_senders, g_strdup (load->senders->pdata[i]));

  if (self->not_downloaded)
    {
      show_header (self);
      gtk_widget_set_sensitive (GTK_WIDGET (self->source_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->broken_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->plain_button), FALSE);
      gtk_revealer_set_reveal_child (self->attachments_revealer, FALSE);
      if (self->fetch_automatically)
        {
          request_body (self);
          return;
        }
      show_error (self, _("Not Downloaded Yet"),
                  _("Only the header of this message is stored on this computer."),
                  _("_Download"));
      return;
    }

  show_shown (self);

  g_clear_handle_id (&self->mark_read_timer, g_source_remove);
  if ((self->summary->flags & BUZON_MESSAGE_FLAG_SEEN) == 0)
    {
      if (self->mark_read_delay == 0)
        mark_read_cb (self);
      else
        self->mark_read_timer = g_timeout_add_seconds (self->mark_read_delay, mark_read_cb, self);
    }
}

static void
start_load (BuzonReader *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_revealer_set_reveal_child (self->remote_revealer, FALSE);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gtk_spinner_start (self->spinner);

  load = g_new0 (Load, 1);
  load->store = g_object_ref (self->store);
  load->message_id = self->message_id;
  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (start_load));
  g_task_set_task_data (task, load, (GDestroyNotify)load_free);
  g_task_run_in_thread (task, load_thread);
}

/* Template callbacks */

static void
on_flag_toggled_cb (BuzonReader *self)
{
  gboolean flagged = gtk_toggle_button_get_active (self->flag_button);
  g_autoptr(GError) error = NULL;

  update_flag_icon (self);
  if (self->updating || self->summary == NULL)
    return;

  if (!buzon_mail_ops_set_flags (self->store, self->account, &self->message_id, 1,
                                 flagged ? BUZON_MESSAGE_FLAG_FLAGGED : 0,
                                 flagged ? 0 : BUZON_MESSAGE_FLAG_FLAGGED, &error))
    {
      g_warning ("Could not change the flag: %s", error->message);
      self->updating = TRUE;
      gtk_toggle_button_set_active (self->flag_button, !flagged);
      self->updating = FALSE;
      update_flag_icon (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_QUEUED], 0, buzon_account_get_id (self->account));

  if (flagged)
    self->summary->flags |= BUZON_MESSAGE_FLAG_FLAGGED;
  else
    self->summary->flags &= ~BUZON_MESSAGE_FLAG_FLAGGED;
}

static void
on_plain_toggled_cb (BuzonReader *self)
{
  if (!self->updating && self->message != NULL &&
      !gtk_toggle_button_get_active (self->source_button))
    show_body (self);
}

static void
on_source_toggled_cb (BuzonReader *self)
{
  if (self->updating || self->message == NULL)
    return;

  if (gtk_toggle_button_get_active (self->source_button))
    show_source (self);
  else
    show_body (self);
}

static void
on_show_remote_cb (BuzonReader *self)
{
  buzon_reader_view_set_allow_remote (self->view, TRUE);
  gtk_revealer_set_reveal_child (self->remote_revealer, FALSE);
}

static void
on_always_remote_cb (BuzonReader *self)
{
  g_autofree char *sender = dup_sender_address (self);

  if (sender != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_hash_table_add (self->remote_senders, g_strdup (sender));
      /* Kept for the next time, in every window and account. */
      if (self->store != NULL &&
          !buzon_store_allow_remote_content (self->store, sender, TRUE, &error))
        g_warning ("Could not remember the sender: %s", error->message);
      g_signal_emit (self, signals[SIGNAL_ALLOW_SENDER], 0, sender);
    }
  on_show_remote_cb (self);
}

static void
on_retry_cb (BuzonReader *self)
{
  if (self->not_downloaded)
    {
      request_body (self);
      return;
    }
  if (self->store != NULL && self->message_id > 0)
    start_load (self);
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BuzonReader *self = BUZON_READER (widget);

  (void)action_name;
  (void)parameter;
  if (self->nested->len == 0 || self->message == NULL)
    return;

  /* One level out: from a message attached to an attached one, to that. */
  g_ptr_array_remove_index (self->nested, self->nested->len - 1);
  g_ptr_array_remove_index (self->nested_ids, self->nested_ids->len - 1);
  show_shown (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->attachments_list));
}

static void
on_problem_dismiss_cb (BuzonReader *self)
{
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
}

static void
remote_blocked_cb (BuzonReader *self)
{
  gtk_revealer_set_reveal_child (self->remote_revealer,
                                 buzon_reader_view_get_remote_content_blocked (self->view) &&
                                 !buzon_reader_view_get_allow_remote (self->view));
}

static void
open_link_cb (BuzonReader *self,
              const char  *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Only what a browser or mail client should get: never file: or data:. */
  if (g_str_has_prefix (uri, "http://") || g_str_has_prefix (uri, "https://") ||
      g_str_has_prefix (uri, "mailto:"))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

/* The object */

static void
buzon_reader_dispose (GObject *object)
{
  BuzonReader *self = BUZON_READER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->io_cancellable);
  g_clear_object (&self->io_cancellable);
  g_clear_handle_id (&self->mark_read_timer, g_source_remove);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_READER);

  G_OBJECT_CLASS (buzon_reader_parent_class)->dispose (object);
}

static void
buzon_reader_finalize (GObject *object)
{
  BuzonReader *self = BUZON_READER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_pointer (&self->summary, buzon_message_summary_free);
  g_clear_pointer (&self->nested, g_ptr_array_unref);
  g_clear_pointer (&self->nested_ids, g_ptr_array_unref);
  g_clear_object (&self->message);
  g_clear_pointer (&self->remote_senders, g_hash_table_unref);

  G_OBJECT_CLASS (buzon_reader_parent_class)->finalize (object);
}

static void
buzon_reader_class_init (BuzonReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = buzon_reader_dispose;
  object_class->finalize = buzon_reader_finalize;

  /**
   * BuzonReader::fetch-body:
   * @message_id: the message whose body is not stored
   *
   * The user asked to download the body; show the message again when it is
   * stored.
   */
  signals[SIGNAL_FETCH_BODY] =
    g_signal_new ("fetch-body", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * BuzonReader::allow-sender:
   * @address: the sender's address, lowercase
   *
   * The user chose to always show remote content from this sender: remember
   * it (buzon_reader_allow_remote_senders() hands it back).
   */
  signals[SIGNAL_ALLOW_SENDER] =
    g_signal_new ("allow-sender", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * BuzonReader::queued:
   * @account_id: the account of the message
   *
   * The message was marked read or (un)flagged: the change is in the store
   * and in the operation queue, for whoever syncs the account to replay.
   */
  signals[SIGNAL_QUEUED] =
    g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (BUZON_TYPE_READER_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/buzon-reader.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, box);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, conversation_box);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, conversation_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, subject_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, flag_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, plain_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, source_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, from_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, to_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, cc_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, date_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, notice_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, back_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, problem_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, broken_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, remote_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, attachments_list);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, content_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, spinner);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, view);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, source_view);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, error_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonReader, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, on_flag_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_plain_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_source_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_show_remote_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_always_remote_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_problem_dismiss_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_conversation_row_activated_cb);

  /* Back from an attached message to the one it came in: the button, or
   * Escape anywhere in the pane. */
  gtk_widget_class_install_action (widget_class, "reader.back", NULL, back_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "reader.back", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
buzon_reader_init (BuzonReader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->io_cancellable = g_cancellable_new ();
  self->nested = g_ptr_array_new ();
  self->nested_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reader.back", FALSE);
  self->remote_senders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  buzon_reader_view_set_part_resolver (self->view, resolve_part_cb, self, NULL);
  g_signal_connect_object (self->view, "notify::remote-content-blocked",
                           G_CALLBACK (remote_blocked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "notify::allow-remote",
                           G_CALLBACK (remote_blocked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "open-link", G_CALLBACK (open_link_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message"), -1);
}

/**
 * buzon_reader_new:
 *
 * Returns: (transfer floating): an empty reader
 */
GtkWidget *
buzon_reader_new (void)
{
  return g_object_new (BUZON_TYPE_READER, NULL);
}

/**
 * buzon_reader_show_message:
 * @store: the store
 * @account: the message's account (flags and read state go to its server)
 * @message_id: the message
 *
 * Shows a message: read from the store and parsed off the UI thread.
 */
void
buzon_reader_show_message (BuzonReader  *self,
                           BuzonStore   *store,
                           BuzonAccount *account,
                           gint64        message_id)
{
  g_return_if_fail (BUZON_IS_READER (self));
  g_return_if_fail (BUZON_IS_STORE (store));
  g_return_if_fail (BUZON_IS_ACCOUNT (account));

  if (self->store != store)
    {
      if (self->store != NULL)
        g_signal_handlers_disconnect_by_data (self->store, self);
      g_set_object (&self->store, store);
      g_signal_connect_object (store, "messages-changed", G_CALLBACK (store_messages_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  g_set_object (&self->account, account);
  self->message_id = message_id;
  g_clear_handle_id (&self->mark_read_timer, g_source_remove);
  start_load (self);
}

/**
 * buzon_reader_clear:
 *
 * Shows nothing (and stops loading).
 */
void
buzon_reader_clear (BuzonReader *self)
{
  g_return_if_fail (BUZON_IS_READER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->mark_read_timer, g_source_remove);
  self->message_id = 0;
  g_ptr_array_set_size (self->nested, 0);
  g_ptr_array_set_size (self->nested_ids, 0);
  g_clear_pointer (&self->summary, buzon_message_summary_free);
  g_clear_object (&self->message);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  buzon_reader_set_conversation (self, NULL);
}

/**
 * buzon_reader_set_conversation:
 * @messages: (element-type BuzonMessageSummary) (nullable): the messages of
 *   the conversation the message shown belongs to (in any order), or %NULL
 *
 * Shows a strip of @messages above the message, oldest first, the one shown
 * selected; activating one shows it (and marks it read as opening does).
 * With %NULL or fewer than two messages, no strip. The strip stays while
 * its messages are switched between; showing a message of another
 * conversation calls for a new one.
 */
void
buzon_reader_set_conversation (BuzonReader *self,
                               GPtrArray   *messages)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *heading = NULL;
  GtkWidget *child;

  g_return_if_fail (BUZON_IS_READER (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conversation_list))) != NULL)
    gtk_list_box_remove (self->conversation_list, child);
  if (messages == NULL || messages->len < 2)
    {
      gtk_widget_set_visible (self->conversation_box, FALSE);
      return;
    }

  /* A view of @messages (they stay its). */
  sorted = g_ptr_array_sized_new (messages->len);
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (sorted, messages->pdata[i]);
  g_ptr_array_sort (sorted, compare_oldest_first);
  now = g_date_time_new_now_local ();
  for (guint i = 0; i < sorted->len; i++)
    {
      const BuzonMessageSummary *summary = sorted->pdata[i];

      gtk_list_box_append (self->conversation_list, conversation_row_new (summary, now));
      update_conversation_row (self, summary->id,
                               (summary->flags & (BUZON_MESSAGE_FLAG_SEEN |
                                                  BUZON_MESSAGE_FLAG_DELETED)) == 0);
    }

  heading = g_strdup_printf (ngettext ("%u message in this conversation",
                                       "%u messages in this conversation", sorted->len),
                             sorted->len);
  gtk_label_set_text (self->conversation_label, heading);
  gtk_widget_set_visible (self->conversation_box, TRUE);
  select_conversation_row (self);
}

/**
 * buzon_reader_set_fetch_automatically:
 * @fetch: whether a message whose body is not stored is downloaded as soon
 *   as it is shown
 *
 * With @fetch, such a message emits #BuzonReader::fetch-body at once and
 * shows a spinner; without it (the default), a "Download" button asks first.
 */
void
buzon_reader_set_fetch_automatically (BuzonReader *self,
                                      gboolean     fetch)
{
  g_return_if_fail (BUZON_IS_READER (self));

  self->fetch_automatically = !!fetch;
}

/**
 * buzon_reader_show_fetch_error:
 * @message_id: the message whose body was asked for
 * @message: why it could not be downloaded, a sentence for the user
 *
 * Ends a #BuzonReader::fetch-body request that failed: the pane says why and
 * offers to try again. Ignored when another message is shown by now.
 */
void
buzon_reader_show_fetch_error (BuzonReader *self,
                               gint64       message_id,
                               const char  *message)
{
  g_return_if_fail (BUZON_IS_READER (self));
  g_return_if_fail (message != NULL);

  if (message_id != self->message_id || !self->not_downloaded)
    return;

  gtk_spinner_stop (self->spinner);
  show_error (self, _("The Message Could Not Be Downloaded"), message, _("_Try Again"));
}

/**
 * buzon_reader_get_message_id:
 *
 * Returns: the message shown (or being loaded), 0 for none
 */
gint64
buzon_reader_get_message_id (BuzonReader *self)
{
  g_return_val_if_fail (BUZON_IS_READER (self), 0);

  return self->message_id;
}

/**
 * buzon_reader_set_mark_read_delay:
 * @seconds: how long a message is shown before it is marked read; 0: at once
 */
void
buzon_reader_set_mark_read_delay (BuzonReader *self,
                                  guint        seconds)
{
  g_return_if_fail (BUZON_IS_READER (self));

  self->mark_read_delay = seconds;
}

/**
 * buzon_reader_set_prefer_plain_text:
 * @prefer_plain: show the plain text of messages that also have HTML
 */
void
buzon_reader_set_prefer_plain_text (BuzonReader *self,
                                    gboolean     prefer_plain)
{
  g_return_if_fail (BUZON_IS_READER (self));

  self->prefer_plain = prefer_plain;
}

/**
 * buzon_reader_allow_remote_senders:
 * @addresses: (array zero-terminated=1): senders whose remote content is shown
 *   without asking (remembered by the caller from ::allow-sender)
 */
void
buzon_reader_allow_remote_senders (BuzonReader        *self,
                                   const char * const *addresses)
{
  g_return_if_fail (BUZON_IS_READER (self));

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    g_hash_table_add (self->remote_senders, g_utf8_strdown (addresses[i], -1));
}

/**
 * _buzon_reader_save_part_to_file_for_test:
 * @part_id: a part of the message on screen
 * @file: where to save it
 *
 * What "Save" does once the file dialog has answered.
 */
void
_buzon_reader_save_part_to_file_for_test (BuzonReader *self,
                                          const char  *part_id,
                                          GFile       *file)
{
  BuzonMimePart *part;

  g_return_if_fail (BUZON_IS_READER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (shown (self) != NULL);

  part = buzon_mime_message_get_part (shown (self), part_id);
  g_return_if_fail (part != NULL);
  write_part_async (self, part, file, FALSE);
}
