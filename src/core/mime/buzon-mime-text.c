/* buzon-mime-text.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-mime"

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "buzon-mime-private.h"
#include "buzon-mime-text.h"

void
_buzon_mime_ensure_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

/* Good enough for an index and a preview: drop tags, <style> and <script>
 * contents, and decode the few entities that matter. */
char *
_buzon_mime_strip_html (const char *html)
{
  GString *text = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          const char *end;

          if (g_ascii_strncasecmp (p, "<style", 6) == 0 || g_ascii_strncasecmp (p, "<script", 7) == 0)
            {
              const char *close = strstr (p, "</");

              while (close != NULL && g_ascii_strncasecmp (close, "</style", 7) != 0 &&
                     g_ascii_strncasecmp (close, "</script", 8) != 0)
                close = strstr (close + 2, "</");
              p = close != NULL ? close : p + strlen (p);
            }
          end = strchr (p, '>');
          if (end == NULL)
            break;
          g_string_append_c (text, ' ');
          p = end + 1;
        }
      else if (*p == '&')
        {
          static const struct { const char *entity; const char *text; } entities[] = {
            { "&nbsp;", " " }, { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
            { "&quot;", "\"" }, { "&#39;", "'" },
          };
          gboolean done = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (entities) && !done; i++)
            {
              gsize len = strlen (entities[i].entity);

              if (g_ascii_strncasecmp (p, entities[i].entity, len) == 0)
                {
                  g_string_append (text, entities[i].text);
                  p += len;
                  done = TRUE;
                }
            }
          if (!done)
            g_string_append_c (text, *p++);
        }
      else
        g_string_append_c (text, *p++);
    }

  return g_string_free (text, FALSE);
}

/**
 * buzon_mime_extract_text:
 * @raw: an RFC 5322 message
 *
 * The text BuzonMimeMessage chooses as the body
 * (buzon_mime_message_dup_index_text()): its plain text, else its HTML
 * without tags; an attached message's text is not this message's.
 *
 * Returns: (transfer full) (nullable): the text in UTF-8, or %NULL if it
 *   has none or cannot be parsed
 */
char *
buzon_mime_extract_text (GBytes *raw)
{
  g_autoptr(BuzonMimeMessage) message = NULL;

  g_return_val_if_fail (raw != NULL, NULL);

  message = buzon_mime_message_new_from_bytes (raw);
  return buzon_mime_message_dup_index_text (message);
}

static void
release_borrowed (gpointer data)
{
  gpointer *borrowed = data;

  /* The array only wraps the GBytes' data: free the wrapper, not the data. */
  g_byte_array_free (borrowed[0], FALSE);
  g_bytes_unref (borrowed[1]);
  g_free (borrowed);
}

/* A GMime stream over @raw's bytes without copying them: GMime's memory
 * stream reads a GByteArray, so one is wrapped around the data and kept,
 * with a reference on @raw, until the stream (and every substream the
 * parser made for the parts, which reference it) is gone. */
static GMimeStream *
stream_over_bytes (GBytes *raw)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (raw, &size);
  gpointer *borrowed;
  GMimeStream *stream;

  if (size == 0)
    return g_mime_stream_mem_new ();
  if (size > G_MAXUINT)
    return g_mime_stream_mem_new_with_buffer ((const char *) data, G_MAXUINT);

  borrowed = g_new (gpointer, 2);
  /* Never written to, so the data is never reallocated or changed. */
  borrowed[0] = g_byte_array_new_take ((guint8 *) data, size);
  borrowed[1] = g_bytes_ref (raw);
  stream = g_mime_stream_mem_new_with_byte_array (borrowed[0]);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_set_data_full (G_OBJECT (stream), "buzon-borrowed", borrowed, release_borrowed);

  return stream;
}

static GMimeParserOptions *
parser_options (void)
{
  static GMimeParserOptions *options = NULL;

  if (g_once_init_enter (&options))
    {
      /* Undeclared 8-bit header text: UTF-8 if it is, else windows-1252
       * (what such mail usually is). */
      const char *fallback[] = { "UTF-8", "windows-1252", NULL };
      GMimeParserOptions *o = g_mime_parser_options_new ();

      g_mime_parser_options_set_rfc2047_compliance_mode (o, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_address_compliance_mode (o, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_parameter_compliance_mode (o, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_allow_addresses_without_domain (o, TRUE);
      g_mime_parser_options_set_fallback_charsets (o, fallback);
      g_once_init_leave (&options, o);
    }
  return options;
}

/* Parses @raw; NULL if GMime finds no message at all. */
GMimeMessage *
_buzon_mime_parse (GBytes *raw)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  _buzon_mime_ensure_init ();

  stream = stream_over_bytes (raw);
  parser = g_mime_parser_new_with_stream (stream);
  /* Parts keep offsets into the stream rather than copies (the default). */
  g_mime_parser_set_persist_stream (parser, TRUE);
  message = g_mime_parser_construct_message (parser, parser_options ());
  /* GMime 3.2 has no autoptr support. */
  g_object_unref (parser);
  g_object_unref (stream);

  return message;
}

/**
 * buzon_mime_make_preview:
 * @text: (nullable): a message's text
 * @max_chars: the most characters to keep
 *
 * The first words of the text for the message list: quoted lines
 * (`> …`) dropped, whitespace collapsed.
 *
 * Returns: (transfer full) (nullable): the preview, %NULL for no text
 */
char *
buzon_mime_make_preview (const char *text,
                         guint       max_chars)
{
  g_autoptr(GString) preview = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean space = FALSE;

  if (text == NULL)
    return NULL;

  preview = g_string_new (NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && g_utf8_strlen (preview->str, -1) < max_chars; i++)
    {
      const char *line = lines[i];

      if (line[0] == '>')
        continue;
      if (g_str_has_prefix (line, "-- "))
        break;  /* the signature */

      for (const char *p = line; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_isspace (c))
            space = preview->len > 0;
          else
            {
              if (space)
                g_string_append_c (preview, ' ');
              space = FALSE;
              g_string_append_unichar (preview, c);
            }
        }
      space = preview->len > 0;
    }

  if (preview->len == 0)
    return NULL;

  if (g_utf8_strlen (preview->str, -1) > max_chars)
    {
      const char *cut = g_utf8_offset_to_pointer (preview->str, max_chars);

      g_string_truncate (preview, cut - preview->str);
    }

  return g_string_free (g_steal_pointer (&preview), FALSE);
}
