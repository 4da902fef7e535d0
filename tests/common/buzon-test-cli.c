/* buzon-test-cli.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-test-cli"

#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "buzon-test-cli.h"

struct _BuzonTestCli
{
  char *dir;
};

static const BuzonTestCliOptions default_options = { 0, };

/* A buzon-cli that outlives a test that failed would go on retrying. */
static void
child_setup (gpointer data)
{
  (void)data;
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static GSubprocessLauncher *
launcher_new (BuzonTestCli              *self,
              const BuzonTestCliOptions *options)
{
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  GSubprocessLauncher *launcher;
  g_autofree char *data_home = g_build_filename (self->dir, "data", NULL);
  g_autofree char *config_home = g_build_filename (self->dir, "config", NULL);
  g_autofree char *cache_home = g_build_filename (self->dir, "cache", NULL);

  if (options->input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  for (guint i = 0; options->env != NULL && options->env[i] != NULL; i++)
    {
      const char *equals = strchr (options->env[i], '=');

      if (equals == NULL)
        g_subprocess_launcher_unsetenv (launcher, options->env[i]);
      else
        {
          g_autofree char *name = g_strndup (options->env[i], equals - options->env[i]);

          g_subprocess_launcher_setenv (launcher, name, equals + 1, TRUE);
        }
    }

  /* Known gap, sanitized builds only: a `sync --watch` stopped by SIGTERM
   * under heavy load sometimes leaves one 120-byte GSocketSource (the size of
   * GIO's) unfreed at exit; the fast unwinder stops at g_malloc0, so where it
   * comes from is not found yet (see the README's known gaps). */
  if ((options->flags & BUZON_TEST_CLI_NO_LEAK_CHECK) != 0 && g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  return launcher;
}

/* The binary, then @args, NULL-terminated. */
static GPtrArray *
argv_new (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (g_getenv ("BUZON_BUILD_ROOT"));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("BUZON_BUILD_ROOT"), "src", "cli",
                                           "buzon-cli", NULL));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  return argv;
}

/* Never NULL (g_strndup() of empty GBytes' NULL data would be). */
static char *
bytes_to_string (GBytes *bytes)
{
  gsize length = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

  return length > 0 ? g_strndup (data, length) : g_strdup ("");
}

static void
assert_utf8 (GBytes     *bytes,
             const char *what,
             const char *command)
{
  gsize length = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

  if (length > 0 && !g_utf8_validate_len (data, length, NULL))
    g_error ("%s wrote invalid UTF-8 on %s", command, what);
}

/**
 * buzon_test_cli_new:
 * @tmpl: the name of the profile's directory, for g_dir_make_tmp():
 *   "buzon-cli-imap-XXXXXX"
 *
 * Makes a private profile in a new temporary directory. Fails the test if it
 * cannot.
 *
 * Returns: (transfer full): the profile, empty
 */
BuzonTestCli *
buzon_test_cli_new (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  BuzonTestCli *self = g_new0 (BuzonTestCli, 1);

  self->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);

  return self;
}

/**
 * buzon_test_cli_free:
 * @self: (nullable) (transfer full): the profile
 *
 * Removes the profile's directory with all in it, and frees @self. No
 * buzon-cli of it may run any more.
 */
void
buzon_test_cli_free (BuzonTestCli *self)
{
  g_autofree char *command = NULL;

  if (self == NULL)
    return;

  command = g_strdup_printf ("rm -rf '%s'", self->dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (self->dir);
  g_free (self);
}

/**
 * buzon_test_cli_get_dir:
 * @self: the profile
 *
 * Returns: the profile's directory; the test may put files of its own there
 */
const char *
buzon_test_cli_get_dir (BuzonTestCli *self)
{
  return self->dir;
}

/**
 * buzon_test_cli_dup_store_path:
 * @self: the profile
 *
 * Returns: (transfer full): where the profile's store is (or will be, once a
 *   buzon-cli made it): data/buzon/buzon.db in the profile
 */
char *
buzon_test_cli_dup_store_path (BuzonTestCli *self)
{
  return g_build_filename (self->dir, "data", "buzon", "buzon.db", NULL);
}

/**
 * buzon_test_cli_open_store:
 * @self: the profile
 *
 * Opens the profile's store, to check or put there what the CLI cannot say or
 * do. Drop it before the next buzon-cli of the profile runs (with
 * buzon_test_finalize_object() if its workers must be gone). Fails the test
 * if it cannot be opened.
 *
 * Returns: (transfer full): the store
 */
BuzonStore *
buzon_test_cli_open_store (BuzonTestCli *self)
{
  g_autofree char *path = buzon_test_cli_dup_store_path (self);
  g_autoptr(GError) error = NULL;
  BuzonStore *store = buzon_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/**
 * buzon_test_cli_describe:
 * @args: (array zero-terminated=1) (nullable): buzon-cli's arguments
 *
 * Returns: (transfer full): the command, for messages: "buzon-cli 'sync' 'Casa'"
 */
char *
buzon_test_cli_describe (const char * const *args)
{
  g_autoptr(GString) text = g_string_new ("buzon-cli");

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_string_append_printf (text, " '%s'", args[i]);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * buzon_test_cli_runv:
 * @self: the profile
 * @options: (nullable): how to run it; %NULL for the defaults
 * @args: (array zero-terminated=1): buzon-cli's arguments, without the binary
 * @result: (out caller-allocates): zeroed; what the run did
 *
 * Runs buzon-cli to its end, with @options->input on stdin, and records its
 * exit status and output in @result. Logs the command and its status
 * (g_test_message()). Unless @options has %BUZON_TEST_CLI_SIGNAL_OK, a run
 * killed by a signal fails the test.
 */
void
buzon_test_cli_runv (BuzonTestCli              *self,
                     const BuzonTestCliOptions *options,
                     const char * const        *args,
                     BuzonTestCliResult        *result)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = argv_new (args);
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = buzon_test_cli_describe (args);

  if (options == NULL)
    options = &default_options;

  launcher = launcher_new (self, options);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  if (options->input != NULL)
    input = g_bytes_new (options->input, strlen (options->input));
  g_subprocess_communicate (process, input, NULL, &result->out_bytes, &err, &error);
  g_assert_no_error (error);

  if ((options->flags & BUZON_TEST_CLI_UTF8) != 0)
    {
      assert_utf8 (result->out_bytes, "stdout", command);
      assert_utf8 (err, "stderr", command);
    }
  result->out = bytes_to_string (result->out_bytes);
  result->err = bytes_to_string (err);

  if (g_subprocess_get_if_exited (process))
    {
      result->status = g_subprocess_get_exit_status (process);
      result->signal = 0;
      g_test_message ("%s → %d", command, result->status);
    }
  else
    {
      result->status = -1;
      result->signal = g_subprocess_get_term_sig (process);
      g_test_message ("%s → signal %d", command, result->signal);
      if ((options->flags & BUZON_TEST_CLI_SIGNAL_OK) == 0)
        g_error ("%s was killed by signal %d:\n%s", command, result->signal, result->err);
    }
}

/**
 * buzon_test_cli_run_valist:
 * @self: the profile
 * @options: (nullable): how to run it
 * @result: (out caller-allocates): zeroed; what the run did
 * @first: (nullable): the first argument
 * @args: the others, up to a %NULL
 *
 * buzon_test_cli_runv() with the arguments of a variadic function.
 */
void
buzon_test_cli_run_valist (BuzonTestCli              *self,
                           const BuzonTestCliOptions *options,
                           BuzonTestCliResult        *result,
                           const char                *first,
                           va_list                    args)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (array, (gpointer)arg);
  g_ptr_array_add (array, NULL);

  buzon_test_cli_runv (self, options, (const char * const *)array->pdata, result);
}

/**
 * buzon_test_cli_run:
 * @self: the profile
 * @result: (out caller-allocates): zeroed; what the run did
 * @...: buzon-cli's arguments, then %NULL
 *
 * buzon_test_cli_runv() with the default options: stdin from /dev/null, and
 * being killed by a signal fails the test.
 */
void
buzon_test_cli_run (BuzonTestCli       *self,
                    BuzonTestCliResult *result,
                    ...)
{
  va_list args;

  va_start (args, result);
  buzon_test_cli_run_valist (self, NULL, result, va_arg (args, const char *), args);
  va_end (args);
}

/**
 * buzon_test_cli_run_full:
 * @self: the profile
 * @options: (nullable): how to run it
 * @result: (out caller-allocates): zeroed; what the run did
 * @...: buzon-cli's arguments, then %NULL
 *
 * buzon_test_cli_runv() with the arguments in place.
 */
void
buzon_test_cli_run_full (BuzonTestCli              *self,
                         const BuzonTestCliOptions *options,
                         BuzonTestCliResult        *result,
                         ...)
{
  va_list args;

  va_start (args, result);
  buzon_test_cli_run_valist (self, options, result, va_arg (args, const char *), args);
  va_end (args);
}

/**
 * buzon_test_cli_spawnv:
 * @self: the profile
 * @options: (nullable): how to run it; @options->input must be %NULL (write
 *   to the child's stdin pipe instead)
 * @args: (array zero-terminated=1): buzon-cli's arguments, without the binary
 *
 * Starts buzon-cli and leaves it running (`sync --watch`): read its stdout
 * and stderr pipes, stop it with a signal and g_subprocess_wait_async().
 *
 * Returns: (transfer full): the child, with stdout and stderr piped
 */
GSubprocess *
buzon_test_cli_spawnv (BuzonTestCli              *self,
                       const BuzonTestCliOptions *options,
                       const char * const        *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = argv_new (args);
  g_autoptr(GError) error = NULL;
  g_autofree char *command = buzon_test_cli_describe (args);
  GSubprocess *process;

  if (options == NULL)
    options = &default_options;
  g_assert_null (options->input);

  launcher = launcher_new (self, options);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_test_message ("%s started", command);

  return process;
}

/**
 * buzon_test_cli_result_clear:
 * @result: a result
 *
 * Frees what @result holds and zeroes it, so it can be used again.
 */
void
buzon_test_cli_result_clear (BuzonTestCliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->out_bytes, g_bytes_unref);
  g_clear_pointer (&result->err, g_free);
  result->status = 0;
  result->signal = 0;
}
