/* test-cli-pop3-local.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drives the real buzon-cli binary's mail commands on a POP3 account
 * (folders, list, show, search, flag, move, copy, delete, append, mkdir,
 * rmdir, rename) as a script would, in a private XDG profile. A POP3
 * account's folders exist only here, so none of these may connect: the
 * account's server is 127.0.0.1 on a port nothing listens on, the account is
 * never synced, and every test checks at the end that nothing was queued
 * for a server. Downloaded mail is put in the store as the POP3 download
 * stores it (buzon_store_pop3_save_message()), UIDL and all. */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "buzon-account.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-cli.h"

#define ACCOUNT "Casa"

/* The local folders every POP3 account starts with. */
#define DEFAULT_FOLDERS "Archive\tDrafts\tINBOX\tSent\tTrash"

/* What the commands that change folders say once on a POP3 account. */
#define LOCAL_NOTE "POP3 folders exist only on this computer; the server is not changed.\n"

typedef struct
{
  BuzonTestCli *cli;   /* the private profile */
} Fixture;

/* Running buzon-cli: what it prints must be UTF-8. */

static const BuzonTestCliOptions cli_options = { .flags = BUZON_TEST_CLI_UTF8 };

static void
run_cli (Fixture            *fixture,
         BuzonTestCliResult *result,
         ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (Fixture            *fixture,
         BuzonTestCliResult *result,
         ...)
{
  va_list ap;

  va_start (ap, result);
  buzon_test_cli_run_valist (fixture->cli, &cli_options, result, va_arg (ap, const char *), ap);
  va_end (ap);
}

/* Runs buzon-cli, which must succeed with nothing on stderr (on a POP3
 * account nothing is sent anywhere, so there is nothing to report);
 * returns its stdout. */
static char *
cli_ok (Fixture    *fixture,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

static char *
cli_ok (Fixture    *fixture,
        const char *first,
        ...)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer)first);
  va_start (ap, first);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer)arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  buzon_test_cli_runv (fixture->cli, &cli_options, (const char * const *)args->pdata, &result);
  if (result.status != 0 || *result.err != '\0')
    {
      g_autofree char *command = buzon_test_cli_describe ((const char * const *)args->pdata);

      g_error ("%s exited with %d:\n%s%s", command, result.status, result.out, result.err);
    }

  return g_steal_pointer (&result.out);
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("“%s” not in “%s”", fragment, text);
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

static gint64
account_id (BuzonStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = buzon_store_lookup_account (store, ACCOUNT, &error);

  g_assert_no_error (error);
  return buzon_account_get_id (account);
}

/* Stores a message as the POP3 download does: whole, no UID, with its
 * UIDL. Returns its number (store id). */
static gint64
download (Fixture    *fixture,
          const char *uidl,
          const char *subject,
          const char *text)
{
  BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(BuzonMessageSummary) summary = buzon_message_summary_new ();
  g_autofree char *raw_text =
    g_strdup_printf ("From: Bruno <bruno@example.es>\r\nTo: casa@example.es\r\n"
                     "Subject: %s\r\nMessage-ID: <%s@example.es>\r\n"
                     "Date: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n%s\r\n",
                     subject, uidl, text);
  g_autoptr(GBytes) raw = g_bytes_new (raw_text, strlen (raw_text));
  gint64 id;

  inbox = buzon_store_lookup_folder (store, account_id (store), "INBOX", &error);
  g_assert_no_error (error);

  summary->folder_id = inbox->id;
  summary->subject = g_strdup (subject);
  summary->from = g_strdup ("Bruno <bruno@example.es>");
  summary->message_id = g_strdup_printf ("<%s@example.es>", uidl);
  summary->date = 1796119200;
  summary->internal_date = summary->date;
  summary->size = g_bytes_get_size (raw);
  g_assert_true (buzon_store_pop3_save_message (store, account_id (store), uidl, summary, raw,
                                                text, &error));
  g_assert_no_error (error);
  id = summary->id;

  buzon_test_finalize_object (store);
  return id;
}

/* The local copy a UIDL record points at, 0 for none. */
static gint64
uidl_copy (Fixture    *fixture,
           const char *uidl)
{
  BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPop3Uidl) record = buzon_store_pop3_lookup_uidl (store, account_id (store),
                                                                  uidl, &error);
  gint64 id;

  g_assert_no_error (error);
  id = record->message_id;
  buzon_test_finalize_object (store);

  return id;
}

static void
assert_nothing_queued (Fixture *fixture)
{
  BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = buzon_store_list_ops (store, account_id (store), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 0);
  g_clear_pointer (&ops, g_ptr_array_unref);
  buzon_test_finalize_object (store);
}

/* The account's folder names, sorted, tab separated. */
static char *
folder_names (Fixture *fixture)
{
  g_autofree char *out = cli_ok (fixture, "folders", ACCOUNT, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (*lines[i] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      g_ptr_array_add (names, g_strdup (fields[0]));
    }
  g_ptr_array_add (names, NULL);

  return g_strjoinv ("\t", (char **)names->pdata);
}

/* The first column of `list`: the message numbers, in list order. */
static char *
numbers_in (Fixture    *fixture,
            const char *folder)
{
  g_autofree char *out = cli_ok (fixture, "list", ACCOUNT, folder, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GString) numbers = g_string_new ("");

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (*lines[i] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 5);
      g_string_append_printf (numbers, "%s%s", numbers->len > 0 ? " " : "", fields[0]);
    }

  return g_string_free (g_steal_pointer (&numbers), FALSE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *out = NULL;

  fixture->cli = buzon_test_cli_new ("buzon-cli-pop3-XXXXXX");

  /* Port 9: nothing listens there; nothing may try. */
  out = cli_ok (fixture, "account", "add", ACCOUNT, "--address", "casa@example.es",
                "--protocol", "pop3", "--host", "127.0.0.1", "--port", "9", "--security", "tls",
                "--pop3-mode", "keep-until-deleted", "--password-command", "printf x", NULL);
  g_assert_cmpstr (out, ==, "");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  assert_nothing_queued (fixture);
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
}

/* Tests */

static void
test_folders_from_the_start (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *names = folder_names (fixture);
  g_autofree char *json = cli_ok (fixture, "folders", ACCOUNT, "--json", NULL);
  g_autoptr(JsonNode) root = parse_json (json);
  JsonArray *folders = json_node_get_array (root);
  g_autoptr(GHashTable) uses = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (names, ==, DEFAULT_FOLDERS);

  g_assert_cmpuint (json_array_get_length (folders), ==, 5);
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      g_assert_cmpstr (json_object_get_string_member (folder, "delimiter"), ==, "/");
      g_assert_cmpint (json_object_get_int_member (folder, "total"), ==, 0);
      g_hash_table_insert (uses, (gpointer)json_object_get_string_member (folder, "name"),
                           (gpointer)json_object_get_string_member (folder, "special_use"));
    }
  g_assert_cmpstr (g_hash_table_lookup (uses, "INBOX"), ==, "inbox");
  g_assert_cmpstr (g_hash_table_lookup (uses, "Sent"), ==, "sent");
  g_assert_cmpstr (g_hash_table_lookup (uses, "Drafts"), ==, "drafts");
  g_assert_cmpstr (g_hash_table_lookup (uses, "Trash"), ==, "trash");
  g_assert_cmpstr (g_hash_table_lookup (uses, "Archive"), ==, "archive");

  /* The help says how POP3 messages are given. */
  {
    g_autofree char *help = cli_ok (fixture, "flag", "--help", NULL);

    assert_contains (help, "POP3");
  }
}

static void
test_messages (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  g_autofree char *out = NULL;
  g_autofree char *numbers = NULL;
  g_autofree char *copy_numbers = NULL;
  g_autofree char *eml = g_build_filename (buzon_test_cli_get_dir (fixture->cli), "draft.eml",
                                           NULL);
  g_autoptr(GError) error = NULL;
  static const char draft[] =
    "From: Casa <casa@example.es>\r\nTo: bruno@example.es\r\nSubject: Respuesta\r\n"
    "Message-ID: <r1@example.es>\r\n\r\nGracias, Bruno\r\n";
  gint64 id_a, id_b, id_c;

  id_a = download (fixture, "uidl-a", "Factura de marzo", "Importe: 10 euros");
  id_b = download (fixture, "uidl-b", "Canción nueva", "Una línea\r\n.Empieza con punto");
  a = g_strdup_printf ("%" G_GINT64_FORMAT, id_a);
  b = g_strdup_printf ("%" G_GINT64_FORMAT, id_b);

  /* list: the number of each message in the UID column. */
  numbers = numbers_in (fixture, "INBOX");
  {
    g_autofree char *both = g_strdup_printf ("%s %s", a, b);
    g_autofree char *both_r = g_strdup_printf ("%s %s", b, a);

    g_assert_true (g_str_equal (numbers, both) || g_str_equal (numbers, both_r));
  }
  out = cli_ok (fixture, "list", ACCOUNT, "INBOX", "--json", NULL);
  {
    g_autoptr(JsonNode) root = parse_json (out);
    JsonArray *messages = json_node_get_array (root);

    g_assert_cmpuint (json_array_get_length (messages), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *message = json_array_get_object_element (messages, i);
        gint64 id = json_object_get_int_member (message, "id");

        g_assert_true (id == id_a || id == id_b);
        g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, 0);
        g_assert_true (json_object_get_boolean_member (message, "downloaded"));
      }
  }
  g_clear_pointer (&out, g_free);

  /* show: the stored message, text or raw, without connecting. */
  out = cli_ok (fixture, "show", ACCOUNT, "INBOX", b, NULL);
  assert_contains (out, "Subject: Canción nueva");
  assert_contains (out, ".Empieza con punto");
  g_clear_pointer (&out, g_free);
  out = cli_ok (fixture, "show", ACCOUNT, "INBOX", a, "--raw", NULL);
  assert_contains (out, "Message-ID: <uidl-a@example.es>\r\n");
  g_clear_pointer (&out, g_free);

  /* search: the local index, accents ignored; numbers as list has them. */
  out = cli_ok (fixture, "search", ACCOUNT, "cancion", NULL);
  {
    g_autofree char *line = g_strdup_printf ("INBOX\t%s\t", b);

    g_assert_true (g_str_has_prefix (out, line));
    g_assert_null (strchr (strchr (out, '\n') + 1, '\t'));
  }
  g_clear_pointer (&out, g_free);
  run_cli (fixture, &result, "search", ACCOUNT, "euros", "--server", NULL);
  g_assert_cmpint (result.status, ==, 2);
  assert_contains (result.err, "POP3");
  buzon_test_cli_result_clear (&result);

  /* flag */
  out = cli_ok (fixture, "flag", ACCOUNT, "INBOX", a, "+seen", "+flagged", NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  out = cli_ok (fixture, "flag", ACCOUNT, "INBOX", a, "-flagged", NULL);
  g_clear_pointer (&out, g_free);
  out = cli_ok (fixture, "list", ACCOUNT, "INBOX", NULL);
  {
    g_autofree char *seen = g_strdup_printf ("%s\tS----\t", a);
    g_autofree char *unseen = g_strdup_printf ("%s\t-----\t", b);

    assert_contains (out, seen);
    assert_contains (out, unseen);
  }
  g_clear_pointer (&out, g_free);

  /* A number that is not in that folder, or not a number. */
  run_cli (fixture, &result, "flag", ACCOUNT, "Trash", a, "+seen", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  run_cli (fixture, &result, "show", ACCOUNT, "INBOX", "uno", NULL);
  g_assert_cmpint (result.status, !=, 0);
  assert_contains (result.err, "not a message number");
  buzon_test_cli_result_clear (&result);

  /* move: the same number in its new folder; the note said once. */
  out = cli_ok (fixture, "mkdir", ACCOUNT, "Facturas", NULL);
  g_assert_cmpstr (out, ==, LOCAL_NOTE);
  g_clear_pointer (&out, g_free);
  out = cli_ok (fixture, "move", ACCOUNT, "INBOX", a, "Facturas", NULL);
  g_assert_cmpstr (out, ==, LOCAL_NOTE);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "Facturas");
  g_assert_cmpstr (numbers, ==, a);
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "INBOX");
  g_assert_cmpstr (numbers, ==, b);
  g_assert_cmpint (uidl_copy (fixture, "uidl-a"), ==, id_a);

  /* copy: a new message with a number of its own. */
  out = cli_ok (fixture, "copy", ACCOUNT, "INBOX", b, "Archive", NULL);
  g_clear_pointer (&out, g_free);
  copy_numbers = numbers_in (fixture, "Archive");
  g_assert_cmpstr (copy_numbers, !=, "");
  g_assert_cmpstr (copy_numbers, !=, b);
  out = cli_ok (fixture, "show", ACCOUNT, "Archive", copy_numbers, NULL);
  assert_contains (out, "Subject: Canción nueva");
  g_clear_pointer (&out, g_free);

  /* append: stored here; prints its number. */
  g_assert_true (g_file_set_contents (eml, draft, sizeof draft - 1, &error));
  g_assert_no_error (error);
  c = cli_ok (fixture, "append", ACCOUNT, "Drafts", eml, "--flags", "draft,seen", NULL);
  g_strchomp (c);
  id_c = g_ascii_strtoll (c, NULL, 10);
  g_assert_cmpint (id_c, >, 0);
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "Drafts");
  g_assert_cmpstr (numbers, ==, c);

  /* delete: to Trash, then for good; the UIDL keeps its record without the
   * copy (what "keep until deleted here" deletes from the server). */
  out = cli_ok (fixture, "delete", ACCOUNT, "Facturas", a, NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "Trash");
  g_assert_cmpstr (numbers, ==, a);
  g_assert_cmpint (uidl_copy (fixture, "uidl-a"), ==, id_a);
  out = cli_ok (fixture, "delete", ACCOUNT, "Trash", a, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "Trash");
  g_assert_cmpstr (numbers, ==, "");
  g_assert_cmpint (uidl_copy (fixture, "uidl-a"), ==, 0);
  run_cli (fixture, &result, "show", ACCOUNT, "Trash", a, NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  out = cli_ok (fixture, "search", ACCOUNT, "euros", NULL);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  /* The other messages are where they were. */
  g_clear_pointer (&numbers, g_free);
  numbers = numbers_in (fixture, "INBOX");
  g_assert_cmpstr (numbers, ==, b);
  g_assert_cmpint (uidl_copy (fixture, "uidl-b"), ==, id_b);
}

static void
test_folder_tree (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *out = NULL;
  g_autofree char *names = NULL;
  g_autofree char *numbers = NULL;
  g_autofree char *id = NULL;
  gint64 message_id;

  /* mkdir of a nested folder makes the ones above it too. */
  out = cli_ok (fixture, "mkdir", ACCOUNT, "Trabajo/2026/Enero", NULL);
  g_assert_cmpstr (out, ==, LOCAL_NOTE);
  g_clear_pointer (&out, g_free);
  names = folder_names (fixture);
  g_assert_cmpstr (names, ==, "Archive\tDrafts\tINBOX\tSent\tTrabajo\tTrabajo/2026\t"
                              "Trabajo/2026/Enero\tTrash");
  g_clear_pointer (&names, g_free);

  message_id = download (fixture, "uidl-1", "Nómina de enero", "Enero");
  id = g_strdup_printf ("%" G_GINT64_FORMAT, message_id);
  out = cli_ok (fixture, "move", ACCOUNT, "INBOX", id, "Trabajo/2026/Enero", NULL);
  g_clear_pointer (&out, g_free);

  /* rename with a new parent path: the subtree and its mail move. */
  out = cli_ok (fixture, "rename", ACCOUNT, "Trabajo", "Archive/Empleos/Trabajo", NULL);
  g_assert_cmpstr (out, ==, LOCAL_NOTE);
  g_clear_pointer (&out, g_free);
  names = folder_names (fixture);
  g_assert_cmpstr (names, ==, "Archive\tArchive/Empleos\tArchive/Empleos/Trabajo\t"
                              "Archive/Empleos/Trabajo/2026\tArchive/Empleos/Trabajo/2026/Enero\t"
                              "Drafts\tINBOX\tSent\tTrash");
  g_clear_pointer (&names, g_free);
  numbers = numbers_in (fixture, "Archive/Empleos/Trabajo/2026/Enero");
  g_assert_cmpstr (numbers, ==, id);
  g_clear_pointer (&numbers, g_free);

  /* A special folder can be renamed (it stays Trash), not deleted. */
  out = cli_ok (fixture, "rename", ACCOUNT, "Trash", "Papelera", NULL);
  g_clear_pointer (&out, g_free);
  run_cli (fixture, &result, "rmdir", ACCOUNT, "Papelera", NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpstr (result.out, ==, "");
  buzon_test_cli_result_clear (&result);
  run_cli (fixture, &result, "rmdir", ACCOUNT, "INBOX", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  run_cli (fixture, &result, "rename", ACCOUNT, "INBOX", "Entrada", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  /* Nor a folder that holds one (Archive holds the subtree, and is one). */
  run_cli (fixture, &result, "rmdir", ACCOUNT, "Archive", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  {
    g_autofree char *json = cli_ok (fixture, "folders", ACCOUNT, "--json", NULL);

    assert_contains (json, "\"name\" : \"Papelera\"");
    assert_contains (json, "\"special_use\" : \"trash\"");
  }
  /* Deleting now goes to the renamed Trash. */
  {
    gint64 other = download (fixture, "uidl-2", "Spam", "Oferta");
    g_autofree char *other_id = g_strdup_printf ("%" G_GINT64_FORMAT, other);

    out = cli_ok (fixture, "delete", ACCOUNT, "INBOX", other_id, NULL);
    g_clear_pointer (&out, g_free);
    numbers = numbers_in (fixture, "Papelera");
    g_assert_cmpstr (numbers, ==, other_id);
    g_clear_pointer (&numbers, g_free);
  }

  /* rmdir: the folder, its subfolders and their mail. */
  out = cli_ok (fixture, "rmdir", ACCOUNT, "Archive/Empleos", NULL);
  g_assert_cmpstr (out, ==, LOCAL_NOTE);
  g_clear_pointer (&out, g_free);
  names = folder_names (fixture);
  g_assert_cmpstr (names, ==, "Archive\tDrafts\tINBOX\tPapelera\tSent");
  g_clear_pointer (&names, g_free);
  g_assert_cmpint (uidl_copy (fixture, "uidl-1"), ==, 0);

  /* Names a POP3 folder cannot have. */
  run_cli (fixture, &result, "mkdir", ACCOUNT, "Nueva//Otra", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  run_cli (fixture, &result, "mkdir", ACCOUNT, "inbox", NULL);
  g_assert_cmpint (result.status, ==, 1);
  buzon_test_cli_result_clear (&result);
  run_cli (fixture, &result, "rmdir", ACCOUNT, "No/Existe", NULL);
  g_assert_cmpint (result.status, ==, 1);
  assert_contains (result.err, "buzon-cli folders");
  buzon_test_cli_result_clear (&result);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/cli/pop3-local/folders", Fixture, NULL, fixture_set_up,
              test_folders_from_the_start, fixture_tear_down);
  g_test_add ("/buzon/cli/pop3-local/messages", Fixture, NULL, fixture_set_up,
              test_messages, fixture_tear_down);
  g_test_add ("/buzon/cli/pop3-local/folder-tree", Fixture, NULL, fixture_set_up,
              test_folder_tree, fixture_tear_down);

  return g_test_run ();
}
