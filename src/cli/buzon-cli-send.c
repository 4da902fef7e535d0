/* buzon-cli-send.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon-cli send and outbox: writing a message, what waits to be sent, and
 * sending it.
 *
 *   send --account A --to ADDR [--cc ADDR]… [--bcc ADDR]… --subject S
 *        [--attach FILE]… [--queue] < body
 *   outbox list [ACCOUNT] [--json]
 *   outbox retry ID|--all [ACCOUNT]
 *   outbox drop ID
 *
 * Exit status of the commands that send: 0 when everything due went out,
 * 1 when the server refused a message for good (it stays in the outbox,
 * failed, until retried or dropped), 75 (EX_TEMPFAIL) when a message could
 * not be sent now and stays queued, to be tried again.
 */

#define G_LOG_DOMAIN "buzon-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "buzon-cli-private.h"
#include "buzon-compose.h"
#include "buzon-mail-ops.h"
#include "buzon-mime-summary.h"
#include "buzon-net-error.h"
#include "buzon-outbox-sender.h"

typedef struct
{
  guint sent;
  guint refused;
  guint deferred;
} SendTally;

static void
sent_cb (BuzonOutboxSender  *sender,
         gint64              item_id,
         char              **rejected,
         gpointer            user_data)
{
  SendTally *tally = user_data;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);

  tally->sent++;
  /* xgettext:c-format */
  g_print (_("Message %s sent."), id);
  g_print ("\n");
  for (guint i = 0; rejected != NULL && rejected[i] != NULL; i++)
    _buzon_cli_error (_("not sent to %s"), rejected[i]);
}

static void
failed_cb (BuzonOutboxSender *sender,
           gint64             item_id,
           const char        *message,
           gboolean           permanent,
           gpointer           user_data)
{
  SendTally *tally = user_data;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);

  if (permanent)
    {
      tally->refused++;
      _buzon_cli_error (_("message %s was not sent: %s It stays in the outbox (“buzon-cli "
                          "outbox retry %s” sends it again, “buzon-cli outbox drop %s” gives it "
                          "up)."),
                        id, message, id, id);
    }
  else
    {
      tally->deferred++;
      _buzon_cli_error (_("message %s could not be sent now: %s It stays in the outbox and will "
                          "be tried again."),
                        id, message);
    }
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/**
 * _buzon_cli_send_outbox:
 * @store: the store
 * @account: the account
 * @all: try every queued message, not only those whose backoff has passed
 *
 * Sends the account's outbox now, prints what happened, and files the sent
 * messages in Sent (on the server too, for IMAP accounts).
 *
 * Returns: an exit status (see the top of this file)
 */
int
_buzon_cli_send_outbox (BuzonStore   *store,
                        BuzonAccount *account,
                        gboolean      all)
{
  g_autoptr(BuzonOutboxSender) sender = buzon_outbox_sender_new (store, account);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BuzonOutboxStats stats = { 0, };
  SendTally tally = { 0, };
  gboolean ok;

  g_signal_connect (sender, "sent", G_CALLBACK (sent_cb), &tally);
  g_signal_connect (sender, "failed", G_CALLBACK (failed_cb), &tally);

  buzon_outbox_sender_run_async (sender, all, NULL, run_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = buzon_outbox_sender_run_finish (sender, result, &stats, &error);

  /* The signals were emitted on this context: let them all arrive. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_signal_handlers_disconnect_by_data (sender, &tally);

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && tally.deferred == 0)
        _buzon_cli_error ("%s: %s", buzon_account_get_name (account), error->message);
      if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
        _buzon_cli_error (_("To trust that certificate, run “buzon-cli account trust %s "
                            "--smtp”."),
                          buzon_account_get_name (account));
    }

  /* The copies in Sent go to the server now, like any other change. */
  if (stats.filed > 0 && buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP)
    _buzon_cli_replay_now (store, account);

  if (tally.refused > 0)
    return BUZON_CLI_EXIT_FAILED;
  if (!ok || tally.deferred > 0)
    return BUZON_CLI_EXIT_TEMPFAIL;

  return BUZON_CLI_EXIT_OK;
}

/* outbox list */

static const char *
state_label (BuzonOutboxState state)
{
  switch (state)
    {
    case BUZON_OUTBOX_STATE_QUEUED:
      return C_("outbox state", "queued");
    case BUZON_OUTBOX_STATE_SENDING:
      return C_("outbox state", "sending");
    case BUZON_OUTBOX_STATE_SENT:
      return C_("outbox state", "sent");
    case BUZON_OUTBOX_STATE_FAILED:
    default:
      return C_("outbox state", "failed");
    }
}

static const char *
state_name (BuzonOutboxState state)
{
  switch (state)
    {
    case BUZON_OUTBOX_STATE_QUEUED:
      return "queued";
    case BUZON_OUTBOX_STATE_SENDING:
      return "sending";
    case BUZON_OUTBOX_STATE_SENT:
      return "sent";
    case BUZON_OUTBOX_STATE_FAILED:
    default:
      return "failed";
    }
}

static char *
format_time (gint64 when)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (when);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static int
outbox_list (BuzonStore   *store,
             BuzonAccount *account,
             gboolean      json)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  items = buzon_store_outbox_list (store, account != NULL ? buzon_account_get_id (account) : 0,
                                   &error);
  accounts = items != NULL ? buzon_store_list_accounts (store, &error) : NULL;
  if (items == NULL || accounts == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (!json && items->len == 0)
    {
      g_print ("%s\n", _("The outbox is empty."));
      return BUZON_CLI_EXIT_OK;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(BuzonMessageSummary) summary =
        buzon_mime_summary_from_bytes (item->raw, 0, item->created, NULL);
      g_autofree char *recipients = g_strjoinv (", ", item->recipients);
      const char *account_name = "?";

      for (guint j = 0; j < accounts->len; j++)
        if (buzon_account_get_id (g_ptr_array_index (accounts, j)) == item->account_id)
          account_name = buzon_account_get_name (g_ptr_array_index (accounts, j));

      if (json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, item->id);
          json_builder_set_member_name (builder, "account");
          json_builder_add_string_value (builder, account_name);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, state_name (item->state));
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, summary->subject != NULL ? summary->subject : "");
          json_builder_set_member_name (builder, "message_id");
          json_builder_add_string_value (builder,
                                         summary->message_id != NULL ? summary->message_id : "");
          json_builder_set_member_name (builder, "recipients");
          json_builder_begin_array (builder);
          for (guint j = 0; item->recipients[j] != NULL; j++)
            json_builder_add_string_value (builder, item->recipients[j]);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "size");
          json_builder_add_int_value (builder, (gint64)g_bytes_get_size (item->raw));
          json_builder_set_member_name (builder, "created");
          json_builder_add_int_value (builder, item->created);
          json_builder_set_member_name (builder, "attempts");
          json_builder_add_int_value (builder, item->attempts);
          json_builder_set_member_name (builder, "next_attempt");
          json_builder_add_int_value (builder, item->next_attempt);
          json_builder_set_member_name (builder, "last_error");
          if (item->last_error != NULL)
            json_builder_add_string_value (builder, item->last_error);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
          continue;
        }

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", item->id, state_label (item->state),
               account_name, recipients,
               summary->subject != NULL && *summary->subject != '\0' ? summary->subject
                                                                      : _("(no subject)"));
      if (item->attempts > 0)
        {
          g_autofree char *next = format_time (item->next_attempt);

          g_print ("\t");
          if (item->state == BUZON_OUTBOX_STATE_QUEUED)
            g_print (g_dngettext (GETTEXT_PACKAGE, "%u failed attempt, next after %s",
                                  "%u failed attempts, next after %s", item->attempts),
                     item->attempts, next);
          else
            g_print (g_dngettext (GETTEXT_PACKAGE, "%u failed attempt", "%u failed attempts",
                                  item->attempts),
                     item->attempts);
          if (item->last_error != NULL)
            g_print (": %s", item->last_error);
          g_print ("\n");
        }
    }
  json_builder_end_array (builder);

  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      _buzon_cli_print_json (root);
    }

  return BUZON_CLI_EXIT_OK;
}

/* outbox retry / drop */

static gboolean
parse_id (const char *text,
          gint64     *out_id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *out_id = (gint64)value;
  return TRUE;
}

static BuzonAccount *
item_account (BuzonStore *store,
              gint64      account_id)
{
  g_autoptr(GPtrArray) accounts = buzon_store_list_accounts (store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    if (buzon_account_get_id (g_ptr_array_index (accounts, i)) == account_id)
      return g_object_ref (g_ptr_array_index (accounts, i));

  return NULL;
}

static int
outbox_retry (BuzonStore   *store,
              BuzonAccount *account,
              const char   *id_text,
              gboolean      all)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  int status = BUZON_CLI_EXIT_OK;

  if (all)
    {
      items = buzon_store_outbox_list (store,
                                       account != NULL ? buzon_account_get_id (account) : 0,
                                       &error);
    }
  else
    {
      BuzonOutboxItem *item;
      gint64 id;

      if (!parse_id (id_text, &id))
        return _buzon_cli_usage_error (_("“%s” is not a message number of the outbox "
                                         "(“buzon-cli outbox list” shows them)"),
                                       id_text);
      item = buzon_store_outbox_get (store, id, &error);
      if (item != NULL)
        {
          items = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_outbox_item_free);
          g_ptr_array_add (items, item);
        }
    }

  if (items == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (items->len == 0)
    {
      g_print ("%s\n", _("The outbox is empty."));
      return BUZON_CLI_EXIT_OK;
    }

  for (guint i = 0; i < items->len; i++)
    {
      BuzonOutboxItem *item = g_ptr_array_index (items, i);
      gboolean known = FALSE;

      if (item->state != BUZON_OUTBOX_STATE_SENT &&
          !buzon_store_outbox_retry (store, item->id, &error))
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }

      for (guint j = 0; j < accounts->len; j++)
        known |= buzon_account_get_id (g_ptr_array_index (accounts, j)) == item->account_id;
      if (!known)
        {
          BuzonAccount *owner = item_account (store, item->account_id);

          if (owner != NULL)
            g_ptr_array_add (accounts, owner);
        }
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      int account_status = _buzon_cli_send_outbox (store, g_ptr_array_index (accounts, i), TRUE);

      /* A refusal outweighs a delay. */
      if (account_status == BUZON_CLI_EXIT_FAILED ||
          (account_status != BUZON_CLI_EXIT_OK && status == BUZON_CLI_EXIT_OK))
        status = account_status;
    }

  return status;
}

static int
outbox_drop (BuzonStore *store,
             const char *id_text)
{
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!parse_id (id_text, &id))
    return _buzon_cli_usage_error (_("“%s” is not a message number of the outbox "
                                     "(“buzon-cli outbox list” shows them)"),
                                   id_text);

  item = buzon_store_outbox_get (store, id, &error);
  if (item == NULL || !buzon_store_outbox_remove (store, id, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  switch (item->state)
    {
    case BUZON_OUTBOX_STATE_SENT:
      g_print ("%s\n", _("Removed from the outbox. It had been sent; no copy was kept in Sent."));
      break;
    case BUZON_OUTBOX_STATE_SENDING:
      g_print ("%s\n", _("Removed from the outbox. It was being sent when Buzón stopped, so it "
                         "may have been sent."));
      break;
    case BUZON_OUTBOX_STATE_QUEUED:
    case BUZON_OUTBOX_STATE_FAILED:
    default:
      g_print ("%s\n", _("Removed from the outbox. It was not sent."));
      break;
    }

  return BUZON_CLI_EXIT_OK;
}

int
_buzon_cli_outbox (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("list [ACCOUNT] | retry ID|--all [ACCOUNT] | drop ID"));
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_auto(GStrv) args = NULL;
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  gboolean all = FALSE;
  const char *what;
  guint n;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("list: print JSON"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("retry: every message of the outbox (of ACCOUNT, if given)"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("What waits to be sent. “list” shows it, “retry” "
                                           "sends a message again now (also one the server "
                                           "refused, once you fixed what it said), “drop” gives "
                                           "a message up without sending it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_buzon_cli_parse (context, argc, argv, 1, &args))
    return BUZON_CLI_EXIT_USAGE;

  store = buzon_store_open (NULL, &error);
  if (store == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  n = g_strv_length (args) - 1;
  what = n >= 1 ? args[1] : "list";

  if (g_str_equal (what, "list"))
    {
      if (n > 2)
        return _buzon_cli_usage_error (_("outbox list takes at most one ACCOUNT"));
      if (n == 2 && (account = _buzon_cli_lookup_account (store, args[2])) == NULL)
        return BUZON_CLI_EXIT_FAILED;
      return outbox_list (store, account, json);
    }

  if (g_str_equal (what, "retry"))
    {
      if (all ? n > 2 : n != 2)
        return _buzon_cli_usage_error (_("outbox retry takes a message number, or --all and at "
                                         "most one ACCOUNT"));
      if (all && n == 2 && (account = _buzon_cli_lookup_account (store, args[2])) == NULL)
        return BUZON_CLI_EXIT_FAILED;
      return outbox_retry (store, account, all ? NULL : args[2], all);
    }

  if (g_str_equal (what, "drop"))
    {
      if (n != 2)
        return _buzon_cli_usage_error (_("outbox drop takes one message number"));
      return outbox_drop (store, args[2]);
    }

  return _buzon_cli_usage_error (_("unknown outbox command “%s”: use list, retry or drop"), what);
}

/* send */

static GBytes *
read_stdin (GError **error)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* "a@x, b@y" from every --to (each may hold several, comma separated). */
static char *
join_addresses (char **addresses)
{
  return addresses != NULL ? g_strjoinv (", ", addresses) : NULL;
}

int
_buzon_cli_send (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(BuzonComposeResult) composed = NULL;
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) cc = NULL;
  g_auto(GStrv) bcc = NULL;
  g_auto(GStrv) attach = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *reply_to = NULL;
  gboolean queue_only = FALSE;
  gsize body_size;
  const char *body_text;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send from this account"),
      N_("ACCOUNT") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient (repeat for more)"),
      N_("ADDRESS") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A copy to (repeat for more)"),
      N_("ADDRESS") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc,
      N_("A hidden copy to: the other recipients do not see it (repeat for more)"),
      N_("ADDRESS") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("SUBJECT") },
    { "reply-to", 0, 0, G_OPTION_ARG_STRING, &reply_to,
      N_("Where replies should go, if not to this account"), N_("ADDRESS") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach,
      N_("Attach this file (repeat for more)"), N_("FILE") },
    { "queue", 0, 0, G_OPTION_ARG_NONE, &queue_only,
      N_("Only put it in the outbox; the next “buzon-cli sync” or the app sends it"), NULL },
    { NULL },
  };

  g_option_context_set_summary (context, _("Write a message and send it. The text comes from "
                                           "standard input (UTF-8). The message goes to the "
                                           "outbox first and leaves it only once the server "
                                           "took it; a copy is kept in Sent."));
  g_option_context_set_description (context, _("Exit status: 0 sent; 1 refused by the server "
                                               "(it stays in the outbox, see “buzon-cli outbox "
                                               "list”); 75 not sent now (the server could not "
                                               "be reached or asked to try later): it stays in "
                                               "the outbox and is sent later."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_buzon_cli_parse (context, argc, argv, 1, &args))
    return BUZON_CLI_EXIT_USAGE;

  if (g_strv_length (args) > 1)
    return _buzon_cli_usage_error (_("send takes no arguments: the text comes from standard "
                                     "input"));
  if (account_name == NULL)
    return _buzon_cli_usage_error (_("--account is required"));
  if (to == NULL && cc == NULL && bcc == NULL)
    return _buzon_cli_usage_error (_("--to is required (or --cc, --bcc)"));
  if (subject == NULL)
    return _buzon_cli_usage_error (_("--subject is required (it may be empty: --subject \"\")"));

  store = buzon_store_open (NULL, &error);
  if (store == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  account = _buzon_cli_lookup_account (store, account_name);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  body = read_stdin (&error);
  if (body == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }
  body_text = g_bytes_get_data (body, &body_size);
  if (body_size > 0 && (memchr (body_text, '\0', body_size) != NULL ||
                        !g_utf8_validate (body_text, (gssize)body_size, NULL)))
    {
      _buzon_cli_error (_("The text is not UTF-8. Convert it first (for example with iconv), "
                          "or send the file with --attach."));
      return BUZON_CLI_EXIT_FAILED;
    }

  draft = buzon_compose_draft_new ();
  buzon_compose_draft_set_from (draft, buzon_account_get_display_name (account),
                                buzon_account_get_address (account));
  draft->to = join_addresses (to);
  draft->cc = join_addresses (cc);
  draft->bcc = join_addresses (bcc);
  draft->reply_to = g_strdup (reply_to);
  draft->subject = g_strdup (subject);
  draft->body = g_strndup (body_text != NULL ? body_text : "", body_size);
  draft->signature = g_strdup (buzon_account_get_signature (account));

  for (guint i = 0; attach != NULL && attach[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (attach[i]);

      if (buzon_compose_draft_add_attachment_from_file (draft, file, NULL, &error) == NULL)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }

  composed = buzon_compose_build (draft, NULL, &error);
  if (composed == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  item = buzon_outbox_item_new (buzon_account_get_id (account), composed->raw,
                                (const char * const *)composed->recipients);
  if (!buzon_store_outbox_enqueue (store, item, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (queue_only)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, item->id);

      g_print (_("Message %s is in the outbox."), id);
      g_print ("\n");
      return BUZON_CLI_EXIT_OK;
    }

  return _buzon_cli_send_outbox (store, account, FALSE);
}
