/* test-cli-pop3-switch.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `buzon-cli account switch-to-imap` end to end, against a private Dovecot
 * per test: a POP3 account is added with the real buzon-cli (private XDG
 * profile, --password-command), its local mail is put into the store
 * directly (POP3 download is not what is tested here): Inbox messages as a
 * POP3 download stores them (buzon_store_pop3_save_message()), the other
 * folders' as local messages, with read, flagged and other states, dates,
 * a nested folder, a message that is on the server already and messages
 * without a Message-ID. Then the switch runs, and the server's own state
 * (read over an independent session) must hold each message once, with the
 * same bytes, flags and dates; `buzon-cli sync` of the account, now IMAP,
 * must not add a second copy of anything; a second switch uploads nothing.
 *
 * "minimal" runs the same against a Dovecot that advertises IMAP4rev1 only
 * (no UIDPLUS, no SPECIAL-USE, "." as delimiter). "kill" stops the switch
 * with SIGKILL at several points (through the core's BUZON_TEST_SWITCH_KILL
 * hook: right after an APPEND, right after a UID was written, just before
 * the account is switched) and runs it again each time: never a message
 * twice on the server, nothing missing at the end.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "buzon-account.h"
#include "buzon-store.h"
#include "buzon-test-cli.h"
#include "buzon-test-servers.h"

#define ADDRESS "bruno@example.test"
#define ACCOUNT "Casa"

typedef struct
{
  BuzonTestCli     *cli;        /* the private profile */
  BuzonTestServers *servers;
  gboolean          minimal;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->cli = buzon_test_cli_new ("buzon-cli-pop3-switch-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->servers, buzon_test_servers_stop);
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
}

static gboolean
start_servers (Fixture    *fixture,
               const char *profile)
{
  fixture->servers = buzon_test_servers_start_or_skip (profile, NULL);
  fixture->minimal = g_str_equal (profile, "minimal");

  return fixture->servers != NULL;
}

/* Running buzon-cli */

/* Runs buzon-cli with the NULL-terminated arguments; @kill (or NULL) is the
 * core's BUZON_TEST_SWITCH_KILL hook, so a SIGKILL is a result here. */
static void
run_cli (Fixture            *fixture,
         const char         *kill,
         BuzonTestCliResult *result,
         ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (Fixture            *fixture,
         const char         *kill,
         BuzonTestCliResult *result,
         ...)
{
  g_autofree char *hook = kill != NULL ? g_strconcat ("BUZON_TEST_SWITCH_KILL=", kill, NULL)
                                       : g_strdup ("BUZON_TEST_SWITCH_KILL");
  const char * const env[] = { hook, NULL };
  BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_SIGNAL_OK, .env = env };
  const char *first;
  va_list args;

  va_start (args, result);
  first = va_arg (args, const char *);
  buzon_test_cli_run_valist (fixture->cli, &options, result, first, args);
  va_end (args);

  g_test_message ("buzon-cli %s%s%s → %d (signal %d)\n%s%s", first,
                  kill != NULL ? " with BUZON_TEST_SWITCH_KILL=" : "", kill != NULL ? kill : "",
                  result->status, result->signal, result->out, result->err);
}

#define CLI_OK(fixture, result, ...) \
  G_STMT_START { \
    run_cli ((fixture), NULL, (result), __VA_ARGS__, NULL); \
    if ((result)->status != 0) \
      g_error ("buzon-cli failed (%d, signal %d):\n%s%s", (result)->status, (result)->signal, \
               (result)->out, (result)->err); \
  } G_STMT_END

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

/* The numbers of the switch's summary line. */
static void
parse_summary (const char *out,
               guint      *uploaded,
               guint      *already,
               guint      *created)
{
  const char *line = strstr (out, "Uploaded ");

  if (line == NULL ||
      sscanf (line, "Uploaded %u, already on the server %u, folders created %u.", uploaded,
              already, created) != 3)
    g_error ("no summary in “%s”", out);
}

static const char *
account_protocol (Fixture *fixture)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autoptr(JsonNode) root = NULL;

  CLI_OK (fixture, &result, "account", "show", ACCOUNT, "--json");
  root = parse_json (result.out);

  return g_intern_string (json_object_get_string_member (json_node_get_object (root),
                                                         "protocol"));
}

/* The account and its local mail */

static guint
imaps_port (Fixture *fixture)
{
  return buzon_test_servers_get_port (fixture->servers, "imaps");
}

static void
add_pop3_account (Fixture *fixture)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *port = g_strdup_printf ("%u",
                                           buzon_test_servers_get_port (fixture->servers,
                                                                        "pop3s"));
  g_autofree char *command =
    g_strdup_printf ("echo %s", buzon_test_servers_get_password (fixture->servers, ADDRESS));

  CLI_OK (fixture, &result, "account", "add", ACCOUNT, "--address", ADDRESS, "--protocol",
          "pop3", "--host", buzon_test_servers_get_host (fixture->servers), "--port", port,
          "--security", "tls", "--password-command", command);
}

/* Trusts the IMAP server's certificate the way a user can: `account trust`
 * on an IMAP account for that server and port (pins are per server and
 * port, not per account), which is then removed again. */
static void
trust_imap_server (Fixture *fixture)
{
  g_auto(BuzonTestCliResult) added = { 0, };
  g_auto(BuzonTestCliResult) trusted = { 0, };
  g_auto(BuzonTestCliResult) removed = { 0, };
  g_autofree char *port = g_strdup_printf ("%u", imaps_port (fixture));

  CLI_OK (fixture, &added, "account", "add", "Pin", "--address", ADDRESS, "--protocol", "imap",
          "--host", buzon_test_servers_get_host (fixture->servers), "--port", port,
          "--security", "tls", "--password-command", "false");
  CLI_OK (fixture, &trusted, "account", "trust", "Pin", "--fingerprint",
          buzon_test_servers_get_cert_sha256 (fixture->servers));
  CLI_OK (fixture, &removed, "account", "remove", "Pin");
}

static BuzonAccount *
lookup_account (BuzonStore *store)
{
  g_autoptr(GError) error = NULL;
  BuzonAccount *account = buzon_store_lookup_account (store, ACCOUNT, &error);

  g_assert_no_error (error);
  return account;
}

/* The account's local folder for @use, or named @name; made if missing
 * (the folders `account add` makes for POP3 accounts may or may not be
 * there, depending on what else is built). */
static gint64
local_folder (BuzonStore      *store,
              BuzonAccount    *account,
              const char      *name,
              BuzonSpecialUse  use)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();
  g_autoptr(GError) error = NULL;

  folders = buzon_store_list_folders (store, buzon_account_get_id (account), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *existing = g_ptr_array_index (folders, i);

      if ((use != BUZON_SPECIAL_USE_NONE && existing->special_use == use) ||
          (use == BUZON_SPECIAL_USE_NONE && g_str_equal (existing->name, name)))
        return existing->id;
    }

  if (name == NULL)
    name = use == BUZON_SPECIAL_USE_INBOX ? "Inbox" : use == BUZON_SPECIAL_USE_SENT ? "Sent"
         : use == BUZON_SPECIAL_USE_DRAFTS ? "Drafts" : "Archive";

  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  folder->subscribed = TRUE;
  buzon_store_upsert_folder (store, folder, &error);
  g_assert_no_error (error);

  return folder->id;
}

/* One message of the test. */
typedef struct
{
  const char        *key;          /* Message-ID local part; NULL: no Message-ID */
  const char        *folder;       /* local folder name */
  BuzonSpecialUse    use;          /* … or special use */
  const char        *server;       /* its folder on the server, full profile */
  const char        *server_min;   /* … minimal profile */
  BuzonMessageFlags  flags;
  const char        *subject;
  gboolean           on_server;    /* there before the switch */
  const char        *server_flags; /* its flags there, then */
} Spec;

#define SEEN     BUZON_MESSAGE_FLAG_SEEN
#define ANSWERED BUZON_MESSAGE_FLAG_ANSWERED
#define FLAGGED  BUZON_MESSAGE_FLAG_FLAGGED
#define DRAFT    BUZON_MESSAGE_FLAG_DRAFT

static const Spec specs[] = {
  { "m1", NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", SEEN, "Hola", FALSE, NULL },
  { "m2", NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", FLAGGED, "Factura", FALSE, NULL },
  { "m3", NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", 0, "Sin leer", FALSE, NULL },
  { "dup", NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", SEEN | FLAGGED, "Ya está",
    TRUE, NULL },
  { NULL, NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", SEEN | FLAGGED, "Sin identificador",
    FALSE, NULL },
  { NULL, NULL, BUZON_SPECIAL_USE_INBOX, "INBOX", "INBOX", SEEN, "Sin identificador, ya está",
    TRUE, "\\Seen" },
  { "s1", NULL, BUZON_SPECIAL_USE_SENT, "Sent", "Sent", SEEN, "Enviado", FALSE, NULL },
  { "s2", NULL, BUZON_SPECIAL_USE_SENT, "Sent", "Sent", SEEN | ANSWERED, "Respuesta", FALSE,
    NULL },
  { "d1", NULL, BUZON_SPECIAL_USE_DRAFTS, "Drafts", "Drafts", SEEN | DRAFT, "Borrador", FALSE,
    NULL },
  { "a1", NULL, BUZON_SPECIAL_USE_ARCHIVE, "Archive", "Archive", SEEN, "Archivado", FALSE, NULL },
  { "t0", "Trabajo", BUZON_SPECIAL_USE_NONE, "Trabajo", "Trabajo", 0, "Proyecto", FALSE, NULL },
  { "t1", "Trabajo/2026", BUZON_SPECIAL_USE_NONE, "Trabajo/2026", "Trabajo.2026", FLAGGED,
    "Plan 2026", FALSE, NULL },
  { "t2", "Trabajo/2026", BUZON_SPECIAL_USE_NONE, "Trabajo/2026", "Trabajo.2026", SEEN,
    "Reunión en Cádiz", FALSE, NULL },
};

/* A folder with no mail, which must exist on the server afterwards. */
#define EMPTY_FOLDER "Viajes"

static const char * const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                            "Aug", "Sep", "Oct", "Nov", "Dec" };

static char *
encode_header (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar)*p >= 0x80)
      {
        g_autofree char *base64 = g_base64_encode ((const guchar *)text, strlen (text));

        return g_strdup_printf ("=?UTF-8?B?%s?=", base64);
      }

  return g_strdup (text);
}

static GDateTime *
spec_date (guint index)
{
  g_autoptr(GDateTime) first = g_date_time_new_utc (2025, 11, 3, 9, 0, 0);

  return g_date_time_add_hours (first, (gint)index * 5);
}

/* The message of specs[@index], CRLF, as it is stored here. */
static GBytes *
spec_raw (guint index)
{
  const Spec *spec = &specs[index];
  g_autoptr(GDateTime) date = spec_date (index);
  g_autofree char *subject = encode_header (spec->subject);
  g_autofree char *id = spec->key != NULL ? g_strdup_printf ("Message-ID: <%s@example.test>\r\n",
                                                             spec->key)
                                          : g_strdup ("");
  char *text;

  text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                          "To: Bruno <" ADDRESS ">\r\n"
                          "Subject: %s\r\n"
                          "%s"
                          "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "\r\n"
                          "Texto número %u: %s.\r\n"
                          ".Una línea que empieza con punto.\r\n",
                          subject, id, day_names[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          month_names[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date), g_date_time_get_hour (date),
                          g_date_time_get_minute (date), g_date_time_get_second (date), index,
                          spec->subject);

  return g_bytes_new_take (text, strlen (text));
}

/* When the message "arrived" here: 30 minutes after its Date, so that the
 * server's INTERNALDATE shows which of the two the switch gave it. */
static gint64
spec_internal_date (guint index)
{
  g_autoptr(GDateTime) date = spec_date (index);

  return g_date_time_to_unix (date) + 30 * 60;
}

static const char *
spec_server_folder (Fixture *fixture,
                    guint    index)
{
  return fixture->minimal ? specs[index].server_min : specs[index].server;
}

static char *
spec_sha256 (guint index)
{
  g_autoptr(GBytes) raw = spec_raw (index);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
}

/* Puts the messages that were on the server already there. */
static void
seed_server (Fixture *fixture)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GDateTime) date = NULL;
      g_autoptr(GError) error = NULL;

      if (!specs[i].on_server)
        continue;
      raw = spec_raw (i);
      date = spec_date (i);
      buzon_test_servers_append_full (fixture->servers, ADDRESS, spec_server_folder (fixture, i),
                                      raw, specs[i].server_flags, date, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Fills the POP3 account's local folders with the messages of @specs, and
 * @n_extra more in the Inbox (for the kill test). */
static void
fill_local (Fixture *fixture,
            guint    n_extra)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(BuzonAccount) account = lookup_account (store);
  gint64 account_id = buzon_account_get_id (account);
  guint n = G_N_ELEMENTS (specs) + n_extra;

  local_folder (store, account, EMPTY_FOLDER, BUZON_SPECIAL_USE_NONE);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonMessageSummary) summary = buzon_message_summary_new ();
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GError) error = NULL;
      const Spec *spec = i < G_N_ELEMENTS (specs) ? &specs[i] : NULL;

      if (spec != NULL)
        {
          raw = spec_raw (i);
          summary->folder_id = local_folder (store, account, spec->folder, spec->use);
          summary->message_id = spec->key != NULL ? g_strdup_printf ("<%s@example.test>",
                                                                     spec->key)
                                                  : NULL;
          summary->subject = g_strdup (spec->subject);
          summary->flags = spec->flags;
          summary->date = spec_internal_date (i) - 30 * 60;
          summary->internal_date = spec_internal_date (i);
        }
      else
        {
          /* Every third one without a Message-ID. */
          g_autofree char *id = i % 3 == 0 ? g_strdup ("")
                                           : g_strdup_printf ("Message-ID: <extra-%u@example.test>\r\n",
                                                              i);
          g_autofree char *text =
            g_strdup_printf ("From: ana@example.test\r\nSubject: Extra %u\r\n%s\r\n"
                             "Body %u\r\n", i, id, i);

          raw = g_bytes_new (text, strlen (text));
          summary->folder_id = local_folder (store, account, NULL, BUZON_SPECIAL_USE_INBOX);
          if (i % 3 != 0)
            summary->message_id = g_strdup_printf ("<extra-%u@example.test>", i);
          summary->subject = g_strdup_printf ("Extra %u", i);
          summary->flags = i % 2 == 0 ? SEEN : 0;
          summary->date = 1700000000 + i;
          summary->internal_date = 1700000000 + i;
        }
      summary->from = g_strdup ("Ana <ana@example.test>");
      summary->size = g_bytes_get_size (raw);
      summary->body_state = BUZON_BODY_STATE_FULL;

      if (spec == NULL || spec->use == BUZON_SPECIAL_USE_INBOX)
        {
          g_autofree char *uidl = g_strdup_printf ("uidl-%u", i);

          buzon_store_pop3_save_message (store, account_id, uidl, summary, raw, NULL, &error);
        }
      else
        buzon_store_add_local_message (store, summary, raw, NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Checking the server */

static JsonNode *
server_state (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JsonNode *state = buzon_test_servers_get_state (fixture->servers, ADDRESS, NULL, TRUE, &error);

  g_assert_no_error (error);
  return state;
}

static JsonArray *
server_messages (JsonNode   *state,
                 const char *mailbox)
{
  JsonObject *box = buzon_test_state_get_mailbox (state, mailbox);

  if (box == NULL)
    g_error ("the server has no folder “%s”", mailbox);

  return json_object_get_array_member (box, "messages");
}

static JsonObject *
server_find_sha256 (JsonNode   *state,
                    const char *mailbox,
                    const char *sha256)
{
  JsonArray *messages = server_messages (state, mailbox);
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (message, "sha256", NULL),
                     sha256) == 0)
        {
          if (found != NULL)
            g_error ("a message is twice in “%s” on the server", mailbox);
          found = message;
        }
    }

  return found;
}

static BuzonMessageFlags
server_flags (JsonObject *message)
{
  JsonArray *flags = json_object_get_array_member (message, "flags");
  BuzonMessageFlags bits = 0;

  for (guint i = 0; i < json_array_get_length (flags); i++)
    {
      const char *flag = json_array_get_string_element (flags, i);

      if (g_ascii_strcasecmp (flag, "\\Seen") == 0)
        bits |= SEEN;
      else if (g_ascii_strcasecmp (flag, "\\Answered") == 0)
        bits |= ANSWERED;
      else if (g_ascii_strcasecmp (flag, "\\Flagged") == 0)
        bits |= FLAGGED;
      else if (g_ascii_strcasecmp (flag, "\\Draft") == 0)
        bits |= DRAFT;
      else if (g_ascii_strcasecmp (flag, "\\Deleted") == 0)
        bits |= BUZON_MESSAGE_FLAG_DELETED;
    }

  return bits;
}

/* RFC 3501 date-time, "03-Nov-2025 09:30:00 +0000", to seconds. */
static gint64
parse_internaldate (const char *text)
{
  char month[4] = { 0, };
  int day, year, hour, minute, second, zone;
  g_autoptr(GDateTime) utc = NULL;

  if (sscanf (text, "%d-%3s-%d %d:%d:%d %d", &day, month, &year, &hour, &minute, &second,
              &zone) != 7)
    g_error ("“%s” is not an INTERNALDATE", text);

  for (guint m = 0; m < G_N_ELEMENTS (month_names); m++)
    if (g_str_equal (month, month_names[m]))
      {
        int sign = zone < 0 ? -1 : 1;
        int offset = sign * ((ABS (zone) / 100) * 3600 + (ABS (zone) % 100) * 60);

        utc = g_date_time_new_utc (year, (int)m + 1, day, hour, minute, second);
        return g_date_time_to_unix (utc) - offset;
      }

  g_error ("“%s” is not an INTERNALDATE", text);
}

/* Every server folder holds each message at most once (by Message-ID, and
 * by bytes). */
static void
assert_no_duplicates_on_server (JsonNode *state)
{
  JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                         "mailboxes");
  g_autoptr(GList) names = json_object_get_members (mailboxes);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonArray *messages = server_messages (state, l->data);
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) sums = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonObject *message = json_array_get_object_element (messages, i);
          const char *id = json_object_get_string_member_with_default (message, "message_id",
                                                                       NULL);
          const char *sum = json_object_get_string_member (message, "sha256");

          if (id != NULL && !g_hash_table_add (ids, (gpointer)id))
            g_error ("%s is twice in “%s” on the server", id, (const char *)l->data);
          if (!g_hash_table_add (sums, (gpointer)sum))
            g_error ("a message is twice in “%s” on the server", (const char *)l->data);
        }
    }
}

/* Each message of @specs is on the server once, with its bytes, its flags
 * (and those it had there) and, when uploaded, its internal date. */
static void
assert_server_has_specs (Fixture  *fixture,
                         JsonNode *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      const char *mailbox = spec_server_folder (fixture, i);
      g_autofree char *sha256 = spec_sha256 (i);
      g_autoptr(GBytes) raw = spec_raw (i);
      JsonObject *message = server_find_sha256 (state, mailbox, sha256);
      BuzonMessageFlags expected = specs[i].flags;

      if (message == NULL)
        g_error ("message %u (%s) is not in “%s” on the server", i, specs[i].subject, mailbox);

      g_assert_cmpint (json_object_get_int_member (message, "size"), ==, g_bytes_get_size (raw));
      if (specs[i].key != NULL)
        {
          g_autofree char *id = g_strdup_printf ("<%s@example.test>", specs[i].key);

          g_assert_cmpstr (json_object_get_string_member (message, "message_id"), ==, id);
        }
      g_assert_cmpint (server_flags (message), ==, expected);
      if (!specs[i].on_server)
        g_assert_cmpint (parse_internaldate (json_object_get_string_member (message,
                                                                            "internaldate")),
                         ==, spec_internal_date (i));
    }

  assert_no_duplicates_on_server (state);
}

/* The local copy after the switch */

/* Every message row of the account has the UID of its message on the
 * server, in a folder named like the server's with its UIDVALIDITY. */
static void
assert_local_tied (Fixture  *fixture,
                   JsonNode *state)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(BuzonAccount) account = lookup_account (store);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (buzon_account_get_protocol (account), ==, BUZON_PROTOCOL_IMAP);
  g_assert_cmpint (buzon_account_get_sync_policy (account), ==, BUZON_SYNC_POLICY_FULL);
  g_assert_cmpuint (buzon_account_get_port (account), ==, imaps_port (fixture));

  folders = buzon_store_list_folders (store, buzon_account_get_id (account), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);
      JsonObject *box = buzon_test_state_get_mailbox (state, folder->name);
      g_autoptr(GPtrArray) rows = NULL;

      if (box == NULL)
        g_error ("the local folder “%s” has no server folder of that name", folder->name);
      g_assert_cmpint (folder->uidvalidity, ==, json_object_get_int_member (box, "uidvalidity"));

      rows = buzon_store_list_messages (store, folder->id, 0, 0, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < rows->len; j++)
        {
          BuzonMessageSummary *row = g_ptr_array_index (rows, j);
          g_autoptr(GBytes) raw = buzon_store_get_body (store, row->id, &error);
          g_autofree char *sha256 = NULL;
          JsonObject *message;

          g_assert_no_error (error);
          g_assert_cmpuint (row->uid, !=, 0);
          sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
          message = server_find_sha256 (state, folder->name, sha256);
          g_assert_nonnull (message);
          g_assert_cmpint (row->uid, ==, json_object_get_int_member (message, "uid"));
        }
    }
}

/* Per server folder, as many local rows as server messages, no Message-ID
 * twice here, and every local message's UID is on the server. */
static void
assert_local_matches_server (Fixture  *fixture,
                             JsonNode *state)
{
  JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                         "mailboxes");
  g_autoptr(GList) names = json_object_get_members (mailboxes);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonArray *messages = server_messages (state, name);
      g_autoptr(GHashTable) server_uids = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
      g_auto(BuzonTestCliResult) result = { 0, };
      g_autoptr(JsonNode) root = NULL;
      JsonArray *list;

      CLI_OK (fixture, &result, "list", ACCOUNT, name, "--json");
      root = parse_json (result.out);
      list = json_node_get_array (root);

      g_test_message ("“%s”: %u on the server, %u here", name, json_array_get_length (messages),
                      json_array_get_length (list));
      g_assert_cmpuint (json_array_get_length (list), ==, json_array_get_length (messages));

      for (guint i = 0; i < json_array_get_length (messages); i++)
        g_hash_table_add (server_uids,
                          GUINT_TO_POINTER (json_object_get_int_member (
                            json_array_get_object_element (messages, i), "uid")));

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonObject *message = json_array_get_object_element (list, i);

          g_assert_true (g_hash_table_contains (server_uids,
                                                GUINT_TO_POINTER (json_object_get_int_member (
                                                  message, "uid"))));
          if (!json_object_get_null_member (message, "message_id"))
            g_assert_true (g_hash_table_add (ids, (gpointer)json_object_get_string_member (
                                                    message, "message_id")));
        }
    }
}

static guint
count_server_messages (JsonNode *state)
{
  JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                         "mailboxes");
  g_autoptr(GList) names = json_object_get_members (mailboxes);
  guint n = 0;

  for (GList *l = names; l != NULL; l = l->next)
    n += json_array_get_length (server_messages (state, l->data));

  return n;
}

/* How many of the account's messages have a UID here. */
static guint
count_local_tied (Fixture *fixture)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(BuzonAccount) account = lookup_account (store);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  folders = buzon_store_list_folders (store, buzon_account_get_id (account), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      g_autoptr(GArray) uids = buzon_store_list_uids (store,
                                                      ((BuzonFolder *)g_ptr_array_index (folders,
                                                                                         i))->id,
                                                      &error);

      g_assert_no_error (error);
      n += uids->len;
    }

  return n;
}

/* The tests */

static void
run_switch_test (Fixture *fixture)
{
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(JsonNode) again_state = NULL;
  g_autofree char *port = g_strdup_printf ("%u", imaps_port (fixture));
  g_auto(BuzonTestCliResult) refused = { 0, };
  g_auto(BuzonTestCliResult) switched = { 0, };
  g_auto(BuzonTestCliResult) sync = { 0, };
  g_auto(BuzonTestCliResult) again = { 0, };
  g_autofree char *server_only = NULL;
  guint n_on_server = 0, uploaded = 0, already = 0, created = 0;

  add_pop3_account (fixture);
  fill_local (fixture, 0);
  seed_server (fixture);

  /* Mail the server has and this computer has not: the sync must bring it. */
  {
    g_autoptr(GError) error = NULL;
    const char *text = "From: carla@example.test\r\nSubject: Solo en el servidor\r\n"
                       "Message-ID: <server-only@example.test>\r\n\r\nHola.\r\n";
    g_autoptr(GBytes) raw = g_bytes_new_static (text, strlen (text));

    buzon_test_servers_append (fixture->servers, ADDRESS, "INBOX", raw, NULL, &error);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    n_on_server += specs[i].on_server ? 1 : 0;

  /* The IMAP server's certificate is not trusted yet: nothing happens. */
  run_cli (fixture, NULL, &refused, "account", "switch-to-imap", ACCOUNT, "--port", port, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  assert_contains (refused.err, "certificate");
  assert_contains (refused.err, "account trust");
  g_assert_cmpstr (account_protocol (fixture), ==, "pop3");
  before = server_state (fixture);
  g_assert_cmpuint (count_server_messages (before), ==, n_on_server + 1);

  trust_imap_server (fixture);

  /* Host and security default to the account's: only the port differs. */
  CLI_OK (fixture, &switched, "account", "switch-to-imap", ACCOUNT, "--port", port);
  parse_summary (switched.out, &uploaded, &already, &created);
  g_assert_cmpuint (uploaded, ==, G_N_ELEMENTS (specs) - n_on_server);
  g_assert_cmpuint (already, ==, n_on_server);
  /* Trabajo, Trabajo/2026, Viajes, and Archive where the server has none. */
  g_assert_cmpuint (created, ==, 4);
  assert_contains (switched.out, "is an IMAP account now");
  g_assert_cmpstr (account_protocol (fixture), ==, "imap");

  after = server_state (fixture);
  assert_server_has_specs (fixture, after);
  g_assert_cmpuint (count_server_messages (after), ==, G_N_ELEMENTS (specs) + 1);
  g_assert_nonnull (buzon_test_state_get_mailbox (after, EMPTY_FOLDER));
  assert_local_tied (fixture, after);

  /* The first sync of the now-IMAP account copies nothing twice, and
   * brings what was on the server only. */
  CLI_OK (fixture, &sync, "sync", ACCOUNT);
  synced = server_state (fixture);
  g_assert_cmpuint (count_server_messages (synced), ==, count_server_messages (after));
  assert_local_matches_server (fixture, synced);
  {
    g_auto(BuzonTestCliResult) list = { 0, };

    CLI_OK (fixture, &list, "list", ACCOUNT, "INBOX", "--json");
    assert_contains (list.out, "<server-only@example.test>");
  }

  /* Again: nothing to upload. */
  CLI_OK (fixture, &again, "account", "switch-to-imap", ACCOUNT, "--port", port);
  assert_contains (again.out, "nothing was uploaded");
  again_state = server_state (fixture);
  g_assert_cmpuint (count_server_messages (again_state), ==, count_server_messages (after));
  assert_server_has_specs (fixture, again_state);
}

static void
test_switch_full (Fixture       *fixture,
                  gconstpointer  data)
{
  if (!start_servers (fixture, "full"))
    return;

  run_switch_test (fixture);
}

static void
test_switch_minimal (Fixture       *fixture,
                     gconstpointer  data)
{
  if (!start_servers (fixture, "minimal"))
    return;

  run_switch_test (fixture);

  /* The nested folder went under the server's own delimiter. */
  {
    g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
    g_autoptr(BuzonAccount) account = lookup_account (store);
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonFolder) nested = buzon_store_lookup_folder (store,
                                                               buzon_account_get_id (account),
                                                               "Trabajo.2026", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (nested->delimiter, ==, ".");
    g_assert_cmpint (nested->parent_id, !=, 0);
  }
}

#define N_EXTRA 12

static void
test_switch_kill (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *profile = data;
  static const char * const kill_points[] = {
    "append:2", "tie:3", "append:1", "tie:1", "append:4", "switch",
  };
  g_autofree char *port = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_auto(BuzonTestCliResult) done = { 0, };
  g_auto(BuzonTestCliResult) sync = { 0, };
  guint uploaded = 0, already = 0, created = 0;
  guint n_local = G_N_ELEMENTS (specs) + N_EXTRA;
  guint n_seeded = 0;

  if (!start_servers (fixture, profile))
    return;
  port = g_strdup_printf ("%u", imaps_port (fixture));

  add_pop3_account (fixture);
  fill_local (fixture, N_EXTRA);
  seed_server (fixture);
  trust_imap_server (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    n_seeded += specs[i].on_server ? 1 : 0;

  for (guint k = 0; k < G_N_ELEMENTS (kill_points); k++)
    {
      g_auto(BuzonTestCliResult) killed = { 0, };
      g_autoptr(JsonNode) partial = NULL;

      run_cli (fixture, kill_points[k], &killed, "account", "switch-to-imap", ACCOUNT, "--port",
               port, NULL);
      if (killed.signal != SIGKILL)
        g_error ("the switch with BUZON_TEST_SWITCH_KILL=%s was not killed (%d):\n%s%s",
                 kill_points[k], killed.status, killed.out, killed.err);

      /* Still a POP3 account, and nothing on the server twice. */
      g_assert_cmpstr (account_protocol (fixture), ==, "pop3");
      partial = server_state (fixture);
      assert_no_duplicates_on_server (partial);
      g_assert_cmpuint (count_server_messages (partial), <=, n_local);

      /* The first kill came right after the second APPEND, before its UID
       * was written: two messages on the server, one of them tied here.
       * The next run must find the other there, not upload it again. */
      if (k == 0)
        {
          g_assert_cmpuint (count_server_messages (partial), ==, n_seeded + 2);
          g_assert_cmpuint (count_local_tied (fixture), ==, 1);
        }
    }

  CLI_OK (fixture, &done, "account", "switch-to-imap", ACCOUNT, "--port", port);
  parse_summary (done.out, &uploaded, &already, &created);
  /* The kill before the switch came after every upload. */
  g_assert_cmpuint (uploaded, ==, 0);
  g_assert_cmpuint (already, ==, n_local);
  g_assert_cmpuint (created, ==, 0);
  g_assert_cmpstr (account_protocol (fixture), ==, "imap");

  state = server_state (fixture);
  g_assert_cmpuint (count_server_messages (state), ==, n_local);
  assert_server_has_specs (fixture, state);
  assert_local_tied (fixture, state);

  CLI_OK (fixture, &sync, "sync", ACCOUNT);
  g_clear_pointer (&state, json_node_unref);
  state = server_state (fixture);
  g_assert_cmpuint (count_server_messages (state), ==, n_local);
  assert_local_matches_server (fixture, state);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/cli/pop3-switch/full", Fixture, NULL,
              fixture_set_up, test_switch_full, fixture_tear_down);
  g_test_add ("/buzon/cli/pop3-switch/minimal", Fixture, NULL,
              fixture_set_up, test_switch_minimal, fixture_tear_down);
  g_test_add ("/buzon/cli/pop3-switch/kill", Fixture, "full",
              fixture_set_up, test_switch_kill, fixture_tear_down);
  g_test_add ("/buzon/cli/pop3-switch/kill/minimal", Fixture, "minimal",
              fixture_set_up, test_switch_kill, fixture_tear_down);

  return g_test_run ();
}
