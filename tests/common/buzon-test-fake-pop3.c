/* buzon-test-fake-pop3.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-test-fake-pop3"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "buzon-test-fake-pop3.h"
#include "buzon-test-servers.h"

/* How long the script may take to listen (a loaded CI machine starts Python
 * slowly). */
#define START_TIMEOUT_USEC (20 * G_USEC_PER_SEC)

struct _BuzonTestFakePop3
{
  GSubprocess *process;
  char        *state_dir;     /* port file, log, stderr; removed at stop */
  char        *messages_dir;
  char        *log_file;
  char        *user;
  char        *password;
  gboolean     maildir;
  gboolean     keep;
  guint16      port;
};

static char *
get_script_path (void)
{
  const char *root = g_getenv ("BUZON_SOURCE_ROOT");

  if (root == NULL || *root == '\0')
    root = BUZON_TEST_SOURCE_ROOT;

  return g_build_filename (root, "tests", "common", "fake-pop3.py", NULL);
}

static const char *
get_python (void)
{
  const char *python = g_getenv ("BUZON_TEST_PYTHON");

  if (python != NULL && *python != '\0')
    return python;
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return "/usr/bin/python3";

  return "python3";
}

/* Removes PATH and everything under it; what cannot be removed stays. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
buzon_test_fake_pop3_free (BuzonTestFakePop3 *self)
{
  g_clear_object (&self->process);
  g_free (self->state_dir);
  g_free (self->messages_dir);
  g_free (self->log_file);
  g_free (self->user);
  g_free (self->password);
  g_free (self);
}

static char *
read_stderr (BuzonTestFakePop3 *self)
{
  g_autofree char *path = g_build_filename (self->state_dir, "stderr.log", NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  return g_strstrip (g_steal_pointer (&contents));
}

/* The value after OPTION in ARGS (the last one, as argparse takes it). */
static const char *
find_option (const char * const *args,
             const char         *option,
             const char         *fallback)
{
  const char *value = fallback;

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      if (g_str_equal (args[i], option) && args[i + 1] != NULL)
        value = args[++i];
    }

  return value;
}

/**
 * buzon_test_fake_pop3_start:
 * @messages_dir: (nullable): the directory to serve (*.eml files, or a Maildir
 *   with %BUZON_TEST_FAKE_POP3_MAILDIR); %NULL for a new empty one, removed at
 *   stop (see buzon_test_fake_pop3_add_message())
 * @flags: the behaviours without a value
 * @extra_args: (nullable) (array zero-terminated=1): more options of
 *   fake-pop3.py, such as "--garbage", "retr", "--slow", "200", "--tls",
 *   CERT, KEY (the key_file and cert_file of a BuzonTestServers' info serve)
 * @error: return location for an error
 *
 * Starts the server on 127.0.0.1 and a port the kernel picks, and waits until
 * it listens.
 *
 * Returns: (transfer full) (nullable): the running server
 */
BuzonTestFakePop3 *
buzon_test_fake_pop3_start (const char              *messages_dir,
                            BuzonTestFakePop3Flags   flags,
                            const char * const      *extra_args,
                            GError                 **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *stderr_file = NULL;
  BuzonTestFakePop3 *self;
  gint64 deadline;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (BuzonTestFakePop3, 1);
  self->keep = g_strcmp0 (g_getenv ("BUZON_TEST_KEEP_SERVERS"), "1") == 0;
  self->maildir = (flags & BUZON_TEST_FAKE_POP3_MAILDIR) != 0;
  self->user = g_strdup (find_option (extra_args, "--user", BUZON_TEST_FAKE_POP3_USER));
  self->password = g_strdup (find_option (extra_args, "--password",
                                          BUZON_TEST_FAKE_POP3_PASSWORD));
  self->state_dir = g_dir_make_tmp ("buzon-fake-pop3-XXXXXX", error);
  if (self->state_dir == NULL)
    {
      buzon_test_fake_pop3_free (self);
      return NULL;
    }
  if (messages_dir != NULL)
    {
      self->messages_dir = g_strdup (messages_dir);
    }
  else
    {
      self->messages_dir = g_build_filename (self->state_dir, "messages", NULL);
      g_mkdir (self->messages_dir, 0700);
    }
  port_file = g_build_filename (self->state_dir, "port", NULL);
  stderr_file = g_build_filename (self->state_dir, "stderr.log", NULL);
  self->log_file = g_build_filename (self->state_dir, "log.jsonl", NULL);

  args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup (get_python ()));
  g_ptr_array_add (args, get_script_path ());
  g_ptr_array_add (args, g_strdup (self->maildir ? "--maildir" : "--messages"));
  g_ptr_array_add (args, g_strdup (self->messages_dir));
  g_ptr_array_add (args, g_strdup ("--port-file"));
  g_ptr_array_add (args, g_strdup (port_file));
  g_ptr_array_add (args, g_strdup ("--log"));
  g_ptr_array_add (args, g_strdup (self->log_file));
  g_ptr_array_add (args, g_strdup_printf ("--parent-pid=%d", (int) getpid ()));
  g_ptr_array_add (args, g_strdup ("--user"));
  g_ptr_array_add (args, g_strdup (self->user));
  g_ptr_array_add (args, g_strdup ("--password"));
  g_ptr_array_add (args, g_strdup (self->password));
  if (flags & BUZON_TEST_FAKE_POP3_NO_UIDL)
    g_ptr_array_add (args, g_strdup ("--no-uidl"));
  if (flags & BUZON_TEST_FAKE_POP3_NO_TOP)
    g_ptr_array_add (args, g_strdup ("--no-top"));
  if (flags & BUZON_TEST_FAKE_POP3_NO_CAPA)
    g_ptr_array_add (args, g_strdup ("--no-capa"));
  if (flags & BUZON_TEST_FAKE_POP3_APOP)
    g_ptr_array_add (args, g_strdup ("--apop"));
  if (flags & BUZON_TEST_FAKE_POP3_DROP_AFTER_DELE)
    g_ptr_array_add (args, g_strdup ("--drop-after-dele"));
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    {
      /* --user and --password were given above, with the same values. */
      if ((g_str_equal (extra_args[i], "--user") || g_str_equal (extra_args[i], "--password")) &&
          extra_args[i + 1] != NULL)
        {
          i++;
          continue;
        }
      g_ptr_array_add (args, g_strdup (extra_args[i]));
    }
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_file);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                                &local_error);
  if (self->process == NULL)
    {
      g_set_error (error, BUZON_TEST_SERVERS_ERROR,
                   g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT)
                     ? BUZON_TEST_SERVERS_ERROR_UNAVAILABLE
                     : BUZON_TEST_SERVERS_ERROR_FAILED,
                   "Cannot run %s: %s", (const char *) g_ptr_array_index (args, 0),
                   local_error->message);
      buzon_test_fake_pop3_stop (self);
      return NULL;
    }

  /* The script writes the port file (atomically) once it listens. */
  deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;
  while (self->port == 0)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (port_file, &contents, NULL, NULL))
        {
          guint64 port = g_ascii_strtoull (contents, NULL, 10);

          if (port > 0 && port <= G_MAXUINT16)
            {
              self->port = (guint16) port;
              break;
            }
        }
      if (g_subprocess_get_identifier (self->process) == NULL ||
          g_get_monotonic_time () > deadline)
        {
          g_autofree char *output = read_stderr (self);

          g_set_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED,
                       "fake-pop3.py %s: %s",
                       g_subprocess_get_identifier (self->process) == NULL
                         ? "exited before listening" : "did not listen in time",
                       output);
          buzon_test_fake_pop3_stop (self);
          return NULL;
        }
      g_usleep (10 * 1000);
    }

  if (self->keep)
    g_test_message ("fake POP3 server kept in %s", self->state_dir);

  return self;
}

/**
 * buzon_test_fake_pop3_stop:
 * @self: (nullable) (transfer full): the server
 *
 * Stops the server, waits for it, removes its state directory (and the
 * messages directory it made) unless BUZON_TEST_KEEP_SERVERS=1, and frees
 * @self.
 */
void
buzon_test_fake_pop3_stop (BuzonTestFakePop3 *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  if (self->state_dir != NULL && !self->keep)
    remove_tree (self->state_dir);

  buzon_test_fake_pop3_free (self);
}

/**
 * buzon_test_fake_pop3_get_host:
 *
 * Returns: "127.0.0.1"
 */
const char *
buzon_test_fake_pop3_get_host (BuzonTestFakePop3 *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return "127.0.0.1";
}

/**
 * buzon_test_fake_pop3_get_port:
 *
 * Returns: the port the server listens on
 */
guint16
buzon_test_fake_pop3_get_port (BuzonTestFakePop3 *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * buzon_test_fake_pop3_get_messages_dir:
 *
 * Returns: the directory served as the mailbox
 */
const char *
buzon_test_fake_pop3_get_messages_dir (BuzonTestFakePop3 *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->messages_dir;
}

/**
 * buzon_test_fake_pop3_get_user:
 *
 * Returns: the user name that logs in
 */
const char *
buzon_test_fake_pop3_get_user (BuzonTestFakePop3 *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->user;
}

/**
 * buzon_test_fake_pop3_get_password:
 *
 * Returns: the user's password
 */
const char *
buzon_test_fake_pop3_get_password (BuzonTestFakePop3 *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->password;
}

/**
 * buzon_test_fake_pop3_add_message:
 * @name: the file's name without ".eml"; also its UIDL when that is a valid
 *   one (1 to 70 printable ASCII characters, no spaces). Messages are served
 *   in the order of their names.
 * @message: the message (LF or CRLF line ends)
 *
 * Adds a message to a *.eml mailbox (written atomically, so a session that
 * starts meanwhile sees it whole or not at all); sessions that log in from now
 * on see it.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_fake_pop3_add_message (BuzonTestFakePop3  *self,
                                  const char         *name,
                                  GBytes             *message,
                                  GError            **error)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL && strchr (name, '/') == NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (!self->maildir, FALSE);

  file = g_strconcat (name, ".eml", NULL);
  path = g_build_filename (self->messages_dir, file, NULL);
  data = g_bytes_get_data (message, &length);

  return g_file_set_contents (path, data, (gssize) length, error);
}

/**
 * buzon_test_fake_pop3_count_messages:
 *
 * Returns: how many messages the mailbox has now (*.eml files, or files in
 *   the Maildir's new/ and cur/): DELEted ones count until a QUIT removes them
 */
guint
buzon_test_fake_pop3_count_messages (BuzonTestFakePop3 *self)
{
  const char *subdirs_eml[] = { "", NULL };
  const char *subdirs_maildir[] = { "new", "cur", NULL };
  const char **subdirs;
  guint count = 0;

  g_return_val_if_fail (self != NULL, 0);

  subdirs = self->maildir ? subdirs_maildir : subdirs_eml;
  for (guint i = 0; subdirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (self->messages_dir, subdirs[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          if (self->maildir ? name[0] != '.' : g_str_has_suffix (name, ".eml"))
            count++;
        }
    }

  return count;
}

/**
 * buzon_test_fake_pop3_get_events:
 *
 * What the server logged so far, one object per event, in order: {time,
 * session (1, 2, … per connection), event: "connect", "command" (with "line",
 * as the client sent it, passwords included), "update" (with "deleted": the
 * file names removed at QUIT) or "close"}.
 *
 * Returns: (transfer full) (nullable): a JSON array
 */
JsonNode *
buzon_test_fake_pop3_get_events (BuzonTestFakePop3  *self,
                                 GError            **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonArray) events = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  events = json_array_new ();
  if (!g_file_get_contents (self->log_file, &contents, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      contents = g_strdup ("");
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = NULL;

      /* The last line may be half written while a session runs. */
      if (*lines[i] == '\0' || lines[i + 1] == NULL)
        continue;
      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, lines[i], -1, error))
        return NULL;
      json_array_add_element (events, json_parser_steal_root (parser));
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, events);

  return node;
}

/**
 * buzon_test_fake_pop3_dup_commands:
 *
 * Returns: (transfer full): every command line clients sent so far, over all
 *   sessions, in order (SASL responses included)
 */
char **
buzon_test_fake_pop3_dup_commands (BuzonTestFakePop3 *self)
{
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  g_return_val_if_fail (self != NULL, NULL);

  events = buzon_test_fake_pop3_get_events (self, NULL);
  if (events == NULL)
    return g_strv_builder_end (builder);

  array = json_node_get_array (events);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *event = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (event, "event"), "command") == 0)
        g_strv_builder_add (builder, json_object_get_string_member (event, "line"));
    }

  return g_strv_builder_end (builder);
}
