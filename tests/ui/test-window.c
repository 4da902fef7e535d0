/* test-window.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real main window, in process, under Xvfb: the empty states, the
 * accounts from the store (and their live refresh), the store error page, the
 * header bar buttons' accessible names, the About window, window state kept
 * in GSettings, and mailto: links (a composer opens). The store lives in a temporary
 * XDG_DATA_HOME made in main(), so the tests never touch real mail.
 */

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <adwaita.h>

#include "buzon-account.h"
#include "buzon-store.h"

#include "buzon-application.h"
#include "buzon-composer.h"
#include "buzon-preferences-window.h"
#include "buzon-window.h"

#define WAIT_TIMEOUT_USEC (10 * G_USEC_PER_SEC)

static BuzonApplication *app;
static char *data_home;

/* --- helpers --- */

static BuzonApplication *
get_app (void)
{
  g_autoptr(GError) error = NULL;

  /* One application per process, made on first use: the store-error test
   * runs in a subprocess that must prepare the data dir before startup. */
  if (app == NULL)
    {
      app = buzon_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  return app;
}

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

static BuzonWindow *
open_window (void)
{
  GtkWindow *window = NULL;

  g_application_activate (G_APPLICATION (get_app ()));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_WINDOW (l->data))
      window = l->data;

  g_assert_nonnull (window);
  g_assert_true (wait_for (window_allocated, window));

  return BUZON_WINDOW (window);
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static void
close_all_windows (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (wait_for (no_windows, NULL));
}

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static void
collect_widgets (GtkWidget   *root,
                 WidgetMatch  match,
                 gconstpointer data,
                 GPtrArray   *out)
{
  if (match (root, data))
    g_ptr_array_add (out, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, match, data, out);
}

static gboolean
match_mapped_label (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) &&
         gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
match_mapped_status_page (GtkWidget     *widget,
                          gconstpointer  title)
{
  return ADW_IS_STATUS_PAGE (widget) &&
         gtk_widget_get_mapped (widget) &&
         g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

/* Is a label reading exactly @text shown in @window? */
static gboolean
label_shown (GtkWidget  *window,
             const char *text)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (window, match_mapped_label, text, found);
  return found->len > 0;
}

static AdwStatusPage *
status_page_shown (GtkWidget  *window,
                   const char *title)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (window, match_mapped_status_page, title, found);
  return found->len > 0 ? found->pdata[0] : NULL;
}

typedef struct
{
  GtkWidget  *window;
  const char *text;
} Lookup;

static gboolean
label_shown_cb (gpointer data)
{
  Lookup *lookup = data;

  return label_shown (lookup->window, lookup->text);
}

static gboolean
label_gone_cb (gpointer data)
{
  Lookup *lookup = data;

  return !label_shown (lookup->window, lookup->text);
}

static gboolean
status_page_shown_cb (gpointer data)
{
  Lookup *lookup = data;

  return status_page_shown (lookup->window, lookup->text) != NULL;
}

static void
assert_label_shown (BuzonWindow *window,
                    const char  *text)
{
  Lookup lookup = { GTK_WIDGET (window), text };

  if (!wait_for (label_shown_cb, &lookup))
    g_error ("'%s' is not shown in the window", text);
}

static void
assert_label_gone (BuzonWindow *window,
                   const char  *text)
{
  Lookup lookup = { GTK_WIDGET (window), text };

  if (!wait_for (label_gone_cb, &lookup))
    g_error ("'%s' is still shown in the window", text);
}

static AdwStatusPage *
assert_status_page_shown (BuzonWindow *window,
                          const char  *title)
{
  Lookup lookup = { GTK_WIDGET (window), title };

  if (!wait_for (status_page_shown_cb, &lookup))
    g_error ("no status page '%s' is shown", title);

  return status_page_shown (GTK_WIDGET (window), title);
}

static BuzonAccount *
make_account (const char    *name,
              const char    *address,
              BuzonProtocol  protocol)
{
  BuzonAccount *account = buzon_account_new (name);

  buzon_account_set_address (account, address);
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, protocol == BUZON_PROTOCOL_IMAP ? "imap.example.com"
                                                                   : "pop.example.net");
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_port (account, buzon_protocol_default_port (protocol, BUZON_SECURITY_TLS));
  buzon_account_set_username (account, address);

  return account;
}

/* Removes the temporary data dir (the store's files); it is ours alone. */
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

/* --- tests --- */

static void
test_window_empty_state (void)
{
  BuzonWindow *window = open_window ();
  AdwStatusPage *page;

  g_assert_null (buzon_application_get_store_error (app));
  g_assert_nonnull (buzon_application_get_store (app));

  /* All three panes show their empty state side by side at the default size. */
  page = assert_status_page_shown (window, "No Mail Accounts Yet");
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "buzon-cli account add"));
  assert_status_page_shown (window, "No Folder Selected");
  assert_status_page_shown (window, "No Message Selected");
  g_assert_cmpuint (g_list_model_get_n_items (buzon_window_get_accounts (window)), ==, 0);

  close_all_windows ();
}

static void
test_window_lists_accounts (void)
{
  BuzonStore *store = buzon_application_get_store (get_app ());
  g_autoptr(BuzonAccount) work = make_account ("Work", "ana@example.com", BUZON_PROTOCOL_IMAP);
  g_autoptr(BuzonAccount) home = make_account ("Home", "ana@isp.example.net", BUZON_PROTOCOL_POP3);
  g_autoptr(GError) error = NULL;
  BuzonWindow *window;

  g_assert_nonnull (store);

  /* Accounts that exist before the window opens are listed at once (the
   * usual start-up). */
  g_assert_true (buzon_store_add_account (store, work, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (store, home, &error));
  g_assert_no_error (error);

  window = open_window ();
  assert_label_shown (window, "Work");
  assert_label_shown (window, "Kept on the server (IMAP)");
  assert_label_shown (window, "Home");
  assert_label_shown (window, "Downloaded to this computer (POP3)");
  g_assert_null (status_page_shown (GTK_WIDGET (window), "No Mail Accounts Yet"));
  g_assert_cmpuint (g_list_model_get_n_items (buzon_window_get_accounts (window)), ==, 2);

  /* The sidebar follows "accounts-changed" while the window is open. */
  g_assert_true (buzon_store_remove_account (store, "Home", &error));
  g_assert_no_error (error);
  assert_label_gone (window, "Home");
  assert_label_shown (window, "Work");

  g_assert_true (buzon_store_remove_account (store, "Work", &error));
  g_assert_no_error (error);
  assert_status_page_shown (window, "No Mail Accounts Yet");

  g_assert_true (buzon_store_add_account (store, home, &error));
  g_assert_no_error (error);
  assert_label_shown (window, "Home");
  assert_label_shown (window, "Downloaded to this computer (POP3)");

  g_assert_true (buzon_store_remove_account (store, "Home", &error));
  g_assert_no_error (error);
  assert_status_page_shown (window, "No Mail Accounts Yet");

  close_all_windows ();
}

static gboolean
inside_window_controls (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_WINDOW_CONTROLS (w))
      return TRUE;
  return FALSE;
}

static void
assert_button_labelled (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);
  const char *label = NULL;

  if (GTK_IS_BUTTON (button))
    label = gtk_button_get_label (GTK_BUTTON (button));
  else if (GTK_IS_MENU_BUTTON (button))
    label = gtk_menu_button_get_label (GTK_MENU_BUTTON (button));

  if ((tooltip == NULL || *tooltip == '\0') && (label == NULL || *label == '\0'))
    g_error ("a %s in a header bar has neither a tooltip nor a label",
             G_OBJECT_TYPE_NAME (button));

  g_assert_true (gtk_widget_get_focusable (button) ||
                 gtk_widget_get_focusable (gtk_widget_get_first_child (button)));
}

static void
test_window_header_buttons_labelled (void)
{
  BuzonWindow *window = open_window ();
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  guint n_buttons = 0;

  /* Every header bar, shown or not (the error page has its own). */
  collect_widgets (GTK_WIDGET (window), match_type,
                   GSIZE_TO_POINTER (ADW_TYPE_HEADER_BAR), headers);
  g_assert_cmpuint (headers->len, ==, 4);

  for (guint i = 0; i < headers->len; i++)
    {
      g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
      g_autoptr(GPtrArray) menu_buttons = g_ptr_array_new ();

      collect_widgets (headers->pdata[i], match_type,
                       GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON), menu_buttons);
      collect_widgets (headers->pdata[i], match_type, GSIZE_TO_POINTER (GTK_TYPE_BUTTON), buttons);

      for (guint j = 0; j < menu_buttons->len; j++)
        {
          assert_button_labelled (menu_buttons->pdata[j]);
          n_buttons++;
        }

      for (guint j = 0; j < buttons->len; j++)
        {
          GtkWidget *button = buttons->pdata[j];

          /* GTK names its own title buttons; a menu button's inner toggle
           * button takes its name from the menu button checked above. */
          if (inside_window_controls (button) ||
              GTK_IS_MENU_BUTTON (gtk_widget_get_parent (button)))
            continue;

          assert_button_labelled (button);
          n_buttons++;
        }
    }

  g_assert_cmpuint (n_buttons, >=, 1);

  close_all_windows ();
}

static gboolean
about_window_shown (gpointer data)
{
  AdwAboutWindow **out = data;
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_ABOUT_WINDOW (l->data) && gtk_widget_get_mapped (l->data))
      *out = l->data;

  return *out != NULL;
}

static void
test_about_window (void)
{
  BuzonWindow *window = open_window ();
  AdwAboutWindow *about = NULL;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (wait_for (about_window_shown, &about));

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Buzón");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_nonnull (adw_about_window_get_developers (about));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));

  /* Quit closes the About window too. */
  close_all_windows ();
}

static gboolean
match_mapped_action_button (GtkWidget     *widget,
                            gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
leaflets_folded (gpointer data)
{
  g_autoptr(GPtrArray) leaflets = g_ptr_array_new ();

  collect_widgets (data, match_type, GSIZE_TO_POINTER (ADW_TYPE_LEAFLET), leaflets);
  for (guint i = 0; i < leaflets->len; i++)
    if (!adw_leaflet_get_folded (leaflets->pdata[i]))
      return FALSE;

  return leaflets->len == 2;
}

static gboolean
back_button_shown (gpointer data)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app))),
                   match_mapped_action_button, data, found);
  return found->len == 1;
}

static gboolean
back_button_gone (gpointer data)
{
  return !back_button_shown (data);
}

/* A narrow window shows one pane at a time, each with the way back. */
static void
test_narrow_back (void)
{
  BuzonStore *store = buzon_application_get_store (get_app ());
  g_autoptr(BuzonAccount) work = make_account ("Work", "ana@example.com", BUZON_PROTOCOL_POP3);
  g_autoptr(GError) error = NULL;
  BuzonWindow *window;

  g_assert_true (buzon_store_add_account (store, work, &error));
  g_assert_no_error (error);
  window = open_window ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  g_assert_true (wait_for (leaflets_folded, window));

  /* The Inbox opens by itself: the message list, with Back to the folders. */
  g_assert_true (wait_for (back_button_shown, (gpointer)"win.show-folders"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-folders", NULL));
  g_assert_true (wait_for (back_button_gone, (gpointer)"win.show-folders"));
  assert_label_shown (window, "Downloaded to this computer (POP3)");

  g_assert_true (buzon_store_remove_account (store, "Work", &error));
  g_assert_no_error (error);
  close_all_windows ();
}

/* Preferences: each row bound to its setting, at once. */
static void
test_preferences (void)
{
  BuzonWindow *window = open_window ();
  GSettings *settings = buzon_application_get_settings (BUZON_APPLICATION (app));
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  GtkWindow *preferences = NULL;
  GtkWidget *notify = NULL;
  GtkWidget *interval = NULL;
  g_autoptr(GList) windows = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  windows = gtk_window_list_toplevels ();
  for (GList *l = windows; l != NULL; l = l->next)
    if (BUZON_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (window));

  collect_widgets (GTK_WIDGET (preferences), match_type, GSIZE_TO_POINTER (GTK_TYPE_SWITCH),
                   found);
  for (guint i = 0; i < found->len; i++)
    if (g_str_equal (gtk_widget_get_name (found->pdata[i]), "notify-new-mail"))
      notify = found->pdata[i];
  g_ptr_array_set_size (found, 0);
  collect_widgets (GTK_WIDGET (preferences), match_type,
                   GSIZE_TO_POINTER (GTK_TYPE_SPIN_BUTTON), found);
  for (guint i = 0; i < found->len; i++)
    if (g_str_equal (gtk_widget_get_name (found->pdata[i]), "pop3-check-interval"))
      interval = found->pdata[i];
  g_assert_nonnull (notify);
  g_assert_nonnull (interval);

  g_assert_true (g_settings_get_boolean (settings, "notify-new-mail"));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (notify)));
  gtk_switch_set_active (GTK_SWITCH (notify), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "notify-new-mail"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (interval), 30);
  g_assert_cmpuint (g_settings_get_uint (settings, "pop3-check-interval"), ==, 30);

  g_settings_reset (settings, "notify-new-mail");
  g_settings_reset (settings, "pop3-check-interval");
  gtk_window_destroy (preferences);
  close_all_windows ();
}

static void
test_primary_menu (void)
{
  BuzonWindow *window = open_window ();
  g_autoptr(GPtrArray) menu_buttons = g_ptr_array_new ();
  GMenuModel *model = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);

  collect_widgets (GTK_WIDGET (window), match_type,
                   GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON), menu_buttons);
  for (guint i = 0; i < menu_buttons->len; i++)
    if (gtk_widget_get_mapped (menu_buttons->pdata[i]))
      model = gtk_menu_button_get_menu_model (menu_buttons->pdata[i]);
  g_assert_nonnull (model);

  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      GMenuModel *section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

      for (int i = 0; i < g_menu_model_get_n_items (section); i++)
        {
          char *action = NULL;

          g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION,
                                                          "s", &action));
          g_ptr_array_add (actions, action);
        }
      g_object_unref (section);
    }

  /* Every menu item does something: the action exists where it points. */
  g_assert_cmpuint (actions->len, ==, 5);
  for (guint i = 0; i < actions->len; i++)
    {
      const char *action = actions->pdata[i];

      if (g_str_has_prefix (action, "app."))
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), action + 4));
      else if (g_str_has_prefix (action, "win."))
        g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), action + 4));
      else
        g_error ("unexpected action %s", action);
    }

  close_all_windows ();
}

static void
test_window_state_kept (void)
{
  GSettings *settings = buzon_application_get_settings (get_app ());
  BuzonWindow *window;
  int width, height;

  g_assert_nonnull (settings);

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 600);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  window = open_window ();
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 600);

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  spin ();
  close_all_windows ();

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 500);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static gboolean
composer_shown (gpointer data)
{
  BuzonComposer **out = data;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (BUZON_IS_COMPOSER (l->data) && gtk_widget_get_mapped (l->data))
      *out = l->data;

  return *out != NULL;
}

/* A mailto: link opens a composer filled from it (its details are
 * test-compose's and test-composer's). */
static void
test_mailto_opens_composer (void)
{
  g_autoptr(GFile) link =
    g_file_new_for_uri ("mailto:ana@example.com?subject=Hola%20Ana&cc=bruno@example.com");
  GFile *files[] = { link };
  BuzonComposer *composer = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;

  g_application_open (G_APPLICATION (get_app ()), files, 1, "");
  g_assert_true (wait_for (composer_shown, &composer));

  draft = buzon_composer_dup_draft (composer);
  g_assert_cmpstr (draft->to, ==, "ana@example.com");
  g_assert_cmpstr (draft->cc, ==, "bruno@example.com");
  g_assert_cmpstr (draft->subject, ==, "Hola Ana");

  /* Not closed, which would ask whether to keep the draft. */
  gtk_window_destroy (GTK_WINDOW (composer));
  close_all_windows ();
}

static gboolean
shortcuts_window_shown (gpointer data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_WINDOW (l->data) && gtk_widget_get_mapped (l->data))
      return TRUE;

  return FALSE;
}

/* The Keyboard Shortcuts item works: GtkApplication found gtk/help-overlay.ui
 * under the resource base path and added win.show-help-overlay. */
static void
test_shortcuts_window (void)
{
  BuzonWindow *window = open_window ();
  g_auto(GStrv) accels = NULL;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  g_assert_true (wait_for (shortcuts_window_shown, NULL));

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");

  close_all_windows ();
}

/* The window speaks Spanish when asked to: the strings are marked, the
 * catalogue is built and complete enough for what is on screen. */
static void
test_window_in_spanish (void)
{
  if (g_test_subprocess ())
    {
      BuzonWindow *window;

      /* gtk_test_init() left the locale at "C", where gettext ignores
       * LANGUAGE; C.UTF-8 honours it. */
      g_setenv ("LANGUAGE", "es", TRUE);
      setlocale (LC_ALL, "C.UTF-8");
      bindtextdomain (GETTEXT_PACKAGE, BUZON_LOCALE_DIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);

      window = open_window ();
      assert_status_page_shown (window, "Aún no hay cuentas de correo");
      assert_status_page_shown (window, "Ninguna carpeta seleccionada");
      assert_status_page_shown (window, "Ningún mensaje seleccionado");
      close_all_windows ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A store written by a newer Buzón must not crash the app: the window says why. */
static void
test_store_error_shown (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = buzon_store_default_path ();
      g_autofree char *dir = g_path_get_dirname (path);
      sqlite3 *db = NULL;
      BuzonWindow *window;
      AdwStatusPage *page;
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonStore) store = NULL;
      g_autofree char *escaped = NULL;

      /* A real store, then stamped with a schema version from the future. */
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      store = buzon_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_finalize_object (g_steal_pointer (&store));
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 9999;", NULL, NULL, NULL),
                       ==, SQLITE_OK);
      sqlite3_close (db);

      window = open_window ();
      g_assert_null (buzon_application_get_store (app));
      g_assert_error (buzon_application_get_store_error (app),
                      BUZON_STORE_ERROR, BUZON_STORE_ERROR_NEWER_VERSION);

      page = assert_status_page_shown (window, "Your Mail Cannot Be Opened");
      /* The store's own words (they say what to do), as markup. */
      escaped = g_markup_escape_text (buzon_application_get_store_error (app)->message, -1);
      g_assert_cmpstr (adw_status_page_get_description (page), ==, escaped);
      g_assert_null (status_page_shown (GTK_WIDGET (window), "No Mail Accounts Yet"));

      /* The menu still works there: About and Quit. */
      g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
      spin ();
      close_all_windows ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
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

  /* Before anything asks GLib for the user data dir, which it caches. */
  data_home = g_dir_make_tmp ("buzon-test-window-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  /* The accounts here name hosts that do not exist (tests only ever talk to
   * 127.0.0.1): the application does not sync them. */
  g_setenv ("BUZON_NO_SYNC", "1", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", BUZON_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  /* meson passes an absolute argv[0]; keep the program name short. */
  g_set_prgname ("test-window");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/ui/window/empty-state", test_window_empty_state);
  g_test_add_func ("/buzon/ui/window/lists-accounts", test_window_lists_accounts);
  g_test_add_func ("/buzon/ui/window/header-buttons-labelled", test_window_header_buttons_labelled);
  g_test_add_func ("/buzon/ui/window/primary-menu", test_primary_menu);
  g_test_add_func ("/buzon/ui/window/preferences", test_preferences);
  g_test_add_func ("/buzon/ui/window/narrow-back", test_narrow_back);
  g_test_add_func ("/buzon/ui/window/state-kept", test_window_state_kept);
  g_test_add_func ("/buzon/ui/window/store-error", test_store_error_shown);
  g_test_add_func ("/buzon/ui/window/spanish", test_window_in_spanish);
  g_test_add_func ("/buzon/ui/app/shortcuts", test_shortcuts_window);
  g_test_add_func ("/buzon/ui/app/about", test_about_window);
  g_test_add_func ("/buzon/ui/app/mailto", test_mailto_opens_composer);

  ret = g_test_run ();

  g_clear_object (&app);
  remove_tree (data_home);
  g_free (data_home);

  return ret;
}
