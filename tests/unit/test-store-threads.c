/* test-store-threads.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Conversation threading in the store: replies and their parents in any
 * order, References chains with missing middles, merging, the subject
 * fallback and its limits, threads across folders, deletes and moves, the
 * migration of an older store, and a 100,000-message folder whose thread
 * pages are read through indexes. */

#include "config.h"

#include <string.h>

#include "buzon-store-private.h"
#include "store-test-util.h"

#define DAY (24 * 3600)
#define T0  G_GINT64_CONSTANT (1700000000)

typedef struct
{
  char       *dir;
  char       *path;
  BuzonStore *store;
  gint64      account_id;
  gint64      inbox_id;
  gint64      sent_id;
  guint32     next_uid;
} Fixture;

static gint64
add_folder (Fixture         *fixture,
            gint64           account_id,
            const char      *name,
            BuzonSpecialUse  use)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();

  folder->account_id = account_id;
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  g_assert_true (buzon_store_upsert_folder (fixture->store, folder, &error));
  g_assert_no_error (error);

  return folder->id;
}

static gint64
add_account (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account (name);

  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  g_assert_no_error (error);

  return buzon_account_get_id (account);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = store_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (fixture->path, &error);
  g_assert_no_error (error);

  fixture->account_id = add_account (fixture, "work");
  fixture->inbox_id = add_folder (fixture, fixture->account_id, "INBOX", BUZON_SPECIAL_USE_INBOX);
  fixture->sent_id = add_folder (fixture, fixture->account_id, "Sent", BUZON_SPECIAL_USE_SENT);
  fixture->next_uid = 1;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->store, store_test_drop);
  store_test_rm_rf (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Stores one message and returns its id. */
static gint64
add_message (Fixture    *fixture,
             gint64      folder_id,
             const char *message_id,
             const char *in_reply_to,
             const char *references,
             const char *subject,
             gint64      date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  BuzonMessageSummary *summary = store_test_summary (folder_id, fixture->next_uid++, subject,
                                                     "Bob <bob@example.org>", date);

  g_free (summary->message_id);
  summary->message_id = g_strdup (message_id);
  summary->in_reply_to = g_strdup (in_reply_to);
  summary->references = g_strdup (references);
  g_ptr_array_add (batch, summary);
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary->id, >, 0);

  return summary->id;
}

static gint64
thread_of (Fixture *fixture,
           gint64   message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) summary = buzon_store_get_message (fixture->store, message_id,
                                                                    &error);

  g_assert_no_error (error);
  g_assert_cmpint (summary->thread_id, >, 0);

  return summary->thread_id;
}

static GPtrArray *
list_threads (Fixture *fixture,
              gint64   folder_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *threads = buzon_store_list_threads (fixture->store, folder_id, 0, 0, &error);
  guint count = G_MAXUINT;

  g_assert_no_error (error);
  g_assert_nonnull (threads);
  g_assert_true (buzon_store_count_threads (fixture->store, folder_id, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, threads->len);

  return threads;
}

#define THREAD(threads, i) ((BuzonThreadSummary *)g_ptr_array_index ((threads), (i)))

static void
test_parse (void)
{
  static const struct {
    const char *text;
    const char *ids;
  } cases[] = {
    { "<a@example.com>", "a@example.com" },
    { "<a@x> <b@x>\r\n\t<c@x>", "a@x b@x c@x" },
    { "<a@x> (a comment) <a@x> <b@x>", "a@x b@x" },
    { "a@x b@x", "a@x b@x" },
    { "<>", "" },
    { "", "" },
    { "<unterminated@x", "" },
  };
  static const struct {
    const char *subject;
    const char *key;
  } subjects[] = {
    { "Hello", "hello" },
    { "Re: Hello", "hello" },
    { "RE: Re: hello", "hello" },
    { "Fwd: FW: AW: WG: RV: Rif: SV: Antw: Hello", "hello" },
    { "[buzon-dev] Re: [buzon-dev] Hello", "hello" },
    { "Re[2]: Re(3): Re^4: Hello", "hello" },
    { "Re : Bonjour", "bonjour" },
    { "  Re:   Canción   de  cuna  ", "canción de cuna" },
    { "Regarding the plan", "regarding the plan" },
    { "Re:", NULL },
    { "", NULL },
    { "   ", NULL },
    { "(no subject)", NULL },
    { "Re: (No Subject)", NULL },
    { "Re: ???", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *joined = NULL;

      _buzon_store_parse_message_ids (cases[i].text, ids);
      g_ptr_array_add (ids, NULL);
      joined = g_strjoinv (" ", (char **)ids->pdata);
      g_assert_cmpstr (joined, ==, cases[i].ids);
    }

  for (guint i = 0; i < G_N_ELEMENTS (subjects); i++)
    {
      g_autofree char *key = _buzon_store_thread_subject (subjects[i].subject);

      g_assert_cmpstr (key, ==, subjects[i].key);
    }
}

static void
test_replies (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Plan", T0);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", "<a@x>", "<a@x>", "Re: Plan",
                          T0 + 100);
  gint64 c = add_message (fixture, fixture->inbox_id, "<c@x>", "<b@x>", NULL,
                          "Something else", T0 + 200);
  gint64 other = add_message (fixture, fixture->inbox_id, "<o@x>", NULL, NULL, "Other", T0 + 50);

  /* In-Reply-To alone is enough; the subject does not matter. */
  g_assert_cmpint (thread_of (fixture, b), ==, thread_of (fixture, a));
  g_assert_cmpint (thread_of (fixture, c), ==, thread_of (fixture, a));
  g_assert_cmpint (thread_of (fixture, other), !=, thread_of (fixture, a));
  /* A new thread is named after its first message. */
  g_assert_cmpint (thread_of (fixture, a), ==, a);

  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 2);
  g_assert_cmpint (THREAD (threads, 0)->thread_id, ==, a);
  g_assert_cmpint (THREAD (threads, 0)->latest_date, ==, T0 + 200);
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, c);
  g_assert_cmpint (THREAD (threads, 0)->latest->thread_id, ==, a);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 3);
  g_assert_cmpuint (THREAD (threads, 0)->thread_count, ==, 3);
  g_assert_cmpuint (THREAD (threads, 0)->unread_count, ==, 3);
  g_assert_cmpint (THREAD (threads, 1)->thread_id, ==, other);
  g_assert_cmpuint (THREAD (threads, 1)->folder_count, ==, 1);

  /* Paging. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) page = buzon_store_list_threads (fixture->store, fixture->inbox_id, 1, 1,
                                                          &error);
    g_autoptr(BuzonThreadSummary) copy = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 1);
    g_assert_cmpint (THREAD (page, 0)->thread_id, ==, other);

    copy = buzon_thread_summary_copy (THREAD (page, 0));
    g_assert_cmpint (copy->latest->id, ==, other);
    g_assert_cmpstr (copy->latest->subject, ==, "Other");
    g_assert_true (copy->latest != THREAD (page, 0)->latest);
  }

  /* Reading marks read: the unread count follows. */
  {
    g_autoptr(GError) error = NULL;
    gint64 ids[] = { a, c };
    g_autoptr(GPtrArray) after = NULL;

    g_assert_true (buzon_store_set_flags (fixture->store, ids, 2, BUZON_MESSAGE_FLAG_SEEN, 0,
                                          NULL, &error));
    g_assert_no_error (error);
    after = list_threads (fixture, fixture->inbox_id);
    g_assert_cmpuint (THREAD (after, 0)->unread_count, ==, 1);
    g_assert_cmpuint (THREAD (after, 0)->folder_count, ==, 3);
  }
}

/* What a threaded message list reads: the newest message of each
 * conversation, then its rows by those ids. */
static void
test_latest_ids (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Plan", T0);
  gint64 other = add_message (fixture, fixture->inbox_id, "<o@x>", NULL, NULL, "Other", T0 + 50);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", "<a@x>", "<a@x>", "Re: Plan",
                          T0 + 100);
  gint64 sent = add_message (fixture, fixture->sent_id, "<s@x>", "<a@x>", "<a@x>", "Re: Plan",
                             T0 + 300);
  gint64 gone = b + 1000;
  gint64 wanted[] = { b, other, a, gone };

  ids = buzon_store_list_thread_latest_ids (fixture->store, fixture->inbox_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, b);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, other);

  /* a is not the newest of its conversation here, and gone does not exist. */
  rows = buzon_store_get_threads_by_latest (fixture->store, fixture->inbox_id, wanted,
                                            G_N_ELEMENTS (wanted), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      BuzonThreadSummary *row = THREAD (rows, i);

      if (row->latest->id == b)
        {
          g_assert_cmpint (row->thread_id, ==, a);
          g_assert_cmpuint (row->folder_count, ==, 2);
          /* The reply in Sent belongs to the conversation too. */
          g_assert_cmpuint (row->thread_count, ==, 3);
          g_assert_cmpuint (row->unread_count, ==, 2);
        }
      else
        {
          g_assert_cmpint (row->latest->id, ==, other);
          g_assert_cmpuint (row->folder_count, ==, 1);
        }
    }

  /* The same message, as the newest of the Sent folder's row. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = buzon_store_get_threads_by_latest (fixture->store, fixture->sent_id, &sent, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpuint (THREAD (rows, 0)->folder_count, ==, 1);

  /* An empty folder, and no ids. */
  g_clear_pointer (&ids, g_array_unref);
  ids = buzon_store_list_thread_latest_ids (fixture->store, 9999, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = buzon_store_get_threads_by_latest (fixture->store, fixture->inbox_id, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
}

static void
test_reply_before_parent (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) conversation = NULL;
  g_autoptr(GError) error = NULL;
  /* The grandchild first, then the child, then the root. */
  gint64 c = add_message (fixture, fixture->inbox_id, "<c@x>", "<b@x>", "<a@x> <b@x>",
                          "Re: Re: Trip", T0 + 2 * DAY);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", "<a@x>", "<a@x>", "Re: Trip",
                          T0 + DAY);
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Trip", T0);

  g_assert_cmpint (thread_of (fixture, a), ==, thread_of (fixture, c));
  g_assert_cmpint (thread_of (fixture, b), ==, thread_of (fixture, c));

  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 3);

  /* The conversation, oldest first, whatever the order of arrival. */
  conversation = buzon_store_list_thread_messages (fixture->store, thread_of (fixture, a), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversation->len, ==, 3);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[0])->id, ==, a);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[1])->id, ==, b);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[2])->id, ==, c);
}

static void
test_missing_middle (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Budget", T0);
  /* b is never seen; c names both, so it joins a through the chain. */
  gint64 c = add_message (fixture, fixture->inbox_id, "<c@x>", "<b@x>", "<a@x> <b@x>",
                          "Re: Budget", T0 + 2 * DAY);
  /* d names only the missing b: nothing links it to a yet. */
  gint64 d = add_message (fixture, fixture->inbox_id, "<d@x>", "<b@x>", NULL, "Re: Budget",
                          T0 + 3 * DAY);
  /* e names the missing b and some other missing message only. */
  gint64 e = add_message (fixture, fixture->inbox_id, "<e@x>", "<z@x>", "<y@x> <z@x>",
                          "Re: Budget", T0 + 3 * DAY);

  g_assert_cmpint (thread_of (fixture, c), ==, thread_of (fixture, a));
  /* c's References recorded b as part of a's thread. */
  g_assert_cmpint (thread_of (fixture, d), ==, thread_of (fixture, a));
  /* With references, the subject is not looked at. */
  g_assert_cmpint (thread_of (fixture, e), !=, thread_of (fixture, a));
}

static void
test_late_references (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Offer", T0);
  /* Known at first by a bare envelope: a different subject, no references. */
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", NULL, NULL, "Counter-offer",
                          T0 + 10);
  guint32 b_uid = fixture->next_uid - 1;

  g_assert_cmpint (thread_of (fixture, b), ==, b);

  /* The sync merges the full headers in by UID: it joins a's thread. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();
    BuzonMessageSummary *summary = buzon_message_summary_new ();

    summary->folder_id = fixture->inbox_id;
    summary->uid = b_uid;
    summary->references = g_strdup ("<a@x>");
    g_ptr_array_add (batch, summary);
    g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
    g_assert_no_error (error);
    g_assert_cmpint (summary->id, ==, b);
  }
  g_assert_cmpint (thread_of (fixture, b), ==, a);
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 2);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* A flags-only resync leaves the thread alone; so does an update by id
   * with the same envelope. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();
    BuzonMessageSummary *flags = buzon_message_summary_new ();
    g_autoptr(BuzonMessageSummary) same = buzon_store_get_message (fixture->store, a, &error);

    flags->folder_id = fixture->inbox_id;
    flags->uid = b_uid;
    flags->flags = BUZON_MESSAGE_FLAG_SEEN;
    g_ptr_array_add (batch, flags);
    g_ptr_array_add (batch, g_steal_pointer (&same));
    g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (thread_of (fixture, a), ==, a);
  g_assert_cmpint (thread_of (fixture, b), ==, a);
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 2);
  g_assert_cmpuint (THREAD (threads, 0)->unread_count, ==, 1);
}

static void
test_subject_fallback (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 hello = add_message (fixture, fixture->inbox_id, "<h1@x>", NULL, NULL, "Hello", T0);
  /* A reply from a mailer that writes no references, within the window. */
  gint64 re = add_message (fixture, fixture->inbox_id, "<h2@x>", NULL, NULL,
                           "RE: [team] AW: hello", T0 + 3 * DAY);
  /* Same subject, far away in time: another conversation. */
  gint64 later = add_message (fixture, fixture->inbox_id, "<h3@x>", NULL, NULL, "Hello",
                              T0 + 100 * DAY);
  /* Its own "Re:" a week later joins the nearer one. */
  gint64 later_re = add_message (fixture, fixture->inbox_id, "<h4@x>", NULL, NULL, "Re: Hello",
                                 T0 + 107 * DAY);
  /* Empty and generic subjects never group. */
  gint64 empty1 = add_message (fixture, fixture->inbox_id, "<e1@x>", NULL, NULL, "", T0);
  gint64 empty2 = add_message (fixture, fixture->inbox_id, "<e2@x>", NULL, NULL, "", T0 + 10);
  gint64 none1 = add_message (fixture, fixture->inbox_id, "<n1@x>", NULL, NULL, NULL, T0);
  gint64 none2 = add_message (fixture, fixture->inbox_id, "<n2@x>", NULL, NULL, NULL, T0 + 1);
  gint64 generic1 = add_message (fixture, fixture->inbox_id, "<g1@x>", NULL, NULL,
                                 "(no subject)", T0);
  gint64 generic2 = add_message (fixture, fixture->inbox_id, "<g2@x>", NULL, NULL,
                                 "Re: (No subject)", T0 + 5);
  gint64 other_account_folder;
  gint64 elsewhere;

  g_assert_cmpint (thread_of (fixture, re), ==, thread_of (fixture, hello));
  g_assert_cmpint (thread_of (fixture, later), !=, thread_of (fixture, hello));
  g_assert_cmpint (thread_of (fixture, later_re), ==, thread_of (fixture, later));
  g_assert_cmpint (thread_of (fixture, empty1), !=, thread_of (fixture, empty2));
  g_assert_cmpint (thread_of (fixture, none1), !=, thread_of (fixture, none2));
  g_assert_cmpint (thread_of (fixture, generic1), !=, thread_of (fixture, generic2));
  g_assert_cmpint (thread_of (fixture, empty1), !=, thread_of (fixture, none1));

  /* Never across accounts. */
  other_account_folder = add_folder (fixture, add_account (fixture, "home"), "INBOX",
                                     BUZON_SPECIAL_USE_INBOX);
  elsewhere = add_message (fixture, other_account_folder, "<h5@x>", NULL, NULL, "Hello",
                           T0 + DAY);
  g_assert_cmpint (thread_of (fixture, elsewhere), !=, thread_of (fixture, hello));

  /* Nor by the same Message-ID across accounts. */
  {
    gint64 copy = add_message (fixture, other_account_folder, "<h1@x>", NULL, NULL,
                               "Unrelated", T0 + 2 * DAY);

    g_assert_cmpint (thread_of (fixture, copy), !=, thread_of (fixture, hello));
  }
}

static void
test_merge (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Ideas", T0);
  gint64 a1 = add_message (fixture, fixture->inbox_id, "<a1@x>", "<a@x>", "<a@x>", "Re: Ideas",
                           T0 + 10);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", NULL, NULL, "Plans", T0 + 20);
  gint64 b1 = add_message (fixture, fixture->inbox_id, "<b1@x>", "<b@x>", "<b@x>", "Re: Plans",
                           T0 + 30);
  gint64 link;

  g_assert_cmpint (thread_of (fixture, a), !=, thread_of (fixture, b));
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 2);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* A message that answers both: one conversation, named after the older. */
  link = add_message (fixture, fixture->inbox_id, "<l@x>", "<b1@x>", "<a1@x> <b1@x>",
                      "Ideas and plans", T0 + 40);
  g_assert_cmpint (thread_of (fixture, link), ==, a);
  g_assert_cmpint (thread_of (fixture, a1), ==, a);
  g_assert_cmpint (thread_of (fixture, b), ==, a);
  g_assert_cmpint (thread_of (fixture, b1), ==, a);

  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (THREAD (threads, 0)->thread_id, ==, a);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 5);
  g_assert_cmpuint (THREAD (threads, 0)->unread_count, ==, 5);
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, link);

  /* A later reply to the merged-away thread's messages lands there too. */
  g_assert_cmpint (thread_of (fixture, add_message (fixture, fixture->inbox_id, "<b2@x>",
                                                    "<b@x>", "<b@x>", "Re: Plans", T0 + 50)),
                   ==, a);
}

static void
note_folder_cb (GArray     *changed,
                gint64      folder_id,
                BuzonStore *store)
{
  g_array_append_val (changed, folder_id);
}

static void
test_across_folders (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GPtrArray) conversation = NULL;
  g_autoptr(GError) error = NULL;
  gint64 question = add_message (fixture, fixture->inbox_id, "<q@x>", NULL, NULL, "Question",
                                 T0);
  gint64 answer = add_message (fixture, fixture->sent_id, "<ans@me>", "<q@x>", "<q@x>",
                               "Re: Question", T0 + 100);
  gint64 thanks = add_message (fixture, fixture->inbox_id, "<t@x>", "<ans@me>", "<q@x> <ans@me>",
                               "Re: Re: Question", T0 + 200);

  g_assert_cmpint (thread_of (fixture, answer), ==, thread_of (fixture, question));
  g_assert_cmpint (thread_of (fixture, thanks), ==, thread_of (fixture, question));

  inbox = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (inbox->len, ==, 1);
  g_assert_cmpuint (THREAD (inbox, 0)->folder_count, ==, 2);
  g_assert_cmpuint (THREAD (inbox, 0)->thread_count, ==, 3);
  g_assert_cmpint (THREAD (inbox, 0)->latest->id, ==, thanks);

  sent = list_threads (fixture, fixture->sent_id);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpuint (THREAD (sent, 0)->folder_count, ==, 1);
  g_assert_cmpuint (THREAD (sent, 0)->thread_count, ==, 3);
  g_assert_cmpint (THREAD (sent, 0)->latest->id, ==, answer);
  g_assert_cmpint (THREAD (sent, 0)->latest_date, ==, T0 + 100);

  conversation = buzon_store_list_thread_messages (fixture->store, thread_of (fixture, question),
                                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversation->len, ==, 3);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[0])->id, ==, question);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[1])->id, ==, answer);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[1])->folder_id, ==,
                   fixture->sent_id);
  g_assert_cmpint (((BuzonMessageSummary *)conversation->pdata[2])->id, ==, thanks);

  /* A message stored in the Inbox that merges a Sent thread into an Inbox
   * one changes the Sent folder's threads too: it is told so. */
  {
    g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
    gint64 note = add_message (fixture, fixture->sent_id, "<note@me>", NULL, NULL, "A note",
                               T0 + 300);
    gint64 both;
    gboolean sent_told = FALSE;

    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_signal_connect_swapped (fixture->store, "messages-changed", G_CALLBACK (note_folder_cb),
                              changed);
    both = add_message (fixture, fixture->inbox_id, "<both@x>", "<note@me>",
                        "<q@x> <note@me>", "Re: A note", T0 + 400);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_signal_handlers_disconnect_by_data (fixture->store, changed);

    g_assert_cmpint (thread_of (fixture, note), ==, thread_of (fixture, question));
    g_assert_cmpint (thread_of (fixture, both), ==, thread_of (fixture, question));
    for (guint i = 0; i < changed->len; i++)
      sent_told |= g_array_index (changed, gint64, i) == fixture->sent_id;
    g_assert_true (sent_told);
  }
}

static void
test_deletes_and_moves (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  gint64 archive = add_folder (fixture, fixture->account_id, "Archive", BUZON_SPECIAL_USE_ARCHIVE);
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Lunch", T0);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", "<a@x>", NULL, "Re: Lunch",
                          T0 + 10);
  gint64 c = add_message (fixture, fixture->inbox_id, "<c@x>", "<b@x>", NULL, "Re: Lunch",
                          T0 + 20);
  gint64 thread = thread_of (fixture, a);

  /* Deleting the newest: the next newest shows. */
  g_assert_true (buzon_store_delete_messages (fixture->store, &c, 1, NULL, &error));
  g_assert_no_error (error);
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, b);
  g_assert_cmpint (THREAD (threads, 0)->latest_date, ==, T0 + 10);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 2);
  g_assert_cmpuint (THREAD (threads, 0)->unread_count, ==, 2);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* Deleting the root keeps the thread: b still names it. A reply to the
   * deleted c still joins. */
  g_assert_true (buzon_store_delete_messages (fixture->store, &a, 1, NULL, &error));
  g_assert_cmpint (thread_of (fixture, b), ==, thread);
  g_assert_cmpint (thread_of (fixture, add_message (fixture, fixture->inbox_id, "<d@x>", "<c@x>",
                                                    NULL, "Re: Lunch", T0 + 30)),
                   ==, thread);

  /* Moving to the archive: the thread shows in both folders, counts split. */
  g_assert_true (buzon_store_move_messages (fixture->store, &b, 1, archive, NULL, &error));
  g_assert_no_error (error);
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 1);
  g_assert_cmpuint (THREAD (threads, 0)->thread_count, ==, 2);
  g_assert_cmpint (THREAD (threads, 0)->latest_date, ==, T0 + 30);
  g_clear_pointer (&threads, g_ptr_array_unref);
  threads = list_threads (fixture, archive);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, b);
  g_assert_cmpuint (THREAD (threads, 0)->unread_count, ==, 1);
  g_clear_pointer (&threads, g_ptr_array_unref);

  /* Expunged by the server, then the folder dropped: nothing left over. */
  {
    guint32 uid = 4;   /* d's */

    g_assert_true (buzon_store_expunge_uids (fixture->store, fixture->inbox_id, &uid, 1, &error));
    g_assert_no_error (error);
  }
  threads = list_threads (fixture, fixture->inbox_id);
  g_assert_cmpuint (threads->len, ==, 0);
  g_clear_pointer (&threads, g_ptr_array_unref);

  g_assert_true (buzon_store_delete_folder (fixture->store, archive, &error));
  g_assert_no_error (error);
  {
    BuzonStoreConn *w = &fixture->store->writer;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (w->db, "SELECT count(*) FROM folder_threads", -1, &stmt,
                                         NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
  }
}

static void
test_copies (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) new_ids = NULL;
  g_autoptr(GPtrArray) conversation = NULL;
  gint64 archive = add_folder (fixture, fixture->account_id, "Archive", BUZON_SPECIAL_USE_ARCHIVE);
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "Keep", T0);

  g_assert_true (buzon_store_copy_messages (fixture->store, &a, 1, archive, NULL, &new_ids,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (new_ids->len, ==, 1);
  g_assert_cmpint (thread_of (fixture, g_array_index (new_ids, gint64, 0)), ==, a);

  conversation = buzon_store_list_thread_messages (fixture->store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversation->len, ==, 2);
}

static void
assert_ids (GArray       *ids,
            const gint64 *expected,
            guint         n_expected)
{
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, expected[i]);
}

/* What an action on conversation rows acts on: every message of their
 * conversations in that folder, newest first, each once; not the replies
 * in Sent, not other conversations. */
static void
test_ids_in_folder (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  gint64 q = add_message (fixture, fixture->inbox_id, "<q@x>", NULL, NULL, "Question", T0);
  gint64 answer = add_message (fixture, fixture->sent_id, "<ans@me>", "<q@x>", "<q@x>",
                               "Re: Question", T0 + 100);
  gint64 thanks = add_message (fixture, fixture->inbox_id, "<t@x>", "<ans@me>", "<q@x> <ans@me>",
                               "Re: Re: Question", T0 + 200);
  gint64 other = add_message (fixture, fixture->inbox_id, "<o@x>", NULL, NULL, "Other", T0 + 50);
  gint64 other_reply = add_message (fixture, fixture->inbox_id, "<or@x>", "<o@x>", "<o@x>",
                                    "Re: Other", T0 + 300);
  gint64 alone = add_message (fixture, fixture->inbox_id, "<al@x>", NULL, NULL, "Alone", T0 + 400);
  gint64 missing = G_GINT64_CONSTANT (999999);

  /* A conversation by its newest message in the folder (its row). */
  ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, fixture->inbox_id,
                                                       &thanks, 1, &error);
  g_assert_no_error (error);
  assert_ids (ids, (gint64[]) { thanks, q }, 2);
  g_clear_pointer (&ids, g_array_unref);

  /* From the Sent side: only the reply there. */
  ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, fixture->sent_id,
                                                       &thanks, 1, &error);
  g_assert_no_error (error);
  assert_ids (ids, (gint64[]) { answer }, 1);
  g_clear_pointer (&ids, g_array_unref);

  /* Several rows, one named twice, one not stored: newest first, once each. */
  ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, fixture->inbox_id,
                                                       (gint64[]) { other_reply, q, thanks,
                                                                    missing, alone },
                                                       5, &error);
  g_assert_no_error (error);
  assert_ids (ids, (gint64[]) { alone, other_reply, thanks, other, q }, 5);
  g_clear_pointer (&ids, g_array_unref);

  /* Nothing asked, nothing found. */
  ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, fixture->inbox_id,
                                                       NULL, 0, &error);
  g_assert_no_error (error);
  assert_ids (ids, NULL, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* After a move to the Trash, the Inbox has nothing of it left. */
  {
    gint64 trash = add_folder (fixture, fixture->account_id, "Trash", BUZON_SPECIAL_USE_TRASH);
    gint64 both[] = { thanks, q };

    g_assert_true (buzon_store_move_messages (fixture->store, both, 2, trash, NULL, &error));
    g_assert_no_error (error);
    ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, fixture->inbox_id,
                                                         &thanks, 1, &error);
    g_assert_no_error (error);
    assert_ids (ids, NULL, 0);
    g_clear_pointer (&ids, g_array_unref);
    ids = buzon_store_list_thread_message_ids_in_folder (fixture->store, trash, &q, 1, &error);
    g_assert_no_error (error);
    assert_ids (ids, (gint64[]) { thanks, q }, 2);
  }
}

static void
list_threads_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = buzon_store_list_threads_finish (BUZON_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_recount_and_async (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) before = NULL;
  gint64 a = add_message (fixture, fixture->inbox_id, "<a@x>", NULL, NULL, "One", T0);
  gint64 b = add_message (fixture, fixture->inbox_id, "<b@x>", "<a@x>", NULL, "Re: One", T0 + 10);
  gint64 c = add_message (fixture, fixture->inbox_id, "<c@x>", NULL, NULL, "Two", T0 + 5);

  before = list_threads (fixture, fixture->inbox_id);

  /* Break the rows behind the store's back (and leave a message without a
   * thread), then repair them. */
  g_assert_cmpint (sqlite3_exec (fixture->store->writer.db,
                                 "UPDATE folder_threads SET message_count = 9, latest_id = 1;"
                                 "UPDATE messages SET thread_id = NULL WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (buzon_store_recount_folder (fixture->store, fixture->inbox_id, &error));
  g_assert_no_error (error);

  buzon_store_list_threads_async (fixture->store, fixture->inbox_id, 0, 0, NULL,
                                  list_threads_cb, &threads);
  while (threads == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (threads->len, ==, 2);
  g_assert_cmpuint (before->len, ==, 2);
  for (guint i = 0; i < threads->len; i++)
    {
      g_assert_cmpint (THREAD (threads, i)->thread_id, ==, THREAD (before, i)->thread_id);
      g_assert_cmpint (THREAD (threads, i)->latest->id, ==, THREAD (before, i)->latest->id);
      g_assert_cmpuint (THREAD (threads, i)->folder_count, ==, THREAD (before, i)->folder_count);
      g_assert_cmpuint (THREAD (threads, i)->unread_count, ==, THREAD (before, i)->unread_count);
    }
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, b);
  g_assert_cmpint (THREAD (threads, 0)->thread_id, ==, a);
  g_assert_cmpint (THREAD (threads, 1)->latest->id, ==, c);
  g_assert_cmpint (thread_of (fixture, c), ==, c);
}

/* A database as Buzón of format @version wrote it, with no store open. */
static sqlite3 *
make_version (const char *path,
              guint       version)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (guint v = 1; v <= version; v++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) script = _buzon_store_load_script (v, &error);
      g_autofree char *sql = NULL;
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", v);

      g_assert_no_error (error);
      sql = g_strndup (g_bytes_get_data (script, NULL), g_bytes_get_size (script));
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, set_version, NULL, NULL, NULL), ==, SQLITE_OK);
    }

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
test_migration (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "v2.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  BuzonStore *store;
  sqlite3 *db = make_version (path, 2);

  /* What Buzón 2 stored: a reply before its parent, a Sent reply, an
   * unrelated message, two reference-less "Hello"s a day apart. */
  raw_exec (db,
            "INSERT INTO accounts (id, name, created) VALUES (1, 'old', 0);"
            "INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX'), (2, 1, 'Sent');"
            "INSERT INTO messages (id, folder_id, uid, message_id, in_reply_to, refs, subject, "
            "date, flags) VALUES "
            "(1, 1, 1, '<r@x>', '<p@x>', '<p@x>', 'Re: Party', 1700000100, 0),"
            "(2, 1, 2, '<p@x>', NULL, NULL, 'Party', 1700000000, 1),"
            "(3, 2, 1, '<s@me>', '<r@x>', '<p@x> <r@x>', 'Re: Re: Party', 1700000200, 1),"
            "(4, 1, 3, '<u@x>', NULL, NULL, 'Unrelated', 1700000050, 0),"
            "(5, 1, 4, '<h1@x>', NULL, NULL, 'Hello', 1700000000, 0),"
            "(6, 1, 5, '<h2@x>', NULL, NULL, 'Re: Hello', 1700086400, 0);");
  sqlite3_close (db);

  store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  threads = buzon_store_list_threads (store, 1, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (threads->len, ==, 3);
  /* Newest first: Hello (the reply's date), the party, Unrelated. */
  g_assert_cmpint (THREAD (threads, 0)->latest->id, ==, 6);
  g_assert_cmpuint (THREAD (threads, 0)->folder_count, ==, 2);
  g_assert_cmpint (THREAD (threads, 1)->latest->id, ==, 1);
  g_assert_cmpuint (THREAD (threads, 1)->folder_count, ==, 2);
  g_assert_cmpuint (THREAD (threads, 1)->thread_count, ==, 3);
  g_assert_cmpuint (THREAD (threads, 1)->unread_count, ==, 1);
  g_assert_cmpint (THREAD (threads, 2)->latest->id, ==, 4);
  g_assert_cmpuint (THREAD (threads, 2)->thread_count, ==, 1);

  /* Messages stored after the upgrade join the old threads. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();
    BuzonMessageSummary *summary = store_test_summary (2, 7, "Re: Party", NULL, 1700000300);
    g_autoptr(BuzonMessageSummary) read = NULL;

    summary->in_reply_to = g_strdup ("<s@me>");
    g_ptr_array_add (batch, summary);
    g_assert_true (buzon_store_upsert_messages (store, batch, &error));
    g_assert_no_error (error);
    read = buzon_store_get_message (store, summary->id, &error);
    g_assert_cmpint (read->thread_id, ==, THREAD (threads, 1)->thread_id);
  }

  store_test_drop (store);
}

/* The plan of a cached statement of @conn containing @needle: its detail
 * lines, one a line. */
static char *
plan_of (BuzonStoreConn *conn,
         const char     *needle)
{
  GHashTableIter iter;
  const char *sql;

  g_hash_table_iter_init (&iter, conn->stmts);
  while (g_hash_table_iter_next (&iter, (gpointer *)&sql, NULL))
    {
      g_autofree char *explain = NULL;
      GString *plan;
      sqlite3_stmt *stmt = NULL;

      if (strstr (sql, needle) == NULL)
        continue;

      explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
      g_assert_cmpint (sqlite3_prepare_v2 (conn->db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
      plan = g_string_new (NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
      sqlite3_finalize (stmt);
      g_test_message ("%s\n%s", sql, plan->str);

      return g_string_free (plan, FALSE);
    }

  g_error ("No statement with “%s” was prepared", needle);
}

/* No full scan; no sort either unless @may_sort (a sort of a few rows an
 * index found, as the subject fallback's of one subject in a window). */
static void
assert_no_scan (const char *plan,
                gboolean    may_sort)
{
  g_auto(GStrv) lines = g_strsplit (plan, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_false (g_str_has_prefix (lines[i], "SCAN "));
      if (!may_sort)
        g_assert_null (strstr (lines[i], "TEMP B-TREE"));
    }
}

static gboolean
running_under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

static void
test_scale (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "big.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) deep = NULL;
  g_autoptr(GPtrArray) conversation = NULL;
  g_autofree char *plan = NULL;
  /* Under valgrind (the unit suite runs there in CI) 100,000 messages take
   * many minutes; the query plans checked do not depend on the row count. */
  const guint n = running_under_valgrind () ? 5000 : 100000;
  guint count = 0;
  BuzonStore *store;
  sqlite3 *db = make_version (path, 2);
  gint64 start;

  /* 100,000 messages in 20,000 threads of five, as Buzón 2 stored them:
   * each reply names the thread's first message and its parent. */
  raw_exec (db, "INSERT INTO accounts (id, name, created) VALUES (1, 'big', 0);"
                "INSERT INTO folders (id, account_id, name) VALUES (1, 1, 'INBOX'),"
                "(2, 1, 'Sent');");
  {
    g_autofree char *insert = g_strdup_printf (
      "BEGIN;"
      "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
      "INSERT INTO messages (folder_id, uid, message_id, in_reply_to, refs, subject, "
      "date, flags) "
      "SELECT 1 + (i %% 5 = 4), i + 1, '<m' || i || '@x>', "
      "CASE WHEN i %% 5 > 0 THEN '<m' || (i - 1) || '@x>' END, "
      "CASE WHEN i %% 5 > 0 THEN '<m' || (i - i %% 5) || '@x> <m' || (i - 1) || '@x>' END, "
      "CASE WHEN i %% 5 > 0 THEN 'Re: ' ELSE '' END || 'Topic ' || (i / 5), "
      "1600000000 + (i / 5) * 600 + (i %% 5) * 60, (i %% 3 = 0) FROM n;"
      "COMMIT;", n - 1);

    raw_exec (db, insert);
  }
  sqlite3_close (db);

  start = g_get_monotonic_time ();
  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_test_message ("Threading %u messages in the upgrade: %.0f ms", n,
                  (g_get_monotonic_time () - start) / 1000.0);

  g_assert_true (buzon_store_count_threads (store, 1, &count, &error));
  g_assert_cmpuint (count, ==, n / 5);

  page = buzon_store_list_threads (store, 1, 0, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 50);
  g_assert_cmpuint (THREAD (page, 0)->folder_count, ==, 4);
  g_assert_cmpuint (THREAD (page, 0)->thread_count, ==, 5);
  {
    g_autofree char *latest = g_strdup_printf ("Re: Topic %u", n / 5 - 1);

    g_assert_cmpstr (THREAD (page, 0)->latest->subject, ==, latest);
  }

  deep = buzon_store_list_threads (store, 1, n / 5 - 50, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deep->len, ==, 50);
  g_assert_cmpstr (THREAD (deep, 49)->latest->subject, ==, "Re: Topic 0");

  conversation = buzon_store_list_thread_messages (store, THREAD (page, 0)->thread_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conversation->len, ==, 5);

  /* The page is an index range scan over folder_threads plus one lookup
   * per row: no scan, no sort, at any size. */
  plan = plan_of (&store->reader, "FROM folder_threads AS ft");
  assert_no_scan (plan, FALSE);
  g_assert_nonnull (strstr (plan, "folder_threads_latest"));
  g_clear_pointer (&plan, g_free);

  plan = plan_of (&store->reader, "WHERE thread_id = ?1 ORDER BY date, id");
  assert_no_scan (plan, FALSE);
  g_assert_nonnull (strstr (plan, "messages_thread"));
  g_clear_pointer (&plan, g_free);

  /* And threading a new message costs lookups, not scans. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();
    BuzonMessageSummary *summary = store_test_summary (1, n + 1, "Topic 7", NULL,
                                                       1600000000 + 7 * 600 + 3600);
    g_autoptr(BuzonMessageSummary) read = NULL;

    g_ptr_array_add (batch, summary);
    start = g_get_monotonic_time ();
    g_assert_true (buzon_store_upsert_messages (store, batch, &error));
    g_assert_no_error (error);
    /* (This commit also indexes the 100,000 rows for search.) */
    g_test_message ("One more message: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
    read = buzon_store_get_message (store, summary->id, &error);
    g_assert_cmpint (read->thread_id, ==, 36);   /* Topic 7 begins with message 36 */
  }
  for (guint i = 0; i < 4; i++)
    {
      static const char * const needles[] = {
        "FROM thread_refs WHERE", "thread_subject = ?1", "UPDATE messages SET thread_id = ?2, ",
        "FROM messages AS m JOIN folders AS f ON f.id = m.folder_id WHERE m.id",
      };

      plan = plan_of (&store->writer, needles[i]);
      assert_no_scan (plan, i == 1);
      g_clear_pointer (&plan, g_free);
    }

  store_test_drop (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/buzon/store/threads/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/buzon/store/threads/parse", test_parse);
  ADD ("replies", test_replies);
  ADD ("latest-ids", test_latest_ids);
  ADD ("reply-before-parent", test_reply_before_parent);
  ADD ("missing-middle", test_missing_middle);
  ADD ("late-references", test_late_references);
  ADD ("subject-fallback", test_subject_fallback);
  ADD ("merge", test_merge);
  ADD ("across-folders", test_across_folders);
  ADD ("deletes-and-moves", test_deletes_and_moves);
  ADD ("copies", test_copies);
  ADD ("ids-in-folder", test_ids_in_folder);
  ADD ("recount-and-async", test_recount_and_async);
  ADD ("migration", test_migration);
  ADD ("scale", test_scale);

#undef ADD

  return g_test_run ();
}
