/* buzon-imap-utf7.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable US-ASCII
 * stands for itself except `&`, written `&-`; everything else is UTF-16 in a
 * base64 variant (`,` for `/`, no padding) between `&` and `-`. Characters
 * beyond the BMP are surrogate pairs.
 *
 * The decoder is strict, as the RFC asks, because one mailbox must have one
 * spelling: it rejects bytes outside printable ASCII, a shift without its
 * `-`, printable ASCII encoded in base64, null shifts (`-&` inside one
 * run), leftover bits that are not zero or a whole base64 digit too many,
 * and unpaired surrogates. */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-utf7.h"

static const char base64_digits[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == ',')
    return 63;
  return -1;
}

static gboolean
is_printable_ascii (gunichar c)
{
  return c >= 0x20 && c <= 0x7e;
}

typedef struct
{
  GString *out;
  guint32  bits;
  guint    n_bits;
} Encoder;

static void
encode_unit (Encoder *encoder,
             guint16  unit)
{
  encoder->bits = (encoder->bits << 16) | unit;
  encoder->n_bits += 16;
  while (encoder->n_bits >= 6)
    {
      encoder->n_bits -= 6;
      g_string_append_c (encoder->out, base64_digits[(encoder->bits >> encoder->n_bits) & 0x3f]);
    }
  encoder->bits &= (1u << encoder->n_bits) - 1;
}

static void
encode_end_run (Encoder *encoder)
{
  if (encoder->n_bits > 0)
    g_string_append_c (encoder->out,
                       base64_digits[(encoder->bits << (6 - encoder->n_bits)) & 0x3f]);
  g_string_append_c (encoder->out, '-');
  encoder->bits = 0;
  encoder->n_bits = 0;
}

/**
 * buzon_imap_utf7_encode:
 * @utf8: a mailbox name in UTF-8
 * @error: return location for a #GError
 *
 * Encodes a mailbox name for the wire: `~peter/mail/台北/日本語` becomes
 * `~peter/mail/&U,BTFw-/&ZeVnLIqe-`.
 *
 * Returns: (transfer full): the modified UTF-7 name, or %NULL with @error
 *   set (%BUZON_IMAP_ERROR_INVALID) when @utf8 is not valid UTF-8
 */
char *
buzon_imap_utf7_encode (const char  *utf8,
                        GError     **error)
{
  Encoder encoder = { 0 };
  gboolean in_base64 = FALSE;

  g_return_val_if_fail (utf8 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (utf8, -1, NULL))
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
                           "Mailbox name is not valid UTF-8");
      return NULL;
    }

  encoder.out = g_string_sized_new (strlen (utf8) + 8);
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_printable_ascii (c))
        {
          if (in_base64)
            {
              encode_end_run (&encoder);
              in_base64 = FALSE;
            }
          g_string_append_c (encoder.out, (char) c);
          if (c == '&')
            g_string_append_c (encoder.out, '-');
          continue;
        }

      if (!in_base64)
        {
          g_string_append_c (encoder.out, '&');
          in_base64 = TRUE;
        }
      if (c >= 0x10000)
        {
          c -= 0x10000;
          encode_unit (&encoder, (guint16) (0xd800 | (c >> 10)));
          encode_unit (&encoder, (guint16) (0xdc00 | (c & 0x3ff)));
        }
      else
        {
          encode_unit (&encoder, (guint16) c);
        }
    }
  if (in_base64)
    encode_end_run (&encoder);

  return g_string_free (encoder.out, FALSE);
}

static char *
decode_error (GString     *out,
              GError     **error,
              const char  *what,
              gsize        position)
{
  g_string_free (out, TRUE);
  g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
               "Invalid modified UTF-7 mailbox name: %s at byte %" G_GSIZE_FORMAT,
               what, position);
  return NULL;
}

/**
 * buzon_imap_utf7_decode:
 * @mutf7: a mailbox name as sent on the wire
 * @error: return location for a #GError
 *
 * Decodes a modified UTF-7 mailbox name strictly (see the top of this file).
 *
 * Returns: (transfer full): the name in UTF-8, or %NULL with @error set
 *   (%BUZON_IMAP_ERROR_INVALID)
 */
char *
buzon_imap_utf7_decode (const char  *mutf7,
                        GError     **error)
{
  GString *out;
  const char *p;

  g_return_val_if_fail (mutf7 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (strlen (mutf7));
  p = mutf7;
  while (*p != '\0')
    {
      const char *run;
      guint32 bits = 0;
      guint n_bits = 0;
      gunichar high = 0;

      if (!is_printable_ascii ((guchar) *p))
        return decode_error (out, error, "byte outside printable ASCII", p - mutf7);

      if (*p != '&')
        {
          g_string_append_c (out, *p++);
          continue;
        }

      p++;
      if (*p == '-')
        {
          g_string_append_c (out, '&');
          p++;
          continue;
        }

      run = p;
      while (*p != '-')
        {
          int value = base64_value (*p);

          if (value < 0)
            return decode_error (out, error,
                                 *p == '\0' ? "base64 run without its '-'" : "bad base64 digit",
                                 p - mutf7);
          bits = (bits << 6) | (guint32) value;
          n_bits += 6;
          p++;

          if (n_bits >= 16)
            {
              gunichar unit;

              n_bits -= 16;
              unit = (bits >> n_bits) & 0xffff;
              bits &= (1u << n_bits) - 1;

              if (high != 0)
                {
                  if (unit < 0xdc00 || unit > 0xdfff)
                    return decode_error (out, error, "unpaired high surrogate", p - mutf7);
                  g_string_append_unichar (out, 0x10000 + ((high - 0xd800) << 10) +
                                                (unit - 0xdc00));
                  high = 0;
                }
              else if (unit >= 0xd800 && unit <= 0xdbff)
                high = unit;
              else if (unit >= 0xdc00 && unit <= 0xdfff)
                return decode_error (out, error, "unpaired low surrogate", p - mutf7);
              else if (is_printable_ascii (unit) || unit == 0)
                return decode_error (out, error, "ASCII character encoded in base64", p - mutf7);
              else
                g_string_append_unichar (out, unit);
            }
        }

      if (p == run)
        return decode_error (out, error, "empty base64 run", p - mutf7);
      if (high != 0)
        return decode_error (out, error, "unpaired high surrogate", p - mutf7);
      if (n_bits >= 6 || bits != 0)
        return decode_error (out, error, "bad base64 padding", p - mutf7);
      p++;
      if (*p == '&' && p[1] != '-')
        return decode_error (out, error, "null shift between base64 runs", p - mutf7);
    }

  return g_string_free (out, FALSE);
}
