/* test-message-list.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMessageList over a real store: a 100,000-message folder (2,000
 * under valgrind) opens with its first page filled, far rows are
 * placeholders filled in place without items-changed, the summaries kept
 * stay bounded after scrolling through the whole folder, changes in the
 * folder come as exact items-changed ranges with flags refreshed in place,
 * and a list of search results loads the same way. */

#include "config.h"

#include <string.h>

#include "buzon-message-list-private.h"
#include "store-test-util.h"

#define T0 G_GINT64_CONSTANT (1700000000)

typedef struct
{
  char       *dir;
  BuzonStore *store;
  gint64      folder_id;
  GArray     *changes;    /* guint triples: position, removed, added */
  guint       first_pages;
} Fixture;

static gboolean
running_under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

static guint
big_count (void)
{
  return running_under_valgrind () ? 2000 : 100000;
}

/* Messages @first … @first + @n - 1, one a minute: the newest is the last. */
static void
add_messages (Fixture *fixture,
              guint    first,
              guint    n)
{
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Message %u", i);

      g_ptr_array_add (batch, store_test_summary (fixture->folder_id, i + 1, subject,
                                                  "\"Pérez, Ana\" <ana@example.es>",
                                                  T0 + (gint64)i * 60));
    }
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonAccount) account = store_test_account ("work");
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();
  g_autofree char *path = NULL;

  fixture->dir = store_test_make_dir ();
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (fixture->store, account, &error));
  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup ("INBOX");
  g_assert_true (buzon_store_upsert_folder (fixture->store, folder, &error));
  g_assert_no_error (error);
  fixture->folder_id = folder->id;
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (guint));

  if (GPOINTER_TO_UINT (data) > 0)
    add_messages (fixture, 0, GPOINTER_TO_UINT (data));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  store_test_drop (fixture->store);
  store_test_rm_rf (fixture->dir);
  g_free (fixture->dir);
  g_array_unref (fixture->changes);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  g_array_append_val (fixture->changes, position);
  g_array_append_val (fixture->changes, removed);
  g_array_append_val (fixture->changes, added);
}

static void
first_page_cb (BuzonMessageList *list,
               Fixture          *fixture)
{
  fixture->first_pages++;
}

static void
wait_idle (BuzonMessageList *list)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (_buzon_message_list_is_busy (list) || buzon_message_list_get_loading (list))
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

static BuzonMessageList *
open_list (Fixture *fixture,
           GArray  *ids)
{
  BuzonMessageList *list = ids != NULL ? buzon_message_list_new_for_ids (fixture->store, ids)
                                       : buzon_message_list_new (fixture->store,
                                                                 fixture->folder_id);

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), fixture);
  g_signal_connect (list, "first-page-loaded", G_CALLBACK (first_page_cb), fixture);
  g_assert_true (buzon_message_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  wait_idle (list);

  return list;
}

static void
assert_change (Fixture *fixture,
               guint    position,
               guint    removed,
               guint    added)
{
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (fixture->changes, guint, 0), ==, position);
  g_assert_cmpuint (g_array_index (fixture->changes, guint, 1), ==, removed);
  g_assert_cmpuint (g_array_index (fixture->changes, guint, 2), ==, added);
  g_array_set_size (fixture->changes, 0);
}

static void
test_big_folder (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(BuzonMessageList) list = NULL;
  g_autoptr(BuzonMessageItem) first = NULL;
  g_autoptr(BuzonMessageItem) far = NULL;
  g_autoptr(BuzonMessageItem) again = NULL;
  g_autoptr(GPtrArray) window = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *subject = NULL;
  guint n = big_count ();
  gint64 start = g_get_monotonic_time ();
  guint bound;

  list = open_list (fixture, NULL);
  g_test_message ("%u messages: first rows after %.1f ms", n,
                  (g_get_monotonic_time () - start) / 1000.0);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  assert_change (fixture, 0, 0, n);
  g_assert_cmpuint (fixture->first_pages, ==, 1);
  g_assert_cmpint (buzon_message_list_get_folder_id (list), ==, fixture->folder_id);

  /* The first page came with the ids. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (buzon_message_item_get_loaded (first));
  subject = g_strdup_printf ("Message %u", n - 1);
  g_assert_cmpstr (buzon_message_item_get_subject (first), ==, subject);
  g_assert_cmpstr (buzon_message_item_get_sender (first), ==, "Pérez, Ana");
  g_assert_true (buzon_message_item_get_unread (first));
  g_assert_cmpint (buzon_message_item_get_date (first), ==, T0 + (gint64)(n - 1) * 60);

  /* A far row: a placeholder at once, filled in place. */
  far = g_list_model_get_item (G_LIST_MODEL (list), n - 1);
  g_assert_false (buzon_message_item_get_loaded (far));
  g_assert_null (buzon_message_item_get_summary (far));
  g_assert_cmpstr (buzon_message_item_get_subject (far), ==, "");
  wait_idle (list);
  g_assert_true (buzon_message_item_get_loaded (far));
  g_assert_cmpstr (buzon_message_item_get_subject (far), ==, "Message 0");
  again = g_list_model_get_item (G_LIST_MODEL (list), n - 1);
  g_assert_true (again == far);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  {
    guint position = 0;

    g_assert_true (buzon_message_list_get_position_of (list, buzon_message_item_get_id (far),
                                                       &position));
    g_assert_cmpuint (position, ==, n - 1);
  }

  /* Scroll through everything as a view would, holding some 60 rows. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (window, g_list_model_get_item (G_LIST_MODEL (list), i));
      if (window->len > 60)
        g_ptr_array_remove_index (window, 0);
      if (i % BUZON_MESSAGE_LIST_PAGE_SIZE == BUZON_MESSAGE_LIST_PAGE_SIZE - 1)
        {
          /* Row 1 is looked at again and again: the cache keeps it. */
          g_autoptr(BuzonMessageItem) used = g_list_model_get_item (G_LIST_MODEL (list), 1);

          wait_idle (list);
        }
    }
  wait_idle (list);
  {
    g_autoptr(BuzonMessageItem) used = g_list_model_get_item (G_LIST_MODEL (list), 1);
    g_autoptr(BuzonMessageItem) unused = g_list_model_get_item (G_LIST_MODEL (list), 2);

    g_assert_true (buzon_message_item_get_loaded (used));
    g_assert_false (buzon_message_item_get_loaded (unused));
  }
  wait_idle (list);
  g_test_message ("Scrolled through %u rows in %.0f ms", n,
                  (g_get_monotonic_time () - start) / 1000.0);

  for (guint i = 0; i < window->len; i++)
    g_assert_true (buzon_message_item_get_loaded (g_ptr_array_index (window, i)));

  bound = BUZON_MESSAGE_LIST_CACHED_PAGES * BUZON_MESSAGE_LIST_PAGE_SIZE + 60 + 3;
  g_assert_cmpuint (_buzon_message_list_count_loaded (list), <=, bound);
  g_assert_cmpuint (_buzon_message_list_count_live (list), <=, bound);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  g_clear_pointer (&window, g_ptr_array_unref);
  g_clear_object (&first);
  g_clear_object (&far);
  g_clear_object (&again);
  g_assert_finalize_object (g_steal_pointer (&list));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           GString    *log)
{
  g_string_append_printf (log, "%s ", pspec->name);
}

static void
test_changes (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(BuzonMessageList) list = NULL;
  g_autoptr(BuzonMessageItem) item = NULL;
  g_autoptr(BuzonMessageItem) kept = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 id;

  list = open_list (fixture, NULL);
  assert_change (fixture, 0, 0, 300);

  /* Row 10 (message 289) loaded, and row 250 (message 49) kept. */
  item = g_list_model_get_item (G_LIST_MODEL (list), 10);
  kept = g_list_model_get_item (G_LIST_MODEL (list), 250);
  wait_idle (list);
  g_assert_cmpstr (buzon_message_item_get_subject (item), ==, "Message 289");
  g_assert_cmpstr (buzon_message_item_get_subject (kept), ==, "Message 49");
  g_signal_connect (item, "notify", G_CALLBACK (notify_cb), log);

  /* A new message dated between messages 279 and 280: row 20. */
  {
    g_autoptr(GPtrArray) batch = store_test_batch_new ();

    g_ptr_array_add (batch, store_test_summary (fixture->folder_id, 1000, "Inserted", NULL,
                                                T0 + 279 * 60 + 30));
    g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
    g_assert_no_error (error);
  }
  wait_idle (list);
  assert_change (fixture, 20, 0, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 301);
  g_assert_cmpstr (log->str, ==, "");

  /* Delete message 200 (row 100 now): one row out. */
  id = buzon_message_list_get_id_at (list, 100);
  {
    g_autoptr(BuzonMessageSummary) gone = buzon_store_get_message (fixture->store, id, &error);

    g_assert_cmpstr (gone->subject, ==, "Message 200");
  }
  g_assert_true (buzon_store_delete_messages (fixture->store, &id, 1, NULL, &error));
  g_assert_no_error (error);
  wait_idle (list);
  assert_change (fixture, 100, 1, 0);

  /* Flag and read the loaded row: refreshed in place, no items-changed. */
  id = buzon_message_item_get_id (item);
  g_assert_false (buzon_message_item_get_flagged (item));
  g_assert_true (buzon_store_set_flags (fixture->store, &id, 1,
                                        BUZON_MESSAGE_FLAG_FLAGGED | BUZON_MESSAGE_FLAG_SEEN,
                                        0, NULL, &error));
  g_assert_no_error (error);
  wait_idle (list);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_true (buzon_message_item_get_flagged (item));
  g_assert_false (buzon_message_item_get_unread (item));
  /* Only those two were notified (in no set order). */
  g_assert_cmpuint (log->len, ==, strlen ("unread flagged "));
  g_assert_nonnull (strstr (log->str, "unread "));
  g_assert_nonnull (strstr (log->str, "flagged "));
  {
    g_autoptr(BuzonMessageItem) same = g_list_model_get_item (G_LIST_MODEL (list), 10);

    g_assert_true (same == item);
  }

  /* The kept row moved down by the insert and up by the delete. */
  {
    guint position = 0;

    g_assert_true (buzon_message_list_get_position_of (list, buzon_message_item_get_id (kept),
                                                       &position));
    g_assert_cmpuint (position, ==, 250);
  }

  g_signal_handlers_disconnect_by_data (item, log);
  g_clear_object (&item);
  g_clear_object (&kept);
  g_assert_finalize_object (g_steal_pointer (&list));
}

/* Adds a message with @message_id answering @parent (or nothing). */
static gint64
add_threaded (Fixture    *fixture,
              guint32     uid,
              const char *message_id,
              const char *parent,
              const char *subject,
              gint64      date)
{
  g_autoptr(GPtrArray) batch = store_test_batch_new ();
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *summary = store_test_summary (fixture->folder_id, uid, subject,
                                                     "Bruno <bruno@example.es>", date);

  g_free (summary->message_id);
  summary->message_id = g_strdup (message_id);
  summary->in_reply_to = g_strdup (parent);
  summary->references = g_strdup (parent);
  g_ptr_array_add (batch, summary);
  g_assert_true (buzon_store_upsert_messages (fixture->store, batch, &error));
  g_assert_no_error (error);

  return summary->id;
}

static void
test_threaded (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(BuzonMessageList) list = NULL;
  g_autoptr(BuzonMessageItem) row = NULL;
  g_autoptr(BuzonMessageItem) single = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 a, b, c, d;

  a = add_threaded (fixture, 1, "<a@x>", NULL, "Plan", T0);
  add_threaded (fixture, 2, "<s@x>", NULL, "Alone", T0 + 50);
  b = add_threaded (fixture, 3, "<b@x>", "<a@x>", "Re: Plan", T0 + 100);
  c = add_threaded (fixture, 4, "<c@x>", "<b@x>", "Re: Plan", T0 + 200);

  list = buzon_message_list_new_threaded (fixture->store, fixture->folder_id);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), fixture);
  g_assert_true (buzon_message_list_get_threaded (list));
  wait_idle (list);
  assert_change (fixture, 0, 0, 2);

  /* The conversation's row is its newest message, with the counts. */
  g_assert_cmpint (buzon_message_list_get_id_at (list, 0), ==, c);
  row = g_list_model_get_item (G_LIST_MODEL (list), 0);
  single = g_list_model_get_item (G_LIST_MODEL (list), 1);
  wait_idle (list);
  g_assert_cmpuint (buzon_message_item_get_thread_count (row), ==, 3);
  g_assert_cmpuint (buzon_message_item_get_thread_unread_count (row), ==, 3);
  g_assert_true (buzon_message_item_get_unread (row));
  g_assert_cmpuint (buzon_message_item_get_thread_count (single), ==, 1);
  g_assert_cmpstr (buzon_message_item_get_subject (single), ==, "Alone");

  /* Reading the newest leaves the row unread: two older ones are. */
  g_signal_connect (row, "notify", G_CALLBACK (notify_cb), log);
  g_assert_true (buzon_store_set_flags (fixture->store, &c, 1, BUZON_MESSAGE_FLAG_SEEN, 0, NULL,
                                        &error));
  g_assert_no_error (error);
  wait_idle (list);
  g_assert_true (buzon_message_item_get_unread (row));
  g_assert_cmpuint (buzon_message_item_get_thread_unread_count (row), ==, 2);
  g_assert_cmpstr (log->str, ==, "thread-unread-count ");
  g_string_truncate (log, 0);

  /* Reading the rest makes it read, in place. */
  {
    gint64 ids[] = { a, b };

    g_assert_true (buzon_store_set_flags (fixture->store, ids, 2, BUZON_MESSAGE_FLAG_SEEN, 0,
                                          NULL, &error));
    g_assert_no_error (error);
  }
  wait_idle (list);
  g_assert_false (buzon_message_item_get_unread (row));
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_nonnull (strstr (log->str, "unread "));
  g_signal_handlers_disconnect_by_data (row, log);

  /* A reply to the lone message: its conversation comes first, now shown
   * by the reply. */
  d = add_threaded (fixture, 5, "<d@x>", "<s@x>", "Re: Alone", T0 + 300);
  wait_idle (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpint (buzon_message_list_get_id_at (list, 0), ==, d);
  g_assert_cmpint (buzon_message_list_get_id_at (list, 1), ==, c);
  g_assert_cmpuint (fixture->changes->len, >, 0);
  {
    g_autoptr(BuzonMessageItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);

    wait_idle (list);
    g_assert_cmpuint (buzon_message_item_get_thread_count (first), ==, 2);
    g_assert_cmpuint (buzon_message_item_get_thread_unread_count (first), ==, 2);
  }

  g_clear_object (&row);
  g_clear_object (&single);
  g_assert_finalize_object (g_steal_pointer (&list));
}

static void
test_search_ids (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(BuzonMessageList) list = NULL;
  g_autoptr(BuzonMessageItem) item = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  ids = buzon_store_search (fixture->store, "Message", fixture->folder_id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 300);
  g_array_remove_range (ids, 0, 150);

  list = open_list (fixture, ids);
  assert_change (fixture, 0, 0, 150);
  g_assert_cmpint (buzon_message_list_get_folder_id (list), ==, 0);
  g_assert_cmpuint (fixture->first_pages, ==, 1);

  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (buzon_message_item_get_loaded (item));
  g_assert_cmpstr (buzon_message_item_get_subject (item), ==, "Message 149");
  g_clear_object (&item);

  item = g_list_model_get_item (G_LIST_MODEL (list), 149);
  g_assert_false (buzon_message_item_get_loaded (item));
  wait_idle (list);
  g_assert_cmpstr (buzon_message_item_get_subject (item), ==, "Message 0");

  /* A flag set elsewhere reaches the result too. */
  {
    gint64 id = buzon_message_item_get_id (item);

    g_assert_true (buzon_store_set_flags (fixture->store, &id, 1, BUZON_MESSAGE_FLAG_ANSWERED, 0,
                                          NULL, &error));
  }
  wait_idle (list);
  g_assert_true (buzon_message_item_get_answered (item));
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  g_clear_object (&item);
  g_assert_finalize_object (g_steal_pointer (&list));
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(BuzonMessageList) list = open_list (fixture, NULL);

  g_assert_false (buzon_message_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (fixture->first_pages, ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));
}

static void
test_sender_and_date (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 3, 18, 15, 0, 0);
  g_autoptr(GDateTime) today = g_date_time_new_local (2026, 3, 18, 9, 5, 0);
  g_autoptr(GDateTime) monday = g_date_time_new_local (2026, 3, 16, 9, 5, 0);
  g_autoptr(GDateTime) older = g_date_time_new_local (2026, 1, 2, 9, 5, 0);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autofree char *s1 = buzon_message_item_sender_from_text ("Ana <ana@example.es>");
  g_autofree char *s2 = buzon_message_item_sender_from_text ("<bob@example.com>, x@y");
  g_autofree char *s3 = buzon_message_item_sender_from_text ("carl@example.com");
  g_autofree char *s4 = buzon_message_item_sender_from_text (NULL);

  g_assert_cmpstr (s1, ==, "Ana");
  g_assert_cmpstr (s2, ==, "bob@example.com");
  g_assert_cmpstr (s3, ==, "carl@example.com");
  g_assert_cmpstr (s4, ==, "");

  a = buzon_message_item_format_date (g_date_time_to_unix (today), now);
  b = buzon_message_item_format_date (g_date_time_to_unix (monday), now);
  c = buzon_message_item_format_date (g_date_time_to_unix (older), now);
  d = buzon_message_item_format_date (0, now);
  g_assert_cmpstr (a, ==, "09:05");
  g_assert_cmpstr (b, ==, "Monday");
  g_assert_cmpstr (c, ==, "Jan 2");
  g_assert_cmpstr (d, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  /* The date formats are checked in English. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/ui/message-list/big-folder", Fixture, GUINT_TO_POINTER (big_count ()),
              fixture_set_up, test_big_folder, fixture_tear_down);
  g_test_add ("/buzon/ui/message-list/changes", Fixture, GUINT_TO_POINTER (300),
              fixture_set_up, test_changes, fixture_tear_down);
  g_test_add ("/buzon/ui/message-list/search-ids", Fixture, GUINT_TO_POINTER (300),
              fixture_set_up, test_search_ids, fixture_tear_down);
  g_test_add ("/buzon/ui/message-list/threaded", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_threaded, fixture_tear_down);
  g_test_add ("/buzon/ui/message-list/empty", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_empty, fixture_tear_down);
  g_test_add_func ("/buzon/ui/message-list/sender-and-date", test_sender_and_date);

  return g_test_run ();
}
