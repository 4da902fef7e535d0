/* buzon-smtp-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* RFC 5321 §4.2:
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 *
 * Every line of one reply carries the same code. The parser's messages are
 * for developers (the session wraps them in a sentence for the user), so
 * they are not translated. */

#define G_LOG_DOMAIN "buzon-smtp"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buzon-smtp-parser.h"

G_DEFINE_QUARK (buzon-smtp-error-quark, buzon_smtp_error)

struct _BuzonSmtpParser
{
  GByteArray *buffer;     /* bytes not yet consumed */
  gsize       scanned;    /* of @buffer, known to hold no LF */
  GQueue      replies;    /* BuzonSmtpReply *, complete */
  GPtrArray  *lines;      /* of the reply being collected, or NULL */
  guint       code;       /* its code */
  gsize       max_line;
  guint       max_lines;
  gboolean    broken;
};

/**
 * buzon_smtp_reply_free:
 * @reply: (nullable): a reply
 */
void
buzon_smtp_reply_free (BuzonSmtpReply *reply)
{
  if (reply == NULL)
    return;

  g_strfreev (reply->lines);
  g_free (reply);
}

/**
 * buzon_smtp_reply_dup_text:
 * @reply: a reply
 *
 * Returns: (transfer full): the text of all its lines joined by spaces,
 *   valid UTF-8 (safe to show)
 */
char *
buzon_smtp_reply_dup_text (const BuzonSmtpReply *reply)
{
  g_autofree char *joined = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  joined = g_strjoinv (" ", reply->lines);
  g_strstrip (joined);
  return g_utf8_make_valid (joined, -1);
}

/**
 * buzon_smtp_reply_dup_enhanced:
 * @reply: a reply
 *
 * Returns: (transfer full) (nullable): its enhanced status code as text,
 *   like "5.1.1", or %NULL if it has none
 */
char *
buzon_smtp_reply_dup_enhanced (const BuzonSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  if (reply->klass == 0)
    return NULL;
  return g_strdup_printf ("%u.%u.%u", reply->klass, reply->subject, reply->detail);
}

/**
 * buzon_smtp_reply_has_enhanced:
 * @reply: a reply
 * @subject: an enhanced code's subject
 * @detail: its detail
 *
 * Returns: whether @reply has the enhanced code X.@subject.@detail, of any
 *   class
 */
gboolean
buzon_smtp_reply_has_enhanced (const BuzonSmtpReply *reply,
                               guint                 subject,
                               guint                 detail)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->klass != 0 && reply->subject == subject && reply->detail == detail;
}

/* Extensions */

/**
 * buzon_smtp_extensions_free:
 * @extensions: (nullable): what buzon_smtp_parse_ehlo() returned
 */
void
buzon_smtp_extensions_free (BuzonSmtpExtensions *extensions)
{
  if (extensions == NULL)
    return;

  g_strfreev (extensions->auth);
  g_free (extensions);
}

/**
 * buzon_smtp_extensions_has_auth:
 * @extensions: what the server offers
 * @mechanism: a SASL mechanism, like "PLAIN"
 *
 * Returns: whether AUTH lists @mechanism (in any case)
 */
gboolean
buzon_smtp_extensions_has_auth (const BuzonSmtpExtensions *extensions,
                                const char                *mechanism)
{
  g_return_val_if_fail (extensions != NULL, FALSE);
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; extensions->auth[i] != NULL; i++)
    if (g_ascii_strcasecmp (extensions->auth[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

static void
add_mechanism (GPtrArray  *auth,
               const char *word)
{
  g_autofree char *upper = NULL;

  if (*word == '\0')
    return;
  /* RFC 4422 §3.1: a mechanism name is 1 to 20 of [A-Z0-9-_]. */
  if (strlen (word) > 20)
    return;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return;

  upper = g_ascii_strup (word, -1);
  for (guint i = 0; i < auth->len; i++)
    if (strcmp (g_ptr_array_index (auth, i), upper) == 0)
      return;
  g_ptr_array_add (auth, g_steal_pointer (&upper));
}

/* SIZE's parameter: decimal digits only; none (or 0) means no fixed limit
 * (RFC 1870 §4). A number too big for 64 bits is as good as no limit. */
static guint64
parse_size (const char *text)
{
  guint64 value = 0;

  if (text == NULL)
    return 0;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return 0;
      if (value > (G_MAXUINT64 - 9) / 10)
        return 0;
      value = value * 10 + (guint64) (*p - '0');
    }
  return value;
}

/**
 * buzon_smtp_parse_ehlo:
 * @reply: the 250 reply to EHLO
 *
 * Reads the keywords of an EHLO reply: its first line is the server's name
 * and greeting, each further line is a keyword and its parameters (RFC 5321
 * §4.1.1.1). Keywords are case-insensitive; unknown ones are skipped.
 * Besides `AUTH PLAIN LOGIN`, the `AUTH=PLAIN LOGIN` that old Microsoft
 * servers and clients used is understood too.
 *
 * Returns: (transfer full): what the server offers (all off for a reply
 *   that is not 250)
 */
BuzonSmtpExtensions *
buzon_smtp_parse_ehlo (const BuzonSmtpReply *reply)
{
  BuzonSmtpExtensions *extensions;
  g_autoptr(GPtrArray) auth = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (reply != NULL, NULL);

  extensions = g_new0 (BuzonSmtpExtensions, 1);

  for (guint i = 1; reply->code == 250 && reply->lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      g_autofree char *line = g_strdup (reply->lines[i]);
      const char *keyword;

      g_strdelimit (line, "\t", ' ');
      words = g_strsplit (g_strstrip (line), " ", -1);
      keyword = words[0];
      if (keyword == NULL || *keyword == '\0')
        continue;

      if (g_ascii_strcasecmp (keyword, "PIPELINING") == 0)
        extensions->pipelining = TRUE;
      else if (g_ascii_strcasecmp (keyword, "8BITMIME") == 0)
        extensions->eightbitmime = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SMTPUTF8") == 0)
        extensions->smtputf8 = TRUE;
      else if (g_ascii_strcasecmp (keyword, "STARTTLS") == 0)
        extensions->starttls = TRUE;
      else if (g_ascii_strcasecmp (keyword, "ENHANCEDSTATUSCODES") == 0)
        extensions->enhancedstatuscodes = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SIZE") == 0)
        {
          extensions->has_size = TRUE;
          extensions->size = parse_size (words[1]);
        }
      else if (g_ascii_strcasecmp (keyword, "AUTH") == 0
               || g_ascii_strncasecmp (keyword, "AUTH=", 5) == 0)
        {
          if (keyword[4] == '=')
            add_mechanism (auth, keyword + 5);
          for (guint w = 1; words[w] != NULL; w++)
            add_mechanism (auth, words[w]);
        }
    }

  g_ptr_array_add (auth, NULL);
  extensions->auth = (GStrv) g_ptr_array_free (g_steal_pointer (&auth), FALSE);

  return extensions;
}

/* The parser */

/**
 * buzon_smtp_parser_new:
 *
 * Returns: (transfer full): a parser with the default limits
 */
BuzonSmtpParser *
buzon_smtp_parser_new (void)
{
  BuzonSmtpParser *parser = g_new0 (BuzonSmtpParser, 1);

  parser->buffer = g_byte_array_new ();
  g_queue_init (&parser->replies);
  parser->max_line = BUZON_SMTP_DEFAULT_MAX_LINE;
  parser->max_lines = BUZON_SMTP_DEFAULT_MAX_LINES;

  return parser;
}

/**
 * buzon_smtp_parser_free:
 * @parser: (nullable): a parser
 */
void
buzon_smtp_parser_free (BuzonSmtpParser *parser)
{
  if (parser == NULL)
    return;

  g_byte_array_unref (parser->buffer);
  g_queue_clear_full (&parser->replies, (GDestroyNotify) buzon_smtp_reply_free);
  g_clear_pointer (&parser->lines, g_ptr_array_unref);
  g_free (parser);
}

/**
 * buzon_smtp_parser_set_limits:
 * @parser: a parser
 * @max_line: the longest line accepted, without its line end; 0 for the
 *   default
 * @max_lines: the most lines one reply may have; 0 for the default
 */
void
buzon_smtp_parser_set_limits (BuzonSmtpParser *parser,
                              gsize            max_line,
                              guint            max_lines)
{
  g_return_if_fail (parser != NULL);

  parser->max_line = max_line > 0 ? max_line : BUZON_SMTP_DEFAULT_MAX_LINE;
  parser->max_lines = max_lines > 0 ? max_lines : BUZON_SMTP_DEFAULT_MAX_LINES;
}

static gboolean
fail (BuzonSmtpParser  *parser,
      GError          **error,
      BuzonSmtpError    code,
      const char       *message)
{
  parser->broken = TRUE;
  g_set_error_literal (error, BUZON_SMTP_ERROR, code, message);
  return FALSE;
}

/* One number of an enhanced code: 1 to 3 digits, at most 999 (RFC 3463 §2
 * says 3 digits for the subject and detail, 1 for the class). */
static const char *
parse_code_part (const char *p,
                 guint       max_digits,
                 guint      *out)
{
  guint value = 0, digits = 0;

  while (g_ascii_isdigit (*p) && digits < max_digits)
    {
      value = value * 10 + (guint) (*p - '0');
      digits++;
      p++;
    }
  if (digits == 0 || g_ascii_isdigit (*p))
    return NULL;
  *out = value;
  return p;
}

/* The enhanced code at the start of @text, if it is one whose class
 * matches @code: "5.1.1 " or "5.1.1" alone. Returns the text after it (and
 * its space), or @text itself. */
static const char *
strip_enhanced (const char *text,
                guint       code,
                guint      *klass,
                guint      *subject,
                guint      *detail)
{
  guint k, s, d;
  const char *p = text;

  if ((p = parse_code_part (p, 1, &k)) == NULL || *p++ != '.')
    return text;
  if ((p = parse_code_part (p, 3, &s)) == NULL || *p++ != '.')
    return text;
  if ((p = parse_code_part (p, 3, &d)) == NULL)
    return text;
  if (*p != '\0' && *p != ' ')
    return text;
  if (k != code / 100 || (k != 2 && k != 4 && k != 5))
    return text;

  *klass = k;
  *subject = s;
  *detail = d;
  while (*p == ' ')
    p++;
  return p;
}

/* Strips each line's enhanced code (the first line's decides the reply's;
 * RFC 2034 §4 puts the same code on every line). */
static BuzonSmtpReply *
finish_reply (BuzonSmtpParser *parser)
{
  BuzonSmtpReply *reply = g_new0 (BuzonSmtpReply, 1);
  GPtrArray *lines = g_steal_pointer (&parser->lines);

  reply->code = parser->code;
  for (guint i = 0; i < lines->len; i++)
    {
      char *line = g_ptr_array_index (lines, i);
      guint k = 0, s = 0, d = 0;
      const char *rest = strip_enhanced (line, reply->code, &k, &s, &d);

      if (i == 0 && k != 0)
        {
          reply->klass = k;
          reply->subject = s;
          reply->detail = d;
        }
      if (rest != line && (i == 0 || k == reply->klass))
        memmove (line, rest, strlen (rest) + 1);
    }
  g_ptr_array_add (lines, NULL);
  reply->lines = (GStrv) g_ptr_array_free (lines, FALSE);

  return reply;
}

static gboolean
reply_line (BuzonSmtpParser  *parser,
            const char       *line,
            gsize             length,
            GError          **error)
{
  guint code;
  gboolean last;

  if (length < 3
      || line[0] < '2' || line[0] > '5'
      || line[1] < '0' || line[1] > '5'
      || !g_ascii_isdigit (line[2]))
    return fail (parser, error, BUZON_SMTP_ERROR_PARSE, "a line without a reply code");
  if (length > 3 && line[3] != ' ' && line[3] != '-')
    return fail (parser, error, BUZON_SMTP_ERROR_PARSE, "a reply code not followed by SP or -");
  if (memchr (line, '\0', length) != NULL)
    return fail (parser, error, BUZON_SMTP_ERROR_PARSE, "a NUL in a reply");

  code = (guint) (line[0] - '0') * 100 + (guint) (line[1] - '0') * 10 + (guint) (line[2] - '0');
  last = length == 3 || line[3] == ' ';

  if (parser->lines == NULL)
    {
      parser->lines = g_ptr_array_new_with_free_func (g_free);
      parser->code = code;
    }
  else if (code != parser->code)
    return fail (parser, error, BUZON_SMTP_ERROR_PARSE,
                 "the lines of one reply have different codes");

  if (parser->lines->len >= parser->max_lines)
    return fail (parser, error, BUZON_SMTP_ERROR_TOO_LONG, "a reply with too many lines");

  g_ptr_array_add (parser->lines, g_strndup (length > 4 ? line + 4 : "", length > 4 ? length - 4 : 0));

  if (last)
    g_queue_push_tail (&parser->replies, finish_reply (parser));

  return TRUE;
}

/**
 * buzon_smtp_parser_feed:
 * @parser: a parser
 * @data: (array length=length) (nullable): bytes read from the server
 * @length: how many
 * @error: return location for a %BUZON_SMTP_ERROR
 *
 * Parses what it can; complete replies are taken with
 * buzon_smtp_parser_pop(). Lines end in CRLF; a bare LF (which some
 * servers send) ends one too. After an error every later call fails.
 *
 * Returns: %TRUE unless the bytes are not SMTP replies
 */
gboolean
buzon_smtp_parser_feed (BuzonSmtpParser  *parser,
                        const char       *data,
                        gsize             length,
                        GError          **error)
{
  gsize pos = 0;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (parser->broken)
    return fail (parser, error, BUZON_SMTP_ERROR_PARSE, "the reply stream is broken");

  if (length == 0)
    return TRUE;

  g_byte_array_append (parser->buffer, (const guint8 *) data, (guint) length);

  for (;;)
    {
      const guint8 *start = parser->buffer->data + pos;
      gsize available = parser->buffer->len - pos;
      const guint8 *lf = memchr (start + parser->scanned, '\n', available - parser->scanned);
      gsize line_length;

      if (lf == NULL)
        {
          gsize pending;

          g_byte_array_remove_range (parser->buffer, 0, (guint) pos);
          parser->scanned = parser->buffer->len;
          /* A CR may be waiting for its LF: it is not part of the line. */
          pending = parser->buffer->len;
          if (pending > 0 && parser->buffer->data[pending - 1] == '\r')
            pending--;
          if (pending > parser->max_line)
            return fail (parser, error, BUZON_SMTP_ERROR_TOO_LONG, "a line too long");
          return TRUE;
        }

      line_length = (gsize) (lf - start);
      if (line_length > 0 && start[line_length - 1] == '\r')
        line_length--;
      if (line_length > parser->max_line)
        return fail (parser, error, BUZON_SMTP_ERROR_TOO_LONG, "a line too long");

      if (!reply_line (parser, (const char *) start, line_length, error))
        return FALSE;

      pos += (gsize) (lf - start) + 1;
      parser->scanned = 0;
    }
}

/**
 * buzon_smtp_parser_get_buffered:
 * @parser: a parser
 *
 * Returns: how many bytes were fed that are not part of a complete reply
 *   yet (the lines of a reply still being collected count too). Used to
 *   refuse bytes that follow a reply where nothing may (after STARTTLS's
 *   220, RFC 3207 §5).
 */
gsize
buzon_smtp_parser_get_buffered (BuzonSmtpParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->buffer->len + (parser->lines != NULL ? parser->lines->len : 0);
}

/**
 * buzon_smtp_parser_get_ready:
 * @parser: a parser
 *
 * Returns: how many complete replies are waiting for buzon_smtp_parser_pop()
 */
guint
buzon_smtp_parser_get_ready (BuzonSmtpParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->replies.length;
}

/**
 * buzon_smtp_parser_pop:
 * @parser: a parser
 *
 * Returns: (transfer full) (nullable): the oldest complete reply, or %NULL
 */
BuzonSmtpReply *
buzon_smtp_parser_pop (BuzonSmtpParser *parser)
{
  g_return_val_if_fail (parser != NULL, NULL);

  return g_queue_pop_head (&parser->replies);
}

/* Message data */

/**
 * buzon_smtp_encode_data:
 * @message: the message as it should arrive (RFC 5322 bytes)
 * @out_8bit: (out) (optional): set to whether it has bytes over 127, which
 *   need BODY=8BITMIME (RFC 6152)
 *
 * Prepares @message for DATA (RFC 5321 §4.1.1.4, §4.5.2): every line ends
 * in CRLF (a bare LF or a bare CR becomes CRLF), a line that begins with
 * "." gets a second one, and the data ends with CRLF "." CRLF; a message
 * whose last line has no line end gets one. A message with CRLF line ends
 * thus arrives byte for byte.
 *
 * Returns: (transfer full): the bytes to send after the 354 reply
 */
GBytes *
buzon_smtp_encode_data (GBytes   *message,
                        gboolean *out_8bit)
{
  gsize length;
  const guint8 *data;
  GByteArray *out;
  gboolean eight = FALSE;
  gboolean line_start = TRUE;

  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message, &length);
  out = g_byte_array_sized_new ((guint) MIN (length + length / 64 + 8, G_MAXUINT));

  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (c >= 0x80)
        eight = TRUE;

      if (c == '\r' || c == '\n')
        {
          g_byte_array_append (out, (const guint8 *) "\r\n", 2);
          if (c == '\r' && i + 1 < length && data[i + 1] == '\n')
            i++;
          line_start = TRUE;
          continue;
        }

      if (line_start && c == '.')
        g_byte_array_append (out, (const guint8 *) ".", 1);
      g_byte_array_append (out, &c, 1);
      line_start = FALSE;
    }

  if (!line_start)
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  g_byte_array_append (out, (const guint8 *) ".\r\n", 3);

  if (out_8bit != NULL)
    *out_8bit = eight;

  return g_byte_array_free_to_bytes (out);
}

/**
 * buzon_smtp_address_is_ascii:
 * @address: an e-mail address
 *
 * Returns: whether @address is all ASCII; one that is not needs SMTPUTF8
 *   (RFC 6531) on the way
 */
gboolean
buzon_smtp_address_is_ascii (const char *address)
{
  g_return_val_if_fail (address != NULL, FALSE);

  for (const char *p = address; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}
