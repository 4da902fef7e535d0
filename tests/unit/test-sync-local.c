/* test-sync-local.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The sync engine's pure and local parts, without a server: IMAP → store
 * conversions, the text extracted for search, the store functions the
 * engine writes with, and the user actions (buzon-mail-ops) with the
 * pending operations they queue. The engine against Dovecot is tested in
 * tests/integration/test-cli-imap.c. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "buzon-imap-convert.h"
#include "buzon-mail-ops.h"
#include "buzon-mime-text.h"
#include "store-test-util.h"

typedef struct
{
  char         *dir;
  BuzonStore   *store;
  BuzonAccount *account;
  BuzonFolder  *inbox;
  BuzonFolder  *work;
  BuzonFolder  *trash;
} Fixture;

static BuzonFolder *
add_folder (Fixture         *fixture,
            const char      *name,
            BuzonSpecialUse  use)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *folder = buzon_folder_new ();

  folder->account_id = buzon_account_get_id (fixture->account);
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  folder->subscribed = TRUE;
  g_assert_true (buzon_store_upsert_folder (fixture->store, folder, &error));
  g_assert_no_error (error);

  return folder;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();

  fixture->dir = store_test_make_dir ();
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  fixture->account = store_test_account ("ana");
  g_assert_true (buzon_store_add_account (fixture->store, fixture->account, &error));
  g_assert_no_error (error);

  fixture->inbox = add_folder (fixture, "INBOX", BUZON_SPECIAL_USE_INBOX);
  fixture->work = add_folder (fixture, "Trabajo", BUZON_SPECIAL_USE_NONE);
  fixture->trash = add_folder (fixture, "Papelera", BUZON_SPECIAL_USE_TRASH);

  for (guint32 uid = 1; uid <= 5; uid++)
    g_ptr_array_add (batch, store_test_summary (fixture->inbox->id, uid, "Asunto", "Bruno",
                                                1000 + uid));
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->inbox, buzon_folder_free);
  g_clear_pointer (&fixture->work, buzon_folder_free);
  g_clear_pointer (&fixture->trash, buzon_folder_free);
  g_clear_object (&fixture->account);
  store_test_drop (g_steal_pointer (&fixture->store));
  store_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static gint64
id_of (Fixture *fixture,
       gint64   folder_id,
       guint32  uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) summary =
    buzon_store_lookup_message_by_uid (fixture->store, folder_id, uid, &error);

  g_assert_no_error (error);
  return summary->id;
}

static JsonObject *
op_payload (BuzonPendingOp *op,
            JsonNode      **out_root)
{
  g_autoptr(GError) error = NULL;

  *out_root = json_from_string (op->payload, &error);
  g_assert_no_error (error);

  return json_node_get_object (*out_root);
}

/* Conversions */

static void
test_flags_round_trip (void)
{
  static const char * const flags[] = { "\\Seen", "$Label1", "\\Flagged", "Junk", NULL };
  BuzonImapSystemFlags imap = buzon_imap_system_flags_from_strv (flags);
  BuzonMessageFlags stored = buzon_imap_flags_to_store (imap | BUZON_IMAP_FLAG_RECENT);
  g_auto(GStrv) back = buzon_imap_flags_from_store (stored);
  g_autofree char *keywords = buzon_imap_keywords_from_flags (flags);

  g_assert_cmpuint (stored, ==, BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED);
  g_assert_cmpuint (g_strv_length (back), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *)back, "\\Seen"));
  g_assert_true (g_strv_contains ((const char * const *)back, "\\Flagged"));
  g_assert_cmpstr (keywords, ==, "$Label1 Junk");
  g_assert_null (buzon_imap_keywords_from_flags (NULL));
}

static void
test_special_use (void)
{
  struct { const char *name; char delimiter; BuzonImapMailboxFlags flags; BuzonSpecialUse use; }
  cases[] = {
    { "INBOX", '/', 0, BUZON_SPECIAL_USE_INBOX },
    { "inbox", '/', 0, BUZON_SPECIAL_USE_INBOX },
    { "Whatever", '/', BUZON_IMAP_MAILBOX_SENT, BUZON_SPECIAL_USE_SENT },
    { "Enviados", '/', 0, BUZON_SPECIAL_USE_SENT },
    { "Sent Items", '/', 0, BUZON_SPECIAL_USE_SENT },
    { "INBOX.Trash", '.', 0, BUZON_SPECIAL_USE_TRASH },
    { "Trabajo/Trash", '/', 0, BUZON_SPECIAL_USE_NONE },
    { "spam", '.', 0, BUZON_SPECIAL_USE_JUNK },
    { "Papelera", '/', 0, BUZON_SPECIAL_USE_TRASH },
    { "Archive", '/', BUZON_IMAP_MAILBOX_NOSELECT, BUZON_SPECIAL_USE_ARCHIVE },
    { "Proyectos", '/', 0, BUZON_SPECIAL_USE_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BuzonImapMailbox mailbox = {
        .name = (char *)cases[i].name,
        .delimiter = cases[i].delimiter,
        .flags = cases[i].flags,
      };

      g_assert_cmpint (buzon_imap_special_use (&mailbox, TRUE), ==, cases[i].use);
      /* A server that marks its folders: names mean nothing. */
      if (cases[i].flags == 0 && cases[i].use != BUZON_SPECIAL_USE_INBOX)
        g_assert_cmpint (buzon_imap_special_use (&mailbox, FALSE), ==, BUZON_SPECIAL_USE_NONE);
    }
}

static void
test_folder_from_mailbox (void)
{
  BuzonImapMailbox mailbox = {
    .name = (char *)"Trabajo/2026 ñ",
    .delimiter = '/',
    .flags = BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_SUBSCRIBED,
  };
  g_autoptr(BuzonFolder) folder = buzon_imap_folder_from_mailbox (&mailbox, 7, TRUE);

  g_assert_cmpint (folder->account_id, ==, 7);
  g_assert_cmpstr (folder->name, ==, "Trabajo/2026 ñ");
  g_assert_cmpstr (folder->delimiter, ==, "/");
  g_assert_cmpstr (folder->attributes, ==, "\\HasNoChildren");
  g_assert_cmpint (folder->special_use, ==, BUZON_SPECIAL_USE_NONE);

  mailbox.delimiter = '\0';
  mailbox.flags = BUZON_IMAP_MAILBOX_NOSELECT;
  g_clear_pointer (&folder, buzon_folder_free);
  folder = buzon_imap_folder_from_mailbox (&mailbox, 7, TRUE);
  g_assert_null (folder->delimiter);
  g_assert_true (buzon_folder_has_attribute (folder, "\\Noselect"));
}

static void
test_format_addresses (void)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  BuzonImapAddress ana = { .name = (char *)"Ana Pérez", .address = (char *)"ana@example.es" };
  BuzonImapAddress bare = { .address = (char *)"b@example.es" };
  BuzonImapAddress empty = { NULL, };
  g_autofree char *text = NULL;

  g_assert_null (buzon_imap_format_addresses (list));
  g_ptr_array_add (list, &ana);
  g_ptr_array_add (list, &empty);
  g_ptr_array_add (list, &bare);
  text = buzon_imap_format_addresses (list);
  g_assert_cmpstr (text, ==, "Ana Pérez <ana@example.es>, b@example.es");
}

/* MIME text */

static void
test_mime_text (void)
{
  static const char plain[] =
    "From: a@example.es\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\nCanci=F3n de cuna\r\n"
    "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML</p>\r\n--b--\r\n";
  static const char html[] =
    "From: a@example.es\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><style>p { color: red }</style><p>Hola &amp; adi&oacute;s</p></html>\r\n";
  static const char attachment_only[] =
    "From: a@example.es\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nx\r\n";
  g_autoptr(GBytes) b1 = g_bytes_new_static (plain, sizeof plain - 1);
  g_autoptr(GBytes) b2 = g_bytes_new_static (html, sizeof html - 1);
  g_autoptr(GBytes) b3 = g_bytes_new_static (attachment_only, sizeof attachment_only - 1);
  g_autofree char *t1 = buzon_mime_extract_text (b1);
  g_autofree char *t2 = buzon_mime_extract_text (b2);
  g_autofree char *t3 = buzon_mime_extract_text (b3);

  g_assert_nonnull (strstr (t1, "Canción de cuna"));
  g_assert_null (strstr (t1, "HTML"));
  g_assert_nonnull (strstr (t2, "Hola & adi"));
  g_assert_null (strstr (t2, "color"));
  g_assert_null (t3);
}

static void
test_preview (void)
{
  g_autofree char *p1 = buzon_mime_make_preview ("Hola,\n\n> citado\nqué   tal\n-- \nfirma", 200);
  g_autofree char *p2 = buzon_mime_make_preview ("ñññññ", 3);

  g_assert_cmpstr (p1, ==, "Hola, qué tal");
  g_assert_cmpstr (p2, ==, "ñññ");
  g_assert_null (buzon_mime_make_preview ("   \n> q\n", 10));
  g_assert_null (buzon_mime_make_preview (NULL, 10));
}

/* Store functions of the engine */

static void
test_server_flags_and_expunge (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = store_test_batch_new ();
  g_autoptr(BuzonMessageSummary) two = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(GArray) uids = NULL;
  BuzonMessageSummary *change = buzon_message_summary_new ();
  BuzonMessageSummary *unknown = buzon_message_summary_new ();
  static const guint32 gone[] = { 1, 3, 99 };

  change->uid = 2;
  change->flags = BUZON_MESSAGE_FLAG_SEEN;
  change->keywords = g_strdup ("$Work");
  unknown->uid = 42;
  g_ptr_array_add (changes, change);
  g_ptr_array_add (changes, unknown);
  g_assert_true (buzon_store_apply_server_flags (fixture->store, fixture->inbox->id, changes,
                                                 &error));
  g_assert_no_error (error);

  two = buzon_store_lookup_message_by_uid (fixture->store, fixture->inbox->id, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->flags, ==, BUZON_MESSAGE_FLAG_SEEN);
  g_assert_cmpstr (two->keywords, ==, "$Work");
  g_assert_cmpstr (two->subject, ==, "Asunto");
  /* A flag change never makes a message. */
  g_assert_null (buzon_store_lookup_message_by_uid (fixture->store, fixture->inbox->id, 42, NULL));

  g_assert_true (buzon_store_expunge_uids (fixture->store, fixture->inbox->id, gone,
                                           G_N_ELEMENTS (gone), &error));
  g_assert_no_error (error);
  uids = buzon_store_list_uids (fixture->store, fixture->inbox->id, &error);
  g_assert_cmpuint (uids->len, ==, 3);
  inbox = buzon_store_get_folder (fixture->store, fixture->inbox->id, &error);
  g_assert_cmpuint (inbox->total_count, ==, 3);
  g_assert_cmpuint (inbox->unread_count, ==, 2);
}

static void
test_move_queues_and_places (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BuzonMessageSummary) moved = NULL;
  g_autoptr(GHashTable) unplaced = NULL;
  gint64 ids[2];
  JsonArray *msgs;

  ids[0] = id_of (fixture, fixture->inbox->id, 2);
  ids[1] = id_of (fixture, fixture->inbox->id, 4);
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, ids, 2,
                                      fixture->work->id, &error));
  g_assert_no_error (error);

  op = buzon_store_peek_op (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (op->kind, ==, BUZON_OP_MOVE);
  {
    JsonObject *payload = op_payload (op, &root);

    g_assert_cmpstr (json_object_get_string_member (payload, "folder"), ==, "INBOX");
    g_assert_cmpstr (json_object_get_string_member (payload, "to"), ==, "Trabajo");
    msgs = json_object_get_array_member (payload, "msgs");
    g_assert_cmpuint (json_array_get_length (msgs), ==, 2);
  }

  /* Moved here at once, without a UID until the server gives one. */
  moved = buzon_store_get_message (fixture->store, ids[0], &error);
  g_assert_cmpint (moved->folder_id, ==, fixture->work->id);
  g_assert_cmpuint (moved->uid, ==, 0);
  unplaced = buzon_store_list_unplaced (fixture->store, fixture->work->id, &error);
  g_assert_cmpuint (g_hash_table_size (unplaced), ==, 2);

  /* COPYUID: the row gets its new UID; a row a sync fetched meanwhile with
   * that UID gives way. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();
    g_autoptr(BuzonMessageSummary) placed = NULL;
    g_autoptr(GArray) uids = NULL;

    g_ptr_array_add (batch, store_test_summary (fixture->work->id, 7, "Asunto", "Bruno", 1));
    g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
    g_assert_true (buzon_store_set_message_location (fixture->store, ids[0], fixture->work->id,
                                                     7, &error));
    g_assert_no_error (error);
    placed = buzon_store_lookup_message_by_uid (fixture->store, fixture->work->id, 7, &error);
    g_assert_cmpint (placed->id, ==, ids[0]);
    uids = buzon_store_list_uids (fixture->store, fixture->work->id, &error);
    g_assert_cmpuint (uids->len, ==, 1);
  }
}

static void
test_copy_queues_new_ids (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BuzonFolder) work = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nzanahoria\r\n", 26);
  g_autoptr(GArray) found = NULL;
  gint64 id = id_of (fixture, fixture->inbox->id, 3);
  JsonArray *new_ids;

  g_assert_true (buzon_store_set_body (fixture->store, id, raw, "zanahoria", &error));
  g_assert_true (buzon_mail_ops_copy (fixture->store, fixture->account, &id, 1,
                                      fixture->work->id, &error));
  g_assert_no_error (error);

  op = buzon_store_peek_op (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_cmpstr (op->kind, ==, BUZON_OP_COPY);
  new_ids = json_object_get_array_member (op_payload (op, &root), "new_ids");
  g_assert_cmpuint (json_array_get_length (new_ids), ==, 1);

  {
    gint64 copy_id = json_array_get_int_element (new_ids, 0);
    g_autoptr(BuzonMessageSummary) copy = buzon_store_get_message (fixture->store, copy_id,
                                                                   &error);
    g_autoptr(GBytes) copy_raw = buzon_store_get_body (fixture->store, copy_id, &error);

    g_assert_cmpint (copy->folder_id, ==, fixture->work->id);
    g_assert_cmpuint (copy->uid, ==, 0);
    g_assert_true (g_bytes_equal (copy_raw, raw));
  }

  work = buzon_store_get_folder (fixture->store, fixture->work->id, &error);
  inbox = buzon_store_get_folder (fixture->store, fixture->inbox->id, &error);
  g_assert_cmpuint (work->total_count, ==, 1);
  g_assert_cmpuint (inbox->total_count, ==, 5);
  /* The copy's body text is indexed too. */
  found = buzon_store_search (fixture->store, "zanahoria", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
}

static void
test_delete_to_trash_then_expunge (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(BuzonMessageSummary) in_trash = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 id = id_of (fixture, fixture->inbox->id, 5);

  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  in_trash = buzon_store_get_message (fixture->store, id, &error);
  g_assert_cmpint (in_trash->folder_id, ==, fixture->trash->id);

  /* From Trash: for good, with the UID it has there once placed. */
  g_assert_true (buzon_store_set_message_location (fixture->store, id, fixture->trash->id, 11,
                                                   &error));
  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  g_assert_no_error (error);
  g_assert_null (buzon_store_get_message (fixture->store, id, NULL));

  ops = buzon_store_list_ops (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_cmpuint (ops->len, ==, 2);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 0))->kind, ==, BUZON_OP_MOVE);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 1))->kind, ==, BUZON_OP_EXPUNGE);
  {
    JsonObject *payload = op_payload (g_ptr_array_index (ops, 1), &root);
    JsonArray *uids = json_object_get_array_member (payload, "uids");

    g_assert_cmpstr (json_object_get_string_member (payload, "folder"), ==, "Papelera");
    g_assert_cmpuint (json_array_get_length (uids), ==, 1);
    g_assert_cmpint (json_array_get_int_element (uids, 0), ==, 11);
  }
}

static void
test_folder_ops (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(BuzonFolder) sub = NULL;
  g_autoptr(BuzonFolder) moved = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 account_id = buzon_account_get_id (fixture->account);

  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Trabajo/2026 ñ", &error));
  g_assert_no_error (error);
  sub = buzon_store_lookup_folder (fixture->store, account_id, "Trabajo/2026 ñ", &error);
  g_assert_cmpint (sub->parent_id, ==, fixture->work->id);

  /* Refused before anything is queued. */
  g_assert_false (buzon_mail_ops_create_folder (fixture->store, fixture->account, "Trabajo",
                                                &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                                fixture->work->id, "Trabajo/2026 ñ/x", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_delete_folder (fixture->store, fixture->account,
                                                fixture->inbox->id, &error));
  g_clear_error (&error);

  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               fixture->work->id, "Archivo/Trabajo", &error));
  g_assert_no_error (error);
  moved = buzon_store_lookup_folder (fixture->store, account_id, "Archivo/Trabajo/2026 ñ", &error);
  g_assert_no_error (error);

  g_assert_true (buzon_mail_ops_delete_folder (fixture->store, fixture->account,
                                               fixture->work->id, &error));
  g_assert_no_error (error);
  g_assert_null (buzon_store_lookup_folder (fixture->store, account_id, "Archivo/Trabajo/2026 ñ",
                                            NULL));

  ops = buzon_store_list_ops (fixture->store, account_id, &error);
  g_assert_cmpuint (ops->len, ==, 3);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 0))->kind, ==, BUZON_OP_MKDIR);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 1))->kind, ==, BUZON_OP_RENAME);
  g_assert_cmpstr (((BuzonPendingOp *)g_ptr_array_index (ops, 2))->kind, ==, BUZON_OP_RMDIR);
  {
    /* Subfolders first: IMAP DELETE leaves inferiors alone. */
    JsonArray *names = json_object_get_array_member (op_payload (g_ptr_array_index (ops, 2),
                                                                 &root), "names");

    g_assert_cmpuint (json_array_get_length (names), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (names, 0), ==, "Archivo/Trabajo/2026 ñ");
    g_assert_cmpstr (json_array_get_string_element (names, 1), ==, "Archivo/Trabajo");
  }
}

static void
test_drop_op_keeps_failure (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  gint64 account_id = buzon_account_get_id (fixture->account);
  gint64 id = id_of (fixture, fixture->inbox->id, 1);

  g_assert_true (buzon_mail_ops_set_flags (fixture->store, fixture->account, &id, 1,
                                           BUZON_MESSAGE_FLAG_SEEN, 0, &error));
  op = buzon_store_peek_op (fixture->store, account_id, &error);
  g_assert_true (buzon_store_update_op_payload (fixture->store, op->id, "{\"x\":1}", &error));
  g_assert_true (buzon_store_drop_op (fixture->store, op->id, "No se pudo.", &error));
  g_assert_no_error (error);

  ops = buzon_store_list_ops (fixture->store, account_id, &error);
  g_assert_cmpuint (ops->len, ==, 0);
  failures = buzon_store_list_op_failures (fixture->store, account_id, 0, &error);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_cmpstr (((BuzonOpFailure *)g_ptr_array_index (failures, 0))->kind, ==, "flags");
  g_assert_cmpstr (((BuzonOpFailure *)g_ptr_array_index (failures, 0))->message, ==,
                   "No se pudo.");

  g_assert_true (buzon_store_clear_op_failures (fixture->store, account_id, G_MAXINT64, &error));
  g_clear_pointer (&failures, g_ptr_array_unref);
  failures = buzon_store_list_op_failures (fixture->store, account_id, 0, &error);
  g_assert_cmpuint (failures->len, ==, 0);

  g_assert_false (buzon_store_drop_op (fixture->store, op->id, NULL, &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
}

static void
test_append_local (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char message[] =
    "From: Ana <ana@example.es>\r\nTo: bruno@example.es\r\nSubject: Borrador ñ\r\n"
    "Message-ID: <draft-1@example.es>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n"
    "Texto del borrador\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (message, sizeof message - 1);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) found = NULL;
  gint64 id = 0;

  g_assert_true (buzon_mail_ops_append (fixture->store, fixture->account, fixture->work->id, raw,
                                        BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_DRAFT, &id,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  summary = buzon_store_get_message (fixture->store, id, &error);
  g_assert_cmpint (summary->folder_id, ==, fixture->work->id);
  g_assert_cmpuint (summary->uid, ==, 0);
  g_assert_cmpstr (summary->subject, ==, "Borrador ñ");
  g_assert_cmpstr (summary->message_id, ==, "<draft-1@example.es>");
  g_assert_cmpstr (summary->preview, ==, "Texto del borrador");
  g_assert_cmpint (summary->date, ==, 1796119200);
  g_assert_cmpuint (summary->flags, ==, BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_DRAFT);
  g_assert_cmpint (summary->body_state, ==, BUZON_BODY_STATE_FULL);
  stored = buzon_store_get_body (fixture->store, id, &error);
  g_assert_true (g_bytes_equal (stored, raw));
  found = buzon_store_search (fixture->store, "borrador", 0, 0, &error);
  g_assert_cmpuint (found->len, ==, 1);

  op = buzon_store_peek_op (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_cmpstr (op->kind, ==, BUZON_OP_APPEND);
  {
    JsonObject *payload = op_payload (op, &root);

    g_assert_cmpint (json_object_get_int_member (payload, "id"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (payload, "folder"), ==, "Trabajo");
  }
}

/* A draft replaced by a newer copy goes for good, not to Trash: an
 * appended copy not on the server yet just disappears, one with a UID is
 * expunged there. */
static void
test_delete_for_good (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char message[] = "Subject: Borrador\r\n\r\nTexto\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (message, sizeof message - 1);
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(BuzonMessageSummary) gone = NULL;
  g_autoptr(BuzonFolder) trash = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 ids[2] = { 0, id_of (fixture, fixture->inbox->id, 2) };
  BuzonPendingOp *expunge;
  JsonArray *uids;

  g_assert_true (buzon_mail_ops_append (fixture->store, fixture->account, fixture->work->id, raw,
                                        BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_DRAFT,
                                        &ids[0], &error));
  g_assert_no_error (error);

  g_assert_true (buzon_mail_ops_delete_for_good (fixture->store, fixture->account, ids, 2,
                                                 &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      gone = buzon_store_get_message (fixture->store, ids[i], NULL);
      g_assert_null (gone);
    }
  trash = buzon_store_get_folder (fixture->store, fixture->trash->id, &error);
  g_assert_cmpuint (trash->total_count, ==, 0);

  /* The APPEND, and an expunge per folder; Inbox's names its UID. */
  ops = buzon_store_list_ops (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 3);
  g_assert_cmpstr (((BuzonPendingOp *) ops->pdata[0])->kind, ==, BUZON_OP_APPEND);
  expunge = NULL;
  for (guint i = 1; i < ops->len; i++)
    {
      BuzonPendingOp *op = ops->pdata[i];

      g_assert_cmpstr (op->kind, ==, BUZON_OP_EXPUNGE);
      if (op->folder_id == fixture->inbox->id)
        expunge = op;
    }
  g_assert_nonnull (expunge);
  uids = json_object_get_array_member (op_payload (expunge, &root), "uids");
  g_assert_cmpuint (json_array_get_length (uids), ==, 1);
  g_assert_cmpint (json_array_get_int_element (uids, 0), ==, 2);
}

static void
test_missing_bodies (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) refs = NULL;
  g_autoptr(GArray) recent = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);

  g_assert_true (buzon_store_set_body (fixture->store, id_of (fixture, fixture->inbox->id, 5),
                                       raw, NULL, &error));
  refs = buzon_store_list_missing_bodies (fixture->store, fixture->inbox->id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refs->len, ==, 4);
  /* Newest first. */
  g_assert_cmpuint (g_array_index (refs, BuzonStoreUidRef, 0).uid, ==, 4);
  g_assert_cmpuint (g_array_index (refs, BuzonStoreUidRef, 3).uid, ==, 1);

  /* internal_date = 1000 + uid + 5: only uids 3 and 4 are from 1008 on. */
  recent = buzon_store_list_missing_bodies (fixture->store, fixture->inbox->id, 1008, 0, &error);
  g_assert_cmpuint (recent->len, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/sync/convert/flags", test_flags_round_trip);
  g_test_add_func ("/buzon/sync/convert/special-use", test_special_use);
  g_test_add_func ("/buzon/sync/convert/folder", test_folder_from_mailbox);
  g_test_add_func ("/buzon/sync/convert/addresses", test_format_addresses);
  g_test_add_func ("/buzon/sync/mime/text", test_mime_text);
  g_test_add_func ("/buzon/sync/mime/preview", test_preview);
  g_test_add ("/buzon/sync/store/server-flags-expunge", Fixture, NULL, fixture_set_up,
              test_server_flags_and_expunge, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/move", Fixture, NULL, fixture_set_up,
              test_move_queues_and_places, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/copy", Fixture, NULL, fixture_set_up,
              test_copy_queues_new_ids, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/delete", Fixture, NULL, fixture_set_up,
              test_delete_to_trash_then_expunge, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/folders", Fixture, NULL, fixture_set_up,
              test_folder_ops, fixture_tear_down);
  g_test_add ("/buzon/sync/store/drop-op", Fixture, NULL, fixture_set_up,
              test_drop_op_keeps_failure, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/append", Fixture, NULL, fixture_set_up,
              test_append_local, fixture_tear_down);
  g_test_add ("/buzon/sync/ops/delete-for-good", Fixture, NULL, fixture_set_up,
              test_delete_for_good, fixture_tear_down);
  g_test_add ("/buzon/sync/store/missing-bodies", Fixture, NULL, fixture_set_up,
              test_missing_bodies, fixture_tear_down);

  return g_test_run ();
}
