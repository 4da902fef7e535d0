/* test-text-to-html.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon_text_to_html(): what a plain-text body becomes in the reader. */

#include "config.h"

#include <string.h>
#include <glib.h>

#include "buzon-text-to-html.h"

#define OPEN "<div class=\"buzon-plain\">"
#define CLOSE "</div>"
#define QUOTE(n) "<details open class=\"buzon-quote buzon-quote-" #n "\"><summary>Quoted text</summary>" \
                 "<div class=\"buzon-quote-body\">"
#define UNQUOTE "</div></details>"

static void
check (const char *plain,
       const char *expected_inner)
{
  g_autofree char *html = buzon_text_to_html (plain);
  g_autofree char *expected = g_strconcat (OPEN, expected_inner, CLOSE, NULL);

  g_assert_cmpstr (html, ==, expected);
}

static void
test_escaping (void)
{
  check ("<script>document.title='x'</script>",
         "&lt;script&gt;document.title=&#39;x&#39;&lt;/script&gt;");
  check ("Tom & Jerry \"quoted\" <b>", "Tom &amp; Jerry &quot;quoted&quot; &lt;b&gt;");
  check ("&amp; stays text", "&amp;amp; stays text");
  check ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;");
  check ("\"><a href=\"javascript:x\">", "&quot;&gt;&lt;a href=&quot;javascript:x&quot;&gt;");
}

static void
test_empty (void)
{
  check ("", "");
  check (NULL, "");
  check ("\n", "");
  check ("\r\n", "");
  check ("\n\n", "\n");
}

static void
test_lines (void)
{
  check ("one\ntwo", "one\ntwo");
  check ("one\r\ntwo\r\n", "one\ntwo");
  check ("one\rtwo", "one\ntwo");
  check ("a\r\n\r\nb", "a\n\nb");
  check ("  indented\tand tab", "  indented\tand tab");
  /* Invalid UTF-8 is replaced, not passed on. */
  check ("caf\xe9!", "caf\xef\xbf\xbd!");
  check ("caf\xc3\xa9", "caf\xc3\xa9");
}

static void
test_links (void)
{
  check ("see https://example.com/a?b=1&c=2 now",
         "see <a href=\"https://example.com/a?b=1&amp;c=2\">https://example.com/a?b=1&amp;c=2</a> now");
  check ("http://example.com.", "<a href=\"http://example.com\">http://example.com</a>.");
  check ("(http://example.com)", "(<a href=\"http://example.com\">http://example.com</a>)");
  check ("http://en.wikipedia.org/wiki/Mail_(disambiguation)",
         "<a href=\"http://en.wikipedia.org/wiki/Mail_(disambiguation)\">"
         "http://en.wikipedia.org/wiki/Mail_(disambiguation)</a>");
  check ("(see http://en.wikipedia.org/wiki/Mail_(x)).",
         "(see <a href=\"http://en.wikipedia.org/wiki/Mail_(x)\">http://en.wikipedia.org/wiki/Mail_(x)</a>).");
  check ("<https://example.com/x>", "&lt;<a href=\"https://example.com/x\">https://example.com/x</a>&gt;");
  check ("Go to www.example.org, please!",
         "Go to <a href=\"http://www.example.org\">www.example.org</a>, please!");
  check ("mailto:ana@example.com?subject=hi",
         "<a href=\"mailto:ana@example.com?subject=hi\">mailto:ana@example.com?subject=hi</a>");
  check ("HTTPS://EXAMPLE.COM", "<a href=\"HTTPS://EXAMPLE.COM\">HTTPS://EXAMPLE.COM</a>");
  check ("\"https://example.com/q\"",
         "&quot;<a href=\"https://example.com/q\">https://example.com/q</a>&quot;");
  check ("https://example.com/it's", "<a href=\"https://example.com/it&#39;s\">https://example.com/it&#39;s</a>");
  check ("[https://example.com/a]", "[<a href=\"https://example.com/a\">https://example.com/a</a>]");
  check ("end: https://example.com/path/;", "end: <a href=\"https://example.com/path/\">https://example.com/path/</a>;");
  /* Not links. */
  check ("http:// alone", "http:// alone");
  check ("https://", "https://");
  check ("xhttp://example.com", "xhttp://example.com");
  check ("www.", "www.");
  check ("www.nodot", "www.nodot");
  check ("javascript:alert(1)", "javascript:alert(1)");
  check ("file:///etc/passwd", "file:///etc/passwd");
  check ("mailto:", "mailto:");
  check ("user@www.example.com", "user@www.example.com");
  /* A quote cannot break out of the href. */
  check ("http://x.org/\"onmouseover=\"a",
         "<a href=\"http://x.org/\">http://x.org/</a>&quot;onmouseover=&quot;a");
}

static void
test_quotes (void)
{
  check ("Hi\n> quoted\nback", "Hi\n" QUOTE (1) "quoted\n" UNQUOTE "back");
  /* An empty line before a quote stays. */
  check ("Hi\n\n> q", "Hi\n\n" QUOTE (1) "q\n" UNQUOTE);
  check ("> one\n>> two\n> > two too\n>three\nme",
         QUOTE (1) "one\n" QUOTE (2) "two\ntwo too\n" UNQUOTE "three\n" UNQUOTE "me");
  check (">\n> \n>", QUOTE (1) "\n\n\n" UNQUOTE);
  check ("> <b>x</b> https://example.com",
         QUOTE (1) "&lt;b&gt;x&lt;/b&gt; <a href=\"https://example.com\">https://example.com</a>\n" UNQUOTE);
  check ("a > b", "a &gt; b");
}

static void
test_quote_depth_bounded (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *html = NULL;
  const char *p;
  int opened = 0;

  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, '>');
  g_string_append (deep, " deep\nflat");

  html = buzon_text_to_html (deep->str);
  for (p = html; (p = strstr (p, "<details")) != NULL; p++)
    opened++;
  g_assert_cmpint (opened, ==, BUZON_TEXT_TO_HTML_MAX_QUOTE_DEPTH);
  g_assert_true (g_str_has_suffix (html, UNQUOTE "flat" CLOSE));
}

static void
test_signature (void)
{
  check ("Body\n-- \nAna\nhttps://ana.example",
         "Body\n<div class=\"buzon-signature\">-- \nAna\n"
         "<a href=\"https://ana.example\">https://ana.example</a></div>");
  check ("Body\n--\nAna", "Body\n<div class=\"buzon-signature\">--\nAna</div>");
  /* Not separators: other dashes, or a quoted one. */
  check ("a\n---\nb", "a\n---\nb");
  check ("a -- b", "a -- b");
  check ("> -- \n> sig", QUOTE (1) "-- \nsig\n" UNQUOTE);
  /* A quote after the signature closes it first. */
  check ("-- \nme\n> old", "<div class=\"buzon-signature\">-- \nme\n</div>" QUOTE (1) "old\n" UNQUOTE);
}

static void
test_flowed (void)
{
  g_autofree char *html = NULL;

  /* RFC 3676: soft breaks joined, stuffing removed, quote depth ends a
   * paragraph, the signature separator is not a soft break. */
  html = buzon_text_to_html_full ("This is a \r\nlong line.\r\n From here\r\n"
                                  "> quoted \r\n> more\r\n-- \r\nsig",
                                  BUZON_TEXT_TO_HTML_FLOWED);
  g_assert_cmpstr (html, ==, OPEN "This is a long line.\nFrom here\n"
                   QUOTE (1) "quoted more\n" UNQUOTE
                   "<div class=\"buzon-signature\">-- \nsig</div>" CLOSE);
  g_clear_pointer (&html, g_free);

  /* Without the flag the same text keeps its lines. */
  html = buzon_text_to_html ("This is a \r\nlong line.");
  g_assert_cmpstr (html, ==, OPEN "This is a \nlong line." CLOSE);
}

static gboolean
running_under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

static void
test_huge (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *html = NULL;
  gint64 start;

  /* 20 MB mixing every construct, and one 5 MB line: linear time. */
  while (text->len < 20 * 1024 * 1024)
    g_string_append (text, "Hello <world> & (https://example.com/a_(b)) www.x.org.\n"
                           "> quoted http://q.example\n>> deeper\n-- \nsig\n");
  for (int i = 0; i < 5 * 1024 * 1024; i++)
    g_string_append_c (text, i % 7 == 0 ? ' ' : 'w');

  start = g_get_monotonic_time ();
  html = buzon_text_to_html (text->str);
  g_assert_nonnull (html);
  /* Linear time, checked where time is ours: valgrind (the unit suite runs
   * there in CI) is tens of times slower. */
  if (!running_under_valgrind ())
    g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  /* The long line follows a signature separator, so it is in the signature. */
  g_assert_true (g_str_has_suffix (html, "w</div>" CLOSE));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/ui/text-to-html/escaping", test_escaping);
  g_test_add_func ("/buzon/ui/text-to-html/empty", test_empty);
  g_test_add_func ("/buzon/ui/text-to-html/lines", test_lines);
  g_test_add_func ("/buzon/ui/text-to-html/links", test_links);
  g_test_add_func ("/buzon/ui/text-to-html/quotes", test_quotes);
  g_test_add_func ("/buzon/ui/text-to-html/quote-depth-bounded", test_quote_depth_bounded);
  g_test_add_func ("/buzon/ui/text-to-html/signature", test_signature);
  g_test_add_func ("/buzon/ui/text-to-html/flowed", test_flowed);
  g_test_add_func ("/buzon/ui/text-to-html/huge", test_huge);

  return g_test_run ();
}
