/* buzon-window-compose.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Writing from the main window: the win.* actions that open a composer (a
 * new message, Ctrl+N; a reply, Ctrl+R; a reply to all, Ctrl+Shift+R; a
 * forward, Ctrl+L; a message of a Drafts folder, activated), mailto:
 * links, and what happens to a message once its composer sent it: a
 * toast with Undo for the undo-send-delay (which takes it back out of the
 * outbox and opens a composer with the very same draft), "Message sent"
 * when the server took it, and the reason when the server refused it.
 *
 * The state lives on the window as object data, so BuzonWindow's own
 * files only register these actions and call in here. */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-window-compose.h"
#include "buzon-window-private.h"

/* GMime 3.2 has no autoptr support of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

#define STATE_KEY "buzon-window-compose"
#define DEFAULT_UNDO_DELAY 5

typedef enum
{
  START_REPLY,
  START_REPLY_ALL,
  START_FORWARD,
  START_FORWARD_ATTACHMENT,
  START_DRAFT,
} StartKind;

/* A message this window queued. */
typedef struct
{
  gint64             item_id;
  BuzonComposeDraft *draft;      /* until Undo is no longer possible */
  char              *subject;
  AdwToast          *toast;      /* (weak) */
} Pending;

typedef struct
{
  GHashTable   *pending;         /* gint64 * item id → Pending */
  GCancellable *cancellable;
} ComposeState;

static void
pending_free (Pending *pending)
{
  if (pending->toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (pending->toast), (gpointer *)&pending->toast);
  g_clear_pointer (&pending->draft, buzon_compose_draft_free);
  g_free (pending->subject);
  g_free (pending);
}

static void
compose_state_free (ComposeState *state)
{
  g_cancellable_cancel (state->cancellable);
  g_clear_object (&state->cancellable);
  g_hash_table_unref (state->pending);
  g_free (state);
}

static ComposeState *
get_state (BuzonWindow *self)
{
  ComposeState *state = g_object_get_data (G_OBJECT (self), STATE_KEY);

  if (state == NULL)
    {
      state = g_new0 (ComposeState, 1);
      state->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify)pending_free);
      state->cancellable = g_cancellable_new ();
      g_object_set_data_full (G_OBJECT (self), STATE_KEY, state,
                              (GDestroyNotify)compose_state_free);
    }

  return state;
}

static void
toast (BuzonWindow *self,
       const char  *text)
{
  buzon_window_add_toast (self, adw_toast_new (text));
}

static guint
undo_delay (BuzonWindow *self)
{
  return self->settings != NULL ? g_settings_get_uint (self->settings, "undo-send-delay")
                                : DEFAULT_UNDO_DELAY;
}

static BuzonAccount *
default_account (BuzonWindow *self)
{
  g_autoptr(BuzonAccount) first = NULL;

  if (self->account != NULL)
    return self->account;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    return NULL;

  /* The list store keeps it. */
  first = g_list_model_get_item (G_LIST_MODEL (self->accounts), 0);
  return first;
}

/* After the composer sent */

static void
pending_toast_dismissed_cb (AdwToast    *dismissed,
                            BuzonWindow *self)
{
  ComposeState *state = get_state (self);
  GHashTableIter iter;
  Pending *pending;

  /* Undo is gone with the toast: the draft is no longer needed. */
  g_hash_table_iter_init (&iter, state->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&pending))
    if (pending->toast == dismissed)
      g_clear_pointer (&pending->draft, buzon_compose_draft_free);
}

static void
composer_queued_cb (BuzonWindow             *self,
                    gint64                   item_id,
                    const BuzonComposeDraft *draft)
{
  ComposeState *state = get_state (self);
  Pending *pending = g_new0 (Pending, 1);
  guint delay = undo_delay (self);
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  AdwToast *sending;

  pending->item_id = item_id;
  pending->subject = g_strdup (draft->subject);
  g_hash_table_insert (state->pending, g_memdup2 (&item_id, sizeof item_id), pending);

  sending = adw_toast_new (g_network_monitor_get_network_available (monitor)
                             ? _("Sending…")
                             : _("Message queued: it is sent when Buzón is online"));
  if (delay > 0)
    {
      pending->draft = buzon_compose_draft_copy (draft);
      adw_toast_set_button_label (sending, _("_Undo"));
      adw_toast_set_action_name (sending, "win.undo-send");
      adw_toast_set_action_target_value (sending, g_variant_new_int64 (item_id));
      adw_toast_set_timeout (sending, delay);
      adw_toast_set_priority (sending, ADW_TOAST_PRIORITY_HIGH);
      pending->toast = sending;
      g_object_add_weak_pointer (G_OBJECT (sending), (gpointer *)&pending->toast);
      g_signal_connect_object (sending, "dismissed", G_CALLBACK (pending_toast_dismissed_cb),
                               self, 0);
    }

  buzon_window_add_toast (self, sending);
}

static BuzonComposer *
open_composer (BuzonWindow             *self,
               BuzonAccount            *account,
               const BuzonComposeDraft *draft)
{
  BuzonComposer *composer;

  if (self->store == NULL)
    {
      toast (self, _("Messages cannot be written while the mail store cannot be opened."));
      return NULL;
    }

  composer = buzon_composer_new (gtk_window_get_application (GTK_WINDOW (self)), self->store,
                                 self->sync, G_LIST_MODEL (self->accounts),
                                 account != NULL ? account : default_account (self), draft);
  buzon_composer_set_undo_delay (composer, undo_delay (self));
  g_signal_connect_object (composer, "queued", G_CALLBACK (composer_queued_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (composer));

  return composer;
}

static void
undo_send_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  ComposeState *state = get_state (self);
  gint64 item_id = g_variant_get_int64 (parameter);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  Pending *pending;

  if (self->store == NULL)
    return;

  pending = g_hash_table_lookup (state->pending, &item_id);
  /* The very draft, attachments and all (dismissing the toast drops it);
   * parsing the queued message back is only for one whose draft is gone. */
  if (pending != NULL && pending->draft != NULL)
    draft = buzon_compose_draft_copy (pending->draft);
  if (pending != NULL && pending->toast != NULL)
    adw_toast_dismiss (pending->toast);

  item = buzon_store_outbox_take_back (self->store, item_id, &error);
  if (item == NULL)
    {
      toast (self, _("It is too late to undo: the message is being sent."));
      return;
    }

  if (draft == NULL)
    {
      g_autoptr(GMimeMessage) message = buzon_compose_parse_message (item->raw);

      if (message != NULL)
        draft = buzon_compose_draft_new_from_message (message);
    }
  g_hash_table_remove (state->pending, &item_id);

  open_composer (self, _buzon_window_find_account (self, item->account_id), draft);
}

static void
outbox_sent_cb (BuzonOutboxScheduler  *scheduler,
                gint64                 account_id,
                gint64                 item_id,
                char                 **rejected,
                BuzonWindow           *self)
{
  ComposeState *state = get_state (self);

  if (!g_hash_table_contains (state->pending, &item_id))
    return;

  if (rejected != NULL && rejected[0] != NULL)
    {
      g_autofree char *who = g_strjoinv (", ", rejected);
      g_autofree char *text = NULL;

      /* TRANSLATORS: %s is one or more addresses */
      text = g_strdup_printf (_("Message sent, but the server refused it for %s"), who);
      toast (self, text);
    }
  else
    toast (self, _("Message sent"));

  g_hash_table_remove (state->pending, &item_id);
}

static void
outbox_failed_cb (BuzonOutboxScheduler *scheduler,
                  gint64                account_id,
                  gint64                item_id,
                  const char           *message,
                  gboolean              permanent,
                  BuzonWindow          *self)
{
  ComposeState *state = get_state (self);
  Pending *pending;
  g_autofree char *text = NULL;
  AdwToast *failed;

  /* A delay (no network, a busy server) is tried again by itself. */
  if (!permanent)
    return;

  pending = g_hash_table_lookup (state->pending, &item_id);
  if (pending != NULL && pending->subject != NULL && pending->subject[0] != '\0')
    /* TRANSLATORS: the first %s is the message's subject, the second why */
    text = g_strdup_printf (_("“%s” was not sent: %s"), pending->subject, message);
  else
    /* TRANSLATORS: %s is why */
    text = g_strdup_printf (_("A message was not sent: %s"), message);

  failed = adw_toast_new (text);
  adw_toast_set_priority (failed, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (failed, _("_Edit"));
  adw_toast_set_action_name (failed, "win.edit-refused");
  adw_toast_set_action_target_value (failed, g_variant_new_int64 (item_id));
  /* It stays until read: the message waits in the outbox. */
  adw_toast_set_timeout (failed, 0);
  buzon_window_add_toast (self, failed);

  g_hash_table_remove (state->pending, &item_id);
}

/* Starting from a message */

typedef struct
{
  BuzonWindow *self;
  StartKind    kind;
  gint64       account_id;
  gint64       message_id;
} StartRequest;

static void
start_with_raw (BuzonWindow  *self,
                StartKind     kind,
                BuzonAccount *account,
                gint64        message_id,
                GBytes       *raw)
{
  g_autoptr(GMimeMessage) message = buzon_compose_parse_message (raw);
  g_autoptr(BuzonComposeDraft) draft = NULL;
  const char *address = buzon_account_get_address (account);
  const char *own[] = { address, NULL };
  const char *name = buzon_account_get_display_name (account);
  BuzonComposer *composer;

  if (message == NULL)
    {
      toast (self, _("The message cannot be read, so it cannot be answered."));
      return;
    }

  switch (kind)
    {
    case START_REPLY:
    case START_REPLY_ALL:
      draft = buzon_compose_reply (message,
                                   kind == START_REPLY ? BUZON_COMPOSE_REPLY
                                                       : BUZON_COMPOSE_REPLY_ALL,
                                   own, name, address);
      break;
    case START_FORWARD:
      draft = buzon_compose_forward (message, BUZON_COMPOSE_FORWARD_INLINE, name, address);
      break;
    case START_FORWARD_ATTACHMENT:
      draft = buzon_compose_forward (message, BUZON_COMPOSE_FORWARD_ATTACHMENT, name, address);
      break;
    case START_DRAFT:
    default:
      draft = buzon_compose_draft_new_from_message (message);
      break;
    }

  composer = open_composer (self, account, draft);
  if (composer == NULL)
    return;
  if (kind != START_DRAFT)
    buzon_composer_insert_signature (composer);
  if (kind == START_REPLY || kind == START_REPLY_ALL)
    buzon_composer_focus_body_start (composer);
  else if (kind == START_DRAFT)
    buzon_composer_set_saved_draft (composer, message_id);
}

static void
start_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  StartRequest *request = user_data;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  BuzonAccount *account;

  raw = buzon_sync_manager_fetch_body_finish (BUZON_SYNC_MANAGER (object), result, &error);
  account = _buzon_window_find_account (request->self, request->account_id);
  if (raw == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (request->self, error->message);
    }
  else if (account != NULL)
    start_with_raw (request->self, request->kind, account, request->message_id, raw);

  g_object_unref (request->self);
  g_free (request);
}

static void
start_from_message (BuzonWindow *self,
                    StartKind    kind,
                    gint64       message_id)
{
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GBytes) raw = NULL;
  BuzonAccount *account = NULL;
  StartRequest *request;

  if (self->store == NULL || message_id <= 0)
    return;

  summary = buzon_store_get_message (self->store, message_id, NULL);
  if (summary != NULL)
    folder = buzon_store_get_folder (self->store, summary->folder_id, NULL);
  if (folder != NULL)
    account = _buzon_window_find_account (self, folder->account_id);
  if (account == NULL)
    {
      toast (self, _("The message is no longer in this folder."));
      return;
    }

  raw = buzon_store_get_body (self->store, message_id, NULL);
  if (raw != NULL)
    {
      start_with_raw (self, kind, account, message_id, raw);
      return;
    }

  if (self->sync == NULL)
    {
      toast (self, _("The message is not downloaded, and Buzón is not connected to its "
                     "server."));
      return;
    }

  request = g_new0 (StartRequest, 1);
  request->self = g_object_ref (self);
  request->kind = kind;
  request->account_id = folder->account_id;
  request->message_id = message_id;
  buzon_sync_manager_fetch_body_async (self->sync, folder->account_id, message_id,
                                       get_state (self)->cancellable, start_fetched_cb, request);
}

static void
start_from_selection (BuzonWindow *self,
                      StartKind    kind)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);

  if (ids->len > 0)
    start_from_message (self, kind, g_array_index (ids, gint64, 0));
}

static void
compose_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  BuzonComposer *composer;

  if (self->store != NULL && default_account (self) == NULL)
    {
      toast (self, _("Add a mail account first: there is none to send from."));
      return;
    }
  composer = open_composer (self, NULL, NULL);
  if (composer != NULL)
    buzon_composer_insert_signature (composer);
}

static void
reply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_from_selection (BUZON_WINDOW (widget), START_REPLY);
}

static void
reply_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  start_from_selection (BUZON_WINDOW (widget), START_REPLY_ALL);
}

static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start_from_selection (BUZON_WINDOW (widget), START_FORWARD);
}

static void
forward_attachment_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  start_from_selection (BUZON_WINDOW (widget), START_FORWARD_ATTACHMENT);
}

/* A message the server refused for good, taken out of the outbox into a
 * composer to be put right and sent again; it goes into Drafts at once, so
 * closing the composer loses nothing. */
static void
edit_refused_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  gint64 item_id = g_variant_get_int64 (parameter);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  BuzonComposer *composer;

  if (self->store == NULL)
    return;

  item = buzon_store_outbox_get (self->store, item_id, &error);
  if (item == NULL || item->state != BUZON_OUTBOX_STATE_FAILED)
    {
      toast (self, _("The message is no longer waiting in the outbox."));
      return;
    }

  message = buzon_compose_parse_message (item->raw);
  if (message != NULL)
    draft = buzon_compose_draft_new_from_message (message);
  composer = open_composer (self, _buzon_window_find_account (self, item->account_id), draft);
  if (composer == NULL)
    return;

  if (!buzon_composer_save_draft (composer, &error))
    {
      g_debug ("The refused message stays in the outbox: %s", error->message);
      return;
    }
  if (!buzon_store_outbox_remove (self->store, item_id, &error))
    g_debug ("Could not take the refused message out of the outbox: %s", error->message);
}

/* A message of a Drafts folder, activated in the list: on with writing it. */
static void
message_activated_cb (BuzonWindow *self,
                      guint        position)
{
  if (self->folder == NULL || self->folder->special_use != BUZON_SPECIAL_USE_DRAFTS ||
      self->messages == NULL)
    return;

  start_from_message (self, START_DRAFT, buzon_message_list_get_id_at (self->messages, position));
}

/* Public API */

/**
 * buzon_window_compose:
 * @self: a #BuzonWindow
 * @draft: (nullable): what to start from
 *
 * Opens a composer, from the folder's account (or the first one).
 *
 * Returns: (transfer none) (nullable): the composer, %NULL when there is no
 *   store to send through
 */
BuzonComposer *
buzon_window_compose (BuzonWindow             *self,
                      const BuzonComposeDraft *draft)
{
  g_return_val_if_fail (BUZON_IS_WINDOW (self), NULL);

  return open_composer (self, NULL, draft);
}

/**
 * buzon_window_compose_mailto:
 * @self: a #BuzonWindow
 * @uri: a mailto: URI (RFC 6068)
 *
 * Opens a composer filled from an e-mail link; a link that is not one is
 * said in a toast.
 */
void
buzon_window_compose_mailto (BuzonWindow *self,
                             const char  *uri)
{
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  BuzonComposer *composer;

  g_return_if_fail (BUZON_IS_WINDOW (self));
  g_return_if_fail (uri != NULL);

  draft = buzon_compose_draft_new_from_mailto (uri, &error);
  if (draft == NULL)
    {
      AdwToast *bad = adw_toast_new (error->message);

      /* The answer to the click just made: before older news. */
      adw_toast_set_priority (bad, ADW_TOAST_PRIORITY_HIGH);
      buzon_window_add_toast (self, bad);
      return;
    }

  composer = open_composer (self, NULL, draft);
  if (composer != NULL)
    buzon_composer_insert_signature (composer);
}

/**
 * _buzon_window_update_compose_actions:
 *
 * Reply, Reply All and Forward act on the (first) selected message.
 */
void
_buzon_window_update_compose_actions (BuzonWindow *self)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  gboolean any = ids->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reply-all", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.forward-attachment", any);
}

/**
 * _buzon_window_add_compose_menu_section:
 * @menu: the message list's context menu
 *
 * Adds Reply, Reply to All and Forward to it.
 */
void
_buzon_window_add_compose_menu_section (GMenu *menu)
{
  g_autoptr(GMenu) section = g_menu_new ();

  g_menu_append (section, _("_Reply"), "win.reply");
  g_menu_append (section, _("Reply to _All"), "win.reply-all");
  g_menu_append (section, _("_Forward"), "win.forward");
  g_menu_append (section, _("Forward as Attac_hment"), "win.forward-attachment");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
}

void
_buzon_window_init_compose (BuzonWindow *self)
{
  get_state (self);

  g_signal_connect_object (self->message_view, "activate", G_CALLBACK (message_activated_cb),
                           self, G_CONNECT_SWAPPED);

  if (self->sync != NULL)
    {
      BuzonOutboxScheduler *outbox = buzon_sync_manager_get_outbox (self->sync);

      g_signal_connect_object (outbox, "sent", G_CALLBACK (outbox_sent_cb), self, 0);
      g_signal_connect_object (outbox, "failed", G_CALLBACK (outbox_failed_cb), self, 0);
    }

  _buzon_window_update_compose_actions (self);
}

void
_buzon_window_class_init_compose (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.compose", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "win.reply", NULL, reply_action);
  gtk_widget_class_install_action (widget_class, "win.reply-all", NULL, reply_all_action);
  gtk_widget_class_install_action (widget_class, "win.forward", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.forward-attachment", NULL,
                                   forward_attachment_action);
  gtk_widget_class_install_action (widget_class, "win.edit-refused", "x", edit_refused_action);
  gtk_widget_class_install_action (widget_class, "win.undo-send", "x", undo_send_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.compose", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.reply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.reply-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.forward", NULL);
}
