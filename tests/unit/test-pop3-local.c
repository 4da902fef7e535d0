/* test-pop3-local.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A POP3 account's local folders and the user actions on them
 * (buzon-mail-ops) without a server: the folders every POP3 account has
 * (buzon_mail_ops_ensure_local_folders()), and each action applied to the
 * store alone. POP3 has no folders, so none of this may ever be queued for
 * a server: every test ends by checking that pending_ops is empty. */

#include "config.h"

#include "buzon-mail-ops.h"
#include "store-test-util.h"

typedef struct
{
  char         *dir;
  BuzonStore   *store;
  BuzonAccount *account;
  gint64        account_id;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = store_test_make_dir ();
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  fixture->account = store_test_account ("casa");
  buzon_account_set_protocol (fixture->account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (fixture->account, "pop.example.com");
  g_assert_true (buzon_store_add_account (fixture->store, fixture->account, &error));
  g_assert_no_error (error);
  fixture->account_id = buzon_account_get_id (fixture->account);
}

static void
assert_nothing_queued (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = buzon_store_list_ops (fixture->store, fixture->account_id, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ops->len, ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  assert_nothing_queued (fixture);
  g_clear_object (&fixture->account);
  store_test_drop (g_steal_pointer (&fixture->store));
  store_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

/* Sets the local folders up, as `buzon-cli account add` does. */
static void
ensure (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (buzon_mail_ops_ensure_local_folders (fixture->store, fixture->account, &error));
  g_assert_no_error (error);
}

static BuzonFolder *
folder (Fixture    *fixture,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *found = buzon_store_lookup_folder (fixture->store, fixture->account_id, name,
                                                  &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);

  return found;
}

static gboolean
has_folder (Fixture    *fixture,
            const char *name)
{
  g_autoptr(BuzonFolder) found = buzon_store_lookup_folder (fixture->store, fixture->account_id,
                                                            name, NULL);

  return found != NULL;
}

static guint
n_folders (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = buzon_store_list_folders (fixture->store, fixture->account_id,
                                                           &error);

  g_assert_no_error (error);
  return folders->len;
}

static gint64
folder_id (Fixture    *fixture,
           const char *name)
{
  g_autoptr(BuzonFolder) found = folder (fixture, name);

  return found->id;
}

/* A message as the POP3 download stores it: whole, UID 0, with its UIDL. */
static gint64
download (Fixture    *fixture,
          const char *uidl,
          const char *subject)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) summary =
    store_test_summary (folder_id (fixture, "INBOX"), 0, subject, "Bruno <bruno@example.es>",
                        1800000000);
  g_autofree char *text = g_strdup_printf ("From: Bruno <bruno@example.es>\r\nSubject: %s\r\n"
                                           "\r\nTexto de %s\r\n", subject, uidl);
  g_autofree char *body = g_strdup_printf ("Texto de %s", uidl);
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));

  g_assert_true (buzon_store_pop3_save_message (fixture->store, fixture->account_id, uidl,
                                                summary, raw, body, &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary->id, >, 0);

  return summary->id;
}

static BuzonMessageSummary *
message (Fixture *fixture,
         gint64   id)
{
  return buzon_store_get_message (fixture->store, id, NULL);
}

static gint64
uidl_message (Fixture    *fixture,
              const char *uidl)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPop3Uidl) record = buzon_store_pop3_lookup_uidl (fixture->store,
                                                                  fixture->account_id, uidl,
                                                                  &error);

  g_assert_no_error (error);
  return record->message_id;
}

/* The local folders */

static void
test_ensure_creates (Fixture       *fixture,
                     gconstpointer  data)
{
  static const struct { const char *name; BuzonSpecialUse use; } expected[] = {
    { "INBOX", BUZON_SPECIAL_USE_INBOX },
    { "Sent", BUZON_SPECIAL_USE_SENT },
    { "Drafts", BUZON_SPECIAL_USE_DRAFTS },
    { "Trash", BUZON_SPECIAL_USE_TRASH },
    { "Archive", BUZON_SPECIAL_USE_ARCHIVE },
  };

  g_assert_cmpuint (n_folders (fixture), ==, 0);
  ensure (fixture);
  g_assert_cmpuint (n_folders (fixture), ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(BuzonFolder) found = folder (fixture, expected[i].name);

      g_assert_cmpint (found->special_use, ==, expected[i].use);
      g_assert_cmpstr (found->delimiter, ==, BUZON_LOCAL_FOLDER_DELIMITER);
      g_assert_cmpint (found->parent_id, ==, 0);
      g_assert_true (found->subscribed);
    }

  /* Idempotent. */
  ensure (fixture);
  ensure (fixture);
  g_assert_cmpuint (n_folders (fixture), ==, G_N_ELEMENTS (expected));
}

static void
test_ensure_keeps_renamed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) trash = NULL;
  g_autoptr(BuzonFolder) sent = NULL;

  ensure (fixture);
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Trash"), "Papelera",
                                               &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Sent"), "Viejo/Enviados",
                                               &error));
  g_assert_no_error (error);

  ensure (fixture);
  g_assert_false (has_folder (fixture, "Trash"));
  g_assert_false (has_folder (fixture, "Sent"));
  trash = folder (fixture, "Papelera");
  g_assert_cmpint (trash->special_use, ==, BUZON_SPECIAL_USE_TRASH);
  sent = folder (fixture, "Viejo/Enviados");
  g_assert_cmpint (sent->special_use, ==, BUZON_SPECIAL_USE_SENT);
  g_assert_cmpint (sent->parent_id, ==, folder_id (fixture, "Viejo"));
  /* The five, and Viejo. */
  g_assert_cmpuint (n_folders (fixture), ==, 6);

  /* The user may now have a folder of the old name: it is theirs. */
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account, "Trash",
                                               &error));
  g_assert_no_error (error);
  ensure (fixture);
  {
    g_autoptr(BuzonFolder) mine = folder (fixture, "Trash");

    g_assert_cmpint (mine->special_use, ==, BUZON_SPECIAL_USE_NONE);
  }
}

static void
test_ensure_adopts_and_avoids (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) sent = buzon_folder_new ();
  g_autoptr(BuzonFolder) archive = buzon_folder_new ();

  /* As an older Buzón could have left them: a plain "Sent", and the
   * archive under the name "Trash". */
  sent->account_id = fixture->account_id;
  sent->name = g_strdup ("Sent");
  sent->delimiter = g_strdup ("/");
  g_assert_true (buzon_store_upsert_folder (fixture->store, sent, &error));
  archive->account_id = fixture->account_id;
  archive->name = g_strdup ("Trash");
  archive->delimiter = g_strdup ("/");
  archive->special_use = BUZON_SPECIAL_USE_ARCHIVE;
  g_assert_true (buzon_store_upsert_folder (fixture->store, archive, &error));
  g_assert_no_error (error);

  ensure (fixture);

  /* INBOX, Sent (the same row, now for sent mail), Drafts, Trash (the
   * archive) and "Trash 2", the Trash. No second archive. */
  g_assert_cmpuint (n_folders (fixture), ==, 5);
  {
    g_autoptr(BuzonFolder) now_sent = folder (fixture, "Sent");
    g_autoptr(BuzonFolder) still_archive = folder (fixture, "Trash");
    g_autoptr(BuzonFolder) trash = folder (fixture, "Trash 2");

    g_assert_cmpint (now_sent->id, ==, sent->id);
    g_assert_cmpint (now_sent->special_use, ==, BUZON_SPECIAL_USE_SENT);
    g_assert_cmpint (still_archive->special_use, ==, BUZON_SPECIAL_USE_ARCHIVE);
    g_assert_cmpint (trash->special_use, ==, BUZON_SPECIAL_USE_TRASH);
  }
  g_assert_false (has_folder (fixture, "Archive"));
}

static void
test_ensure_imap_untouched (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) imap = store_test_account ("trabajo");

  g_assert_true (buzon_store_add_account (fixture->store, imap, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_ensure_local_folders (fixture->store, imap, &error));
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) folders = buzon_store_list_folders (fixture->store,
                                                             buzon_account_get_id (imap), &error);

    g_assert_cmpuint (folders->len, ==, 0);
  }
}

/* Messages */

static void
test_flags (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) after = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  gint64 ids[2];

  ensure (fixture);
  ids[0] = download (fixture, "u1", "Uno");
  ids[1] = download (fixture, "u2", "Dos");

  g_assert_true (buzon_mail_ops_set_flags (fixture->store, fixture->account, ids, 2,
                                           BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED, 0,
                                           &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_set_flags (fixture->store, fixture->account, &ids[1], 1, 0,
                                           BUZON_MESSAGE_FLAG_FLAGGED, &error));
  g_assert_no_error (error);

  after = message (fixture, ids[1]);
  g_assert_cmpuint (after->flags, ==, BUZON_MESSAGE_FLAG_SEEN);
  g_assert_cmpuint (after->uid, ==, 0);
  g_clear_pointer (&after, buzon_message_summary_free);
  after = message (fixture, ids[0]);
  g_assert_cmpuint (after->flags, ==, BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_FLAGGED);

  inbox = folder (fixture, "INBOX");
  g_assert_cmpuint (inbox->total_count, ==, 2);
  g_assert_cmpuint (inbox->unread_count, ==, 0);
}

static void
test_move_and_copy (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) moved = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) copy_body = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(GPtrArray) in_archive = NULL;
  gint64 id, work_id, archive_id, copy_id = 0;

  ensure (fixture);
  id = download (fixture, "u1", "Factura");
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account, "Trabajo",
                                               &error));
  g_assert_no_error (error);
  work_id = folder_id (fixture, "Trabajo");
  archive_id = folder_id (fixture, "Archive");

  /* A move keeps the message's id: the UIDL stays linked to it. */
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &id, 1, work_id, &error));
  g_assert_no_error (error);
  moved = message (fixture, id);
  g_assert_cmpint (moved->folder_id, ==, work_id);
  g_assert_cmpint (moved->body_state, ==, BUZON_BODY_STATE_FULL);
  g_assert_cmpint (uidl_message (fixture, "u1"), ==, id);

  /* A copy is a new message with the same bytes, found by search too. */
  g_assert_true (buzon_mail_ops_copy (fixture->store, fixture->account, &id, 1, archive_id,
                                      &error));
  g_assert_no_error (error);
  in_archive = buzon_store_list_messages (fixture->store, archive_id, 0, 0, &error);
  g_assert_cmpuint (in_archive->len, ==, 1);
  copy_id = ((BuzonMessageSummary *)g_ptr_array_index (in_archive, 0))->id;
  g_assert_cmpint (copy_id, !=, id);
  body = buzon_store_get_body (fixture->store, id, &error);
  copy_body = buzon_store_get_body (fixture->store, copy_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, copy_body));
  found = buzon_store_search (fixture->store, "u1", archive_id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpint (g_array_index (found, gint64, 0), ==, copy_id);

  /* Into a folder of another account: refused. */
  {
    g_autoptr(BuzonAccount) other = store_test_account ("otra");
    g_autoptr(BuzonFolder) theirs = buzon_folder_new ();

    g_assert_true (buzon_store_add_account (fixture->store, other, &error));
    theirs->account_id = buzon_account_get_id (other);
    theirs->name = g_strdup ("INBOX");
    g_assert_true (buzon_store_upsert_folder (fixture->store, theirs, &error));
    g_assert_no_error (error);
    g_assert_false (buzon_mail_ops_move (fixture->store, fixture->account, &id, 1, theirs->id,
                                         &error));
    g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  }
}

static void
test_delete_to_trash_then_for_good (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) in_trash = NULL;
  g_autoptr(BuzonFolder) trash = NULL;
  g_autoptr(GArray) found = NULL;
  gint64 id;

  ensure (fixture);
  id = download (fixture, "u1", "Publicidad");

  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  g_assert_no_error (error);
  in_trash = message (fixture, id);
  g_assert_cmpint (in_trash->folder_id, ==, folder_id (fixture, "Trash"));
  g_assert_cmpint (uidl_message (fixture, "u1"), ==, id);

  /* From Trash: for good. The UIDL stays known, without its copy, so the
   * message is never downloaded again. */
  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  g_assert_no_error (error);
  g_assert_null (message (fixture, id));
  g_assert_null (buzon_store_get_body (fixture->store, id, NULL));
  g_assert_cmpint (uidl_message (fixture, "u1"), ==, 0);
  found = buzon_store_search (fixture->store, "Publicidad", 0, 0, &error);
  g_assert_cmpuint (found->len, ==, 0);
  trash = folder (fixture, "Trash");
  g_assert_cmpuint (trash->total_count, ==, 0);
}

static void
test_delete_renamed_trash (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) in_trash = NULL;
  gint64 id;

  ensure (fixture);
  id = download (fixture, "u1", "Vieja");
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Trash"), "Papelera",
                                               &error));
  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  g_assert_no_error (error);
  in_trash = message (fixture, id);
  g_assert_cmpint (in_trash->folder_id, ==, folder_id (fixture, "Papelera"));
}

static void
test_delete_without_folders (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) inbox = buzon_folder_new ();
  g_autoptr(BuzonMessageSummary) in_trash = NULL;
  gint64 id;

  /* An account from before local folders: only an INBOX. Deleting still
   * goes to a Trash, made then. */
  inbox->account_id = fixture->account_id;
  inbox->name = g_strdup ("INBOX");
  inbox->special_use = BUZON_SPECIAL_USE_INBOX;
  g_assert_true (buzon_store_upsert_folder (fixture->store, inbox, &error));
  g_assert_no_error (error);
  id = download (fixture, "u1", "Antigua");

  g_assert_true (buzon_mail_ops_delete (fixture->store, fixture->account, &id, 1, &error));
  g_assert_no_error (error);
  in_trash = message (fixture, id);
  g_assert_cmpint (in_trash->folder_id, ==, folder_id (fixture, "Trash"));
  g_assert_cmpuint (n_folders (fixture), ==, 5);
}

static void
test_append (Fixture       *fixture,
             gconstpointer  data)
{
  static const char text[] =
    "From: Casa <casa@example.com>\r\nTo: bruno@example.es\r\nSubject: Borrador\r\n"
    "Message-ID: <b1@example.com>\r\n\r\nHola Bruno\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  gint64 id = 0;

  ensure (fixture);
  g_assert_true (buzon_mail_ops_append (fixture->store, fixture->account,
                                        folder_id (fixture, "Drafts"), raw,
                                        BUZON_MESSAGE_FLAG_DRAFT, &id, &error));
  g_assert_no_error (error);

  summary = message (fixture, id);
  g_assert_cmpint (summary->folder_id, ==, folder_id (fixture, "Drafts"));
  g_assert_cmpuint (summary->uid, ==, 0);
  g_assert_cmpuint (summary->flags, ==, BUZON_MESSAGE_FLAG_DRAFT);
  g_assert_cmpstr (summary->subject, ==, "Borrador");
  g_assert_cmpint (summary->body_state, ==, BUZON_BODY_STATE_FULL);
  stored = buzon_store_get_body (fixture->store, id, &error);
  g_assert_true (g_bytes_equal (stored, raw));
}

/* Folders */

static void
test_create_nested (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) leaf = NULL;
  g_autoptr(BuzonFolder) middle = NULL;
  g_autoptr(BuzonFolder) top = NULL;

  ensure (fixture);

  /* The folders above it are made too, so the tree has no gaps. */
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Trabajo/2026/Enero ñ", &error));
  g_assert_no_error (error);
  top = folder (fixture, "Trabajo");
  middle = folder (fixture, "Trabajo/2026");
  leaf = folder (fixture, "Trabajo/2026/Enero ñ");
  g_assert_cmpint (top->parent_id, ==, 0);
  g_assert_cmpint (middle->parent_id, ==, top->id);
  g_assert_cmpint (leaf->parent_id, ==, middle->id);
  g_assert_cmpstr (leaf->delimiter, ==, "/");
  g_assert_cmpint (leaf->special_use, ==, BUZON_SPECIAL_USE_NONE);

  /* Below an existing one, and below a special folder. */
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Trabajo/2025", &error));
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Archive/2020", &error));
  g_assert_no_error (error);
  {
    g_autoptr(BuzonFolder) archived = folder (fixture, "Archive/2020");
    g_autoptr(BuzonFolder) archive = folder (fixture, "Archive");

    g_assert_cmpint (archived->parent_id, ==, archive->id);
    g_assert_cmpint (archive->special_use, ==, BUZON_SPECIAL_USE_ARCHIVE);
  }
  g_assert_cmpuint (n_folders (fixture), ==, 5 + 5);

  /* Refused: taken names (INBOX in any case), empty parts. */
  g_assert_false (buzon_mail_ops_create_folder (fixture->store, fixture->account, "Trabajo",
                                                &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_create_folder (fixture->store, fixture->account, "inbox",
                                                &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  for (guint i = 0; i < 4; i++)
    {
      static const char * const bad[] = { "", "/Nueva", "Nueva/", "Nueva//Otra" };

      g_assert_false (buzon_mail_ops_create_folder (fixture->store, fixture->account, bad[i],
                                                    &error));
      g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
      g_clear_error (&error);
    }
  g_assert_cmpuint (n_folders (fixture), ==, 5 + 5);
}

static void
test_rename_moves_subtree (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) moved = NULL;
  g_autoptr(BuzonFolder) child = NULL;
  g_autoptr(BuzonFolder) parent = NULL;
  g_autoptr(BuzonMessageSummary) still = NULL;
  gint64 work_id, id;

  ensure (fixture);
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Trabajo/2026", &error));
  g_assert_no_error (error);
  work_id = folder_id (fixture, "Trabajo");
  id = download (fixture, "u1", "Informe");
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &id, 1,
                                      folder_id (fixture, "Trabajo/2026"), &error));

  /* A new parent path that does not exist: made, and the subtree moves. */
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account, work_id,
                                               "Archive/Viejo/Empleo", &error));
  g_assert_no_error (error);
  g_assert_false (has_folder (fixture, "Trabajo"));
  g_assert_false (has_folder (fixture, "Trabajo/2026"));
  moved = folder (fixture, "Archive/Viejo/Empleo");
  child = folder (fixture, "Archive/Viejo/Empleo/2026");
  parent = folder (fixture, "Archive/Viejo");
  g_assert_cmpint (moved->id, ==, work_id);
  g_assert_cmpint (moved->parent_id, ==, parent->id);
  g_assert_cmpint (child->parent_id, ==, moved->id);
  g_assert_cmpint (parent->parent_id, ==, folder_id (fixture, "Archive"));
  still = message (fixture, id);
  g_assert_cmpint (still->folder_id, ==, child->id);

  /* Back to the top level. */
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account, work_id,
                                               "Empleo", &error));
  g_assert_no_error (error);
  g_assert_true (has_folder (fixture, "Empleo/2026"));
  {
    g_autoptr(BuzonFolder) top = folder (fixture, "Empleo");

    g_assert_cmpint (top->parent_id, ==, 0);
  }

  /* A special folder keeps its use when renamed or moved. */
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Drafts"), "Empleo/Borradores",
                                               &error));
  g_assert_no_error (error);
  {
    g_autoptr(BuzonFolder) drafts = folder (fixture, "Empleo/Borradores");

    g_assert_cmpint (drafts->special_use, ==, BUZON_SPECIAL_USE_DRAFTS);
  }

  /* Refused: INBOX, into itself, a taken name, an empty part. */
  g_assert_false (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                                folder_id (fixture, "INBOX"), "Entrada", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_rename_folder (fixture->store, fixture->account, work_id,
                                                "Empleo/2026/Empleo", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_rename_folder (fixture->store, fixture->account, work_id,
                                                "Sent", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (buzon_mail_ops_rename_folder (fixture->store, fixture->account, work_id,
                                                "Nuevo//Empleo", &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (has_folder (fixture, "Empleo"));
  g_assert_false (has_folder (fixture, "Nuevo"));
}

static void
test_delete_folder (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) orphan = buzon_folder_new ();
  g_autoptr(GArray) found = NULL;
  gint64 ids[2];

  ensure (fixture);
  g_assert_true (buzon_mail_ops_create_folder (fixture->store, fixture->account,
                                               "Viajes/2025", &error));
  g_assert_no_error (error);
  ids[0] = download (fixture, "u1", "Billete");
  ids[1] = download (fixture, "u2", "Hotel");
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &ids[0], 1,
                                      folder_id (fixture, "Viajes"), &error));
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &ids[1], 1,
                                      folder_id (fixture, "Viajes/2025"), &error));
  g_assert_no_error (error);

  /* One below it by name only (not linked by the store), as a folder
   * made before its parent could be. */
  orphan->account_id = fixture->account_id;
  orphan->name = g_strdup ("Viajes/2025/Fotos");
  g_assert_true (buzon_store_upsert_folder (fixture->store, orphan, &error));
  g_assert_no_error (error);
  g_assert_cmpint (orphan->parent_id, ==, 0);

  /* The folders the account needs stay, and so does one holding one. */
  for (guint i = 0; i < 5; i++)
    {
      static const char * const kept[] = { "INBOX", "Sent", "Drafts", "Trash", "Archive" };

      g_assert_false (buzon_mail_ops_delete_folder (fixture->store, fixture->account,
                                                    folder_id (fixture, kept[i]), &error));
      g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
      g_clear_error (&error);
    }
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Archive"), "Viajes/Archivo",
                                               &error));
  g_assert_false (buzon_mail_ops_delete_folder (fixture->store, fixture->account,
                                                folder_id (fixture, "Viajes"), &error));
  g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (buzon_mail_ops_rename_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Viajes/Archivo"), "Archive",
                                               &error));
  g_assert_no_error (error);

  /* The folder, its subfolders and their messages, for good (as the
   * server does for IMAP); the UIDLs stay known without their copies. */
  g_assert_true (buzon_mail_ops_delete_folder (fixture->store, fixture->account,
                                               folder_id (fixture, "Viajes"), &error));
  g_assert_no_error (error);
  g_assert_false (has_folder (fixture, "Viajes"));
  g_assert_false (has_folder (fixture, "Viajes/2025"));
  g_assert_false (has_folder (fixture, "Viajes/2025/Fotos"));
  g_assert_cmpuint (n_folders (fixture), ==, 5);
  g_assert_null (message (fixture, ids[0]));
  g_assert_null (message (fixture, ids[1]));
  g_assert_cmpint (uidl_message (fixture, "u1"), ==, 0);
  g_assert_cmpint (uidl_message (fixture, "u2"), ==, 0);
  found = buzon_store_search (fixture->store, "Hotel", 0, 0, &error);
  g_assert_cmpuint (found->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/buzon/pop3/local/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("ensure/creates", test_ensure_creates);
  ADD ("ensure/keeps-renamed", test_ensure_keeps_renamed);
  ADD ("ensure/adopts-and-avoids", test_ensure_adopts_and_avoids);
  ADD ("ensure/imap-untouched", test_ensure_imap_untouched);
  ADD ("ops/flags", test_flags);
  ADD ("ops/move-copy", test_move_and_copy);
  ADD ("ops/delete", test_delete_to_trash_then_for_good);
  ADD ("ops/delete-renamed-trash", test_delete_renamed_trash);
  ADD ("ops/delete-without-folders", test_delete_without_folders);
  ADD ("ops/append", test_append);
  ADD ("folders/create-nested", test_create_nested);
  ADD ("folders/rename-subtree", test_rename_moves_subtree);
  ADD ("folders/delete", test_delete_folder);

#undef ADD

  return g_test_run ();
}
