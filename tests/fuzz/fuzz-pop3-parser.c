/* fuzz-pop3-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the POP3 reply parser (src/core/pop3).
 *
 * A POP3 parser must be told, command by command, whether a multi-line
 * reply may follow, so each input carries those expectations as well as
 * the server's bytes. An input whose first byte is '#' names them on its
 * first line, 's' for a one-line reply and 'm' for a multi-line one (other
 * bytes there are ignored), and the rest of the input is the stream; in
 * any other input all of it is the stream, and its hash picks the
 * expectations: one per line, or a few only, so that replies nobody asked
 * for are tried too.
 *
 * The stream is parsed twice: in one piece, and in pieces whose sizes come
 * from a generator seeded by the input, so any input splits the same way
 * every time. Both parses must give the same replies and the same error: a
 * difference means the parser depends on how reads happen to split. Some
 * bits of the hash pick small limits, so the limit paths run too. Each
 * reply must have the shape buzon-pop3-parser.h promises (a payload only
 * for the +OK of a multi-line command, every payload line ending in CRLF, a
 * "." line in it only where the server sent ".."), a payload must survive
 * dot-stuffing and parsing again unchanged, and after an error every feed
 * must fail. Every reply's text and payload then goes through every decoder
 * (which must refuse shapes it does not expect, not crash); STAT's and the
 * listing decoders' answers are checked against the text they came from.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by run-fuzz.sh;
 * fuzz-replay.c runs the seed corpus (tests/data/pop3/) through the same
 * function with the project's compiler, as a unit test. */

#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buzon-pop3-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-pop3-parser: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
        abort (); \
      } \
  } G_STMT_END

/* More expectations than this are not worth the time: no input is long
 * enough to answer them. */
#define MAX_EXPECTATIONS 4096

typedef struct
{
  const char *stream;
  gsize       size;
  GArray     *multiline;       /* gboolean, one per command, in order */
  gboolean    small_limits;
  gsize       max_line;
  gsize       max_data;
  guint       wire_terminators; /* complete lines "." in the stream */
  guint       wire_stuffed_dots; /* complete lines ".." in the stream */
} FuzzCase;

static guint64
hash_input (const uint8_t *data,
            size_t         size)
{
  guint64 hash = G_GUINT64_CONSTANT (14695981039346656037);

  for (size_t i = 0; i < size; i++)
    hash = (hash ^ data[i]) * G_GUINT64_CONSTANT (1099511628211);
  return hash;
}

static guint64
next_random (guint64 *state)
{
  /* xorshift64 */
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

/* The stream's complete lines as the parser sees them (without the LF and
 * one CR before it) that are exactly @line. */
static guint
count_wire_lines (const char *stream,
                  gsize       size,
                  const char *line)
{
  gsize n = strlen (line);
  guint count = 0;
  const char *p = stream;
  const char *end;
  const char *lf;

  if (size == 0)
    return 0;
  end = stream + size;
  while ((lf = memchr (p, '\n', end - p)) != NULL)
    {
      gsize length = lf - p;

      if (length > 0 && p[length - 1] == '\r')
        length--;
      if (length == n && memcmp (p, line, n) == 0)
        count++;
      p = lf + 1;
    }
  return count;
}

/* The payload's lines, without their CRLF (which the caller has checked
 * each has), as NUL-terminated strings; a line holding a NUL is cut there,
 * as a decoder given it would see it. */
static GPtrArray *
split_data_lines (const char *data,
                  gsize       length)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  const char *p = data;
  const char *end;
  const char *lf;

  /* An empty payload's bytes may be NULL. */
  if (length == 0)
    return lines;
  end = data + length;
  while ((lf = memchr (p, '\n', end - p)) != NULL)
    {
      g_ptr_array_add (lines, g_strndup (p, lf - 1 - p));
      p = lf + 1;
    }
  return lines;
}

/* An independent reading of RFC 1939 §5 STAT: "count size", both decimal
 * digits only, count within guint, then the end or a space. */
static gboolean
expect_stat (const char *text,
             guint      *out_count,
             guint64    *out_size)
{
  char *end;
  guint64 count, size;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  errno = 0;
  count = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || count > G_MAXUINT || *end != ' ' || !g_ascii_isdigit (end[1]))
    return FALSE;
  size = g_ascii_strtoull (end + 1, &end, 10);
  if (errno != 0 || (*end != '\0' && *end != ' '))
    return FALSE;
  *out_count = (guint) count;
  *out_size = size;
  return TRUE;
}

static void
exercise_stat (const char *text)
{
  guint count = 0, want_count = 0;
  guint64 size = 0, want_size = 0;
  gboolean ok = buzon_pop3_parse_stat (text, &count, &size);

  CHECK (ok == expect_stat (text, &want_count, &want_size));
  if (ok)
    CHECK (count == want_count && size == want_size);
}

/* What buzon_pop3_parse_listing_line() returned for @line must be what
 * the line says (RFC 1939 §7 for unique ids). */
static BuzonPop3Listing *
exercise_listing_line (const char *line,
                       gboolean    uidl)
{
  g_autoptr(GError) error = NULL;
  BuzonPop3Listing *listing = buzon_pop3_parse_listing_line (line, uidl, &error);
  g_autofree char *number = NULL;

  if (listing == NULL)
    {
      CHECK (error != NULL && error->domain == BUZON_POP3_ERROR);
      return NULL;
    }

  CHECK (error == NULL);
  CHECK (listing->number >= 1);
  number = g_strdup_printf ("%u ", listing->number);
  /* Leading zeros are allowed: compare the number's digits after them. */
  while (line[0] == '0')
    line++;
  CHECK (g_str_has_prefix (line, number));
  line += strlen (number);

  if (uidl)
    {
      gsize n;

      CHECK (listing->uidl != NULL);
      n = strlen (listing->uidl);
      CHECK (n >= 1 && n <= 70);
      for (gsize i = 0; i < n; i++)
        CHECK (listing->uidl[i] >= 0x21 && listing->uidl[i] <= 0x7e);
      CHECK (strncmp (line, listing->uidl, n) == 0);
      CHECK (line[n] == '\0' || line[n] == ' ' || line[n] == '\r');
      CHECK (listing->size == 0);
    }
  else
    {
      char *end;

      CHECK (listing->uidl == NULL);
      CHECK (g_ascii_isdigit (line[0]));
      errno = 0;
      CHECK (g_ascii_strtoull (line, &end, 10) == listing->size && errno == 0);
      CHECK (*end == '\0' || *end == ' ' || *end == '\r');
    }
  return listing;
}

/* buzon_pop3_parse_listing() must agree with its lines taken one by one. */
static void
exercise_listing (GBytes    *data,
                  GPtrArray *lines,
                  gboolean   has_nul,
                  gboolean   uidl)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = buzon_pop3_parse_listing (data, uidl, &error);
  g_autoptr(GPtrArray) one_by_one =
    g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_pop3_listing_free);
  gboolean all_good = TRUE;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      BuzonPop3Listing *entry;

      if (line[0] == '\0')
        continue;
      entry = exercise_listing_line (line, uidl);
      if (entry == NULL)
        all_good = FALSE;
      else
        g_ptr_array_add (one_by_one, entry);
    }

  if (entries == NULL)
    {
      CHECK (error != NULL && error->domain == BUZON_POP3_ERROR);
      CHECK (has_nul || !all_good);
      return;
    }

  CHECK (error == NULL);
  CHECK (!has_nul && all_good);
  CHECK (entries->len == one_by_one->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const BuzonPop3Listing *a = g_ptr_array_index (entries, i);
      const BuzonPop3Listing *b = g_ptr_array_index (one_by_one, i);

      CHECK (a->number == b->number && a->size == b->size);
      CHECK (g_strcmp0 (a->uidl, b->uidl) == 0);
    }
}

static void
exercise_capa (GBytes *data,
               guint   n_lines)
{
  g_auto(GStrv) capabilities = buzon_pop3_parse_capa (data);

  CHECK (capabilities != NULL);
  CHECK (g_strv_length (capabilities) <= n_lines);
  for (guint i = 0; capabilities[i] != NULL; i++)
    {
      const char *capability = capabilities[i];
      gsize n = strlen (capability);

      CHECK (n > 0);
      CHECK (!g_ascii_isspace (capability[0]) && !g_ascii_isspace (capability[n - 1]));
      CHECK (strchr (capability, '\n') == NULL);
      for (const char *p = capability; *p != '\0' && *p != ' '; p++)
        CHECK (!g_ascii_islower (*p));
    }
}

static void
exercise_timestamp (const char *text)
{
  g_autofree char *timestamp = buzon_pop3_greeting_timestamp (text);
  gsize n;

  if (timestamp == NULL)
    return;

  n = strlen (timestamp);
  CHECK (n >= 4);
  CHECK (timestamp[0] == '<' && timestamp[n - 1] == '>');
  CHECK (strchr (timestamp, '@') != NULL);
  CHECK (strstr (text, timestamp) != NULL);
  for (gsize i = 1; i + 1 < n; i++)
    CHECK (timestamp[i] >= 0x21 && timestamp[i] <= 0x7e &&
           timestamp[i] != '<' && timestamp[i] != '>');
}

/* Dot-stuffing the payload and parsing it again gives it back. */
static void
check_round_trip (const char *data,
                  gsize       length)
{
  g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
  g_autoptr(GString) wire = g_string_new ("+OK\r\n");
  g_autoptr(BuzonPop3Reply) reply = NULL;
  g_autoptr(GError) error = NULL;
  /* An empty payload's bytes may be NULL. */
  const char *p = length > 0 ? data : "";
  const char *end = p + length;

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);

      if (*p == '.')
        g_string_append_c (wire, '.');
      g_string_append_len (wire, p, lf + 1 - p);
      p = lf + 1;
    }
  g_string_append (wire, ".\r\n");

  buzon_pop3_parser_expect (parser, TRUE);
  CHECK (buzon_pop3_parser_feed (parser, wire->str, wire->len, &error));
  reply = buzon_pop3_parser_pop (parser);
  CHECK (reply != NULL && reply->status == BUZON_POP3_OK && reply->data != NULL);
  CHECK (g_bytes_get_size (reply->data) == length);
  CHECK (length == 0 || memcmp (g_bytes_get_data (reply->data, NULL), data, length) == 0);
  CHECK (buzon_pop3_parser_pop (parser) == NULL);
  CHECK (buzon_pop3_parser_get_pending (parser) == 0);
  CHECK (buzon_pop3_parser_get_buffered (parser) == 0);
}

/* What buzon-pop3-parser.h promises of reply number @index. Returns how
 * many of its payload lines are exactly ".". */
static guint
check_reply (const FuzzCase       *fc,
             const BuzonPop3Reply *reply,
             guint                 index)
{
  gboolean multiline;
  const char *data;
  gsize length;
  guint dot_lines = 0;

  CHECK (index < fc->multiline->len);
  multiline = g_array_index (fc->multiline, gboolean, index);

  CHECK (reply->status == BUZON_POP3_OK || reply->status == BUZON_POP3_ERR ||
         reply->status == BUZON_POP3_CONTINUE);
  CHECK (reply->text != NULL);
  CHECK (strchr (reply->text, '\n') == NULL);
  CHECK (strlen (reply->text) + 1 <= fc->max_line);

  if (reply->code != NULL)
    {
      CHECK (reply->status != BUZON_POP3_CONTINUE);
      CHECK (reply->code[0] != '\0');
      CHECK (strchr (reply->code, ']') == NULL && strchr (reply->code, '\n') == NULL);
      for (const char *p = reply->code; *p != '\0'; p++)
        CHECK (!g_ascii_islower (*p));
    }

  CHECK ((reply->data != NULL) == (reply->status == BUZON_POP3_OK && multiline));
  if (reply->data == NULL)
    return 0;

  data = g_bytes_get_data (reply->data, &length);
  CHECK (length <= fc->max_data);
  /* Every line ends in CRLF: the payload ends in one, and every LF in it
   * has a CR before it. */
  CHECK (length == 0 || (length >= 2 && data[length - 2] == '\r' && data[length - 1] == '\n'));
  for (gsize i = 0; i < length; i++)
    if (data[i] == '\n')
      {
        CHECK (i > 0 && data[i - 1] == '\r');
        if ((i == 2 || (i > 2 && data[i - 3] == '\n')) && data[i - 2] == '.')
          dot_lines++;
      }

  check_round_trip (data, length);
  return dot_lines;
}

/* Every decoder on every reply: they check shapes themselves. */
static void
exercise_decoders (const BuzonPop3Reply *reply)
{
  exercise_stat (reply->text);
  buzon_pop3_listing_free (exercise_listing_line (reply->text, FALSE));
  buzon_pop3_listing_free (exercise_listing_line (reply->text, TRUE));
  exercise_timestamp (reply->text);

  if (reply->data != NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (reply->data, &length);
      g_autoptr(GPtrArray) lines = split_data_lines (data, length);
      gboolean has_nul = length > 0 && memchr (data, '\0', length) != NULL;

      exercise_listing (reply->data, lines, has_nul, FALSE);
      exercise_listing (reply->data, lines, has_nul, TRUE);
      exercise_capa (reply->data, lines->len);
      for (guint i = 0; i < lines->len && i < 64; i++)
        exercise_stat (g_ptr_array_index (lines, i));
    }
}

static void
append_reply (GString              *out,
              const BuzonPop3Reply *reply)
{
  g_string_append_printf (out, "%d [%s] %s", reply->status,
                          reply->code != NULL ? reply->code : "-", reply->text);
  if (reply->data != NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (reply->data, &length);

      g_string_append_printf (out, " {%" G_GSIZE_FORMAT "}\n", length);
      if (length > 0)
        g_string_append_len (out, data, length);
    }
  g_string_append_c (out, '\n');
}

/* Parses the stream in pieces (@state 0: one piece) and returns what came
 * out. */
static GString *
run (const FuzzCase *fc,
     guint64         state,
     gboolean        decode)
{
  g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
  GString *out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gsize offset = 0;
  guint n_replies = 0;
  guint dot_lines = 0;
  guint multiline_done = 0;

  if (fc->small_limits)
    buzon_pop3_parser_set_limits (parser, fc->max_line, fc->max_data);
  for (guint i = 0; i < fc->multiline->len; i++)
    buzon_pop3_parser_expect (parser, g_array_index (fc->multiline, gboolean, i));
  CHECK (buzon_pop3_parser_get_pending (parser) == fc->multiline->len);

  while (offset < fc->size && error == NULL)
    {
      gsize chunk = fc->size - offset;
      BuzonPop3Reply *reply;
      gboolean ok;

      if (state != 0)
        {
          /* Mostly small pieces, sometimes single bytes, sometimes large,
           * now and then nothing at all. */
          guint64 r = next_random (&state);

          chunk = MIN (chunk, (r & 3) == 0 ? 1 : (r & 3) == 1 ? (r >> 8) % 4096 + 1 :
                              (r >> 8) % 64 + 1);
          if ((r >> 40) % 16 == 0)
            chunk = 0;
        }
      ok = buzon_pop3_parser_feed (parser, fc->stream + offset, chunk, &error);
      CHECK (ok == (error == NULL));
      offset += chunk;
      /* Memory stays bounded: what waits for its LF is within a limit,
       * give or take the line's CRLF. */
      if (ok)
        CHECK (buzon_pop3_parser_get_buffered (parser) <= MAX (fc->max_line, fc->max_data) + 2);

      while ((reply = buzon_pop3_parser_pop (parser)) != NULL)
        {
          dot_lines += check_reply (fc, reply, n_replies);
          if (reply->data != NULL)
            multiline_done++;
          append_reply (out, reply);
          if (decode)
            exercise_decoders (reply);
          buzon_pop3_reply_free (reply);
          n_replies++;
        }
      CHECK (buzon_pop3_parser_get_pending (parser) == fc->multiline->len - n_replies);
    }

  /* A payload's "." line was sent as "..", and each payload that ended
   * took a "." line of the stream. */
  CHECK (dot_lines <= fc->wire_stuffed_dots);
  CHECK (multiline_done <= fc->wire_terminators);

  if (error != NULL)
    {
      g_autoptr(GError) again = NULL;

      CHECK (error->domain == BUZON_POP3_ERROR);
      CHECK (error->code == BUZON_POP3_ERROR_PARSE || error->code == BUZON_POP3_ERROR_TOO_LONG ||
             error->code == BUZON_POP3_ERROR_UNEXPECTED);
      g_string_append_printf (out, "ERROR %d\n", error->code);

      /* The stream is beyond repair: any later feed fails, even of
       * nothing, and brings no reply. */
      CHECK (!buzon_pop3_parser_feed (parser, "+OK\r\n", 5, &again));
      CHECK (again != NULL && again->domain == BUZON_POP3_ERROR);
      g_clear_error (&again);
      CHECK (!buzon_pop3_parser_feed (parser, "", 0, &again));
      CHECK (again != NULL && again->domain == BUZON_POP3_ERROR);
      CHECK (buzon_pop3_parser_pop (parser) == NULL);
    }
  else
    {
      /* Every complete line was taken; what is left is the last one's
       * beginning. */
      gsize tail = 0;

      while (tail < fc->size && fc->stream[fc->size - 1 - tail] != '\n')
        tail++;

      CHECK (buzon_pop3_parser_get_buffered (parser) == tail);
    }
  return out;
}

static void
read_case (FuzzCase      *fc,
           const uint8_t *data,
           size_t         size,
           guint64        hash)
{
  const char *input = (const char *) data;

  fc->multiline = g_array_new (FALSE, FALSE, sizeof (gboolean));

  if (size > 0 && input[0] == '#')
    {
      const char *lf = memchr (input, '\n', size);
      gsize header = lf != NULL ? (gsize) (lf - input) : size;

      for (gsize i = 1; i < header && fc->multiline->len < MAX_EXPECTATIONS; i++)
        if (input[i] == 's' || input[i] == 'm')
          {
            gboolean multiline = input[i] == 'm';

            g_array_append_val (fc->multiline, multiline);
          }
      fc->stream = input + MIN (header + 1, size);
      fc->size = size - MIN (header + 1, size);
    }
  else
    {
      guint64 state = hash | 1;
      guint n = 1;

      fc->stream = input;
      fc->size = size;
      /* Enough for every line, or (one input in eight) a few only. */
      if ((hash >> 2) % 8 == 0)
        n = (hash >> 5) % 4;
      else
        for (gsize i = 0; i < size; i++)
          n += data[i] == '\n';
      n = MIN (n, MAX_EXPECTATIONS);
      for (guint i = 0; i < n; i++)
        {
          gboolean multiline = next_random (&state) % 2 == 0;

          g_array_append_val (fc->multiline, multiline);
        }
    }

  fc->max_line = BUZON_POP3_DEFAULT_MAX_LINE;
  fc->max_data = BUZON_POP3_DEFAULT_MAX_DATA;
  switch (hash % 4)
    {
    case 0:
      /* Small: both limits within reach of a small input. */
      fc->small_limits = TRUE;
      fc->max_line = 16 + (hash >> 8) % 112;
      fc->max_data = 16 + (hash >> 16) % 1024;
      break;
    case 1:
      /* A small payload limit only. */
      fc->small_limits = TRUE;
      fc->max_data = 16 + (hash >> 16) % 4096;
      break;
    default:
      break;
    }

  fc->wire_terminators = count_wire_lines (fc->stream, fc->size, ".");
  fc->wire_stuffed_dots = count_wire_lines (fc->stream, fc->size, "..");
}

static char *
escape (const GString *text)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < text->len; i++)
    {
      guchar c = text->str[i];

      if (c == '\n' || (c >= 0x20 && c < 0x7f && c != '\\'))
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  return g_string_free (out, FALSE);
}

/* A g_return_if_fail() or warning reached from input is a bug: abort, so
 * that libFuzzer saves the input (a breakpoint trap it would not). */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_printerr ("fuzz-pop3-parser: %s: %s\n", domain != NULL ? domain : "", message);
      abort ();
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (log_handler, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint64 hash = hash_input (data, size);
  FuzzCase fc = { 0, };
  GString *whole;
  GString *pieces;

  read_case (&fc, data, size, hash);
  whole = run (&fc, 0, TRUE);
  pieces = run (&fc, hash | 1, FALSE);
  if (whole->len != pieces->len || memcmp (whole->str, pieces->str, whole->len) != 0)
    {
      g_autofree char *a = escape (whole);
      g_autofree char *b = escape (pieces);

      g_printerr ("fuzz-pop3-parser: parses differ by split:\n--- whole\n%s--- pieces\n%s",
                  a, b);
      abort ();
    }

  g_string_free (whole, TRUE);
  g_string_free (pieces, TRUE);
  g_array_unref (fc.multiline);
  return 0;
}
