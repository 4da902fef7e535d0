/* test-hostile-imap.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon-cli sync against an IMAP server that misbehaves: the real Dovecot
 * behind tests/common/hostile-proxy.py, which drops the connection at chosen
 * byte offsets, greets with garbage, sends "* BYE" in the middle of a FETCH,
 * announces a 2 GiB literal, sends 10 MB without a line end, sends slowly,
 * hides STARTTLS after the account required it, and interleaves untagged
 * EXISTS and FETCH inside FETCH responses. For each: the sync ends within a
 * bounded time, without a crash, with a sentence on stderr when it failed;
 * no password goes out where TLS was required; and afterwards a sync against
 * Dovecot itself converges: every message of the server here once, nothing
 * more. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "buzon-test-cli.h"
#include "buzon-test-servers.h"

#define ADDRESS          "bruno@example.test"
#define PASSWORD_COMMAND "echo bruno-secret"
#define N_MESSAGES       40
/* Generous: a loaded machine under ASan. Each case takes seconds. */
#define BOUND_SECONDS    120

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  static const char * const args[] = { "--allow-plaintext", NULL };
  static gboolean filled;
  BuzonTestServers *started =
    buzon_test_servers_start_once (&servers, &servers_tried, "full", args);

  if (started != NULL && !filled)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = buzon_test_servers_fill (started, ADDRESS, N_MESSAGES, NULL,
                                                            &error);

      g_assert_no_error (error);
      filled = TRUE;
    }

  return started;
}

typedef struct
{
  GSubprocess *process;
  guint        port;
  char        *dir;
  char        *log;
} Proxy;

static void
proxy_stop (Proxy *proxy)
{
  if (proxy->process != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (proxy->process), NULL, NULL);
      g_subprocess_wait (proxy->process, NULL, NULL);
      g_clear_object (&proxy->process);
    }
  if (proxy->log != NULL)
    g_unlink (proxy->log);
  if (proxy->dir != NULL)
    g_rmdir (proxy->dir);
  g_free (proxy->log);
  g_free (proxy->dir);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_stop)

static Proxy *
proxy_start (const char *behaviour)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "common", "hostile-proxy.py",
                                                   NULL);
  g_autofree char *upstream = g_strdup_printf ("127.0.0.1:%u",
                                               buzon_test_servers_get_port (servers, "imap"));
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->dir = g_dir_make_tmp ("buzon-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  proxy->log = g_build_filename (proxy->dir, "client.log", NULL);
  proxy->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error, "python3", script, "--upstream", upstream,
                                     "--behaviour", behaviour, "--log", proxy->log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  proxy->port = (guint)g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (proxy->port, >, 0);

  return proxy;
}

static char *
proxy_log (Proxy *proxy)
{
  char *contents = NULL;

  if (!g_file_get_contents (proxy->log, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

static void
cli_ok (BuzonTestCli       *cli,
        const char * const *args)
{
  g_auto(BuzonTestCliResult) result = { 0, };

  buzon_test_cli_runv (cli, NULL, args, &result);
  if (result.status != 0)
    {
      g_autofree char *command = buzon_test_cli_describe (args);

      g_error ("%s exited with %d\n%s%s", command, result.status, result.out, result.err);
    }
}

/* Points the account at @port with @security, through the store as an
 * account editor would. */
static void
set_server (BuzonTestCli  *cli,
            guint          port,
            BuzonSecurity  security)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (cli);
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = buzon_store_lookup_account (store, "hostile", &error);
  g_assert_no_error (error);
  buzon_account_set_port (account, port);
  buzon_account_set_security (account, security);
  g_assert_true (buzon_store_update_account (store, account, &error));
  g_assert_no_error (error);
}

/* The Message-IDs of the INBOX here. */
static GPtrArray *
local_message_ids (BuzonTestCli *cli)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (cli);
  g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store, "hostile", NULL);
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (account);
  inbox = buzon_store_lookup_folder (store, buzon_account_get_id (account), "INBOX", NULL);
  if (inbox == NULL)
    return ids;
  messages = buzon_store_list_messages (store, inbox->id, 0, G_MAXUINT, NULL);
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);

      g_ptr_array_add (ids, g_strdup (summary->message_id));
    }

  return ids;
}

/* Here, exactly the server's INBOX: each message once. */
static void
assert_converged (BuzonTestCli *cli)
{
  g_autoptr(GPtrArray) local = local_message_ids (cli);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = buzon_test_servers_get_state (servers, ADDRESS, "INBOX", FALSE,
                                                            &error);
  JsonArray *messages;

  g_assert_no_error (error);
  messages = json_object_get_array_member (buzon_test_state_get_mailbox (state, "INBOX"),
                                            "messages");
  g_assert_cmpuint (local->len, ==, json_array_get_length (messages));
  for (guint i = 0; i < local->len; i++)
    {
      const char *id = g_ptr_array_index (local, i);

      g_assert_nonnull (id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer)id);
    }
  for (guint i = 0; i < json_array_get_length (messages); i++)
    g_assert_true (g_hash_table_contains (
      seen, json_object_get_string_member (json_array_get_object_element (messages, i),
                                           "message_id")));
}

typedef enum
{
  EXPECT_FAILURE,
  EXPECT_SUCCESS,
  EXPECT_EITHER,
} Expect;

/* One sync through the proxy, then one against Dovecot. */
static char *
run_case (const char    *behaviour,
          BuzonSecurity  security,
          Expect         expect,
          char         **out_err)
{
  g_autoptr(BuzonTestCli) cli = buzon_test_cli_new ("buzon-hostile-XXXXXX");
  g_autoptr(Proxy) proxy = proxy_start (behaviour);
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *port = g_strdup_printf ("%u", proxy->port);
  const char *security_name = security == BUZON_SECURITY_STARTTLS ? "starttls" : "none";
  gint64 start;
  gint64 seconds;

  cli_ok (cli, (const char *[]) {
    "account", "add", "hostile", "--address", ADDRESS, "--protocol", "imap",
    "--host", "127.0.0.1", "--port", port, "--security", security_name,
    "--password-command", PASSWORD_COMMAND, NULL });

  start = g_get_monotonic_time ();
  buzon_test_cli_runv (cli, &(BuzonTestCliOptions) { .flags = BUZON_TEST_CLI_UTF8 },
                       (const char *[]) { "sync", "hostile", NULL }, &result);
  seconds = (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_test_message ("%s: exit %d after %" G_GINT64_FORMAT " s: %s", behaviour, result.status,
                  seconds, result.err);

  g_assert_cmpint (seconds, <, BOUND_SECONDS);
  g_assert_cmpint (result.signal, ==, 0);
  if (expect == EXPECT_FAILURE)
    g_assert_cmpint (result.status, ==, 1);
  else if (expect == EXPECT_SUCCESS)
    g_assert_cmpint (result.status, ==, 0);
  if (result.status != 0)
    {
      /* A sentence, not a code or nothing. */
      g_assert_cmpuint (strlen (result.err), >, 20);
      g_assert_null (strstr (result.err, "(null)"));
    }
  if (out_err != NULL)
    *out_err = g_strdup (result.err);

  /* Then the real server: everything arrives, once. */
  set_server (cli, buzon_test_servers_get_port (servers, "imaps"), BUZON_SECURITY_TLS);
  cli_ok (cli, (const char *[]) { "account", "trust", "hostile", "--fingerprint",
                                  buzon_test_servers_get_cert_sha256 (servers), NULL });
  cli_ok (cli, (const char *[]) { "sync", "hostile", NULL });
  assert_converged (cli);

  return proxy_log (proxy);
}

static void
test_pass (void)
{
  g_autofree char *log = NULL;

  if (get_servers () == NULL)
    return;
  log = run_case ("pass", BUZON_SECURITY_NONE, EXPECT_SUCCESS, NULL);
  g_assert_nonnull (strstr (log, "FETCH"));
}

static void
test_drops (void)
{
  /* In the greeting, in the login, in the folder list, in the fetches. */
  static const char * const offsets[] = { "drop-at:10", "drop-at:300", "drop-at:900",
                                          "drop-at:2500", "drop-at:9000", "drop-at:30000" };

  if (get_servers () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    g_free (run_case (offsets[i], BUZON_SECURITY_NONE, EXPECT_EITHER, NULL));
}

static void
test_garbage (void)
{
  if (get_servers () == NULL)
    return;
  g_free (run_case ("garbage", BUZON_SECURITY_NONE, EXPECT_FAILURE, NULL));
}

static void
test_bye_in_fetch (void)
{
  g_autofree char *err = NULL;

  if (get_servers () == NULL)
    return;
  g_free (run_case ("bye-in-fetch", BUZON_SECURITY_NONE, EXPECT_FAILURE, &err));
}

static void
test_huge_literal (void)
{
  if (get_servers () == NULL)
    return;
  g_free (run_case ("huge-literal", BUZON_SECURITY_NONE, EXPECT_FAILURE, NULL));
}

static void
test_long_line (void)
{
  if (get_servers () == NULL)
    return;
  g_free (run_case ("long-line", BUZON_SECURITY_NONE, EXPECT_FAILURE, NULL));
}

static void
test_slow (void)
{
  if (get_servers () == NULL)
    return;
  /* A slow server is not a broken one. */
  g_free (run_case ("slow:300", BUZON_SECURITY_NONE, EXPECT_SUCCESS, NULL));
}

static void
test_interleave (void)
{
  if (get_servers () == NULL)
    return;
  g_free (run_case ("interleave", BUZON_SECURITY_NONE, EXPECT_SUCCESS, NULL));
}

/* STARTTLS required, and the server stops offering it: no password goes out. */
static void
test_strip_starttls (void)
{
  g_autofree char *err = NULL;
  g_autofree char *log = NULL;

  if (get_servers () == NULL)
    return;
  log = run_case ("strip-starttls", BUZON_SECURITY_STARTTLS, EXPECT_FAILURE, &err);
  g_assert_nonnull (strstr (err, "STARTTLS"));
  g_assert_null (strstr (log, "LOGIN "));
  g_assert_null (strstr (log, "AUTHENTICATE"));
  g_assert_null (strstr (log, "bruno-secret"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/imap/pass", test_pass);
  g_test_add_func ("/hostile/imap/drops", test_drops);
  g_test_add_func ("/hostile/imap/garbage", test_garbage);
  g_test_add_func ("/hostile/imap/bye-in-fetch", test_bye_in_fetch);
  g_test_add_func ("/hostile/imap/huge-literal", test_huge_literal);
  g_test_add_func ("/hostile/imap/long-line", test_long_line);
  g_test_add_func ("/hostile/imap/slow", test_slow);
  g_test_add_func ("/hostile/imap/interleave", test_interleave);
  g_test_add_func ("/hostile/imap/strip-starttls", test_strip_starttls);

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
