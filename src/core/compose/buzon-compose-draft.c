/* buzon-compose-draft.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The draft, and reading the addresses the user typed. Recipients are
 * typed as one line; the line is cut at the commas (and semicolons, which
 * some people are used to) that are not inside quotes, angle brackets,
 * comments or a group, and each piece must be a mailbox of RFC 5322 §3.4
 * (or a group of them), so that an error can quote the very piece that is
 * wrong instead of the whole line. */

#define G_LOG_DOMAIN "buzon-compose"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-compose-draft.h"
#include "buzon-compose-private.h"
#include "buzon-mime-private.h"

G_DEFINE_QUARK (buzon-compose-error-quark, buzon_compose_error)

/* Replaces line breaks and other control characters by spaces: a header
 * value, a name or a file name must stay on its line. */
char *
_buzon_compose_clean_line (const char *text)
{
  GString *clean;

  if (text == NULL)
    return NULL;

  clean = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      g_string_append_c (clean, (c < 0x20 || c == 0x7f) ? ' ' : (char) c);
    }

  return g_string_free (clean, FALSE);
}

gboolean
_buzon_compose_is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* @address as it should be sent: local part unchanged, domain in IDNA
 * (RFC 5891) when it is not ASCII and can be; NULL when it is not an
 * addr-spec at all. *@needs_smtputf8 becomes TRUE (never FALSE) when the
 * address can only travel with SMTPUTF8. */
char *
_buzon_compose_normalize_address (const char *address,
                                  gboolean   *needs_smtputf8)
{
  g_autofree char *domain_ascii = NULL;
  g_autofree char *local = NULL;
  const char *at;
  const char *domain;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return NULL;

  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return NULL;

  local = g_strndup (address, at - address);
  domain = at + 1;

  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c <= 0x20 || c == 0x7f || strchr ("<>,;", c) != NULL)
        return NULL;
    }
  if (strchr (domain, '@') != NULL && domain[0] != '[')
    return NULL;
  if (domain[0] == '.' || g_str_has_suffix (domain, ".") || strstr (domain, "..") != NULL)
    return NULL;
  if (local[0] != '"' && (local[0] == '.' || g_str_has_suffix (local, ".") ||
                          strstr (local, "..") != NULL))
    return NULL;
  if (domain[0] != '[' && strpbrk (domain, "[]()\"\\") != NULL)
    return NULL;

  if (!is_ascii (local))
    *needs_smtputf8 = TRUE;

  if (!is_ascii (domain))
    {
      domain_ascii = g_hostname_to_ascii (domain);
      if (domain_ascii == NULL)
        {
          *needs_smtputf8 = TRUE;
          domain_ascii = g_strdup (domain);
        }
    }
  else
    domain_ascii = g_strdup (domain);

  return g_strconcat (local, "@", domain_ascii, NULL);
}

void
_buzon_compose_collect_mailboxes (InternetAddressList *list,
                                  GPtrArray           *mailboxes)
{
  if (list == NULL)
    return;

  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (address))
        _buzon_compose_collect_mailboxes (
          internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)), mailboxes);
      else if (INTERNET_ADDRESS_IS_MAILBOX (address))
        g_ptr_array_add (mailboxes, address);
    }
}

/* Cuts @typed at the separators that are not inside a quoted string, an
 * angle-addr, a comment or a group (RFC 5322 §3.4). */
static GPtrArray *
split_typed (const char *typed)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  gboolean quoted = FALSE;
  gboolean group = FALSE;
  int angle = 0;
  int comment = 0;
  const char *start = typed;

  for (const char *p = typed; ; p++)
    {
      gboolean end = FALSE;

      if (*p == '\0')
        end = TRUE;
      else if (quoted)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            quoted = FALSE;
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        comment++;
      else if (*p == ')' && comment > 0)
        comment--;
      else if (comment > 0)
        ;
      else if (*p == '<')
        angle++;
      else if (*p == '>' && angle > 0)
        angle--;
      else if (angle > 0)
        ;
      else if (*p == ':' && !group)
        group = TRUE;
      else if (*p == ';' && group)
        group = FALSE;  /* the group's end, which stays in its piece */
      else if ((*p == ',' || *p == ';') && !group)
        end = TRUE;

      if (end)
        {
          g_autofree char *piece = g_strndup (start, p - start);

          g_strstrip (piece);
          if (piece[0] != '\0')
            g_ptr_array_add (pieces, g_steal_pointer (&piece));
          if (*p == '\0')
            break;
          start = p + 1;
        }
    }

  return pieces;
}

static GError *
invalid_address_error (const char *text)
{
  return g_error_new (BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS,
                      /* TRANSLATORS: %s is what the user typed in To, Cc, Bcc or Reply-To */
                      _("“%s” is not a valid email address."),
                      text);
}

/* The mailboxes of @typed, groups flattened, each with its address
 * normalized and its name to be encoded as UTF-8; an empty list for
 * nothing typed. */
InternetAddressList *
_buzon_compose_parse_addresses (const char  *typed,
                                GError     **error)
{
  g_autoptr(InternetAddressList) result = internet_address_list_new ();
  g_autoptr(GPtrArray) pieces = NULL;

  _buzon_mime_ensure_init ();

  if (typed == NULL)
    return g_steal_pointer (&result);

  if (!g_utf8_validate (typed, -1, NULL))
    {
      g_set_error_literal (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS,
                           _("The addresses are not valid text."));
      return NULL;
    }

  pieces = split_typed (typed);
  for (guint i = 0; i < pieces->len; i++)
    {
      const char *piece = g_ptr_array_index (pieces, i);
      g_autoptr(InternetAddressList) parsed = internet_address_list_parse (NULL, piece);
      g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

      _buzon_compose_collect_mailboxes (parsed, mailboxes);
      if (mailboxes->len == 0)
        {
          g_propagate_error (error, invalid_address_error (piece));
          return NULL;
        }

      for (guint j = 0; j < mailboxes->len; j++)
        {
          InternetAddressMailbox *mailbox = g_ptr_array_index (mailboxes, j);
          const char *name = internet_address_get_name (INTERNET_ADDRESS (mailbox));
          gboolean smtputf8 = FALSE;
          g_autofree char *addr =
            _buzon_compose_normalize_address (internet_address_mailbox_get_addr (mailbox),
                                              &smtputf8);
          g_autofree char *clean_name = NULL;
          InternetAddress *copy;

          if (addr == NULL)
            {
              g_propagate_error (error, invalid_address_error (piece));
              return NULL;
            }

          if (name != NULL && name[0] != '\0')
            clean_name = _buzon_compose_clean_line (name);
          copy = internet_address_mailbox_new (clean_name, addr);
          internet_address_set_charset (copy, "UTF-8");
          internet_address_list_add (result, copy);
          g_object_unref (copy);
        }
    }

  return g_steal_pointer (&result);
}

/**
 * buzon_compose_attachment_new:
 * @filename: the file name the recipient sees
 * @content_type: (nullable): its MIME type; %NULL to guess it from the
 *   name and the bytes
 * @data: the file's bytes
 *
 * Returns: (transfer full): a new attachment
 */
BuzonComposeAttachment *
buzon_compose_attachment_new (const char *filename,
                              const char *content_type,
                              GBytes     *data)
{
  BuzonComposeAttachment *attachment;

  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  attachment = g_new0 (BuzonComposeAttachment, 1);
  attachment->filename = g_strdup (filename);
  attachment->data = g_bytes_ref (data);

  if (content_type != NULL)
    attachment->content_type = g_strdup (content_type);
  else
    {
      gsize size;
      const guchar *bytes = g_bytes_get_data (data, &size);
      g_autofree char *guess = g_content_type_guess (filename, bytes, size, NULL);

      attachment->content_type = guess != NULL ? g_content_type_get_mime_type (guess) : NULL;
      if (attachment->content_type == NULL)
        attachment->content_type = g_strdup ("application/octet-stream");
    }

  return attachment;
}

/**
 * buzon_compose_attachment_copy:
 * @attachment: an attachment
 *
 * Returns: (transfer full): a copy, sharing the bytes
 */
BuzonComposeAttachment *
buzon_compose_attachment_copy (const BuzonComposeAttachment *attachment)
{
  g_return_val_if_fail (attachment != NULL, NULL);

  return buzon_compose_attachment_new (attachment->filename, attachment->content_type,
                                       attachment->data);
}

/**
 * buzon_compose_attachment_free:
 * @attachment: (nullable): an attachment
 */
void
buzon_compose_attachment_free (BuzonComposeAttachment *attachment)
{
  if (attachment == NULL)
    return;

  g_free (attachment->filename);
  g_free (attachment->content_type);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

/**
 * buzon_compose_draft_new:
 *
 * Returns: (transfer full): an empty draft
 */
BuzonComposeDraft *
buzon_compose_draft_new (void)
{
  BuzonComposeDraft *draft = g_new0 (BuzonComposeDraft, 1);

  draft->attachments =
    g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_compose_attachment_free);

  return draft;
}

/**
 * buzon_compose_draft_copy:
 * @draft: a draft
 *
 * Returns: (transfer full): a copy; attachments and the forwarded message
 *   share their bytes with @draft
 */
BuzonComposeDraft *
buzon_compose_draft_copy (const BuzonComposeDraft *draft)
{
  BuzonComposeDraft *copy;

  g_return_val_if_fail (draft != NULL, NULL);

  copy = buzon_compose_draft_new ();
  copy->from_name = g_strdup (draft->from_name);
  copy->from_address = g_strdup (draft->from_address);
  copy->to = g_strdup (draft->to);
  copy->cc = g_strdup (draft->cc);
  copy->bcc = g_strdup (draft->bcc);
  copy->reply_to = g_strdup (draft->reply_to);
  copy->subject = g_strdup (draft->subject);
  copy->body = g_strdup (draft->body);
  copy->signature = g_strdup (draft->signature);
  copy->in_reply_to = g_strdup (draft->in_reply_to);
  copy->references = g_strdupv (draft->references);
  if (draft->forwarded != NULL)
    copy->forwarded = g_bytes_ref (draft->forwarded);
  if (draft->attachments != NULL)
    for (guint i = 0; i < draft->attachments->len; i++)
      g_ptr_array_add (copy->attachments,
                       buzon_compose_attachment_copy (g_ptr_array_index (draft->attachments, i)));

  return copy;
}

/**
 * buzon_compose_draft_free:
 * @draft: (nullable): a draft
 */
void
buzon_compose_draft_free (BuzonComposeDraft *draft)
{
  if (draft == NULL)
    return;

  g_free (draft->from_name);
  g_free (draft->from_address);
  g_free (draft->to);
  g_free (draft->cc);
  g_free (draft->bcc);
  g_free (draft->reply_to);
  g_free (draft->subject);
  g_free (draft->body);
  g_free (draft->signature);
  g_clear_pointer (&draft->attachments, g_ptr_array_unref);
  g_free (draft->in_reply_to);
  g_strfreev (draft->references);
  g_clear_pointer (&draft->forwarded, g_bytes_unref);
  g_free (draft);
}

/**
 * buzon_compose_draft_set_from:
 * @draft: a draft
 * @name: (nullable): the sender's display name
 * @address: (nullable): the sender's address
 */
void
buzon_compose_draft_set_from (BuzonComposeDraft *draft,
                              const char        *name,
                              const char        *address)
{
  g_return_if_fail (draft != NULL);

  g_free (draft->from_name);
  draft->from_name = g_strdup (name);
  g_free (draft->from_address);
  draft->from_address = g_strdup (address);
}

/**
 * buzon_compose_draft_add_attachment:
 * @draft: a draft
 * @filename: the file name the recipient sees
 * @content_type: (nullable): its MIME type, %NULL to guess it
 * @data: the bytes
 *
 * Returns: (transfer none): the attachment, owned by @draft
 */
BuzonComposeAttachment *
buzon_compose_draft_add_attachment (BuzonComposeDraft *draft,
                                    const char        *filename,
                                    const char        *content_type,
                                    GBytes            *data)
{
  BuzonComposeAttachment *attachment;

  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  attachment = buzon_compose_attachment_new (filename, content_type, data);
  g_ptr_array_add (draft->attachments, attachment);

  return attachment;
}

/**
 * buzon_compose_draft_add_attachment_from_file:
 * @draft: a draft
 * @file: a file to attach; read now, whole
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Attaches @file under its display name, with the type GIO gives it.
 * Blocking: call it from a worker thread for big files.
 *
 * Returns: (transfer none) (nullable): the attachment, owned by @draft, or
 *   %NULL with @error set when the file cannot be read
 */
BuzonComposeAttachment *
buzon_compose_draft_add_attachment_from_file (BuzonComposeDraft  *draft,
                                              GFile              *file,
                                              GCancellable       *cancellable,
                                              GError            **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) data = NULL;
  const char *content_type = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *basename = NULL;
  const char *name = NULL;

  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info != NULL)
    {
      name = g_file_info_get_attribute_string (info, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME);
      content_type = g_file_info_get_attribute_string (info,
                                                       G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE);
    }
  if (name == NULL)
    {
      basename = g_file_get_basename (file);
      name = basename != NULL ? basename : _("attachment");
    }
  if (content_type != NULL)
    mime_type = g_content_type_get_mime_type (content_type);

  data = g_file_load_bytes (file, cancellable, NULL, error);
  if (data == NULL)
    return NULL;

  return buzon_compose_draft_add_attachment (draft, name, mime_type, data);
}
