/* fuzz-smtp-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the SMTP reply parser, the EHLO decoder and the DATA
 * encoder (src/core/smtp/buzon-smtp-parser.c).
 *
 * The input is a server's byte stream. It is parsed twice: in one piece,
 * and in pieces whose sizes come from a generator seeded by the input, so
 * any input splits the same way every time. Both parses must give the same
 * replies and the same error: a difference means the parser depends on how
 * reads happen to split. A bit of the hash picks small limits, so the limit
 * paths run too. Every reply must have the shape buzon-smtp-parser.h
 * promises (a code from 200 to 599, at least one line, an enhanced code
 * whose class is the code's first digit), its text and enhanced code must
 * come out, and it goes through the EHLO decoder, whose SIZE must be the
 * number the text says. After an error every feed must fail.
 *
 * The same bytes are then a message for DATA: the encoded data must have
 * only CRLF line ends, end in CRLF "." CRLF, and give back the message, its
 * line ends made CRLF, once the stuffed dots are taken away; the 8-bit flag
 * must say whether a byte is over 127.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by run-fuzz.sh;
 * fuzz-replay.c runs the seed corpus (tests/data/smtp/) through the same
 * function with the project's compiler, as a unit test. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buzon-smtp-parser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-smtp-parser: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
        abort (); \
      } \
  } G_STMT_END

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
  /* splitmix64 */
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* What one parse gave: a description of every reply, and the error. */
typedef struct
{
  GString *replies;
  GError  *error;
} Parse;

static void
check_reply (const BuzonSmtpReply *reply)
{
  g_autoptr(BuzonSmtpExtensions) ext = NULL;
  g_autofree char *text = NULL;
  g_autofree char *enhanced = NULL;

  CHECK (reply->code >= 200 && reply->code <= 599);
  CHECK (reply->lines != NULL && reply->lines[0] != NULL);
  CHECK (reply->klass == 0 || reply->klass == reply->code / 100);

  text = buzon_smtp_reply_dup_text (reply);
  CHECK (text != NULL);
  enhanced = buzon_smtp_reply_dup_enhanced (reply);
  CHECK ((enhanced != NULL) == (reply->klass != 0));
  if (enhanced != NULL)
    {
      g_autofree char *expected = g_strdup_printf ("%u.%u.%u", reply->klass, reply->subject,
                                                   reply->detail);

      CHECK (g_str_equal (enhanced, expected));
      CHECK (buzon_smtp_reply_has_enhanced (reply, reply->subject, reply->detail));
    }

  for (guint i = 0; reply->lines[i] != NULL; i++)
    CHECK (strchr (reply->lines[i], '\n') == NULL);

  ext = buzon_smtp_parse_ehlo (reply);
  if (ext != NULL)
    {
      for (guint i = 0; ext->auth != NULL && ext->auth[i] != NULL; i++)
        CHECK (buzon_smtp_extensions_has_auth (ext, ext->auth[i]));
      CHECK (!buzon_smtp_extensions_has_auth (ext, "NO SUCH MECHANISM"));
      CHECK (ext->has_size || ext->size == 0);
    }
}

static void
describe (GString              *out,
          const BuzonSmtpReply *reply)
{
  g_string_append_printf (out, "%u %u.%u.%u", reply->code, reply->klass, reply->subject,
                          reply->detail);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      g_string_append_c (out, '|');
      g_string_append (out, reply->lines[i]);
    }
  g_string_append_c (out, '\n');
}

static void
drain (BuzonSmtpParser *parser,
       Parse           *parse)
{
  BuzonSmtpReply *reply;

  while ((reply = buzon_smtp_parser_pop (parser)) != NULL)
    {
      check_reply (reply);
      describe (parse->replies, reply);
      buzon_smtp_reply_free (reply);
    }
}

static void
run_parse (const char *stream,
           gsize       size,
           gboolean    small_limits,
           guint64     seed,
           gboolean    split,
           Parse      *parse)
{
  g_autoptr(BuzonSmtpParser) parser = buzon_smtp_parser_new ();
  guint64 state = seed;
  gsize done = 0;

  parse->replies = g_string_new (NULL);
  parse->error = NULL;
  if (small_limits)
    buzon_smtp_parser_set_limits (parser, 24, 3);

  while (done < size)
    {
      gsize step = 1 + next_random (&state) % 17;
      gsize chunk = split ? MIN (size - done, step) : size - done;

      if (!buzon_smtp_parser_feed (parser, stream + done, chunk, &parse->error))
        break;
      done += chunk;
      drain (parser, parse);
    }
  drain (parser, parse);

  if (parse->error != NULL)
    {
      g_autoptr(GError) again = NULL;

      CHECK (parse->error->domain == BUZON_SMTP_ERROR);
      CHECK (!buzon_smtp_parser_feed (parser, "250 ok\r\n", 8, &again));
      CHECK (again != NULL);
    }
}

static void
check_data (const char *message,
            gsize       size)
{
  g_autoptr(GBytes) input = g_bytes_new (message, size);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GString) normalized = g_string_sized_new (size + 2);
  g_autoptr(GString) unstuffed = g_string_sized_new (size + 2);
  gboolean eight_bit = TRUE;
  gboolean expect_8bit = FALSE;
  const char *data;
  gsize length;
  gsize line_start = 0;

  encoded = buzon_smtp_encode_data (input, &eight_bit);
  data = g_bytes_get_data (encoded, &length);

  for (gsize i = 0; i < size; i++)
    expect_8bit |= (guchar)message[i] > 127;
  CHECK (eight_bit == expect_8bit);

  /* CRLF only, and the end marker. */
  CHECK (length >= 3);
  CHECK (memcmp (data + length - 3, ".\r\n", 3) == 0);
  CHECK (length == 3 || (length >= 5 && memcmp (data + length - 5, "\r\n", 2) == 0));
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n')
        CHECK (i > 0 && data[i - 1] == '\r');
      if (data[i] == '\r')
        CHECK (i + 1 < length && data[i + 1] == '\n');
    }

  /* The message with CRLF line ends (and a last one added)… */
  for (gsize i = 0; i < size; i++)
    {
      if (message[i] == '\r')
        {
          g_string_append (normalized, "\r\n");
          if (i + 1 < size && message[i + 1] == '\n')
            i++;
        }
      else if (message[i] == '\n')
        g_string_append (normalized, "\r\n");
      else
        g_string_append_c (normalized, message[i]);
    }
  if (normalized->len > 0 &&
      (normalized->len < 2 || memcmp (normalized->str + normalized->len - 2, "\r\n", 2) != 0))
    g_string_append (normalized, "\r\n");

  /* …is the data without its end and its stuffed dots. */
  for (gsize i = 0; i < length - 3; i++)
    {
      if (i == line_start && data[i] == '.')
        {
          CHECK (i + 1 < length - 3 && data[i + 1] == '.');
          i++;
        }
      g_string_append_c (unstuffed, data[i]);
      if (data[i] == '\n')
        line_start = i + 1;
    }
  CHECK (unstuffed->len == normalized->len);
  CHECK (memcmp (unstuffed->str, normalized->str, normalized->len) == 0);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *stream = (const char *)data;
  guint64 hash = hash_input (data, size);
  gboolean small_limits = (hash & 0x7) == 0;
  Parse whole = { NULL, NULL };
  Parse pieces = { NULL, NULL };

  run_parse (stream, size, small_limits, hash, FALSE, &whole);
  run_parse (stream, size, small_limits, hash, TRUE, &pieces);

  CHECK (g_str_equal (whole.replies->str, pieces.replies->str));
  CHECK ((whole.error == NULL) == (pieces.error == NULL));
  if (whole.error != NULL)
    CHECK (whole.error->code == pieces.error->code);

  g_string_free (whole.replies, TRUE);
  g_string_free (pieces.replies, TRUE);
  g_clear_error (&whole.error);
  g_clear_error (&pieces.error);

  check_data (stream, size);

  return 0;
}
