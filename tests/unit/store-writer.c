/* store-writer.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Helper for test-store-crash: writes big batches to a store until it is
 * killed. Usage: store-writer PATH RUN N_BATCHES BATCH_SIZE
 *
 * Each batch is one buzon_store_upsert_messages() transaction; then every
 * message of the batch gets its body with buzon_store_set_body(), one
 * transaction each. UIDs are RUN * 1000000 + batch * BATCH_SIZE + i + 1 and
 * the bodies come from store_test_crash_body(), so the test can tell what
 * a batch and a body should be. Prints "started" once the store is open and
 * "done" if nobody killed it. A separate program because fork() in a
 * threaded GLib test is unsafe. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "store-test-util.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  guint run, n_batches, batch_size;

  if (argc != 5)
    {
      g_printerr ("Usage: %s PATH RUN N_BATCHES BATCH_SIZE\n", argv[0]);
      return 2;
    }

  run = (guint)atoi (argv[2]);
  n_batches = (guint)atoi (argv[3]);
  batch_size = (guint)atoi (argv[4]);

  store = buzon_store_open (argv[1], &error);
  if (store == NULL ||
      (account = buzon_store_lookup_account (store, "crash", &error)) == NULL ||
      (inbox = buzon_store_lookup_folder (store, buzon_account_get_id (account), "INBOX",
                                          &error)) == NULL)
    {
      g_printerr ("store-writer: %s\n", error->message);
      return 1;
    }

  printf ("started\n");
  fflush (stdout);

  for (guint b = 0; b < n_batches; b++)
    {
      g_autoptr(GPtrArray) batch = store_test_batch_new ();

      for (guint i = 0; i < batch_size; i++)
        {
          guint32 uid = run * 1000000 + b * batch_size + i + 1;
          g_autofree char *subject = g_strdup_printf ("Run %u batch %u canción %u", run, b, i);

          g_ptr_array_add (batch, store_test_summary (inbox->id, uid, subject,
                                                      "Writer <writer@example.com>", uid));
        }

      if (!buzon_store_upsert_messages (store, batch, &error))
        {
          g_printerr ("store-writer: %s\n", error->message);
          return 1;
        }

      for (guint i = 0; i < batch->len; i++)
        {
          BuzonMessageSummary *summary = g_ptr_array_index (batch, i);
          g_autoptr(GBytes) body = store_test_crash_body (summary->uid);

          if (!buzon_store_set_body (store, summary->id, body, summary->subject, &error))
            {
              g_printerr ("store-writer: %s\n", error->message);
              return 1;
            }
        }

      /* Tells the test this batch's bodies are committed. */
      printf ("bodies %u\n", b);
      fflush (stdout);
    }

  printf ("done\n");
  fflush (stdout);

  return 0;
}
