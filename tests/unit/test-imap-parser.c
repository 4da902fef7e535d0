/* test-imap-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The IMAP response parser: framing, literals, every split of the input,
 * limits, spooling of large literals, malformed input. Real server output
 * lives in tests/data/imap/ (captured from Dovecot, see README there). */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "buzon-imap.h"

static GBytes *
load_data (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "imap", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Feeds @data in pieces chosen by @next_chunk and describes what came out:
 * every response in canonical form, one per line, then "ERROR n" for an
 * error's code. Identical transcripts mean identical parses. */
typedef gsize (*ChunkFunc) (gsize offset, gsize left, gpointer user_data);

static char *
transcript (const guint8          *data,
            gsize                  length,
            const BuzonImapParserLimits *limits,
            ChunkFunc              next_chunk,
            gpointer               user_data)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gsize offset = 0;

  if (limits != NULL)
    buzon_imap_parser_set_limits (parser, limits);

  while (offset < length)
    {
      gsize chunk = next_chunk (offset, length - offset, user_data);
      BuzonImapResponse *response;

      chunk = MIN (chunk, length - offset);
      g_assert_cmpuint (chunk, >, 0);
      if (!buzon_imap_parser_feed (parser, data + offset, chunk, &error))
        break;
      offset += chunk;
      while ((response = buzon_imap_parser_pop (parser)) != NULL)
        {
          g_autofree char *text = buzon_imap_response_to_string (response);

          g_string_append_printf (out, "%s\n", text);
          buzon_imap_response_unref (response);
        }
    }

  if (error != NULL)
    {
      BuzonImapResponse *response;

      /* Responses completed before the error are still there. */
      while ((response = buzon_imap_parser_pop (parser)) != NULL)
        {
          g_autofree char *text = buzon_imap_response_to_string (response);

          g_string_append_printf (out, "%s\n", text);
          buzon_imap_response_unref (response);
        }
      g_assert_true (buzon_imap_parser_has_failed (parser));
      g_string_append_printf (out, "ERROR %d\n", error->code);
    }
  else if (!buzon_imap_parser_is_idle (parser))
    {
      g_string_append (out, "INCOMPLETE\n");
    }

  g_assert_finalize_object (g_steal_pointer (&parser));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gsize
chunk_whole (gsize offset, gsize left, gpointer user_data)
{
  return left;
}

static gsize
chunk_one (gsize offset, gsize left, gpointer user_data)
{
  return 1;
}

static gsize
chunk_random (gsize offset, gsize left, gpointer user_data)
{
  return g_rand_int_range (user_data, 1, 64);
}

static gsize
chunk_split_at (gsize offset, gsize left, gpointer user_data)
{
  gsize split = GPOINTER_TO_SIZE (user_data);

  return offset < split ? split - offset : left;
}

/* The same transcript whole, byte by byte and in random pieces. */
static char *
check_splits (const guint8                *data,
              gsize                        length,
              const BuzonImapParserLimits *limits)
{
  g_autofree char *whole = transcript (data, length, limits, chunk_whole, NULL);
  g_autofree char *bytes = transcript (data, length, limits, chunk_one, NULL);

  g_assert_cmpstr (bytes, ==, whole);
  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autofree char *random = transcript (data, length, limits, chunk_random, rand);

      g_assert_cmpstr (random, ==, whole);
    }
  return g_steal_pointer (&whole);
}

static GPtrArray *
parse_all (const char *data,
           gssize      length)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *responses = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_response_unref);
  BuzonImapResponse *response;

  if (length < 0)
    length = strlen (data);
  buzon_imap_parser_feed (parser, data, length, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_imap_parser_is_idle (parser));
  while ((response = buzon_imap_parser_pop (parser)) != NULL)
    g_ptr_array_add (responses, response);
  return responses;
}

static BuzonImapResponse *
parse_one_len (const char *data,
               gssize      length)
{
  g_autoptr(GPtrArray) responses = parse_all (data, length);

  g_assert_cmpuint (responses->len, ==, 1);
  return buzon_imap_response_ref (g_ptr_array_index (responses, 0));
}

/* A string constant, NULs included. */
#define parse_one(data) parse_one_len (data, sizeof (data) - 1)

static void
assert_parse_error (const char *data,
                    gssize      length,
                    int         code)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;

  if (length < 0)
    length = strlen (data);
  g_assert_false (buzon_imap_parser_feed (parser, data, length, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_true (buzon_imap_parser_has_failed (parser));

  /* Failed for good. */
  g_assert_false (buzon_imap_parser_feed (parser, "* OK\r\n", 6, &again));
  g_assert_error (again, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_FAILED);
}

/* RFC 3501 §8: the sample session's server side. */
static void
test_rfc3501_session (void)
{
  g_autoptr(GBytes) data = load_data ("rfc3501-section8.txt");
  g_autoptr(GPtrArray) responses = parse_all (g_bytes_get_data (data, NULL),
                                              g_bytes_get_size (data));
  BuzonImapResponse *r;
  BuzonImapValue *args, *att;
  guint32 number;
  guint64 code_number;
  gsize length;
  const char *header;

  g_assert_cmpuint (responses->len, ==, 16);

  r = g_ptr_array_index (responses, 0);
  g_assert_cmpint (buzon_imap_response_get_kind (r), ==, BUZON_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_OK);
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "IMAP4rev1 Service Ready");
  g_assert_null (buzon_imap_response_get_code (r));

  r = g_ptr_array_index (responses, 1);
  g_assert_cmpint (buzon_imap_response_get_kind (r), ==, BUZON_IMAP_RESPONSE_TAGGED);
  g_assert_cmpstr (buzon_imap_response_get_tag (r), ==, "a001");
  g_assert_cmpstr (buzon_imap_response_get_name (r), ==, "OK");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "LOGIN completed");

  r = g_ptr_array_index (responses, 2);
  g_assert_true (buzon_imap_response_is_named (r, "EXISTS"));
  g_assert_true (buzon_imap_response_get_number (r, &number));
  g_assert_cmpuint (number, ==, 18);
  g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_NONE);

  r = g_ptr_array_index (responses, 6);
  g_assert_cmpstr (buzon_imap_response_get_code (r), ==, "UIDVALIDITY");
  g_assert_true (buzon_imap_response_get_code_number (r, &code_number));
  g_assert_cmpuint (code_number, ==, 3857529045u);

  r = g_ptr_array_index (responses, 7);
  g_assert_cmpstr (buzon_imap_response_get_code (r), ==, "READ-WRITE");
  g_assert_null (buzon_imap_response_get_code_args (r));
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "SELECT completed");

  /* The header literal: 342 bytes, exactly. */
  r = g_ptr_array_index (responses, 10);
  g_assert_true (buzon_imap_response_is_named (r, "FETCH"));
  args = buzon_imap_response_get_args (r);
  att = buzon_imap_value_get_child (args, 0);
  g_assert_cmpuint (buzon_imap_value_get_n_children (att), ==, 2);
  g_assert_cmpstr (buzon_imap_value_get_string (buzon_imap_value_get_child (att, 0), NULL),
                   ==, "BODY[HEADER]");
  g_assert_true (buzon_imap_value_is_literal (buzon_imap_value_get_child (att, 1)));
  header = buzon_imap_value_get_string (buzon_imap_value_get_child (att, 1), &length);
  g_assert_cmpuint (length, ==, 342);
  g_assert_true (g_str_has_prefix (header, "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"));
  g_assert_true (g_str_has_suffix (header, "CHARSET=US-ASCII\r\n\r\n"));

  r = g_ptr_array_index (responses, 14);
  g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_BYE);
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==,
                   "IMAP4rev1 server terminating connection");
}

static void
test_generic_values (void)
{
  g_autoptr(BuzonImapResponse) r = NULL;
  g_autofree char *text = NULL;
  BuzonImapValue *list, *v;
  guint64 n;

  r = parse_one ("* 12 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 X-NIL NIL X-Q \"a\\\\b\\\"c\" "
                 "X-BIG 18446744073709551616 X-EMPTY ())\r\n");
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);
  g_assert_cmpuint (buzon_imap_value_get_n_children (list), ==, 12);

  v = buzon_imap_value_get_child (list, 1);
  g_assert_cmpint (buzon_imap_value_get_value_type (v), ==, BUZON_IMAP_VALUE_LIST);
  g_assert_cmpstr (buzon_imap_value_get_string (buzon_imap_value_get_child (v, 0), NULL),
                   ==, "\\Seen");

  v = buzon_imap_value_get_child (list, 3);
  g_assert_cmpint (buzon_imap_value_get_value_type (v), ==, BUZON_IMAP_VALUE_NUMBER);
  g_assert_true (buzon_imap_value_get_number (v, &n));
  g_assert_cmpuint (n, ==, 44827);

  v = buzon_imap_value_get_child (list, 5);
  g_assert_true (buzon_imap_value_is_nil (v));
  g_assert_null (buzon_imap_value_get_nstring (v));
  g_assert_cmpstr (buzon_imap_value_get_astring (v), ==, "NIL");

  v = buzon_imap_value_get_child (list, 7);
  g_assert_cmpint (buzon_imap_value_get_value_type (v), ==, BUZON_IMAP_VALUE_STRING);
  g_assert_false (buzon_imap_value_is_literal (v));
  g_assert_cmpstr (buzon_imap_value_get_string (v, NULL), ==, "a\\b\"c");

  /* Too large for 64 bits: stays an atom. */
  v = buzon_imap_value_get_child (list, 9);
  g_assert_cmpint (buzon_imap_value_get_value_type (v), ==, BUZON_IMAP_VALUE_ATOM);
  g_assert_false (buzon_imap_value_get_number (v, NULL));

  v = buzon_imap_value_get_child (list, 11);
  g_assert_true (buzon_imap_value_is_list (v));
  g_assert_cmpuint (buzon_imap_value_get_n_children (v), ==, 0);

  text = buzon_imap_response_to_string (r);
  g_assert_cmpstr (text, ==, "* 12 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 X-NIL NIL "
                             "X-Q \"a\\\\b\\\"c\" X-BIG 18446744073709551616 X-EMPTY ())");
}

/* Liberal where servers are sloppy, exact about what matters. */
static void
test_awkward (void)
{
  g_autoptr(BuzonImapResponse) r = NULL;
  BuzonImapValue *list, *v;
  gsize length;

  /* Lower case, extra and trailing spaces. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("*  ok  [alert]  Watch out  \r\n");
  g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_OK);
  g_assert_cmpstr (buzon_imap_response_get_code (r), ==, "ALERT");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "Watch out  ");

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("a1 ok\r\n");
  g_assert_cmpstr (buzon_imap_response_get_name (r), ==, "OK");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "");

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("+\r\n");
  g_assert_cmpint (buzon_imap_response_get_kind (r), ==, BUZON_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "");

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("+ idling\r\n");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "idling");
  g_assert_null (buzon_imap_response_get_name (r));

  /* A base64 SASL challenge is text too. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==,
                   "YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=");

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* 3 exists\r\n");
  g_assert_cmpstr (buzon_imap_response_get_name (r), ==, "EXISTS");

  /* Bare LF. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* SEARCH 1 2 3 \n");
  g_assert_cmpuint (buzon_imap_value_get_n_children (buzon_imap_response_get_args (r)), ==, 3);

  /* Text ending like a literal header is text (Dovecot echoes names). */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("A2 NO [NONEXISTENT] Mailbox doesn't exist: x{5}\r\n");
  g_assert_cmpstr (buzon_imap_response_get_code (r), ==, "NONEXISTENT");
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "Mailbox doesn't exist: x{5}");

  /* A code whose text is not IMAP syntax keeps its text. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("A3 NO [X-WEIRD some \"unbalanced text] here\r\n");
  g_assert_cmpstr (buzon_imap_response_get_code (r), ==, "X-WEIRD");
  g_assert_cmpstr (buzon_imap_response_get_code_text (r), ==, "some \"unbalanced text");
  g_assert_null (buzon_imap_response_get_code_args (r));
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "here");

  /* An unclosed '[' is just text. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("A4 BAD [unclosed code text\r\n");
  g_assert_null (buzon_imap_response_get_code (r));
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "[unclosed code text");

  /* 8-bit text is made valid UTF-8. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* OK caf\xe9 \xc3\xa9t\xc3\xa9\r\n");
  g_assert_true (g_utf8_validate (buzon_imap_response_get_text (r), -1, NULL));
  g_assert_true (g_str_has_suffix (buzon_imap_response_get_text (r), " \xc3\xa9t\xc3\xa9"));

  /* A literal mailbox name with a line break; an empty literal. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* LIST (\\Noselect) \".\" {12}\r\nwith\r\nbreaks\r\n");
  v = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 2);
  g_assert_true (buzon_imap_value_is_literal (v));
  g_assert_cmpstr (buzon_imap_value_get_string (v, &length), ==, "with\r\nbreaks");
  g_assert_cmpuint (length, ==, 12);

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* 1 FETCH (BODY[TEXT] {0}\r\n RFC822.SIZE 0)\r\n");
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);
  v = buzon_imap_value_get_child (list, 1);
  g_assert_true (buzon_imap_value_is_literal (v));
  g_assert_cmpuint (buzon_imap_value_get_length (v), ==, 0);
  g_assert_cmpuint (buzon_imap_value_get_n_children (list), ==, 4);

  /* Literals are binary-safe; literal8 (BINARY) too. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* 1 FETCH (BINARY[1] ~{4}\r\n\x00\r\n\xff)\r\n");
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);
  v = buzon_imap_value_get_child (list, 1);
  g_assert_cmpuint (buzon_imap_value_get_length (v), ==, 4);
  g_assert_cmpmem (buzon_imap_value_get_string (v, NULL), 4, "\x00\r\n\xff", 4);

  /* Brackets make one atom, spaces and parentheses included. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* 1 FETCH (BODY[HEADER.FIELDS (REFERENCES \"X-A]\")]<0> NIL)\r\n");
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);
  g_assert_cmpstr (buzon_imap_value_get_string (buzon_imap_value_get_child (list, 0), NULL),
                   ==, "BODY[HEADER.FIELDS (REFERENCES \"X-A]\")]<0>");

  /* Lists without spaces between them, as in BODYSTRUCTURE. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = parse_one ("* 1 FETCH (BODY ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" "
                 "\"html\" NIL NIL NIL \"7bit\" 1 1) \"alternative\"))\r\n");
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);
  g_assert_cmpuint (buzon_imap_value_get_n_children (buzon_imap_value_get_child (list, 1)), ==, 3);

  /* Empty lines between responses are skipped. */
  {
    g_autoptr(GPtrArray) responses = parse_all ("\r\n* 1 EXISTS\r\n\r\n  \r\n* 2 EXISTS\r\n", -1);

    g_assert_cmpuint (responses->len, ==, 2);
  }
}

/* Every file and sample, whole, byte by byte, in random pieces. */
static void
test_splits (void)
{
  static const char *files[] = {
    "rfc3501-section8.txt", "rfc-examples.txt", "dovecot-demo-inbox.txt",
    "dovecot-demo-folders.txt", "dovecot-awkward.txt", "awkward-legal.txt",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GBytes) data = load_data (files[i]);
      g_autofree char *whole = NULL;

      whole = check_splits (g_bytes_get_data (data, NULL), g_bytes_get_size (data), NULL);
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes of transcript", files[i], strlen (whole));
      g_assert_null (strstr (whole, "ERROR"));
      g_assert_null (strstr (whole, "INCOMPLETE"));
    }
}

/* Two pieces, split at every byte of a sample with literals everywhere. */
static void
test_every_split_point (void)
{
  g_autoptr(GBytes) data = load_data ("awkward-legal.txt");
  const guint8 *bytes = g_bytes_get_data (data, NULL);
  gsize length = g_bytes_get_size (data);
  g_autofree char *whole = transcript (bytes, length, NULL, chunk_whole, NULL);

  for (gsize split = 1; split < length; split++)
    {
      g_autofree char *split_transcript = NULL;

      split_transcript = transcript (bytes, length, NULL, chunk_split_at, GSIZE_TO_POINTER (split));
      g_assert_cmpstr (split_transcript, ==, whole);
    }
}

static void
test_limits_line (void)
{
  BuzonImapParserLimits limits;
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (200, 'a');
  g_autofree char *result = NULL;

  buzon_imap_parser_limits_init (&limits);
  g_assert_cmpuint (limits.max_line_length, ==, 1024 * 1024);
  g_assert_cmpuint (limits.max_depth, ==, 64);
  g_assert_cmpuint (limits.max_literal_size, ==, G_GUINT64_CONSTANT (256) * 1024 * 1024);
  g_assert_cmpuint (limits.memory_literal_size, ==, 1024 * 1024);

  limits.max_line_length = 100;
  buzon_imap_parser_set_limits (parser, &limits);

  /* A line at the limit passes, CRLF not counted. */
  {
    g_autofree char *ok = g_strdup_printf ("* OK %s\r\n", line + 105);

    g_assert_cmpuint (strlen (ok), ==, 102);
    g_assert_true (buzon_imap_parser_feed (parser, ok, strlen (ok), &error));
    g_assert_no_error (error);
  }

  /* Over it fails as soon as the line is too long, before its end. */
  g_assert_true (buzon_imap_parser_feed (parser, "* OK ", 5, &error));
  g_assert_true (buzon_imap_parser_feed (parser, line, 90, &error));
  g_assert_false (buzon_imap_parser_feed (parser, line, 90, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG);
  g_test_message ("%s", error->message);

  /* Same byte by byte. */
  result = transcript ((const guint8 *) line, 200, &limits, chunk_one, NULL);
  g_assert_cmpstr (result, ==, "ERROR 1\n");

  /* A response's lines add up. */
  {
    const char *data = "* 1 FETCH (BODY[] {1}\r\nx X {1}\r\ny Y {1}\r\nz)\r\n";
    g_autofree char *ok = NULL;
    g_autofree char *too_big = NULL;

    buzon_imap_parser_limits_init (&limits);
    limits.max_response_size = 100;
    ok = check_splits ((const guint8 *) data, strlen (data), &limits);
    g_assert_null (strstr (ok, "ERROR"));
    limits.max_response_size = 30;
    too_big = check_splits ((const guint8 *) data, strlen (data), &limits);
    g_assert_cmpstr (too_big, ==, "ERROR 1\n");
  }
}

static void
test_limits_depth_and_values (void)
{
  BuzonImapParserLimits limits;
  g_autoptr(GString) deep = g_string_new ("* X ");
  g_autofree char *ok = NULL;
  g_autofree char *bad = NULL;

  buzon_imap_parser_limits_init (&limits);
  for (guint i = 0; i < 64; i++)
    g_string_append_c (deep, '(');
  for (guint i = 0; i < 64; i++)
    g_string_append_c (deep, ')');
  g_string_append (deep, "\r\n");
  ok = check_splits ((const guint8 *) deep->str, deep->len, NULL);
  g_assert_null (strstr (ok, "ERROR"));

  g_string_insert_c (deep, 4, '(');
  g_string_insert_c (deep, deep->len - 2, ')');
  bad = check_splits ((const guint8 *) deep->str, deep->len, NULL);
  g_assert_cmpstr (bad, ==, "ERROR 1\n");

  /* Very deep nesting stays bounded, whatever the input says. */
  {
    g_autofree char *opens = g_strnfill (100000, '(');
    g_autofree char *data = g_strdup_printf ("* X %s\r\n", opens);

    assert_parse_error (data, -1, BUZON_IMAP_ERROR_TOO_BIG);
  }

  limits.max_values = 10;
  {
    const char *data = "* SEARCH 1 2 3 4 5 6 7 8 9 10 11\r\n";
    g_autofree char *result = check_splits ((const guint8 *) data, strlen (data), &limits);

    g_assert_cmpstr (result, ==, "ERROR 1\n");
  }
}

/* A 2 GiB announcement fails at once, allocating nothing. */
static void
test_limits_literal (void)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *data = "* 1 FETCH (BODY[] {2147483648}\r\n";
  const char *overflow = "* 1 FETCH (BODY[] {99999999999999999999999}\r\n";

  g_assert_false (buzon_imap_parser_feed (parser, data, strlen (data), &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG);
  g_test_message ("%s", error->message);

  assert_parse_error (overflow, -1, BUZON_IMAP_ERROR_TOO_BIG);

  /* The literals of one response add up. */
  {
    BuzonImapParserLimits limits;
    const char *two = "* 1 FETCH (BODY[1] {6}\r\nabcdef BODY[2] {6}\r\nabcdef)\r\n";
    g_autofree char *result = NULL;

    buzon_imap_parser_limits_init (&limits);
    limits.max_literal_size = 10;
    result = check_splits ((const guint8 *) two, strlen (two), &limits);
    g_assert_cmpstr (result, ==, "ERROR 1\n");
    limits.max_literal_size = 12;
    g_clear_pointer (&result, g_free);
    result = check_splits ((const guint8 *) two, strlen (two), &limits);
    g_assert_null (strstr (result, "ERROR"));
  }
}

static guint
count_spool_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_prefix (name, "buzon-imap-literal-"))
      n++;
  return n;
}

static void
test_spool (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-imap-spool-XXXXXX", &error);
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(BuzonImapResponse) r = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) data = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) stolen = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  BuzonImapParserLimits limits;
  BuzonImapValue *list, *v;
  guint8 buffer[256 * 1024];
  gsize length, n_read;

  g_assert_no_error (error);
  buzon_imap_parser_limits_init (&limits);
  limits.memory_literal_size = 100;
  limits.max_memory_literals = 150;
  buzon_imap_parser_set_limits (parser, &limits);
  buzon_imap_parser_set_spool_dir (parser, dir);
  g_assert_cmpstr (buzon_imap_parser_get_spool_dir (parser), ==, dir);

  /* 200 KiB: spooled, written in blocks. */
  for (guint i = 0; body->len < 200 * 1024; i++)
    g_string_append_printf (body, "line %u of the body\r\n", i);
  g_string_append_printf (data, "* 1 FETCH (BODY[] {%" G_GSIZE_FORMAT "}\r\n", body->len);
  g_string_append_len (data, body->str, body->len);
  g_string_append (data, " BODY[1] {80}\r\n");
  g_string_append_len (data, body->str, 80);
  g_string_append (data, " BODY[2] {80}\r\n");
  g_string_append_len (data, body->str, 80);
  g_string_append (data, ")\r\n");

  /* In pieces: the spool file exists while the literal comes. */
  g_assert_true (buzon_imap_parser_feed (parser, data->str, 1000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_spool_files (dir), ==, 1);
  g_assert_false (buzon_imap_parser_is_idle (parser));
  g_assert_true (buzon_imap_parser_feed (parser, data->str + 1000, data->len - 1000, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_imap_parser_is_idle (parser));
  g_assert_cmpuint (buzon_imap_parser_get_offset (parser), ==, data->len);

  r = buzon_imap_parser_pop (parser);
  g_assert_nonnull (r);
  list = buzon_imap_value_get_child (buzon_imap_response_get_args (r), 0);

  v = buzon_imap_value_get_child (list, 1);
  g_assert_true (buzon_imap_value_is_spooled (v));
  g_assert_true (buzon_imap_value_is_literal (v));
  g_assert_null (buzon_imap_value_get_string (v, NULL));
  g_assert_null (buzon_imap_value_dup_bytes (v));
  g_assert_cmpuint (buzon_imap_value_get_length (v), ==, body->len);
  file = buzon_imap_value_get_file (v);
  path = g_file_get_path (file);
  g_assert_true (g_str_has_prefix (path, dir));
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, body->str, body->len);
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  stream = buzon_imap_value_open (v, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (stream, buffer, sizeof buffer, &n_read, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, n_read, body->str, body->len);

  /* 80 bytes: in memory; the next 80 would pass 150 in memory: spooled. */
  v = buzon_imap_value_get_child (list, 3);
  g_assert_false (buzon_imap_value_is_spooled (v));
  g_assert_cmpuint (buzon_imap_value_get_length (v), ==, 80);
  g_assert_null (buzon_imap_value_get_file (v));
  v = buzon_imap_value_get_child (list, 5);
  g_assert_true (buzon_imap_value_is_spooled (v));
  stolen = buzon_imap_value_steal_file (v);
  g_assert_nonnull (stolen);
  g_assert_null (buzon_imap_value_steal_file (v));
  g_assert_cmpuint (count_spool_files (dir), ==, 2);

  /* Freed: the owned file goes, the stolen one stays. */
  g_clear_pointer (&r, buzon_imap_response_unref);
  g_clear_object (&stream);
  g_assert_cmpuint (count_spool_files (dir), ==, 1);
  g_assert_true (g_file_query_exists (stolen, NULL));
  g_file_delete (stolen, NULL, &error);
  g_assert_no_error (error);

  /* A parser freed (or failing) in the middle of a literal leaves nothing. */
  g_assert_true (buzon_imap_parser_feed (parser, data->str, 5000, &error));
  g_assert_cmpuint (count_spool_files (dir), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&parser));
  g_assert_cmpuint (count_spool_files (dir), ==, 0);

  /* A spool directory that does not exist is an I/O error. */
  {
    g_autoptr(BuzonImapParser) other = buzon_imap_parser_new ();
    g_autofree char *missing = g_build_filename (dir, "missing", NULL);

    buzon_imap_parser_set_limits (other, &limits);
    buzon_imap_parser_set_spool_dir (other, missing);
    g_assert_false (buzon_imap_parser_feed (other, data->str, 100, &error));
    g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_IO);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A 2 GiB literal, when allowed, streams to disk: nothing that size is
 * allocated, and the parser waits for the rest. */
static void
test_spool_large_announcement (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-imap-spool-XXXXXX", &error);
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  BuzonImapParserLimits limits;
  const char *data = "* 1 FETCH (BODY[] {2147483648}\r\nthe first bytes";

  buzon_imap_parser_limits_init (&limits);
  limits.max_literal_size = G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024;
  buzon_imap_parser_set_limits (parser, &limits);
  buzon_imap_parser_set_spool_dir (parser, dir);

  g_assert_true (buzon_imap_parser_feed (parser, data, strlen (data), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_imap_parser_get_n_pending (parser), ==, 0);
  g_assert_false (buzon_imap_parser_is_idle (parser));
  g_assert_cmpuint (count_spool_files (dir), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&parser));
  g_assert_cmpuint (count_spool_files (dir), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *data;
    int         code;
  } cases[] = {
    { "* LIST (\\Noselect)) \"/\" foo\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (FLAGS (\\Seen)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[] {12a}\r\nhello)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[] {}\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[] {5\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[] {5} x\r\nhello)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[] {5}x\r\nhello)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "\x01\x02garbage\x7f\r\n", BUZON_IMAP_ERROR_PARSE },
    { "GARBAGE\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* LIST () \"/ INBOX\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* LIST () \"/\" \"INBOX\\\r\n", BUZON_IMAP_ERROR_PARSE },
    { "A1 FETCH done\r\n", BUZON_IMAP_ERROR_PARSE },
    { "A+1 OK done\r\n", BUZON_IMAP_ERROR_PARSE },
    { "*\r\n", BUZON_IMAP_ERROR_PARSE },
    { "*OK\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 12\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 99999999999 EXISTS\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* (FOO)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (BODY[HEADER.FIELDS (A B) NIL)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (X a\x01b)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* 1 FETCH (X \x7f)\r\n", BUZON_IMAP_ERROR_PARSE },
    { "* X )\r\n", BUZON_IMAP_ERROR_PARSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = NULL;

      g_test_message ("case %u", i);
      assert_parse_error (cases[i].data, -1, cases[i].code);
      result = check_splits ((const guint8 *) cases[i].data, strlen (cases[i].data), NULL);
      g_assert_true (g_str_has_suffix (result, "ERROR 0\n"));
    }

  /* NUL outside a literal. */
  assert_parse_error ("* OK hello\0world\r\n", 18, BUZON_IMAP_ERROR_PARSE);

  /* Responses before the error are kept. */
  {
    const char *data = "* 1 EXISTS\r\n* 2 EXISTS\r\n* X ((\r\n";
    g_autofree char *result = check_splits ((const guint8 *) data, strlen (data), NULL);

    g_assert_cmpstr (result, ==, "* 1 EXISTS\n* 2 EXISTS\nERROR 0\n");
  }
}

/* Random bytes and mutations of real output: errors, never crashes. */
static void
test_garbage (void)
{
  g_autoptr(GBytes) real = load_data ("dovecot-awkward.txt");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  BuzonImapParserLimits limits;

  buzon_imap_parser_limits_init (&limits);
  limits.memory_literal_size = 512;

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      g_autofree char *result = NULL;

      g_byte_array_append (data, g_bytes_get_data (real, NULL),
                           MIN (g_bytes_get_size (real), 4096));
      for (guint k = 0; k < 8; k++)
        {
          guint pos = g_rand_int_range (rand, 0, data->len);

          data->data[pos] = (guint8) g_rand_int_range (rand, 0, 256);
        }
      result = transcript (data->data, data->len, &limits, chunk_random, rand);
      g_assert_nonnull (result);
    }
}

/* Every corpus file: the malformed ones fail, the others parse completely. */
static void
test_corpus_files (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "imap", NULL);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autoptr(GBytes) data = NULL;
      g_autofree char *result = NULL;

      if (!g_str_has_suffix (name, ".txt"))
        continue;
      data = load_data (name);
      result = transcript (g_bytes_get_data (data, NULL), g_bytes_get_size (data), NULL,
                           chunk_whole, NULL);
      g_test_message ("%s", name);
      if (g_str_has_prefix (name, "malformed-"))
        g_assert_nonnull (strstr (result, "ERROR"));
      else
        g_assert_true (strstr (result, "ERROR") == NULL && strstr (result, "INCOMPLETE") == NULL);
      n_files++;
    }
  g_assert_cmpuint (n_files, >=, 18);
}

/* STARTTLS: what follows the tagged OK is not for this parser. */
static void
test_feed_until_response (void)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(BuzonImapResponse) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = "* OK ready\r\nA1 OK Begin TLS negotiation now\r\n\x16\x03\x01 tls bytes";
  gsize consumed, offset = 0;

  g_assert_true (buzon_imap_parser_feed_until_response (parser, data, strlen (data), &consumed,
                                                        &error));
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, 12);
  offset += consumed;
  g_assert_true (buzon_imap_parser_feed_until_response (parser, data + offset,
                                                        strlen (data) - offset, &consumed,
                                                        &error));
  offset += consumed;
  g_assert_cmpuint (offset, ==, strlen ("* OK ready\r\nA1 OK Begin TLS negotiation now\r\n"));
  g_assert_cmpuint (buzon_imap_parser_get_n_pending (parser), ==, 2);
  g_assert_true (buzon_imap_parser_is_idle (parser));

  g_clear_pointer (&r, buzon_imap_response_unref);
  r = buzon_imap_parser_pop (parser);
  g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "ready");
  g_clear_pointer (&r, buzon_imap_response_unref);
  r = buzon_imap_parser_pop (parser);
  g_assert_cmpstr (buzon_imap_response_get_tag (r), ==, "A1");
  g_clear_pointer (&r, buzon_imap_response_unref);
  g_assert_null (buzon_imap_parser_pop (parser));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/imap/parser/rfc3501-session", test_rfc3501_session);
  g_test_add_func ("/buzon/imap/parser/generic-values", test_generic_values);
  g_test_add_func ("/buzon/imap/parser/awkward", test_awkward);
  g_test_add_func ("/buzon/imap/parser/splits", test_splits);
  g_test_add_func ("/buzon/imap/parser/every-split-point", test_every_split_point);
  g_test_add_func ("/buzon/imap/parser/limits/line", test_limits_line);
  g_test_add_func ("/buzon/imap/parser/limits/depth-and-values", test_limits_depth_and_values);
  g_test_add_func ("/buzon/imap/parser/limits/literal", test_limits_literal);
  g_test_add_func ("/buzon/imap/parser/spool", test_spool);
  g_test_add_func ("/buzon/imap/parser/spool-large-announcement", test_spool_large_announcement);
  g_test_add_func ("/buzon/imap/parser/malformed", test_malformed);
  g_test_add_func ("/buzon/imap/parser/garbage", test_garbage);
  g_test_add_func ("/buzon/imap/parser/feed-until-response", test_feed_until_response);
  g_test_add_func ("/buzon/imap/parser/corpus-files", test_corpus_files);

  return g_test_run ();
}
