/* buzon-test-async.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-test-async"

#include "config.h"

#include "buzon-test-async.h"

/* How long buzon_test_finalize_object() waits for the other threads. */
#define FINALIZE_TIMEOUT_SECONDS 20

/* How long buzon_test_let_pool_threads_exit() waits for idle workers. */
#define POOL_EXIT_TIMEOUT_SECONDS 5

/**
 * buzon_test_result_cb:
 * @object: (nullable): the source object
 * @result: the result
 * @user_data: a `GAsyncResult **` slot, %NULL until now
 *
 * A #GAsyncReadyCallback that stores a reference to @result in the slot
 * @user_data points to, for buzon_test_wait_for(). The slot owns it: declare it
 * `g_autoptr(GAsyncResult) result = NULL`.
 */
void
buzon_test_result_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  (void)object;
  *slot = g_object_ref (result);
}

/**
 * buzon_test_wait_for:
 * @slot: the slot given to buzon_test_result_cb()
 *
 * Iterates the thread-default main context until buzon_test_result_cb() has
 * filled @slot.
 *
 * Returns: (transfer none): the result, still owned by @slot
 */
GAsyncResult *
buzon_test_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static gboolean
wake_cb (gpointer data)
{
  (void)data;
  return G_SOURCE_CONTINUE;
}

/**
 * buzon_test_spin_until:
 * @done: says whether what is waited for has happened
 * @data: for @done
 * @timeout_ms: how long to wait at most, in milliseconds
 *
 * Iterates the thread-default main context until @done returns %TRUE or
 * @timeout_ms passed. A 20 ms timeout source wakes the loop so that @done is
 * also asked about what happens in other threads or processes.
 *
 * Returns: %TRUE if @done said so, %FALSE if the time ran out
 */
gboolean
buzon_test_spin_until (BuzonTestCondition done,
                       gpointer           data,
                       guint              timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  /* Low priority: when @done is slow (it may run a subprocess), the timer
   * is due at every iteration, and at the default priority it would starve
   * the idle sources of the code under test. */
  guint wake = g_timeout_add_full (G_PRIORITY_LOW, 20, wake_cb, NULL, NULL);
  gboolean ok;

  while (!(ok = done (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  return ok;
}

/**
 * buzon_test_finalize_object:
 * @object: (transfer full) (type GObject): the object
 *
 * Drops the caller's reference to @object, the last one the test holds, and
 * waits (iterating the main context) until the object is finalized: threads
 * (a store's workers, an engine's emissions) may still hold one for a moment.
 * Fails the test if it is still alive after 20 seconds, which is a leak.
 */
void
buzon_test_finalize_object (gpointer object)
{
  GWeakRef ref;
  gint64 deadline = g_get_monotonic_time () + FINALIZE_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  g_assert_true (G_IS_OBJECT (object));

  g_weak_ref_init (&ref, object);
  g_object_unref (object);
  for (GObject *alive; (alive = g_weak_ref_get (&ref)) != NULL; )
    {
      g_object_unref (alive);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  g_weak_ref_clear (&ref);
}

/**
 * buzon_test_count_pool_threads:
 *
 * Counts the GLib thread-pool workers of this process alive now (Linux:
 * /proc/self/task; elsewhere 0).
 *
 * Returns: how many there are, not counting the pool's spawner thread
 */
guint
buzon_test_count_pool_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL)
          && g_str_has_prefix (comm, "pool-") && !g_str_has_prefix (comm, "pool-spawner"))
        count++;
    }

  return count;
}

/**
 * buzon_test_let_pool_threads_exit:
 *
 * Lets the idle thread-pool workers go, waiting up to 5 seconds for them to
 * exit. Call it at the end of main(), after g_test_run(), in tests that run
 * TLS handshakes.
 *
 * Why: LeakSanitizer of GCC 12 (Debian 12) crashes ("Tracer caught signal
 * 11") while scanning the dynamic TLS of a thread that ran GnuTLS, which is a
 * thread-pool worker: glib-networking runs every asynchronous handshake in
 * one, and the GIO TLS module is dlopen()ed, so its thread-locals are dynamic
 * TLS. That is a sanitizer bug, not a leak, and a suppression cannot stop the
 * crash; so the idle workers are let go before the leak check runs at exit.
 */
void
buzon_test_let_pool_threads_exit (void)
{
  gint64 deadline = g_get_monotonic_time () + POOL_EXIT_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  g_thread_pool_set_max_unused_threads (0);
  while (buzon_test_count_pool_threads () > 0 && g_get_monotonic_time () < deadline)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (G_USEC_PER_SEC / 20);
    }
}
