/* buzon-imap-convert.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <string.h>

#include "buzon-imap-convert.h"
#include "buzon-imap-value.h"

/**
 * buzon_imap_format_addresses:
 * @addresses: (element-type BuzonImapAddress): an ENVELOPE address list
 *
 * Returns: (transfer full) (nullable): `Name <addr>, addr2`, or %NULL for
 *   an empty list
 */
char *
buzon_imap_format_addresses (GPtrArray *addresses)
{
  g_autoptr(GString) text = NULL;

  if (addresses == NULL || addresses->len == 0)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; i < addresses->len; i++)
    {
      const BuzonImapAddress *address = g_ptr_array_index (addresses, i);

      if (address->address == NULL && address->name == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      if (address->name != NULL && *address->name != '\0')
        {
          g_string_append (text, address->name);
          if (address->address != NULL)
            g_string_append_printf (text, " <%s>", address->address);
        }
      else
        g_string_append (text, address->address);
    }

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The value of the References field in `References: <a>\r\n <b>\r\n\r\n`. */
static char *
references_from_header (const BuzonImapFetch *fetch)
{
  const BuzonImapFetchBody *body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  const char *colon;
  gsize length = 0;
  char *value;

  if (fetch->bodies == NULL)
    return NULL;

  for (guint i = 0; i < fetch->bodies->len && body == NULL; i++)
    {
      const BuzonImapFetchBody *candidate = g_ptr_array_index (fetch->bodies, i);

      if (candidate->section != NULL &&
          g_ascii_strncasecmp (candidate->section, "HEADER.FIELDS", 13) == 0)
        body = candidate;
    }

  if (body == NULL || body->data == NULL || buzon_imap_value_is_nil (body->data))
    return NULL;

  bytes = buzon_imap_value_dup_bytes (body->data);
  if (bytes == NULL)
    return NULL;

  text = g_strndup (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));
  colon = strchr (text, ':');
  if (colon == NULL)
    return NULL;

  /* Unfold (RFC 5322 §2.2.3) and trim. */
  value = g_strdup (colon + 1);
  g_strdelimit (value, "\r\n\t", ' ');
  g_strstrip (value);
  while (strstr (value, "  ") != NULL)
    {
      char *double_space = strstr (value, "  ");

      memmove (double_space, double_space + 1, strlen (double_space + 1) + 1);
    }

  if (*value == '\0')
    g_clear_pointer (&value, g_free);

  return value;
}

/**
 * buzon_imap_flags_to_store:
 * @flags: IMAP system flags
 *
 * Returns: the same flags as the store keeps them (\Recent is not kept)
 */
BuzonMessageFlags
buzon_imap_flags_to_store (BuzonImapSystemFlags flags)
{
  BuzonMessageFlags result = BUZON_MESSAGE_FLAG_NONE;

  if (flags & BUZON_IMAP_FLAG_SEEN)
    result |= BUZON_MESSAGE_FLAG_SEEN;
  if (flags & BUZON_IMAP_FLAG_ANSWERED)
    result |= BUZON_MESSAGE_FLAG_ANSWERED;
  if (flags & BUZON_IMAP_FLAG_FLAGGED)
    result |= BUZON_MESSAGE_FLAG_FLAGGED;
  if (flags & BUZON_IMAP_FLAG_DELETED)
    result |= BUZON_MESSAGE_FLAG_DELETED;
  if (flags & BUZON_IMAP_FLAG_DRAFT)
    result |= BUZON_MESSAGE_FLAG_DRAFT;

  return result;
}

/**
 * buzon_imap_flags_from_store:
 * @flags: flags as the store keeps them
 *
 * Returns: (transfer full): their IMAP names (`\Seen`, …)
 */
GStrv
buzon_imap_flags_from_store (BuzonMessageFlags flags)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (flags & BUZON_MESSAGE_FLAG_SEEN)
    g_strv_builder_add (builder, "\\Seen");
  if (flags & BUZON_MESSAGE_FLAG_ANSWERED)
    g_strv_builder_add (builder, "\\Answered");
  if (flags & BUZON_MESSAGE_FLAG_FLAGGED)
    g_strv_builder_add (builder, "\\Flagged");
  if (flags & BUZON_MESSAGE_FLAG_DELETED)
    g_strv_builder_add (builder, "\\Deleted");
  if (flags & BUZON_MESSAGE_FLAG_DRAFT)
    g_strv_builder_add (builder, "\\Draft");

  return g_strv_builder_end (builder);
}

/**
 * buzon_imap_keywords_from_flags:
 * @flags: (nullable): a FLAGS list
 *
 * Returns: (transfer full) (nullable): the keywords among @flags (those
 *   that are not system flags), space separated, or %NULL if none
 */
char *
buzon_imap_keywords_from_flags (const char * const *flags)
{
  g_autoptr(GString) keywords = NULL;

  if (flags == NULL)
    return NULL;

  for (guint i = 0; flags[i] != NULL; i++)
    {
      if (flags[i][0] == '\\' || flags[i][0] == '\0')
        continue;
      if (keywords == NULL)
        keywords = g_string_new (flags[i]);
      else
        g_string_append_printf (keywords, " %s", flags[i]);
    }

  return keywords != NULL ? g_string_free (g_steal_pointer (&keywords), FALSE) : NULL;
}

/**
 * buzon_imap_summary_from_fetch:
 * @fetch: a FETCH response with UID, FLAGS, ENVELOPE and the rest of what
 *   buzon_imap_session_uid_fetch_summaries_async() asks for
 * @folder_id: the folder it is in
 *
 * Returns: (transfer full): the summary to store (body state: none)
 */
BuzonMessageSummary *
buzon_imap_summary_from_fetch (const BuzonImapFetch *fetch,
                               gint64                folder_id)
{
  BuzonMessageSummary *summary = buzon_message_summary_new ();
  const BuzonImapEnvelope *envelope = fetch->envelope;

  summary->folder_id = folder_id;
  summary->uid = fetch->uid;
  summary->flags = buzon_imap_flags_to_store (fetch->system_flags);
  summary->keywords = buzon_imap_keywords_from_flags ((const char * const *)fetch->flags);
  summary->size = fetch->size;
  if (fetch->internal_date != NULL)
    summary->internal_date = g_date_time_to_unix (fetch->internal_date);

  if (envelope != NULL)
    {
      summary->message_id = g_strdup (envelope->message_id);
      summary->in_reply_to = g_strdup (envelope->in_reply_to);
      summary->subject = g_strdup (envelope->subject);
      summary->from = buzon_imap_format_addresses (envelope->from);
      summary->to = buzon_imap_format_addresses (envelope->to);
      summary->cc = buzon_imap_format_addresses (envelope->cc);
      if (envelope->date != NULL)
        summary->date = g_date_time_to_unix (envelope->date);
    }

  /* A message without a usable Date sorts by when the server got it. */
  if (summary->date == 0)
    summary->date = summary->internal_date;

  if (fetch->body != NULL)
    summary->has_attachments = buzon_imap_body_part_has_attachments (fetch->body);

  summary->references = references_from_header (fetch);
  summary->body_state = BUZON_BODY_STATE_NONE;

  return summary;
}

/* Names servers without SPECIAL-USE give their special folders, compared
 * case-insensitively with the leaf name (English, Spanish and the names of
 * common providers). */
static const struct
{
  const char      *name;
  BuzonSpecialUse  use;
} special_names[] = {
  { "Sent", BUZON_SPECIAL_USE_SENT },
  { "Sent Items", BUZON_SPECIAL_USE_SENT },
  { "Sent Messages", BUZON_SPECIAL_USE_SENT },
  { "Sent Mail", BUZON_SPECIAL_USE_SENT },
  { "Enviados", BUZON_SPECIAL_USE_SENT },
  { "Elementos enviados", BUZON_SPECIAL_USE_SENT },
  { "Drafts", BUZON_SPECIAL_USE_DRAFTS },
  { "Draft", BUZON_SPECIAL_USE_DRAFTS },
  { "Borradores", BUZON_SPECIAL_USE_DRAFTS },
  { "Trash", BUZON_SPECIAL_USE_TRASH },
  { "Deleted Items", BUZON_SPECIAL_USE_TRASH },
  { "Deleted Messages", BUZON_SPECIAL_USE_TRASH },
  { "Bin", BUZON_SPECIAL_USE_TRASH },
  { "Papelera", BUZON_SPECIAL_USE_TRASH },
  { "Elementos eliminados", BUZON_SPECIAL_USE_TRASH },
  { "Junk", BUZON_SPECIAL_USE_JUNK },
  { "Spam", BUZON_SPECIAL_USE_JUNK },
  { "Junk E-mail", BUZON_SPECIAL_USE_JUNK },
  { "Bulk Mail", BUZON_SPECIAL_USE_JUNK },
  { "Correo no deseado", BUZON_SPECIAL_USE_JUNK },
  { "Archive", BUZON_SPECIAL_USE_ARCHIVE },
  { "Archives", BUZON_SPECIAL_USE_ARCHIVE },
  { "Archivo", BUZON_SPECIAL_USE_ARCHIVE },
  { "Archivados", BUZON_SPECIAL_USE_ARCHIVE },
};

/**
 * buzon_imap_special_use:
 * @mailbox: a LIST entry
 * @by_name: whether the server marks no special folders, so that
 *   well-known names are all there is to go by
 *
 * What the folder is for: INBOX, its SPECIAL-USE attribute (RFC 6154), or,
 * with @by_name, for a top-level folder (or one directly below INBOX, as
 * some servers keep them) a well-known name. On a server that marks its
 * special folders, a folder the user named "Archivo" is just a folder.
 *
 * Returns: the special use
 */
BuzonSpecialUse
buzon_imap_special_use (const BuzonImapMailbox *mailbox,
                        gboolean                by_name)
{
  const char *leaf = mailbox->name;
  BuzonImapMailboxFlags flags = mailbox->flags;

  if (g_ascii_strcasecmp (mailbox->name, "INBOX") == 0)
    return BUZON_SPECIAL_USE_INBOX;

  if (flags & BUZON_IMAP_MAILBOX_SENT)
    return BUZON_SPECIAL_USE_SENT;
  if (flags & BUZON_IMAP_MAILBOX_DRAFTS)
    return BUZON_SPECIAL_USE_DRAFTS;
  if (flags & BUZON_IMAP_MAILBOX_TRASH)
    return BUZON_SPECIAL_USE_TRASH;
  if (flags & BUZON_IMAP_MAILBOX_JUNK)
    return BUZON_SPECIAL_USE_JUNK;
  if (flags & BUZON_IMAP_MAILBOX_ARCHIVE)
    return BUZON_SPECIAL_USE_ARCHIVE;
  if (flags & BUZON_IMAP_MAILBOX_ALL)
    return BUZON_SPECIAL_USE_ALL;
  if (flags & BUZON_IMAP_MAILBOX_FLAGGED)
    return BUZON_SPECIAL_USE_FLAGGED;

  if (!by_name)
    return BUZON_SPECIAL_USE_NONE;

  if (mailbox->delimiter != '\0')
    {
      const char *sep = strchr (mailbox->name, mailbox->delimiter);

      if (sep != NULL)
        {
          /* Only INBOX.Sent and the like, not Work/Sent. */
          if ((gsize)(sep - mailbox->name) != 5 ||
              g_ascii_strncasecmp (mailbox->name, "INBOX", 5) != 0 ||
              strchr (sep + 1, mailbox->delimiter) != NULL)
            return BUZON_SPECIAL_USE_NONE;
          leaf = sep + 1;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (special_names); i++)
    {
      if (g_utf8_collate (leaf, special_names[i].name) == 0 ||
          g_ascii_strcasecmp (leaf, special_names[i].name) == 0)
        return special_names[i].use;
    }

  return BUZON_SPECIAL_USE_NONE;
}

static const struct
{
  BuzonImapMailboxFlags  flag;
  const char            *name;
} attribute_names[] = {
  { BUZON_IMAP_MAILBOX_NOSELECT, "\\Noselect" },
  { BUZON_IMAP_MAILBOX_NOINFERIORS, "\\Noinferiors" },
  { BUZON_IMAP_MAILBOX_HAS_CHILDREN, "\\HasChildren" },
  { BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN, "\\HasNoChildren" },
  { BUZON_IMAP_MAILBOX_NONEXISTENT, "\\NonExistent" },
  { BUZON_IMAP_MAILBOX_ALL, "\\All" },
  { BUZON_IMAP_MAILBOX_ARCHIVE, "\\Archive" },
  { BUZON_IMAP_MAILBOX_DRAFTS, "\\Drafts" },
  { BUZON_IMAP_MAILBOX_FLAGGED, "\\Flagged" },
  { BUZON_IMAP_MAILBOX_JUNK, "\\Junk" },
  { BUZON_IMAP_MAILBOX_SENT, "\\Sent" },
  { BUZON_IMAP_MAILBOX_TRASH, "\\Trash" },
  { BUZON_IMAP_MAILBOX_IMPORTANT, "\\Important" },
};

/**
 * buzon_imap_attributes_string:
 * @flags: LIST attributes
 *
 * Returns: (transfer full) (nullable): the attributes worth keeping, space
 *   separated (`\Noselect \HasChildren`), or %NULL for none
 */
char *
buzon_imap_attributes_string (BuzonImapMailboxFlags flags)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (attribute_names); i++)
    {
      if (flags & attribute_names[i].flag)
        {
          if (text->len > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, attribute_names[i].name);
        }
    }

  if (text->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * buzon_imap_folder_from_mailbox:
 * @mailbox: a LIST entry
 * @account_id: the account
 * @by_name: see buzon_imap_special_use()
 *
 * Returns: (transfer full): the folder to upsert into the store
 */
BuzonFolder *
buzon_imap_folder_from_mailbox (const BuzonImapMailbox *mailbox,
                                gint64                  account_id,
                                gboolean                by_name)
{
  BuzonFolder *folder = buzon_folder_new ();

  folder->account_id = account_id;
  folder->name = g_strdup (mailbox->name);
  if (mailbox->delimiter != '\0')
    folder->delimiter = g_strndup (&mailbox->delimiter, 1);
  folder->special_use = buzon_imap_special_use (mailbox, by_name);
  folder->subscribed = TRUE;
  folder->attributes = buzon_imap_attributes_string (mailbox->flags);

  return folder;
}
