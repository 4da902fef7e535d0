/* buzon-secrets.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Passwords never touch SQLite, key files, GSettings or logs. They live in the
 * desktop keyring through libsecret, under a schema named after the app id and
 * keyed by account name and kind, or they come from a command the user gave
 * (like mbsync's PassCmd), run each time a password is needed: its first line
 * of output is the password.
 */

#define G_LOG_DOMAIN "buzon-secrets"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "buzon-secrets.h"

/* A password command gets this long before we give up on it. */
#define PASSWORD_COMMAND_TIMEOUT_SECONDS 60

static const SecretSchema *
buzon_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static const char *
kind_to_string (BuzonSecretKind kind)
{
  return kind == BUZON_SECRET_SMTP ? "smtp" : "incoming";
}

static void
set_keyring_error (GError     **error,
                   const GError *cause)
{
  g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_KEYRING,
               _("The password could not be kept in the keyring (%s). Check that the "
                 "desktop keyring is running and unlocked, or give a password command."),
               cause->message);
}

/**
 * buzon_secrets_store_password:
 *
 * Saves @password in the keyring for @account. Accounts with a password
 * command keep no password in the keyring.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_secrets_store_password (BuzonAccount     *account,
                              BuzonSecretKind   kind,
                              const char       *password,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  label = g_strdup_printf (kind == BUZON_SECRET_SMTP ? _("Buzón: outgoing mail password for %s")
                                                      : _("Buzón: mail password for %s"),
                           buzon_account_get_name (account));

  if (!secret_password_store_sync (buzon_secrets_get_schema (), SECRET_COLLECTION_DEFAULT,
                                   label, password, cancellable, &local_error,
                                   "account", buzon_account_get_name (account),
                                   "kind", kind_to_string (kind),
                                   NULL))
    {
      set_keyring_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  g_subprocess_force_exit (G_SUBPROCESS (user_data));
}

/* g_subprocess_communicate(), but a cancellation kills the command and
 * waits for it, on a context of our own. (Cancelling GLib 2.74's
 * synchronous communicate while the command runs could leave the calling
 * thread blocked for good.) */
static gboolean
communicate (GSubprocess   *subprocess,
             GCancellable  *cancellable,
             GBytes       **out,
             GBytes       **err,
             GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gulong handler = 0;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_subprocess_force_exit (subprocess);
      return FALSE;
    }

  g_main_context_push_thread_default (context);
  g_subprocess_communicate_async (subprocess, NULL, NULL, communicate_cb, &result);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), subprocess, NULL);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_cancellable_disconnect (cancellable, handler);
  ok = g_subprocess_communicate_finish (subprocess, result, out, err, error);
  g_main_context_pop_thread_default (context);

  if (ok && g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (out, g_bytes_unref);
      g_clear_pointer (err, g_bytes_unref);
      return FALSE;
    }

  return ok;
}

/**
 * buzon_secrets_run_password_command:
 * @command: a shell command line
 *
 * Runs @command with `/bin/sh -c` and returns the first line it printed.
 *
 * Returns: (transfer full): the password, or %NULL with @error set
 */
char *
buzon_secrets_run_password_command (const char    *command,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  const char *data;
  gsize len;
  gsize line_len;

  g_return_val_if_fail (command != NULL, NULL);

  subprocess = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error);
  if (subprocess == NULL ||
      !communicate (subprocess, cancellable, &out, &err, &local_error))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                   _("The password command could not be run: %s"), local_error->message);
      return NULL;
    }

  if (!g_subprocess_get_successful (subprocess))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                   _("The password command failed. Run it in a terminal to see why."));
      return NULL;
    }

  data = g_bytes_get_data (out, &len);
  for (line_len = 0; line_len < len && data[line_len] != '\n' && data[line_len] != '\r'; line_len++)
    ;

  if (line_len == 0 || memchr (data, '\0', line_len) != NULL)
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
                   _("The password command printed no password."));
      return NULL;
    }

  return g_strndup (data, line_len);
}

/**
 * buzon_secrets_lookup_password:
 *
 * Finds the password for @account: from its password command when it has one,
 * otherwise from the keyring. The SMTP password falls back to the incoming
 * one, as most providers use the same.
 *
 * Returns: (transfer full): the password, or %NULL with @error set
 *   (%BUZON_ACCOUNT_ERROR_NO_PASSWORD when none is saved)
 */
char *
buzon_secrets_lookup_password (BuzonAccount     *account,
                               BuzonSecretKind   kind,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  if (buzon_account_get_password_command (account) != NULL)
    return buzon_secrets_run_password_command (buzon_account_get_password_command (account),
                                               cancellable, error);

  password = secret_password_lookup_sync (buzon_secrets_get_schema (), cancellable, &local_error,
                                          "account", buzon_account_get_name (account),
                                          "kind", kind_to_string (kind),
                                          NULL);
  if (local_error != NULL)
    {
      set_keyring_error (error, local_error);
      return NULL;
    }

  if (password == NULL && kind == BUZON_SECRET_SMTP)
    return buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, cancellable, error);

  if (password == NULL)
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_PASSWORD,
                   _("No password is saved for the account “%s”. Enter it again in the "
                     "account settings."),
                   buzon_account_get_name (account));
      return NULL;
    }

  /* libsecret hands out non-pageable memory; copy out and wipe it. */
  {
    char *copy = g_strdup (password);
    secret_password_free (password);
    return copy;
  }
}

static void
lookup_password_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  BuzonAccount *account = source_object;
  BuzonSecretKind kind = GPOINTER_TO_INT (task_data);
  GError *error = NULL;
  char *password;

  password = buzon_secrets_lookup_password (account, kind, cancellable, &error);
  if (password == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, g_free);
}

/**
 * buzon_secrets_lookup_password_async:
 *
 * Like buzon_secrets_lookup_password(), off the calling thread.
 */
void
buzon_secrets_lookup_password_async (BuzonAccount        *account,
                                     BuzonSecretKind      kind,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (account, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_secrets_lookup_password_async));
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  g_task_run_in_thread (task, lookup_password_worker);
}

char *
buzon_secrets_lookup_password_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_secrets_clear_passwords:
 *
 * Removes every password of @account from the keyring (when an account is removed).
 *
 * Returns: %TRUE on success, also when there was nothing to remove
 */
gboolean
buzon_secrets_clear_passwords (BuzonAccount  *account,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  secret_password_clear_sync (buzon_secrets_get_schema (), cancellable, &local_error,
                              "account", buzon_account_get_name (account),
                              NULL);
  if (local_error != NULL)
    {
      set_keyring_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}
