/* store-test-util.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Helpers shared by the store's unit tests: a fresh directory per test,
 * removing it again, and dropping a store while making sure it is finalized
 * (its worker threads may hold the last reference for a moment). */

#pragma once

#include <errno.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "buzon-store-all.h"

static inline void
store_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          store_test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static inline char *
store_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("buzon-store-XXXXXX", &error);

  g_assert_no_error (error);

  return dir;
}

/* Waits (iterating the main context) until the object behind @ref is
 * finalized: its worker threads may hold the last reference for a moment,
 * but a reference left anywhere for good fails the test. */
static inline void
store_test_wait_finalized (GWeakRef *ref)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      GObject *alive = g_weak_ref_get (ref);

      if (alive == NULL)
        break;

      g_object_unref (alive);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
}

/* Drops @store and waits until it is finalized. */
static inline void
store_test_drop (BuzonStore *store)
{
  GWeakRef ref;

  g_weak_ref_init (&ref, store);
  g_object_unref (store);
  store_test_wait_finalized (&ref);
  g_weak_ref_clear (&ref);
}

/* An empty batch for buzon_store_upsert_messages(), owning its summaries. */
static inline GPtrArray *
store_test_batch_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
}

static inline BuzonAccount *
store_test_account (const char *name)
{
  BuzonAccount *account = buzon_account_new (name);
  g_autofree char *address = g_strdup_printf ("%s@example.com", name);

  buzon_account_set_address (account, address);
  buzon_account_set_host (account, "imap.example.com");

  return account;
}

static inline BuzonMessageSummary *
store_test_summary (gint64      folder_id,
                    guint32     uid,
                    const char *subject,
                    const char *from,
                    gint64      date)
{
  BuzonMessageSummary *summary = buzon_message_summary_new ();

  summary->folder_id = folder_id;
  summary->uid = uid;
  summary->subject = g_strdup (subject);
  summary->from = g_strdup (from);
  summary->to = g_strdup ("Ana Pérez <ana@example.es>");
  summary->date = date;
  summary->internal_date = date + 5;
  summary->size = 1234;
  summary->message_id = g_strdup_printf ("<%u.%" G_GINT64_FORMAT "@example.com>", uid, date);

  return summary;
}

/* What store-writer stores as the body of the message with @uid, so the
 * crash test can check every stored byte. 1 to 8 KiB. */
static inline GBytes *
store_test_crash_body (guint32 uid)
{
  gsize size = 1024 + (uid % 8) * 1024;
  GString *body = g_string_sized_new (size + 64);

  g_string_append_printf (body, "Subject: message %u\r\n\r\n", uid);
  while (body->len < size)
    g_string_append_printf (body, "%08x ", uid * 2654435761u + (guint)body->len);
  g_string_truncate (body, size);

  return g_string_free_to_bytes (body);
}
