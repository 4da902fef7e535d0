/* buzon-cli-mail.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon-cli's mail commands: sync, folders, list, show, search, flag, move,
 * copy, delete, mkdir, rmdir, rename, append. They act exactly as the window
 * does: through the store and the operation queue (buzon-mail-ops.h), then
 * replay the queue at once when the server can be reached; when it cannot,
 * the change stays here and queued, and the next sync sends it.
 *
 * POP3 accounts: their folders and messages are on this computer only, so
 * every command but sync works on the store alone and never connects. Their
 * messages have no UIDs; the commands address them by their store id
 * instead, which `list` prints in the UID column (see MESSAGE_NUMBER_HELP). */

#define G_LOG_DOMAIN "buzon-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buzon-cli-private.h"
#include "buzon-imap-sync.h"
#include "buzon-mail-ops.h"
#include "buzon-mime-text.h"
#include "buzon-net.h"

/* Running engine jobs from a command */

typedef struct
{
  GMainLoop    *loop;
  GQueue        results;   /* GAsyncResult *, finished and not yet waited for */
  GAsyncResult *result;    /* the one run_wait() returned last */
  GCancellable *cancellable;
  guint         notices;
  gboolean      progress_shown;
  gboolean      tty;
} Run;

static void
run_init (Run *run)
{
  memset (run, 0, sizeof *run);
  g_queue_init (&run->results);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->cancellable = g_cancellable_new ();
  run->tty = isatty (STDERR_FILENO);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_queue_clear_full (&run->results, g_object_unref);
  g_clear_object (&run->result);
  g_clear_object (&run->cancellable);
}

/* Several jobs may finish in one main-loop turn (every watch, when
 * interrupted): their results queue up for run_wait(). */
static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  g_queue_push_tail (&run->results, g_object_ref (result));
  g_main_loop_quit (run->loop);
}

static GAsyncResult *
run_wait (Run *run)
{
  g_clear_object (&run->result);
  while (g_queue_is_empty (&run->results))
    g_main_loop_run (run->loop);
  run->result = g_queue_pop_head (&run->results);

  return run->result;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);

  return G_SOURCE_CONTINUE;
}

static void
end_progress (Run *run)
{
  if (run->progress_shown && run->tty)
    g_printerr ("\n");
  run->progress_shown = FALSE;
}

static void
progress_cb (BuzonImapSync *sync,
             const char    *folder,
             guint          done,
             guint          total,
             gpointer       user_data)
{
  Run *run = user_data;

  /* One line that updates on a terminal; the last count per step otherwise. */
  if (run->tty)
    {
      g_printerr ("\r\033[K%s: %s %u/%u", buzon_account_get_name (buzon_imap_sync_get_account (sync)),
                  folder, done, total);
      run->progress_shown = TRUE;
    }
  else if (done == total)
    g_printerr ("%s: %s %u/%u\n", buzon_account_get_name (buzon_imap_sync_get_account (sync)),
                folder, done, total);
}

static void
notice_cb (BuzonImapSync *sync,
           const char    *message,
           gpointer       user_data)
{
  Run *run = user_data;

  end_progress (run);
  _buzon_cli_error ("%s: %s", buzon_account_get_name (buzon_imap_sync_get_account (sync)),
                    message);
  run->notices++;
}

static BuzonImapSync *
new_engine (BuzonStore   *store,
            BuzonAccount *account,
            Run          *run)
{
  BuzonImapSync *sync = buzon_imap_sync_new (store, account);

  g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), run);
  g_signal_connect (sync, "notice", G_CALLBACK (notice_cb), run);

  return sync;
}

static void
close_engine (BuzonImapSync *sync,
              Run           *run)
{
  buzon_imap_sync_close_async (sync, NULL, run_done_cb, run);
  buzon_imap_sync_close_finish (sync, run_wait (run), NULL);
  _buzon_cli_let_pool_threads_exit ();
}

/* What to do next, where the command line has it. */
static void
print_hint (BuzonAccount *account,
            const GError *error)
{
  if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
    _buzon_cli_error (_("To trust that certificate, run “buzon-cli account trust %s”."),
                      buzon_account_get_name (account));
}

/* An engine error, and what to do about it. */
static void
print_engine_error (BuzonAccount *account,
                    const GError *error)
{
  _buzon_cli_error ("%s: %s", buzon_account_get_name (account), error->message);
  print_hint (account, error);
}

/* Shows, then forgets, the refusals a background sync recorded. */
static void
print_stored_failures (BuzonStore   *store,
                       BuzonAccount *account,
                       Run          *run)
{
  g_autoptr(GPtrArray) failures =
    buzon_store_list_op_failures (store, buzon_account_get_id (account), 0, NULL);
  gint64 last = 0;

  for (guint i = 0; failures != NULL && i < failures->len; i++)
    {
      BuzonOpFailure *failure = g_ptr_array_index (failures, i);

      _buzon_cli_error ("%s: %s", buzon_account_get_name (account), failure->message);
      last = failure->id;
      run->notices++;
    }

  if (last > 0)
    buzon_store_clear_op_failures (store, buzon_account_get_id (account), last, NULL);
}

/* For the --help of the commands that take UIDs. */
#define MESSAGE_NUMBER_HELP \
  N_("On a POP3 account, whose messages have no UIDs, give a message by the number “buzon-cli " \
     "list” shows in their place: its number here, which stays when it is moved or flagged. " \
     "POP3 accounts are changed on this computer only, never on the server.")

/* Whether @account's messages and folders exist only here (POP3). */
static gboolean
is_local (BuzonAccount *account)
{
  return buzon_account_get_protocol (account) != BUZON_PROTOCOL_IMAP;
}

/* Said once by the commands that change a POP3 account's folders, where
 * one could think the server sees it. */
static void
print_local_note (BuzonAccount *account)
{
  if (is_local (account))
    g_print ("%s\n", _("POP3 folders exist only on this computer; the server is not changed."));
}

/* Common start: options, arity, store, account. */
typedef struct
{
  BuzonStore   *store;
  BuzonAccount *account;
  GStrv         args;
} Start;

static void
start_clear (Start *start)
{
  g_clear_object (&start->store);
  g_clear_object (&start->account);
  g_clear_pointer (&start->args, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Start, start_clear)

static int
start_any_command (GOptionContext *context,
                   int             argc,
                   char          **argv,
                   guint           min_args,
                   guint           max_args,
                   const char     *arity_error,
                   Start          *start)
{
  g_autoptr(GError) error = NULL;
  guint n;

  if (!_buzon_cli_parse (context, argc, argv, 1, &start->args))
    return BUZON_CLI_EXIT_USAGE;

  n = g_strv_length (start->args) - 1;
  if (n < min_args || n > max_args)
    return _buzon_cli_usage_error ("%s", arity_error);

  start->store = buzon_store_open (NULL, &error);
  if (start->store == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (n >= 1)
    {
      start->account = _buzon_cli_lookup_account (start->store, start->args[1]);
      if (start->account == NULL)
        return BUZON_CLI_EXIT_FAILED;
      /* Also for a POP3 account added before accounts got their folders
       * from the start. */
      if (!buzon_mail_ops_ensure_local_folders (start->store, start->account, &error))
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }

  return BUZON_CLI_EXIT_OK;
}

/* The start of a mail command, for IMAP and POP3 accounts. */
static int
start_mail_command (GOptionContext *context,
                    int             argc,
                    char          **argv,
                    guint           min_args,
                    guint           max_args,
                    const char     *arity_error,
                    Start          *start)
{
  return start_any_command (context, argc, argv, min_args, max_args, arity_error, start);
}

static BuzonFolder *
lookup_folder (BuzonStore   *store,
               BuzonAccount *account,
               const char   *name)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *folder = buzon_store_lookup_folder (store, buzon_account_get_id (account), name,
                                                   &error);

  if (folder == NULL)
    {
      if (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND) &&
          is_local (account))
        _buzon_cli_error (_("There is no folder “%s” in the account “%s” (“buzon-cli folders "
                            "%s” lists them)."),
                          name, buzon_account_get_name (account), buzon_account_get_name (account));
      else if (g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        _buzon_cli_error (_("There is no folder “%s” in the account “%s” (run “buzon-cli sync "
                            "%s” to fetch the folder list)."),
                          name, buzon_account_get_name (account), buzon_account_get_name (account));
      else
        _buzon_cli_error ("%s", error->message);
    }

  return folder;
}

/* Parses message numbers (POP3: store ids, see MESSAGE_NUMBER_HELP) into
 * the store ids of the folder's messages. */
static GArray *
resolve_numbers (BuzonStore   *store,
                 BuzonFolder  *folder,
                 char        **args,
                 guint         n_args)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n_args; i++)
    {
      g_autoptr(BuzonMessageSummary) summary = NULL;
      guint64 id = 0;

      if (!g_ascii_string_to_unsigned (args[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          _buzon_cli_usage_error (_("“%s” is not a message number"), args[i]);
          return NULL;
        }

      summary = buzon_store_get_message (store, (gint64)id, NULL);
      if (summary == NULL || summary->folder_id != folder->id)
        {
          _buzon_cli_error (_("There is no message number %s in “%s”."), args[i], folder->name);
          return NULL;
        }
      g_array_append_val (ids, summary->id);
    }

  return g_steal_pointer (&ids);
}

/* Parses UID arguments into the store ids of the folder's messages; on a
 * POP3 account, message numbers. */
static GArray *
resolve_uids (BuzonStore   *store,
              BuzonAccount *account,
              BuzonFolder  *folder,
              char        **args,
              guint         n_args)
{
  g_autoptr(GArray) ids = NULL;

  if (is_local (account))
    return resolve_numbers (store, folder, args, n_args);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n_args; i++)
    {
      g_autoptr(BuzonMessageSummary) summary = NULL;
      guint64 uid = 0;

      if (!g_ascii_string_to_unsigned (args[i], 10, 1, G_MAXUINT32, &uid, NULL))
        {
          _buzon_cli_usage_error (_("“%s” is not a UID"), args[i]);
          return NULL;
        }

      summary = buzon_store_lookup_message_by_uid (store, folder->id, (guint32)uid, NULL);
      if (summary == NULL)
        {
          _buzon_cli_error (_("There is no message with UID %s in “%s”."), args[i], folder->name);
          return NULL;
        }
      g_array_append_val (ids, summary->id);
    }

  return g_steal_pointer (&ids);
}

/* After a local change: send the queue now if the server is there. */
int
_buzon_cli_replay_now (BuzonStore   *store,
                       BuzonAccount *account)
{
  g_autoptr(BuzonImapSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  Run run;
  gboolean ok;

  run_init (&run);
  sync = new_engine (store, account, &run);
  buzon_imap_sync_run_async (sync, BUZON_IMAP_SYNC_QUEUE_ONLY, NULL, run.cancellable,
                             run_done_cb, &run);
  ok = buzon_imap_sync_run_finish (sync, run_wait (&run), &error);
  close_engine (sync, &run);
  g_signal_handlers_disconnect_by_data (sync, &run);
  /* Refusals were shown through the signal; do not show them twice. */
  buzon_store_clear_op_failures (store, buzon_account_get_id (account), G_MAXINT64, NULL);

  {
    guint notices = run.notices;

    run_clear (&run);

    if (!ok)
      {
        g_printerr (_("Saved here. The server will get the change with the next sync: %s\n"),
                    error->message);
        print_hint (account, error);
        return BUZON_CLI_EXIT_OK;
      }

    return notices > 0 ? BUZON_CLI_EXIT_FAILED : BUZON_CLI_EXIT_OK;
  }
}

/* A user action's end: its error, or the replay of the queue it fed (a
 * POP3 account's is done once it is stored here: nothing to send).
 * @error is read only here, after the action (an argument) has run. */
static int
finish_action (gboolean   ok,
               GError   **error,
               Start     *start)
{
  if (!ok)
    {
      _buzon_cli_error ("%s", (*error)->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (is_local (start->account))
    return BUZON_CLI_EXIT_OK;

  return _buzon_cli_replay_now (start->store, start->account);
}

/* sync */

static void
new_message_cb (BuzonImapSync       *sync,
                const char          *folder,
                BuzonMessageSummary *summary,
                gpointer             user_data)
{
  Run *run = user_data;

  end_progress (run);
  g_print ("%s\t%s\t%u\t%s\t%s\n", buzon_account_get_name (buzon_imap_sync_get_account (sync)),
           folder, summary->uid, summary->from != NULL ? summary->from : "",
           summary->subject != NULL ? summary->subject : "");
  fflush (stdout);
}

static int
sync_accounts (BuzonStore  *store,
               GPtrArray   *accounts,
               gboolean     watch,
               guint        interval,
               GStrv        folders)
{
  g_autoptr(GPtrArray) engines = g_ptr_array_new_with_free_func (g_object_unref);
  Run run;
  int status = BUZON_CLI_EXIT_OK;
  guint sigint, sigterm;

  run_init (&run);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  for (guint i = 0; i < accounts->len; i++)
    {
      BuzonAccount *account = g_ptr_array_index (accounts, i);
      BuzonImapSync *sync = new_engine (store, account, &run);
      g_autoptr(GError) error = NULL;

      if (interval > 0)
        g_object_set (sync, "poll-interval", interval, NULL);
      g_ptr_array_add (engines, sync);

      print_stored_failures (store, account, &run);
      /* Every folder, or each of the folders asked for. */
      for (guint f = 0; f == 0 || (folders != NULL && folders[f] != NULL); f++)
        {
          buzon_imap_sync_run_async (sync, BUZON_IMAP_SYNC_DEFAULT,
                                     folders != NULL ? folders[f] : NULL, run.cancellable,
                                     run_done_cb, &run);
          if (!buzon_imap_sync_run_finish (sync, run_wait (&run), &error))
            break;
        }
      if (error != NULL)
        {
          end_progress (&run);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_cancellable_is_cancelled (run.cancellable))
            {
              _buzon_cli_error (_("Interrupted. What was fetched is kept; the next sync goes "
                                  "on from there."));
              status = BUZON_CLI_EXIT_FAILED;
              break;
            }
          print_engine_error (account, error);
          status = BUZON_CLI_EXIT_FAILED;
          continue;
        }
      end_progress (&run);
      buzon_store_clear_op_failures (store, buzon_account_get_id (account), G_MAXINT64, NULL);
    }

  if (watch && !g_cancellable_is_cancelled (run.cancellable))
    {
      guint running = 0;
      for (guint i = 0; i < engines->len; i++)
        {
          BuzonImapSync *sync = g_ptr_array_index (engines, i);

          g_signal_connect (sync, "new-message", G_CALLBACK (new_message_cb), &run);
          buzon_imap_sync_watch_async (sync, (const char * const *)folders, run.cancellable,
                                       run_done_cb, &run);
          running++;
        }

      /* Until interrupted, or every watch ended with an error. */
      while (running > 0)
        {
          g_autoptr(GError) error = NULL;
          GAsyncResult *result = run_wait (&run);
          BuzonImapSync *sync = BUZON_IMAP_SYNC (g_async_result_get_source_object (result));

          running--;
          if (!buzon_imap_sync_watch_finish (sync, result, &error) &&
              !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              _buzon_cli_error ("%s: %s",
                                buzon_account_get_name (buzon_imap_sync_get_account (sync)),
                                error->message);
              status = BUZON_CLI_EXIT_FAILED;
            }
          g_object_unref (sync);
        }
    }

  for (guint i = 0; i < engines->len; i++)
    {
      BuzonImapSync *sync = g_ptr_array_index (engines, i);

      close_engine (sync, &run);
      g_signal_handlers_disconnect_by_data (sync, &run);
    }

  g_source_remove (sigint);
  g_source_remove (sigterm);
  run_clear (&run);

  return status;
}

int
_buzon_cli_sync (int    argc,
                 char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[ACCOUNT]"));
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) pop3_accounts = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_auto(GStrv) folders = NULL;
  gboolean watch = FALSE;
  int interval = 0;
  int status;
  GOptionEntry entries[] = {
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch,
      N_("Then stay connected and print each new message as it arrives (IDLE)"), NULL },
    { "folder", 0, 0, G_OPTION_ARG_STRING_ARRAY, &folders,
      N_("Only this folder, and watch it instead of the Inbox (repeat for more)"),
      N_("FOLDER") },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval,
      N_("With --watch, seconds between checks: for IMAP where IDLE is not available "
         "(default 120), for POP3 always (default 600)"),
      N_("SECONDS") },
    { NULL },
  };

  g_option_context_set_summary (context, _("Bring the local copy of accounts up to date. IMAP: "
                                           "send queued changes, then fetch folders and "
                                           "messages. POP3: download new mail to the Inbox "
                                           "here, then delete from the server what the "
                                           "account’s POP3 mode says. Then send the messages "
                                           "of the outbox that are due."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 0, 1, _("sync takes at most one ACCOUNT"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  accounts = g_ptr_array_new_with_free_func (g_object_unref);
  pop3_accounts = g_ptr_array_new_with_free_func (g_object_unref);
  if (start.account != NULL)
    all = g_ptr_array_new_full (1, g_object_unref);
  else
    {
      g_autoptr(GError) error = NULL;

      all = buzon_store_list_accounts (start.store, &error);
      if (all == NULL)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }
  if (start.account != NULL)
    g_ptr_array_add (all, g_object_ref (start.account));
  for (guint i = 0; i < all->len; i++)
    {
      BuzonAccount *account = g_ptr_array_index (all, i);

      if (buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP)
        g_ptr_array_add (accounts, g_object_ref (account));
      else
        g_ptr_array_add (pop3_accounts, g_object_ref (account));
    }

  if (accounts->len == 0 && pop3_accounts->len == 0)
    {
      _buzon_cli_error (_("There is no account to sync (add one with “buzon-cli account "
                          "add”)."));
      return BUZON_CLI_EXIT_FAILED;
    }
  if (folders != NULL && pop3_accounts->len > 0 && start.account != NULL)
    return _buzon_cli_usage_error (_("--folder is for IMAP accounts: POP3 has only the Inbox "
                                     "on the server"));
  if (watch && accounts->len > 0 && pop3_accounts->len > 0)
    return _buzon_cli_usage_error (_("--watch follows IMAP and POP3 accounts differently: give "
                                     "one ACCOUNT"));
  /* IMAP polls within the 29 minutes of an IDLE; a POP3 check may wait a day. */
  if (interval < 0 || interval > (accounts->len > 0 ? 29 * 60 : 24 * 60 * 60))
    return _buzon_cli_usage_error (accounts->len > 0
                                   ? _("--interval must be between 1 and 1740 seconds")
                                   : _("--interval must be between 1 and 86400 seconds"));

  if (pop3_accounts->len > 0)
    status = _buzon_cli_sync_pop3 (start.store, pop3_accounts, watch, (guint)interval);
  if (accounts->len > 0)
    {
      int imap_status = sync_accounts (start.store, accounts, watch, (guint)interval,
                                       start.account != NULL || pop3_accounts->len == 0
                                       ? folders : NULL);

      if (imap_status != BUZON_CLI_EXIT_OK)
        status = imap_status;
    }

  /* Then what waits in the outbox, now that Sent is known. */
  if (!watch)
    for (guint i = 0; i < all->len; i++)
      {
        BuzonAccount *account = g_ptr_array_index (all, i);
        g_autoptr(GPtrArray) items =
          buzon_store_outbox_list (start.store, buzon_account_get_id (account), NULL);

        if (items != NULL && items->len > 0 &&
            _buzon_cli_send_outbox (start.store, account, FALSE) == BUZON_CLI_EXIT_FAILED)
          status = BUZON_CLI_EXIT_FAILED;
      }

  return status;
}

/* folders */

int
_buzon_cli_folders (int    argc,
                    char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT"));
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("List an account's folders with their message counts."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 1, 1, _("folders takes an ACCOUNT"), &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  folders = buzon_store_list_folders (start.store, buzon_account_get_id (start.account), &error);
  if (folders == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < folders->len; i++)
        {
          BuzonFolder *folder = g_ptr_array_index (folders, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, folder->name);
          json_builder_set_member_name (builder, "delimiter");
          json_builder_add_string_value (builder, folder->delimiter);
          json_builder_set_member_name (builder, "special_use");
          json_builder_add_string_value (builder, buzon_special_use_to_string (folder->special_use));
          json_builder_set_member_name (builder, "attributes");
          json_builder_add_string_value (builder, folder->attributes);
          json_builder_set_member_name (builder, "total");
          json_builder_add_int_value (builder, folder->total_count);
          json_builder_set_member_name (builder, "unread");
          json_builder_add_int_value (builder, folder->unread_count);
          json_builder_set_member_name (builder, "uidvalidity");
          json_builder_add_int_value (builder, folder->uidvalidity);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      _buzon_cli_print_json (root);
      return BUZON_CLI_EXIT_OK;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);
      const char *use = buzon_special_use_to_string (folder->special_use);

      g_print ("%s\t%u\t%u\t%s\n", folder->name, folder->total_count, folder->unread_count,
               use != NULL ? use : "");
    }

  return BUZON_CLI_EXIT_OK;
}

/* list, search */

static const struct
{
  BuzonMessageFlags  flag;
  const char        *name;
} flag_names[] = {
  { BUZON_MESSAGE_FLAG_SEEN, "seen" },
  { BUZON_MESSAGE_FLAG_ANSWERED, "answered" },
  { BUZON_MESSAGE_FLAG_FLAGGED, "flagged" },
  { BUZON_MESSAGE_FLAG_DELETED, "deleted" },
  { BUZON_MESSAGE_FLAG_DRAFT, "draft" },
};

static char *
format_date (gint64 seconds)
{
  g_autoptr(GDateTime) date = NULL;

  if (seconds == 0)
    return g_strdup ("");

  date = g_date_time_new_from_unix_local (seconds);
  return date != NULL ? g_date_time_format_iso8601 (date) : g_strdup ("");
}

static void
add_summary_json (JsonBuilder               *builder,
                  const BuzonMessageSummary *summary,
                  const char                *folder)
{
  g_autofree char *date = format_date (summary->date);

  json_builder_begin_object (builder);
  if (folder != NULL)
    {
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder);
    }
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, summary->uid);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, summary->id);
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, summary->message_id);
  json_builder_set_member_name (builder, "date");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, summary->from);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, summary->to);
  json_builder_set_member_name (builder, "cc");
  json_builder_add_string_value (builder, summary->cc);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, summary->subject);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64)summary->size);
  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (summary->flags & flag_names[i].flag)
      json_builder_add_string_value (builder, flag_names[i].name);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "keywords");
  json_builder_add_string_value (builder, summary->keywords);
  json_builder_set_member_name (builder, "has_attachments");
  json_builder_add_boolean_value (builder, summary->has_attachments);
  json_builder_set_member_name (builder, "downloaded");
  json_builder_add_boolean_value (builder, summary->body_state == BUZON_BODY_STATE_FULL);
  json_builder_set_member_name (builder, "preview");
  json_builder_add_string_value (builder, summary->preview);
  json_builder_end_object (builder);
}

/* @by_id: the account has no UIDs (POP3): its message numbers instead. */
static void
print_summary_line (const BuzonMessageSummary *summary,
                    const char                *folder,
                    gboolean                   by_id)
{
  g_autofree char *date = format_date (summary->date);
  char flags[G_N_ELEMENTS (flag_names) + 1];
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    flags[n++] = (summary->flags & flag_names[i].flag) ? g_ascii_toupper (flag_names[i].name[0])
                                                       : '-';
  flags[n] = '\0';

  if (folder != NULL)
    g_print ("%s\t", folder);
  if (by_id)
    g_print ("%" G_GINT64_FORMAT, summary->id);
  else
    g_print ("%u", summary->uid);
  g_print ("\t%s\t%s\t%s\t%s\n", flags, date, summary->from != NULL ? summary->from : "",
           summary->subject != NULL ? summary->subject : "");
}

static void
print_summaries (GPtrArray  *summaries,
                 GPtrArray  *folder_names,
                 gboolean    by_id,
                 gboolean    json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < summaries->len; i++)
        add_summary_json (builder, g_ptr_array_index (summaries, i),
                          folder_names != NULL ? g_ptr_array_index (folder_names, i) : NULL);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      _buzon_cli_print_json (root);
      return;
    }

  for (guint i = 0; i < summaries->len; i++)
    print_summary_line (g_ptr_array_index (summaries, i),
                        folder_names != NULL ? g_ptr_array_index (folder_names, i) : NULL, by_id);
}

int
_buzon_cli_list (int    argc,
                 char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  int limit = 0;
  int status;
  GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N messages (newest first)"),
      N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("List a folder's messages, newest first: UID, flags "
                                           "(Seen Answered Flagged Deleted Draft), date, sender, "
                                           "subject."));
  g_option_context_set_description (context, _("On a POP3 account, whose messages have no UIDs, "
                                               "the first column is each message’s number here, "
                                               "which the other commands take in place of a UID "
                                               "(in --json: “id”)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 2, 2, _("list takes an ACCOUNT and a FOLDER"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;
  if (limit < 0)
    return _buzon_cli_usage_error (_("--limit must not be negative"));

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;

  summaries = buzon_store_list_messages (start.store, folder->id, 0, (guint)limit, &error);
  if (summaries == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  print_summaries (summaries, NULL, is_local (start.account), json);
  return BUZON_CLI_EXIT_OK;
}

int
_buzon_cli_search (int    argc,
                   char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT QUERY"));
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GHashTable) folder_names = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder_name = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  gboolean json = FALSE;
  gboolean server = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_NONE, &server,
      N_("Search on the server (finds text in messages not downloaded here)"), NULL },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder_name, N_("Only in this folder"),
      N_("FOLDER") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("Find messages by words in their subject, addresses "
                                           "or text."));
  g_option_context_set_description (context, _("A POP3 account’s mail is all stored here, and "
                                               "its server cannot search: --server is for IMAP "
                                               "accounts. Its messages are shown by their number "
                                               "here, as “buzon-cli list” shows them."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 2, 2, _("search takes an ACCOUNT and a QUERY"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  if (server && is_local (start.account))
    return _buzon_cli_usage_error (_("--server is for IMAP accounts: “%s” uses POP3, and all of "
                                     "its mail is searched here"),
                                   buzon_account_get_name (start.account));

  if (folder_name != NULL && (folder = lookup_folder (start.store, start.account, folder_name)) == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (server)
    {
      g_autoptr(BuzonImapSync) sync = NULL;
      Run run;

      run_init (&run);
      sync = new_engine (start.store, start.account, &run);
      buzon_imap_sync_search_async (sync, folder_name, start.args[2], run.cancellable,
                                    run_done_cb, &run);
      summaries = buzon_imap_sync_search_finish (sync, run_wait (&run), &error);
      close_engine (sync, &run);
      g_signal_handlers_disconnect_by_data (sync, &run);
      run_clear (&run);
      if (summaries == NULL)
        {
          print_engine_error (start.account, error);
          return BUZON_CLI_EXIT_FAILED;
        }
    }
  else
    {
      g_autoptr(GArray) ids = buzon_store_search (start.store, start.args[2],
                                                  folder != NULL ? folder->id : 0, 0, &error);

      if (ids == NULL)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }

      summaries = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
      for (guint i = 0; i < ids->len; i++)
        {
          BuzonMessageSummary *summary =
            buzon_store_get_message (start.store, g_array_index (ids, gint64, i), NULL);

          if (summary != NULL)
            g_ptr_array_add (summaries, summary);
        }
    }

  /* Read after the search: a server search may have added folders. */
  folders = buzon_store_list_folders (start.store, buzon_account_get_id (start.account), &error);
  if (folders == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  folder_names = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *f = g_ptr_array_index (folders, i);

      g_hash_table_insert (folder_names, &f->id, f->name);
    }

  /* The local index spans every account: keep this one's messages. */
  for (guint i = summaries->len; i > 0; i--)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (summaries, i - 1);

      if (!g_hash_table_contains (folder_names, &summary->folder_id))
        g_ptr_array_remove_index (summaries, i - 1);
    }

  for (guint i = 0; i < summaries->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (summaries, i);

      g_ptr_array_add (names, g_strdup (g_hash_table_lookup (folder_names, &summary->folder_id)));
    }

  print_summaries (summaries, names, is_local (start.account), json);
  return BUZON_CLI_EXIT_OK;
}

/* show */

static void
print_header (const char *name,
              const char *value)
{
  if (value != NULL && *value != '\0')
    g_print ("%s: %s\n", name, value);
}

int
_buzon_cli_show (int    argc,
                 char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER UID"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  gboolean show_raw = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_NONE, &show_raw,
      N_("Print the message exactly as stored (RFC 5322), not its text"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("Show a message (downloading it if only its headers "
                                           "are here)."));
  g_option_context_set_description (context, _(MESSAGE_NUMBER_HELP));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 3, 3,
                               _("show takes an ACCOUNT, a FOLDER and a UID"), &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;
  ids = resolve_uids (start.store, start.account, folder, &start.args[3], 1);
  if (ids == NULL)
    return BUZON_CLI_EXIT_FAILED;

  summary = buzon_store_get_message (start.store, g_array_index (ids, gint64, 0), &error);
  /* A POP3 message is stored whole, or not at all: no server to ask. */
  if (summary != NULL)
    raw = buzon_store_get_body (start.store, summary->id,
                                is_local (start.account) ? &error : NULL);
  if (summary != NULL && raw == NULL && !is_local (start.account))
    {
      g_autoptr(BuzonImapSync) sync = NULL;
      Run run;

      run_init (&run);
      sync = new_engine (start.store, start.account, &run);
      buzon_imap_sync_fetch_body_async (sync, summary->id, run.cancellable, run_done_cb, &run);
      raw = buzon_imap_sync_fetch_body_finish (sync, run_wait (&run), &error);
      close_engine (sync, &run);
      g_signal_handlers_disconnect_by_data (sync, &run);
      run_clear (&run);
    }
  if (raw == NULL)
    {
      print_engine_error (start.account, error);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (show_raw)
    {
      gsize length = 0;
      const char *data = g_bytes_get_data (raw, &length);

      fwrite (data, 1, length, stdout);
      return BUZON_CLI_EXIT_OK;
    }

  {
    g_autofree char *date = format_date (summary->date);
    g_autofree char *text = buzon_mime_extract_text (raw);

    print_header (_("From"), summary->from);
    print_header (_("To"), summary->to);
    print_header (_("Cc"), summary->cc);
    print_header (_("Date"), date);
    print_header (_("Subject"), summary->subject);
    g_print ("\n%s\n", text != NULL ? text : _("(This message has no text.)"));
  }

  return BUZON_CLI_EXIT_OK;
}

/* flag, move, copy, delete */

static gboolean
parse_flag_change (const char         *text,
                   BuzonMessageFlags  *out_add,
                   BuzonMessageFlags  *out_remove)
{
  if (text[0] != '+' && text[0] != '-')
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    {
      if (flag_names[i].flag == BUZON_MESSAGE_FLAG_DRAFT)
        continue;
      if (g_ascii_strcasecmp (text + 1, flag_names[i].name) == 0)
        {
          if (text[0] == '+')
            *out_add |= flag_names[i].flag;
          else
            *out_remove |= flag_names[i].flag;
          return TRUE;
        }
    }

  return FALSE;
}

int
_buzon_cli_flag (int    argc,
                 char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("ACCOUNT FOLDER UID… (+|-)(seen|flagged|answered|deleted)…"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) option_args = g_ptr_array_new ();
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();
  BuzonMessageFlags add = 0, remove = 0;
  guint n;
  int status;

  /* GOptionContext would take a change like "-seen" for an unknown option
   * (and it leaves a "--" among the arguments): take the changes out before
   * parsing. No option of this command is spelt like one. */
  for (int i = 0; i < argc; i++)
    {
      BuzonMessageFlags a = 0, r = 0;

      if (i > 0 && parse_flag_change (argv[i], &a, &r))
        g_ptr_array_add (changes, argv[i]);
      else if (i == 0 || !g_str_equal (argv[i], "--"))
        g_ptr_array_add (option_args, argv[i]);
    }

  g_option_context_set_summary (context, _("Mark messages read or unread, flagged, answered or "
                                           "deleted, here and on the server."));
  g_option_context_set_description (context, _(MESSAGE_NUMBER_HELP));
  status = start_mail_command (context, (int)option_args->len, (char **)option_args->pdata, 3,
                               G_MAXUINT,
                               _("flag takes an ACCOUNT, a FOLDER, UIDs and a change like +seen"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  n = g_strv_length (start.args);
  for (guint i = 3; i < n; i++)
    if (start.args[i][0] == '+' || start.args[i][0] == '-')
      return _buzon_cli_usage_error (_("“%s” is not a flag change (+seen, -seen, +flagged, "
                                       "-flagged, +answered, -answered, +deleted, -deleted)"),
                                     start.args[i]);
  if (changes->len == 0)
    return _buzon_cli_usage_error (_("flag takes an ACCOUNT, a FOLDER, UIDs and a change like "
                                     "+seen"));
  for (guint i = 0; i < changes->len; i++)
    parse_flag_change (g_ptr_array_index (changes, i), &add, &remove);
  if ((add & remove) != 0)
    return _buzon_cli_usage_error (_("a flag cannot be both added and removed"));

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;
  ids = resolve_uids (start.store, start.account, folder, &start.args[3], n - 3);
  if (ids == NULL)
    return BUZON_CLI_EXIT_FAILED;

  return finish_action (buzon_mail_ops_set_flags (start.store, start.account,
                                                  (const gint64 *)(gpointer)ids->data, ids->len,
                                                  add, remove, &error),
                        &error, &start);
}

static int
move_or_copy (int       argc,
              char    **argv,
              gboolean  copy)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER UID… DEST"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(BuzonFolder) dest = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  guint n;
  int status;
  gboolean ok;

  g_option_context_set_summary (context, copy ? _("Copy messages to another folder.")
                                              : _("Move messages to another folder."));
  g_option_context_set_description (context, _(MESSAGE_NUMBER_HELP));
  status = start_mail_command (context, argc, argv, 4, G_MAXUINT,
                               copy ? _("copy takes an ACCOUNT, a FOLDER, UIDs and a DEST folder")
                                    : _("move takes an ACCOUNT, a FOLDER, UIDs and a DEST folder"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  n = g_strv_length (start.args);
  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;
  dest = lookup_folder (start.store, start.account, start.args[n - 1]);
  if (dest == NULL)
    return BUZON_CLI_EXIT_FAILED;
  ids = resolve_uids (start.store, start.account, folder, &start.args[3], n - 4);
  if (ids == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (copy)
    ok = buzon_mail_ops_copy (start.store, start.account, (const gint64 *)(gpointer)ids->data,
                              ids->len, dest->id, &error);
  else
    ok = buzon_mail_ops_move (start.store, start.account, (const gint64 *)(gpointer)ids->data,
                              ids->len, dest->id, &error);
  status = finish_action (ok, &error, &start);
  if (status == BUZON_CLI_EXIT_OK)
    print_local_note (start.account);
  return status;
}

int
_buzon_cli_move (int    argc,
                 char **argv)
{
  return move_or_copy (argc, argv, FALSE);
}

int
_buzon_cli_copy (int    argc,
                 char **argv)
{
  return move_or_copy (argc, argv, TRUE);
}

int
_buzon_cli_delete (int    argc,
                   char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER UID…"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context, _("Delete messages: move them to Trash, or delete them "
                                           "for good when they are in Trash already."));
  g_option_context_set_description (context, _(MESSAGE_NUMBER_HELP));
  status = start_mail_command (context, argc, argv, 3, G_MAXUINT,
                               _("delete takes an ACCOUNT, a FOLDER and UIDs"), &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;
  ids = resolve_uids (start.store, start.account, folder, &start.args[3],
                     g_strv_length (start.args) - 3);
  if (ids == NULL)
    return BUZON_CLI_EXIT_FAILED;

  return finish_action (buzon_mail_ops_delete (start.store, start.account,
                                               (const gint64 *)(gpointer)ids->data, ids->len,
                                               &error),
                        &error, &start);
}

/* mkdir, rmdir, rename */

int
_buzon_cli_mkdir (int    argc,
                  char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER"));
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context, _("Create a folder (a full name such as Work/2026 "
                                           "creates it inside Work)."));
  g_option_context_set_description (context, _("On a POP3 account the folders are on this "
                                               "computer only; the folders above a new one are "
                                               "created too."));
  status = start_mail_command (context, argc, argv, 2, 2, _("mkdir takes an ACCOUNT and a FOLDER"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  status = finish_action (buzon_mail_ops_create_folder (start.store, start.account, start.args[2],
                                                        &error),
                          &error, &start);
  if (status == BUZON_CLI_EXIT_OK)
    print_local_note (start.account);
  return status;
}

int
_buzon_cli_rmdir (int    argc,
                  char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context, _("Delete a folder, its subfolders and every message in "
                                           "them."));
  g_option_context_set_description (context, _("On a POP3 account the folders are on this "
                                               "computer only; Inbox, Sent, Drafts, Trash and "
                                               "Archive cannot be deleted, only renamed or "
                                               "moved."));
  status = start_mail_command (context, argc, argv, 2, 2, _("rmdir takes an ACCOUNT and a FOLDER"),
                               &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;

  status = finish_action (buzon_mail_ops_delete_folder (start.store, start.account, folder->id,
                                                        &error),
                          &error, &start);
  if (status == BUZON_CLI_EXIT_OK)
    print_local_note (start.account);
  return status;
}

int
_buzon_cli_rename (int    argc,
                   char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER NEWPATH"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context, _("Rename a folder; a new parent path (Archive/2026) "
                                           "moves it there."));
  g_option_context_set_description (context, _("On a POP3 account the folders are on this "
                                               "computer only. A folder’s subfolders move with "
                                               "it, and the folders of a new parent path are "
                                               "created."));
  status = start_mail_command (context, argc, argv, 3, 3,
                               _("rename takes an ACCOUNT, a FOLDER and its NEWPATH"), &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;

  status = finish_action (buzon_mail_ops_rename_folder (start.store, start.account, folder->id,
                                                        start.args[3], &error),
                          &error, &start);
  if (status == BUZON_CLI_EXIT_OK)
    print_local_note (start.account);
  return status;
}

/* append */

static gboolean
parse_flag_list (const char         *text,
                 BuzonMessageFlags  *out_flags)
{
  g_auto(GStrv) names = g_strsplit (text, ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      gboolean found = FALSE;

      g_strstrip (names[i]);
      if (*names[i] == '\0')
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (flag_names) && !found; j++)
        if (g_ascii_strcasecmp (names[i], flag_names[j].name) == 0)
          {
            *out_flags |= flag_names[j].flag;
            found = TRUE;
          }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

int
_buzon_cli_append (int    argc,
                   char **argv)
{
  g_auto(Start) start = { NULL, };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ACCOUNT FOLDER FILE"));
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageSummary) stored = NULL;
  g_autofree char *flags_text = NULL;
  BuzonMessageFlags flags = 0;
  gint64 id = 0;
  int status;
  GOptionEntry entries[] = {
    { "flags", 0, 0, G_OPTION_ARG_STRING, &flags_text,
      N_("Its flags, comma separated: seen, answered, flagged, deleted, draft"), N_("FLAGS") },
    { NULL },
  };

  g_option_context_set_summary (context, _("Put a message (an RFC 5322 file, “-” for standard "
                                           "input) into a folder, here and on the server; prints "
                                           "its UID once the server has it."));
  g_option_context_set_description (context, _("On a POP3 account the message is stored on this "
                                               "computer only; it prints the message’s number "
                                               "here, which the other commands take in place of "
                                               "a UID."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = start_mail_command (context, argc, argv, 3, 3,
                               _("append takes an ACCOUNT, a FOLDER and a FILE"), &start);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  if (flags_text != NULL && !parse_flag_list (flags_text, &flags))
    return _buzon_cli_usage_error (_("“%s” is not a list of flags (seen, answered, flagged, "
                                     "deleted, draft)"),
                                   flags_text);

  folder = lookup_folder (start.store, start.account, start.args[2]);
  if (folder == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (g_str_equal (start.args[3], "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                                  &error) < 0)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
      raw = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (start.args[3]);

      raw = g_file_load_bytes (file, NULL, NULL, &error);
      if (raw == NULL)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }

  if (g_bytes_get_size (raw) == 0)
    {
      _buzon_cli_error (_("The message is empty."));
      return BUZON_CLI_EXIT_FAILED;
    }

  if (!buzon_mail_ops_append (start.store, start.account, folder->id, raw, flags, &id, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (is_local (start.account))
    {
      g_print ("%" G_GINT64_FORMAT "\n", id);
      return BUZON_CLI_EXIT_OK;
    }

  status = _buzon_cli_replay_now (start.store, start.account);

  stored = buzon_store_get_message (start.store, id, NULL);
  if (stored != NULL && stored->uid != 0)
    g_print ("%u\n", stored->uid);

  return status;
}
