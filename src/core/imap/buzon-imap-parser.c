/* buzon-imap-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapParser: IMAP server responses (RFC 3501 §7, §9) from a stream of
 * bytes, fed in pieces of any size as they arrive; complete responses come
 * out of buzon_imap_parser_pop(). No sockets: a session feeds it.
 *
 * How it works. Bytes are gathered into lines. Tokens never cross a line
 * break except through a literal, whose `{N}` header always ends its line
 * (§4.3), so each complete line is tokenised at once, continuing the response
 * in progress: the stack of open lists survives from one line to the next.
 * A line ending in a literal header switches to reading N bytes of literal
 * data (into memory, or into a spool file when large); then lines again. A
 * line that ends without a literal header and with every list closed ends
 * the response.
 *
 * The parser knows the shape of a response's first tokens, so it knows when
 * the rest of a line is human-readable text (resp-text, §7.1): there a `{5}`
 * at the end of the line is text, not a literal, as in
 * `A1 NO Mailbox doesn't exist: x{5}`, which a line-scanning parser would
 * misread, then wait forever for five bytes.
 *
 * Liberal where servers are sloppy: bare LF line ends, extra spaces, a
 * missing text after OK, any `\`-escape in quoted strings, 8-bit bytes in
 * quoted strings and atoms, empty lines between responses. Strict where a
 * mistake would desynchronise: literal headers, parentheses, NUL bytes,
 * control characters in atoms, and every limit.
 *
 * After an error the parser has failed for good: the session must drop the
 * connection, because it can no longer know where the next response starts.
 */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "buzon-imap-error.h"
#include "buzon-imap-parser.h"
#include "buzon-imap-private.h"

/* Spooled literal data is written in blocks of this size. */
#define SPOOL_BUFFER_SIZE (64 * 1024)
/* A line buffer that grew past this is given back after its line. */
#define LINE_BUFFER_KEEP (64 * 1024)

typedef enum
{
  STATE_LINE,
  STATE_LITERAL,
  STATE_FAILED,
} ParserState;

struct _BuzonImapParser
{
  GObject                parent_instance;

  BuzonImapParserLimits  limits;
  char                  *spool_dir;

  ParserState            state;
  GError                *failure;
  gboolean               quiet;
  GByteArray            *line;
  guint64                offset;
  guint64                line_number;

  /* The response in progress, and its open lists: stack[0] is its argument
   * list, the top is where the next value goes. */
  BuzonImapResponse     *response;
  GPtrArray             *stack;
  gsize                  response_size;
  guint                  n_values;
  guint64                literal_total;
  gsize                  memory_literals;

  /* The literal being read. */
  guint64                literal_length;
  guint64                literal_received;
  char                  *literal_data;
  int                    literal_fd;
  char                  *literal_path;
  GByteArray            *spool_buffer;

  GQueue                 responses;
};

G_DEFINE_FINAL_TYPE (BuzonImapParser, buzon_imap_parser, G_TYPE_OBJECT)

/* A position in the line being tokenised. */
typedef struct
{
  const char *start;
  const char *p;
  const char *end;
} Cursor;

typedef enum
{
  VALUES_DONE,
  VALUES_LITERAL,
  VALUES_ERROR,
} ValuesResult;

static void
discard_literal (BuzonImapParser *self)
{
  g_clear_pointer (&self->literal_data, g_free);
  if (self->literal_fd >= 0)
    {
      g_close (self->literal_fd, NULL);
      self->literal_fd = -1;
    }
  if (self->literal_path != NULL)
    {
      g_unlink (self->literal_path);
      g_clear_pointer (&self->literal_path, g_free);
    }
  if (self->spool_buffer != NULL)
    g_byte_array_set_size (self->spool_buffer, 0);
  self->literal_length = 0;
  self->literal_received = 0;
}

static void
discard_response (BuzonImapParser *self)
{
  g_clear_pointer (&self->response, buzon_imap_response_unref);
  g_ptr_array_set_size (self->stack, 0);
  self->response_size = 0;
  self->n_values = 0;
  self->literal_total = 0;
  self->memory_literals = 0;
}

/* Every error goes through here: it says what and where, and leaves the
 * parser failed. */
G_GNUC_PRINTF (5, 6)
static void
fail (BuzonImapParser *self,
      const Cursor    *cursor,
      GError         **error,
      BuzonImapError   code,
      const char      *format,
      ...)
{
  g_autofree char *what = NULL;
  g_autofree char *where = NULL;
  va_list args;

  /* Tokenising a response code's arguments: failing is allowed there. */
  if (self->quiet)
    return;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (cursor != NULL)
    where = g_strdup_printf ("line %" G_GUINT64_FORMAT ", column %" G_GSIZE_FORMAT,
                             self->line_number, (gsize) (cursor->p - cursor->start) + 1);
  else
    where = g_strdup_printf ("line %" G_GUINT64_FORMAT, self->line_number);

  g_clear_error (&self->failure);
  self->failure = g_error_new (BUZON_IMAP_ERROR, code, "IMAP %s (%s)", what, where);
  self->state = STATE_FAILED;
  discard_literal (self);
  discard_response (self);
  g_byte_array_set_size (self->line, 0);

  g_set_error_literal (error, BUZON_IMAP_ERROR, code, self->failure->message);
}

static gboolean
count_value (BuzonImapParser *self,
             const Cursor    *cursor,
             GError         **error)
{
  if (++self->n_values > self->limits.max_values)
    {
      fail (self, cursor, error, BUZON_IMAP_ERROR_TOO_BIG,
            "response has more than %u values", self->limits.max_values);
      return FALSE;
    }
  return TRUE;
}

static inline BuzonImapValue *
stack_top (BuzonImapParser *self)
{
  return g_ptr_array_index (self->stack, self->stack->len - 1);
}

static inline gboolean
is_ctl (guchar c)
{
  return c < 0x20 || c == 0x7f;
}

static void
skip_spaces (Cursor *cursor)
{
  while (cursor->p < cursor->end && *cursor->p == ' ')
    cursor->p++;
}

/* A word of a response's first tokens (tag, `*`, number, name): up to the
 * next space. */
static gboolean
read_word (Cursor      *cursor,
           const char **word,
           gsize       *length)
{
  const char *begin = cursor->p;

  while (cursor->p < cursor->end && *cursor->p != ' ')
    {
      guchar c = *cursor->p;

      if (is_ctl (c) || c == '(' || c == ')' || c == '"' || c == '{')
        return FALSE;
      cursor->p++;
    }
  *word = begin;
  *length = cursor->p - begin;
  return *length > 0;
}

static gboolean
is_digits (const char *text,
           gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
word_equal (const char *word,
            gsize       length,
            const char *keyword)
{
  return strlen (keyword) == length && g_ascii_strncasecmp (word, keyword, length) == 0;
}

/* A quoted string (§4.3): any `\x` stands for x, as Dovecot reads it too;
 * RFC 3501 only defines `\\` and `\"`. The cursor is on the opening quote. */
static BuzonImapValue *
read_quoted (BuzonImapParser *self,
             Cursor          *cursor,
             GError         **error)
{
  GString *text = g_string_new (NULL);
  const char *open = cursor->p;

  cursor->p++;
  while (cursor->p < cursor->end)
    {
      char c = *cursor->p++;

      if (c == '"')
        {
          gsize length = text->len;

          return _buzon_imap_value_new_string_take (g_string_free (text, FALSE), length, FALSE);
        }
      if (c == '\\')
        {
          if (cursor->p == cursor->end)
            break;
          c = *cursor->p++;
        }
      g_string_append_c (text, c);
    }

  g_string_free (text, TRUE);
  cursor->p = open;
  fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
        "quoted string not closed before the line end");
  return NULL;
}

/* An atom, liberally: anything up to a space or parenthesis, except control
 * characters. A `[` opens a bracketed part that may hold spaces, parentheses
 * and quoted strings, up to its `]`: FETCH's `BODY[HEADER.FIELDS (A B)]<0>`
 * is one atom. */
static BuzonImapValue *
read_atom (BuzonImapParser *self,
           Cursor          *cursor,
           GError         **error)
{
  const char *begin = cursor->p;

  while (cursor->p < cursor->end)
    {
      guchar c = *cursor->p;

      if (c == ' ' || c == '(' || c == ')')
        break;
      if (is_ctl (c))
        {
          fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
                "control character 0x%02x in an atom", c);
          return NULL;
        }
      cursor->p++;

      if (c == '[')
        {
          const char *open = cursor->p - 1;
          gboolean quoted = FALSE;
          gboolean closed = FALSE;

          while (cursor->p < cursor->end && !closed)
            {
              c = *cursor->p;
              if (is_ctl (c))
                {
                  fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
                        "control character 0x%02x in a bracketed atom", c);
                  return NULL;
                }
              cursor->p++;
              if (quoted)
                {
                  if (c == '\\' && cursor->p < cursor->end)
                    cursor->p++;
                  else if (c == '"')
                    quoted = FALSE;
                }
              else if (c == '"')
                quoted = TRUE;
              else if (c == ']')
                closed = TRUE;
            }
          if (!closed)
            {
              cursor->p = open;
              fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
                    "'[' not closed before the line end");
              return NULL;
            }
        }
    }

  if (word_equal (begin, cursor->p - begin, "NIL"))
    return _buzon_imap_value_new_nil ();
  return _buzon_imap_value_new_atom (begin, cursor->p - begin);
}

/* A literal's header `{N}`, `{N+}` or `~{N}` (literal8, RFC 3516); it must
 * end the line. The cursor is on `{` (or `~`). */
static gboolean
read_literal_header (BuzonImapParser *self,
                     Cursor          *cursor,
                     guint64         *length,
                     GError         **error)
{
  const char *begin = cursor->p;
  guint64 n = 0;
  gsize digits = 0;

  if (*cursor->p == '~')
    cursor->p++;
  cursor->p++;

  while (cursor->p < cursor->end && g_ascii_isdigit (*cursor->p))
    {
      guint digit = *cursor->p - '0';

      if (n > (G_MAXUINT64 - digit) / 10)
        {
          cursor->p = begin;
          fail (self, cursor, error, BUZON_IMAP_ERROR_TOO_BIG,
                "literal size does not fit in 64 bits");
          return FALSE;
        }
      n = n * 10 + digit;
      digits++;
      cursor->p++;
    }
  if (cursor->p < cursor->end && *cursor->p == '+')
    cursor->p++;
  if (digits == 0 || cursor->p == cursor->end || *cursor->p != '}')
    {
      cursor->p = begin;
      fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "bad literal header");
      return FALSE;
    }
  cursor->p++;
  if (cursor->p != cursor->end)
    {
      fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
            "literal header not at the end of its line");
      return FALSE;
    }

  if (n > self->limits.max_literal_size ||
      self->literal_total + n > self->limits.max_literal_size)
    {
      cursor->p = begin;
      fail (self, cursor, error, BUZON_IMAP_ERROR_TOO_BIG,
            "literal of %" G_GUINT64_FORMAT " bytes is over the limit of %" G_GUINT64_FORMAT
            " literal bytes in a response", n, self->limits.max_literal_size);
      return FALSE;
    }

  *length = n;
  return TRUE;
}

/* Tokenises values onto the stack until the line ends. Lists may stay open
 * across a literal. @in_code: inside a response code's brackets, where a
 * literal cannot be. */
static ValuesResult
read_values (BuzonImapParser *self,
             Cursor          *cursor,
             GPtrArray       *stack,
             gboolean         in_code,
             guint64         *literal_length,
             GError         **error)
{
  for (;;)
    {
      BuzonImapValue *top = g_ptr_array_index (stack, stack->len - 1);
      BuzonImapValue *value = NULL;
      char c;

      skip_spaces (cursor);
      if (cursor->p == cursor->end)
        return VALUES_DONE;

      c = *cursor->p;
      switch (c)
        {
        case '(':
          /* stack[0] is the response's own argument list, not nesting. */
          if (stack->len > self->limits.max_depth)
            {
              fail (self, cursor, error, BUZON_IMAP_ERROR_TOO_BIG,
                    "lists nested deeper than %u", self->limits.max_depth);
              return VALUES_ERROR;
            }
          if (!count_value (self, cursor, error))
            return VALUES_ERROR;
          value = _buzon_imap_value_new_list ();
          _buzon_imap_value_list_append (top, value);
          g_ptr_array_add (stack, value);
          cursor->p++;
          continue;

        case ')':
          if (stack->len <= 1)
            {
              fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "')' without a matching '('");
              return VALUES_ERROR;
            }
          g_ptr_array_set_size (stack, stack->len - 1);
          cursor->p++;
          continue;

        case '"':
          value = read_quoted (self, cursor, error);
          break;

        case '~':
        case '{':
          if (c == '~' && (cursor->p + 1 == cursor->end || cursor->p[1] != '{'))
            {
              value = read_atom (self, cursor, error);
              break;
            }
          if (in_code)
            {
              fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "literal inside a response code");
              return VALUES_ERROR;
            }
          if (!read_literal_header (self, cursor, literal_length, error))
            return VALUES_ERROR;
          return VALUES_LITERAL;

        default:
          value = read_atom (self, cursor, error);
          break;
        }

      if (value == NULL)
        return VALUES_ERROR;
      if (!count_value (self, cursor, error))
        {
          buzon_imap_value_unref (value);
          return VALUES_ERROR;
        }
      _buzon_imap_value_list_append (top, value);
    }
}

/* The arguments of a response code, parsed on their own: a parse failure
 * here is not a failure of the response (unknown codes may hold any text up
 * to the `]`, §7.1), so it only leaves the arguments unparsed. Values still
 * count towards the response's limit. */
static BuzonImapValue *
read_code_args (BuzonImapParser *self,
                const char      *text,
                gsize            length)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(BuzonImapValue) args = _buzon_imap_value_new_list ();
  Cursor cursor = { text, text, text + length };
  guint64 unused;
  ValuesResult result;

  g_ptr_array_add (stack, args);
  self->quiet = TRUE;
  result = read_values (self, &cursor, stack, TRUE, &unused, NULL);
  self->quiet = FALSE;

  if (result != VALUES_DONE || stack->len != 1)
    return NULL;
  return g_steal_pointer (&args);
}

/* resp-text (§7.1): an optional `[code args]`, then text to the line end. */
static void
read_resp_text (BuzonImapParser *self,
                Cursor          *cursor)
{
  g_autofree char *code = NULL;
  g_autofree char *code_text = NULL;
  BuzonImapValue *code_args = NULL;

  skip_spaces (cursor);

  if (cursor->p < cursor->end && *cursor->p == '[')
    {
      const char *inner = cursor->p + 1;
      const char *close = NULL;
      gboolean quoted = FALSE;

      for (const char *q = inner; q < cursor->end && close == NULL; q++)
        {
          if (quoted)
            {
              if (*q == '\\' && q + 1 < cursor->end)
                q++;
              else if (*q == '"')
                quoted = FALSE;
            }
          else if (*q == '"')
            quoted = TRUE;
          else if (*q == ']')
            close = q;
        }
      /* An unbalanced quote inside free-form code text: take the first ']'. */
      if (close == NULL)
        close = memchr (inner, ']', cursor->end - inner);

      if (close != NULL)
        {
          const char *name_end = inner;

          while (name_end < close && *name_end != ' ')
            name_end++;

          if (name_end > inner)
            {
              const char *args = name_end;

              code = g_ascii_strup (inner, name_end - inner);
              while (args < close && *args == ' ')
                args++;
              if (args < close)
                {
                  code_text = g_strndup (args, close - args);
                  code_args = read_code_args (self, args, close - args);
                }
              cursor->p = close + 1;
              skip_spaces (cursor);
            }
        }
    }

  _buzon_imap_response_set_text (self->response,
                                 g_steal_pointer (&code),
                                 g_steal_pointer (&code_text),
                                 code_args,
                                 _buzon_imap_make_utf8 (cursor->p, cursor->end - cursor->p));
  cursor->p = cursor->end;
}

/* The first tokens of a response, which say what the rest is. Returns
 * whether the rest of the line is a value list (FALSE: resp-text, already
 * read, and the response is complete). */
static gboolean
read_response_start (BuzonImapParser *self,
                     Cursor          *cursor,
                     gboolean        *values,
                     GError         **error)
{
  const char *word;
  gsize length;

  if (*cursor->p == '+')
    {
      cursor->p++;
      self->response = _buzon_imap_response_new (BUZON_IMAP_RESPONSE_CONTINUATION);
      /* `+` SP text, but some servers send a bare `+`. */
      if (cursor->p < cursor->end && *cursor->p == ' ')
        cursor->p++;
      read_resp_text (self, cursor);
      *values = FALSE;
      return TRUE;
    }

  if (*cursor->p == '*')
    {
      cursor->p++;
      if (cursor->p < cursor->end && *cursor->p != ' ')
        {
          fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "expected a space after '*'");
          return FALSE;
        }
      skip_spaces (cursor);
      self->response = _buzon_imap_response_new (BUZON_IMAP_RESPONSE_UNTAGGED);
      g_ptr_array_add (self->stack, _buzon_imap_response_get_args_list (self->response));

      if (!read_word (cursor, &word, &length))
        {
          fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "expected a response name");
          return FALSE;
        }

      if (is_digits (word, length))
        {
          guint64 number = 0;

          /* message-data: `* nz-number EXISTS|RECENT|EXPUNGE|FETCH ...`;
           * sequence numbers are 32 bits (§9 nz-number). */
          for (gsize i = 0; i < length && number <= G_MAXUINT32; i++)
            number = number * 10 + (word[i] - '0');
          if (number > G_MAXUINT32)
            {
              cursor->p = word;
              fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "message number out of range");
              return FALSE;
            }
          _buzon_imap_response_set_number (self->response, (guint32) number);
          skip_spaces (cursor);
          if (!read_word (cursor, &word, &length))
            {
              fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
                    "expected a response name after the message number");
              return FALSE;
            }
          _buzon_imap_response_set_name (self->response, g_ascii_strup (word, length));
          *values = TRUE;
          return TRUE;
        }

      _buzon_imap_response_set_name (self->response, g_ascii_strup (word, length));
      if (buzon_imap_response_get_condition (self->response) != BUZON_IMAP_CONDITION_NONE)
        {
          read_resp_text (self, cursor);
          *values = FALSE;
        }
      else
        {
          *values = TRUE;
        }
      return TRUE;
    }

  /* tag SP (OK / NO / BAD) SP resp-text */
  if (!read_word (cursor, &word, &length) || memchr (word, '+', length) != NULL)
    {
      fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE, "expected '*', '+' or a tag");
      return FALSE;
    }
  self->response = _buzon_imap_response_new (BUZON_IMAP_RESPONSE_TAGGED);
  _buzon_imap_response_set_tag (self->response, g_strndup (word, length));
  skip_spaces (cursor);
  if (!read_word (cursor, &word, &length) ||
      !(word_equal (word, length, "OK") || word_equal (word, length, "NO") ||
        word_equal (word, length, "BAD")))
    {
      fail (self, cursor, error, BUZON_IMAP_ERROR_PARSE,
            "a tagged response must be OK, NO or BAD");
      return FALSE;
    }
  _buzon_imap_response_set_name (self->response, g_ascii_strup (word, length));
  read_resp_text (self, cursor);
  *values = FALSE;
  return TRUE;
}

static void
finish_response (BuzonImapParser *self)
{
  g_queue_push_tail (&self->responses, g_steal_pointer (&self->response));
  discard_response (self);
}

static gboolean
start_literal (BuzonImapParser *self,
               const Cursor    *cursor,
               guint64          length,
               GError         **error)
{
  self->literal_total += length;
  self->literal_length = length;
  self->literal_received = 0;

  if (length > self->limits.memory_literal_size ||
      self->memory_literals + length > self->limits.max_memory_literals)
    {
      g_autofree char *template = NULL;
      const char *dir = self->spool_dir != NULL ? self->spool_dir : g_get_tmp_dir ();
      int saved_errno;

      template = g_build_filename (dir, "buzon-imap-literal-XXXXXX", NULL);
      self->literal_fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
      saved_errno = errno;
      if (self->literal_fd < 0)
        {
          fail (self, cursor, error, BUZON_IMAP_ERROR_IO,
                "cannot create a spool file for a literal of %" G_GUINT64_FORMAT
                " bytes in %s: %s", length, dir, g_strerror (saved_errno));
          return FALSE;
        }
      self->literal_path = g_steal_pointer (&template);
      if (self->spool_buffer == NULL)
        self->spool_buffer = g_byte_array_sized_new (SPOOL_BUFFER_SIZE);
    }
  else
    {
      self->memory_literals += length;
      self->literal_data = g_malloc (length + 1);
      self->literal_data[length] = '\0';
    }

  self->state = STATE_LITERAL;
  return TRUE;
}

static gboolean
flush_spool (BuzonImapParser *self,
             GError         **error)
{
  const guint8 *data = self->spool_buffer->data;
  gsize left = self->spool_buffer->len;

  while (left > 0)
    {
      gssize written = write (self->literal_fd, data, left);

      if (written < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          fail (self, NULL, error, BUZON_IMAP_ERROR_IO,
                "cannot write a spooled literal to %s: %s",
                self->literal_path, g_strerror (saved_errno));
          return FALSE;
        }
      data += written;
      left -= written;
    }
  g_byte_array_set_size (self->spool_buffer, 0);
  return TRUE;
}

static gboolean
finish_literal (BuzonImapParser *self,
                GError         **error)
{
  BuzonImapValue *value;

  if (self->literal_fd >= 0)
    {
      if (!flush_spool (self, error))
        return FALSE;
      if (!g_close (self->literal_fd, error))
        {
          self->literal_fd = -1;
          fail (self, NULL, error, BUZON_IMAP_ERROR_IO,
                "cannot close the spooled literal %s", self->literal_path);
          return FALSE;
        }
      self->literal_fd = -1;
      value = _buzon_imap_value_new_spooled (g_steal_pointer (&self->literal_path),
                                             self->literal_length);
    }
  else if (self->literal_data != NULL)
    {
      value = _buzon_imap_value_new_string_take (g_steal_pointer (&self->literal_data),
                                                 self->literal_length, TRUE);
    }
  else
    {
      value = _buzon_imap_value_new_string ("", 0, TRUE);
    }

  if (!count_value (self, NULL, error))
    {
      buzon_imap_value_unref (value);
      return FALSE;
    }
  _buzon_imap_value_list_append (stack_top (self), value);
  self->literal_length = 0;
  self->literal_received = 0;
  self->state = STATE_LINE;
  return TRUE;
}

/* One complete line, without its line end. */
static gboolean
process_line (BuzonImapParser *self,
              const char      *line,
              gsize            length,
              GError         **error)
{
  Cursor cursor = { line, line, line + length };
  gboolean values = TRUE;
  guint64 literal_length = 0;
  const char *nul;

  self->response_size += length + 2;
  if (self->response_size > self->limits.max_response_size)
    {
      fail (self, &cursor, error, BUZON_IMAP_ERROR_TOO_BIG,
            "response longer than %" G_GSIZE_FORMAT " bytes (not counting literals)",
            self->limits.max_response_size);
      return FALSE;
    }

  nul = memchr (line, '\0', length);
  if (nul != NULL)
    {
      cursor.p = nul;
      fail (self, &cursor, error, BUZON_IMAP_ERROR_PARSE, "NUL byte outside a literal");
      return FALSE;
    }

  if (self->response == NULL)
    {
      /* Stray empty lines between responses are skipped. */
      skip_spaces (&cursor);
      if (cursor.p == cursor.end)
        {
          self->response_size = 0;
          return TRUE;
        }
      if (!read_response_start (self, &cursor, &values, error))
        return FALSE;
    }

  if (values)
    {
      switch (read_values (self, &cursor, self->stack, FALSE, &literal_length, error))
        {
        case VALUES_ERROR:
          return FALSE;

        case VALUES_LITERAL:
          if (!start_literal (self, &cursor, literal_length, error))
            return FALSE;
          if (literal_length == 0)
            return finish_literal (self, error);
          return TRUE;

        case VALUES_DONE:
        default:
          if (self->stack->len > 1)
            {
              fail (self, &cursor, error, BUZON_IMAP_ERROR_PARSE,
                    "response ended with %u list(s) still open", self->stack->len - 1);
              return FALSE;
            }
          break;
        }
    }

  finish_response (self);
  return TRUE;
}

static void
buzon_imap_parser_finalize (GObject *object)
{
  BuzonImapParser *self = (BuzonImapParser *) object;

  discard_literal (self);
  discard_response (self);
  g_queue_clear_full (&self->responses, (GDestroyNotify) buzon_imap_response_unref);
  g_clear_pointer (&self->spool_buffer, g_byte_array_unref);
  g_clear_pointer (&self->line, g_byte_array_unref);
  g_clear_pointer (&self->stack, g_ptr_array_unref);
  g_clear_pointer (&self->spool_dir, g_free);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (buzon_imap_parser_parent_class)->finalize (object);
}

static void
buzon_imap_parser_class_init (BuzonImapParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_imap_parser_finalize;
}

static void
buzon_imap_parser_init (BuzonImapParser *self)
{
  buzon_imap_parser_limits_init (&self->limits);
  self->state = STATE_LINE;
  self->line = g_byte_array_new ();
  self->stack = g_ptr_array_new ();
  self->literal_fd = -1;
  self->line_number = 1;
  g_queue_init (&self->responses);
}

/**
 * buzon_imap_parser_limits_init:
 * @limits: (out caller-allocates): limits to fill in
 *
 * Fills @limits with the defaults: lines of 1 MiB (a SEARCH result is one
 * line: this holds some 150,000 UIDs), responses of 4 MiB without their
 * literals and 500,000 values, lists nested 64 deep; literals up to 256 MiB
 * (and no more literal bytes in one response), those above 1 MiB spooled to
 * a file, and at most 64 MiB of in-memory literals per response.
 */
void
buzon_imap_parser_limits_init (BuzonImapParserLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_line_length = BUZON_IMAP_DEFAULT_MAX_LINE_LENGTH;
  limits->max_response_size = BUZON_IMAP_DEFAULT_MAX_RESPONSE_SIZE;
  limits->max_values = BUZON_IMAP_DEFAULT_MAX_VALUES;
  limits->max_depth = BUZON_IMAP_DEFAULT_MAX_DEPTH;
  limits->max_literal_size = BUZON_IMAP_DEFAULT_MAX_LITERAL_SIZE;
  limits->memory_literal_size = BUZON_IMAP_DEFAULT_MEMORY_LITERAL_SIZE;
  limits->max_memory_literals = BUZON_IMAP_DEFAULT_MAX_MEMORY_LITERALS;
}

/**
 * buzon_imap_parser_new:
 *
 * Creates a parser for one connection's responses, with the default limits
 * and the system's temporary directory for spooled literals.
 *
 * Returns: (transfer full): a new #BuzonImapParser
 */
BuzonImapParser *
buzon_imap_parser_new (void)
{
  return g_object_new (BUZON_TYPE_IMAP_PARSER, NULL);
}

/**
 * buzon_imap_parser_set_limits:
 * @self: a #BuzonImapParser
 * @limits: the limits
 *
 * Sets what the parser accepts from now on. `max_depth` is capped at
 * %BUZON_IMAP_MAX_DEPTH_CEILING; zero values are raised to one.
 */
void
buzon_imap_parser_set_limits (BuzonImapParser             *self,
                              const BuzonImapParserLimits *limits)
{
  g_return_if_fail (BUZON_IS_IMAP_PARSER (self));
  g_return_if_fail (limits != NULL);

  self->limits = *limits;
  self->limits.max_depth = CLAMP (self->limits.max_depth, 1, BUZON_IMAP_MAX_DEPTH_CEILING);
  self->limits.max_line_length = MAX (self->limits.max_line_length, 1);
  self->limits.max_response_size = MAX (self->limits.max_response_size, 1);
  self->limits.max_values = MAX (self->limits.max_values, 1);
}

/**
 * buzon_imap_parser_get_limits:
 * @self: a #BuzonImapParser
 * @limits: (out caller-allocates): where to copy the limits
 */
void
buzon_imap_parser_get_limits (BuzonImapParser       *self,
                              BuzonImapParserLimits *limits)
{
  g_return_if_fail (BUZON_IS_IMAP_PARSER (self));
  g_return_if_fail (limits != NULL);

  *limits = self->limits;
}

/**
 * buzon_imap_parser_set_spool_dir:
 * @self: a #BuzonImapParser
 * @directory: (nullable): an existing directory, or %NULL for
 *   g_get_tmp_dir()
 *
 * Where large literals are written (files `buzon-imap-literal-XXXXXX`, mode
 * 0600). Pick a private directory on the same file system as the message
 * store, so a spooled body can be moved into the store without a copy.
 */
void
buzon_imap_parser_set_spool_dir (BuzonImapParser *self,
                                 const char      *directory)
{
  g_return_if_fail (BUZON_IS_IMAP_PARSER (self));

  g_free (self->spool_dir);
  self->spool_dir = g_strdup (directory);
}

/**
 * buzon_imap_parser_get_spool_dir:
 * @self: a #BuzonImapParser
 *
 * Returns: (nullable): the spool directory set, or %NULL for the default
 */
const char *
buzon_imap_parser_get_spool_dir (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), NULL);

  return self->spool_dir;
}

static gboolean
feed (BuzonImapParser *self,
      const guint8    *data,
      gsize            length,
      gboolean         one_response,
      gsize           *consumed,
      GError         **error)
{
  const guint8 *p = data;
  const guint8 *end = data + length;
  guint queued = self->responses.length;

  if (self->state == STATE_FAILED)
    {
      g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_FAILED,
                   "The IMAP parser failed earlier: %s", self->failure->message);
      return FALSE;
    }

  while (p < end && !(one_response && self->responses.length > queued))
    {
      if (self->state == STATE_LITERAL)
        {
          guint64 want = self->literal_length - self->literal_received;
          gsize take = (gsize) MIN ((guint64) (end - p), want);

          if (self->literal_fd >= 0)
            {
              gsize room = SPOOL_BUFFER_SIZE - self->spool_buffer->len;

              take = MIN (take, room);
              g_byte_array_append (self->spool_buffer, p, take);
              if (self->spool_buffer->len == SPOOL_BUFFER_SIZE && !flush_spool (self, error))
                return FALSE;
            }
          else
            {
              memcpy (self->literal_data + self->literal_received, p, take);
            }
          self->literal_received += take;
          self->offset += take;
          p += take;

          if (self->literal_received == self->literal_length && !finish_literal (self, error))
            return FALSE;
        }
      else
        {
          const guint8 *lf = memchr (p, '\n', end - p);
          gsize chunk = (lf != NULL ? lf : end) - p;
          const char *line;
          gsize line_length;

          /* The limit does not count the line end; the CR may be here. */
          if (self->line->len + chunk > self->limits.max_line_length + 1)
            {
              fail (self, NULL, error, BUZON_IMAP_ERROR_TOO_BIG,
                    "line longer than %" G_GSIZE_FORMAT " bytes", self->limits.max_line_length);
              return FALSE;
            }

          if (lf == NULL)
            {
              g_byte_array_append (self->line, p, chunk);
              self->offset += chunk;
              p = end;
              break;
            }

          /* A whole line in this chunk is read in place. */
          if (self->line->len == 0)
            {
              line = (const char *) p;
              line_length = chunk;
            }
          else
            {
              g_byte_array_append (self->line, p, chunk);
              line = (const char *) self->line->data;
              line_length = self->line->len;
            }
          if (line_length > 0 && line[line_length - 1] == '\r')
            line_length--;
          self->offset += chunk + 1;
          p = lf + 1;

          if (!process_line (self, line, line_length, error))
            return FALSE;

          self->line_number++;
          if (self->line->len > LINE_BUFFER_KEEP)
            {
              g_byte_array_unref (self->line);
              self->line = g_byte_array_new ();
            }
          else
            {
              g_byte_array_set_size (self->line, 0);
            }
        }
    }

  if (consumed != NULL)
    *consumed = p - data;
  return TRUE;
}

/**
 * buzon_imap_parser_feed:
 * @self: a #BuzonImapParser
 * @data: (array length=length): bytes from the server
 * @length: how many
 * @error: return location for a #GError
 *
 * Parses the next bytes of the stream, split anywhere. Every response they
 * complete is queued for buzon_imap_parser_pop(). A large literal's data is
 * written to its spool file as it comes, which blocks on the disk.
 *
 * Returns: %TRUE, or %FALSE with @error set when the input is malformed or
 *   over a limit (%BUZON_IMAP_ERROR_PARSE, %BUZON_IMAP_ERROR_TOO_BIG), a
 *   spool file cannot be written (%BUZON_IMAP_ERROR_IO) or the parser
 *   failed before (%BUZON_IMAP_ERROR_FAILED). After a failure the parser
 *   accepts nothing more; responses completed before it can still be popped.
 */
gboolean
buzon_imap_parser_feed (BuzonImapParser *self,
                        const void      *data,
                        gsize            length,
                        GError         **error)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return feed (self, data, length, FALSE, NULL, error);
}

/**
 * buzon_imap_parser_feed_until_response:
 * @self: a #BuzonImapParser
 * @data: (array length=length): bytes from the server
 * @length: how many
 * @consumed: (out): how many bytes were parsed
 * @error: return location for a #GError
 *
 * Like buzon_imap_parser_feed(), but stops right after the first response
 * it completes, leaving the rest of @data unparsed. For the moment the
 * stream changes under the parser: after the tagged OK to STARTTLS or
 * COMPRESS, the bytes that follow are not for this parser.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
buzon_imap_parser_feed_until_response (BuzonImapParser *self,
                                       const void      *data,
                                       gsize            length,
                                       gsize           *consumed,
                                       GError         **error)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (consumed != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *consumed = 0;
  return feed (self, data, length, TRUE, consumed, error);
}

/**
 * buzon_imap_parser_pop:
 * @self: a #BuzonImapParser
 *
 * Returns: (transfer full) (nullable): the oldest complete response not yet
 *   popped, or %NULL when there is none
 */
BuzonImapResponse *
buzon_imap_parser_pop (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), NULL);

  return g_queue_pop_head (&self->responses);
}

/**
 * buzon_imap_parser_get_n_pending:
 * @self: a #BuzonImapParser
 *
 * Returns: how many complete responses wait to be popped
 */
guint
buzon_imap_parser_get_n_pending (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), 0);

  return self->responses.length;
}

/**
 * buzon_imap_parser_is_idle:
 * @self: a #BuzonImapParser
 *
 * Returns: whether the parser is between responses: no partial line, no
 *   response or literal in progress (so a connection closing now cut
 *   nothing short)
 */
gboolean
buzon_imap_parser_is_idle (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), FALSE);

  return self->state == STATE_LINE && self->response == NULL && self->line->len == 0;
}

/**
 * buzon_imap_parser_has_failed:
 * @self: a #BuzonImapParser
 *
 * Returns: whether the parser hit an error and accepts no more input
 */
gboolean
buzon_imap_parser_has_failed (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), TRUE);

  return self->state == STATE_FAILED;
}

/**
 * buzon_imap_parser_get_offset:
 * @self: a #BuzonImapParser
 *
 * Returns: how many bytes of the stream the parser has consumed
 */
guint64
buzon_imap_parser_get_offset (BuzonImapParser *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_PARSER (self), 0);

  return self->offset;
}
