/* test-window-mail.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real window on the real Dovecot, as a new user meets it: the demo
 * account (folders, threads, HTML, attachments) is added with the server's
 * certificate not trusted yet, so the first thing seen is the banner; Review
 * and Trust start the sync, and the folders and messages appear. Then what
 * people do all day, each checked on the server through an independent IMAP
 * session (build-aux/test-servers state): reading marks read, a message
 * dropped onto a folder moves there and Undo brings it back, a folder dropped
 * onto another becomes its subfolder and Undo renames it back, Delete moves
 * to Trash, the search finds a word of a body, and mail sent over SMTP while
 * the window is open raises a desktop notification (caught by a
 * notification server of the test's own on the session bus). Screenshots
 * (light, dark, narrow, Spanish) go to the build dir, and a 100,000-message
 * folder, generated into Dovecot, opens with its first rows; the time to
 * them is printed, not asserted.
 *
 * The drops are driven through the sidebar's own GtkDropTarget with the
 * value a drag from the message list carries (what GTK hands the target
 * after a real pointer drag).
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "buzon-account.h"
#include "buzon-certificate.h"
#include "buzon-dnd.h"
#include "buzon-message-list.h"
#include "buzon-sidebar.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"
#include "buzon-test-ui.h"
#include "buzon-test-store.h"

#include "buzon-address-completion.h"
#include "buzon-application.h"
#include "buzon-composer-private.h"
#include "buzon-reader.h"
#include "buzon-window.h"

#define DEMO "demo@example.test"
#define WAIT_SECONDS 60

static BuzonApplication *app;
static BuzonTestServers *servers;
static char *data_home;
static gboolean big_tests;

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
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
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
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_LABEL (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static GtkWidget *
find_of_type (GtkWidget *root,
              GType      type)
{
  return find_widget (root, is_of_type, GSIZE_TO_POINTER (type));
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return find_widget (wait->root, is_label_with_text, wait->text) != NULL;
}

static void
assert_label_shown (GtkWidget  *root,
                    const char *text)
{
  LabelWait wait = { root, text };

  if (!wait_for (label_shown, &wait))
    g_error ("“%s” was not shown", text);
}

/* The row of the sidebar showing @name: the widget that has a drop target
 * and a label with that text inside. */
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

static void
drop_on (BuzonWindow  *window,
         const char   *name,
         const GValue *value)
{
  GtkWidget *sidebar = find_of_type (GTK_WIDGET (window), BUZON_TYPE_SIDEBAR);
  GtkDropTarget *target = find_drop_target (sidebar, name, G_VALUE_TYPE (value));
  gboolean accepted = FALSE;

  if (target == NULL)
    g_error ("no drop target for “%s” in the sidebar", name);
  g_signal_emit_by_name (target, "drop", value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
}

/* --- the app --- */

static BuzonWindow *
get_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      return l->data;

  g_application_activate (G_APPLICATION (app));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      return l->data;

  g_assert_not_reached ();
}

static BuzonStore *
store (void)
{
  return buzon_application_get_store (app);
}

static BuzonAccount *
demo_account (void)
{
  g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store (), "Marta", NULL);

  g_assert_nonnull (account);
  return g_steal_pointer (&account);
}

static BuzonFolder *
demo_folder (const char *name)
{
  g_autoptr(BuzonAccount) account = demo_account ();

  return buzon_store_lookup_folder (store (), buzon_account_get_id (account), name, NULL);
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
  const char *folder;
  guint       at_least;
} ListWait;

static gboolean
list_shows (gpointer data)
{
  ListWait *wait = data;
  BuzonMessageList *list = message_list ();
  g_autoptr(BuzonFolder) folder = NULL;

  if (list == NULL || buzon_message_list_get_loading (list))
    return FALSE;
  if (wait->folder != NULL)
    {
      folder = demo_folder (wait->folder);
      if (folder == NULL || buzon_message_list_get_folder_id (list) != folder->id)
        return FALSE;
    }

  return g_list_model_get_n_items (G_LIST_MODEL (list)) >= wait->at_least;
}

static void
open_folder (const char *name,
             guint       at_least)
{
  g_autoptr(BuzonFolder) folder = NULL;
  ListWait wait = { name, at_least };
  GtkWidget *sidebar = find_of_type (GTK_WIDGET (get_window ()), BUZON_TYPE_SIDEBAR);

  folder = demo_folder (name);
  g_assert_nonnull (folder);
  g_assert_true (buzon_sidebar_select_folder (BUZON_SIDEBAR (sidebar), folder->id));
  if (!wait_for (list_shows, &wait))
    g_error ("the folder %s did not show %u messages", name, at_least);
}

/* Selects the message with @subject in the list shown; returns its id. */
static gint64
select_subject (const char *subject)
{
  BuzonMessageList *list = message_list ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonMessageSummary) summary = NULL;

      summary = buzon_store_get_message (store (), buzon_message_list_get_id_at (list, i), NULL);
      if (summary != NULL && g_strcmp0 (summary->subject, subject) == 0)
        {
          gtk_selection_model_select_item (gtk_list_view_get_model (message_view ()), i, TRUE);
          return summary->id;
        }
    }

  g_error ("no message “%s” in the list", subject);
}

/* --- the server --- */

/* The server's record of the message with @subject in @mailbox, or NULL. */
static JsonObject *
server_message (JsonNode   *state,
                const char *mailbox,
                const char *subject)
{
  JsonObject *box = buzon_test_state_get_mailbox (state, mailbox);
  JsonArray *messages;

  if (box == NULL)
    return NULL;
  messages = json_object_get_array_member (box, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member (message, "subject"), subject) == 0)
        return message;
    }

  return NULL;
}

typedef struct
{
  const char *mailbox;
  const char *subject;
  const char *flag;     /* and has this flag, if set */
  gboolean    present;
} ServerWait;

static gboolean
server_has (gpointer data)
{
  ServerWait *wait = data;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *message;

  state = buzon_test_servers_get_state (servers, DEMO, NULL, FALSE, &error);
  g_assert_no_error (error);
  message = server_message (state, wait->mailbox, wait->subject);
  if (!wait->present)
    return message == NULL;
  if (message == NULL)
    return FALSE;
  if (wait->flag != NULL)
    {
      JsonArray *flags = json_object_get_array_member (message, "flags");

      for (guint i = 0; i < json_array_get_length (flags); i++)
        if (g_strcmp0 (json_array_get_string_element (flags, i), wait->flag) == 0)
          return TRUE;
      return FALSE;
    }

  return TRUE;
}

static void
assert_on_server (const char *mailbox,
                  const char *subject,
                  const char *flag)
{
  ServerWait wait = { mailbox, subject, flag, TRUE };

  if (!wait_for (server_has, &wait))
    g_error ("“%s” is not in %s on the server%s%s", subject, mailbox,
             flag != NULL ? " with " : "", flag != NULL ? flag : "");
}

static void
assert_not_on_server (const char *mailbox,
                      const char *subject)
{
  ServerWait wait = { mailbox, subject, NULL, FALSE };

  if (!wait_for (server_has, &wait))
    g_error ("“%s” is still in %s on the server", subject, mailbox);
}

typedef struct
{
  const char *name;
  gboolean    present;
} FolderWait;

static gboolean
server_folder (gpointer data)
{
  FolderWait *wait = data;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;

  state = buzon_test_servers_get_state (servers, DEMO, NULL, FALSE, &error);
  g_assert_no_error (error);

  return (buzon_test_state_find_folder (state, wait->name) != NULL) == wait->present;
}

static void
assert_server_folder (const char *name,
                      gboolean    present)
{
  FolderWait wait = { name, present };

  if (!wait_for (server_folder, &wait))
    g_error ("the folder %s is %s on the server", name, present ? "not" : "still");
}

/* --- screenshots --- */

static void
screenshot (const char *name)
{
  g_autofree char *file = g_strdup_printf ("window-%s.png", name);

  /* WebKit paints a little after the load. */
  buzon_test_ui_screenshot (GTK_WIDGET (get_window ()), file, 1500);
}

/* --- a notification server of our own --- */

typedef struct
{
  guint      owner_id;
  guint      registration_id;
  GPtrArray *summaries;
  GPtrArray *bodies;
} Notifications;

static Notifications notifications;

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  (void)connection; (void)sender; (void)object_path; (void)interface_name; (void)user_data;

  if (g_strcmp0 (method_name, "Notify") == 0)
    {
      const char *summary = NULL, *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (notifications.summaries, g_strdup (summary));
      g_ptr_array_add (notifications.bodies, g_strdup (body));
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", notifications.summaries->len));
    }
  else if (g_strcmp0 (method_name, "GetCapabilities") == 0)
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_strcmp0 (method_name, "GetServerInformation") == 0)
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "buzon", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
notifications_bus_cb (GDBusConnection *connection,
                      const char      *name,
                      gpointer         user_data)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);

  (void)name; (void)user_data;
  notifications.registration_id =
    g_dbus_connection_register_object (connection, "/org/freedesktop/Notifications",
                                       info->interfaces[0], &vtable, NULL, NULL, NULL);
}

static gboolean notifications_named;

static void
notifications_name_cb (GDBusConnection *connection,
                       const char      *name,
                       gpointer         user_data)
{
  (void)connection; (void)name; (void)user_data;
  notifications_named = TRUE;
}

/* --- the tests, in order: each builds on the one before --- */

static gboolean
banner_says (gpointer data)
{
  return find_widget (GTK_WIDGET (get_window ()), is_label_with_text, data) != NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      {
        *(AdwMessageDialog **)data = l->data;
        g_list_free (l->next);
        return TRUE;
      }

  return FALSE;
}

static void
test_trust_and_sync (void)
{
  g_autoptr(BuzonAccount) account = buzon_account_new ("Marta");
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *button;

  buzon_account_set_display_name (account, "Marta Ríos");
  buzon_account_set_address (account, DEMO);
  buzon_account_set_protocol (account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (account, buzon_test_servers_get_host (servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (servers, "imaps"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo demo");
  buzon_account_set_sync_policy (account, BUZON_SYNC_POLICY_FULL);
  g_assert_true (buzon_store_add_account (store (), account, &error));
  g_assert_no_error (error);

  gtk_window_present (GTK_WINDOW (get_window ()));
  assert_label_shown (GTK_WIDGET (get_window ()), "Marta");

  /* The test CA is nobody's: the banner says so and offers Review. */
  g_assert_true (wait_for (banner_says, (gpointer)"The server’s certificate is not trusted."));
  button = find_widget (GTK_WIDGET (get_window ()), is_label_with_text, "_Review");
  if (button == NULL)
    {
      /* The label of a button with a mnemonic shows without the underscore. */
      button = find_widget (GTK_WIDGET (get_window ()), is_label_with_text, "Review");
    }
  g_assert_nonnull (button);
  while (button != NULL && !GTK_IS_BUTTON (button))
    button = gtk_widget_get_parent (button);
  g_assert_nonnull (button);
  screenshot ("untrusted");
  g_signal_emit_by_name (button, "clicked");

  g_assert_true (wait_for (dialog_shown, &dialog));
  {
    g_autofree char *fingerprint =
      buzon_certificate_format_fingerprint (buzon_test_servers_get_cert_sha256 (servers));

    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), fingerprint));
  }
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The sync runs: the Inbox opens by itself with the demo's messages. */
  {
    ListWait wait = { "INBOX", 5 };

    if (!wait_for (list_shows, &wait))
      g_error ("the Inbox did not fill after trusting the certificate");
  }
  assert_label_shown (GTK_WIDGET (get_window ()), "Trabajo");
  assert_label_shown (GTK_WIDGET (get_window ()), "Viajes");
  screenshot ("inbox");
}

static void
test_read_marks_read (void)
{
  const char *subject = "¿Quedamos el sábado? ☕ Cafetería «La Única»";
  GtkWidget *window = GTK_WIDGET (get_window ());

  open_folder ("INBOX", 5);
  select_subject (subject);
  assert_label_shown (window, subject);
  assert_label_shown (window, "José Ángel Muñoz");
  assert_on_server ("INBOX", subject, "\\Seen");
  screenshot ("reading");
}

static void
test_drag_message (void)
{
  const char *subject = "Tu pedido llega mañana entre las 9:00 y las 14:00";
  g_autoptr(BuzonAccount) account = demo_account ();
  g_autoptr(BuzonFolder) inbox = demo_folder ("INBOX");
  g_autoptr(BuzonMessageDrag) drag = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint64 id;

  open_folder ("INBOX", 5);
  id = select_subject (subject);
  drag = buzon_message_drag_new (buzon_account_get_id (account), inbox->id, &id, 1);
  g_value_init (&value, BUZON_TYPE_MESSAGE_DRAG);
  g_value_set_boxed (&value, drag);

  drop_on (get_window (), "Trabajo", &value);
  assert_on_server ("Trabajo", subject, NULL);
  assert_not_on_server ("INBOX", subject);

  /* The toast's Undo puts it back, on the server too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  assert_on_server ("INBOX", subject, NULL);
  assert_not_on_server ("Trabajo", subject);
}

/* Ctrl held: a copy (the sidebar says so in its move-messages signal, as a
 * drop with Ctrl does), on the server too; Undo deletes the copy for good. */
static void
test_copy_message (void)
{
  const char *subject = "Tu pedido llega mañana entre las 9:00 y las 14:00";
  g_autoptr(BuzonAccount) account = demo_account ();
  g_autoptr(BuzonFolder) inbox = demo_folder ("INBOX");
  g_autoptr(BuzonFolder) trabajo = demo_folder ("Trabajo");
  g_autoptr(BuzonMessageDrag) drag = NULL;
  GtkWidget *sidebar = find_of_type (GTK_WIDGET (get_window ()), BUZON_TYPE_SIDEBAR);
  gint64 id;

  open_folder ("INBOX", 5);
  id = select_subject (subject);
  drag = buzon_message_drag_new (buzon_account_get_id (account), inbox->id, &id, 1);
  g_signal_emit_by_name (sidebar, "move-messages", trabajo, drag, TRUE);
  assert_on_server ("Trabajo", subject, NULL);
  assert_on_server ("INBOX", subject, NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  assert_not_on_server ("Trabajo", subject);
  assert_on_server ("INBOX", subject, NULL);
}

/* --- writing --- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

static gboolean
spin_done (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, spin_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
composer_shown (gpointer data)
{
  BuzonComposer **out = data;

  *out = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_COMPOSER (l->data) && gtk_widget_get_mapped (l->data))
      *out = l->data;

  return *out != NULL;
}

static gboolean
composer_attached (gpointer data)
{
  return !buzon_composer_get_attaching (data);
}

static gboolean
outbox_empty (gpointer data)
{
  g_autoptr(GPtrArray) items = buzon_store_outbox_list (store (), 0, NULL);

  return items != NULL && items->len == 0;
}

static gboolean
suggestions_shown (gpointer data)
{
  GtkTreeModel *model = buzon_address_completion_get_model (data);

  return model != NULL && gtk_tree_model_iter_n_children (model, NULL) > 0;
}

typedef struct
{
  const char *subject;
  gint64      id;
} LocalWait;

/* The message with @subject in the local Inbox, with its body. */
static gboolean
local_inbox_has (gpointer data)
{
  LocalWait *wait = data;
  g_autoptr(BuzonFolder) inbox = demo_folder ("INBOX");
  g_autoptr(GPtrArray) messages = NULL;

  messages = buzon_store_list_messages (store (), inbox->id, 0, 50, NULL);
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);

      if (g_strcmp0 (summary->subject, wait->subject) == 0)
        {
          wait->id = summary->id;
          return TRUE;
        }
    }

  return FALSE;
}

static GBytes *
fetch_body (gint64 id)
{
  BuzonSyncManager *sync = buzon_application_get_sync_manager (app);
  g_autoptr(BuzonAccount) account = demo_account ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *raw = buzon_store_get_body (store (), id, NULL);

  if (raw != NULL)
    return raw;

  buzon_sync_manager_fetch_body_async (sync, buzon_account_get_id (account), id, NULL,
                                       buzon_test_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  raw = buzon_sync_manager_fetch_body_finish (sync, result, &error);
  g_assert_no_error (error);

  return raw;
}

/* Reply to a demo message in the composer: a Cc picked from the
 * completion, a file dropped on it, the account's signature; sent through
 * the real SMTP server, it arrives (back over IMAP, attachment byte for
 * byte) and is in Sent. */
static void
test_reply_arrives (void)
{
  const char *subject = "Lunch next Thursday?";
  g_autofree char *reply_subject = g_strconcat ("Re: ", subject, NULL);
  g_autoptr(BuzonAccount) account = demo_account ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-attach-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "plano del café.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;
  GSettings *settings = buzon_application_get_settings (app);
  static const guint8 pdf[] = { '%', 'P', 'D', 'F', '-', '1', '.', '4', 0x0d, 0x0a, 0x00, 0xff,
                                0xfe, 0x80, '.', 0x0d, 0x0a, '%', '%', 'E', 'O', 'F' };
  GFile *files[] = { file };
  LocalWait local = { reply_subject, 0 };
  BuzonComposer *composer = NULL;
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  gboolean dropped = FALSE;
  gboolean found_attachment = FALSE;
  GMimePartIter *iter;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, (const char *)pdf, sizeof pdf, &error));

  /* Sending through the demo server, its certificate trusted as for IMAP. */
  buzon_account_set_smtp_host (account, buzon_test_servers_get_host (servers));
  buzon_account_set_smtp_port (account, buzon_test_servers_get_port (servers, "smtps"));
  buzon_account_set_smtp_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_signature (account, "Marta Ríos\nTeléfono 600 000 000");
  g_assert_true (buzon_store_update_account (store (), account, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_store_set_pin (store (), buzon_test_servers_get_host (servers),
                                      buzon_test_servers_get_port (servers, "smtps"),
                                      buzon_test_servers_get_cert_sha256 (servers), &error));
  g_assert_no_error (error);
  g_settings_set_uint (settings, "undo-send-delay", 0);
  spin_for (500);

  open_folder ("INBOX", 5);
  select_subject (subject);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.reply", NULL));
  if (!wait_for (composer_shown, &composer))
    g_error ("Reply opened no composer");

  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->subject, ==, reply_subject);
  g_assert_nonnull (strstr (draft->body, "-- \nMarta Ríos\nTeléfono 600 000 000"));
  g_assert_nonnull (strstr (draft->body, "> "));

  /* A copy to herself, so it can be seen arriving; Lucía from the
   * completion, as a user picks her from the popup. */
  {
    g_autofree char *to = g_strconcat (draft->to, ", " DEMO, NULL);

    gtk_editable_set_text (GTK_EDITABLE (composer->to_entry), to);
  }
  gtk_toggle_button_set_active (composer->cc_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (composer->cc_entry));
  gtk_editable_set_text (GTK_EDITABLE (composer->cc_entry), "Luc");
  g_assert_true (wait_for (suggestions_shown, composer->cc_entry));
  buzon_address_completion_choose (composer->cc_entry, 0);
  g_assert_true (g_str_has_prefix (gtk_editable_get_text (GTK_EDITABLE (composer->cc_entry)),
                                   "Lucía Paredes <"));

  {
    GListModel *controllers = gtk_widget_observe_controllers (GTK_WIDGET (composer));

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_DROP_TARGET (controller))
          target = GTK_DROP_TARGET (controller);
      }
    g_object_unref (controllers);
  }
  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, 1));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &dropped);
  g_value_unset (&value);
  g_assert_true (dropped);
  g_assert_true (wait_for (composer_attached, composer));
  g_assert_cmpuint (buzon_composer_get_n_attachments (composer), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);

  /* Out of the outbox once the server took it; in Sent and in the Inbox. */
  if (!wait_for (outbox_empty, NULL))
    g_error ("the reply did not leave the outbox");
  assert_on_server ("Sent", reply_subject, "\\Seen");
  assert_on_server ("INBOX", reply_subject, NULL);
  if (!wait_for (local_inbox_has, &local))
    g_error ("the reply did not arrive in the Inbox here");

  raw = fetch_body (local.id);
  g_assert_nonnull (raw);
  message = buzon_compose_parse_message (raw);
  g_assert_nonnull (message);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, reply_subject);
  g_assert_nonnull (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_cc (message), 0)), ==, "Lucía Paredes");
  iter = g_mime_part_iter_new (g_mime_message_get_mime_part (message));
  do
    {
      GMimeObject *part = g_mime_part_iter_get_current (iter);

      if (GMIME_IS_PART (part) && g_mime_part_is_attachment (GMIME_PART (part)))
        {
          GMimeStream *out = g_mime_stream_mem_new ();
          GByteArray *bytes;

          g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==,
                           "plano del café.pdf");
          g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (part)), out);
          bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
          g_assert_cmpmem (bytes->data, bytes->len, pdf, sizeof pdf);
          g_object_unref (out);
          found_attachment = TRUE;
        }
    }
  while (g_mime_part_iter_next (iter));
  g_mime_part_iter_free (iter);
  g_assert_true (found_attachment);

  g_settings_reset (settings, "undo-send-delay");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_drag_folder (void)
{
  g_autoptr(BuzonAccount) account = demo_account ();
  g_autoptr(BuzonFolder) viajes = demo_folder ("Viajes");
  g_autoptr(BuzonFolderDrag) drag = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_assert_nonnull (viajes);
  drag = buzon_folder_drag_new (buzon_account_get_id (account), viajes->id);
  g_value_init (&value, BUZON_TYPE_FOLDER_DRAG);
  g_value_set_boxed (&value, drag);

  drop_on (get_window (), "Trabajo", &value);
  assert_server_folder ("Trabajo/Viajes", TRUE);
  assert_server_folder ("Viajes", FALSE);
  assert_on_server ("Trabajo/Viajes", "Lo de Oporto en tren", NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.undo", NULL));
  assert_server_folder ("Viajes", TRUE);
  assert_server_folder ("Trabajo/Viajes", FALSE);
  assert_on_server ("Viajes", "Lo de Oporto en tren", NULL);
}

static gboolean
search_shows_one (gpointer data)
{
  BuzonMessageList *list = message_list ();
  g_autoptr(BuzonMessageSummary) summary = NULL;

  if (list == NULL || buzon_message_list_get_loading (list) ||
      buzon_message_list_get_folder_id (list) != 0 ||
      g_list_model_get_n_items (G_LIST_MODEL (list)) != 1)
    return FALSE;
  summary = buzon_store_get_message (store (), buzon_message_list_get_id_at (list, 0), NULL);

  return summary != NULL && g_strcmp0 (summary->subject, data) == 0;
}

static gboolean
search_entry_shown (gpointer data)
{
  *(GtkWidget **)data = find_of_type (GTK_WIDGET (get_window ()), GTK_TYPE_SEARCH_ENTRY);

  return *(GtkWidget **)data != NULL;
}

static void
test_search_body (void)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  GtkWidget *entry;

  open_folder ("INBOX", 5);
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  g_assert_true (wait_for (search_entry_shown, &entry));
  /* A word only the body has ("la tienda de campaña"). */
  gtk_editable_set_text (GTK_EDITABLE (entry), "campaña");
  if (!wait_for (search_shows_one, (gpointer)"¿Quedamos el sábado? ☕ Cafetería «La Única»"))
    g_error ("the search did not find the message by a word of its body");
  screenshot ("search");

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  {
    GtkWidget *bar = find_of_type (window, GTK_TYPE_SEARCH_BAR);

    gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (bar), FALSE);
  }
  open_folder ("INBOX", 5);
}

static void
test_delete_to_trash (void)
{
  const char *subject = "Fotos de la cena del viernes";

  open_folder ("INBOX", 5);
  select_subject (subject);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_window ()), "win.delete", NULL));
  assert_on_server ("Trash", subject, NULL);
  assert_not_on_server ("INBOX", subject);
}

static gboolean
notified (gpointer data)
{
  for (guint i = 0; i < notifications.summaries->len; i++)
    if (strstr (notifications.summaries->pdata[i], data) != NULL)
      return TRUE;

  return FALSE;
}

static void
test_new_mail_notifies (void)
{
  static const char message[] =
    "From: Ana Pérez <ana@example.test>\r\n"
    "To: Marta Ríos <demo@example.test>\r\n"
    "Subject: =?UTF-8?Q?Reuni=C3=B3n_del_lunes?=\r\n"
    "Message-ID: <notify-test@example.test>\r\n"
    "Date: Fri, 20 Nov 2026 10:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "¿Nos vemos el lunes a las diez?\r\n";
  g_autofree char *path = g_build_filename (data_home, "notify.eml", NULL);
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(GError) error = NULL;

  if (!notifications_named)
    {
      g_test_skip ("could not own org.freedesktop.Notifications on the session bus");
      return;
    }

  /* Looking at another folder: new mail in the Inbox is news. */
  open_folder ("Trabajo", 1);
  g_assert_true (g_file_set_contents (path, message, -1, &error));
  g_assert_no_error (error);
  sent = buzon_test_servers_run (servers, NULL, &error, "send", "ana@example.test", path,
                                 DEMO, NULL);
  g_assert_no_error (error);

  if (!wait_for (notified, (gpointer)"Ana Pérez"))
    g_error ("no notification for the new message");
  {
    guint last = notifications.bodies->len - 1;

    g_assert_cmpstr (notifications.bodies->pdata[last], ==, "Reunión del lunes");
  }
}

static void
test_screenshots (void)
{
  GtkWindow *window = GTK_WINDOW (get_window ());
  AdwStyleManager *style = adw_style_manager_get_default ();

  /* The toasts of the tests before are gone (they last 8 s). */
  settle (8500);
  open_folder ("INBOX", 5);
  select_subject ("This week: GTK 4 list views, a socket-free IMAP library, and slow CI");
  screenshot ("light");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot ("dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_unmaximize (window);
  gtk_window_set_default_size (window, 400, 720);
  settle (500);
  screenshot ("narrow");
  gtk_window_set_default_size (window, 1280, 800);
  settle (500);

  /* In Spanish: a new window, as the templates translate when built. */
  g_setenv ("LANGUAGE", "es", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  gtk_window_destroy (window);
  gtk_window_present (GTK_WINDOW (get_window ()));
  assert_label_shown (GTK_WIDGET (get_window ()), "Marta");
  open_folder ("INBOX", 5);
  assert_label_shown (GTK_WIDGET (get_window ()), "Bandeja de entrada");
  screenshot ("spanish");
  g_setenv ("LANGUAGE", "en", TRUE);
}

typedef struct
{
  gint64 folder_id;
  guint  count;
} CountWait;

static gboolean
folder_synced (gpointer data)
{
  CountWait *wait = data;
  g_autoptr(BuzonFolder) folder = buzon_store_get_folder (store (), wait->folder_id, NULL);

  return folder != NULL && folder->total_count >= wait->count;
}

static gboolean
big_list_shown (gpointer data)
{
  CountWait *wait = data;
  BuzonMessageList *list = message_list ();

  return list != NULL && !buzon_message_list_get_loading (list) &&
         buzon_message_list_get_folder_id (list) == wait->folder_id &&
         g_list_model_get_n_items (G_LIST_MODEL (list)) == wait->count;
}

static gboolean
is_fill_label (GtkWidget     *widget,
               gconstpointer  data)
{
  (void)data;
  return GTK_IS_LABEL (widget) &&
         g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), "Fill message ");
}

/* A row of the generated messages is drawn (its subject is on screen). */
static gboolean
fill_row_shown (gpointer data)
{
  (void)data;
  return find_widget (GTK_WIDGET (message_view ()), is_fill_label, NULL) != NULL;
}

/* A second account, headers only, whose Inbox has 100,000 messages: it
 * syncs while the window is open, then opens with its first rows. */
static void
test_big_folder (void)
{
  g_autoptr(JsonNode) filled = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = buzon_account_new ("Ana");
  g_autoptr(BuzonFolder) inbox = NULL;
  BuzonTestFillOptions options = { .size = 600, .flags = BUZON_TEST_FILL_QUIET };
  guint count = big_tests ? 100000 : 2000;
  GtkWidget *sidebar;
  CountWait wait;
  gint64 start;

  filled = buzon_test_servers_fill (servers, "ana@example.test", count, &options, &error);
  g_assert_no_error (error);

  buzon_account_set_address (account, "ana@example.test");
  buzon_account_set_protocol (account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (account, buzon_test_servers_get_host (servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (servers, "imaps"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo ana-secret");
  buzon_account_set_sync_policy (account, BUZON_SYNC_POLICY_HEADERS);
  g_assert_true (buzon_store_add_account (store (), account, &error));
  g_assert_no_error (error);

  /* The same server: its certificate is trusted already. */
  start = g_get_monotonic_time ();
  for (gint64 end = start + 300 * G_USEC_PER_SEC; inbox == NULL; )
    {
      inbox = buzon_store_lookup_folder (store (), buzon_account_get_id (account), "INBOX", NULL);
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      settle (50);
    }
  wait.folder_id = inbox->id;
  wait.count = count;
  for (gint64 end = start + 300 * G_USEC_PER_SEC; !folder_synced (&wait); )
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      settle (100);
    }
  g_test_message ("header sync of %u messages in the window's engine: %.1f s", count,
                  (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);

  sidebar = find_of_type (GTK_WIDGET (get_window ()), BUZON_TYPE_SIDEBAR);
  start = g_get_monotonic_time ();
  g_assert_true (buzon_sidebar_select_folder (BUZON_SIDEBAR (sidebar), inbox->id));
  g_assert_true (wait_for (big_list_shown, &wait));
  g_assert_true (wait_for (fill_row_shown, NULL));
  g_print ("# the first rows of a folder with %u messages were shown %.1f ms after it "
           "was selected\n", count, (g_get_monotonic_time () - start) / 1000.0);
  screenshot ("big-folder");
}

int
main (int   argc,
      char *argv[])
{
  static const char *extra[] = { "--demo", "--demo-date", "2026-11-20", NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  data_home = g_dir_make_tmp ("buzon-test-window-mail-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", BUZON_SCHEMA_DIR, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_set_prgname ("test-window-mail");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, BUZON_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

#if defined(__SANITIZE_ADDRESS__)
  big_tests = FALSE;
#else
  big_tests = g_getenv ("LD_PRELOAD") == NULL || strstr (g_getenv ("LD_PRELOAD"), "vgpreload") == NULL;
#endif

  servers = buzon_test_servers_start_or_skip ("full", extra);
  if (servers == NULL)
    return 77;

  notifications.summaries = g_ptr_array_new_with_free_func (g_free);
  notifications.bodies = g_ptr_array_new_with_free_func (g_free);
  notifications.owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, "org.freedesktop.Notifications",
                                           G_BUS_NAME_OWNER_FLAGS_NONE,
                                           notifications_bus_cb, notifications_name_cb,
                                           NULL, NULL, NULL);
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (!notifications_named && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }

  app = buzon_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/buzon/ui/window-mail/trust-and-sync", test_trust_and_sync);
  g_test_add_func ("/buzon/ui/window-mail/read-marks-read", test_read_marks_read);
  g_test_add_func ("/buzon/ui/window-mail/drag-message", test_drag_message);
  g_test_add_func ("/buzon/ui/window-mail/copy-message", test_copy_message);
  g_test_add_func ("/buzon/ui/window-mail/drag-folder", test_drag_folder);
  g_test_add_func ("/buzon/ui/window-mail/search-body", test_search_body);
  g_test_add_func ("/buzon/ui/window-mail/delete-to-trash", test_delete_to_trash);
  g_test_add_func ("/buzon/ui/window-mail/new-mail-notifies", test_new_mail_notifies);
  g_test_add_func ("/buzon/ui/window-mail/reply-arrives", test_reply_arrives);
  g_test_add_func ("/buzon/ui/window-mail/screenshots", test_screenshots);
  g_test_add_func ("/buzon/ui/window-mail/big-folder", test_big_folder);

  ret = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  while (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&app);
  g_bus_unown_name (notifications.owner_id);
  g_clear_pointer (&notifications.summaries, g_ptr_array_unref);
  g_clear_pointer (&notifications.bodies, g_ptr_array_unref);
  buzon_test_servers_stop (servers);
  buzon_test_remove_tree (data_home);
  g_free (data_home);

  return ret;
}
