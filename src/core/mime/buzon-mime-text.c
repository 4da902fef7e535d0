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

/* Deeper than any real message; bounds the walk over hostile ones. */
#define MAX_DEPTH 32

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

/* The first text/plain part that is not an attachment, else the first
 * text/html one, depth first. */
static GMimeTextPart *
find_text_part (GMimeObject *object,
                guint        depth,
                gboolean     html)
{
  if (object == NULL || depth > MAX_DEPTH)
    return NULL;

  if (GMIME_IS_MESSAGE_PART (object))
    return NULL;  /* an attached message is not this message's text */

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count; i++)
        {
          GMimeTextPart *found = find_text_part (g_mime_multipart_get_part (multipart, i),
                                                 depth + 1, html);
          if (found != NULL)
            return found;
        }
      return NULL;
    }

  if (GMIME_IS_TEXT_PART (object))
    {
      GMimeContentType *type = g_mime_object_get_content_type (object);
      GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

      if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
        return NULL;
      if (g_mime_content_type_is_type (type, "text", html ? "html" : "plain"))
        return GMIME_TEXT_PART (object);
    }

  return NULL;
}

/* Good enough for an index and a preview: drop tags, <style> and <script>
 * contents, and decode the few entities that matter. */
static char *
strip_html (const char *html)
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
 * Returns: (transfer full) (nullable): the text of its main text part in
 *   UTF-8 (an HTML-only message with its tags removed), or %NULL if it has
 *   none or cannot be parsed
 */
char *
buzon_mime_extract_text (GBytes *raw)
{
  GMimeMessage *message;
  char *text;

  g_return_val_if_fail (raw != NULL, NULL);

  message = _buzon_mime_parse (raw);
  if (message == NULL)
    return NULL;

  text = _buzon_mime_message_text (message);
  g_object_unref (message);

  return text;
}

/* Parses @raw; NULL if GMime finds no message at all. */
GMimeMessage *
_buzon_mime_parse (GBytes *raw)
{
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;

  _buzon_mime_ensure_init ();

  stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  /* GMime 3.2 has no autoptr support. */
  g_object_unref (parser);
  g_object_unref (stream);

  return message;
}

/* The text of @message's main text part, valid UTF-8, or NULL. */
char *
_buzon_mime_message_text (GMimeMessage *message)
{
  GMimeTextPart *part;
  g_autofree char *text = NULL;

  part = find_text_part (g_mime_message_get_mime_part (message), 0, FALSE);
  if (part != NULL)
    text = g_mime_text_part_get_text (part);
  else if ((part = find_text_part (g_mime_message_get_mime_part (message), 0, TRUE)) != NULL)
    {
      g_autofree char *html = g_mime_text_part_get_text (part);

      if (html != NULL)
        text = strip_html (html);
    }

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      char *valid = text != NULL ? g_utf8_make_valid (text, -1) : NULL;

      g_free (text);
      text = valid;
    }

  return g_steal_pointer (&text);
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
