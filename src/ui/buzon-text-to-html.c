/* buzon-text-to-html.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Turns a plain-text message body into an HTML fragment for the reader:
 * everything is escaped, links become <a> elements, quoted blocks (lines
 * starting with ">") become nested <details open> elements that fold without
 * any script, and a signature (after the "-- " line, RFC 3676 section 4.3)
 * is wrapped so the stylesheet can dim it. Lines stay as they are: the
 * reader's stylesheet shows the fragment with white-space: pre-wrap.
 *
 * Pure code, linear in the input, no GTK. The fragment's classes are
 * documented in buzon-reader-view.c, whose stylesheet gives them their look.
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "buzon-text-to-html.h"

typedef struct
{
  GString *out;
  int      depth;          /* quote blocks open */
  gboolean in_signature;
  gboolean line_open;      /* a line was written in the current block */
} Writer;

static void
append_escaped (GString    *out,
                const char *text,
                gsize       len)
{
  const char *end = text + len;
  const char *run = text;

  for (const char *p = text; p < end; p++)
    {
      const char *entity;

      switch (*p)
        {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default: continue;
        }

      g_string_append_len (out, run, p - run);
      g_string_append (out, entity);
      run = p + 1;
    }

  g_string_append_len (out, run, end - run);
}

static gboolean
is_url_char (unsigned char c)
{
  /* Anything printable but the characters that end a URL in running text. */
  if (c <= ' ' || c == 0x7f)
    return FALSE;
  return c != '<' && c != '>' && c != '"' && c != '`' && c != '{' && c != '}' && c != '|' &&
         c != '\\' && c != '^';
}

static gboolean
has_prefix_ci (const char *p,
               const char *end,
               const char *prefix)
{
  gsize n = strlen (prefix);

  return (gsize) (end - p) >= n && g_ascii_strncasecmp (p, prefix, n) == 0;
}

/* The length of a link starting at @p, or 0. @p is at a word start. */
static gsize
match_link (const char *p,
            const char *end,
            gboolean   *needs_scheme)
{
  gsize prefix;
  const char *q;
  gsize len;
  int open_parens = 0, close_parens = 0;
  int open_brackets = 0, close_brackets = 0;

  *needs_scheme = FALSE;

  if (has_prefix_ci (p, end, "https://"))
    prefix = 8;
  else if (has_prefix_ci (p, end, "http://"))
    prefix = 7;
  else if (has_prefix_ci (p, end, "mailto:"))
    prefix = 7;
  else if (has_prefix_ci (p, end, "www."))
    {
      prefix = 4;
      *needs_scheme = TRUE;
    }
  else
    return 0;

  for (q = p + prefix; q < end && is_url_char ((unsigned char) *q); q++)
    {
      if (*q == '(') open_parens++;
      else if (*q == ')') close_parens++;
      else if (*q == '[') open_brackets++;
      else if (*q == ']') close_brackets++;
    }
  len = q - p;

  /* Trailing punctuation belongs to the sentence, and a closing parenthesis
   * to the text around the link unless the link opened it ("(see
   * https://en.wikipedia.org/wiki/Mail_(disambiguation))"). */
  while (len > prefix)
    {
      char c = p[len - 1];

      if (strchr (".,;:!?'*", c) != NULL)
        len--;
      else if (c == ')' && close_parens > open_parens)
        {
          close_parens--;
          len--;
        }
      else if (c == ']' && close_brackets > open_brackets)
        {
          close_brackets--;
          len--;
        }
      else
        break;
    }

  /* Something must follow the prefix: a host (an alphanumeric first). */
  if (len <= prefix || !g_ascii_isalnum (p[prefix]))
    return 0;
  if (*needs_scheme && memchr (p + prefix, '.', len - prefix) == NULL)
    return 0;

  return len;
}

static void
append_linkified (GString    *out,
                  const char *text,
                  gsize       len)
{
  const char *end = text + len;
  const char *run = text;
  const char *p = text;

  while (p < end)
    {
      gboolean needs_scheme;
      gsize link_len;

      /* Links start at a word start only: not "xhttp://", not "foo.www.x". */
      if ((p == text || !(g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '@' ||
                          p[-1] == '/' || p[-1] == '-' || p[-1] == '_')) &&
          (link_len = match_link (p, end, &needs_scheme)) > 0)
        {
          append_escaped (out, run, p - run);
          g_string_append (out, "<a href=\"");
          if (needs_scheme)
            g_string_append (out, "http://");
          append_escaped (out, p, link_len);
          g_string_append (out, "\">");
          append_escaped (out, p, link_len);
          g_string_append (out, "</a>");
          p += link_len;
          run = p;
        }
      else
        p++;
    }

  append_escaped (out, run, end - run);
}

/* The quote level of a line and where its text starts: ">", ">>", "> > ". */
static int
quote_depth (const char  *line,
             gsize        len,
             gsize       *text_start)
{
  int depth = 0;
  gsize i = 0;

  while (i < len && line[i] == '>')
    {
      depth++;
      i++;
      /* "> > text": a space between markers belongs to the markers. */
      if (i + 1 < len && line[i] == ' ' && line[i + 1] == '>')
        i++;
    }
  if (depth > 0 && i < len && line[i] == ' ')
    i++;

  *text_start = i;
  return depth;
}

/* Before a block starts or ends: the last line gets its line break. With
 * white-space: pre-wrap the break that ends a block's last line shows
 * nothing, so "text" stays one line and "text" plus an empty line keeps its
 * empty line. */
static void
end_line (Writer *w)
{
  if (w->line_open)
    g_string_append_c (w->out, '\n');
  w->line_open = FALSE;
}

static void
set_depth (Writer *w,
           int     depth)
{
  if (depth > BUZON_TEXT_TO_HTML_MAX_QUOTE_DEPTH)
    depth = BUZON_TEXT_TO_HTML_MAX_QUOTE_DEPTH;

  if (depth == w->depth)
    return;

  end_line (w);
  if (w->in_signature)
    {
      g_string_append (w->out, "</div>");
      w->in_signature = FALSE;
    }

  while (w->depth > depth)
    {
      g_string_append (w->out, "</div></details>");
      w->depth--;
    }
  while (w->depth < depth)
    {
      w->depth++;
      g_string_append_printf (w->out,
                              "<details open class=\"buzon-quote buzon-quote-%d\">"
                              "<summary>%s</summary><div class=\"buzon-quote-body\">",
                              (w->depth - 1) % 4 + 1, _("Quoted text"));
    }

  w->line_open = FALSE;
}

static void
write_line (Writer     *w,
            const char *text,
            gsize       len)
{
  if (w->line_open)
    g_string_append_c (w->out, '\n');
  append_linkified (w->out, text, len);
  w->line_open = TRUE;
}

static gboolean
is_signature_separator (const char *text,
                        gsize       len)
{
  /* RFC 3676 4.3: "-- " exactly; many programs strip the trailing space. */
  return (len == 3 && memcmp (text, "-- ", 3) == 0) || (len == 2 && memcmp (text, "--", 2) == 0);
}

/**
 * buzon_text_to_html_full:
 * @plain: (nullable): the text, UTF-8 (invalid sequences are replaced)
 * @flags: how to read it
 *
 * Turns plain text into an HTML fragment: one `<div class="buzon-plain">`.
 * LF, CRLF and lone CR all end lines.
 *
 * Returns: (transfer full): the fragment
 */
char *
buzon_text_to_html_full (const char           *plain,
                         BuzonTextToHtmlFlags  flags)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) logical = NULL;
  gboolean flowed = (flags & BUZON_TEXT_TO_HTML_FLOWED) != 0;
  int logical_depth = 0;
  const char *p, *end;
  Writer w = { 0, };

  if (plain == NULL)
    plain = "";

  valid = g_utf8_make_valid (plain, -1);
  w.out = g_string_sized_new (strlen (valid) + strlen (valid) / 8 + 64);
  g_string_append (w.out, "<div class=\"buzon-plain\">");

  if (flowed)
    logical = g_string_new (NULL);

  p = valid;
  end = valid + strlen (valid);
  /* A final line break ends the last line; it does not start a new one. */
  if (end > p && end[-1] == '\n')
    end--;
  if (end > p && end[-1] == '\r')
    end--;

  while (p <= end && *valid != '\0')
    {
      const char *eol = p;
      gsize text_start;
      const char *text;
      gsize len;
      int depth;

      while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;

      depth = quote_depth (p, eol - p, &text_start);
      text = p + text_start;
      len = eol - text;

      if (flowed)
        {
          gboolean soft;

          /* RFC 3676 4.4: with quote marks the stuffing space is already
           * taken by quote_depth; without, a leading space is stuffing. */
          if (depth == 0 && len > 0 && text[0] == ' ')
            {
              text++;
              len--;
            }

          /* A paragraph ends at a change of quote depth (4.5). */
          if (logical->len > 0 && depth != logical_depth)
            {
              set_depth (&w, logical_depth);
              write_line (&w, logical->str, logical->len);
              g_string_truncate (logical, 0);
            }

          soft = len > 0 && text[len - 1] == ' ' && !is_signature_separator (text, len);
          logical_depth = depth;
          g_string_append_len (logical, text, len);

          if (!soft || eol >= end)
            {
              gboolean sig = depth == 0 && logical->len == len &&
                             is_signature_separator (text, len);

              set_depth (&w, depth);
              if (sig && !w.in_signature)
                {
                  end_line (&w);
                  g_string_append (w.out, "<div class=\"buzon-signature\">");
                  w.in_signature = TRUE;
                  w.line_open = FALSE;
                }
              write_line (&w, logical->str, logical->len);
              g_string_truncate (logical, 0);
            }
        }
      else
        {
          set_depth (&w, depth);
          if (depth == 0 && !w.in_signature && is_signature_separator (text, len))
            {
              end_line (&w);
              g_string_append (w.out, "<div class=\"buzon-signature\">");
              w.in_signature = TRUE;
              w.line_open = FALSE;
            }
          write_line (&w, text, len);
        }

      if (eol >= end)
        break;
      /* CRLF is one line break; a lone CR or LF is one too. */
      if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
        eol++;
      p = eol + 1;
    }

  set_depth (&w, 0);
  if (w.in_signature)
    g_string_append (w.out, "</div>");
  g_string_append (w.out, "</div>");

  return g_string_free (w.out, FALSE);
}

/**
 * buzon_text_to_html:
 * @plain: (nullable): the text, UTF-8
 *
 * buzon_text_to_html_full() without flags: text already decoded (a
 * format=flowed part unwrapped by the MIME layer is simply long lines).
 *
 * Returns: (transfer full): the fragment
 */
char *
buzon_text_to_html (const char *plain)
{
  return buzon_text_to_html_full (plain, BUZON_TEXT_TO_HTML_NONE);
}
