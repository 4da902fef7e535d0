/* buzon-imap-fetch.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Decoding `* n FETCH (...)` (RFC 3501 §7.4.2): message attributes into a
 * BuzonImapFetch, ENVELOPE into a BuzonImapEnvelope, BODYSTRUCTURE into a
 * tree of BuzonImapBodyPart. RFC 2047 encoded-words in subjects and names,
 * and RFC 2231 parameters, are decoded by GMime.
 *
 * Servers differ in small ways here, so the decoders are liberal where that
 * is harmless: atoms or numeric strings where strings or numbers belong,
 * NIL for missing sizes, missing extension data, unknown attributes. */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-fetch.h"
#include "buzon-imap-private.h"

/* MIME nesting a BODYSTRUCTURE may have: deeper than any real message, and
 * bounds the recursion here (the parser bounds list nesting too). */
#define BODY_MAX_DEPTH 40

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  /* GMime's charset tables must be set up before its decoders run. Not shut
   * down: other users of GMime in the process may need it, and it holds
   * only process-lifetime tables. */
  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static gboolean
set_error (GError     **error,
           const char  *what)
{
  g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, "Malformed IMAP FETCH data: %s",
               what);
  return FALSE;
}

/* Header text (RFC 2047 encoded-words, raw 8-bit in any charset) as UTF-8. */
static char *
decode_header_text (const BuzonImapValue *value)
{
  g_autofree char *raw = _buzon_imap_value_dup_utf8 (value);
  g_autofree char *decoded = NULL;
  const char *text;

  text = value != NULL ? buzon_imap_value_get_string (value, NULL) : NULL;
  if (text == NULL)
    return NULL;

  ensure_gmime ();
  /* GMime tries the user's charsets on raw 8-bit bytes, so give it the
   * original bytes rather than a copy made valid UTF-8 already. */
  decoded = g_mime_utils_header_decode_text (NULL, text);
  if (decoded == NULL)
    return g_steal_pointer (&raw);
  return _buzon_imap_make_utf8 (decoded, -1);
}

/**
 * buzon_imap_system_flags_from_strv:
 * @flags: (array zero-terminated=1) (nullable): flags as sent
 *
 * Returns: the system flags among @flags, compared case-insensitively
 */
BuzonImapSystemFlags
buzon_imap_system_flags_from_strv (const char * const *flags)
{
  static const struct
  {
    const char           *name;
    BuzonImapSystemFlags  flag;
  } system_flags[] = {
    { "\\Seen", BUZON_IMAP_FLAG_SEEN },
    { "\\Answered", BUZON_IMAP_FLAG_ANSWERED },
    { "\\Flagged", BUZON_IMAP_FLAG_FLAGGED },
    { "\\Deleted", BUZON_IMAP_FLAG_DELETED },
    { "\\Draft", BUZON_IMAP_FLAG_DRAFT },
    { "\\Recent", BUZON_IMAP_FLAG_RECENT },
  };
  BuzonImapSystemFlags result = 0;

  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    for (guint k = 0; k < G_N_ELEMENTS (system_flags); k++)
      if (g_ascii_strcasecmp (flags[i], system_flags[k].name) == 0)
        result |= system_flags[k].flag;
  return result;
}

static gboolean
read_digits (const char **p,
             guint        min,
             guint        max,
             int         *value)
{
  guint n = 0;

  *value = 0;
  while (n < max && g_ascii_isdigit (**p))
    {
      *value = *value * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  return n >= min;
}

/**
 * buzon_imap_parse_internal_date:
 * @text: an IMAP date-time, such as `17-Jul-1996 02:44:25 -0700`
 *
 * Reads INTERNALDATE (RFC 3501 §9 date-time); the day may be padded with a
 * space or not at all.
 *
 * Returns: (transfer full) (nullable): the date and time with its offset,
 *   or %NULL when @text is not a date-time
 */
GDateTime *
buzon_imap_parse_internal_date (const char *text)
{
  static const char months[][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GTimeZone) zone = NULL;
  const char *p;
  int day, month = 0, year, hour, minute, second, zone_hours, zone_minutes, sign;

  g_return_val_if_fail (text != NULL, NULL);

  p = text;
  while (*p == ' ')
    p++;
  if (!read_digits (&p, 1, 2, &day) || *p++ != '-')
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    if (g_ascii_strncasecmp (p, months[i], 3) == 0)
      month = i + 1;
  if (month == 0)
    return NULL;
  p += 3;
  if (*p++ != '-' || !read_digits (&p, 4, 4, &year) || *p++ != ' ' ||
      !read_digits (&p, 2, 2, &hour) || *p++ != ':' ||
      !read_digits (&p, 2, 2, &minute) || *p++ != ':' ||
      !read_digits (&p, 2, 2, &second) || *p++ != ' ')
    return NULL;
  if (*p != '+' && *p != '-')
    return NULL;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_digits (&p, 2, 2, &zone_hours) || !read_digits (&p, 2, 2, &zone_minutes) ||
      *p != '\0' || zone_minutes > 59)
    return NULL;

  zone = g_time_zone_new_offset (sign * (zone_hours * 3600 + zone_minutes * 60));
  if (zone == NULL)
    return NULL;
  return g_date_time_new (zone, year, month, day, hour, minute, second);
}

/* Addresses */

static void
address_free (gpointer data)
{
  BuzonImapAddress *address = data;

  g_free (address->name);
  g_free (address->mailbox);
  g_free (address->host);
  g_free (address->address);
  g_free (address->group);
  g_free (address);
}

/* env-from and friends: NIL, or a list of addresses, where
 * `(NIL NIL "group" NIL)` opens an RFC 5322 group and `(NIL NIL NIL NIL)`
 * closes it (RFC 3501 §7.4.2). */
static GPtrArray *
decode_address_list (const BuzonImapValue  *value,
                     GError               **error)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (address_free);
  g_autofree char *group = NULL;
  guint n;

  if (buzon_imap_value_is_nil (value))
    return g_steal_pointer (&addresses);
  if (!buzon_imap_value_is_list (value))
    {
      set_error (error, "an address list must be a list or NIL");
      return NULL;
    }

  n = buzon_imap_value_get_n_children (value);
  for (guint i = 0; i < n; i++)
    {
      BuzonImapValue *item = buzon_imap_value_get_child (value, i);
      BuzonImapAddress *address;
      const char *mailbox, *host;

      if (!buzon_imap_value_is_list (item) || buzon_imap_value_get_n_children (item) != 4)
        {
          set_error (error, "an address must be a list of four");
          return NULL;
        }
      for (guint k = 0; k < 4; k++)
        if (buzon_imap_value_is_list (buzon_imap_value_get_child (item, k)))
          {
            set_error (error, "an address field must be a string or NIL");
            return NULL;
          }

      mailbox = buzon_imap_value_get_nstring (buzon_imap_value_get_child (item, 2));
      host = buzon_imap_value_get_nstring (buzon_imap_value_get_child (item, 3));

      if (host == NULL)
        {
          /* Group syntax: mailbox is the group's name, or NIL at its end. */
          g_clear_pointer (&group, g_free);
          if (mailbox != NULL)
            group = _buzon_imap_make_utf8 (mailbox, -1);
          continue;
        }

      address = g_new0 (BuzonImapAddress, 1);
      address->name = decode_header_text (buzon_imap_value_get_child (item, 0));
      if (address->name != NULL && address->name[0] == '\0')
        g_clear_pointer (&address->name, g_free);
      address->mailbox = mailbox != NULL ? _buzon_imap_make_utf8 (mailbox, -1) : NULL;
      address->host = _buzon_imap_make_utf8 (host, -1);
      address->address = address->mailbox != NULL ?
        g_strdup_printf ("%s@%s", address->mailbox, address->host) : NULL;
      address->group = g_strdup (group);
      g_ptr_array_add (addresses, address);
    }

  return g_steal_pointer (&addresses);
}

/**
 * buzon_imap_envelope_free:
 * @envelope: (transfer full) (nullable): a #BuzonImapEnvelope
 */
void
buzon_imap_envelope_free (BuzonImapEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->date_text);
  g_clear_pointer (&envelope->date, g_date_time_unref);
  g_free (envelope->subject);
  g_clear_pointer (&envelope->from, g_ptr_array_unref);
  g_clear_pointer (&envelope->sender, g_ptr_array_unref);
  g_clear_pointer (&envelope->reply_to, g_ptr_array_unref);
  g_clear_pointer (&envelope->to, g_ptr_array_unref);
  g_clear_pointer (&envelope->cc, g_ptr_array_unref);
  g_clear_pointer (&envelope->bcc, g_ptr_array_unref);
  g_free (envelope->in_reply_to);
  g_free (envelope->message_id);
  g_free (envelope);
}

/**
 * buzon_imap_envelope_decode:
 * @value: an ENVELOPE list
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the envelope, or %NULL with @error set
 */
BuzonImapEnvelope *
buzon_imap_envelope_decode (const BuzonImapValue  *value,
                            GError               **error)
{
  g_autoptr(BuzonImapEnvelope) envelope = NULL;
  GPtrArray **lists[6];

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!buzon_imap_value_is_list (value) || buzon_imap_value_get_n_children (value) < 10)
    {
      set_error (error, "ENVELOPE must be a list of ten");
      return NULL;
    }
  for (guint i = 0; i < 10; i++)
    if (i < 2 || i > 7)
      if (buzon_imap_value_is_list (buzon_imap_value_get_child (value, i)))
        {
          set_error (error, "ENVELOPE date, subject and ids must be strings or NIL");
          return NULL;
        }

  envelope = g_new0 (BuzonImapEnvelope, 1);
  envelope->date_text = _buzon_imap_value_dup_utf8 (buzon_imap_value_get_child (value, 0));
  if (envelope->date_text != NULL)
    {
      ensure_gmime ();
      envelope->date = g_mime_utils_header_decode_date (envelope->date_text);
    }
  envelope->subject = decode_header_text (buzon_imap_value_get_child (value, 1));

  lists[0] = &envelope->from;
  lists[1] = &envelope->sender;
  lists[2] = &envelope->reply_to;
  lists[3] = &envelope->to;
  lists[4] = &envelope->cc;
  lists[5] = &envelope->bcc;
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      *lists[i] = decode_address_list (buzon_imap_value_get_child (value, i + 2), error);
      if (*lists[i] == NULL)
        return NULL;
    }

  envelope->in_reply_to = _buzon_imap_value_dup_utf8 (buzon_imap_value_get_child (value, 8));
  envelope->message_id = _buzon_imap_value_dup_utf8 (buzon_imap_value_get_child (value, 9));
  return g_steal_pointer (&envelope);
}

/* Body structure */

/**
 * buzon_imap_body_part_free:
 * @part: (transfer full) (nullable): a #BuzonImapBodyPart and its children
 */
void
buzon_imap_body_part_free (BuzonImapBodyPart *part)
{
  if (part == NULL)
    return;
  g_free (part->type);
  g_free (part->subtype);
  g_free (part->section);
  g_clear_pointer (&part->params, g_hash_table_unref);
  g_free (part->charset);
  g_free (part->id);
  g_free (part->description);
  g_free (part->encoding);
  g_free (part->disposition);
  g_clear_pointer (&part->disposition_params, g_hash_table_unref);
  g_free (part->filename);
  g_clear_pointer (&part->envelope, buzon_imap_envelope_free);
  g_clear_pointer (&part->children, g_ptr_array_unref);
  g_free (part);
}

static gboolean
is_token (const char *name)
{
  if (*name == '\0')
    return FALSE;
  /* RFC 2045 token; RFC 2231 names add only '*', which is a token char. */
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f || strchr ("()<>@,;:\\\"/[]?=", *p) != NULL)
      return FALSE;
  return TRUE;
}

/* body-fld-param: NIL or (name value name value ...). The pairs are given
 * back to GMime as a header parameter list, which joins RFC 2231
 * continuations, decodes their charsets and decodes the RFC 2047
 * encoded-words some mailers put in names. */
static gboolean
decode_params (const BuzonImapValue  *value,
               GHashTable           **params,
               GError               **error)
{
  g_autoptr(GString) header = g_string_new (NULL);
  GMimeParamList *list;
  guint n;

  *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value == NULL || buzon_imap_value_is_nil (value))
    return TRUE;
  if (!buzon_imap_value_is_list (value))
    return set_error (error, "body parameters must be a list or NIL");

  n = buzon_imap_value_get_n_children (value);
  for (guint i = 0; i + 1 < n; i += 2)
    {
      const char *name = buzon_imap_value_get_nstring (buzon_imap_value_get_child (value, i));
      const char *text = buzon_imap_value_get_nstring (buzon_imap_value_get_child (value, i + 1));

      if (name == NULL || text == NULL || !is_token (name))
        continue;
      g_string_append_printf (header, "; %s=\"", name);
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (header, '\\');
          else if (*p == '\r' || *p == '\n')
            continue;
          g_string_append_c (header, *p);
        }
      g_string_append_c (header, '"');
    }
  if (header->len == 0)
    return TRUE;

  ensure_gmime ();
  list = g_mime_param_list_parse (NULL, header->str);
  if (list == NULL)
    return TRUE;
  n = g_mime_param_list_length (list);
  for (guint i = 0; i < n; i++)
    {
      GMimeParam *param = g_mime_param_list_get_parameter_at (list, i);
      const char *name = g_mime_param_get_name (param);
      const char *text = g_mime_param_get_value (param);

      if (name == NULL || text == NULL)
        continue;
      g_hash_table_insert (*params, g_ascii_strdown (name, -1), _buzon_imap_make_utf8 (text, -1));
    }
  g_object_unref (list);
  return TRUE;
}

static char *
dup_lower (const BuzonImapValue *value)
{
  const char *text = value != NULL ? buzon_imap_value_get_nstring (value) : NULL;
  g_autofree char *utf8 = NULL;

  if (text == NULL)
    return NULL;
  utf8 = _buzon_imap_make_utf8 (text, -1);
  return g_ascii_strdown (utf8, -1);
}

static guint64
get_size (const BuzonImapValue *value)
{
  guint64 number = 0;

  /* Some servers send NIL (or a quoted number) for sizes they do not know. */
  if (value != NULL)
    buzon_imap_value_get_number (value, &number);
  return number;
}

/* body-fld-dsp: NIL or (type params) */
static gboolean
decode_disposition (BuzonImapBodyPart     *part,
                    const BuzonImapValue  *value,
                    GError               **error)
{
  if (value == NULL || buzon_imap_value_is_nil (value))
    return TRUE;
  /* A bare string instead of a list is seen in the wild; take its type. */
  if (!buzon_imap_value_is_list (value))
    {
      part->disposition = dup_lower (value);
      return TRUE;
    }
  if (buzon_imap_value_get_n_children (value) < 1 ||
      buzon_imap_value_is_list (buzon_imap_value_get_child (value, 0)))
    return set_error (error, "body disposition must be (type params)");

  part->disposition = dup_lower (buzon_imap_value_get_child (value, 0));
  return decode_params (buzon_imap_value_get_child (value, 1), &part->disposition_params, error);
}

static gboolean
is_multipart_value (const BuzonImapValue *value)
{
  return buzon_imap_value_is_list (value) &&
         buzon_imap_value_is_list (buzon_imap_value_get_child (value, 0));
}

static char *
child_section (const char *prefix,
               guint       index)
{
  if (prefix == NULL || *prefix == '\0')
    return g_strdup_printf ("%u", index);
  return g_strdup_printf ("%s.%u", prefix, index);
}

static BuzonImapBodyPart *decode_body (const BuzonImapValue *value,
                                       char                 *section,
                                       const char           *child_prefix,
                                       guint                 depth,
                                       GError              **error);

static BuzonImapBodyPart *
decode_multipart (const BuzonImapValue  *value,
                  char                  *section,
                  const char            *child_prefix,
                  guint                  depth,
                  GError               **error)
{
  g_autoptr(BuzonImapBodyPart) part = g_new0 (BuzonImapBodyPart, 1);
  guint n = buzon_imap_value_get_n_children (value);
  guint i = 0;

  part->type = g_strdup ("multipart");
  part->section = section;
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_body_part_free);

  for (; i < n && buzon_imap_value_is_list (buzon_imap_value_get_child (value, i)); i++)
    {
      const BuzonImapValue *child_value = buzon_imap_value_get_child (value, i);
      char *section_of_child = child_section (child_prefix, i + 1);
      BuzonImapBodyPart *child;

      /* A multipart child's own children are numbered under it. */
      child = decode_body (child_value, section_of_child, section_of_child, depth + 1, error);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (part->children, child);
    }

  /* media-subtype; liberal when it is missing. */
  if (i < n && !buzon_imap_value_is_list (buzon_imap_value_get_child (value, i)))
    part->subtype = dup_lower (buzon_imap_value_get_child (value, i++));
  if (part->subtype == NULL)
    part->subtype = g_strdup ("mixed");

  /* body-ext-mpart: params, disposition, language, location */
  if (!decode_params (buzon_imap_value_get_child (value, i), &part->params, error) ||
      !decode_disposition (part, buzon_imap_value_get_child (value, i + 1), error))
    return NULL;

  return g_steal_pointer (&part);
}

static BuzonImapBodyPart *
decode_body (const BuzonImapValue  *value,
             char                  *section,
             const char            *child_prefix,
             guint                  depth,
             GError               **error)
{
  g_autoptr(BuzonImapBodyPart) part = NULL;
  const char *filename;
  guint n, ext;

  if (depth > BODY_MAX_DEPTH)
    {
      g_free (section);
      set_error (error, "body structure nested too deep");
      return NULL;
    }
  if (!buzon_imap_value_is_list (value))
    {
      g_free (section);
      set_error (error, "a body must be a list");
      return NULL;
    }
  if (is_multipart_value (value))
    return decode_multipart (value, section, child_prefix, depth, error);

  part = g_new0 (BuzonImapBodyPart, 1);
  part->section = section;
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_body_part_free);

  /* body-type-basic: type subtype params id description encoding size */
  n = buzon_imap_value_get_n_children (value);
  if (n < 7)
    {
      set_error (error, "a body part needs at least seven fields");
      return NULL;
    }
  for (guint i = 0; i < 7; i++)
    if (i != 2 && buzon_imap_value_is_list (buzon_imap_value_get_child (value, i)))
      {
        set_error (error, "body fields must be strings, numbers or NIL");
        return NULL;
      }

  part->type = dup_lower (buzon_imap_value_get_child (value, 0));
  part->subtype = dup_lower (buzon_imap_value_get_child (value, 1));
  if (part->type == NULL)
    part->type = g_strdup ("application");
  if (part->subtype == NULL)
    part->subtype = g_strdup ("octet-stream");
  if (!decode_params (buzon_imap_value_get_child (value, 2), &part->params, error))
    return NULL;
  part->id = _buzon_imap_value_dup_utf8 (buzon_imap_value_get_child (value, 3));
  part->description = decode_header_text (buzon_imap_value_get_child (value, 4));
  part->encoding = dup_lower (buzon_imap_value_get_child (value, 5));
  part->size = get_size (buzon_imap_value_get_child (value, 6));
  ext = 7;

  if (strcmp (part->type, "message") == 0 &&
      (strcmp (part->subtype, "rfc822") == 0 || strcmp (part->subtype, "global") == 0) &&
      n >= 10 &&
      buzon_imap_value_is_list (buzon_imap_value_get_child (value, 7)) &&
      buzon_imap_value_is_list (buzon_imap_value_get_child (value, 8)))
    {
      /* body-type-msg: envelope, body, lines. The encapsulated body's
       * parts are numbered under this part; a multipart body itself is
       * this part's TEXT, a single one is part 1 (RFC 3501 §6.4.5). */
      const BuzonImapValue *inner = buzon_imap_value_get_child (value, 8);
      BuzonImapBodyPart *child;
      char *inner_section;

      part->envelope = buzon_imap_envelope_decode (buzon_imap_value_get_child (value, 7), error);
      if (part->envelope == NULL)
        return NULL;
      inner_section = is_multipart_value (inner) ?
        g_strdup_printf ("%s.TEXT", section) : child_section (section, 1);
      child = decode_body (inner, inner_section, section, depth + 1, error);
      if (child == NULL)
        return NULL;
      g_ptr_array_add (part->children, child);
      part->lines = get_size (buzon_imap_value_get_child (value, 9));
      ext = 10;
    }
  else if (strcmp (part->type, "text") == 0 && n >= 8 &&
           !buzon_imap_value_is_list (buzon_imap_value_get_child (value, 7)))
    {
      part->lines = get_size (buzon_imap_value_get_child (value, 7));
      ext = 8;
    }

  /* body-ext-1part: md5, disposition, language, location */
  if (!decode_disposition (part, buzon_imap_value_get_child (value, ext + 1), error))
    return NULL;

  part->charset = g_strdup (g_hash_table_lookup (part->params, "charset"));
  filename = part->disposition_params != NULL ?
    g_hash_table_lookup (part->disposition_params, "filename") : NULL;
  if (filename == NULL)
    filename = g_hash_table_lookup (part->params, "name");
  if (filename != NULL && *filename != '\0')
    part->filename = g_strdup (filename);

  return g_steal_pointer (&part);
}

/* Whether a mail client should list the part as an attachment: a
 * disposition of attachment says so; an attached message is one; parts
 * after the first of multipart/related are the HTML's inline resources;
 * otherwise a file name or a non-text type makes an attachment, except
 * signatures. */
static void
mark_attachments (BuzonImapBodyPart *part,
                  BuzonImapBodyPart *parent,
                  guint              index)
{
  gboolean attachment = FALSE;

  if (strcmp (part->type, "multipart") == 0)
    attachment = FALSE;
  else if (g_strcmp0 (part->disposition, "attachment") == 0)
    attachment = TRUE;
  else if (buzon_imap_body_part_is_type (part, "message", "rfc822") ||
           buzon_imap_body_part_is_type (part, "message", "global"))
    attachment = TRUE;
  else if (parent != NULL && g_strcmp0 (parent->subtype, "related") == 0 && index > 0)
    attachment = FALSE;
  else if (g_strcmp0 (part->disposition, "inline") == 0)
    attachment = part->filename != NULL && strcmp (part->type, "text") != 0;
  else if (part->filename != NULL)
    attachment = TRUE;
  else if (strcmp (part->type, "text") == 0)
    attachment = FALSE;
  else if (buzon_imap_body_part_is_type (part, "application", "pgp-signature") ||
           buzon_imap_body_part_is_type (part, "application", "pkcs7-signature") ||
           buzon_imap_body_part_is_type (part, "application", "x-pkcs7-signature") ||
           buzon_imap_body_part_is_type (part, "application", "pgp-encrypted"))
    attachment = FALSE;
  else
    attachment = strcmp (part->type, "application") == 0 || strcmp (part->type, "image") == 0 ||
                 strcmp (part->type, "audio") == 0 || strcmp (part->type, "video") == 0 ||
                 strcmp (part->type, "model") == 0 || strcmp (part->type, "font") == 0;

  part->is_attachment = attachment;
  for (guint i = 0; i < part->children->len; i++)
    mark_attachments (g_ptr_array_index (part->children, i), part, i);
}

/**
 * buzon_imap_body_part_decode:
 * @value: a BODYSTRUCTURE (or BODY) list
 * @error: return location for a #GError
 *
 * Decodes a body structure. The top part's section is `TEXT` for a
 * multipart message, `1` otherwise.
 *
 * Returns: (transfer full): the top part, or %NULL with @error set
 */
BuzonImapBodyPart *
buzon_imap_body_part_decode (const BuzonImapValue  *value,
                             GError               **error)
{
  BuzonImapBodyPart *part;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  part = decode_body (value, g_strdup (is_multipart_value (value) ? "TEXT" : "1"), "", 0, error);
  if (part != NULL)
    mark_attachments (part, NULL, 0);
  return part;
}

/**
 * buzon_imap_body_part_is_type:
 * @part: a #BuzonImapBodyPart
 * @type: a lower-case media type
 * @subtype: (nullable): a lower-case subtype, or %NULL for any
 *
 * Returns: whether @part is of that type
 */
gboolean
buzon_imap_body_part_is_type (const BuzonImapBodyPart *part,
                              const char              *type,
                              const char              *subtype)
{
  g_return_val_if_fail (part != NULL, FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  return g_strcmp0 (part->type, type) == 0 &&
         (subtype == NULL || g_strcmp0 (part->subtype, subtype) == 0);
}

/**
 * buzon_imap_body_part_has_attachments:
 * @part: a #BuzonImapBodyPart
 *
 * Returns: whether @part or a part under it is an attachment (not looking
 *   inside attached messages)
 */
gboolean
buzon_imap_body_part_has_attachments (const BuzonImapBodyPart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);

  if (part->is_attachment)
    return TRUE;
  for (guint i = 0; i < part->children->len; i++)
    if (buzon_imap_body_part_has_attachments (g_ptr_array_index (part->children, i)))
      return TRUE;
  return FALSE;
}

/**
 * buzon_imap_body_part_has_alternative:
 * @part: a #BuzonImapBodyPart
 *
 * Returns: whether @part is or has a multipart/alternative (not looking
 *   inside attached messages)
 */
gboolean
buzon_imap_body_part_has_alternative (const BuzonImapBodyPart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);

  if (buzon_imap_body_part_is_type (part, "multipart", "alternative"))
    return TRUE;
  if (strcmp (part->type, "message") == 0)
    return FALSE;
  for (guint i = 0; i < part->children->len; i++)
    if (buzon_imap_body_part_has_alternative (g_ptr_array_index (part->children, i)))
      return TRUE;
  return FALSE;
}

/**
 * buzon_imap_body_part_find_section:
 * @part: a #BuzonImapBodyPart
 * @section: a section, such as `1.2`
 *
 * Returns: (transfer none) (nullable): the part with that section, or %NULL
 */
const BuzonImapBodyPart *
buzon_imap_body_part_find_section (const BuzonImapBodyPart *part,
                                   const char              *section)
{
  g_return_val_if_fail (part != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);

  if (g_ascii_strcasecmp (part->section, section) == 0)
    return part;
  for (guint i = 0; i < part->children->len; i++)
    {
      const BuzonImapBodyPart *found;

      found = buzon_imap_body_part_find_section (g_ptr_array_index (part->children, i), section);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * buzon_imap_body_part_find_text:
 * @part: a #BuzonImapBodyPart
 * @subtype: `plain` or `html`
 *
 * Finds the message's own text of that subtype: the first text/@subtype
 * part that is not an attachment, depth first, not inside attached
 * messages.
 *
 * Returns: (transfer none) (nullable): the part, or %NULL
 */
const BuzonImapBodyPart *
buzon_imap_body_part_find_text (const BuzonImapBodyPart *part,
                                const char              *subtype)
{
  g_return_val_if_fail (part != NULL, NULL);
  g_return_val_if_fail (subtype != NULL, NULL);

  if (part->is_attachment || strcmp (part->type, "message") == 0)
    return NULL;
  if (buzon_imap_body_part_is_type (part, "text", subtype))
    return part;
  for (guint i = 0; i < part->children->len; i++)
    {
      const BuzonImapBodyPart *found;

      found = buzon_imap_body_part_find_text (g_ptr_array_index (part->children, i), subtype);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* FETCH */

static void
fetch_body_free (gpointer data)
{
  BuzonImapFetchBody *body = data;

  g_free (body->section);
  g_clear_pointer (&body->data, buzon_imap_value_unref);
  g_free (body);
}

/**
 * buzon_imap_fetch_free:
 * @fetch: (transfer full) (nullable): a #BuzonImapFetch
 */
void
buzon_imap_fetch_free (BuzonImapFetch *fetch)
{
  if (fetch == NULL)
    return;
  g_strfreev (fetch->flags);
  g_clear_pointer (&fetch->internal_date, g_date_time_unref);
  g_clear_pointer (&fetch->envelope, buzon_imap_envelope_free);
  g_clear_pointer (&fetch->body, buzon_imap_body_part_free);
  g_clear_pointer (&fetch->bodies, g_ptr_array_unref);
  g_clear_pointer (&fetch->attributes, buzon_imap_value_unref);
  g_free (fetch);
}

/* `BODY[section]<origin>`, `BINARY[section]<origin>`, and RFC822,
 * RFC822.HEADER, RFC822.TEXT, which are BODY[], BODY[HEADER], BODY[TEXT]. */
static BuzonImapFetchBody *
parse_body_name (const char *name)
{
  BuzonImapFetchBody *body;
  const char *open, *close, *p;
  gboolean binary;

  if (g_ascii_strcasecmp (name, "RFC822") == 0 || g_ascii_strcasecmp (name, "RFC822.HEADER") == 0 ||
      g_ascii_strcasecmp (name, "RFC822.TEXT") == 0)
    {
      body = g_new0 (BuzonImapFetchBody, 1);
      body->section = g_strdup (name[6] == '\0' ? "" : name[7] == 'H' || name[7] == 'h' ?
                                "HEADER" : "TEXT");
      return body;
    }

  if (g_ascii_strncasecmp (name, "BODY[", 5) == 0)
    binary = FALSE;
  else if (g_ascii_strncasecmp (name, "BINARY[", 7) == 0)
    binary = TRUE;
  else
    return NULL;

  open = strchr (name, '[');
  close = strrchr (name, ']');
  if (close == NULL || close < open)
    return NULL;

  body = g_new0 (BuzonImapFetchBody, 1);
  body->binary = binary;
  body->section = g_strndup (open + 1, close - open - 1);

  p = close + 1;
  if (*p == '<')
    {
      guint64 origin = 0;
      const char *end = p + 1;

      while (g_ascii_isdigit (*end) && origin <= G_MAXUINT32)
        origin = origin * 10 + (*end++ - '0');
      if (end == p + 1 || *end != '>' || end[1] != '\0' || origin > G_MAXUINT32)
        {
          fetch_body_free (body);
          return NULL;
        }
      body->has_origin = TRUE;
      body->origin = (guint32) origin;
    }
  else if (*p != '\0')
    {
      fetch_body_free (body);
      return NULL;
    }

  return body;
}

/**
 * buzon_imap_response_parse_fetch:
 * @response: a `* n FETCH (...)` response
 * @error: return location for a #GError
 *
 * Decodes the message attributes Buzón uses; the others stay in
 * BuzonImapFetch's @attributes.
 *
 * Returns: (transfer full): the decoded attributes, or %NULL with @error set
 */
BuzonImapFetch *
buzon_imap_response_parse_fetch (const BuzonImapResponse  *response,
                                 GError                  **error)
{
  g_autoptr(BuzonImapFetch) fetch = NULL;
  BuzonImapValue *list;
  guint n;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (buzon_imap_response_get_kind (response) != BUZON_IMAP_RESPONSE_UNTAGGED ||
      !buzon_imap_response_is_named (response, "FETCH"))
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                           "Not an untagged IMAP FETCH response");
      return NULL;
    }

  fetch = g_new0 (BuzonImapFetch, 1);
  fetch->bodies = g_ptr_array_new_with_free_func (fetch_body_free);
  if (!buzon_imap_response_get_number (response, &fetch->seq) || fetch->seq == 0)
    {
      set_error (error, "FETCH needs a message number");
      return NULL;
    }

  list = buzon_imap_value_get_child (buzon_imap_response_get_args (response), 0);
  n = buzon_imap_value_get_n_children (list);
  if (!buzon_imap_value_is_list (list) ||
      buzon_imap_value_get_n_children (buzon_imap_response_get_args (response)) != 1 ||
      n % 2 != 0)
    {
      set_error (error, "FETCH needs one list of attribute pairs");
      return NULL;
    }
  fetch->attributes = buzon_imap_value_ref (list);

  for (guint i = 0; i < n; i += 2)
    {
      BuzonImapValue *name_value = buzon_imap_value_get_child (list, i);
      BuzonImapValue *value = buzon_imap_value_get_child (list, i + 1);
      const char *name = buzon_imap_value_get_string (name_value, NULL);
      BuzonImapFetchBody *body;

      if (buzon_imap_value_get_value_type (name_value) != BUZON_IMAP_VALUE_ATOM)
        {
          set_error (error, "expected an attribute name");
          return NULL;
        }

      if (g_ascii_strcasecmp (name, "UID") == 0)
        {
          if (!_buzon_imap_value_get_uint32 (value, TRUE, &fetch->uid))
            {
              set_error (error, "UID must be a non-zero 32-bit number");
              return NULL;
            }
          fetch->items |= BUZON_IMAP_FETCH_UID;
        }
      else if (g_ascii_strcasecmp (name, "FLAGS") == 0)
        {
          g_strfreev (fetch->flags);
          fetch->flags = _buzon_imap_value_dup_atoms (value, FALSE);
          if (fetch->flags == NULL)
            {
              set_error (error, "FLAGS must be a list of flags");
              return NULL;
            }
          fetch->system_flags =
            buzon_imap_system_flags_from_strv ((const char * const *) fetch->flags);
          fetch->items |= BUZON_IMAP_FETCH_FLAGS;
        }
      else if (g_ascii_strcasecmp (name, "INTERNALDATE") == 0)
        {
          const char *text = buzon_imap_value_get_nstring (value);

          g_clear_pointer (&fetch->internal_date, g_date_time_unref);
          if (text != NULL)
            fetch->internal_date = buzon_imap_parse_internal_date (text);
          if (fetch->internal_date == NULL)
            {
              set_error (error, "INTERNALDATE is not a date-time");
              return NULL;
            }
          fetch->items |= BUZON_IMAP_FETCH_INTERNALDATE;
        }
      else if (g_ascii_strcasecmp (name, "RFC822.SIZE") == 0)
        {
          if (!buzon_imap_value_get_number (value, &fetch->size))
            {
              set_error (error, "RFC822.SIZE must be a number");
              return NULL;
            }
          fetch->items |= BUZON_IMAP_FETCH_RFC822_SIZE;
        }
      else if (g_ascii_strcasecmp (name, "MODSEQ") == 0)
        {
          /* CONDSTORE: MODSEQ (n) */
          if (buzon_imap_value_get_n_children (value) != 1 ||
              !buzon_imap_value_get_number (buzon_imap_value_get_child (value, 0), &fetch->modseq))
            {
              set_error (error, "MODSEQ must be (number)");
              return NULL;
            }
          fetch->items |= BUZON_IMAP_FETCH_MODSEQ;
        }
      else if (g_ascii_strcasecmp (name, "ENVELOPE") == 0)
        {
          g_clear_pointer (&fetch->envelope, buzon_imap_envelope_free);
          fetch->envelope = buzon_imap_envelope_decode (value, error);
          if (fetch->envelope == NULL)
            return NULL;
          fetch->items |= BUZON_IMAP_FETCH_ENVELOPE;
        }
      else if (g_ascii_strcasecmp (name, "BODYSTRUCTURE") == 0 ||
               (g_ascii_strcasecmp (name, "BODY") == 0 && fetch->body == NULL))
        {
          g_clear_pointer (&fetch->body, buzon_imap_body_part_free);
          fetch->body = buzon_imap_body_part_decode (value, error);
          if (fetch->body == NULL)
            return NULL;
          fetch->items |= BUZON_IMAP_FETCH_BODYSTRUCTURE;
        }
      else if (g_ascii_strcasecmp (name, "BODY") != 0 && (body = parse_body_name (name)) != NULL)
        {
          if (buzon_imap_value_is_list (value))
            {
              fetch_body_free (body);
              {
              set_error (error, "body section data must be a string or NIL");
              return NULL;
            }
            }
          body->data = buzon_imap_value_ref (value);
          g_ptr_array_add (fetch->bodies, body);
          fetch->items |= BUZON_IMAP_FETCH_BODY_SECTION;
        }
    }

  return g_steal_pointer (&fetch);
}

/* Section specs compare case-insensitively and ignore how they are spaced
 * ("HEADER.FIELDS (A B)" is "header.fields  (a b)"). */
static gboolean
section_equal (const char *a,
               const char *b)
{
  for (;;)
    {
      while (*a == ' ')
        a++;
      while (*b == ' ')
        b++;
      if (*a == '\0' || *b == '\0')
        return *a == *b;
      if (g_ascii_tolower (*a) != g_ascii_tolower (*b))
        return FALSE;
      a++;
      b++;
    }
}

/**
 * buzon_imap_fetch_get_body:
 * @fetch: a #BuzonImapFetch
 * @section: a section spec such as `""`, `HEADER.FIELDS (REFERENCES)` or
 *   `1.2`
 *
 * Returns: (transfer none) (nullable): the first BODY[] or BINARY[] item
 *   with that section, or %NULL
 */
const BuzonImapFetchBody *
buzon_imap_fetch_get_body (const BuzonImapFetch *fetch,
                           const char           *section)
{
  g_return_val_if_fail (fetch != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);

  for (guint i = 0; i < fetch->bodies->len; i++)
    {
      const BuzonImapFetchBody *body = g_ptr_array_index (fetch->bodies, i);

      if (section_equal (body->section, section))
        return body;
    }
  return NULL;
}

/**
 * buzon_imap_fetch_get_attribute:
 * @fetch: a #BuzonImapFetch
 * @name: an attribute name, such as `X-GM-MSGID` (case-insensitive)
 *
 * Returns: (transfer none) (nullable): the value of that attribute, or %NULL
 */
BuzonImapValue *
buzon_imap_fetch_get_attribute (const BuzonImapFetch *fetch,
                                const char           *name)
{
  guint n;

  g_return_val_if_fail (fetch != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = buzon_imap_value_get_n_children (fetch->attributes);
  for (guint i = 0; i + 1 < n; i += 2)
    {
      const char *key = buzon_imap_value_get_string (buzon_imap_value_get_child (fetch->attributes,
                                                                                 i), NULL);

      if (key != NULL && g_ascii_strcasecmp (key, name) == 0)
        return buzon_imap_value_get_child (fetch->attributes, i + 1);
    }
  return NULL;
}
