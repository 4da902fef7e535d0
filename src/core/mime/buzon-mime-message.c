/* buzon-mime-message.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMimeMessage: the parsed view of one stored RFC 5322 message, what
 * the reader shows and what the summary and the search index are made of.
 *
 * It never fails: a message GMime cannot read is "broken" and still offers
 * its source. Everything it keeps is bounded (see buzon-mime-message.h):
 * parts are not copied (GMime keeps offsets into the caller's bytes), sizes
 * are counted by decoding into a null stream, bodies are read up to a limit.
 *
 * Text charsets, in this order (first that works):
 *   1. declared UTF-8 (or a label of it), when the bytes are valid UTF-8;
 *   2. UTF-8, when the bytes are valid UTF-8 with 8-bit content and the
 *      label is missing, US-ASCII, ISO-8859-1 or windows-1252: labels that
 *      cannot fail and are the ones most often wrong (a stray UTF-8 sequence
 *      in real Latin-1 text is very unlikely);
 *   3. the declared charset, when iconv knows it and converts without error;
 *   4. UTF-8, when the bytes are valid UTF-8 (an unknown or wrong label);
 *   5. windows-1252 (what "ISO-8859-1" and unlabelled 8-bit mail usually is);
 *   6. ISO-8859-1, which cannot fail (windows-1252 leaves five bytes undefined).
 * NUL bytes become U+FFFD and CRLF becomes LF.
 *
 * Not thread-safe: one thread at a time (sizes and nested messages are
 * computed on first use).
 */

#define G_LOG_DOMAIN "buzon-mime"

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "buzon-mime-message.h"
#include "buzon-mime-private.h"

struct _BuzonMimePart
{
  char                *id;
  char                *content_type;
  char                *filename;
  char                *content_id;
  BuzonMimeDisposition disposition;
  gint64               size;  /* -1 until asked for */
  guint                depth;
  guint                inline_image : 1;
  guint                attachment : 1;
  guint                message : 1;
  guint                opaque : 1;
  GMimeObject         *object;  /* (owned) */
};

struct _BuzonMimeMessage
{
  GObject       parent_instance;

  GBytes       *raw;      /* the source; for a nested message, made on demand */
  GMimeMessage *message;  /* NULL when broken */
  guint         base_depth;
  gboolean      broken;

  char         *subject;
  GPtrArray    *from;
  GPtrArray    *to;
  GPtrArray    *cc;
  GPtrArray    *reply_to;
  GDateTime    *date;
  char         *message_id;
  char         *in_reply_to;
  GStrv         references;

  char         *body_text;
  char         *body_html;
  gboolean      body_truncated;

  GPtrArray    *parts;        /* (element-type BuzonMimePart) */
  GPtrArray    *attachments;  /* (element-type BuzonMimePart) (not owned) */
  guint         n_unlisted;
  GHashTable   *nested;       /* part id → BuzonMimeMessage */
};

G_DEFINE_FINAL_TYPE (BuzonMimeMessage, buzon_mime_message, G_TYPE_OBJECT)

/* How much of In-Reply-To and References is read for their ids: room for
 * BUZON_MIME_MAX_REFERENCES ids of a usual length. */
#define REFERENCES_SCAN_BYTES (BUZON_MIME_MAX_REFERENCES * 256)

/* What the tree walk needs to know about where a leaf sits. */
typedef enum {
  PLACE_PLAIN,
  PLACE_ALTERNATIVE,  /* inside multipart/alternative: its texts are the body */
  PLACE_SIGNATURE,    /* the signature of multipart/signed */
} Place;

typedef struct {
  GMimeObject *plain;
  GMimeObject *html;
  GHashTable  *cids;   /* cid: references of the HTML body */
  GPtrArray   *extra;  /* unnamed inline text/plain parts after the body */
} Walk;

/* Helpers */

static void
address_free (gpointer data)
{
  BuzonMimeAddress *address = data;

  g_free (address->name);
  g_free (address->address);
  g_free (address);
}

static void
part_free (gpointer data)
{
  BuzonMimePart *part = data;

  g_free (part->id);
  g_free (part->content_type);
  g_free (part->filename);
  g_free (part->content_id);
  g_clear_object (&part->object);
  g_free (part);
}

/* A header value fit for one line of display: valid UTF-8, controls as
 * spaces, at most BUZON_MIME_MAX_HEADER_BYTES bytes (cut on a character). */
static char *
clip_header (const char *value)
{
  g_autofree char *valid = NULL;
  gsize len;

  if (value == NULL)
    return NULL;

  len = strnlen (value, BUZON_MIME_MAX_HEADER_BYTES + 4);
  valid = g_utf8_make_valid (value, MIN (len, BUZON_MIME_MAX_HEADER_BYTES + 4));
  if (strlen (valid) > BUZON_MIME_MAX_HEADER_BYTES)
    {
      const char *end = valid + BUZON_MIME_MAX_HEADER_BYTES;

      while (end > valid && (*end & 0xc0) == 0x80)
        end--;
      valid[end - valid] = '\0';
    }
  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  g_strstrip (valid);

  return g_steal_pointer (&valid);
}

static void
add_addresses (GPtrArray           *out,
               InternetAddressList *list,
               guint                level)
{
  int count;

  if (list == NULL || level > 1)
    return;

  count = internet_address_list_length (list);
  for (int i = 0; i < count && out->len < BUZON_MIME_MAX_ADDRESSES; i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_GROUP (ia))
        add_addresses (out, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)),
                       level + 1);
      else if (INTERNET_ADDRESS_IS_MAILBOX (ia))
        {
          BuzonMimeAddress *address = g_new0 (BuzonMimeAddress, 1);
          const char *name = internet_address_get_name (ia);
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));

          address->name = clip_header (name);
          if (address->name != NULL && *address->name == '\0')
            g_clear_pointer (&address->name, g_free);
          address->address = clip_header (addr != NULL ? addr : "");
          g_ptr_array_add (out, address);
        }
    }
}

static GPtrArray *
read_addresses (InternetAddressList *list)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (address_free);

  add_addresses (out, list, 0);
  return out;
}

static gboolean
is_type (GMimeObject *object,
         const char  *type,
         const char  *subtype)
{
  GMimeContentType *content_type = g_mime_object_get_content_type (object);

  return content_type != NULL && g_mime_content_type_is_type (content_type, type, subtype);
}

static BuzonMimeDisposition
disposition_of (GMimeObject *object)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);
  const char *value;

  if (disposition == NULL ||
      (value = g_mime_content_disposition_get_disposition (disposition)) == NULL)
    return BUZON_MIME_DISPOSITION_NONE;
  if (g_ascii_strcasecmp (value, "inline") == 0)
    return BUZON_MIME_DISPOSITION_INLINE;
  /* RFC 2183 §2.8: an unknown disposition is treated as an attachment. */
  return BUZON_MIME_DISPOSITION_ATTACHMENT;
}

static const char *
filename_of (GMimeObject *object)
{
  return GMIME_IS_PART (object) ? g_mime_part_get_filename (GMIME_PART (object)) : NULL;
}

/* A text part that may be (part of) the body. */
static gboolean
is_body_text (GMimeObject *object,
              const char  *subtype)
{
  return GMIME_IS_TEXT_PART (object) && is_type (object, "text", subtype) &&
         disposition_of (object) != BUZON_MIME_DISPOSITION_ATTACHMENT;
}

/* The root of multipart/related: the part named by start= (RFC 2387 §3.2),
 * else the first. */
static GMimeObject *
related_root (GMimeMultipart *multipart)
{
  const char *start = g_mime_content_type_get_parameter (
    g_mime_object_get_content_type (GMIME_OBJECT (multipart)), "start");
  int count = g_mime_multipart_get_count (multipart);

  if (count == 0)
    return NULL;
  if (start != NULL)
    {
      g_autofree char *id = g_strdup (start);

      g_strstrip (id);
      if (id[0] == '<' && id[strlen (id) - 1] == '>')
        {
          id[strlen (id) - 1] = '\0';
          memmove (id, id + 1, strlen (id));
        }
      for (int i = 0; i < count; i++)
        {
          GMimeObject *child = g_mime_multipart_get_part (multipart, i);
          const char *cid = g_mime_object_get_content_id (child);

          if (cid != NULL && strcmp (cid, id) == 0)
            return child;
        }
    }
  return g_mime_multipart_get_part (multipart, 0);
}

/* Finds the body: the last text/plain and text/html alternatives of
 * multipart/alternative (RFC 2046 §5.1.4: the last is the richest), the
 * root of multipart/related, the signed part of multipart/signed, and
 * otherwise the first part that has a body. */
static void
choose_body (GMimeObject  *object,
             guint         depth,
             GMimeObject **plain,
             GMimeObject **html)
{
  if (object == NULL || depth >= BUZON_MIME_MAX_DEPTH || GMIME_IS_MESSAGE_PART (object))
    return;

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      if (is_type (object, "multipart", "alternative"))
        {
          for (int i = 0; i < count; i++)
            {
              GMimeObject *child = g_mime_multipart_get_part (multipart, i);
              GMimeObject *p = NULL, *h = NULL;

              if (is_body_text (child, "plain"))
                *plain = child;
              else if (is_body_text (child, "html"))
                *html = child;
              else if (GMIME_IS_MULTIPART (child))
                {
                  choose_body (child, depth + 1, &p, &h);
                  if (h != NULL)
                    *html = h;
                  if (p != NULL)
                    *plain = p;
                }
            }
          return;
        }

      if (is_type (object, "multipart", "related"))
        {
          choose_body (related_root (multipart), depth + 1, plain, html);
          return;
        }

      if (is_type (object, "multipart", "encrypted"))
        return;

      if (is_type (object, "multipart", "signed"))
        {
          if (count > 0)
            choose_body (g_mime_multipart_get_part (multipart, 0), depth + 1, plain, html);
          return;
        }

      for (int i = 0; i < count; i++)
        {
          GMimeObject *child = g_mime_multipart_get_part (multipart, i);

          if (disposition_of (child) == BUZON_MIME_DISPOSITION_ATTACHMENT)
            continue;
          choose_body (child, depth + 1, plain, html);
          if (*plain != NULL || *html != NULL)
            return;
        }
      return;
    }

  if (is_body_text (object, "plain"))
    *plain = object;
  else if (is_body_text (object, "html"))
    *html = object;
}

/* Decoding text */

/* A stream of @part's decoded content, read from where GMime keeps it
 * (no copy); NULL when it has none. */
static GMimeStream *
open_decoded (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *source;
  GMimeStream *filtered;
  GMimeContentEncoding encoding;

  if (content == NULL || (source = g_mime_data_wrapper_get_stream (content)) == NULL)
    return NULL;

  g_mime_stream_reset (source);
  filtered = g_mime_stream_filter_new (source);
  encoding = g_mime_data_wrapper_get_encoding (content);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
      encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      encoding == GMIME_CONTENT_ENCODING_UUENCODE)
    {
      GMimeFilter *filter = g_mime_filter_basic_new (encoding, FALSE);

      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
      g_object_unref (filter);
    }
  return filtered;
}

/* Reads @part's decoded content, at most @limit bytes. */
static GByteArray *
read_decoded (GMimePart *part,
              gsize      limit,
              gboolean  *truncated)
{
  GByteArray *out = g_byte_array_new ();
  GMimeStream *filtered = open_decoded (part);
  char buffer[16384];
  gssize n;

  *truncated = FALSE;
  if (filtered == NULL)
    return out;

  while ((n = g_mime_stream_read (filtered, buffer, sizeof buffer)) > 0)
    {
      gsize room = limit - out->len;

      g_byte_array_append (out, (const guint8 *) buffer, MIN ((gsize) n, room));
      if ((gsize) n > room)
        {
          *truncated = TRUE;
          break;
        }
    }
  g_object_unref (filtered);

  return out;
}

static gboolean
is_utf8_label (const char *charset)
{
  return charset != NULL &&
         (g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0);
}

static gboolean
is_weak_label (const char *iconv_name)
{
  static const char *weak[] = { "us-ascii", "ascii", "ansi_x3.4-1968", "iso-8859-1",
                                "iso8859-1", "latin1", "cp1252", "windows-1252" };

  if (iconv_name == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    if (g_ascii_strcasecmp (iconv_name, weak[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Valid UTF-8, allowing a character cut at the end of truncated data
 * (which is then dropped from *len). */
static gboolean
valid_utf8 (const char *data,
            gsize      *len,
            gboolean    truncated)
{
  const char *end;

  if (g_utf8_validate_len (data, *len, &end))
    return TRUE;
  /* NUL bytes are not "invalid" for mail text: allow them here, they are
   * replaced later. */
  while (end < data + *len && *end == '\0')
    {
      gsize rest = *len - (end - data) - 1;

      if (g_utf8_validate_len (end + 1, rest, &end))
        return TRUE;
    }
  if (truncated && data + *len - end < 4)
    {
      *len = end - data;
      return TRUE;
    }
  return FALSE;
}

static gboolean
has_8bit (const guint8 *data,
          gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] & 0x80)
      return TRUE;
  return FALSE;
}

static char *
convert (const char *data,
         gsize       len,
         const char *charset,
         gsize      *out_len)
{
  gsize read = 0;
  char *out = g_convert (data, len, "UTF-8", charset, &read, out_len, NULL);

  if (out != NULL && read < len)
    g_clear_pointer (&out, g_free);  /* a partial character at the end */
  return out;
}

/* The text, in UTF-8, without NUL bytes and with LF line ends. */
static char *
tidy_text (const char *utf8,
           gsize       len)
{
  GString *out = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      if (utf8[i] == '\0')
        g_string_append (out, "\xef\xbf\xbd");
      else if (utf8[i] == '\r' && i + 1 < len && utf8[i + 1] == '\n')
        continue;
      else
        g_string_append_c (out, utf8[i]);
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return valid;
    }
  return g_string_free (out, FALSE);
}

/* See the charset order at the top of this file. */
static char *
to_utf8 (GByteArray *bytes,
         const char *declared,
         gboolean    truncated)
{
  const char *data = (const char *) bytes->data;
  const char *iconv_name = declared != NULL ? g_mime_charset_iconv_name (declared) : NULL;
  gsize len = bytes->len;
  gsize valid_len = len;
  gboolean utf8 = valid_utf8 (data, &valid_len, truncated);
  g_autofree char *converted = NULL;
  gsize converted_len = 0;

  if (data == NULL)
    return g_strdup ("");

  if (utf8 && (is_utf8_label (declared) || is_utf8_label (iconv_name) ||
               (is_weak_label (iconv_name) && has_8bit (bytes->data, valid_len))))
    return tidy_text (data, valid_len);

  if (iconv_name != NULL && !is_utf8_label (iconv_name) &&
      (converted = convert (data, len, iconv_name, &converted_len)) != NULL)
    return tidy_text (converted, converted_len);

  if (utf8)
    return tidy_text (data, valid_len);

  if ((converted = convert (data, len, "WINDOWS-1252", &converted_len)) != NULL ||
      (converted = convert (data, len, "ISO-8859-1", &converted_len)) != NULL)
    return tidy_text (converted, converted_len);

  return tidy_text (data, len);
}

/* RFC 3676 §4.2: joins flowed lines, removes space-stuffing, keeps quote
 * levels; @delsp deletes the space before a soft break. */
static char *
unflow (const char *text,
        gboolean    delsp)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);
  gboolean open = FALSE;   /* a flowed paragraph continues */
  guint open_depth = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      guint depth = 0;
      gsize len;
      gboolean flowed;

      if (lines[i + 1] == NULL && *line == '\0')
        break;  /* the empty string after the final line break */

      while (line[depth] == '>')
        depth++;
      line += depth;
      if (*line == ' ')
        line++;  /* space-stuffing (§4.4) */
      len = strlen (line);
      flowed = len > 0 && line[len - 1] == ' ' && strcmp (line, "-- ") != 0;

      if (open && depth != open_depth)
        g_string_append_c (out, '\n');  /* §4.5: a quote level change ends it */
      if (!open || depth != open_depth)
        {
          for (guint d = 0; d < depth; d++)
            g_string_append_c (out, '>');
          if (depth > 0)
            g_string_append_c (out, ' ');
        }

      g_string_append_len (out, line, flowed && delsp ? len - 1 : len);
      open = flowed;
      open_depth = depth;
      if (!flowed)
        g_string_append_c (out, '\n');
    }
  if (open)
    g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

/* The charset an HTML document names in its <meta> (HTML §4.2.5), looked
 * for in its first 2048 bytes as browsers do. */
static char *
html_meta_charset (GByteArray *bytes)
{
  g_autofree char *head = g_ascii_strdown ((const char *) bytes->data, MIN (bytes->len, 2048));
  const char *p = head;

  while ((p = strstr (p, "charset=")) != NULL)
    {
      const char *start = p + strlen ("charset=");
      const char *end;

      if (*start == '"' || *start == '\'')
        start++;
      for (end = start; *end != '\0'; end++)
        if (!g_ascii_isalnum (*end) && strchr ("-_:.", *end) == NULL)
          break;
      if (end > start && g_strstr_len (head, p - head, "<meta") != NULL)
        return g_strndup (start, end - start);
      p = end;
    }
  return NULL;
}

static char *
decode_text (GMimeObject *object,
             gsize        limit,
             gboolean    *truncated)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  g_autoptr(GByteArray) bytes = read_decoded (GMIME_PART (object), limit, truncated);
  const char *declared = g_mime_content_type_get_parameter (type, "charset");
  g_autofree char *meta = NULL;
  char *text;

  if ((declared == NULL || *declared == '\0') && bytes->len > 0 &&
      g_mime_content_type_is_type (type, "text", "html"))
    declared = meta = html_meta_charset (bytes);
  text = to_utf8 (bytes, declared, *truncated);
  const char *format = g_mime_content_type_get_parameter (type, "format");

  if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0 &&
      g_mime_content_type_is_type (type, "text", "plain"))
    {
      const char *delsp = g_mime_content_type_get_parameter (type, "delsp");
      char *unflowed = unflow (text, delsp != NULL && g_ascii_strcasecmp (delsp, "yes") == 0);

      g_free (text);
      text = unflowed;
    }

  return text;
}

/* The cid: URLs of an HTML body (RFC 2392), %-decoded. */
static GHashTable *
find_cids (const char *html)
{
  GHashTable *cids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *p = html;

  while (p != NULL && (p = strstr (p, "cid:")) != NULL)
    {
      const char *start = p + 4;
      const char *end = start;

      while (*end != '\0' && strchr ("\"' <>()\t\r\n", *end) == NULL)
        end++;
      if (end > start && g_hash_table_size (cids) < BUZON_MIME_MAX_PARTS)
        {
          g_autofree char *raw = g_strndup (start, end - start);
          char *id = g_uri_unescape_string (raw, NULL);

          g_hash_table_add (cids, id != NULL ? id : g_steal_pointer (&raw));
        }
      p = end;
    }
  return cids;
}

/* Listing parts */

static void
add_leaf (BuzonMimeMessage *self,
          Walk             *walk,
          GMimeObject      *object,
          const char       *id,
          guint             depth,
          Place             place)
{
  BuzonMimePart *part;
  GMimeContentType *type = g_mime_object_get_content_type (object);
  char *mime_type;
  gboolean body;
  gboolean referenced = FALSE;

  if (self->parts->len >= BUZON_MIME_MAX_PARTS)
    {
      self->n_unlisted++;
      return;
    }

  part = g_new0 (BuzonMimePart, 1);
  part->id = g_strdup (id);
  mime_type = type != NULL ? g_mime_content_type_get_mime_type (type)
                            : g_strdup ("application/octet-stream");
  part->content_type = g_ascii_strdown (mime_type, -1);
  g_free (mime_type);
  part->filename = clip_header (filename_of (object));
  part->content_id = clip_header (g_mime_object_get_content_id (object));
  part->disposition = disposition_of (object);
  part->size = -1;
  part->depth = depth;
  part->object = g_object_ref (object);
  part->opaque = GMIME_IS_MULTIPART (object) ||
                 (GMIME_IS_MESSAGE_PART (object) && depth + 1 >= BUZON_MIME_MAX_DEPTH);
  part->message = GMIME_IS_MESSAGE_PART (object) && !part->opaque &&
                  g_mime_message_part_get_message (GMIME_MESSAGE_PART (object)) != NULL;

  body = object == walk->plain || object == walk->html;
  if (part->content_id != NULL)
    referenced = g_hash_table_contains (walk->cids, part->content_id);
  part->inline_image = g_str_has_prefix (part->content_type, "image/") && !part->opaque &&
                       (referenced || part->disposition == BUZON_MIME_DISPOSITION_INLINE);

  if (body || place == PLACE_SIGNATURE)
    part->attachment = FALSE;
  else if (part->opaque || part->message)
    part->attachment = TRUE;
  else if (place == PLACE_ALTERNATIVE &&
           (is_body_text (object, "plain") || is_body_text (object, "html")))
    part->attachment = FALSE;  /* the alternative the user can switch to */
  else if (part->inline_image && referenced)
    part->attachment = FALSE;  /* shown in the HTML */
  else if (is_body_text (object, "plain") && part->filename == NULL)
    {
      /* An unnamed inline text after the body (a list footer, Apple Mail's
       * text around inline pictures) reads as more of the body. */
      part->attachment = FALSE;
      g_ptr_array_add (walk->extra, object);
    }
  else
    part->attachment = TRUE;

  g_ptr_array_add (self->parts, part);
  if (part->attachment)
    g_ptr_array_add (self->attachments, part);
}

static void
list_object (BuzonMimeMessage *self,
             Walk             *walk,
             GMimeObject      *object,
             const char       *id,
             guint             depth,
             Place             place)
{
  if (object == NULL)
    return;

  if (GMIME_IS_MULTIPART (object) && depth < BUZON_MIME_MAX_DEPTH)
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);
      gboolean alternative = is_type (object, "multipart", "alternative");
      gboolean is_signed = is_type (object, "multipart", "signed");

      for (int i = 0; i < count; i++)
        {
          g_autofree char *child_id = id != NULL ? g_strdup_printf ("%s.%d", id, i + 1)
                                                 : g_strdup_printf ("%d", i + 1);
          Place child_place = place;

          if (alternative)
            child_place = PLACE_ALTERNATIVE;
          else if (is_signed)
            child_place = i == 1 ? PLACE_SIGNATURE : PLACE_PLAIN;
          else if (place != PLACE_ALTERNATIVE)
            child_place = PLACE_PLAIN;
          list_object (self, walk, g_mime_multipart_get_part (multipart, i), child_id,
                       depth + 1, child_place);
        }
      return;
    }

  add_leaf (self, walk, object, id != NULL ? id : "1", depth, place);
}

/* Building */

static void
read_headers (BuzonMimeMessage *self)
{
  GMimeMessage *message = self->message;
  const char *value;
  GDateTime *date;

  self->subject = clip_header (g_mime_message_get_subject (message));
  self->from = read_addresses (g_mime_message_get_from (message));
  self->to = read_addresses (g_mime_message_get_to (message));
  self->cc = read_addresses (g_mime_message_get_cc (message));
  self->reply_to = read_addresses (g_mime_message_get_reply_to (message));
  date = g_mime_message_get_date (message);
  if (date != NULL)
    self->date = g_date_time_ref (date);
  self->message_id = clip_header (g_mime_message_get_message_id (message));
  if (self->message_id != NULL && *self->message_id == '\0')
    g_clear_pointer (&self->message_id, g_free);

  value = g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To");
  if (value != NULL)
    {
      /* Its first id is enough: read the start of a header of any size. */
      g_autofree char *head = g_strndup (value, REFERENCES_SCAN_BYTES);
      GMimeReferences *refs = g_mime_references_parse (NULL, head);

      if (refs != NULL && g_mime_references_length (refs) > 0)
        self->in_reply_to = clip_header (g_mime_references_get_message_id (refs, 0));
      g_clear_pointer (&refs, g_mime_references_free);
    }

  value = g_mime_object_get_header (GMIME_OBJECT (message), "References");
  if (value != NULL)
    {
      /* Only the last ids are kept: parse the end of a huge header, from
       * an id's start, rather than all of it. */
      gsize len = strlen (value);
      const char *tail = value + (len > REFERENCES_SCAN_BYTES ? len - REFERENCES_SCAN_BYTES : 0);
      GMimeReferences *refs;

      if (tail > value && strchr (tail, '<') != NULL)
        tail = strchr (tail, '<');
      refs = g_mime_references_parse (NULL, tail);
      int count = refs != NULL ? g_mime_references_length (refs) : 0;
      /* The last ones are the nearest ancestors, what threading needs. */
      int first = MAX (0, count - BUZON_MIME_MAX_REFERENCES);
      GPtrArray *ids = g_ptr_array_new ();

      for (int i = first; i < count; i++)
        {
          char *id = clip_header (g_mime_references_get_message_id (refs, i));

          if (id != NULL && *id != '\0')
            g_ptr_array_add (ids, id);
          else
            g_free (id);
        }
      g_ptr_array_add (ids, NULL);
      self->references = (GStrv) g_ptr_array_free (ids, FALSE);
      g_clear_pointer (&refs, g_mime_references_free);
    }
  if (self->references == NULL)
    self->references = g_new0 (char *, 1);
}

static void
read_body_and_parts (BuzonMimeMessage *self)
{
  GMimeObject *root = g_mime_message_get_mime_part (self->message);
  Walk walk = { NULL, };
  gboolean truncated = FALSE;

  choose_body (root, self->base_depth, &walk.plain, &walk.html);
  if (walk.html != NULL)
    {
      self->body_html = decode_text (walk.html, BUZON_MIME_MAX_BODY_BYTES, &truncated);
      self->body_truncated |= truncated;
    }
  if (walk.plain != NULL)
    {
      self->body_text = decode_text (walk.plain, BUZON_MIME_MAX_BODY_BYTES, &truncated);
      self->body_truncated |= truncated;
    }

  walk.cids = find_cids (self->body_html);
  walk.extra = g_ptr_array_new ();
  list_object (self, &walk, root, NULL, self->base_depth, PLACE_PLAIN);

  /* More inline text after a plain body belongs to it (within the bound). */
  if (walk.html == NULL && walk.extra->len > 0)
    {
      GString *text = g_string_new (self->body_text);

      for (guint i = 0; i < walk.extra->len && text->len < BUZON_MIME_MAX_BODY_BYTES; i++)
        {
          g_autofree char *more = decode_text (walk.extra->pdata[i],
                                               BUZON_MIME_MAX_BODY_BYTES - text->len, &truncated);

          self->body_truncated |= truncated;
          if (text->len > 0 && text->str[text->len - 1] != '\n')
            g_string_append_c (text, '\n');
          g_string_append (text, more);
        }
      g_free (self->body_text);
      self->body_text = g_string_free (text, FALSE);
    }

  g_hash_table_unref (walk.cids);
  g_ptr_array_unref (walk.extra);
}

static BuzonMimeMessage *
message_new (GBytes       *raw,
             GMimeMessage *message,
             guint         base_depth)
{
  BuzonMimeMessage *self = g_object_new (BUZON_TYPE_MIME_MESSAGE, NULL);

  self->raw = raw != NULL ? g_bytes_ref (raw) : NULL;
  self->base_depth = base_depth;

  /* GMime returns a message for almost anything; one without a single
   * header is not mail it could read. */
  if (message == NULL ||
      g_mime_header_list_get_count (g_mime_object_get_header_list (GMIME_OBJECT (message))) == 0)
    {
      self->broken = TRUE;
      self->from = g_ptr_array_new_with_free_func (address_free);
      self->to = g_ptr_array_new_with_free_func (address_free);
      self->cc = g_ptr_array_new_with_free_func (address_free);
      self->reply_to = g_ptr_array_new_with_free_func (address_free);
      self->references = g_new0 (char *, 1);
      return self;
    }

  self->message = g_object_ref (message);
  read_headers (self);
  read_body_and_parts (self);

  return self;
}

/* GObject */

static void
buzon_mime_message_finalize (GObject *object)
{
  BuzonMimeMessage *self = BUZON_MIME_MESSAGE (object);

  g_clear_pointer (&self->nested, g_hash_table_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->parts, g_ptr_array_unref);
  g_clear_object (&self->message);
  g_clear_pointer (&self->raw, g_bytes_unref);
  g_free (self->subject);
  g_clear_pointer (&self->from, g_ptr_array_unref);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->reply_to, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->message_id);
  g_free (self->in_reply_to);
  g_strfreev (self->references);
  g_free (self->body_text);
  g_free (self->body_html);

  G_OBJECT_CLASS (buzon_mime_message_parent_class)->finalize (object);
}

static void
buzon_mime_message_class_init (BuzonMimeMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = buzon_mime_message_finalize;
}

static void
buzon_mime_message_init (BuzonMimeMessage *self)
{
  self->parts = g_ptr_array_new_with_free_func (part_free);
  self->attachments = g_ptr_array_new ();
  self->nested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* Public API */

/**
 * buzon_mime_message_new_from_bytes:
 * @raw: a stored RFC 5322 message
 *
 * Parses @raw. Never fails: see buzon_mime_message_is_broken(). @raw is
 * referenced, not copied, for as long as the message or any part of it lives.
 *
 * Returns: (transfer full): the message
 */
BuzonMimeMessage *
buzon_mime_message_new_from_bytes (GBytes *raw)
{
  g_autoptr(GBytes) empty = NULL;
  GMimeMessage *message;
  BuzonMimeMessage *self;

  if (raw == NULL)
    raw = empty = g_bytes_new (NULL, 0);

  message = _buzon_mime_parse (raw);
  self = message_new (raw, message, 0);
  g_clear_object (&message);

  return self;
}

/**
 * buzon_mime_message_is_broken:
 * @self: a message
 *
 * Returns: %TRUE when GMime could not read it; it has no headers or
 *   parts then, only its source (buzon_mime_message_dup_source())
 */
gboolean
buzon_mime_message_is_broken (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), TRUE);

  return self->broken;
}

/**
 * buzon_mime_message_get_raw:
 * @self: a message
 *
 * Returns: (transfer none): its bytes (for a nested message, the attached
 *   message as GMime writes it)
 */
GBytes *
buzon_mime_message_get_raw (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);

  if (self->raw == NULL)
    {
      GMimeStream *stream = g_mime_stream_mem_new ();
      GByteArray *array;

      if (self->message != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (self->message), NULL, stream);
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
      g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
      g_object_unref (stream);
      self->raw = g_byte_array_free_to_bytes (array);
    }

  return self->raw;
}

/**
 * buzon_mime_message_dup_source:
 * @self: a message
 * @max_bytes: the most bytes of source to show, 0 for all
 *
 * Returns: (transfer full): the message's source as valid UTF-8 (bytes that
 *   are not UTF-8, and NUL, as U+FFFD), for "View source"
 */
char *
buzon_mime_message_dup_source (BuzonMimeMessage *self,
                               gsize             max_bytes)
{
  GBytes *raw;
  gsize size;
  const char *data;

  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);

  raw = buzon_mime_message_get_raw (self);
  data = g_bytes_get_data (raw, &size);
  if (max_bytes > 0 && size > max_bytes)
    size = max_bytes;
  if (size == 0)
    return g_strdup ("");

  return g_utf8_make_valid (data, size);
}

/**
 * buzon_mime_message_get_subject:
 * @self: a message
 *
 * Returns: (nullable): the decoded subject, one line, bounded
 */
const char *
buzon_mime_message_get_subject (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->subject;
}

/**
 * buzon_mime_message_get_from:
 * @self: a message
 *
 * Returns: (transfer none) (element-type BuzonMimeAddress): the From
 *   addresses, maybe none; likewise _get_to(), _get_cc(), _get_reply_to()
 */
GPtrArray *
buzon_mime_message_get_from (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->from;
}

GPtrArray *
buzon_mime_message_get_to (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->to;
}

GPtrArray *
buzon_mime_message_get_cc (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->cc;
}

GPtrArray *
buzon_mime_message_get_reply_to (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->reply_to;
}

/**
 * buzon_mime_message_get_date:
 * @self: a message
 *
 * Returns: (transfer none) (nullable): the Date header, %NULL when missing
 *   or unreadable
 */
GDateTime *
buzon_mime_message_get_date (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->date;
}

/**
 * buzon_mime_message_get_message_id:
 * @self: a message
 *
 * Returns: (nullable): the Message-ID without angle brackets; likewise
 *   _get_in_reply_to() (the first id of In-Reply-To)
 */
const char *
buzon_mime_message_get_message_id (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
buzon_mime_message_get_in_reply_to (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->in_reply_to;
}

/**
 * buzon_mime_message_get_references:
 * @self: a message
 *
 * Returns: (transfer none): the ids of References, oldest first, without
 *   angle brackets (the last BUZON_MIME_MAX_REFERENCES); maybe empty
 */
const char * const *
buzon_mime_message_get_references (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return (const char * const *) self->references;
}

/**
 * buzon_mime_message_get_body_text:
 * @self: a message
 *
 * Returns: (nullable): the plain text body in UTF-8 (format=flowed
 *   joined), %NULL when the message has none
 */
const char *
buzon_mime_message_get_body_text (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->body_text;
}

/**
 * buzon_mime_message_get_body_html:
 * @self: a message
 *
 * Returns: (nullable): the HTML body in UTF-8, %NULL when there is none.
 *   Shown by default when present; the plain text, when there is one too,
 *   is the alternative the user can switch to.
 */
const char *
buzon_mime_message_get_body_html (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->body_html;
}

/**
 * buzon_mime_message_get_body_truncated:
 * @self: a message
 *
 * Returns: %TRUE when a body was longer than BUZON_MIME_MAX_BODY_BYTES and
 *   was cut
 */
gboolean
buzon_mime_message_get_body_truncated (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), FALSE);
  return self->body_truncated;
}

/**
 * buzon_mime_message_dup_index_text:
 * @self: a message
 *
 * The text for the search index and the list's preview: the plain body,
 * else the HTML body without its tags.
 *
 * Returns: (transfer full) (nullable): the text, %NULL when there is none
 */
char *
buzon_mime_message_dup_index_text (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);

  if (self->body_text != NULL)
    return g_strdup (self->body_text);
  if (self->body_html != NULL)
    return _buzon_mime_strip_html (self->body_html);
  return NULL;
}

/**
 * buzon_mime_message_get_parts:
 * @self: a message
 *
 * Returns: (transfer none) (element-type BuzonMimePart): every leaf part, in
 *   order (at most BUZON_MIME_MAX_PARTS)
 */
GPtrArray *
buzon_mime_message_get_parts (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->parts;
}

/**
 * buzon_mime_message_get_attachments:
 * @self: a message
 *
 * What a user calls attachments: the parts that are neither the body, nor
 * its alternative, nor a picture the HTML shows through cid:, nor a
 * signature; attached messages and parts too deep to look into included.
 *
 * Returns: (transfer none) (element-type BuzonMimePart): the attachments
 */
GPtrArray *
buzon_mime_message_get_attachments (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  return self->attachments;
}

/**
 * buzon_mime_message_get_n_unlisted_parts:
 * @self: a message
 *
 * Returns: how many leaf parts were left out of the list by the bound
 */
guint
buzon_mime_message_get_n_unlisted_parts (BuzonMimeMessage *self)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), 0);
  return self->n_unlisted;
}

/**
 * buzon_mime_message_get_part:
 * @self: a message
 * @part_id: a part id, as buzon_mime_part_get_id() gives
 *
 * Returns: (transfer none) (nullable): the part
 */
BuzonMimePart *
buzon_mime_message_get_part (BuzonMimeMessage *self,
                             const char       *part_id)
{
  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (part_id != NULL, NULL);

  for (guint i = 0; i < self->parts->len; i++)
    {
      BuzonMimePart *part = self->parts->pdata[i];

      if (strcmp (part->id, part_id) == 0)
        return part;
    }
  return NULL;
}

/**
 * buzon_mime_message_find_by_content_id:
 * @self: a message
 * @content_id: a Content-ID, with or without angle brackets or "cid:"
 *
 * Returns: (transfer none) (nullable): the part, for the HTML view's cid: URLs
 */
BuzonMimePart *
buzon_mime_message_find_by_content_id (BuzonMimeMessage *self,
                                       const char       *content_id)
{
  g_autofree char *id = NULL;
  gsize len;

  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (content_id != NULL, NULL);

  if (g_ascii_strncasecmp (content_id, "cid:", 4) == 0)
    content_id += 4;
  id = g_strdup (content_id);
  len = strlen (id);
  if (len >= 2 && id[0] == '<' && id[len - 1] == '>')
    {
      id[len - 1] = '\0';
      memmove (id, id + 1, len - 1);
    }

  for (guint i = 0; i < self->parts->len; i++)
    {
      BuzonMimePart *part = self->parts->pdata[i];

      if (part->content_id != NULL && strcmp (part->content_id, id) == 0)
        return part;
    }
  return NULL;
}

static void
write_part (BuzonMimePart *part,
            GMimeStream   *stream)
{
  if (GMIME_IS_PART (part->object))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part->object));

      if (content != NULL)
        g_mime_data_wrapper_write_to_stream (content, stream);
    }
  else if (GMIME_IS_MESSAGE_PART (part->object))
    {
      GMimeMessage *message = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part->object));

      if (message != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (message), NULL, stream);
    }
  else
    g_mime_object_write_to_stream (part->object, NULL, stream);
}

/**
 * buzon_mime_message_dup_part_bytes:
 * @self: a message
 * @part_id: a part id
 *
 * Returns: (transfer full) (nullable): the part's decoded content (an
 *   attached message or an opaque part: its MIME source), %NULL for no
 *   such part
 */
GBytes *
buzon_mime_message_dup_part_bytes (BuzonMimeMessage *self,
                                   const char       *part_id)
{
  BuzonMimePart *part;
  GMimeStream *stream;
  GByteArray *array;

  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (part_id != NULL, NULL);

  if ((part = buzon_mime_message_get_part (self, part_id)) == NULL)
    return NULL;

  stream = g_mime_stream_mem_new ();
  write_part (part, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);

  return g_byte_array_free_to_bytes (array);
}

/**
 * buzon_mime_message_write_part:
 * @self: a message
 * @part_id: a part id
 * @output: where to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the part's decoded content to @output as it decodes, for saving
 * an attachment of any size without holding it in memory (an attached
 * message or an opaque part is written as its MIME source). Blocking: call
 * it in a worker thread.
 *
 * Returns: %TRUE on success; %FALSE with G_IO_ERROR_NOT_FOUND for no such
 *   part, or the stream's error
 */
gboolean
buzon_mime_message_write_part (BuzonMimeMessage  *self,
                               const char        *part_id,
                               GOutputStream     *output,
                               GCancellable      *cancellable,
                               GError           **error)
{
  BuzonMimePart *part;
  GMimeStream *decoded;
  char buffer[65536];
  gssize n;
  gboolean ok = TRUE;

  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), FALSE);
  g_return_val_if_fail (part_id != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);

  if ((part = buzon_mime_message_get_part (self, part_id)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No part %s in this message", part_id);
      return FALSE;
    }

  if (!GMIME_IS_PART (part->object))
    {
      g_autoptr(GBytes) bytes = buzon_mime_message_dup_part_bytes (self, part_id);
      gsize size;
      const void *data = g_bytes_get_data (bytes, &size);

      return g_output_stream_write_all (output, data, size, NULL, cancellable, error);
    }

  if ((decoded = open_decoded (GMIME_PART (part->object))) == NULL)
    return TRUE;
  while (ok && (n = g_mime_stream_read (decoded, buffer, sizeof buffer)) > 0)
    ok = g_output_stream_write_all (output, buffer, n, NULL, cancellable, error);
  g_object_unref (decoded);

  return ok;
}

/**
 * buzon_mime_message_get_nested:
 * @self: a message
 * @part_id: the id of a message/rfc822 part
 *
 * Returns: (transfer none) (nullable): the attached message, parsed; %NULL
 *   when the part is not one (or is too deep)
 */
BuzonMimeMessage *
buzon_mime_message_get_nested (BuzonMimeMessage *self,
                               const char       *part_id)
{
  BuzonMimePart *part;
  BuzonMimeMessage *nested;

  g_return_val_if_fail (BUZON_IS_MIME_MESSAGE (self), NULL);
  g_return_val_if_fail (part_id != NULL, NULL);

  if ((part = buzon_mime_message_get_part (self, part_id)) == NULL || !part->message)
    return NULL;
  if ((nested = g_hash_table_lookup (self->nested, part_id)) != NULL)
    return nested;

  nested = message_new (NULL, g_mime_message_part_get_message (GMIME_MESSAGE_PART (part->object)),
                        part->depth + 1);
  g_hash_table_insert (self->nested, g_strdup (part_id), nested);

  return nested;
}

/* Internal: the GMime message, NULL when broken. */
GMimeMessage *
_buzon_mime_message_get_gmime (BuzonMimeMessage *self)
{
  return self->message;
}

/* Parts */

/**
 * buzon_mime_part_get_id:
 * @part: a part
 *
 * Returns: its id: IMAP-style section numbers ("1", "1.2"), stable for
 *   the same bytes
 */
const char *
buzon_mime_part_get_id (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, NULL);
  return part->id;
}

/**
 * buzon_mime_part_get_content_type:
 * @part: a part
 *
 * Returns: "type/subtype", lower case
 */
const char *
buzon_mime_part_get_content_type (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, NULL);
  return part->content_type;
}

/**
 * buzon_mime_part_get_filename:
 * @part: a part
 *
 * Returns: (nullable): the decoded file name (RFC 2231 or 2047 forms,
 *   Content-Disposition filename or Content-Type name)
 */
const char *
buzon_mime_part_get_filename (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, NULL);
  return part->filename;
}

/**
 * buzon_mime_part_get_content_id:
 * @part: a part
 *
 * Returns: (nullable): the Content-ID without angle brackets
 */
const char *
buzon_mime_part_get_content_id (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, NULL);
  return part->content_id;
}

BuzonMimeDisposition
buzon_mime_part_get_disposition (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, BUZON_MIME_DISPOSITION_NONE);
  return part->disposition;
}

/**
 * buzon_mime_part_get_size:
 * @part: a part
 *
 * The decoded size, counted on first use by decoding into a null stream
 * (nothing is kept).
 *
 * Returns: the size in bytes
 */
guint64
buzon_mime_part_get_size (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, 0);

  if (part->size < 0)
    {
      GMimeStream *null = g_mime_stream_null_new ();

      write_part (part, null);
      part->size = GMIME_STREAM_NULL (null)->written;
      g_object_unref (null);
    }
  return part->size;
}

/**
 * buzon_mime_part_is_inline_image:
 * @part: a part
 *
 * Returns: %TRUE for a picture the HTML body shows through cid:, or one
 *   marked inline
 */
gboolean
buzon_mime_part_is_inline_image (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);
  return part->inline_image;
}

gboolean
buzon_mime_part_is_attachment (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);
  return part->attachment;
}

/**
 * buzon_mime_part_is_message:
 * @part: a part
 *
 * Returns: %TRUE for an attached message, see buzon_mime_message_get_nested()
 */
gboolean
buzon_mime_part_is_message (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);
  return part->message;
}

/**
 * buzon_mime_part_is_opaque:
 * @part: a part
 *
 * Returns: %TRUE for a part nested deeper than BUZON_MIME_MAX_DEPTH, listed
 *   as one attachment (its MIME source) and not looked into
 */
gboolean
buzon_mime_part_is_opaque (BuzonMimePart *part)
{
  g_return_val_if_fail (part != NULL, FALSE);
  return part->opaque;
}
