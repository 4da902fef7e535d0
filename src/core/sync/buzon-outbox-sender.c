/* buzon-outbox-sender.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonOutboxSender: sends an account's outbox over SMTP submission.
 *
 * A message is in the outbox (durably) before anything is sent, and leaves
 * it only in the transaction that files it in Sent, after the server took
 * it. Each item goes QUEUED → SENDING (written before MAIL FROM) → SENT
 * (written once the server accepted the data) → filed in Sent and removed.
 * A run picks up where a killed process left off:
 *   - SENT: the server has it; it is only filed, never sent again;
 *   - SENDING: the process died during the SMTP exchange, and whether the
 *     server accepted it cannot be known. It is sent again: a recipient may
 *     get it twice, which beats losing it. This is the one duplicate window,
 *     between the server's final 250 and the SENT write (a few ms).
 *
 * Failures: a temporary one (a 4xx reply, the connection lost, the server
 * not reachable) keeps the message queued, to be tried again after a backoff
 * that doubles from 30 s to 1 h (buzon_outbox_backoff()); a permanent one (a
 * 5xx reply about this message: too big, a recipient unknown, relaying
 * denied) marks it failed with the server's reason, and it waits for the
 * user (buzon_store_outbox_retry() or removal). A failure to log in or a
 * certificate problem concerns the account, not the message: the messages
 * stay queued with that reason and the run fails with it.
 *
 * Sent copies go to the account's Sent folder through buzon-mail-ops (an
 * APPEND with \Seen queued for IMAP accounts, replayed by the sync engine;
 * the local Sent folder for POP3 accounts), except for IMAP accounts whose
 * server files sent mail itself (buzon_account_get_save_sent()).
 *
 * The work runs in a worker thread with its own GMainContext; signals are
 * emitted in the thread-default context of the caller of run_async().
 *
 * Test hook: BUZON_TEST_OUTBOX_KILL=accepted:N makes the process SIGKILL
 * itself right after the server accepted the Nth message, before SENT is
 * written; sent:N right after SENT is written, before it is filed.
 */

#define G_LOG_DOMAIN "buzon-outbox"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "buzon-mail-ops.h"
#include "buzon-net-error.h"
#include "buzon-outbox-sender.h"
#include "buzon-secrets.h"
#include "buzon-smtp-error.h"
#include "buzon-smtp-session.h"
#include "buzon-sync-worker.h"
#include "buzon-types.h"

#define BACKOFF_MIN 30
#define BACKOFF_MAX 3600

struct _BuzonOutboxSender
{
  GObject       parent_instance;

  BuzonStore   *store;
  BuzonAccount *account;
  GTlsDatabase *tls_database;
  GMainContext *owner_context;   /* where signals are emitted; set by run_async */
  gboolean      running;
};

G_DEFINE_FINAL_TYPE (BuzonOutboxSender, buzon_outbox_sender, G_TYPE_OBJECT)

enum {
  SIGNAL_SENT,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  KILL_NEVER,
  KILL_AFTER_ACCEPTED,
  KILL_AFTER_SENT,
} KillPoint;

/* One run, on the worker thread. */
typedef struct
{
  BuzonOutboxSender *self;
  GMainContext      *context;
  GCancellable      *cancellable;
  gboolean           all;
  BuzonSmtpSession  *session;
  gint64             sent_folder_id;   /* 0: not looked up yet; -1: none */
  BuzonOutboxStats   stats;
  KillPoint          kill_point;
  guint              kill_count;
  guint              accepted;
} Run;

/* Emitting on the owner's context */

typedef struct
{
  BuzonOutboxSender  *self;
  guint               signal;
  gint64              item_id;
  char              **rejected;
  char               *message;
  gboolean            permanent;
} Emission;

static gboolean
emit_cb (gpointer data)
{
  Emission *e = data;

  if (e->signal == SIGNAL_SENT)
    g_signal_emit (e->self, signals[SIGNAL_SENT], 0, e->item_id, e->rejected);
  else
    g_signal_emit (e->self, signals[SIGNAL_FAILED], 0, e->item_id, e->message, e->permanent);

  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_strfreev (e->rejected);
  g_free (e->message);
  g_free (e);
}

static void
emit_later (Run          *run,
            guint         signal,
            gint64        item_id,
            char        **rejected,
            const char   *message,
            gboolean      permanent)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (run->self);
  e->signal = signal;
  e->item_id = item_id;
  e->rejected = rejected;
  e->message = g_strdup (message);
  e->permanent = permanent;
  g_main_context_invoke_full (run->self->owner_context, G_PRIORITY_DEFAULT, emit_cb, e,
                              emission_free);
}

/* Waiting on the worker's context */

#define AWAIT(result) (_buzon_sync_wait (run->context, &(result)))
#define STORE_CB _buzon_sync_store_result_cb

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  if (run->session != NULL)
    buzon_smtp_session_disconnect (run->session);

  return G_SOURCE_REMOVE;
}

static void
parse_kill_point (Run *run)
{
  const char *hook = g_getenv ("BUZON_TEST_OUTBOX_KILL");
  guint64 n = 0;

  run->kill_point = KILL_NEVER;
  if (hook == NULL)
    return;

  if (g_str_has_prefix (hook, "accepted:") &&
      g_ascii_string_to_unsigned (hook + 9, 10, 1, G_MAXUINT, &n, NULL))
    run->kill_point = KILL_AFTER_ACCEPTED;
  else if (g_str_has_prefix (hook, "sent:") &&
           g_ascii_string_to_unsigned (hook + 5, 10, 1, G_MAXUINT, &n, NULL))
    run->kill_point = KILL_AFTER_SENT;
  else
    g_warning ("BUZON_TEST_OUTBOX_KILL=%s is not accepted:N or sent:N", hook);

  run->kill_count = (guint)n;
}

static void
maybe_kill (Run       *run,
            KillPoint  point)
{
  if (run->kill_point == point && run->accepted == run->kill_count)
    {
      g_debug ("BUZON_TEST_OUTBOX_KILL: killing myself");
      kill (getpid (), SIGKILL);
    }
}

/**
 * buzon_outbox_backoff:
 * @attempts: how many attempts failed so far, at least 1
 *
 * Returns: how long to wait before the next attempt, in seconds: 30 s
 *   after the first failure, doubling up to an hour
 */
guint
buzon_outbox_backoff (guint attempts)
{
  guint delay = BACKOFF_MIN;

  for (guint i = 1; i < attempts && delay < BACKOFF_MAX; i++)
    delay *= 2;

  return MIN (delay, BACKOFF_MAX);
}

/* Errors */

/* Whether the session is no use after @error: connect again for the next
 * message. */
static gboolean
breaks_session (const GError *error)
{
  return error->domain == BUZON_NET_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_CLOSED) ||
         g_error_matches (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_PROTOCOL) ||
         g_error_matches (error, BUZON_SMTP_SESSION_ERROR,
                          BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED);
}

/* Whether the server refused this message for good: trying again will not
 * help until the user changes something. Everything else (temporary
 * replies, the connection, the account's login) may pass by itself. */
static gboolean
is_permanent (const GError *error)
{
  if (error->domain != BUZON_SMTP_SESSION_ERROR || buzon_smtp_error_is_temporary (error))
    return FALSE;

  switch ((BuzonSmtpSessionError)error->code)
    {
    case BUZON_SMTP_SESSION_ERROR_FAILED:
    case BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG:
    case BUZON_SMTP_SESSION_ERROR_SENDER_REJECTED:
    case BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN:
    case BUZON_SMTP_SESSION_ERROR_RECIPIENT_REJECTED:
    case BUZON_SMTP_SESSION_ERROR_RECIPIENTS_REJECTED:
    case BUZON_SMTP_SESSION_ERROR_RELAY_DENIED:
    case BUZON_SMTP_SESSION_ERROR_MAILBOX_FULL:
    case BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED:
    case BUZON_SMTP_SESSION_ERROR_8BIT_UNSUPPORTED:
    case BUZON_SMTP_SESSION_ERROR_INVALID_ADDRESS:
      return TRUE;
    case BUZON_SMTP_SESSION_ERROR_TEMPORARY:
    case BUZON_SMTP_SESSION_ERROR_AUTH:
    case BUZON_SMTP_SESSION_ERROR_AUTH_REQUIRED:
    case BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE:
    case BUZON_SMTP_SESSION_ERROR_PLAINTEXT_REFUSED:
    case BUZON_SMTP_SESSION_ERROR_NO_MECHANISM:
    case BUZON_SMTP_SESSION_ERROR_REFUSED:
    case BUZON_SMTP_SESSION_ERROR_CLOSED:
    case BUZON_SMTP_SESSION_ERROR_PROTOCOL:
    case BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED:
    default:
      return FALSE;
    }
}

/* The session */

static void
drop_session (Run *run)
{
  if (run->session == NULL)
    return;

  buzon_smtp_session_disconnect (run->session);
  g_clear_object (&run->session);
}

static gboolean
open_session (Run     *run,
              GError **error)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  const char *username;
  const char *host = buzon_account_get_smtp_host (self->account);

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   _("The account “%s” has no outgoing mail (SMTP) server. Add one in the "
                     "account settings."),
                   buzon_account_get_name (self->account));
      return FALSE;
    }

  username = buzon_account_get_smtp_username (self->account);
  if (username == NULL || *username == '\0')
    username = buzon_account_get_address (self->account);

  password = buzon_secrets_lookup_password (self->account, BUZON_SECRET_SMTP, run->cancellable,
                                            error);
  if (password == NULL)
    return FALSE;

  connection = buzon_connection_new_for_account (self->account, BUZON_CONNECTION_SERVER_OUTGOING);
  buzon_connection_set_store (connection, self->store);
  if (self->tls_database != NULL)
    buzon_connection_set_tls_database (connection, self->tls_database);

  run->session = buzon_smtp_session_new (connection);
  buzon_smtp_session_connect_async (run->session, username, password, run->cancellable,
                                    STORE_CB, &result);
  if (!buzon_smtp_session_connect_finish (run->session, AWAIT (result), error))
    {
      drop_session (run);
      return FALSE;
    }

  return TRUE;
}

static void
close_session (Run *run)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (run->session == NULL)
    return;

  if (buzon_smtp_session_is_connected (run->session) &&
      !g_cancellable_is_cancelled (run->cancellable))
    {
      buzon_smtp_session_quit_async (run->session, NULL, STORE_CB, &result);
      if (!buzon_smtp_session_quit_finish (run->session, AWAIT (result), NULL))
        g_debug ("QUIT failed; closing anyway");
    }

  drop_session (run);
}

/* After a refusal the session stays usable once reset. */
static void
reset_session (Run *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (run->session == NULL || !buzon_smtp_session_is_connected (run->session))
    {
      drop_session (run);
      return;
    }

  buzon_smtp_session_reset_async (run->session, run->cancellable, STORE_CB, &result);
  if (!buzon_smtp_session_reset_finish (run->session, AWAIT (result), &error))
    {
      g_debug ("RSET failed (%s); connecting again for the next message", error->message);
      drop_session (run);
    }
}

/* Filing in Sent */

static gint64
find_sent_folder (Run     *run,
                  GError **error)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(GPtrArray) folders = NULL;

  if (run->sent_folder_id != 0)
    return run->sent_folder_id;

  if (buzon_account_get_protocol (self->account) == BUZON_PROTOCOL_POP3 &&
      !buzon_mail_ops_ensure_local_folders (self->store, self->account, error))
    return 0;

  folders = buzon_store_list_folders (self->store, buzon_account_get_id (self->account), error);
  if (folders == NULL)
    return 0;

  /* An IMAP account not synced yet: its Sent folder is not known here. The
   * message stays SENT, to be filed after the first sync. */
  if (folders->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   "The folders of %s are not known yet", buzon_account_get_name (self->account));
      return 0;
    }

  run->sent_folder_id = -1;
  for (guint i = 0; i < folders->len && run->sent_folder_id < 0; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == BUZON_SPECIAL_USE_SENT)
        run->sent_folder_id = folder->id;
    }

  /* Servers without SPECIAL-USE: the names people and servers use. */
  for (guint i = 0; i < folders->len && run->sent_folder_id < 0; i++)
    {
      static const char * const names[] = { "Sent", "Sent Items", "Sent Messages", "Sent Mail",
                                            "INBOX.Sent", "INBOX/Sent", "Enviados", NULL };
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      for (guint j = 0; names[j] != NULL; j++)
        if (g_ascii_strcasecmp (folder->name, names[j]) == 0)
          run->sent_folder_id = folder->id;
    }

  return run->sent_folder_id;
}

/* Files an item the server accepted and takes it out of the outbox. A
 * failure leaves it SENT: the next run files it. */
static gboolean
file_sent (Run             *run,
           BuzonOutboxItem *item,
           GError         **error)
{
  BuzonOutboxSender *self = run->self;
  gint64 folder_id;

  /* The server files it in Sent itself. */
  if (buzon_account_get_protocol (self->account) == BUZON_PROTOCOL_IMAP &&
      !buzon_account_get_save_sent (self->account))
    return buzon_store_outbox_remove (self->store, item->id, error);

  folder_id = find_sent_folder (run, error);
  if (folder_id == 0)
    return FALSE;

  if (folder_id < 0)
    {
      /* An IMAP account whose server names no Sent folder: the server has
       * the message, there is nowhere to keep a copy. */
      g_debug ("No Sent folder for %s; not keeping a copy",
               buzon_account_get_name (self->account));
      return buzon_store_outbox_remove (self->store, item->id, error);
    }

  if (!buzon_mail_ops_file_sent (self->store, self->account, folder_id, item->id, item->raw,
                                 error))
    return FALSE;

  run->stats.filed++;
  return TRUE;
}

/* Sending */

static void
defer (Run             *run,
       BuzonOutboxItem *item,
       const GError    *reason)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(GError) error = NULL;
  gint64 next = buzon_store_now () + buzon_outbox_backoff (item->attempts + 1);

  if (!buzon_store_outbox_record_failure (self->store, item->id, reason->message, next, FALSE,
                                          &error))
    g_warning ("Could not record a failed attempt: %s", error->message);

  run->stats.deferred++;
  emit_later (run, SIGNAL_FAILED, item->id, NULL, reason->message, FALSE);
}

static void
refuse (Run             *run,
        BuzonOutboxItem *item,
        const GError    *reason)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(GError) error = NULL;

  if (!buzon_store_outbox_record_failure (self->store, item->id, reason->message, 0, TRUE,
                                          &error))
    g_warning ("Could not record a refused message: %s", error->message);

  run->stats.failed++;
  emit_later (run, SIGNAL_FAILED, item->id, NULL, reason->message, TRUE);
}

static char **
rejections_to_strv (GPtrArray *rejected)
{
  GPtrArray *strv = g_ptr_array_new ();

  for (guint i = 0; rejected != NULL && i < rejected->len; i++)
    {
      BuzonSmtpRejection *rejection = g_ptr_array_index (rejected, i);

      g_ptr_array_add (strv, g_strdup_printf ("%s: %s", rejection->address,
                                              rejection->error->message));
    }
  g_ptr_array_add (strv, NULL);

  return (char **)g_ptr_array_free (strv, FALSE);
}

/* One attempt at one item. Returns FALSE, with @error, when the run must
 * stop: cancelled, or an error that concerns every message (the account's
 * login, its certificate), after which the rest stays as it is. */
static gboolean
send_item (Run             *run,
           BuzonOutboxItem *item,
           GError         **error)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *from = buzon_account_get_address (self->account);

  if (!buzon_store_outbox_set_state (self->store, item->id, BUZON_OUTBOX_STATE_SENDING, error))
    return FALSE;

  buzon_smtp_session_send_async (run->session, from != NULL ? from : "",
                                 (const char * const *)item->recipients, item->raw,
                                 run->cancellable, STORE_CB, &result);
  sent = buzon_smtp_session_send_finish (run->session, AWAIT (result), &local_error);

  if (sent == NULL)
    {
      if (g_cancellable_is_cancelled (run->cancellable))
        {
          /* Whether the server took it is unknown only if the data went
           * out; either way it is sent again next time. */
          if (!buzon_store_outbox_set_state (self->store, item->id, BUZON_OUTBOX_STATE_QUEUED,
                                             NULL))
            g_debug ("Could not requeue a cancelled message");
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (is_permanent (local_error))
        refuse (run, item, local_error);
      else
        defer (run, item, local_error);

      if (breaks_session (local_error))
        drop_session (run);
      else
        reset_session (run);

      return TRUE;
    }

  run->accepted++;
  maybe_kill (run, KILL_AFTER_ACCEPTED);

  if (!buzon_store_outbox_set_state (self->store, item->id, BUZON_OUTBOX_STATE_SENT, error))
    return FALSE;

  maybe_kill (run, KILL_AFTER_SENT);

  run->stats.sent++;
  if (!file_sent (run, item, &local_error))
    g_debug ("A sent message could not be filed in Sent yet: %s", local_error->message);

  emit_later (run, SIGNAL_SENT, item->id, rejections_to_strv (sent->rejected), NULL, FALSE);

  return TRUE;
}

static gboolean
is_due (Run                   *run,
        const BuzonOutboxItem *item,
        gint64                 now)
{
  switch (item->state)
    {
    case BUZON_OUTBOX_STATE_SENDING:   /* interrupted: see the top */
      return TRUE;
    case BUZON_OUTBOX_STATE_QUEUED:
      /* "All" skips the backoff of failed attempts, never the delay a new
       * message waits for its undo. */
      return item->next_attempt <= now || (run->all && item->attempts > 0);
    case BUZON_OUTBOX_STATE_SENT:      /* handled before */
    case BUZON_OUTBOX_STATE_FAILED:    /* waits for the user */
    default:
      return FALSE;
    }
}

static gboolean
run_outbox (Run     *run,
            GError **error)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(GPtrArray) items = NULL;
  gint64 now = buzon_store_now ();

  items = buzon_store_outbox_list (self->store, buzon_account_get_id (self->account), error);
  if (items == NULL)
    return FALSE;

  /* What the server already has is only filed. */
  for (guint i = 0; i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(GError) local_error = NULL;

      if (item->state != BUZON_OUTBOX_STATE_SENT)
        continue;
      if (file_sent (run, item, &local_error))
        emit_later (run, SIGNAL_SENT, item->id, g_new0 (char *, 1), NULL, FALSE);
      else
        g_debug ("A sent message could not be filed in Sent yet: %s", local_error->message);
    }

  for (guint i = 0; i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);

      if (!is_due (run, item, now))
        continue;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;

      if (run->session == NULL)
        {
          g_autoptr(GError) local_error = NULL;

          if (!open_session (run, &local_error))
            {
              if (g_cancellable_is_cancelled (run->cancellable))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }

              /* Nothing can be sent now: every due message keeps waiting,
               * with the reason. */
              for (guint j = i; j < items->len; j++)
                {
                  BuzonOutboxItem *other = g_ptr_array_index (items, j);

                  if (is_due (run, other, now))
                    defer (run, other, local_error);
                }
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }

      if (!send_item (run, item, error))
        return FALSE;
    }

  return TRUE;
}

static void
compute_next_attempt (Run *run)
{
  BuzonOutboxSender *self = run->self;
  g_autoptr(GPtrArray) items = NULL;

  items = buzon_store_outbox_list (self->store, buzon_account_get_id (self->account), NULL);
  run->stats.next_attempt = 0;
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);
      gint64 when;

      /* A SENT one left here waits for its account's folders, not a time. */
      if (item->state != BUZON_OUTBOX_STATE_QUEUED)
        continue;
      when = MAX (item->next_attempt, 1);
      if (run->stats.next_attempt == 0 || when < run->stats.next_attempt)
        run->stats.next_attempt = when;
    }
}

typedef struct
{
  BuzonOutboxStats stats;
  GError          *error;
} RunOutcome;

static void
run_outcome_free (RunOutcome *outcome)
{
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static void
run_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  BuzonOutboxSender *self = source_object;
  RunOutcome *outcome = g_new0 (RunOutcome, 1);
  GSource *cancel_source;
  Run run = { NULL, };

  run.self = self;
  run.context = g_main_context_new ();
  run.cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  run.all = GPOINTER_TO_INT (task_data);
  parse_kill_point (&run);

  g_main_context_push_thread_default (run.context);

  cancel_source = g_cancellable_source_new (run.cancellable);
  g_source_set_callback (cancel_source, G_SOURCE_FUNC (cancelled_cb), &run, NULL);
  g_source_attach (cancel_source, run.context);

  if (!run_outbox (&run, &outcome->error))
    g_debug ("Outbox run ended: %s", outcome->error->message);

  close_session (&run);

  g_source_destroy (cancel_source);
  g_source_unref (cancel_source);

  while (g_main_context_pending (run.context))
    g_main_context_iteration (run.context, FALSE);

  g_main_context_pop_thread_default (run.context);
  g_main_context_unref (run.context);
  g_clear_object (&run.cancellable);

  compute_next_attempt (&run);
  outcome->stats = run.stats;

  g_task_return_pointer (task, outcome, (GDestroyNotify)run_outcome_free);
}

/* The object */

static void
buzon_outbox_sender_finalize (GObject *object)
{
  BuzonOutboxSender *self = (BuzonOutboxSender *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->owner_context, g_main_context_unref);

  G_OBJECT_CLASS (buzon_outbox_sender_parent_class)->finalize (object);
}

static void
buzon_outbox_sender_class_init (BuzonOutboxSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_outbox_sender_finalize;

  /**
   * BuzonOutboxSender::sent:
   * @item_id: the outbox item the server accepted
   * @rejected: (array zero-terminated=1): the recipients it refused, each
   *   as "address: reason"; the message went to the others
   *
   * A message was sent (and, where possible, filed in Sent). Also for a
   * message an interrupted run had sent, once it is filed.
   */
  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRV);

  /**
   * BuzonOutboxSender::failed:
   * @item_id: the outbox item
   * @message: why, as a sentence for the user
   * @permanent: %TRUE when the server refused the message for good (it
   *   waits for the user), %FALSE when it will be tried again
   *
   * An attempt to send a message failed.
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
buzon_outbox_sender_init (BuzonOutboxSender *self)
{
}

/**
 * buzon_outbox_sender_new:
 * @store: the store
 * @account: the account whose outbox to send
 *
 * Returns: (transfer full): a new sender
 */
BuzonOutboxSender *
buzon_outbox_sender_new (BuzonStore   *store,
                         BuzonAccount *account)
{
  BuzonOutboxSender *self;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  self = g_object_new (BUZON_TYPE_OUTBOX_SENDER, NULL);
  self->store = g_object_ref (store);
  self->account = g_object_ref (account);

  return self;
}

/**
 * buzon_outbox_sender_get_account:
 *
 * Returns: (transfer none): the account
 */
BuzonAccount *
buzon_outbox_sender_get_account (BuzonOutboxSender *self)
{
  g_return_val_if_fail (BUZON_IS_OUTBOX_SENDER (self), NULL);

  return self->account;
}

/**
 * buzon_outbox_sender_set_tls_database:
 * @database: (nullable): the CA database to verify the server with, %NULL
 *   for the system's
 */
void
buzon_outbox_sender_set_tls_database (BuzonOutboxSender *self,
                                      GTlsDatabase      *database)
{
  g_return_if_fail (BUZON_IS_OUTBOX_SENDER (self));
  g_return_if_fail (!self->running);

  g_set_object (&self->tls_database, database);
}

/**
 * buzon_outbox_sender_is_running:
 *
 * Returns: whether a run is under way
 */
gboolean
buzon_outbox_sender_is_running (BuzonOutboxSender *self)
{
  g_return_val_if_fail (BUZON_IS_OUTBOX_SENDER (self), FALSE);

  return self->running;
}

/**
 * buzon_outbox_sender_run_async:
 * @all: %TRUE to try every queued message that failed before now, without
 *   waiting for its backoff (the network is back, the user asked); %FALSE
 *   only those due. A new message waiting out its undo delay waits either way.
 * @cancellable: (nullable): cancels the run; a message being sent is
 *   queued again
 * @callback: called when the run ended
 * @user_data: data for @callback
 *
 * Sends the account's queued messages over one SMTP session (see the top of
 * buzon-outbox-sender.c). One run at a time.
 */
void
buzon_outbox_sender_run_async (BuzonOutboxSender   *self,
                               gboolean             all,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_OUTBOX_SENDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_outbox_sender_run_async));
  g_task_set_task_data (task, GINT_TO_POINTER (all ? 1 : 0), NULL);
  /* The worker reports what it did, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  g_clear_pointer (&self->owner_context, g_main_context_unref);
  self->owner_context = g_main_context_ref_thread_default ();
  self->running = TRUE;

  g_task_run_in_thread (task, run_worker);
}

/**
 * buzon_outbox_sender_run_finish:
 * @out_stats: (out) (optional): what the run did, also when it failed
 * @error: return location for an error
 *
 * Returns: %TRUE if the run went through the outbox (some messages may
 *   still have failed: see @out_stats); %FALSE when nothing could be sent,
 *   with why (the server not reachable, the login refused, …)
 */
gboolean
buzon_outbox_sender_run_finish (BuzonOutboxSender  *self,
                                GAsyncResult       *result,
                                BuzonOutboxStats   *out_stats,
                                GError            **error)
{
  RunOutcome *outcome;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_OUTBOX_SENDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->running = FALSE;

  outcome = g_task_propagate_pointer (G_TASK (result), NULL);
  g_assert (outcome != NULL);

  if (out_stats != NULL)
    *out_stats = outcome->stats;

  ok = outcome->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&outcome->error));

  run_outcome_free (outcome);

  return ok;
}
