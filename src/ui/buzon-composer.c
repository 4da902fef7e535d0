/* buzon-composer.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonComposer is the window a message is written in. It holds the fields
 * as the user types them; buzon_composer_dup_draft() turns them into a
 * BuzonComposeDraft, with what the composer was opened with and does not
 * show (In-Reply-To, References, Reply-To, a forwarded message) kept.
 *
 * Send builds the message (an address that is not one is said inline, and
 * nothing is queued), puts it in the outbox not before now + the undo
 * delay, emits ::queued and closes: whoever opened it offers Undo for that
 * long (buzon_store_outbox_take_back()) and can open a composer again with
 * the same draft.
 *
 * While the user writes, the draft is saved into the account's Drafts
 * folder (\Seen \Draft, through buzon-mail-ops, so it reaches the server)
 * a few seconds after the last change, each copy replacing the one before
 * for good; sending deletes it. Closing a composer with something in it
 * asks whether to save it, discard it or go on writing.
 *
 * Files are attached from a file chooser or by dropping them on the
 * window; they are read on a worker thread. */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-mail-ops.h"

#include "buzon-address-completion.h"
#include "buzon-composer-private.h"

#define DEFAULT_AUTOSAVE_MSEC 3000


enum
{
  SIGNAL_QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BuzonComposer, buzon_composer, ADW_TYPE_WINDOW)

static void schedule_autosave (BuzonComposer *self);

/* Helpers */

static void
show_error (BuzonComposer *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
on_error_close_clicked_cb (BuzonComposer *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static char *
entry_text (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *copy = g_strstrip (g_strdup (text));

  return copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

static char *
body_text (BuzonComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
kick (BuzonComposer *self,
      BuzonAccount  *account)
{
  if (self->sync != NULL && account != NULL)
    buzon_sync_manager_kick (self->sync, buzon_account_get_id (account));
}

static char *
account_label (BuzonAccount *account)
{
  const char *name = buzon_account_get_display_name (account);
  const char *address = buzon_account_get_address (account);

  if (name != NULL && name[0] != '\0')
    return g_strdup_printf ("%s <%s>", name, address);
  return g_strdup (address);
}

/* The account chosen in From. */
BuzonAccount *
buzon_composer_get_account (BuzonComposer *self)
{
  guint n, selected;

  g_return_val_if_fail (BUZON_IS_COMPOSER (self), NULL);

  n = self->accounts != NULL ? g_list_model_get_n_items (self->accounts) : 0;
  if (n == 0)
    return NULL;

  selected = gtk_drop_down_get_selected (self->from_dropdown);
  if (selected == GTK_INVALID_LIST_POSITION || selected >= n)
    selected = 0;

  {
    g_autoptr(BuzonAccount) account = g_list_model_get_item (self->accounts, selected);

    /* The model keeps it. */
    return account;
  }
}

static BuzonFolder *
find_drafts (BuzonComposer *self,
             BuzonAccount  *account)
{
  g_autoptr(GPtrArray) folders = NULL;

  if (buzon_account_get_protocol (account) != BUZON_PROTOCOL_IMAP)
    buzon_mail_ops_ensure_local_folders (self->store, account, NULL);

  folders = buzon_store_list_folders (self->store, buzon_account_get_id (account), NULL);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == BUZON_SPECIAL_USE_DRAFTS)
        return buzon_folder_copy (folder);
    }

  return NULL;
}

static void
delete_saved_draft (BuzonComposer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->saved_draft == 0 || self->saved_account == NULL)
    return;

  if (!buzon_mail_ops_delete_for_good (self->store, self->saved_account, &self->saved_draft, 1,
                                       &error))
    g_debug ("The previous copy of the draft could not be deleted: %s", error->message);
  kick (self, self->saved_account);
  self->saved_draft = 0;
  g_clear_object (&self->saved_account);
}

/* Attachments */

static void
remove_attachment_clicked_cb (GtkButton     *button,
                              BuzonComposer *self);

static void
update_attachments (BuzonComposer *self)
{
  GtkWidget *child;
  guint64 total = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_list))) != NULL)
    gtk_list_box_remove (self->attachments_list, child);

  for (guint i = 0; i < self->attachments->len; i++)
    {
      BuzonComposeAttachment *attachment = g_ptr_array_index (self->attachments, i);
      gsize size = g_bytes_get_size (attachment->data);
      g_autofree char *size_text = g_format_size (size);
      g_autofree char *remove_label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("mail-attachment-symbolic");
      GtkWidget *button = gtk_button_new_from_icon_name ("list-remove-symbolic");

      total += size;
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), attachment->filename);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), size_text);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      /* TRANSLATORS: a button's name for screen readers: %s is a file name */
      remove_label = g_strdup_printf (_("Remove “%s”"), attachment->filename);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      remove_label, -1);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data (G_OBJECT (button), "buzon-attachment", attachment);
      g_signal_connect (button, "clicked", G_CALLBACK (remove_attachment_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      gtk_list_box_append (self->attachments_list, row);
    }

  gtk_revealer_set_reveal_child (self->attachments_revealer, self->attachments->len > 0);

  if (total > BUZON_COMPOSER_SIZE_WARNING)
    {
      g_autofree char *total_text = g_format_size (total);
      g_autofree char *warning = NULL;

      /* TRANSLATORS: %s is a size such as "23.5 MB" */
      warning = g_strdup_printf (_("The attachments come to %s. Many mail servers refuse "
                                   "messages over 20 MB."),
                                 total_text);
      gtk_label_set_text (self->size_warning, warning);
      gtk_widget_set_visible (GTK_WIDGET (self->size_warning), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->size_warning), FALSE);
}

static void
remove_attachment_clicked_cb (GtkButton     *button,
                              BuzonComposer *self)
{
  BuzonComposeAttachment *attachment = g_object_get_data (G_OBJECT (button), "buzon-attachment");

  if (g_ptr_array_remove (self->attachments, attachment))
    {
      update_attachments (self);
      schedule_autosave (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
    }
}

typedef struct
{
  GPtrArray         *files;   /* GFile */
  BuzonComposeDraft *loaded;  /* the files read, as attachments */
  GString           *errors;
} AttachJob;

static void
attach_job_free (AttachJob *job)
{
  g_ptr_array_unref (job->files);
  buzon_compose_draft_free (job->loaded);
  g_string_free (job->errors, TRUE);
  g_free (job);
}

static void
attach_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AttachJob *job = task_data;

  for (guint i = 0; i < job->files->len; i++)
    {
      GFile *file = g_ptr_array_index (job->files, i);
      g_autoptr(GError) error = NULL;

      if (buzon_compose_draft_add_attachment_from_file (job->loaded, file, cancellable,
                                                        &error) == NULL)
        {
          g_autofree char *name = g_file_get_parse_name (file);

          if (job->errors->len > 0)
            g_string_append_c (job->errors, '\n');
          /* TRANSLATORS: the first %s is a file, the second why */
          g_string_append_printf (job->errors, _("“%s” could not be attached: %s"), name,
                                  error->message);
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
attach_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  BuzonComposer *self = BUZON_COMPOSER (object);
  AttachJob *job = g_task_get_task_data (G_TASK (result));

  self->attaching--;
  /* Closed meanwhile. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self->attachments == NULL)
    return;

  for (guint i = 0; i < job->loaded->attachments->len; i++)
    g_ptr_array_add (self->attachments,
                     buzon_compose_attachment_copy (g_ptr_array_index (job->loaded->attachments,
                                                                       i)));
  if (job->loaded->attachments->len > 0)
    {
      update_attachments (self);
      schedule_autosave (self);
    }
  if (job->errors->len > 0)
    show_error (self, job->errors->str);
}

/**
 * buzon_composer_attach_files:
 * @self: a #BuzonComposer
 * @files: (array length=n_files): the files
 * @n_files: how many
 *
 * Attaches files, read on a worker thread: what the file chooser and a
 * drop of files on the window do. A file that cannot be read is said
 * inline; the others are attached.
 */
void
buzon_composer_attach_files (BuzonComposer *self,
                             GFile * const *files,
                             guint          n_files)
{
  g_autoptr(GTask) task = NULL;
  AttachJob *job;

  g_return_if_fail (BUZON_IS_COMPOSER (self));

  if (n_files == 0)
    return;

  job = g_new0 (AttachJob, 1);
  job->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (job->files, g_object_ref (files[i]));
  job->loaded = buzon_compose_draft_new ();
  job->errors = g_string_new (NULL);

  self->attaching++;
  task = g_task_new (self, self->cancellable, attach_done_cb, NULL);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_composer_attach_files));
  g_task_set_task_data (task, job, (GDestroyNotify)attach_job_free);
  g_task_run_in_thread (task, attach_worker);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         BuzonComposer *self)
{
  GdkFileList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  GSList *slist;

  if (list == NULL)
    return FALSE;

  slist = gdk_file_list_get_files (list);
  for (GSList *l = slist; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  g_slist_free (slist);

  if (files->len == 0)
    return FALSE;

  buzon_composer_attach_files (self, (GFile * const *)files->pdata, files->len);
  return TRUE;
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     BuzonComposer   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (chosen); i++)
        g_ptr_array_add (files, g_list_model_get_item (chosen, i));
      buzon_composer_attach_files (self, (GFile * const *)files->pdata, files->len);
    }

  g_clear_object (&self->chooser);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BuzonComposer *self = BUZON_COMPOSER (widget);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Drafts */

static gboolean
autosave_cb (gpointer data)
{
  BuzonComposer *self = data;
  g_autoptr(GError) error = NULL;

  self->autosave_source = 0;
  if (self->done || !self->modified)
    return G_SOURCE_REMOVE;

  /* An empty composer is not worth a draft. */
  if (!buzon_composer_has_content (self))
    return G_SOURCE_REMOVE;

  if (!buzon_composer_save_draft (self, &error) &&
      !g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
    show_error (self, error->message);

  return G_SOURCE_REMOVE;
}

static void
schedule_autosave (BuzonComposer *self)
{
  if (self->filling || self->done)
    return;

  self->modified = TRUE;
  adw_window_title_set_subtitle (self->window_title, NULL);
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->autosave_source = g_timeout_add (self->autosave_msec, autosave_cb, self);
}

static void
changed_cb (BuzonComposer *self)
{
  schedule_autosave (self);
}

static void
save_draft_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BuzonComposer *self = BUZON_COMPOSER (widget);
  g_autoptr(GError) error = NULL;

  if (!buzon_composer_save_draft (self, &error))
    show_error (self, error->message);
}

/* Send */

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BuzonComposer *self = BUZON_COMPOSER (widget);
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  BuzonAccount *account = buzon_composer_get_account (self);

  if (self->done)
    return;
  if (account == NULL)
    {
      show_error (self, _("There is no account to send the message from."));
      return;
    }
  if (self->attaching > 0)
    {
      show_error (self, _("Files are still being attached. Send again in a moment."));
      return;
    }

  draft = buzon_composer_dup_draft (self);
  result = buzon_compose_build (draft, NULL, &error);
  if (result == NULL)
    {
      show_error (self, error->message);
      if (g_error_matches (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_RECIPIENTS))
        gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
      return;
    }

  item = buzon_outbox_item_new (buzon_account_get_id (account), result->raw,
                                (const char * const *)result->recipients);
  if (self->undo_delay > 0)
    item->next_attempt = buzon_store_now () + self->undo_delay;
  if (!buzon_store_outbox_enqueue (self->store, item, &error))
    {
      show_error (self, error->message);
      return;
    }

  self->done = TRUE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  delete_saved_draft (self);

  g_signal_emit (self, signals[SIGNAL_QUEUED], 0, item->id, draft);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Closing */

static gboolean
destroy_idle_cb (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));

  return G_SOURCE_REMOVE;
}

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   BuzonComposer    *self)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "save"))
    {
      if (!buzon_composer_save_draft (self, &error))
        {
          show_error (self, error->message);
          return;
        }
    }
  else if (g_str_equal (response, "discard"))
    delete_saved_draft (self);
  else
    return;

  self->done = TRUE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  /* Not while the dialog, transient for this window, is still answering. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, destroy_idle_cb, g_object_ref (self), g_object_unref);
}

static gboolean
buzon_composer_close_request (GtkWindow *window)
{
  BuzonComposer *self = BUZON_COMPOSER (window);
  AdwMessageDialog *dialog;

  if (self->done)
    return GTK_WINDOW_CLASS (buzon_composer_parent_class)->close_request (window);

  if (!buzon_composer_has_content (self))
    {
      /* Everything was erased: no draft to keep either. */
      delete_saved_draft (self);
      self->done = TRUE;
      return GTK_WINDOW_CLASS (buzon_composer_parent_class)->close_request (window);
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save the Draft?"),
                                                       _("The message has not been sent. Save "
                                                         "it in Drafts to finish it later, or "
                                                         "discard it.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save Draft"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

/* GObject */

static void
buzon_composer_dispose (GObject *object)
{
  BuzonComposer *self = BUZON_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_COMPOSER);

  g_clear_object (&self->store);
  g_clear_object (&self->sync);
  g_clear_object (&self->accounts);
  g_clear_object (&self->saved_account);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->base, buzon_compose_draft_free);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->signature, g_free);

  G_OBJECT_CLASS (buzon_composer_parent_class)->dispose (object);
}

static void
buzon_composer_class_init (BuzonComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = buzon_composer_dispose;
  window_class->close_request = buzon_composer_close_request;

  /**
   * BuzonComposer::queued:
   * @item_id: the outbox item
   * @draft: (type gpointer): the draft it was built from, owned by the
   *   composer (copy it to keep it)
   *
   * The message is in the outbox; the composer closes next.
   */
  signals[SIGNAL_QUEUED] =
    g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/buzon-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, window_title);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, error_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, from_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, from_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, to_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, cc_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, cc_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, bcc_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, subject_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, body_view);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, size_warning);
  gtk_widget_class_bind_template_child (widget_class, BuzonComposer, attachments_list);
  gtk_widget_class_bind_template_callback (widget_class, on_error_close_clicked_cb);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "composer.save-draft", NULL, save_draft_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "composer.save-draft", NULL);
}

static void
buzon_composer_init (BuzonComposer *self)
{
  GtkDropTarget *drop;
  GtkEventController *shortcuts;
  GtkShortcut *send;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_compose_attachment_free);
  self->base = buzon_compose_draft_new ();
  self->autosave_msec = DEFAULT_AUTOSAVE_MSEC;
  self->undo_delay = 5;

  /* Ctrl+Enter sends from any field, also the text (which would take a
   * plain Enter): in the capture phase, before the focused widget. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  send = gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                           gtk_named_action_new ("composer.send"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), send);
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  /* GTK 4.8 leaves the drop-down's own button unnamed for screen readers. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->from_dropdown));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("From"), -1);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->to_entry, "changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cc_entry, "changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->bcc_entry, "changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->subject_entry, "changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->body_view), "changed",
                           G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
}

/* Public API */

static void
set_entry (GtkEntry   *entry,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
}

/* From: a dropdown of the accounts when there are several, else a label.
 * The accounts may still be loading when the composer opens (a mailto:
 * link at start-up): it follows the model. */
static void
update_from (BuzonComposer *self,
             const char    *want_address,
             gint64         want_id)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint n = g_list_model_get_n_items (self->accounts);
  guint selected = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonAccount) item = g_list_model_get_item (self->accounts, i);
      g_autofree char *label = account_label (item);

      gtk_string_list_append (labels, label);
      if (want_address != NULL &&
          g_ascii_strcasecmp (want_address, buzon_account_get_address (item)) == 0)
        {
          selected = i;
          want_id = -1;
        }
      else if (want_id > 0 && buzon_account_get_id (item) == want_id)
        selected = i;
    }
  gtk_drop_down_set_model (self->from_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->from_dropdown, selected);
  gtk_widget_set_visible (GTK_WIDGET (self->from_dropdown), n > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->from_label), n <= 1);
  if (n == 1)
    gtk_label_set_text (self->from_label, gtk_string_list_get_string (labels, 0));
  else if (n == 0)
    gtk_label_set_text (self->from_label, _("No account"));
}

static void
accounts_changed_cb (BuzonComposer *self)
{
  BuzonAccount *account;

  if (self->accounts == NULL || self->from_dropdown == NULL)
    return;

  account = buzon_composer_get_account (self);

  if (account != NULL)
    update_from (self, NULL, buzon_account_get_id (account));
  else
    update_from (self, self->base->from_address, 0);
}

static void
fill (BuzonComposer           *self,
      BuzonAccount            *account,
      const BuzonComposeDraft *draft)
{
  self->filling = TRUE;

  update_from (self, draft != NULL ? draft->from_address : NULL,
               account != NULL ? buzon_account_get_id (account) : 0);

  if (draft != NULL)
    {
      buzon_compose_draft_free (self->base);
      self->base = buzon_compose_draft_copy (draft);
      g_ptr_array_set_size (self->base->attachments, 0);
      for (guint i = 0; draft->attachments != NULL && i < draft->attachments->len; i++)
        g_ptr_array_add (self->attachments,
                         buzon_compose_attachment_copy (g_ptr_array_index (draft->attachments, i)));

      set_entry (self->to_entry, draft->to);
      set_entry (self->cc_entry, draft->cc);
      set_entry (self->bcc_entry, draft->bcc);
      set_entry (self->subject_entry, draft->subject);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view),
                                draft->body != NULL ? draft->body : "", -1);
      gtk_toggle_button_set_active (self->cc_button,
                                    (draft->cc != NULL && draft->cc[0] != '\0') ||
                                    (draft->bcc != NULL && draft->bcc[0] != '\0'));
      if (draft->subject != NULL && draft->subject[0] != '\0')
        gtk_window_set_title (GTK_WINDOW (self), draft->subject);
      update_attachments (self);
    }

  self->filling = FALSE;
}

/**
 * buzon_composer_new:
 * @application: (nullable): the application, which then stays while the
 *   composer is open
 * @store: the store: the outbox and the Drafts folders
 * @sync: (nullable): kicked when a draft changes on an IMAP account
 * @accounts: the accounts to send from (#BuzonAccount items)
 * @account: (nullable): the one to choose in From, unless @draft names
 *   another one's address
 * @draft: (nullable): what to start from (a reply, a forward, a mailto:
 *   link, a draft taken back)
 *
 * Returns: (transfer full): a new composer, not shown yet
 */
BuzonComposer *
buzon_composer_new (GtkApplication          *application,
                    BuzonStore              *store,
                    BuzonSyncManager        *sync,
                    GListModel              *accounts,
                    BuzonAccount            *account,
                    const BuzonComposeDraft *draft)
{
  BuzonComposer *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);

  self = g_object_new (BUZON_TYPE_COMPOSER, "application", application, NULL);
  self->store = g_object_ref (store);
  g_set_object (&self->sync, sync);
  self->accounts = g_object_ref (accounts);
  fill (self, account, draft);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* The people of the mail here, as addresses are typed. */
  buzon_address_completion_attach (self->to_entry, store, 0);
  buzon_address_completion_attach (self->cc_entry, store, 0);
  buzon_address_completion_attach (self->bcc_entry, store, 0);

  if (draft == NULL || draft->to == NULL || draft->to[0] == '\0')
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->to_entry));
  else
    buzon_composer_focus_body_start (self);

  return self;
}

/**
 * buzon_composer_dup_draft:
 * @self: a #BuzonComposer
 *
 * Returns: (transfer full): the message as written so far
 */
BuzonComposeDraft *
buzon_composer_dup_draft (BuzonComposer *self)
{
  BuzonComposeDraft *draft;
  BuzonAccount *account;

  g_return_val_if_fail (BUZON_IS_COMPOSER (self), NULL);

  draft = buzon_compose_draft_copy (self->base);
  account = buzon_composer_get_account (self);
  if (account != NULL)
    buzon_compose_draft_set_from (draft, buzon_account_get_display_name (account),
                                  buzon_account_get_address (account));

  g_free (draft->to);
  draft->to = entry_text (self->to_entry);
  g_free (draft->cc);
  draft->cc = entry_text (self->cc_entry);
  g_free (draft->bcc);
  draft->bcc = entry_text (self->bcc_entry);
  g_free (draft->subject);
  draft->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)));
  g_free (draft->body);
  draft->body = body_text (self);

  g_ptr_array_set_size (draft->attachments, 0);
  for (guint i = 0; i < self->attachments->len; i++)
    g_ptr_array_add (draft->attachments,
                     buzon_compose_attachment_copy (g_ptr_array_index (self->attachments, i)));

  return draft;
}

/**
 * buzon_composer_has_content:
 * @self: a #BuzonComposer
 *
 * Returns: whether anything was written or attached (what closing asks
 *   about)
 */
gboolean
buzon_composer_has_content (BuzonComposer *self)
{
  g_autofree char *body = NULL;
  GtkEntry *entries[] = { self->to_entry, self->cc_entry, self->bcc_entry, self->subject_entry };

  g_return_val_if_fail (BUZON_IS_COMPOSER (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autofree char *text = entry_text (entries[i]);

      if (text != NULL)
        return TRUE;
    }

  body = body_text (self);
  g_strstrip (body);

  /* The signature alone is not something written. */
  if (self->signature != NULL)
    {
      g_autofree char *signature = g_strstrip (g_strdup (self->signature));

      if (g_str_equal (body, signature))
        body[0] = '\0';
    }

  return body[0] != '\0' || self->attachments->len > 0 || self->base->forwarded != NULL;
}

/**
 * buzon_composer_set_undo_delay:
 * @self: a #BuzonComposer
 * @seconds: how long a sent message waits in the outbox, to be taken back
 */
void
buzon_composer_set_undo_delay (BuzonComposer *self,
                               guint          seconds)
{
  g_return_if_fail (BUZON_IS_COMPOSER (self));

  self->undo_delay = seconds;
}

/**
 * buzon_composer_set_autosave_delay:
 * @self: a #BuzonComposer
 * @msec: how long after the last change the draft is saved
 */
void
buzon_composer_set_autosave_delay (BuzonComposer *self,
                                   guint          msec)
{
  g_return_if_fail (BUZON_IS_COMPOSER (self));

  self->autosave_msec = msec;
}

/**
 * buzon_composer_set_saved_draft:
 * @self: a #BuzonComposer
 * @message_id: the message in a Drafts folder the composer was opened
 *   from, replaced by the next save and deleted when sent
 */
void
buzon_composer_set_saved_draft (BuzonComposer *self,
                                gint64         message_id)
{
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonFolder) folder = NULL;

  g_return_if_fail (BUZON_IS_COMPOSER (self));

  self->saved_draft = message_id;
  g_clear_object (&self->saved_account);
  summary = message_id != 0 ? buzon_store_get_message (self->store, message_id, NULL) : NULL;
  if (summary != NULL)
    folder = buzon_store_get_folder (self->store, summary->folder_id, NULL);
  for (guint i = 0; folder != NULL && i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(BuzonAccount) account = g_list_model_get_item (self->accounts, i);

      if (buzon_account_get_id (account) == folder->account_id)
        self->saved_account = g_steal_pointer (&account);
    }
}

/**
 * buzon_composer_get_saved_draft:
 * @self: a #BuzonComposer
 *
 * Returns: the id of the draft's copy in Drafts, 0 when none was saved
 */
gint64
buzon_composer_get_saved_draft (BuzonComposer *self)
{
  g_return_val_if_fail (BUZON_IS_COMPOSER (self), 0);

  return self->saved_draft;
}

/**
 * buzon_composer_save_draft:
 * @self: a #BuzonComposer
 * @error: return location for a #GError
 *
 * Saves the message as written into the account's Drafts folder (\Seen
 * \Draft), and deletes the copy saved before for good.
 *
 * Returns: %TRUE on success; %BUZON_STORE_ERROR_NOT_FOUND when the account
 *   has no Drafts folder
 */
gboolean
buzon_composer_save_draft (BuzonComposer  *self,
                           GError        **error)
{
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(BuzonFolder) drafts = NULL;
  g_autoptr(GBytes) raw = NULL;
  BuzonAccount *account;
  gint64 id = 0;

  g_return_val_if_fail (BUZON_IS_COMPOSER (self), FALSE);

  account = buzon_composer_get_account (self);
  if (account == NULL)
    {
      g_set_error_literal (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                           _("There is no account to keep the draft in."));
      return FALSE;
    }

  drafts = find_drafts (self, account);
  if (drafts == NULL)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                   /* TRANSLATORS: %s is an account's name */
                   _("The account “%s” has no Drafts folder, so the draft cannot be saved."),
                   buzon_account_get_name (account));
      return FALSE;
    }

  draft = buzon_composer_dup_draft (self);
  raw = buzon_compose_build_draft (draft, error);
  if (raw == NULL)
    return FALSE;

  if (!buzon_mail_ops_append (self->store, account, drafts->id, raw,
                              BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_DRAFT, &id, error))
    return FALSE;

  delete_saved_draft (self);
  self->saved_draft = id;
  g_set_object (&self->saved_account, account);
  self->modified = FALSE;
  kick (self, account);
  adw_window_title_set_subtitle (self->window_title, _("Draft saved"));

  return TRUE;
}

/**
 * buzon_composer_get_n_attachments:
 * @self: a #BuzonComposer
 *
 * Returns: how many files are attached
 */
guint
buzon_composer_get_n_attachments (BuzonComposer *self)
{
  g_return_val_if_fail (BUZON_IS_COMPOSER (self), 0);

  return self->attachments->len;
}

/**
 * buzon_composer_get_attaching:
 * @self: a #BuzonComposer
 *
 * Returns: whether files are being read to be attached
 */
gboolean
buzon_composer_get_attaching (BuzonComposer *self)
{
  g_return_val_if_fail (BUZON_IS_COMPOSER (self), FALSE);

  return self->attaching > 0;
}

/**
 * buzon_composer_insert_signature:
 * @self: a #BuzonComposer
 *
 * Puts the From account's signature into the body, after the "-- " line
 * readers know: below an empty body (a new message), or above the quoted
 * text of a reply or forward, where the cursor starts. Nothing when the
 * account has none. Call once, for a message begun now (not a draft taken
 * up again).
 */
void
buzon_composer_insert_signature (BuzonComposer *self)
{
  BuzonAccount *account;
  const char *signature;
  g_autofree char *block = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start;

  g_return_if_fail (BUZON_IS_COMPOSER (self));

  account = buzon_composer_get_account (self);
  signature = account != NULL ? buzon_account_get_signature (account) : NULL;
  if (signature == NULL)
    return;

  buffer = gtk_text_view_get_buffer (self->body_view);
  block = gtk_text_buffer_get_char_count (buffer) > 0
          ? g_strdup_printf ("\n\n-- \n%s\n\n", signature)
          : g_strdup_printf ("\n\n-- \n%s", signature);

  g_free (self->signature);
  self->signature = g_strdup (block);
  self->filling = TRUE;
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_insert (buffer, &start, block, -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  self->filling = FALSE;
}

/**
 * buzon_composer_focus_body_start:
 * @self: a #BuzonComposer
 *
 * Puts the cursor at the start of the text: a reply is written above the
 * quote.
 */
void
buzon_composer_focus_body_start (BuzonComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;

  g_return_if_fail (BUZON_IS_COMPOSER (self));

  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->body_view));
  gtk_text_view_scroll_to_iter (self->body_view, &start, 0, FALSE, 0, 0);
}
