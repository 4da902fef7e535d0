/* test-cli-imap.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drives the real buzon-cli binary's mail commands (sync and sync --watch,
 * folders, list, show, search, flag, move, copy, delete, append, mkdir,
 * rmdir, rename) against a private Dovecot per test, as a script would: a private XDG profile, an
 * account with a --password-command, the server's certificate pinned with
 * `account trust --fingerprint`. Every result is checked twice: in what the
 * CLI prints (--json) and in the server's own state, read over a second,
 * independent IMAP session (buzon_test_servers_get_state()).
 *
 * The "minimal" profile is a Dovecot that advertises IMAP4rev1 only, so the
 * engine's fallbacks run there (COPY+STORE+EXPUNGE for MOVE, Message-ID
 * searches for COPYUID, whole FLAGS fetches for CONDSTORE, NOOP polling for
 * IDLE); its raw logs prove the client did not use what was not advertised.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "buzon-account.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-cli.h"
#include "buzon-test-servers.h"

#define ADDRESS "bruno@example.test"
#define ACCOUNT "Correo"

typedef struct
{
  BuzonTestCli     *cli;        /* the private profile */
  BuzonTestServers *servers;
  guint             port;       /* IMAPS; new after a restart of the servers */
  guint             delivered;  /* messages appended so far: their dates */
  gboolean          remove_dir; /* the servers' directory is ours to remove */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->cli = buzon_test_cli_new ("buzon-cli-imap-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->servers != NULL && fixture->remove_dir)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      node = buzon_test_servers_run (fixture->servers, NULL, &error, "stop", "--remove", NULL);
      g_assert_no_error (error);
    }
  g_clear_pointer (&fixture->servers, buzon_test_servers_stop);
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
}

/* Servers of @profile for this test; FALSE when they cannot run (skipped). */
static gboolean
start_servers (Fixture            *fixture,
               const char         *profile,
               const char * const *extra_args)
{
  fixture->servers = buzon_test_servers_start_or_skip (profile, extra_args);
  if (fixture->servers == NULL)
    return FALSE;

  fixture->port = buzon_test_servers_get_port (fixture->servers, "imaps");
  return TRUE;
}

/* Running buzon-cli: being killed by a signal fails the test (the
 * BuzonTestCli default). */

typedef enum
{
  EXPECT_OK,         /* exit 0, whatever is on stderr (progress) */
  EXPECT_QUIET,      /* exit 0, nothing on stderr: done on the server too */
  EXPECT_SAVED,      /* exit 0, "Saved here": the server was not reachable */
} Expect;

static char *
cli_expect (Fixture    *fixture,
            Expect      expect,
            const char *first,
            va_list     args)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *command = NULL;

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  g_ptr_array_add (argv, NULL);
  command = buzon_test_cli_describe ((const char * const *)argv->pdata);

  buzon_test_cli_runv (fixture->cli, NULL, (const char * const *)argv->pdata, &result);

  if (result.status != 0)
    g_error ("%s exited with %d:\n%s%s", command, result.status, result.out, result.err);
  if (expect == EXPECT_OK && strstr (result.err, "buzon-cli:") != NULL)
    g_error ("%s reported a problem: %s", command, result.err);
  if (expect == EXPECT_QUIET && *result.err != '\0')
    g_error ("%s said on stderr: %s", command, result.err);
  if (expect == EXPECT_SAVED && !g_str_has_prefix (result.err, "Saved here."))
    g_error ("%s did not say it saved the change here: “%s”", command, result.err);

  return g_steal_pointer (&result.out);
}

/* Runs buzon-cli, which must succeed; returns its stdout. */
static char *
cli_ok (Fixture    *fixture,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

static char *
cli_ok (Fixture    *fixture,
        const char *first,
        ...)
{
  va_list args;
  char *out;

  va_start (args, first);
  out = cli_expect (fixture, EXPECT_OK, first, args);
  va_end (args);

  return out;
}

/* An operation on mail: must succeed here and on the server, silently. */
static void
cli_op (Fixture    *fixture,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

static void
cli_op (Fixture    *fixture,
        const char *first,
        ...)
{
  g_autofree char *out = NULL;
  va_list args;

  va_start (args, first);
  out = cli_expect (fixture, EXPECT_QUIET, first, args);
  va_end (args);
}

/* An operation while the server is away: must succeed, saved for later. */
static void
cli_offline (Fixture    *fixture,
             const char *first,
             ...) G_GNUC_NULL_TERMINATED;

static void
cli_offline (Fixture    *fixture,
             const char *first,
             ...)
{
  g_autofree char *out = NULL;
  va_list args;

  va_start (args, first);
  out = cli_expect (fixture, EXPECT_SAVED, first, args);
  va_end (args);
}

/* Must succeed here and on the server, silently; returns its stdout. */
static char *
cli_quiet (Fixture    *fixture,
           const char *first,
           ...) G_GNUC_NULL_TERMINATED;

static char *
cli_quiet (Fixture    *fixture,
           const char *first,
           ...)
{
  va_list args;
  char *out;

  va_start (args, first);
  out = cli_expect (fixture, EXPECT_QUIET, first, args);
  va_end (args);

  return out;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_parser_steal_root (parser);
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("“%s” not in “%s”", fragment, text);
}

/* The account and the local copy */

static void
add_account (Fixture    *fixture,
             const char *name,
             gboolean    full)
{
  g_autofree char *port = g_strdup_printf ("%u", fixture->port);
  g_autofree char *command =
    g_strdup_printf ("echo %s", buzon_test_servers_get_password (fixture->servers, ADDRESS));
  g_autofree char *added = NULL;
  g_autofree char *trusted = NULL;
  const char *host = buzon_test_servers_get_host (fixture->servers);

  if (full)
    added = cli_ok (fixture, "account", "add", name, "--address", ADDRESS, "--protocol", "imap",
                    "--host", host, "--port", port, "--security", "tls",
                    "--password-command", command, "--sync", "full", NULL);
  else
    added = cli_ok (fixture, "account", "add", name, "--address", ADDRESS, "--protocol", "imap",
                    "--host", host, "--port", port, "--security", "tls",
                    "--password-command", command, NULL);

  trusted = cli_ok (fixture, "account", "trust", name, "--fingerprint",
                    buzon_test_servers_get_cert_sha256 (fixture->servers), NULL);
  g_assert_true (strstr (trusted, "Trusted now") != NULL ||
                 strstr (trusted, "trusted already") != NULL);
}

static void
sync_account (Fixture    *fixture,
              const char *name)
{
  g_autofree char *out = cli_ok (fixture, "sync", name, NULL);

  g_assert_cmpstr (out, ==, "");
}

static JsonArray *
local_folders (Fixture    *fixture,
               const char *account)
{
  g_autofree char *out = cli_ok (fixture, "folders", account, "--json", NULL);
  g_autoptr(JsonNode) root = parse_json (out);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

static JsonObject *
local_folder (JsonArray  *folders,
              const char *name)
{
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      if (g_strcmp0 (json_object_get_string_member (folder, "name"), name) == 0)
        return folder;
    }

  return NULL;
}

static JsonArray *
local_list (Fixture    *fixture,
            const char *account,
            const char *folder)
{
  g_autofree char *out = cli_ok (fixture, "list", account, folder, "--json", NULL);
  g_autoptr(JsonNode) root = parse_json (out);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

static char *
message_id (const char *key)
{
  return g_strdup_printf ("<%s@example.test>", key);
}

/* The message @key (its Message-ID's local part) in a list --json array. */
static JsonObject *
local_find (JsonArray  *list,
            const char *key)
{
  g_autofree char *id = message_id (key);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *message = json_array_get_object_element (list, i);

      if (!json_object_get_null_member (message, "message_id") &&
          g_strcmp0 (json_object_get_string_member (message, "message_id"), id) == 0)
        return message;
    }

  return NULL;
}

/* Flags, compared as sets */

enum
{
  FLAG_SEEN = 1 << 0,
  FLAG_ANSWERED = 1 << 1,
  FLAG_FLAGGED = 1 << 2,
  FLAG_DELETED = 1 << 3,
  FLAG_DRAFT = 1 << 4,
};

static const struct
{
  guint       bit;
  const char *imap;
  const char *cli;
} flag_names[] = {
  { FLAG_SEEN, "\\Seen", "seen" },
  { FLAG_ANSWERED, "\\Answered", "answered" },
  { FLAG_FLAGGED, "\\Flagged", "flagged" },
  { FLAG_DELETED, "\\Deleted", "deleted" },
  { FLAG_DRAFT, "\\Draft", "draft" },
};

/* The system flags of a server message (keywords and \Recent aside). */
static guint
server_flags (JsonObject *message)
{
  JsonArray *flags = json_object_get_array_member (message, "flags");
  guint bits = 0;

  for (guint i = 0; i < json_array_get_length (flags); i++)
    for (guint j = 0; j < G_N_ELEMENTS (flag_names); j++)
      if (g_ascii_strcasecmp (json_array_get_string_element (flags, i), flag_names[j].imap) == 0)
        bits |= flag_names[j].bit;

  return bits;
}

static guint
local_flags (JsonObject *message)
{
  JsonArray *flags = json_object_get_array_member (message, "flags");
  guint bits = 0;

  for (guint i = 0; i < json_array_get_length (flags); i++)
    {
      const char *name = json_array_get_string_element (flags, i);
      gboolean known = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (flag_names); j++)
        if (g_str_equal (name, flag_names[j].cli))
          {
            bits |= flag_names[j].bit;
            known = TRUE;
          }
      if (!known)
        g_error ("list --json printed an unknown flag “%s”", name);
    }

  return bits;
}

/* The server */

static const char * const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                            "Aug", "Sep", "Oct", "Nov", "Dec" };

/* RFC 2047 for a non-ASCII subject (short ones: one encoded word). */
static char *
encode_header (const char *text)
{
  g_autofree char *base64 = NULL;

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar)*p >= 0x80)
      {
        base64 = g_base64_encode ((const guchar *)text, strlen (text));
        /* An encoded word is at most 75 characters (RFC 2047 §2). */
        g_assert_cmpuint (strlen ("=?UTF-8?B?") + strlen (base64) + strlen ("?="), <=, 75);
        return g_strdup_printf ("=?UTF-8?B?%s?=", base64);
      }

  return g_strdup (text);
}

/* A message from Ana with Message-ID <@key@example.test>, dated an hour
 * after the one delivered before it (so "newest first" is known). */
static GBytes *
make_message (Fixture    *fixture,
              const char *key,
              const char *subject,
              const char *body,
              GDateTime **out_date)
{
  g_autoptr(GDateTime) first = g_date_time_new_utc (2026, 1, 5, 8, 0, 0);
  g_autoptr(GDateTime) date = g_date_time_add_hours (first, (gint)fixture->delivered++);
  g_autofree char *id = message_id (key);
  g_autofree char *encoded = encode_header (subject);
  g_autofree char *date_text = NULL;
  char *text;

  date_text = g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                               day_names[g_date_time_get_day_of_week (date) - 1],
                               g_date_time_get_day_of_month (date),
                               month_names[g_date_time_get_month (date) - 1],
                               g_date_time_get_year (date), g_date_time_get_hour (date),
                               g_date_time_get_minute (date), g_date_time_get_second (date));

  text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                          "To: Bruno <" ADDRESS ">\r\n"
                          "Subject: %s\r\n"
                          "Message-ID: %s\r\n"
                          "Date: %s\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "\r\n"
                          "%s\r\n",
                          encoded, id, date_text, body);
  if (out_date != NULL)
    *out_date = g_steal_pointer (&date);

  return g_bytes_new_take (text, strlen (text));
}

/* Appends a message (see make_message()) to @mailbox on the server, with
 * @flags (IMAP, space-separated, or NULL); returns its UID. */
static guint32
deliver_full (Fixture     *fixture,
              const char  *mailbox,
              const char  *key,
              const char  *subject,
              const char  *body,
              const char  *flags,
              GBytes     **out_raw)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GBytes) raw = make_message (fixture, key, subject, body, &date);
  g_autoptr(GError) error = NULL;
  guint32 uid;

  uid = buzon_test_servers_append_full (fixture->servers, ADDRESS, mailbox, raw, flags, date,
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);

  if (out_raw != NULL)
    *out_raw = g_steal_pointer (&raw);

  return uid;
}

static guint32
deliver (Fixture    *fixture,
         const char *mailbox,
         const char *key,
         const char *flags)
{
  g_autofree char *subject = g_strdup_printf ("Mensaje %s", key);
  g_autofree char *body = g_strdup_printf ("Texto del mensaje %s.", key);

  return deliver_full (fixture, mailbox, key, subject, body, flags, NULL);
}

static JsonNode *
server_state (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JsonNode *state = buzon_test_servers_get_state (fixture->servers, ADDRESS, NULL, FALSE, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (state));

  return state;
}

static JsonObject *
server_find (JsonNode   *state,
             const char *mailbox,
             const char *key)
{
  g_autofree char *id = message_id (key);

  return buzon_test_state_find_message (state, mailbox, id);
}

static guint
server_count (JsonNode   *state,
              const char *mailbox)
{
  JsonObject *box = buzon_test_state_get_mailbox (state, mailbox);

  g_assert_nonnull (box);
  return json_array_get_length (json_object_get_array_member (box, "messages"));
}

static guint32
server_uid (JsonNode   *state,
            const char *mailbox,
            const char *key)
{
  JsonObject *message = server_find (state, mailbox, key);

  if (message == NULL)
    g_error ("the server has no message %s in “%s”", key, mailbox);

  return (guint32)json_object_get_int_member (message, "uid");
}

static gboolean
server_has_folder (JsonNode   *state,
                   const char *name)
{
  return buzon_test_state_find_folder (state, name) != NULL;
}

/* A change on the server behind the client's back (another device); the
 * call gets &server_error. */
#define SERVER_DOES(call) \
  G_STMT_START { \
    g_autoptr(GError) server_error = NULL; \
    gboolean server_ok = (call); \
    g_assert_no_error (server_error); \
    g_assert_true (server_ok); \
  } G_STMT_END

/* Convergence: the local copy is the server's */

/* Every folder of the server is here and nothing else; every selectable
 * one holds the same messages, with the same UIDs, Message-IDs and flags,
 * and the same counts and UIDVALIDITY. */
static void
assert_converged (Fixture    *fixture,
                  const char *account)
{
  g_autoptr(JsonNode) state = server_state (fixture);
  g_autoptr(JsonArray) folders = local_folders (fixture, account);
  JsonArray *server_folders = json_object_get_array_member (json_node_get_object (state),
                                                            "folders");
  JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                         "mailboxes");
  g_autoptr(GList) names = json_object_get_members (mailboxes);

  for (guint i = 0; i < json_array_get_length (server_folders); i++)
    {
      const char *name = json_object_get_string_member (
        json_array_get_object_element (server_folders, i), "name");

      if (local_folder (folders, name) == NULL)
        g_error ("the server's folder “%s” is not here", name);
    }
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      const char *name = json_object_get_string_member (
        json_array_get_object_element (folders, i), "name");

      if (!server_has_folder (state, name))
        g_error ("the folder “%s” is here but not on the server", name);
    }
  g_assert_cmpuint (json_array_get_length (folders), ==,
                    json_array_get_length (server_folders));

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonObject *box = json_object_get_object_member (mailboxes, name);
      JsonArray *messages = json_object_get_array_member (box, "messages");
      JsonObject *folder = local_folder (folders, name);
      g_autoptr(JsonArray) list = local_list (fixture, account, name);
      g_autoptr(GHashTable) by_uid = g_hash_table_new (g_direct_hash, g_direct_equal);
      guint unseen = 0;

      g_test_message ("converged? “%s”: %u on the server, %u here", name,
                      json_array_get_length (messages), json_array_get_length (list));

      g_assert_nonnull (folder);
      g_assert_cmpint (json_object_get_int_member (folder, "uidvalidity"), ==,
                       json_object_get_int_member (box, "uidvalidity"));

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonObject *message = json_array_get_object_element (list, i);
          guint uid = (guint)json_object_get_int_member (message, "uid");

          if (uid == 0 || g_hash_table_contains (by_uid, GUINT_TO_POINTER (uid)))
            g_error ("“%s” holds a message with UID %u here", name, uid);
          g_hash_table_insert (by_uid, GUINT_TO_POINTER (uid), message);
        }

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonObject *server = json_array_get_object_element (messages, i);
          guint uid = (guint)json_object_get_int_member (server, "uid");
          JsonObject *local = g_hash_table_lookup (by_uid, GUINT_TO_POINTER (uid));

          if (local == NULL)
            g_error ("UID %u of “%s” (%s) is not here", uid, name,
                     json_object_get_string_member (server, "message_id"));
          g_assert_cmpstr (json_object_get_string_member (local, "message_id"), ==,
                           json_object_get_string_member (server, "message_id"));
          if (local_flags (local) != server_flags (server))
            g_error ("UID %u of “%s”: flags %#x here, %#x on the server", uid, name,
                     local_flags (local), server_flags (server));
          if (!(server_flags (server) & FLAG_SEEN))
            unseen++;
        }

      g_assert_cmpuint (json_array_get_length (list), ==, json_array_get_length (messages));
      g_assert_cmpint (json_object_get_int_member (folder, "total"), ==,
                       json_array_get_length (messages));
      g_assert_cmpint (json_object_get_int_member (folder, "unread"), ==, unseen);
    }
}

/* Where @key is here and there: in @folder with @flags, the same UID. */
static void
assert_message (Fixture    *fixture,
                JsonNode   *state,
                const char *account,
                const char *folder,
                const char *key,
                guint       flags)
{
  g_autoptr(JsonArray) list = local_list (fixture, account, folder);
  JsonObject *server = server_find (state, folder, key);
  JsonObject *local = local_find (list, key);

  if (server == NULL)
    g_error ("%s is not in “%s” on the server", key, folder);
  if (local == NULL)
    g_error ("%s is not in “%s” here", key, folder);

  g_assert_cmpint (json_object_get_int_member (local, "uid"), ==,
                   json_object_get_int_member (server, "uid"));
  g_assert_cmpuint (server_flags (server), ==, flags);
  g_assert_cmpuint (local_flags (local), ==, flags);
}

/* @key is in @folder neither here nor on the server. */
static void
assert_no_message (Fixture    *fixture,
                   JsonNode   *state,
                   const char *account,
                   const char *folder,
                   const char *key)
{
  g_autoptr(JsonArray) list = local_list (fixture, account, folder);

  if (server_find (state, folder, key) != NULL)
    g_error ("%s is still in “%s” on the server", key, folder);
  if (local_find (list, key) != NULL)
    g_error ("%s is still in “%s” here", key, folder);
}

static void
assert_folder (Fixture    *fixture,
               JsonNode   *state,
               const char *account,
               const char *name,
               gboolean    exists)
{
  g_autoptr(JsonArray) folders = local_folders (fixture, account);

  if (server_has_folder (state, name) != exists)
    g_error ("the folder “%s” is%s on the server", name, exists ? " not" : "");
  if ((local_folder (folders, name) != NULL) != exists)
    g_error ("the folder “%s” is%s here", name, exists ? " not" : "");
}

static gint64
local_id (Fixture    *fixture,
          const char *account,
          const char *folder,
          const char *key)
{
  g_autoptr(JsonArray) list = local_list (fixture, account, folder);
  JsonObject *message = local_find (list, key);

  if (message == NULL)
    g_error ("%s is not in “%s” here", key, folder);

  return json_object_get_int_member (message, "id");
}

/* 1. A full sync */

static void
test_full_sync (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GBytes) raw_cancion = NULL;
  g_autoptr(GBytes) raw_informe = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonArray) folders = NULL;
  g_autoptr(JsonArray) inbox = NULL;
  g_autoptr(JsonArray) headers_inbox = NULL;
  g_autoptr(JsonNode) limited = NULL;
  g_autoptr(JsonNode) found = NULL;
  g_autoptr(JsonNode) found_body = NULL;
  g_autoptr(JsonNode) not_here = NULL;
  g_autoptr(JsonNode) on_server = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *limited_out = NULL;
  g_autofree char *found_out = NULL;
  g_autofree char *found_body_out = NULL;
  g_autofree char *not_here_out = NULL;
  g_autofree char *on_server_out = NULL;
  g_autofree char *uid_text = NULL;
  g_autofree char *informe_uid_text = NULL;
  g_autofree char *informe_text = NULL;
  JsonObject *message;
  guint32 cancion_uid, informe_uid;
  static const struct
  {
    const char *name;
    const char *special_use;
  } specials[] = {
    { "INBOX", "inbox" },
    { "Sent", "sent" },
    { "Drafts", "drafts" },
    { "Trash", "trash" },
    { "Junk", "junk" },
  };

  if (!start_servers (fixture, "full", NULL))
    return;

  cancion_uid = deliver_full (fixture, "INBOX", "cancion", "Canción de cuna",
                              "Una canción para dormir; también murciélago y pingüino.", "\\Seen",
                              &raw_cancion);
  deliver_full (fixture, "INBOX", "nihongo", "日本語のテスト 📁", "こんにちは、世界。",
                "\\Flagged", NULL);
  {
    g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 1, 5, 20, 0, 0);
    g_autoptr(GError) error = NULL;
    const char *text =
      "From: Ana <ana@example.test>\r\n"
      "To: Bruno <" ADDRESS ">\r\n"
      "Subject: =?UTF-8?Q?Reuni=C3=B3n_del_lunes?=\r\n"
      "Message-ID: <informe@example.test>\r\n"
      "Date: Mon, 05 Jan 2026 20:00:00 +0000\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"frontera\"\r\n"
      "\r\n"
      "--frontera\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "El informe va adjunto. Se habl=C3=B3 del presupuesto.\r\n"
      "--frontera\r\n"
      "Content-Type: text/plain; charset=utf-8; name=\"informe.txt\"\r\n"
      "Content-Disposition: attachment; filename=\"informe.txt\"\r\n"
      "\r\n"
      "Cifras y m\xc3\xa1s cifras.\r\n"
      "--frontera--\r\n";

    raw_informe = g_bytes_new_static (text, strlen (text));
    informe_uid = buzon_test_servers_append_full (fixture->servers, ADDRESS, "INBOX",
                                                  raw_informe, "\\Answered \\Seen", date, NULL,
                                                  &error);
    g_assert_no_error (error);
  }
  deliver (fixture, "Sent", "enviado", "\\Seen");
  deliver (fixture, "Drafts", "borrador", "\\Draft");
  deliver (fixture, "Trash", "tirado", "\\Seen \\Deleted");
  deliver (fixture, "Junk", "basura", NULL);

  add_account (fixture, ACCOUNT, TRUE);
  sync_account (fixture, ACCOUNT);

  /* Folders: the special ones known, counts and UIDVALIDITY as there. */
  state = server_state (fixture);
  folders = local_folders (fixture, ACCOUNT);
  g_assert_cmpuint (json_array_get_length (folders), ==, G_N_ELEMENTS (specials));
  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    {
      JsonObject *folder = local_folder (folders, specials[i].name);
      JsonObject *box = buzon_test_state_get_mailbox (state, specials[i].name);

      g_assert_nonnull (folder);
      g_assert_nonnull (box);
      g_assert_cmpstr (json_object_get_string_member (folder, "special_use"), ==,
                       specials[i].special_use);
      g_assert_cmpstr (json_object_get_string_member (folder, "delimiter"), ==, "/");
      g_assert_cmpint (json_object_get_int_member (folder, "total"), ==,
                       json_object_get_int_member (box, "exists"));
      g_assert_cmpint (json_object_get_int_member (folder, "unread"), ==,
                       json_object_get_int_member (box, "unseen"));
      g_assert_cmpint (json_object_get_int_member (folder, "uidvalidity"), ==,
                       json_object_get_int_member (box, "uidvalidity"));
    }
  assert_converged (fixture, ACCOUNT);

  /* The messages: decoded subjects, flags, bodies downloaded. */
  inbox = local_list (fixture, ACCOUNT, "INBOX");
  g_assert_cmpuint (json_array_get_length (inbox), ==, 3);
  message = local_find (inbox, "cancion");
  g_assert_nonnull (message);
  g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, cancion_uid);
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, "Canción de cuna");
  g_assert_cmpstr (json_object_get_string_member (message, "from"), ==,
                   "Ana <ana@example.test>");
  g_assert_cmpuint (local_flags (message), ==, FLAG_SEEN);
  g_assert_cmpint (json_object_get_int_member (message, "size"), ==,
                   g_bytes_get_size (raw_cancion));
  g_assert_false (json_object_get_boolean_member (message, "has_attachments"));
  assert_contains (json_object_get_string_member (message, "preview"), "Una canción para dormir");
  message = local_find (inbox, "nihongo");
  g_assert_nonnull (message);
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, "日本語のテスト 📁");
  g_assert_cmpuint (local_flags (message), ==, FLAG_FLAGGED);
  message = local_find (inbox, "informe");
  g_assert_nonnull (message);
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, "Reunión del lunes");
  g_assert_cmpuint (local_flags (message), ==, FLAG_SEEN | FLAG_ANSWERED);
  g_assert_true (json_object_get_boolean_member (message, "has_attachments"));
  for (guint i = 0; i < json_array_get_length (inbox); i++)
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (inbox, i),
                                                   "downloaded"));

  /* --limit: the newest first. */
  limited_out = cli_ok (fixture, "list", ACCOUNT, "INBOX", "--limit", "2", "--json", NULL);
  limited = parse_json (limited_out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (limited)), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (limited), 0),
                     "message_id"), ==, "<informe@example.test>");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (limited), 1),
                     "message_id"), ==, "<nihongo@example.test>");

  /* show --raw: the very bytes; show: the text. */
  uid_text = g_strdup_printf ("%u", cancion_uid);
  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (fixture->cli, &result, "show", ACCOUNT, "INBOX", uid_text, "--raw", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_true (g_bytes_equal (result.out_bytes, raw_cancion));
  }
  shown = cli_ok (fixture, "show", ACCOUNT, "INBOX", uid_text, NULL);
  assert_contains (shown, "Subject: Canción de cuna\n");
  assert_contains (shown, "From: Ana <ana@example.test>\n");
  assert_contains (shown, "Una canción para dormir; también murciélago y pingüino.");
  informe_uid_text = g_strdup_printf ("%u", informe_uid);
  informe_text = cli_ok (fixture, "show", ACCOUNT, "INBOX", informe_uid_text, NULL);
  assert_contains (informe_text, "Se habló del presupuesto.");

  /* Local search folds accents, finds words of bodies. */
  found_out = cli_ok (fixture, "search", ACCOUNT, "cancion", "--json", NULL);
  found = parse_json (found_out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);
  message = json_array_get_object_element (json_node_get_array (found), 0);
  g_assert_cmpstr (json_object_get_string_member (message, "message_id"), ==,
                   "<cancion@example.test>");
  g_assert_cmpstr (json_object_get_string_member (message, "folder"), ==, "INBOX");
  found_body_out = cli_ok (fixture, "search", ACCOUNT, "pinguino murcielago", "--json", NULL);
  found_body = parse_json (found_body_out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (found_body)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (json_node_get_array (found_body), 0),
                     "uid"), ==, cancion_uid);

  /* A second account on the same mailbox keeping headers only: nothing to
   * find in bodies here, the server finds it; show downloads on demand. */
  add_account (fixture, "Cabeceras", FALSE);
  sync_account (fixture, "Cabeceras");
  assert_converged (fixture, "Cabeceras");
  headers_inbox = local_list (fixture, "Cabeceras", "INBOX");
  g_assert_cmpuint (json_array_get_length (headers_inbox), ==, 3);
  for (guint i = 0; i < json_array_get_length (headers_inbox); i++)
    g_assert_false (json_object_get_boolean_member (
                      json_array_get_object_element (headers_inbox, i), "downloaded"));
  g_assert_true (json_object_get_boolean_member (local_find (headers_inbox, "informe"),
                                                 "has_attachments"));

  not_here_out = cli_ok (fixture, "search", "Cabeceras", "murcielago", "--json", NULL);
  not_here = parse_json (not_here_out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (not_here)), ==, 0);

  on_server_out = cli_ok (fixture, "search", "Cabeceras", "murciélago", "--server", "--json",
                          NULL);
  on_server = parse_json (on_server_out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (on_server)), ==, 1);
  message = json_array_get_object_element (json_node_get_array (on_server), 0);
  g_assert_cmpstr (json_object_get_string_member (message, "message_id"), ==,
                   "<cancion@example.test>");
  g_assert_cmpstr (json_object_get_string_member (message, "folder"), ==, "INBOX");
  g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, cancion_uid);
  g_assert_false (json_object_get_boolean_member (message, "downloaded"));

  {
    g_auto(BuzonTestCliResult) result = { 0, };
    g_autoptr(JsonArray) after = NULL;

    buzon_test_cli_run (fixture->cli, &result, "show", "Cabeceras", "INBOX", informe_uid_text,
                        "--raw", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_true (g_bytes_equal (result.out_bytes, raw_informe));

    after = local_list (fixture, "Cabeceras", "INBOX");
    g_assert_true (json_object_get_boolean_member (local_find (after, "informe"), "downloaded"));
    g_assert_false (json_object_get_boolean_member (local_find (after, "cancion"), "downloaded"));
  }

  /* Each account searches its own messages only. */
  {
    g_autofree char *out = cli_ok (fixture, "search", ACCOUNT, "presupuesto", "--json", NULL);
    g_autoptr(JsonNode) root = parse_json (out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (root), 0),
                       "message_id"), ==, "<informe@example.test>");
  }

  /* A sync with nothing new changes nothing. */
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
}

/* 2. Every operation */

static void
test_operations (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *uid_a = NULL;
  g_autofree char *uid_b = NULL;
  g_autofree char *uid_c = NULL;
  g_autofree char *uid_d = NULL;

  if (!start_servers (fixture, "full", NULL))
    return;

  uid_a = g_strdup_printf ("%u", deliver (fixture, "INBOX", "a", NULL));
  uid_b = g_strdup_printf ("%u", deliver (fixture, "INBOX", "b", "\\Seen"));
  uid_c = g_strdup_printf ("%u", deliver (fixture, "INBOX", "c", NULL));
  uid_d = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d", NULL));

  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* flag: set, clear ("-seen" is a change, not an option), several at once. */
  cli_op (fixture, "flag", ACCOUNT, "INBOX", uid_a, "+seen", "+flagged", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "a", FLAG_SEEN | FLAG_FLAGGED);
  }
  cli_op (fixture, "flag", ACCOUNT, "INBOX", uid_a, "-seen", NULL);
  cli_op (fixture, "flag", ACCOUNT, "INBOX", uid_b, uid_c, "+answered", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "a", FLAG_FLAGGED);
    assert_message (fixture, state, ACCOUNT, "INBOX", "b", FLAG_SEEN | FLAG_ANSWERED);
    assert_message (fixture, state, ACCOUNT, "INBOX", "c", FLAG_ANSWERED);
  }

  /* move: gone from INBOX, in Junk with the UID it got there (COPYUID). */
  cli_op (fixture, "move", ACCOUNT, "INBOX", uid_b, "Junk", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_no_message (fixture, state, ACCOUNT, "INBOX", "b");
    assert_message (fixture, state, ACCOUNT, "Junk", "b", FLAG_SEEN | FLAG_ANSWERED);
    g_assert_cmpuint (server_count (state, "INBOX"), ==, 3);
  }

  /* copy: in both. */
  cli_op (fixture, "copy", ACCOUNT, "INBOX", uid_c, "Drafts", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "c", FLAG_ANSWERED);
    assert_message (fixture, state, ACCOUNT, "Drafts", "c", FLAG_ANSWERED);
  }

  /* delete: to Trash; from Trash, for good. */
  cli_op (fixture, "delete", ACCOUNT, "INBOX", uid_d, NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);
    g_autofree char *trash_uid = NULL;

    assert_no_message (fixture, state, ACCOUNT, "INBOX", "d");
    assert_message (fixture, state, ACCOUNT, "Trash", "d", 0);
    trash_uid = g_strdup_printf ("%u", server_uid (state, "Trash", "d"));
    cli_op (fixture, "delete", ACCOUNT, "Trash", trash_uid, NULL);
  }
  {
    g_autoptr(JsonNode) state = server_state (fixture);
    g_autoptr(JsonArray) trash = local_list (fixture, ACCOUNT, "Trash");

    g_assert_cmpuint (server_count (state, "Trash"), ==, 0);
    g_assert_cmpuint (json_array_get_length (trash), ==, 0);
  }
  assert_converged (fixture, ACCOUNT);

  /* mkdir, nested; a message moved into it. */
  cli_op (fixture, "mkdir", ACCOUNT, "Trabajo/2026", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_folder (fixture, state, ACCOUNT, "Trabajo/2026", TRUE);
    g_assert_true (json_object_get_boolean_member (
                     buzon_test_state_find_folder (state, "Trabajo/2026"), "selectable"));
  }
  cli_op (fixture, "move", ACCOUNT, "INBOX", uid_a, "Trabajo/2026", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "Trabajo/2026", "a", FLAG_FLAGGED);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "a");
  }

  /* rename to another parent path: the messages go along. */
  cli_op (fixture, "rename", ACCOUNT, "Trabajo/2026", "Proyectos/Viejos/2026", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_folder (fixture, state, ACCOUNT, "Trabajo/2026", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Proyectos/Viejos/2026", TRUE);
    assert_message (fixture, state, ACCOUNT, "Proyectos/Viejos/2026", "a", FLAG_FLAGGED);
  }

  /* rename of a folder with a subfolder: the subtree goes along. */
  cli_op (fixture, "mkdir", ACCOUNT, "Clientes", NULL);
  cli_op (fixture, "mkdir", ACCOUNT, "Clientes/Acme", NULL);
  cli_op (fixture, "copy", ACCOUNT, "INBOX", uid_c, "Clientes/Acme", NULL);
  cli_op (fixture, "rename", ACCOUNT, "Clientes", "Cuentas", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_folder (fixture, state, ACCOUNT, "Clientes", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Clientes/Acme", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Cuentas", TRUE);
    assert_folder (fixture, state, ACCOUNT, "Cuentas/Acme", TRUE);
    assert_message (fixture, state, ACCOUNT, "Cuentas/Acme", "c", FLAG_ANSWERED);
  }
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* rmdir: the folder, its subfolders and their messages. */
  cli_op (fixture, "rmdir", ACCOUNT, "Proyectos", NULL);
  cli_op (fixture, "rmdir", ACCOUNT, "Cuentas", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);
    static const char * const gone[] = {
      "Proyectos", "Proyectos/Viejos", "Proyectos/Viejos/2026", "Cuentas", "Cuentas/Acme",
    };

    for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
      assert_folder (fixture, state, ACCOUNT, gone[i], FALSE);
    g_assert_null (buzon_test_state_get_mailbox (state, "Proyectos/Viejos/2026"));
  }
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* Errors: exit 1 for what is not there, 2 for usage. */
  {
    g_auto(BuzonTestCliResult) no_uid = { 0, };
    g_auto(BuzonTestCliResult) no_folder = { 0, };
    g_auto(BuzonTestCliResult) bad_change = { 0, };
    g_auto(BuzonTestCliResult) no_change = { 0, };
    g_auto(BuzonTestCliResult) both = { 0, };

    buzon_test_cli_run (fixture->cli, &no_uid, "flag", ACCOUNT, "INBOX", "9999", "+seen", NULL);
    g_assert_cmpint (no_uid.status, ==, 1);
    assert_contains (no_uid.err, "9999");
    buzon_test_cli_run (fixture->cli, &no_folder, "move", ACCOUNT, "INBOX", uid_c, "Nada", NULL);
    g_assert_cmpint (no_folder.status, ==, 1);
    assert_contains (no_folder.err, "Nada");
    buzon_test_cli_run (fixture->cli, &bad_change, "flag", ACCOUNT, "INBOX", uid_c, "+importante",
                        NULL);
    g_assert_cmpint (bad_change.status, ==, 2);
    assert_contains (bad_change.err, "+importante");
    buzon_test_cli_run (fixture->cli, &no_change, "flag", ACCOUNT, "INBOX", uid_c, NULL);
    g_assert_cmpint (no_change.status, ==, 2);
    buzon_test_cli_run (fixture->cli, &both, "flag", ACCOUNT, "INBOX", uid_c, "+seen", "-seen",
                        NULL);
    g_assert_cmpint (both.status, ==, 2);
  }
}

/* 3. Several devices */

static void
test_several_devices (Fixture       *fixture,
                      gconstpointer  data)
{
  BuzonTestServers *servers;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonArray) kept = NULL;
  g_autofree char *u1 = NULL, *u2 = NULL, *u3 = NULL, *u4 = NULL, *u5 = NULL, *v1 = NULL;
  gint64 id_v1, id_v2;

  if (!start_servers (fixture, "full", NULL))
    return;
  servers = fixture->servers;

  u1 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d1", NULL));
  u2 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d2", "\\Seen"));
  u3 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d3", "\\Flagged"));
  u4 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d4", NULL));
  u5 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "d5", NULL));
  v1 = g_strdup_printf ("%u", deliver (fixture, "Viejo", "v1", NULL));
  deliver (fixture, "Viejo", "v2", "\\Seen");
  deliver (fixture, "Borrar", "b1", NULL);

  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  id_v1 = local_id (fixture, ACCOUNT, "Viejo", "v1");
  id_v2 = local_id (fixture, ACCOUNT, "Viejo", "v2");

  /* Another device. */
  SERVER_DOES (buzon_test_servers_set_flags (servers, ADDRESS, "INBOX", u1, "\\Seen \\Flagged",
                                             BUZON_TEST_FLAGS_ADD, &server_error));
  SERVER_DOES (buzon_test_servers_set_flags (servers, ADDRESS, "INBOX", u2, "\\Seen",
                                             BUZON_TEST_FLAGS_REMOVE, &server_error));
  SERVER_DOES (buzon_test_servers_set_flags (servers, ADDRESS, "INBOX", u3, "\\Answered",
                                             BUZON_TEST_FLAGS_REPLACE, &server_error));
  SERVER_DOES (buzon_test_servers_expunge (servers, ADDRESS, "INBOX", u4, &server_error));
  SERVER_DOES (buzon_test_servers_move (servers, ADDRESS, "INBOX", u5, "Viejo", &server_error));
  SERVER_DOES (buzon_test_servers_set_flags (servers, ADDRESS, "Viejo", v1, "\\Flagged",
                                             BUZON_TEST_FLAGS_ADD, &server_error));
  SERVER_DOES (buzon_test_servers_create_folder (servers, ADDRESS, "Nuevo/Sub",
                                                 &server_error));
  SERVER_DOES (buzon_test_servers_rename_folder (servers, ADDRESS, "Viejo", "Guardado/Viejo",
                                                 &server_error));
  SERVER_DOES (buzon_test_servers_delete_folder (servers, ADDRESS, "Borrar", &server_error));
  deliver (fixture, "INBOX", "d6", NULL);

  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "d1", FLAG_SEEN | FLAG_FLAGGED);
    assert_message (fixture, state, ACCOUNT, "INBOX", "d2", 0);
    assert_message (fixture, state, ACCOUNT, "INBOX", "d3", FLAG_ANSWERED);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "d4");
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "d5");
    assert_message (fixture, state, ACCOUNT, "INBOX", "d6", 0);
    assert_message (fixture, state, ACCOUNT, "Guardado/Viejo", "d5", 0);
    assert_message (fixture, state, ACCOUNT, "Guardado/Viejo", "v1", FLAG_FLAGGED);
    assert_message (fixture, state, ACCOUNT, "Guardado/Viejo", "v2", FLAG_SEEN);
    assert_folder (fixture, state, ACCOUNT, "Viejo", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Borrar", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Nuevo/Sub", TRUE);
  }

  /* The rename was followed: the same messages, not fetched again. */
  g_assert_cmpint (local_id (fixture, ACCOUNT, "Guardado/Viejo", "v1"), ==, id_v1);
  g_assert_cmpint (local_id (fixture, ACCOUNT, "Guardado/Viejo", "v2"), ==, id_v2);
  kept = local_folders (fixture, ACCOUNT);
  g_assert_cmpint (json_object_get_int_member (local_folder (kept, "Guardado/Viejo"), "total"),
                   ==, 3);

  /* A second round, now that the engine knows the folders' modseqs. */
  before = server_state (fixture);
  SERVER_DOES (buzon_test_servers_set_flags (servers, ADDRESS, "INBOX", u1, "\\Flagged",
                                             BUZON_TEST_FLAGS_REMOVE, &server_error));
  {
    g_autofree char *d6 = g_strdup_printf ("%u", server_uid (before, "INBOX", "d6"));

    SERVER_DOES (buzon_test_servers_expunge (servers, ADDRESS, "INBOX", d6, &server_error));
  }
  SERVER_DOES (buzon_test_servers_rename_folder (servers, ADDRESS, "Nuevo", "Otro",
                                                 &server_error));
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "d1", FLAG_SEEN);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "d6");
    assert_folder (fixture, state, ACCOUNT, "Otro/Sub", TRUE);
    assert_folder (fixture, state, ACCOUNT, "Nuevo/Sub", FALSE);
  }
}

/* 4. Offline */

/* Servers of @profile that are stopped and started again on the same
 * directory (same mail, same certificate, new ports), so it must outlive
 * the first stop: the test removes it. */
static gboolean
start_restartable_servers (Fixture    *fixture,
                           const char *profile)
{
  g_autofree char *previous_keep = g_strdup (g_getenv ("BUZON_TEST_KEEP_SERVERS"));
  gboolean started;

  g_setenv ("BUZON_TEST_KEEP_SERVERS", "1", TRUE);
  started = start_servers (fixture, profile, NULL);
  if (previous_keep != NULL)
    g_setenv ("BUZON_TEST_KEEP_SERVERS", previous_keep, TRUE);
  else
    g_unsetenv ("BUZON_TEST_KEEP_SERVERS");
  if (!started)
    return FALSE;
  fixture->remove_dir = previous_keep == NULL || !g_str_equal (previous_keep, "1");

  return TRUE;
}

static void
stop_servers (Fixture *fixture)
{
  g_autoptr(JsonNode) stopped = NULL;
  g_autoptr(GError) error = NULL;

  stopped = buzon_test_servers_run (fixture->servers, NULL, &error, "stop", NULL);
  g_assert_no_error (error);
}

/* Starts the stopped servers again, on new ports; the account follows
 * (kept, with its queue: returns how many operations it holds). */
static guint
restart_servers (Fixture    *fixture,
                 const char *profile)
{
  g_autofree char *parent = g_strdup_printf ("%d", (int)getpid ());
  g_autoptr(JsonNode) restarted = NULL;
  g_autoptr(GError) error = NULL;
  guint old_port = fixture->port;
  guint queued;

  restarted = buzon_test_servers_run (fixture->servers, NULL, &error, "start",
                                      "--profile", profile, "--parent-pid", parent,
                                      "--max-lifetime", "3600", NULL);
  g_assert_no_error (error);
  fixture->port = (guint)json_object_get_int_member (json_node_get_object (restarted),
                                                     "imap_tls_port");
  g_assert_cmpuint (fixture->port, !=, old_port);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (restarted),
                                                  "cert_sha256"), ==,
                   buzon_test_servers_get_cert_sha256 (fixture->servers));
  {
    BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
    g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store, ACCOUNT, &error);
    g_autoptr(GPtrArray) ops = NULL;

    g_assert_no_error (error);
    ops = buzon_store_list_ops (store, buzon_account_get_id (account), &error);
    g_assert_no_error (error);
    queued = ops->len;
    buzon_account_set_port (account, fixture->port);
    buzon_store_update_account (store, account, &error);
    g_assert_no_error (error);
    buzon_test_finalize_object (store);
  }
  {
    g_autofree char *trusted = cli_ok (fixture, "account", "trust", ACCOUNT, "--fingerprint",
                                       buzon_test_servers_get_cert_sha256 (fixture->servers),
                                       NULL);

    assert_contains (trusted, "Trusted now");
  }

  return queued;
}

/* Nothing is left in the account's queue, nor refusals. */
static void
assert_queue_empty (Fixture *fixture)
{
  BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store, ACCOUNT, &error);
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) failures = NULL;

  g_assert_no_error (error);
  ops = buzon_store_list_ops (store, buzon_account_get_id (account), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 0);
  failures = buzon_store_list_op_failures (store, buzon_account_get_id (account), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
  buzon_test_finalize_object (store);
}

static void
test_offline (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *u1 = NULL, *u2 = NULL, *u3 = NULL;

  if (!start_restartable_servers (fixture, "full"))
    return;

  u1 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "o1", NULL));
  u2 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "o2", NULL));
  u3 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "o3", "\\Seen"));
  deliver (fixture, "Carpeta", "c1", NULL);

  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  stop_servers (fixture);

  /* Each change is made here and kept for the server. */
  cli_offline (fixture, "flag", ACCOUNT, "INBOX", u1, "+flagged", "+seen", NULL);
  cli_offline (fixture, "flag", ACCOUNT, "INBOX", u3, "-seen", NULL);
  cli_offline (fixture, "move", ACCOUNT, "INBOX", u2, "Junk", NULL);
  cli_offline (fixture, "mkdir", ACCOUNT, "Sin conexión/Nueva", NULL);
  cli_offline (fixture, "rename", ACCOUNT, "Carpeta", "Renombrada sin red", NULL);
  cli_offline (fixture, "delete", ACCOUNT, "INBOX", u3, NULL);
  {
    g_autoptr(JsonArray) folders = local_folders (fixture, ACCOUNT);
    g_autoptr(JsonArray) inbox = local_list (fixture, ACCOUNT, "INBOX");
    g_autoptr(JsonArray) junk = local_list (fixture, ACCOUNT, "Junk");
    g_autoptr(JsonArray) trash = local_list (fixture, ACCOUNT, "Trash");
    g_autoptr(JsonArray) renamed = local_list (fixture, ACCOUNT, "Renombrada sin red");

    g_assert_nonnull (local_folder (folders, "Sin conexión/Nueva"));
    g_assert_nonnull (local_folder (folders, "Renombrada sin red"));
    g_assert_null (local_folder (folders, "Carpeta"));
    g_assert_cmpuint (json_array_get_length (inbox), ==, 1);
    g_assert_cmpuint (local_flags (local_find (inbox, "o1")), ==, FLAG_SEEN | FLAG_FLAGGED);
    g_assert_nonnull (local_find (junk, "o2"));
    g_assert_nonnull (local_find (trash, "o3"));
    g_assert_cmpuint (local_flags (local_find (trash, "o3")), ==, 0);
    g_assert_nonnull (local_find (renamed, "c1"));
  }

  /* Back, on new ports: the account follows (kept, with its queue). */
  g_assert_cmpuint (restart_servers (fixture, "full"), >, 0);

  sync_account (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "o1", FLAG_SEEN | FLAG_FLAGGED);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "o2");
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "o3");
    assert_message (fixture, state, ACCOUNT, "Junk", "o2", 0);
    assert_message (fixture, state, ACCOUNT, "Trash", "o3", 0);
    assert_folder (fixture, state, ACCOUNT, "Sin conexión/Nueva", TRUE);
    assert_folder (fixture, state, ACCOUNT, "Carpeta", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Renombrada sin red", TRUE);
    assert_message (fixture, state, ACCOUNT, "Renombrada sin red", "c1", 0);
    g_assert_cmpuint (server_count (state, "INBOX"), ==, 1);
  }
  assert_converged (fixture, ACCOUNT);

  /* Nothing is left in the queue. */
  assert_queue_empty (fixture);
}

/* 5. A new UIDVALIDITY */

static void
test_uidvalidity (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) old_state = NULL;
  g_autoptr(JsonNode) new_state = NULL;
  g_autoptr(JsonArray) list = NULL;
  JsonObject *old_box, *new_box;

  if (!start_servers (fixture, "full", NULL))
    return;

  deliver (fixture, "Lista", "viejo1", "\\Seen");
  deliver (fixture, "Lista", "viejo2", "\\Flagged");
  add_account (fixture, ACCOUNT, TRUE);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  old_state = server_state (fixture);

  /* The same name, the same UIDs, the same UIDNEXT and count: only the
   * UIDVALIDITY tells these are other messages. */
  SERVER_DOES (buzon_test_servers_delete_folder (fixture->servers, ADDRESS, "Lista",
                                                 &server_error));
  deliver (fixture, "Lista", "nuevo1", NULL);
  deliver (fixture, "Lista", "nuevo2", "\\Answered");
  new_state = server_state (fixture);
  old_box = buzon_test_state_get_mailbox (old_state, "Lista");
  new_box = buzon_test_state_get_mailbox (new_state, "Lista");
  g_assert_cmpint (json_object_get_int_member (old_box, "uidvalidity"), !=,
                   json_object_get_int_member (new_box, "uidvalidity"));
  g_assert_cmpint (json_object_get_int_member (old_box, "uidnext"), ==,
                   json_object_get_int_member (new_box, "uidnext"));
  g_assert_cmpuint (server_uid (old_state, "Lista", "viejo1"), ==,
                    server_uid (new_state, "Lista", "nuevo1"));

  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  list = local_list (fixture, ACCOUNT, "Lista");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_null (local_find (list, "viejo1"));
  g_assert_null (local_find (list, "viejo2"));
  g_assert_nonnull (local_find (list, "nuevo1"));
  g_assert_nonnull (local_find (list, "nuevo2"));
  g_assert_cmpstr (json_object_get_string_member (local_find (list, "nuevo1"), "subject"), ==,
                   "Mensaje nuevo1");

  /* The bodies are the new ones too (a full account downloads them). */
  {
    g_autofree char *uid = g_strdup_printf ("%u", server_uid (new_state, "Lista", "nuevo1"));
    g_autofree char *shown = cli_ok (fixture, "show", ACCOUNT, "Lista", uid, NULL);
    g_autofree char *found_out = cli_ok (fixture, "search", ACCOUNT, "viejo1", "--json", NULL);
    g_autoptr(JsonNode) found = parse_json (found_out);

    assert_contains (shown, "Texto del mensaje nuevo1.");
    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 0);
  }
}

/* 6. Non-ASCII folder names */

static void
test_utf8_folders (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *uid = NULL;
  static const char * const ours[] = { "Canción/日本語", "📁 Cosas" };

  if (!start_servers (fixture, "full", NULL))
    return;

  uid = g_strdup_printf ("%u", deliver (fixture, "INBOX", "u1", NULL));
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  /* Made here. */
  for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
    cli_op (fixture, "mkdir", ACCOUNT, ours[i], NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
      {
        JsonObject *folder = buzon_test_state_find_folder (state, ours[i]);
        const char *raw_name;

        assert_folder (fixture, state, ACCOUNT, ours[i], TRUE);
        /* On the wire in modified UTF-7 (RFC 3501 §5.1.3): ASCII only. */
        raw_name = json_object_get_string_member (folder, "raw_name");
        for (const char *p = raw_name; *p != '\0'; p++)
          g_assert_cmpint ((guchar)*p, <, 0x80);
        g_assert_cmpstr (raw_name, !=, ours[i]);
      }
  }

  /* Made on the server. */
  SERVER_DOES (buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Ñandú/Über 中文 🎉",
                                                 &server_error));
  deliver (fixture, "Ñandú/Über 中文 🎉", "u2", NULL);
  sync_account (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_folder (fixture, state, ACCOUNT, "Ñandú/Über 中文 🎉", TRUE);
    assert_message (fixture, state, ACCOUNT, "Ñandú/Über 中文 🎉", "u2", 0);
  }
  assert_converged (fixture, ACCOUNT);

  /* Messages into them, renames and deletions by those names. */
  cli_op (fixture, "move", ACCOUNT, "INBOX", uid, "📁 Cosas", NULL);
  cli_op (fixture, "rename", ACCOUNT, "Canción/日本語", "Canción/Ελληνικά", NULL);
  cli_op (fixture, "rmdir", ACCOUNT, "Ñandú", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "📁 Cosas", "u1", 0);
    assert_folder (fixture, state, ACCOUNT, "Canción/日本語", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Canción/Ελληνικά", TRUE);
    assert_folder (fixture, state, ACCOUNT, "Ñandú/Über 中文 🎉", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Ñandú", FALSE);
  }
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
}

/* 7. The minimal profile */

/* The commands the client (tags A0001…) sent in each session (one array
 * per session, uppercased), from the server's raw logs. */
static GPtrArray *
client_sessions (Fixture *fixture)
{
  g_autofree char *dir = g_build_filename (buzon_test_servers_get_dir (fixture->servers), "home",
                                           ADDRESS, "rawlog", NULL);
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *sessions = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  const char *name;

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      GPtrArray *commands;

      if (!g_str_has_suffix (name, ".in"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);
      commands = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (sessions, commands);
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *line = lines[i];

          /* Dovecot's rawlog starts each line with a timestamp. */
          if (g_ascii_isdigit (line[0]) && strchr (line, ' ') != NULL)
            line = strchr (line, ' ') + 1;
          if (line[0] == 'A' && g_ascii_isdigit (line[1]) && strchr (line, ' ') != NULL)
            g_ptr_array_add (commands, g_strstrip (g_ascii_strup (strchr (line, ' ') + 1, -1)));
        }
    }

  return sessions;
}

/* The commands the client sent, in all sessions. */
static GPtrArray *
client_commands (Fixture *fixture)
{
  g_autoptr(GPtrArray) sessions = client_sessions (fixture);
  GPtrArray *commands = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sessions->len; i++)
    {
      GPtrArray *session = g_ptr_array_index (sessions, i);

      for (guint j = 0; j < session->len; j++)
        g_ptr_array_add (commands, g_strdup (g_ptr_array_index (session, j)));
    }

  return commands;
}

static void
test_minimal (Fixture       *fixture,
              gconstpointer  data)
{
  const char * const args[] = { "--rawlog", NULL };
  g_autoptr(JsonArray) folders = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autofree char *u1 = NULL, *u2 = NULL, *u3 = NULL, *u4 = NULL, *u5 = NULL;
  gboolean selected = FALSE;

  if (!start_servers (fixture, "minimal", args))
    return;

  u1 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "n1", NULL));
  u2 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "n2", NULL));
  u3 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "n3", "\\Seen"));
  u4 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "n4", NULL));
  u5 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "n5", NULL));
  deliver (fixture, "Guardado", "g1", NULL);

  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* No SPECIAL-USE: the special folders known by their names. */
  folders = local_folders (fixture, ACCOUNT);
  g_assert_cmpstr (json_object_get_string_member (local_folder (folders, "INBOX"), "delimiter"),
                   ==, ".");
  g_assert_cmpstr (json_object_get_string_member (local_folder (folders, "Trash"),
                                                  "special_use"), ==, "trash");
  g_assert_cmpstr (json_object_get_string_member (local_folder (folders, "Sent"),
                                                  "special_use"), ==, "sent");

  /* No MOVE, no UIDPLUS: COPY, STORE \Deleted, EXPUNGE; the new UID from a
   * Message-ID search. Only in the destination on the server. */
  cli_op (fixture, "move", ACCOUNT, "INBOX", u1, "Guardado", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_no_message (fixture, state, ACCOUNT, "INBOX", "n1");
    assert_message (fixture, state, ACCOUNT, "Guardado", "n1", 0);
    g_assert_cmpuint (server_count (state, "INBOX"), ==, 4);
  }
  cli_op (fixture, "flag", ACCOUNT, "INBOX", u2, "+flagged", "+seen", NULL);
  cli_op (fixture, "flag", ACCOUNT, "INBOX", u3, "-seen", NULL);
  cli_op (fixture, "copy", ACCOUNT, "INBOX", u4, "Guardado", NULL);
  cli_op (fixture, "delete", ACCOUNT, "INBOX", u5, NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "n2", FLAG_SEEN | FLAG_FLAGGED);
    assert_message (fixture, state, ACCOUNT, "INBOX", "n3", 0);
    assert_message (fixture, state, ACCOUNT, "INBOX", "n4", 0);
    assert_message (fixture, state, ACCOUNT, "Guardado", "n4", 0);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "n5");
    assert_message (fixture, state, ACCOUNT, "Trash", "n5", 0);
  }

  /* Folders with "." as the delimiter, and a non-ASCII name. */
  cli_op (fixture, "mkdir", ACCOUNT, "Año.日本語", NULL);
  cli_op (fixture, "move", ACCOUNT, "INBOX", u4, "Año.日本語", NULL);
  cli_op (fixture, "rename", ACCOUNT, "Año.日本語", "Guardado.2026", NULL);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_folder (fixture, state, ACCOUNT, "Año.日本語", FALSE);
    assert_folder (fixture, state, ACCOUNT, "Guardado.2026", TRUE);
    assert_message (fixture, state, ACCOUNT, "Guardado.2026", "n4", 0);
    assert_no_message (fixture, state, ACCOUNT, "INBOX", "n4");
  }
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* Another device; no CONDSTORE: every flag is read again. */
  SERVER_DOES (buzon_test_servers_set_flags (fixture->servers, ADDRESS, "INBOX", u3,
                                             "\\Seen \\Answered", BUZON_TEST_FLAGS_ADD,
                                             &server_error));
  SERVER_DOES (buzon_test_servers_set_flags (fixture->servers, ADDRESS, "INBOX", u2, "\\Flagged",
                                                   BUZON_TEST_FLAGS_REMOVE, &server_error));
  {
    g_autoptr(JsonNode) state = server_state (fixture);
    g_autofree char *g1 = g_strdup_printf ("%u", server_uid (state, "Guardado", "g1"));

    SERVER_DOES (buzon_test_servers_expunge (fixture->servers, ADDRESS, "Guardado", g1,
                                             &server_error));
  }
  deliver (fixture, "INBOX", "n6", NULL);
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state (fixture);

    assert_message (fixture, state, ACCOUNT, "INBOX", "n3", FLAG_SEEN | FLAG_ANSWERED);
    assert_message (fixture, state, ACCOUNT, "INBOX", "n2", FLAG_SEEN);
    assert_message (fixture, state, ACCOUNT, "INBOX", "n6", 0);
    assert_no_message (fixture, state, ACCOUNT, "Guardado", "g1");
  }

  /* The client used nothing the server did not advertise. */
  commands = client_commands (fixture);
  for (guint i = 0; i < commands->len; i++)
    {
      const char *command = g_ptr_array_index (commands, i);
      static const char * const forbidden[] = {
        "MOVE", "UID MOVE", "IDLE", "UID EXPUNGE", "ENABLE", "COMPRESS", "NAMESPACE",
        "GETQUOTAROOT",
      };

      for (guint j = 0; j < G_N_ELEMENTS (forbidden); j++)
        {
          gsize length = strlen (forbidden[j]);

          if (g_str_has_prefix (command, forbidden[j]) &&
              (command[length] == '\0' || command[length] == ' '))
            g_error ("the client sent “%s” to a server without it", command);
        }
      if (strstr (command, "CONDSTORE") != NULL || strstr (command, "QRESYNC") != NULL ||
          strstr (command, "CHANGEDSINCE") != NULL || strstr (command, "MODSEQ") != NULL)
        g_error ("the client sent “%s” to a server without CONDSTORE", command);
      if (g_str_has_prefix (command, "SELECT"))
        selected = TRUE;
    }
  g_assert_true (selected);

  /* No QUOTA: the quota stays unknown. */
  {
    g_autofree char *out = cli_ok (fixture, "account", "show", ACCOUNT, "--json", NULL);
    g_autoptr(JsonNode) root = parse_json (out);

    g_assert_true (json_object_get_null_member (json_node_get_object (root), "quota"));
  }
}

/* 8. Watching */

typedef struct
{
  GDataInputStream *stream;
  GPtrArray        *lines;
  gboolean          done;
} Reader;

static void
reader_line_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Reader *reader = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (line == NULL)
    {
      reader->done = TRUE;
      return;
    }

  g_test_message ("watch: %s", line);
  g_ptr_array_add (reader->lines, line);
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL, reader_line_cb,
                                       reader);
}

static void
reader_init (Reader       *reader,
             GInputStream *stream)
{
  reader->stream = g_data_input_stream_new (stream);
  reader->lines = g_ptr_array_new_with_free_func (g_free);
  reader->done = FALSE;
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, NULL, reader_line_cb,
                                       reader);
}

static void
reader_clear (Reader *reader)
{
  g_clear_object (&reader->stream);
  g_clear_pointer (&reader->lines, g_ptr_array_unref);
}

typedef struct
{
  Reader     *reader;
  const char *fragment;
  const char *line;
} LineWait;

static gboolean
line_seen (gpointer data)
{
  LineWait *wait = data;

  for (guint i = 0; i < wait->reader->lines->len; i++)
    if (strstr (g_ptr_array_index (wait->reader->lines, i), wait->fragment) != NULL)
      {
        wait->line = g_ptr_array_index (wait->reader->lines, i);
        return TRUE;
      }

  return FALSE;
}

/* The first line of @reader with @fragment, waiting up to @seconds. */
static const char *
wait_for_line (Reader     *reader,
               const char *fragment,
               guint       seconds)
{
  LineWait wait = { reader, fragment, NULL };

  buzon_test_spin_until (line_seen, &wait, seconds * 1000);
  return wait.line;
}

static gboolean
reader_done (gpointer data)
{
  return ((Reader *)data)->done;
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *)data;
}

typedef struct
{
  GSubprocess *process;
  Reader       out;
  Reader       err;
} Watch;

/* `sync ACCOUNT --watch` and @args, running. Leak checking stays on for
 * every other buzon-cli this test runs, and memory errors are still caught
 * in the watch itself (see BUZON_TEST_CLI_NO_LEAK_CHECK for the known gap). */
static void
watch_start (Fixture            *fixture,
             Watch              *watch,
             const char * const *args)
{
  static const BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_NO_LEAK_CHECK };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, "sync");
  g_ptr_array_add (argv, ACCOUNT);
  g_ptr_array_add (argv, "--watch");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  watch->process = buzon_test_cli_spawnv (fixture->cli, &options,
                                          (const char * const *)argv->pdata);
  reader_init (&watch->out, g_subprocess_get_stdout_pipe (watch->process));
  reader_init (&watch->err, g_subprocess_get_stderr_pipe (watch->process));
}

/* A clean stop on SIGTERM, having reported no problem. */
static void
watch_stop (Watch *watch)
{
  gboolean exited = FALSE;

  g_subprocess_send_signal (watch->process, SIGTERM);
  g_subprocess_wait_async (watch->process, NULL, exited_cb, &exited);
  if (!buzon_test_spin_until (flag_set, &exited, 10 * 1000))
    {
      g_subprocess_force_exit (watch->process);
      g_error ("buzon-cli sync --watch did not stop on SIGTERM");
    }
  g_assert_true (buzon_test_spin_until (reader_done, &watch->out, 5 * 1000));
  g_assert_true (buzon_test_spin_until (reader_done, &watch->err, 5 * 1000));
  if (!g_subprocess_get_if_exited (watch->process) ||
      g_subprocess_get_exit_status (watch->process) != 0)
    {
      /* Say why (a sanitizer report, a crash) before failing. */
      for (guint i = 0; i < watch->err.lines->len; i++)
        g_printerr ("watch stderr: %s\n", (const char *)g_ptr_array_index (watch->err.lines, i));
    }
  g_assert_true (g_subprocess_get_if_exited (watch->process));
  g_assert_cmpint (g_subprocess_get_exit_status (watch->process), ==, 0);

  for (guint i = 0; i < watch->err.lines->len; i++)
    if (strstr (g_ptr_array_index (watch->err.lines, i), "buzon-cli:") != NULL)
      g_error ("the watch reported: %s", (const char *)g_ptr_array_index (watch->err.lines, i));
}

static void
watch_clear (Watch *watch)
{
  reader_clear (&watch->out);
  reader_clear (&watch->err);
  g_clear_object (&watch->process);
}

static void
watch_new_mail (Fixture    *fixture,
                const char *profile)
{
  gboolean poll = g_str_equal (profile, "minimal");
  const char * const poll_args[] = { "--interval", "1", NULL };
  g_autoptr(GError) error = NULL;
  Watch watch = { NULL, };
  g_autofree char *progress = g_strdup (ACCOUNT ": INBOX 1/1");
  const char *keys[] = { "llega1", "llega2" };
  const char *subjects[] = { "Llegó el primero", "Y el segundo ✉" };

  if (!start_servers (fixture, profile, NULL))
    return;

  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  /* Mail that arrived since: the watch's first sync fetches it, silently,
   * and its progress line says INBOX is done (what came before it is not
   * news; what comes after it is). */
  deliver (fixture, "INBOX", "antes", NULL);

  watch_start (fixture, &watch, poll ? poll_args : NULL);
  if (wait_for_line (&watch.err, progress, 30) == NULL)
    g_error ("the watch did not sync INBOX first");

  /* The first message is APPENDed, the second comes as mail does: over
   * SMTP, delivered over LMTP. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *body = g_strdup_printf ("Texto de %s.", keys[i]);
      g_autofree char *tail = g_strdup_printf ("\tAna <ana@example.test>\t%s", subjects[i]);
      g_autofree char *expected = NULL;
      g_autoptr(JsonNode) state = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 delivered;
      const char *line;

      if (i == 0)
        deliver_full (fixture, "INBOX", keys[i], subjects[i], body, NULL, NULL);
      else
        {
          g_autoptr(GBytes) raw = make_message (fixture, keys[i], subjects[i], body, NULL);
          g_autoptr(JsonNode) sent = NULL;

          sent = buzon_test_servers_run (fixture->servers, raw, &error, "send",
                                         "ana@example.test", "-", ADDRESS, NULL);
          g_assert_no_error (error);
          g_assert_cmpuint (json_object_get_size (json_object_get_object_member (
                              json_node_get_object (sent), "refused")), ==, 0);
        }
      delivered = g_get_monotonic_time ();

      line = wait_for_line (&watch.out, tail, 5);
      if (line == NULL)
        g_error ("no line for “%s” within 5 s of the delivery", subjects[i]);
      g_test_message ("%s: the line %.2f s after the delivery began, %.2f s after it ended",
                      poll ? "NOOP" : "IDLE",
                      (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC,
                      (g_get_monotonic_time () - delivered) / (double)G_USEC_PER_SEC);

      /* ACCOUNT, FOLDER, the UID the server gave it, FROM, SUBJECT. */
      state = server_state (fixture);
      expected = g_strdup_printf (ACCOUNT "\tINBOX\t%u%s", server_uid (state, "INBOX", keys[i]),
                                  tail);
      g_assert_cmpstr (line, ==, expected);
    }

  /* A clean stop, and one line per new message: nothing for what was there
   * before. */
  watch_stop (&watch);
  g_assert_cmpuint (watch.out.lines->len, ==, G_N_ELEMENTS (keys));
  watch_clear (&watch);

  /* What it stored while watching is the server's. */
  assert_converged (fixture, ACCOUNT);
}

static void
test_watch_idle (Fixture       *fixture,
                 gconstpointer  data)
{
  watch_new_mail (fixture, "full");
}

static void
test_watch_poll (Fixture       *fixture,
                 gconstpointer  data)
{
  watch_new_mail (fixture, "minimal");
}

/* 9. append */

/* @raw in a file of the test's directory, for `append`. */
static char *
write_message (Fixture    *fixture,
               const char *name,
               GBytes     *raw)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (buzon_test_cli_get_dir (fixture->cli), name, NULL);

  g_file_set_contents (path, g_bytes_get_data (raw, NULL), (gssize)g_bytes_get_size (raw),
                       &error);
  g_assert_no_error (error);

  return path;
}

/* The UID `append` printed: a number and a newline, nothing else. */
static guint32
printed_uid (const char *out)
{
  g_autofree char *text = g_strdup (out);
  guint64 uid = 0;

  if (!g_str_has_suffix (out, "\n") ||
      !g_ascii_string_to_unsigned (g_strchomp (text), 10, 1, G_MAXUINT32, &uid, NULL))
    g_error ("append printed “%s”, not a UID", out);

  return (guint32)uid;
}

/* The server's @mailbox with each message's bytes. */
static JsonNode *
server_state_raw (Fixture    *fixture,
                  const char *mailbox)
{
  g_autofree char *option = g_strconcat ("--mailbox=", mailbox, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *state;

  state = buzon_test_servers_run (fixture->servers, NULL, &error, "state", "--raw", option, "--",
                                  ADDRESS, NULL);
  g_assert_no_error (error);

  return state;
}

/* The messages of @mailbox on the server with @key's Message-ID, each with
 * @raw's very bytes. */
static GPtrArray *
server_find_all (JsonNode   *state,
                 const char *mailbox,
                 const char *key,
                 GBytes     *raw)
{
  g_autofree char *id = message_id (key);
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
  JsonObject *box = buzon_test_state_get_mailbox (state, mailbox);
  JsonArray *messages;
  GPtrArray *found = g_ptr_array_new ();

  g_assert_nonnull (box);
  messages = json_object_get_array_member (box, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      g_autofree guchar *bytes = NULL;
      g_autoptr(GBytes) there = NULL;
      gsize length = 0;

      if (json_object_get_null_member (message, "message_id") ||
          g_strcmp0 (json_object_get_string_member (message, "message_id"), id) != 0)
        continue;

      bytes = g_base64_decode (json_object_get_string_member (message, "raw"), &length);
      there = g_bytes_new_take (g_steal_pointer (&bytes), length);
      if (!g_bytes_equal (there, raw))
        g_error ("%s in “%s” on the server: %" G_GSIZE_FORMAT " bytes, not the %" G_GSIZE_FORMAT
                 " appended", id, mailbox, length, g_bytes_get_size (raw));
      g_assert_cmpstr (json_object_get_string_member (message, "sha256"), ==, sha256);
      g_ptr_array_add (found, message);
    }

  return found;
}

/* The one message of @mailbox on the server with @key's Message-ID. */
static JsonObject *
server_find_once (JsonNode   *state,
                  const char *mailbox,
                  const char *key,
                  GBytes     *raw)
{
  g_autoptr(GPtrArray) found = server_find_all (state, mailbox, key, raw);

  if (found->len != 1)
    g_error ("%s is %u times in “%s” on the server", key, found->len, mailbox);

  return g_ptr_array_index (found, 0);
}

/* The rows of a list --json array with @key's Message-ID. */
static GPtrArray *
local_find_all (JsonArray  *list,
                const char *key)
{
  g_autofree char *id = message_id (key);
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *message = json_array_get_object_element (list, i);

      if (!json_object_get_null_member (message, "message_id") &&
          g_strcmp0 (json_object_get_string_member (message, "message_id"), id) == 0)
        g_ptr_array_add (found, message);
    }

  return found;
}

static JsonObject *
local_find_once (JsonArray  *list,
                 const char *key)
{
  g_autoptr(GPtrArray) found = local_find_all (list, key);

  if (found->len != 1)
    g_error ("%s is %u times here", key, found->len);

  return g_ptr_array_index (found, 0);
}

static void
test_append (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GBytes) draft = NULL;
  g_autoptr(GBytes) note = NULL;
  g_autofree char *draft_path = NULL;
  g_autofree char *note_path = NULL;
  g_autofree char *draft_out = NULL;
  g_autofree char *note_out = NULL;
  g_autofree char *uid_text = NULL;
  guint32 draft_uid, note_uid;
  guint inbox_count;

  if (!start_servers (fixture, "full", NULL))
    return;

  deliver (fixture, "INBOX", "ya", NULL);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  /* With flags, into Drafts: the UID the server gave it (APPENDUID), the
   * flags and the very bytes there; here, the same UID, and its body (this
   * account keeps headers only, but this message was written here). */
  draft = make_message (fixture, "borrador-cli", "Borrador “añadido” ✉",
                        "Primera línea.\r\nSegunda, con acentos: áéíóú.", NULL);
  draft_path = write_message (fixture, "borrador.eml", draft);
  draft_out = cli_quiet (fixture, "append", ACCOUNT, "Drafts", draft_path, "--flags", "seen,draft",
                         NULL);
  draft_uid = printed_uid (draft_out);
  {
    g_autoptr(JsonNode) state = server_state_raw (fixture, "Drafts");
    g_autoptr(JsonArray) list = local_list (fixture, ACCOUNT, "Drafts");
    JsonObject *server = server_find_once (state, "Drafts", "borrador-cli", draft);
    JsonObject *local = local_find_once (list, "borrador-cli");

    g_assert_cmpint (json_object_get_int_member (server, "uid"), ==, draft_uid);
    g_assert_cmpuint (server_flags (server), ==, FLAG_SEEN | FLAG_DRAFT);
    g_assert_cmpint (json_object_get_int_member (local, "uid"), ==, draft_uid);
    g_assert_cmpuint (local_flags (local), ==, FLAG_SEEN | FLAG_DRAFT);
    g_assert_true (json_object_get_boolean_member (local, "downloaded"));
    g_assert_cmpstr (json_object_get_string_member (local, "subject"), ==,
                     "Borrador “añadido” ✉");
    g_assert_cmpint (json_object_get_int_member (local, "size"), ==, g_bytes_get_size (draft));
  }
  uid_text = g_strdup_printf ("%u", draft_uid);
  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (fixture->cli, &result, "show", ACCOUNT, "Drafts", uid_text, "--raw", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_true (g_bytes_equal (result.out_bytes, draft));
  }

  /* No flags, into INBOX. */
  note = make_message (fixture, "nota-cli", "Nota", "Sin marcas.", NULL);
  note_path = write_message (fixture, "nota.eml", note);
  note_out = cli_quiet (fixture, "append", ACCOUNT, "INBOX", note_path, NULL);
  note_uid = printed_uid (note_out);
  {
    g_autoptr(JsonNode) state = server_state_raw (fixture, "INBOX");
    g_autoptr(JsonArray) list = local_list (fixture, ACCOUNT, "INBOX");
    JsonObject *server = server_find_once (state, "INBOX", "nota-cli", note);

    g_assert_cmpint (json_object_get_int_member (server, "uid"), ==, note_uid);
    g_assert_cmpuint (server_flags (server), ==, 0);
    g_assert_cmpint (json_object_get_int_member (local_find_once (list, "nota-cli"), "uid"), ==,
                     note_uid);
    inbox_count = server_count (state, "INBOX");
  }

  /* A sync brings neither back a second time. */
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
  {
    g_autoptr(JsonArray) drafts = local_list (fixture, ACCOUNT, "Drafts");
    g_autoptr(JsonArray) inbox = local_list (fixture, ACCOUNT, "INBOX");

    g_assert_cmpint (json_object_get_int_member (local_find_once (drafts, "borrador-cli"),
                                                 "uid"), ==, draft_uid);
    g_assert_cmpint (json_object_get_int_member (local_find_once (inbox, "nota-cli"), "uid"),
                     ==, note_uid);
  }

  /* Errors: exit 1 for what is not there, 2 for usage; nothing reaches the
   * server. */
  {
    g_auto(BuzonTestCliResult) no_folder = { 0, };
    g_auto(BuzonTestCliResult) bad_flags = { 0, };
    g_auto(BuzonTestCliResult) no_file = { 0, };
    g_autofree char *missing = g_build_filename (buzon_test_cli_get_dir (fixture->cli),
                                                 "no-such.eml", NULL);
    g_autoptr(JsonNode) state = NULL;

    buzon_test_cli_run (fixture->cli, &no_folder, "append", ACCOUNT, "Nada", note_path, NULL);
    g_assert_cmpint (no_folder.status, ==, 1);
    assert_contains (no_folder.err, "Nada");
    buzon_test_cli_run (fixture->cli, &bad_flags, "append", ACCOUNT, "INBOX", note_path, "--flags",
                        "importante", NULL);
    g_assert_cmpint (bad_flags.status, ==, 2);
    assert_contains (bad_flags.err, "importante");
    buzon_test_cli_run (fixture->cli, &no_file, "append", ACCOUNT, "INBOX", missing, NULL);
    g_assert_cmpint (no_file.status, ==, 1);
    g_assert_cmpstr (no_folder.out, ==, "");
    g_assert_cmpstr (bad_flags.out, ==, "");
    g_assert_cmpstr (no_file.out, ==, "");

    state = server_state (fixture);
    g_assert_cmpuint (server_count (state, "INBOX"), ==, inbox_count);
  }
  assert_converged (fixture, ACCOUNT);
}

static void
test_append_offline (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *path = NULL;
  guint32 uid;

  if (!start_restartable_servers (fixture, "full"))
    return;

  deliver (fixture, "INBOX", "antes", NULL);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  stop_servers (fixture);

  /* Kept here, with its body and no UID yet; none printed. */
  raw = make_message (fixture, "sin-red", "Escrito sin conexión", "Se enviará después.", NULL);
  path = write_message (fixture, "sin-red.eml", raw);
  {
    g_auto(BuzonTestCliResult) result = { 0, };
    g_autoptr(JsonArray) list = NULL;
    JsonObject *local;

    buzon_test_cli_run (fixture->cli, &result, "append", ACCOUNT, "Drafts", path, "--flags",
                        "draft", NULL);
    g_assert_cmpint (result.status, ==, 0);
    if (!g_str_has_prefix (result.err, "Saved here."))
      g_error ("append did not say it saved the message here: “%s”", result.err);
    g_assert_cmpstr (result.out, ==, "");

    list = local_list (fixture, ACCOUNT, "Drafts");
    local = local_find_once (list, "sin-red");
    g_assert_cmpint (json_object_get_int_member (local, "uid"), ==, 0);
    g_assert_true (json_object_get_boolean_member (local, "downloaded"));
    g_assert_cmpuint (local_flags (local), ==, FLAG_DRAFT);
  }

  /* Back: the next sync puts it there once, and the row here gets its UID
   * (no second row from the folder's sync). */
  g_assert_cmpuint (restart_servers (fixture, "full"), ==, 1);
  sync_account (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state_raw (fixture, "Drafts");
    g_autoptr(JsonArray) list = local_list (fixture, ACCOUNT, "Drafts");
    JsonObject *server = server_find_once (state, "Drafts", "sin-red", raw);
    JsonObject *local = local_find_once (list, "sin-red");

    uid = (guint32)json_object_get_int_member (server, "uid");
    g_assert_cmpuint (uid, >, 0);
    g_assert_cmpuint (server_flags (server), ==, FLAG_DRAFT);
    g_assert_cmpint (json_object_get_int_member (local, "uid"), ==, uid);
    g_assert_true (json_object_get_boolean_member (local, "downloaded"));
  }
  assert_converged (fixture, ACCOUNT);
  assert_queue_empty (fixture);

  /* Sent once only: another sync appends nothing. */
  sync_account (fixture, ACCOUNT);
  {
    g_autoptr(JsonNode) state = server_state_raw (fixture, "Drafts");
    JsonObject *server = server_find_once (state, "Drafts", "sin-red", raw);

    g_assert_cmpint (json_object_get_int_member (server, "uid"), ==, uid);
  }
  assert_converged (fixture, ACCOUNT);
}

static void
test_append_minimal (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const args[] = { "--rawlog", NULL };
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autofree char *path = NULL;
  g_autofree char *first_out = NULL;
  g_autofree char *second_out = NULL;
  guint32 first, second;
  gboolean searched = FALSE;

  if (!start_servers (fixture, "minimal", args))
    return;

  deliver (fixture, "INBOX", "antes", NULL);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  /* No UIDPLUS: the UID comes from a Message-ID search. The same file twice
   * (a draft saved again): each append gets its own copy's UID, the newest
   * for the second. */
  raw = make_message (fixture, "minimo", "Sin UIDPLUS", "Buscado por su Message-ID.", NULL);
  path = write_message (fixture, "minimo.eml", raw);
  first_out = cli_quiet (fixture, "append", ACCOUNT, "INBOX", path, "--flags", "flagged", NULL);
  first = printed_uid (first_out);
  second_out = cli_quiet (fixture, "append", ACCOUNT, "INBOX", path, NULL);
  second = printed_uid (second_out);
  g_assert_cmpuint (second, >, first);
  {
    g_autoptr(JsonNode) state = server_state_raw (fixture, "INBOX");
    g_autoptr(GPtrArray) on_server = server_find_all (state, "INBOX", "minimo", raw);
    g_autoptr(JsonArray) list = local_list (fixture, ACCOUNT, "INBOX");
    g_autoptr(GPtrArray) here = local_find_all (list, "minimo");

    g_assert_cmpuint (on_server->len, ==, 2);
    g_assert_cmpuint (here->len, ==, 2);
    for (guint i = 0; i < on_server->len; i++)
      {
        JsonObject *server = g_ptr_array_index (on_server, i);
        guint32 uid = (guint32)json_object_get_int_member (server, "uid");

        g_assert_true (uid == first || uid == second);
        g_assert_cmpuint (server_flags (server), ==, uid == first ? FLAG_FLAGGED : 0);
      }
    for (guint i = 0; i < here->len; i++)
      {
        JsonObject *local = g_ptr_array_index (here, i);
        guint32 uid = (guint32)json_object_get_int_member (local, "uid");

        g_assert_true (uid == first || uid == second);
        g_assert_cmpuint (local_flags (local), ==, uid == first ? FLAG_FLAGGED : 0);
      }
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (here, 0), "uid"), !=,
                     json_object_get_int_member (g_ptr_array_index (here, 1), "uid"));
  }

  /* Not even a Message-ID: the one UID new since the APPEND (the row here
   * would otherwise keep none, and the next sync would add the server's
   * copy beside it). */
  {
    static const char text[] = "From: Ana <ana@example.test>\r\n"
                               "Subject: Sin Message-ID\r\n"
                               "\r\n"
                               "Nada que buscar.\r\n";
    g_autoptr(GBytes) bare = g_bytes_new_static (text, sizeof text - 1);
    g_autofree char *bare_path = write_message (fixture, "sin-id.eml", bare);
    g_autofree char *out = cli_quiet (fixture, "append", ACCOUNT, "INBOX", bare_path, NULL);
    guint32 uid = printed_uid (out);
    g_autoptr(JsonNode) state = server_state_raw (fixture, "INBOX");
    JsonArray *messages = json_object_get_array_member (
      buzon_test_state_get_mailbox (state, "INBOX"), "messages");
    g_autoptr(JsonArray) list = local_list (fixture, ACCOUNT, "INBOX");
    guint on_server = 0, here = 0;

    for (guint i = 0; i < json_array_get_length (messages); i++)
      {
        JsonObject *message = json_array_get_object_element (messages, i);
        gsize length = 0;
        g_autofree guchar *bytes = NULL;

        if (g_strcmp0 (json_object_get_string_member (message, "subject"), "Sin Message-ID"))
          continue;
        on_server++;
        g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, uid);
        bytes = g_base64_decode (json_object_get_string_member (message, "raw"), &length);
        g_assert_cmpmem (bytes, length, text, sizeof text - 1);
      }
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *message = json_array_get_object_element (list, i);

        if (g_strcmp0 (json_object_get_string_member (message, "subject"), "Sin Message-ID"))
          continue;
        here++;
        g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, uid);
      }
    g_assert_cmpuint (on_server, ==, 1);
    g_assert_cmpuint (here, ==, 1);
  }
  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* The UIDs came from a search (Dovecot sends APPENDUID even here, where
   * UIDPLUS is not advertised, so the UIDs alone prove nothing). */
  commands = client_commands (fixture);
  for (guint i = 0; i < commands->len; i++)
    {
      const char *command = g_ptr_array_index (commands, i);

      if (g_str_has_prefix (command, "UID SEARCH") && strstr (command, "HEADER") != NULL &&
          strstr (command, "MESSAGE-ID") != NULL && strstr (command, "<MINIMO@EXAMPLE.TEST>"))
        searched = TRUE;
    }
  g_assert_true (searched);
}

/* 10. Watching several folders */

static void
watch_folders (Fixture    *fixture,
               const char *profile)
{
  gboolean poll = g_str_equal (profile, "minimal");
  const char * const rawlog[] = { "--rawlog", NULL };
  const char * const idle_args[] = { "--folder", "INBOX", "--folder", "Trabajo", NULL };
  const char * const poll_args[] = { "--folder", "INBOX", "--folder", "Trabajo",
                                     "--interval", "1", NULL };
  static const struct
  {
    const char *folder;
    const char *key;
    const char *subject;
  } news[] = {
    /* The second folder first: only a watcher of its own sees it. */
    { "Trabajo", "en-trabajo", "Llegó a Trabajo" },
    { "INBOX", "en-entrada", "Y a la entrada ✉" },
  };
  Watch watch = { NULL, };

  if (!start_servers (fixture, profile, poll ? NULL : rawlog))
    return;

  deliver (fixture, "Trabajo", "viejo", NULL);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  /* Mail that arrived since: the first sync of each folder fetches it,
   * silently, in the order given; the second folder's progress line says
   * the watching comes next. */
  deliver (fixture, "INBOX", "antes", NULL);
  deliver (fixture, "Trabajo", "antes-t", NULL);

  watch_start (fixture, &watch, poll ? poll_args : idle_args);
  if (wait_for_line (&watch.err, ACCOUNT ": Trabajo 1/1", 30) == NULL)
    g_error ("the watch did not sync Trabajo first");

  for (guint i = 0; i < G_N_ELEMENTS (news); i++)
    {
      g_autofree char *body = g_strdup_printf ("Texto de %s.", news[i].key);
      g_autofree char *tail = g_strdup_printf ("\tAna <ana@example.test>\t%s", news[i].subject);
      g_autofree char *expected = NULL;
      g_autoptr(JsonNode) state = NULL;
      gint64 delivered;
      const char *line;

      deliver_full (fixture, news[i].folder, news[i].key, news[i].subject, body, NULL, NULL);
      delivered = g_get_monotonic_time ();

      line = wait_for_line (&watch.out, tail, 5);
      if (line == NULL)
        g_error ("no line for “%s” in %s within 5 s of the delivery", news[i].subject,
                 news[i].folder);
      g_test_message ("%s: the line for %s %.2f s after the delivery", poll ? "NOOP" : "IDLE",
                      news[i].folder,
                      (g_get_monotonic_time () - delivered) / (double)G_USEC_PER_SEC);

      state = server_state (fixture);
      expected = g_strdup_printf (ACCOUNT "\t%s\t%u%s", news[i].folder,
                                  server_uid (state, news[i].folder, news[i].key), tail);
      g_assert_cmpstr (line, ==, expected);
    }

  watch_stop (&watch);
  g_assert_cmpuint (watch.out.lines->len, ==, G_N_ELEMENTS (news));
  watch_clear (&watch);

  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);

  /* With IDLE: the main session idles on INBOX, another one on Trabajo
   * (EXAMINE, so it takes no \Recent away). */
  if (!poll)
    {
      g_autoptr(GPtrArray) sessions = client_sessions (fixture);
      gboolean inbox = FALSE, trabajo = FALSE;

      for (guint i = 0; i < sessions->len; i++)
        {
          GPtrArray *commands = g_ptr_array_index (sessions, i);
          gboolean idle = FALSE, selects = FALSE, examines_trabajo = FALSE, selects_inbox = FALSE;

          for (guint j = 0; j < commands->len; j++)
            {
              const char *command = g_ptr_array_index (commands, j);

              idle |= g_str_equal (command, "IDLE");
              selects |= g_str_has_prefix (command, "SELECT");
              selects_inbox |= g_str_has_prefix (command, "SELECT") &&
                               strstr (command, "INBOX") != NULL;
              examines_trabajo |= g_str_has_prefix (command, "EXAMINE") &&
                                  strstr (command, "TRABAJO") != NULL;
            }
          inbox |= idle && selects_inbox;
          trabajo |= idle && examines_trabajo && !selects;
        }
      g_assert_true (inbox);
      g_assert_true (trabajo);
    }
}

static void
test_watch_folders_idle (Fixture       *fixture,
                         gconstpointer  data)
{
  watch_folders (fixture, "full");
}

static void
test_watch_folders_poll (Fixture       *fixture,
                         gconstpointer  data)
{
  watch_folders (fixture, "minimal");
}

/* 11. Converging while watching */

typedef struct
{
  guint    flags;      /* of "cambia" */
  gboolean changed;    /* "cambia" has its new flags */
  gboolean expunged;   /* "borra" is gone */
  gboolean moved;      /* "mueve" is gone from INBOX */
  gboolean kept;       /* "queda" is still there */
} Seen;

static void
look (Fixture *fixture,
      Seen    *seen)
{
  g_autoptr(JsonArray) inbox = local_list (fixture, ACCOUNT, "INBOX");
  JsonObject *changed = local_find (inbox, "cambia");
  JsonObject *kept = local_find (inbox, "queda");

  seen->flags = changed != NULL ? local_flags (changed) : 0;
  seen->changed = changed != NULL && seen->flags == (FLAG_SEEN | FLAG_FLAGGED);
  seen->expunged = local_find (inbox, "borra") == NULL;
  seen->moved = local_find (inbox, "mueve") == NULL;
  seen->kept = kept != NULL && local_flags (kept) == FLAG_SEEN;
}

static gboolean
wake_once_cb (gpointer data)
{
  *(gboolean *)data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
watch_converges (Fixture    *fixture,
                 const char *profile)
{
  gboolean poll = g_str_equal (profile, "minimal");
  const char * const poll_args[] = { "--interval", "1", NULL };
  g_autofree char *u1 = NULL, *u2 = NULL, *u3 = NULL;
  Watch watch = { NULL, };
  Seen seen = { 0, };
  gint64 changed, deadline;

  if (!start_servers (fixture, profile, NULL))
    return;

  u1 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "cambia", NULL));
  u2 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "borra", NULL));
  u3 = g_strdup_printf ("%u", deliver (fixture, "INBOX", "mueve", NULL));
  deliver (fixture, "INBOX", "queda", "\\Seen");
  deliver (fixture, "Archivo", "archivado", NULL);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);

  deliver (fixture, "INBOX", "antes", NULL);
  watch_start (fixture, &watch, poll ? poll_args : NULL);
  if (wait_for_line (&watch.err, ACCOUNT ": INBOX 1/1", 30) == NULL)
    g_error ("the watch did not sync INBOX first");

  /* Another device: a flag change, an expunge and a move, no new mail. */
  SERVER_DOES (buzon_test_servers_set_flags (fixture->servers, ADDRESS, "INBOX", u1,
                                             "\\Seen \\Flagged", BUZON_TEST_FLAGS_ADD,
                                             &server_error));
  SERVER_DOES (buzon_test_servers_expunge (fixture->servers, ADDRESS, "INBOX", u2,
                                           &server_error));
  SERVER_DOES (buzon_test_servers_move (fixture->servers, ADDRESS, "INBOX", u3, "Archivo",
                                        &server_error));
  changed = g_get_monotonic_time ();

  /* The store, read by another buzon-cli while the watch writes to it. */
  deadline = changed + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      gboolean woken = FALSE;

      look (fixture, &seen);
      if (seen.changed && seen.expunged && seen.moved && seen.kept)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: not converged 5 s after the changes: flags %#x%s%s%s", profile, seen.flags,
                 seen.expunged ? "" : ", the expunged message still here",
                 seen.moved ? "" : ", the moved message still in INBOX",
                 seen.kept ? "" : ", the untouched message changed");

      /* Meanwhile, whatever the watch prints. */
      g_timeout_add (100, wake_once_cb, &woken);
      while (!woken)
        g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("%s: converged %.2f s after the changes", poll ? "NOOP" : "IDLE",
                  (g_get_monotonic_time () - changed) / (double)G_USEC_PER_SEC);

  /* None of that is new mail. */
  watch_stop (&watch);
  g_assert_cmpuint (watch.out.lines->len, ==, 0);
  watch_clear (&watch);

  sync_account (fixture, ACCOUNT);
  assert_converged (fixture, ACCOUNT);
}

static void
test_watch_converge_idle (Fixture       *fixture,
                          gconstpointer  data)
{
  watch_converges (fixture, "full");
}

static void
test_watch_converge_poll (Fixture       *fixture,
                          gconstpointer  data)
{
  watch_converges (fixture, "minimal");
}

/* 12. Quota */

/* The quota `account show --json` prints; FALSE when it is null (unknown). */
static gboolean
shown_quota (Fixture *fixture,
             guint64 *out_usage,
             guint64 *out_limit,
             gint64  *out_updated)
{
  g_autofree char *out = cli_ok (fixture, "account", "show", ACCOUNT, "--json", NULL);
  g_autoptr(JsonNode) root = parse_json (out);
  JsonObject *account = json_node_get_object (root);
  JsonObject *quota;

  g_assert_true (json_object_has_member (account, "quota"));
  if (json_object_get_null_member (account, "quota"))
    return FALSE;

  quota = json_object_get_object_member (account, "quota");
  *out_usage = (guint64)json_object_get_int_member (quota, "usage");
  *out_limit = (guint64)json_object_get_int_member (quota, "limit");
  *out_updated = json_object_get_int_member (quota, "updated");
  return TRUE;
}

/* The text `account show` prints has the quota line with these numbers. */
static void
assert_quota_text (Fixture *fixture,
                   guint64  usage,
                   guint64  limit)
{
  g_autofree char *out = cli_ok (fixture, "account", "show", ACCOUNT, NULL);
  g_autofree char *used = g_format_size (usage);
  g_autofree char *total = g_format_size (limit);
  g_autofree char *line = g_strdup_printf ("\n  Quota: %s of %s used (%u%%)\n", used, total,
                                           (guint)(usage * 100 / limit));

  assert_contains (out, line);
}

/* Fills @count messages of about 20 KB into the INBOX, numbered from @start. */
static void
fill_inbox (Fixture *fixture,
            guint    count,
            guint    start)
{
  BuzonTestFillOptions fill = { .size = 20000, .start_index = start,
                                .flags = BUZON_TEST_FILL_QUIET };
  g_autoptr(JsonNode) filled = NULL;
  g_autoptr(GError) error = NULL;

  filled = buzon_test_servers_fill (fixture->servers, ADDRESS, count, &fill, &error);
  g_assert_no_error (error);
}

/* The sync reads GETQUOTAROOT INBOX and stores the STORAGE quota in bytes:
 * exactly what the server says (KiB × 1024), again only when it changed;
 * `account show` prints it. */
static void
test_quota (Fixture       *fixture,
            gconstpointer  data)
{
  const char * const args[] = { "--quota", "10485760", NULL };
  const char * const later[] = { "BUZON_TEST_NOW=+1000", NULL };
  const BuzonTestCliOptions options = { .env = later };
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  guint64 server_usage, server_limit, usage, limit, first_usage;
  gint64 updated, first_updated;

  if (!start_servers (fixture, "full", args))
    return;

  fill_inbox (fixture, 20, 1);
  add_account (fixture, ACCOUNT, FALSE);

  /* Unknown before the first sync: nothing printed, null in JSON. */
  before = cli_ok (fixture, "account", "show", ACCOUNT, NULL);
  g_assert_null (strstr (before, "Quota"));
  g_assert_false (shown_quota (fixture, &usage, &limit, &updated));

  sync_account (fixture, ACCOUNT);
  g_assert_true (buzon_test_servers_get_quota (fixture->servers, ADDRESS, NULL, &server_usage,
                                               &server_limit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (server_limit, ==, 10240);
  g_assert_cmpuint (server_usage, >=, 20 * 20000 / 1024);
  g_assert_true (shown_quota (fixture, &usage, &limit, &updated));
  g_assert_cmpuint (usage, ==, server_usage * 1024);
  g_assert_cmpuint (limit, ==, 10485760);
  g_assert_cmpint (updated, >, 0);
  assert_quota_text (fixture, usage, limit);

  /* The store has the same, for the window. */
  {
    g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
    g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store, ACCOUNT, &error);
    guint64 stored_usage, stored_limit;

    g_assert_no_error (error);
    g_assert_true (buzon_store_get_account_quota (store, buzon_account_get_id (account),
                                                  &stored_usage, &stored_limit, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stored_usage, ==, usage);
    g_assert_cmpuint (stored_limit, ==, limit);
  }

  /* Nothing changed: a later sync (1000 s on) leaves it as it was written. */
  first_usage = usage;
  first_updated = updated;
  buzon_test_cli_run_full (fixture->cli, &options, &result, "sync", ACCOUNT, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (shown_quota (fixture, &usage, &limit, &updated));
  g_assert_cmpuint (usage, ==, first_usage);
  g_assert_cmpint (updated, ==, first_updated);

  /* More mail: the next sync sees the usage grow, still the server's number. */
  fill_inbox (fixture, 30, 21);
  sync_account (fixture, ACCOUNT);
  g_assert_true (buzon_test_servers_get_quota (fixture->servers, ADDRESS, NULL, &server_usage,
                                               &server_limit, &error));
  g_assert_no_error (error);
  g_assert_true (shown_quota (fixture, &usage, &limit, &updated));
  g_assert_cmpuint (usage, >, first_usage + 30 * 19 * 1024);
  g_assert_cmpuint (usage, ==, server_usage * 1024);
  g_assert_cmpuint (limit, ==, 10485760);
  g_assert_cmpint (updated, >=, first_updated);
  assert_quota_text (fixture, usage, limit);
}

/* A server that stops offering QUOTA (here: the same mail behind the minimal
 * profile) makes the quota unknown again at the next sync. */
static void
test_quota_forgotten (Fixture       *fixture,
                      gconstpointer  data)
{
  guint64 usage, limit;
  gint64 updated;
  g_autofree char *shown = NULL;

  if (!start_restartable_servers (fixture, "full"))
    return;

  fill_inbox (fixture, 5, 1);
  add_account (fixture, ACCOUNT, FALSE);
  sync_account (fixture, ACCOUNT);
  /* The harness's default quota: 1 GiB. */
  g_assert_true (shown_quota (fixture, &usage, &limit, &updated));
  g_assert_cmpuint (usage, >, 0);
  g_assert_cmpuint (limit, ==, G_GUINT64_CONSTANT (1) << 30);

  stop_servers (fixture);
  restart_servers (fixture, "minimal");
  sync_account (fixture, ACCOUNT);
  g_assert_false (shown_quota (fixture, &usage, &limit, &updated));
  shown = cli_ok (fixture, "account", "show", ACCOUNT, NULL);
  g_assert_null (strstr (shown, "Quota"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/cli/imap/full-sync", Fixture, NULL,
              fixture_set_up, test_full_sync, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/operations", Fixture, NULL,
              fixture_set_up, test_operations, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/several-devices", Fixture, NULL,
              fixture_set_up, test_several_devices, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/offline", Fixture, NULL,
              fixture_set_up, test_offline, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/uidvalidity", Fixture, NULL,
              fixture_set_up, test_uidvalidity, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/utf8-folders", Fixture, NULL,
              fixture_set_up, test_utf8_folders, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/minimal", Fixture, NULL,
              fixture_set_up, test_minimal, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/idle", Fixture, NULL,
              fixture_set_up, test_watch_idle, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/poll", Fixture, NULL,
              fixture_set_up, test_watch_poll, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/append/online", Fixture, NULL,
              fixture_set_up, test_append, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/append/offline", Fixture, NULL,
              fixture_set_up, test_append_offline, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/append/minimal", Fixture, NULL,
              fixture_set_up, test_append_minimal, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/folders/idle", Fixture, NULL,
              fixture_set_up, test_watch_folders_idle, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/folders/poll", Fixture, NULL,
              fixture_set_up, test_watch_folders_poll, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/converge/idle", Fixture, NULL,
              fixture_set_up, test_watch_converge_idle, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/watch/converge/poll", Fixture, NULL,
              fixture_set_up, test_watch_converge_poll, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/quota", Fixture, NULL,
              fixture_set_up, test_quota, fixture_tear_down);
  g_test_add ("/buzon/cli/imap/quota/forgotten", Fixture, NULL,
              fixture_set_up, test_quota_forgotten, fixture_tear_down);

  return g_test_run ();
}
