/* buzon-cli.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon-cli: everything Buzón does, headless, for scripts, tests and
 * benchmarks. This file parses the command line and dispatches to the
 * command groups (buzon-cli-account.c, …). Errors are one line on stderr
 * and a non-zero exit status: 1 when the command failed, 2 for a usage error.
 */

#define G_LOG_DOMAIN "buzon-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "buzon-cli-private.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "account", _buzon_cli_account, N_("Add, list and remove mail accounts") },
  { "sync", _buzon_cli_sync, N_("Send queued changes and fetch new mail (IMAP); --watch stays") },
  { "folders", _buzon_cli_folders, N_("List an account’s folders") },
  { "list", _buzon_cli_list, N_("List the messages of a folder") },
  { "show", _buzon_cli_show, N_("Show a message") },
  { "search", _buzon_cli_search, N_("Find messages, here or on the server") },
  { "flag", _buzon_cli_flag, N_("Mark messages read, unread, flagged, …") },
  { "move", _buzon_cli_move, N_("Move messages to another folder") },
  { "copy", _buzon_cli_copy, N_("Copy messages to another folder") },
  { "delete", _buzon_cli_delete, N_("Delete messages (to Trash)") },
  { "mkdir", _buzon_cli_mkdir, N_("Create a folder") },
  { "rmdir", _buzon_cli_rmdir, N_("Delete a folder") },
  { "rename", _buzon_cli_rename, N_("Rename or move a folder") },
  { "append", _buzon_cli_append, N_("Put a message file into a folder") },
  { "send", _buzon_cli_send, N_("Write a message and send it") },
  { "outbox", _buzon_cli_outbox, N_("List, retry or drop messages waiting to be sent") },
  { "detect", _buzon_cli_detect, N_("Find the mail servers of an address") },
};

void
_buzon_cli_error (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line: a multi-line message would break scripts that read stderr. */
  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("buzon-cli: %s\n", message);
}

int
_buzon_cli_usage_error (const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _buzon_cli_error (_("%s (see “buzon-cli --help”)"), message);
  return BUZON_CLI_EXIT_USAGE;
}

/* Runs @context over argv[from..]; *out_args gets argv[0] and the positional arguments. */
gboolean
_buzon_cli_parse (GOptionContext   *context,
                  int               argc,
                  char            **argv,
                  int               from,
                  GStrv            *out_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_null_terminated (argc, g_free, TRUE);
  g_auto(GStrv) strv = NULL;

  g_ptr_array_add (args, g_strdup (argv[0]));
  for (int i = from; i < argc; i++)
    g_ptr_array_add (args, g_strdup (argv[i]));

  strv = (GStrv)g_ptr_array_steal (args, NULL);

  /* GOptionContext rearranges strv and frees the options it consumed. */
  if (!g_option_context_parse_strv (context, &strv, &error))
    {
      _buzon_cli_usage_error ("%s", error->message);
      return FALSE;
    }

  *out_args = g_steal_pointer (&strv);
  return TRUE;
}

/**
 * _buzon_cli_prepare:
 * @context: the command's options
 * @n_args: how many positional arguments the command takes
 * @arity_error: the usage error when the count differs
 * @out_args: (out): argv[0] and the positional arguments
 * @out_store: (out) (optional): the opened store, when the command needs it
 *
 * The start every command shares: options (from argv[2] on: argv[0] is the
 * command group, argv[1] the command), the positional count, the store.
 *
 * Returns: %BUZON_CLI_EXIT_OK, or the exit status to end with (the error
 *   was printed)
 */
int
_buzon_cli_prepare (GOptionContext  *context,
                    int              argc,
                    char           **argv,
                    guint            n_args,
                    const char      *arity_error,
                    GStrv           *out_args,
                    BuzonStore     **out_store)
{
  g_autoptr(GError) error = NULL;

  if (!_buzon_cli_parse (context, argc, argv, 2, out_args))
    return BUZON_CLI_EXIT_USAGE;

  if (g_strv_length (*out_args) != n_args + 1)
    return _buzon_cli_usage_error ("%s", arity_error);

  if (out_store == NULL)
    return BUZON_CLI_EXIT_OK;

  *out_store = buzon_store_open (NULL, &error);
  if (*out_store == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  return BUZON_CLI_EXIT_OK;
}

/* Returns: (transfer full) (nullable): the account, or NULL with the error printed */
BuzonAccount *
_buzon_cli_lookup_account (BuzonStore *store,
                           const char *name)
{
  g_autoptr(GError) error = NULL;
  BuzonAccount *account;

  account = buzon_store_lookup_account (store, name, &error);
  if (account == NULL)
    _buzon_cli_error ("%s", error->message);

  return account;
}

void
_buzon_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

#if defined(__SANITIZE_ADDRESS__) && defined(__linux__)
/* GLib thread-pool workers alive now. */
static guint
count_pool_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) &&
          g_str_has_prefix (comm, "pool-") && !g_str_has_prefix (comm, "pool-spawner"))
        count++;
    }

  return count;
}
#endif

/* AddressSanitizer builds only. LeakSanitizer of GCC 12 (Debian 12) crashes
 * at exit ("Tracer caught signal 11") scanning the dynamic TLS of the
 * thread-pool worker that ran a GnuTLS handshake (glib-networking runs
 * asynchronous handshakes in one; the POP3 check runs in one too): a
 * sanitizer bug, not a leak, that made every connecting command die in those
 * builds. The tests work around it the same way
 * (tests/integration/test-connection.c): let the idle workers go before
 * exiting. */
void
_buzon_cli_let_pool_threads_exit (void)
{
#if defined(__SANITIZE_ADDRESS__) && defined(__linux__)
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_threads () > 0 && g_get_monotonic_time () < deadline)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (G_USEC_PER_SEC / 20);
    }
#endif
}

static void
print_help (void)
{
  g_print ("%s\n", _("Usage: buzon-cli [--version] [--help] COMMAND [ARGS…]"));
  g_print ("\n%s\n", _("Buzón’s mail engine, without windows: for scripts, tests and benchmarks."));
  g_print ("\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_print ("\n%s\n", _("Run “buzon-cli COMMAND --help” for a command’s options."));
  g_print ("\n%s\n", _("Data lives in $XDG_DATA_HOME/buzon; passwords in the desktop keyring "
                       "or come from --password-command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("buzon-cli");

  if (argc < 2)
    {
      print_help ();
      return BUZON_CLI_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      return BUZON_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "-V"))
    {
      g_print ("buzon-cli %s\n", PACKAGE_VERSION);
      return BUZON_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (argc - 1, argv + 1);
    }

  return _buzon_cli_usage_error (_("unknown command “%s”"), argv[1]);
}
