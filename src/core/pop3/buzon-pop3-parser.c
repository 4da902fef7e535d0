/* buzon-pop3-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-pop3"

#include "config.h"

#include <string.h>

#include "buzon-pop3-parser.h"

G_DEFINE_QUARK (buzon-pop3-error-quark, buzon_pop3_error)

struct _BuzonPop3Parser
{
  GByteArray     *buffer;     /* bytes not yet consumed */
  gsize           scanned;    /* of @buffer, known to hold no LF */
  GQueue          expected;   /* GUINT_TO_POINTER (1 + multiline), oldest first */
  GQueue          replies;    /* BuzonPop3Reply *, complete */
  BuzonPop3Reply *current;    /* a multi-line reply being collected */
  GByteArray     *data;       /* its payload */
  gsize           max_line;
  gsize           max_data;
  gboolean        broken;
};

/**
 * buzon_pop3_reply_free:
 * @reply: (nullable): a reply
 */
void
buzon_pop3_reply_free (BuzonPop3Reply *reply)
{
  if (reply == NULL)
    return;

  g_free (reply->code);
  g_free (reply->text);
  g_clear_pointer (&reply->data, g_bytes_unref);
  g_free (reply);
}

/**
 * buzon_pop3_listing_free:
 * @listing: (nullable): a listing entry
 */
void
buzon_pop3_listing_free (BuzonPop3Listing *listing)
{
  if (listing == NULL)
    return;

  g_free (listing->uidl);
  g_free (listing);
}

/**
 * buzon_pop3_parser_new:
 *
 * Returns: (transfer full): a parser expecting nothing yet: call
 *   buzon_pop3_parser_expect() for the greeting first
 */
BuzonPop3Parser *
buzon_pop3_parser_new (void)
{
  BuzonPop3Parser *parser = g_new0 (BuzonPop3Parser, 1);

  parser->buffer = g_byte_array_new ();
  g_queue_init (&parser->expected);
  g_queue_init (&parser->replies);
  parser->max_line = BUZON_POP3_DEFAULT_MAX_LINE;
  parser->max_data = BUZON_POP3_DEFAULT_MAX_DATA;

  return parser;
}

/**
 * buzon_pop3_parser_free:
 * @parser: (nullable): a parser
 */
void
buzon_pop3_parser_free (BuzonPop3Parser *parser)
{
  if (parser == NULL)
    return;

  g_byte_array_unref (parser->buffer);
  g_queue_clear (&parser->expected);
  g_queue_clear_full (&parser->replies, (GDestroyNotify)buzon_pop3_reply_free);
  buzon_pop3_reply_free (parser->current);
  g_clear_pointer (&parser->data, g_byte_array_unref);
  g_free (parser);
}

/**
 * buzon_pop3_parser_set_limits:
 * @max_line: the longest status line accepted, in octets
 * @max_data: the largest multi-line payload accepted, in octets (a message
 *   of RETR, with its lines)
 */
void
buzon_pop3_parser_set_limits (BuzonPop3Parser *parser,
                              gsize            max_line,
                              gsize            max_data)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (max_line >= 16 && max_data >= 16);

  parser->max_line = max_line;
  parser->max_data = max_data;
}

/**
 * buzon_pop3_parser_expect:
 * @multiline: whether the command just sent answers `+OK` with a multi-line
 *   payload (LIST and UIDL without an argument, CAPA, TOP, RETR)
 *
 * Announces the reply to one command (or the greeting), in the order they
 * were sent.
 */
void
buzon_pop3_parser_expect (BuzonPop3Parser *parser,
                          gboolean         multiline)
{
  g_return_if_fail (parser != NULL);

  g_queue_push_tail (&parser->expected, GUINT_TO_POINTER (multiline ? 2 : 1));
}

/**
 * buzon_pop3_parser_get_pending:
 *
 * Returns: how many announced replies have not been parsed completely yet
 */
guint
buzon_pop3_parser_get_pending (BuzonPop3Parser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return g_queue_get_length (&parser->expected) + (parser->current != NULL ? 1 : 0);
}

static gboolean
fail (BuzonPop3Parser  *parser,
      GError          **error,
      BuzonPop3Error    code,
      const char       *message)
{
  parser->broken = TRUE;
  g_set_error_literal (error, BUZON_POP3_ERROR, code, message);

  return FALSE;
}

/* Whether @line starts with the status indicator @word followed by a space
 * or the end of the line (RFC 1939 §3; compared without case). */
static gboolean
has_indicator (const char *line,
               const char *word,
               const char **out_rest)
{
  gsize n = strlen (word);

  if (g_ascii_strncasecmp (line, word, n) != 0 || (line[n] != '\0' && line[n] != ' '))
    return FALSE;

  *out_rest = line[n] == ' ' ? line + n + 1 : line + n;
  return TRUE;
}

static gboolean
status_line (BuzonPop3Parser  *parser,
             const char       *line,
             GError          **error)
{
  g_autoptr(BuzonPop3Reply) reply = g_new0 (BuzonPop3Reply, 1);
  const char *rest = NULL;
  gpointer expectation;

  if (has_indicator (line, "+OK", &rest))
    reply->status = BUZON_POP3_OK;
  else if (has_indicator (line, "-ERR", &rest))
    reply->status = BUZON_POP3_ERR;
  else if (has_indicator (line, "+", &rest))
    reply->status = BUZON_POP3_CONTINUE;
  else
    return fail (parser, error, BUZON_POP3_ERROR_PARSE, "not a POP3 status line");

  expectation = g_queue_pop_head (&parser->expected);
  if (expectation == NULL)
    return fail (parser, error, BUZON_POP3_ERROR_UNEXPECTED, "a reply nobody asked for");

  /* RFC 2449 §8: [CODE] or [CODE/SUB] at the start of the text. */
  if (reply->status != BUZON_POP3_CONTINUE && rest[0] == '[')
    {
      const char *close = strchr (rest, ']');

      if (close != NULL && close > rest + 1)
        {
          reply->code = g_ascii_strup (rest + 1, close - rest - 1);
          rest = close + 1;
          while (*rest == ' ')
            rest++;
        }
    }
  reply->text = g_strdup (rest);

  if (reply->status == BUZON_POP3_OK && GPOINTER_TO_UINT (expectation) == 2)
    {
      parser->current = g_steal_pointer (&reply);
      parser->data = g_byte_array_new ();
    }
  else
    g_queue_push_tail (&parser->replies, g_steal_pointer (&reply));

  return TRUE;
}

static gboolean
data_line (BuzonPop3Parser  *parser,
           const char       *line,
           gsize             length,
           GError          **error)
{
  /* The terminator; any other line starting with "." was stuffed with one
   * more (RFC 1939 §3). */
  if (length == 1 && line[0] == '.')
    {
      parser->current->data = g_byte_array_free_to_bytes (g_steal_pointer (&parser->data));
      g_queue_push_tail (&parser->replies, g_steal_pointer (&parser->current));
      return TRUE;
    }

  if (length > 0 && line[0] == '.')
    {
      line++;
      length--;
    }

  if (parser->data->len + length + 2 > parser->max_data)
    return fail (parser, error, BUZON_POP3_ERROR_TOO_LONG, "multi-line reply too large");

  g_byte_array_append (parser->data, (const guint8 *)line, length);
  g_byte_array_append (parser->data, (const guint8 *)"\r\n", 2);

  return TRUE;
}

/**
 * buzon_pop3_parser_feed:
 * @data: (array length=length): bytes read from the server
 * @length: how many
 * @error: return location for a %BUZON_POP3_ERROR
 *
 * Parses what it can; complete replies are taken with
 * buzon_pop3_parser_pop(). After an error the connection is beyond repair:
 * every later call fails.
 *
 * Returns: %TRUE unless the bytes are not POP3
 */
gboolean
buzon_pop3_parser_feed (BuzonPop3Parser  *parser,
                        const char       *data,
                        gsize             length,
                        GError          **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (parser->broken)
    return fail (parser, error, BUZON_POP3_ERROR_PARSE, "the reply stream is broken");

  if (length == 0)
    return TRUE;

  g_byte_array_append (parser->buffer, (const guint8 *)data, length);

  /* Lines are consumed by moving @pos; the buffer is compacted once at the
   * end, so a large read costs one move, not one per line. */
  for (gsize pos = 0;;)
    {
      const guint8 *start = parser->buffer->data + pos;
      gsize available = parser->buffer->len - pos;
      const guint8 *lf = memchr (start + parser->scanned, '\n', available - parser->scanned);
      gsize line_length;
      gboolean ok;

      if (lf == NULL)
        {
          gsize limit = parser->current != NULL ? parser->max_data : parser->max_line;

          gsize pending;

          g_byte_array_remove_range (parser->buffer, 0, pos);
          parser->scanned = parser->buffer->len;
          /* A CR may be waiting for its LF: it is not part of the line. */
          pending = parser->buffer->len;
          if (pending > 0 && parser->buffer->data[pending - 1] == '\r')
            pending--;
          if (pending > limit)
            return fail (parser, error, BUZON_POP3_ERROR_TOO_LONG, "line too long");
          return TRUE;
        }

      line_length = lf - start;
      /* CRLF, and the bare LF some servers send. */
      if (line_length > 0 && start[line_length - 1] == '\r')
        line_length--;

      if (parser->current != NULL)
        ok = data_line (parser, (const char *)start, line_length, error);
      else
        {
          g_autofree char *line = NULL;

          if (line_length > parser->max_line)
            return fail (parser, error, BUZON_POP3_ERROR_TOO_LONG, "line too long");
          if (memchr (start, '\0', line_length) != NULL)
            return fail (parser, error, BUZON_POP3_ERROR_PARSE, "NUL in a status line");
          line = g_strndup ((const char *)start, line_length);
          ok = status_line (parser, line, error);
        }

      if (!ok)
        return FALSE;

      pos += (gsize)(lf - start) + 1;
      parser->scanned = 0;
    }
}

/**
 * buzon_pop3_parser_get_buffered:
 *
 * Returns: how many bytes were fed that are not part of a complete reply
 *   yet (after STLS's +OK there must be none: they would be an injection)
 */
gsize
buzon_pop3_parser_get_buffered (BuzonPop3Parser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->buffer->len;
}

/**
 * buzon_pop3_parser_pop:
 *
 * Returns: (transfer full) (nullable): the oldest complete reply, or %NULL
 */
BuzonPop3Reply *
buzon_pop3_parser_pop (BuzonPop3Parser *parser)
{
  g_return_val_if_fail (parser != NULL, NULL);

  return g_queue_pop_head (&parser->replies);
}

static gboolean
parse_number (const char  *text,
              const char **out_end,
              guint64      max,
              guint64     *out_value)
{
  guint64 value = 0;
  const char *p = text;

  if (!g_ascii_isdigit (*p))
    return FALSE;

  for (; g_ascii_isdigit (*p); p++)
    {
      if (value > (max - (guint64)(*p - '0')) / 10)
        return FALSE;
      value = value * 10 + (guint64)(*p - '0');
    }

  *out_end = p;
  *out_value = value;
  return TRUE;
}

/**
 * buzon_pop3_parse_stat:
 * @text: the text of STAT's `+OK` (`2 320`)
 * @out_count: (out): how many messages
 * @out_size: (out): their total size in octets
 *
 * Returns: whether @text is a STAT answer (RFC 1939 §5); text after the
 *   two numbers is allowed
 */
gboolean
buzon_pop3_parse_stat (const char *text,
                       guint      *out_count,
                       guint64    *out_size)
{
  const char *p = text;
  guint64 count, size;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!parse_number (p, &p, G_MAXUINT, &count) || *p != ' ' ||
      !parse_number (p + 1, &p, G_MAXUINT64, &size) || (*p != '\0' && *p != ' '))
    return FALSE;

  *out_count = (guint)count;
  *out_size = size;
  return TRUE;
}

/**
 * buzon_pop3_parse_listing_line:
 * @line: `1 120` (LIST) or `1 whqtswO00WBw418f9t5JxYwZ` (UIDL), as in a
 *   multi-line listing or after the `+OK` of LIST n / UIDL n
 * @uidl: whether it is a UIDL line
 * @error: return location for a %BUZON_POP3_ERROR
 *
 * A unique id is 1 to 70 characters from 0x21 to 0x7E (RFC 1939 §7).
 *
 * Returns: (transfer full) (nullable): the entry
 */
BuzonPop3Listing *
buzon_pop3_parse_listing_line (const char  *line,
                               gboolean     uidl,
                               GError     **error)
{
  g_autoptr(BuzonPop3Listing) listing = g_new0 (BuzonPop3Listing, 1);
  const char *p = line;
  guint64 number;

  g_return_val_if_fail (line != NULL, NULL);

  if (!parse_number (p, &p, G_MAXUINT, &number) || number == 0 || *p != ' ')
    goto bad;
  listing->number = (guint)number;
  p++;

  if (uidl)
    {
      gsize n = 0;

      while (p[n] >= 0x21 && p[n] <= 0x7e)
        n++;
      if (n == 0 || n > 70 || (p[n] != '\0' && p[n] != ' ' && p[n] != '\r'))
        goto bad;
      listing->uidl = g_strndup (p, n);
    }
  else if (!parse_number (p, &p, G_MAXUINT64, &listing->size) ||
           (*p != '\0' && *p != ' ' && *p != '\r'))
    goto bad;

  return g_steal_pointer (&listing);

bad:
  g_set_error (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_PARSE, "not a %s line",
               uidl ? "UIDL" : "LIST");
  return NULL;
}

/**
 * buzon_pop3_parse_listing:
 * @data: the payload of a multi-line LIST or UIDL
 * @uidl: whether it is UIDL
 * @error: return location for a %BUZON_POP3_ERROR
 *
 * Returns: (transfer full) (element-type BuzonPop3Listing) (nullable): the
 *   entries in the server's order
 */
GPtrArray *
buzon_pop3_parse_listing (GBytes    *data,
                          gboolean   uidl,
                          GError   **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_pop3_listing_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length;
  const char *bytes;

  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &length);
  if (length == 0)
    return g_steal_pointer (&entries);  /* an empty mailbox */
  if (memchr (bytes, '\0', length) != NULL)
    {
      g_set_error_literal (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_PARSE, "NUL in a listing");
      return NULL;
    }

  text = g_strndup (bytes, length);
  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      BuzonPop3Listing *entry;

      if (lines[i][0] == '\0')
        continue;
      entry = buzon_pop3_parse_listing_line (lines[i], uidl, error);
      if (entry == NULL)
        return NULL;
      g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

/**
 * buzon_pop3_parse_capa:
 * @data: the payload of CAPA (RFC 2449 §5)
 *
 * Returns: (transfer full): one capability a line, its tag upper case and
 *   its arguments as sent (`SASL PLAIN LOGIN`, `TOP`, `UIDL`, `STLS`)
 */
GStrv
buzon_pop3_parse_capa (GBytes *data)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length;
  const char *bytes;

  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &length);
  /* g_strndup() stops at a NUL: what follows is junk. */
  text = length > 0 ? g_strndup (bytes, length) : g_strdup ("");
  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *space;
      g_autofree char *tag = NULL;

      if (*line == '\0')
        continue;
      space = strchr (line, ' ');
      tag = g_ascii_strup (line, space != NULL ? space - line : -1);
      if (space != NULL)
        {
          g_autofree char *capability = g_strconcat (tag, space, NULL);

          g_strv_builder_add (builder, capability);
        }
      else
        g_strv_builder_add (builder, tag);
    }

  return g_strv_builder_end (builder);
}

/**
 * buzon_pop3_greeting_timestamp:
 * @text: the greeting's text
 *
 * Returns: (transfer full) (nullable): the `<…@…>` timestamp APOP digests
 *   (RFC 1939 §7), with its brackets, or %NULL if the server offers none
 */
char *
buzon_pop3_greeting_timestamp (const char *text)
{
  const char *open;
  const char *close;
  const char *at;

  g_return_val_if_fail (text != NULL, NULL);

  open = strchr (text, '<');
  if (open == NULL)
    return NULL;
  close = strchr (open, '>');
  if (close == NULL)
    return NULL;
  at = memchr (open, '@', close - open);
  if (at == NULL || close - open < 3)
    return NULL;

  for (const char *p = open + 1; p < close; p++)
    if ((guchar)*p < 0x21 || (guchar)*p > 0x7e || *p == '<')
      return NULL;

  return g_strndup (open, close - open + 1);
}
