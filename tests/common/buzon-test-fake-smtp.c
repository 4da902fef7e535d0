/* buzon-test-fake-smtp.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "buzon-test-fake-smtp.h"

/**
 * buzon_test_fake_smtp_stop:
 * @self: (nullable): a fake server
 *
 * Stops it (closing its stdin ends it) and removes its log.
 */
void
buzon_test_fake_smtp_stop (BuzonTestFakeSmtp *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      GSubprocess *process = self->process;

      g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
      g_subprocess_wait (process, NULL, NULL);
      g_object_unref (process);
    }
  if (self->log != NULL)
    g_unlink (self->log);
  if (self->dir != NULL)
    g_rmdir (self->dir);
  g_free (self->log);
  g_free (self->dir);
  g_free (self);
}

/**
 * buzon_test_fake_smtp_start:
 * @first_arg: (nullable): the first option of fake-smtp.py, then more,
 *   %NULL-terminated
 *
 * Starts the scripted server and waits until it listens. Fails the test if
 * it cannot.
 *
 * Returns: (transfer full): the server
 */
BuzonTestFakeSmtp *
buzon_test_fake_smtp_start (const char *first_arg,
                            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  BuzonTestFakeSmtp *self = g_new0 (BuzonTestFakeSmtp, 1);
  GSubprocess *process;
  va_list ap;

  self->dir = g_dir_make_tmp ("buzon-fake-smtp-XXXXXX", &error);
  g_assert_no_error (error);
  self->log = g_build_filename (self->dir, "commands.log", NULL);

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "common", "fake-smtp.py", NULL));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (self->log));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *)argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  self->process = process;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  self->port = (guint)g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (self->port, >, 0);

  return self;
}

/**
 * buzon_test_fake_smtp_commands:
 *
 * Returns: (transfer full): every line a client sent so far, one per line
 *   (the data as "DATA-BYTES n")
 */
char *
buzon_test_fake_smtp_commands (BuzonTestFakeSmtp *self)
{
  char *contents = NULL;

  if (!g_file_get_contents (self->log, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}
