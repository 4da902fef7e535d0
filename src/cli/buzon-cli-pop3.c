/* buzon-cli-pop3.c — `buzon-cli sync` for POP3 accounts
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "buzon-cli-private.h"
#include "buzon-net.h"
#include "buzon-pop3-sync.h"

/* How often `sync --watch` checks a POP3 account without --interval. */
#define DEFAULT_INTERVAL (10 * 60)

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GAsyncResult *result;
  gboolean      tty;
  gboolean      progress_shown;
  gboolean      watch;
} Pop3Run;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pop3Run *run = user_data;

  (void)object;
  g_set_object (&run->result, result);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  Pop3Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  g_main_loop_quit (run->loop);

  return G_SOURCE_CONTINUE;
}

static void
end_progress (Pop3Run *run)
{
  if (run->progress_shown && run->tty)
    g_printerr ("\n");
  run->progress_shown = FALSE;
}

static void
progress_cb (BuzonPop3Sync *sync,
             guint          done,
             guint          total,
             gpointer       user_data)
{
  Pop3Run *run = user_data;
  const char *name = buzon_account_get_name (buzon_pop3_sync_get_account (sync));

  if (run->tty)
    {
      g_printerr ("\r\033[K%s: %s %u/%u", name, _("downloading"), done, total);
      run->progress_shown = TRUE;
    }
  else if (done == total)
    g_printerr ("%s: %s %u/%u\n", name, _("downloaded"), done, total);
}

static void
notice_cb (BuzonPop3Sync *sync,
           const char    *text,
           gpointer       user_data)
{
  Pop3Run *run = user_data;

  end_progress (run);
  _buzon_cli_error ("%s: %s", buzon_account_get_name (buzon_pop3_sync_get_account (sync)), text);
}

static void
new_message_cb (BuzonPop3Sync       *sync,
                BuzonMessageSummary *summary,
                gpointer             user_data)
{
  Pop3Run *run = user_data;

  if (!run->watch)
    return;
  end_progress (run);
  /* As `sync --watch` prints IMAP messages; the id is the store's. */
  g_print ("%s\tINBOX\t%" G_GINT64_FORMAT "\t%s\t%s\n",
           buzon_account_get_name (buzon_pop3_sync_get_account (sync)), summary->id,
           summary->from != NULL ? summary->from : "",
           summary->subject != NULL ? summary->subject : "");
  fflush (stdout);
}

static gboolean
check_once (BuzonPop3Sync *sync,
            Pop3Run       *run)
{
  BuzonAccount *account = buzon_pop3_sync_get_account (sync);
  g_autoptr(GError) error = NULL;
  BuzonPop3CheckResult result = { 0, };
  gboolean ok;

  g_clear_object (&run->result);
  buzon_pop3_sync_check_async (sync, run->cancellable, done_cb, run);
  while (run->result == NULL)
    g_main_loop_run (run->loop);
  ok = buzon_pop3_sync_check_finish (sync, run->result, &result, &error);
  end_progress (run);

  if (!ok)
    {
      if (g_cancellable_is_cancelled (run->cancellable))
        _buzon_cli_error (_("Interrupted. What was downloaded is kept, and nothing that was not "
                            "stored here was deleted from the server."));
      else
        {
          _buzon_cli_error ("%s: %s", buzon_account_get_name (account), error->message);
          if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
            _buzon_cli_error (_("To trust that certificate, run “buzon-cli account trust %s”."),
                              buzon_account_get_name (account));
        }
    }

  if (ok || result.downloaded > 0 || result.deleted > 0)
    {
      /* TRANSLATORS: "ana: 12 new messages, 3 deleted from the server, 40 left there" */
      g_autofree char *downloaded =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages",
                                      result.downloaded),
                         result.downloaded);
      g_autofree char *deleted =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u deleted from the server",
                                      "%u deleted from the server", result.deleted),
                         result.deleted);
      guint left = result.on_server >= result.deleted ? result.on_server - result.deleted : 0;
      g_autofree char *kept =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u left there", "%u left there", left),
                         left);

      g_printerr ("%s: %s, %s, %s\n", buzon_account_get_name (account), downloaded, deleted,
                  kept);
    }

  return ok;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Pop3Run *run = user_data;

  g_main_loop_quit (run->loop);

  return G_SOURCE_REMOVE;
}

/**
 * _buzon_cli_sync_pop3:
 * @store: the store
 * @accounts: (element-type BuzonAccount): POP3 accounts
 * @watch: then check again every @interval seconds until interrupted
 * @interval: seconds between checks, 0 for the default (10 minutes)
 *
 * One check of each account (download, then delete per the account's
 * mode), or with @watch one every @interval seconds.
 *
 * Returns: an exit status
 */
int
_buzon_cli_sync_pop3 (BuzonStore *store,
                      GPtrArray  *accounts,
                      gboolean    watch,
                      guint       interval)
{
  g_autoptr(GPtrArray) engines = g_ptr_array_new_with_free_func (g_object_unref);
  Pop3Run run = { NULL, };
  int status = BUZON_CLI_EXIT_OK;
  guint sigint, sigterm;

  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.tty = isatty (STDERR_FILENO);
  run.watch = watch;
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  for (guint i = 0; i < accounts->len; i++)
    {
      BuzonPop3Sync *sync = buzon_pop3_sync_new (store, g_ptr_array_index (accounts, i));

      g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), &run);
      g_signal_connect (sync, "notice", G_CALLBACK (notice_cb), &run);
      g_signal_connect (sync, "new-message", G_CALLBACK (new_message_cb), &run);
      g_ptr_array_add (engines, sync);
    }

  for (;;)
    {
      for (guint i = 0; i < engines->len && !g_cancellable_is_cancelled (run.cancellable); i++)
        if (!check_once (g_ptr_array_index (engines, i), &run))
          status = BUZON_CLI_EXIT_FAILED;

      if (!watch || g_cancellable_is_cancelled (run.cancellable))
        break;

      {
        guint source = g_timeout_add_seconds (interval > 0 ? interval : DEFAULT_INTERVAL,
                                              timeout_cb, &run);

        g_main_loop_run (run.loop);
        /* Stopped between checks: nothing was interrupted. */
        if (g_cancellable_is_cancelled (run.cancellable))
          {
            g_source_remove (source);
            break;
          }
      }
    }

  /* Let the signals still queued for this context go before the engines. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  for (guint i = 0; i < engines->len; i++)
    g_signal_handlers_disconnect_by_data (engines->pdata[i], &run);
  _buzon_cli_let_pool_threads_exit ();

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&run.result);
  g_clear_object (&run.cancellable);
  g_main_loop_unref (run.loop);

  return status;
}
