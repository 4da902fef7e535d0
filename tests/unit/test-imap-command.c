/* test-imap-command.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The IMAP command builder and UID sets. The injection tests read every
 * command back the way a server would (tag, name, then atoms, quoted
 * strings and literals by their count) and check that it is one command
 * whose arguments are exactly what was given. */

#include "config.h"

#include <string.h>

#include "buzon-imap.h"

static char *
command_text (BuzonImapCommand *command)
{
  g_autoptr(GBytes) bytes = buzon_imap_command_to_bytes (command);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  return g_strndup (data, length);
}

/* What a server reads: the arguments of exactly one command (each as its
 * bytes), checking that synchronising literals end their segment. */
static GPtrArray *
server_read (BuzonImapCommand *command,
             const char       *tag,
             const char       *name)
{
  g_autoptr(GBytes) all = buzon_imap_command_to_bytes (command);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize length, n_sync = 0;
  const char *data = g_bytes_get_data (all, &length);
  const char *p = data, *end = data + length;
  guint n_segments = buzon_imap_command_get_n_segments (command);

  g_assert_true (g_str_has_prefix (data, tag));
  p += strlen (tag);
  g_assert_cmpint (*p++, ==, ' ');
  g_assert_cmpmem (p, strlen (name), name, strlen (name));
  p += strlen (name);

  for (;;)
    {
      g_assert_true (p < end);
      if (*p == '\r')
        {
          g_assert_cmpint (p[1], ==, '\n');
          g_assert_true (p + 2 == end);
          break;
        }
      g_assert_cmpint (*p++, ==, ' ');

      if (*p == '"')
        {
          GString *text = g_string_new (NULL);

          for (p++; *p != '"'; p++)
            {
              g_assert_true (*p != '\r' && *p != '\n' && *p != '\0');
              if (*p == '\\')
                {
                  p++;
                  g_assert_true (*p == '\\' || *p == '"');
                }
              g_string_append_c (text, *p);
            }
          p++;
          g_ptr_array_add (args, g_string_free_to_bytes (text));
        }
      else if (*p == '{')
        {
          char *after;
          guint64 n = g_ascii_strtoull (p + 1, &after, 10);
          gboolean plus = *after == '+';

          if (plus)
            after++;
          g_assert_cmpint (after[0], ==, '}');
          g_assert_cmpint (after[1], ==, '\r');
          g_assert_cmpint (after[2], ==, '\n');
          p = after + 3;
          if (!plus)
            {
              /* The segment ends here: the client waits for '+'. */
              GBytes *segment = buzon_imap_command_get_segment (command, n_sync);
              gsize sent = 0;

              for (guint i = 0; i <= n_sync; i++)
                sent += g_bytes_get_size (buzon_imap_command_get_segment (command, i));
              g_assert_cmpuint (sent, ==, (gsize) (p - data));
              g_assert_nonnull (segment);
              n_sync++;
            }
          g_assert_cmpuint (n, <=, (guint64) (end - p));
          g_ptr_array_add (args, g_bytes_new (p, n));
          p += n;
        }
      else
        {
          const char *begin = p;

          while (p < end && *p != ' ' && *p != '\r')
            {
              g_assert_true (*p > 0x20 && *p < 0x7f);
              p++;
            }
          g_ptr_array_add (args, g_bytes_new (begin, p - begin));
        }
    }

  g_assert_cmpuint (n_segments, ==, n_sync + 1);
  return g_steal_pointer (&args);
}

static void
test_basic (void)
{
  g_autoptr(BuzonImapCommand) select = buzon_imap_command_new ("A0001", "SELECT");
  g_autoptr(BuzonImapCommand) status = buzon_imap_command_new ("A0002", "STATUS");
  g_autoptr(BuzonImapCommand) fetch = buzon_imap_command_new ("A0003", "UID FETCH");
  g_autoptr(BuzonImapCommand) store = buzon_imap_command_new ("A0004", "UID STORE");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const guint32 uids[] = { 12, 11, 10, 9, 7, 5, 4, 3, 2, 1 };
  const char *flags[] = { "\\Seen", "$Label1", NULL };

  g_assert_true (buzon_imap_command_add_mailbox (select, "inbox", &error));
  buzon_imap_command_begin_list (select);
  buzon_imap_command_add_atom (select, "CONDSTORE");
  buzon_imap_command_end_list (select);
  text = command_text (select);
  g_assert_cmpstr (text, ==, "A0001 SELECT INBOX (CONDSTORE)\r\n");
  g_assert_cmpstr (buzon_imap_command_get_tag (select), ==, "A0001");
  g_assert_cmpstr (buzon_imap_command_get_name (select), ==, "SELECT");
  g_assert_cmpuint (buzon_imap_command_get_n_segments (select), ==, 1);

  g_assert_true (buzon_imap_command_add_mailbox (status, "Año/台北", &error));
  buzon_imap_command_begin_list (status);
  buzon_imap_command_add_atom (status, "MESSAGES");
  buzon_imap_command_add_atom (status, "UIDNEXT");
  buzon_imap_command_begin_list (status);
  buzon_imap_command_end_list (status);
  buzon_imap_command_end_list (status);
  g_clear_pointer (&text, g_free);
  text = command_text (status);
  g_assert_cmpstr (text, ==, "A0002 STATUS A&APE-o/&U,BTFw- (MESSAGES UIDNEXT ())\r\n");

  g_assert_true (buzon_imap_command_add_uid_set (fetch, uids, G_N_ELEMENTS (uids), &error));
  buzon_imap_command_add_raw (fetch, "(UID FLAGS BODY.PEEK[HEADER.FIELDS (REFERENCES)])");
  buzon_imap_command_begin_list (fetch);
  buzon_imap_command_add_atom (fetch, "CHANGEDSINCE");
  buzon_imap_command_add_number (fetch, G_GUINT64_CONSTANT (715194045007));
  buzon_imap_command_add_atom (fetch, "VANISHED");
  buzon_imap_command_end_list (fetch);
  g_clear_pointer (&text, g_free);
  text = command_text (fetch);
  g_assert_cmpstr (text, ==, "A0003 UID FETCH 1:5,7,9:12 "
                             "(UID FLAGS BODY.PEEK[HEADER.FIELDS (REFERENCES)]) "
                             "(CHANGEDSINCE 715194045007 VANISHED)\r\n");

  g_assert_true (buzon_imap_command_add_sequence_set (store, "1:*", &error));
  buzon_imap_command_add_raw (store, "+FLAGS.SILENT");
  g_assert_true (buzon_imap_command_add_flags (store, flags, &error));
  g_clear_pointer (&text, g_free);
  text = command_text (store);
  g_assert_cmpstr (text, ==, "A0004 UID STORE 1:* +FLAGS.SILENT (\\Seen $Label1)\r\n");

  /* Nothing can be added once rendered. */
  g_test_expect_message ("buzon-imap", G_LOG_LEVEL_CRITICAL, "*segments == NULL*");
  buzon_imap_command_add_atom (store, "X");
  g_test_assert_expected_messages ();
}

static void
test_string_forms (void)
{
  static const struct
  {
    const char *input;
    const char *sent;
  } cases[] = {
    { "INBOX", "INBOX" },
    { "Sent", "Sent" },
    { "Sent Items", "\"Sent Items\"" },
    { "", "\"\"" },
    { "nil", "\"nil\"" },
    { "NIL", "\"NIL\"" },
    { "NILS", "NILS" },
    { "a\"b\\c", "\"a\\\"b\\\\c\"" },
    { "100%", "\"100%\"" },
    { "a*", "\"a*\"" },
    { "x]", "\"x]\"" },
    { "(paren)", "\"(paren)\"" },
    { "{5}", "\"{5}\"" },
    { "tab\there", "\"tab\there\"" },
    { "café", "{5}\r\ncafé" },
    { "INBOX\r\nA1 DELETE x", "{18}\r\nINBOX\r\nA1 DELETE x" },
    { "line\n", "{5}\r\nline\n" },
    { "cr\r", "{3}\r\ncr\r" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("T1", "LOGIN");
      g_autofree char *expected = g_strdup_printf ("T1 LOGIN %s\r\n", cases[i].sent);
      g_autofree char *text = NULL;

      buzon_imap_command_add_string (command, cases[i].input);
      text = command_text (command);
      g_assert_cmpstr (text, ==, expected);
    }

  /* Long strings are literals even when they could be quoted. */
  {
    g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("T2", "SEARCH");
    g_autofree char *fits = g_strnfill (BUZON_IMAP_COMMAND_MAX_QUOTED - 2, 'a');
    g_autofree char *too_long = g_strnfill (BUZON_IMAP_COMMAND_MAX_QUOTED + 1, 'a');
    g_autofree char *text = NULL;

    fits[0] = ' ';
    too_long[0] = ' ';
    buzon_imap_command_add_string (command, fits);
    buzon_imap_command_add_string (command, too_long);
    text = command_text (command);
    g_assert_true (g_str_has_prefix (text, "T2 SEARCH \" aaa"));
    g_assert_nonnull (strstr (text, "\" {1025}\r\n aaa"));
    g_assert_cmpuint (buzon_imap_command_get_n_segments (command), ==, 2);
  }

  /* NUL cannot be quoted. */
  {
    g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("T3", "SEARCH");
    g_autoptr(GBytes) bytes = NULL;

    buzon_imap_command_add_string_len (command, "a\0b", 3);
    bytes = buzon_imap_command_to_bytes (command);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                     "T3 SEARCH {3}\r\na\0b\r\n", 20);
  }
}

static void
test_literal_modes (void)
{
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: hi\r\n\r\nBody\r\n", 21);
  g_autoptr(BuzonImapCommand) append = buzon_imap_command_new ("A5", "APPEND");
  g_autoptr(BuzonImapCommand) plus = buzon_imap_command_new ("A6", "APPEND");
  g_autoptr(BuzonImapCommand) minus = buzon_imap_command_new ("A7", "SEARCH");
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (-7 * 3600);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (5000, 'x');
  const char *flags[] = { "\\Seen", NULL };
  GBytes *segment;
  gsize length;

  date = g_date_time_new (zone, 1996, 7, 7, 2, 44, 25);
  g_assert_true (buzon_imap_command_add_mailbox (append, "Drafts", &error));
  g_assert_true (buzon_imap_command_add_flags (append, flags, &error));
  buzon_imap_command_add_date_time (append, date);
  buzon_imap_command_add_literal (append, message);
  g_assert_cmpuint (buzon_imap_command_get_n_segments (append), ==, 2);
  segment = buzon_imap_command_get_segment (append, 0);
  g_assert_cmpmem (g_bytes_get_data (segment, &length), length,
                   "A5 APPEND Drafts (\\Seen) \"07-Jul-1996 02:44:25 -0700\" {21}\r\n", 60);
  segment = buzon_imap_command_get_segment (append, 1);
  g_assert_cmpmem (g_bytes_get_data (segment, &length), length,
                   "Subject: hi\r\n\r\nBody\r\n\r\n", 23);

  buzon_imap_command_set_literal_mode (plus, BUZON_IMAP_LITERAL_PLUS);
  g_assert_true (buzon_imap_command_add_mailbox (plus, "Drafts", &error));
  buzon_imap_command_add_literal (plus, message);
  buzon_imap_command_add_string (plus, "two\r\nlines");
  g_assert_cmpuint (buzon_imap_command_get_n_segments (plus), ==, 1);
  segment = buzon_imap_command_get_segment (plus, 0);
  g_assert_cmpmem (g_bytes_get_data (segment, &length), length,
                   "A6 APPEND Drafts {21+}\r\nSubject: hi\r\n\r\nBody\r\n {10+}\r\ntwo\r\nlines\r\n",
                   65);

  /* LITERAL-: non-synchronising up to 4096 bytes only. */
  buzon_imap_command_set_literal_mode (minus, BUZON_IMAP_LITERAL_MINUS);
  buzon_imap_command_add_atom (minus, "CHARSET");
  buzon_imap_command_add_atom (minus, "UTF-8");
  buzon_imap_command_add_atom (minus, "TEXT");
  buzon_imap_command_add_string (minus, "año");
  buzon_imap_command_add_atom (minus, "BODY");
  buzon_imap_command_add_string (minus, big);
  g_assert_cmpuint (buzon_imap_command_get_n_segments (minus), ==, 2);
  segment = buzon_imap_command_get_segment (minus, 0);
  g_assert_cmpmem (g_bytes_get_data (segment, &length), length,
                   "A7 SEARCH CHARSET UTF-8 TEXT {4+}\r\naño BODY {5000}\r\n", 53);
}

/* Whatever a string holds, the server reads one command with that string. */
static void
test_injection (void)
{
  static const char *attempts[] = {
    "INBOX\r\nA1 DELETE x",
    "INBOX\nA1 DELETE x",
    "INBOX\rA1 DELETE x",
    "\"INBOX\" A1 DELETE x",
    "x\" \"y",
    "x\\",
    "\\\"",
    "{5}",
    "{5}\r\nhello",
    "a)b(c",
    "\xff\xfe 8-bit",
    "Ma\xc3\xb1\x61na",
    "]",
    "* OK",
    "+ go ahead",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);

  for (BuzonImapLiteralMode mode = BUZON_IMAP_LITERAL_SYNC; mode <= BUZON_IMAP_LITERAL_MINUS;
       mode++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (attempts); i++)
        {
          g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("A1", "RENAME");
          g_autoptr(GPtrArray) args = NULL;

          buzon_imap_command_set_literal_mode (command, mode);
          buzon_imap_command_add_string (command, attempts[i]);
          buzon_imap_command_add_secret (command, attempts[i]);
          args = server_read (command, "A1", "RENAME");
          g_assert_cmpuint (args->len, ==, 2);
          for (guint k = 0; k < 2; k++)
            g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (args, k), NULL),
                             g_bytes_get_size (g_ptr_array_index (args, k)),
                             attempts[i], strlen (attempts[i]));
        }

      /* Random bytes, NUL and all. */
      for (guint round = 0; round < 500; round++)
        {
          g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("A2", "SEARCH");
          g_autoptr(GPtrArray) args = NULL;
          guint8 data[40];
          gsize length = g_rand_int_range (rand, 0, sizeof data);
          static const guint8 nasty[] = { '\r', '\n', '"', '\\', '{', '}', '\0', ' ', '(', ')',
                                          0xff, 0x80, '+', '*', '%', 'a', 'N', 'I', 'L' };

          for (gsize k = 0; k < length; k++)
            data[k] = g_rand_boolean (rand) ? nasty[g_rand_int_range (rand, 0, sizeof nasty)] :
                                              (guint8) g_rand_int_range (rand, 0, 256);

          buzon_imap_command_set_literal_mode (command, mode);
          buzon_imap_command_add_string_len (command, (const char *) data, length);
          buzon_imap_command_add_atom (command, "ALL");
          args = server_read (command, "A2", "SEARCH");
          g_assert_cmpuint (args->len, ==, 2);
          g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (args, 0), NULL),
                           g_bytes_get_size (g_ptr_array_index (args, 0)), data, length);
        }
    }
}

static void
test_log_string (void)
{
  g_autoptr(BuzonImapCommand) login = buzon_imap_command_new ("A1", "LOGIN");
  g_autoptr(BuzonImapCommand) append = buzon_imap_command_new ("A2", "APPEND");
  g_autoptr(GBytes) message = g_bytes_new_static ("secret body", 11);
  g_autofree char *log = NULL;
  g_autofree char *log2 = NULL;
  g_autofree char *sent = NULL;

  buzon_imap_command_add_string (login, "ana@example.test");
  buzon_imap_command_add_secret (login, "hunter\"2");
  log = buzon_imap_command_to_log_string (login);
  g_assert_cmpstr (log, ==, "A1 LOGIN \"ana@example.test\" ***");
  sent = command_text (login);
  g_assert_cmpstr (sent, ==, "A1 LOGIN ana@example.test \"hunter\\\"2\"\r\n");

  buzon_imap_command_add_string (append, "Sent \"Items\"");
  buzon_imap_command_begin_list (append);
  buzon_imap_command_add_raw (append, "\\Seen");
  buzon_imap_command_end_list (append);
  buzon_imap_command_add_literal (append, message);
  buzon_imap_command_add_string (append, "two\nlines");
  log2 = buzon_imap_command_to_log_string (append);
  g_assert_cmpstr (log2, ==, "A2 APPEND \"Sent \\\"Items\\\"\" (\\Seen) {11 bytes} {9 bytes}");
}

static void
test_validation (void)
{
  g_autoptr(BuzonImapCommand) command = buzon_imap_command_new ("A1", "STORE");
  g_autoptr(GError) error = NULL;
  static const char *bad_flags[][2] = {
    { "bad flag", NULL },
    { "\\", NULL },
    { "a(b", NULL },
    { "caf\xc3\xa9", NULL },
    { "\\*", NULL },
    { "", NULL },
    { "x\r\nA2 DELETE INBOX", NULL },
  };
  static const char *bad_sets[] = { "", "1,,2", "0", "1:", "a", "1 2", "1:*\r\n" };

  g_assert_true (buzon_imap_is_valid_tag ("A0001"));
  g_assert_true (buzon_imap_is_valid_tag ("a]b"));
  g_assert_false (buzon_imap_is_valid_tag (""));
  g_assert_false (buzon_imap_is_valid_tag ("A+1"));
  g_assert_false (buzon_imap_is_valid_tag ("A 1"));
  g_assert_false (buzon_imap_is_valid_tag ("A*1"));
  g_assert_true (buzon_imap_is_atom ("$Forwarded", -1));
  g_assert_false (buzon_imap_is_atom ("\\Seen", -1));
  g_assert_false (buzon_imap_is_atom ("", -1));
  g_assert_false (buzon_imap_is_atom ("a]", -1));

  for (guint i = 0; i < G_N_ELEMENTS (bad_flags); i++)
    {
      g_assert_false (buzon_imap_command_add_flags (command, bad_flags[i], &error));
      g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_sets); i++)
    {
      g_assert_false (buzon_imap_command_add_sequence_set (command, bad_sets[i], &error));
      g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_false (buzon_imap_command_add_uid_set (command, NULL, 0, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (buzon_imap_command_add_mailbox (command, "caf\xe9", &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing was added by the failures. */
  {
    g_autofree char *text = command_text (command);

    g_assert_cmpstr (text, ==, "A1 STORE\r\n");
  }

  /* Programming errors are refused loudly. */
  g_test_expect_message ("buzon-imap", G_LOG_LEVEL_CRITICAL, "*is_safe_raw*");
  {
    g_autoptr(BuzonImapCommand) raw = buzon_imap_command_new ("A1", "NOOP");

    buzon_imap_command_add_raw (raw, "x\r\nA2 LOGOUT");
  }
  g_test_assert_expected_messages ();
  g_test_expect_message ("buzon-imap", G_LOG_LEVEL_CRITICAL, "*buzon_imap_is_valid_tag*");
  g_assert_null (buzon_imap_command_new ("A 1", "NOOP"));
  g_test_assert_expected_messages ();
  g_test_expect_message ("buzon-imap", G_LOG_LEVEL_CRITICAL, "*is_valid_name*");
  g_assert_null (buzon_imap_command_new ("A1", "NOOP\r\nA2 LOGOUT"));
  g_test_assert_expected_messages ();
}

static void
test_uid_set_format (void)
{
  static const struct
  {
    guint32     uids[12];
    gsize       n;
    const char *text;
  } cases[] = {
    { { 9, 1, 2, 3, 4, 5, 7, 10, 11, 12 }, 10, "1:5,7,9:12" },
    { { 42 }, 1, "42" },
    { { 3, 3, 3 }, 3, "3" },
    { { 2, 1, 2, 1, 3 }, 5, "1:3" },
    { { 0, 0, 5, 0 }, 4, "5" },
    { { 1, 3, 5 }, 3, "1,3,5" },
    { { 4294967295u, 4294967294u, 1 }, 3, "1,4294967294:4294967295" },
  };
  const guint32 zeros[] = { 0, 0 };
  const BuzonImapUidRange ranges[] = { { 7, 9 }, { 1, 1 }, { 3, BUZON_IMAP_UID_STAR } };
  g_autofree char *formatted = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = buzon_imap_uid_set_format (cases[i].uids, cases[i].n);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_null (buzon_imap_uid_set_format (zeros, 2));
  g_assert_null (buzon_imap_uid_set_format (NULL, 0));

  formatted = buzon_imap_uid_set_format_ranges (ranges, G_N_ELEMENTS (ranges));
  g_assert_cmpstr (formatted, ==, "7:9,1,3:*");
}

static void
test_uid_set_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) set = NULL;
  g_autoptr(GArray) expanded = NULL;
  static const char *invalid[] = {
    "", ",", "1,", ",1", "0", "01", "1:", ":1", "1::2", "a", "4294967296", "99999999999",
    "1 2", "1;2", "1:0", "-1", "1:2:3",
  };

  set = buzon_imap_uid_set_parse ("1:5,7,*", -1, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->len, ==, 3);
  g_assert_cmpuint (g_array_index (set, BuzonImapUidRange, 0).first, ==, 1);
  g_assert_cmpuint (g_array_index (set, BuzonImapUidRange, 0).last, ==, 5);
  g_assert_cmpuint (g_array_index (set, BuzonImapUidRange, 1).first, ==, 7);
  g_assert_cmpuint (g_array_index (set, BuzonImapUidRange, 2).first, ==, BUZON_IMAP_UID_STAR);
  g_assert_true (buzon_imap_uid_set_contains (set, 3));
  g_assert_false (buzon_imap_uid_set_contains (set, 6));
  expanded = buzon_imap_uid_set_expand (set, 1000, &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_assert_null (expanded);
  g_clear_error (&error);
  g_clear_pointer (&set, g_array_unref);

  set = buzon_imap_uid_set_parse ("1:5,7,*", -1, FALSE, &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_assert_null (set);
  g_clear_error (&error);

  /* Backwards ranges are put in order; the order of ranges is kept. */
  set = buzon_imap_uid_set_parse ("9:7,2", -1, FALSE, &error);
  g_assert_no_error (error);
  expanded = buzon_imap_uid_set_expand (set, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expanded->len, ==, 4);
  g_assert_cmpuint (g_array_index (expanded, guint32, 0), ==, 7);
  g_assert_cmpuint (g_array_index (expanded, guint32, 3), ==, 2);
  g_clear_pointer (&set, g_array_unref);
  g_clear_pointer (&expanded, g_array_unref);

  /* "1:4294967295" is four billion UIDs: counted, not expanded. */
  set = buzon_imap_uid_set_parse ("1:4294967295", -1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_imap_uid_set_count (set), ==, G_GUINT64_CONSTANT (4294967295));
  expanded = buzon_imap_uid_set_expand (set, 100000, &error);
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG);
  g_assert_null (expanded);
  g_clear_error (&error);
  g_clear_pointer (&set, g_array_unref);

  /* A length stops parsing there. */
  set = buzon_imap_uid_set_parse ("3:4 trailing", 3, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_imap_uid_set_count (set), ==, 2);
  g_clear_pointer (&set, g_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      set = buzon_imap_uid_set_parse (invalid[i], -1, TRUE, &error);
      g_test_message ("%s: %s", invalid[i], error != NULL ? error->message : "accepted");
      g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
      g_assert_null (set);
      g_clear_error (&error);
    }
}

static int
compare_uids (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* format, then parse and expand, gives the sorted distinct UIDs back. */
static void
test_uid_set_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  for (guint round = 0; round < 500; round++)
    {
      g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) set = NULL;
      g_autoptr(GArray) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint n = g_rand_int_range (rand, 1, 60);
      guint32 base = g_rand_boolean (rand) ? 1 : G_MAXUINT32 - 100;

      for (guint i = 0; i < n; i++)
        {
          guint32 uid = base + g_rand_int_range (rand, 0, 90);

          g_array_append_val (uids, uid);
        }
      text = buzon_imap_uid_set_format ((const guint32 *) uids->data, uids->len);
      g_assert_nonnull (text);

      g_array_sort (uids, compare_uids);
      for (guint i = 0; i < uids->len; i++)
        if (i == 0 || g_array_index (uids, guint32, i) != g_array_index (uids, guint32, i - 1))
          g_array_append_val (expected, g_array_index (uids, guint32, i));

      set = buzon_imap_uid_set_parse (text, -1, FALSE, &error);
      g_assert_no_error (error);
      back = buzon_imap_uid_set_expand (set, 1000, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (back->data, back->len * sizeof (guint32),
                       expected->data, expected->len * sizeof (guint32));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/imap/command/basic", test_basic);
  g_test_add_func ("/buzon/imap/command/string-forms", test_string_forms);
  g_test_add_func ("/buzon/imap/command/literal-modes", test_literal_modes);
  g_test_add_func ("/buzon/imap/command/injection", test_injection);
  g_test_add_func ("/buzon/imap/command/log-string", test_log_string);
  g_test_add_func ("/buzon/imap/command/validation", test_validation);
  g_test_add_func ("/buzon/imap/uid-set/format", test_uid_set_format);
  g_test_add_func ("/buzon/imap/uid-set/parse", test_uid_set_parse);
  g_test_add_func ("/buzon/imap/uid-set/round-trip", test_uid_set_round_trip);

  return g_test_run ();
}
