/* fuzz-imap-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the IMAP protocol layer (src/core/imap).
 *
 * Each input is a stream of server bytes. It is parsed twice: in one piece,
 * and in pieces whose sizes come from a generator seeded by the input, so
 * any input splits the same way every time. Both parses must give the same
 * responses and the same error: a difference means the parser depends on
 * how reads happen to split. Some bits of the input's hash pick small
 * limits, so the limit and spooling paths run too. Every response then goes
 * through every decoder (which must refuse shapes they do not expect, not
 * crash), names through modified UTF-7 (a strict decoder means
 * decode-then-encode gives the input back) and atoms through the UID-set
 * parser (parse, format, parse gives the same ranges).
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by run-fuzz.sh;
 * fuzz-replay.c runs the seed corpus through the same function with the
 * project's compiler, as a unit test. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buzon-imap.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-imap-parser: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
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
  /* xorshift64 */
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

/* Frees what a decoder returned, if anything. */
#define free_result(type, free_func, call) \
  G_STMT_START { \
    type *result_ = (call); \
    if (result_ != NULL) \
      free_func (result_); \
  } G_STMT_END

static void
exercise_utf7 (const char *name)
{
  g_autofree char *decoded = buzon_imap_utf7_decode (name, NULL);

  if (decoded != NULL)
    {
      g_autofree char *encoded = buzon_imap_utf7_encode (decoded, NULL);

      CHECK (encoded != NULL);
      CHECK (strcmp (encoded, name) == 0);
    }
}

static void
exercise_uid_set (const char *text)
{
  g_autoptr(GArray) set = buzon_imap_uid_set_parse (text, -1, TRUE, NULL);
  g_autofree char *formatted = NULL;
  g_autoptr(GArray) again = NULL;

  if (set == NULL)
    return;
  formatted = buzon_imap_uid_set_format_ranges ((const BuzonImapUidRange *) set->data, set->len);
  again = buzon_imap_uid_set_parse (formatted, -1, TRUE, NULL);
  CHECK (again != NULL);
  CHECK (again->len == set->len);
  CHECK (memcmp (again->data, set->data, set->len * sizeof (BuzonImapUidRange)) == 0);
  (void) buzon_imap_uid_set_count (set);
  g_clear_pointer (&again, g_array_unref);
  again = buzon_imap_uid_set_expand (set, 1000, NULL);
}

static void
exercise_values (const BuzonImapValue *value,
                 guint                 budget)
{
  const char *text;

  if (value == NULL)
    return;

  text = buzon_imap_value_get_string (value, NULL);
  if (text != NULL && budget > 0)
    {
      exercise_utf7 (text);
      if (buzon_imap_value_get_value_type (value) != BUZON_IMAP_VALUE_STRING)
        exercise_uid_set (text);
    }
  (void) buzon_imap_value_get_astring (value);
  (void) buzon_imap_value_get_number (value, NULL);
  free_result (GBytes, g_bytes_unref, buzon_imap_value_dup_bytes (value));

  for (guint i = 0; i < buzon_imap_value_get_n_children (value) && budget > 0; i++, budget--)
    exercise_values (buzon_imap_value_get_child (value, i), budget - 1);
}

/* Every decoder on every response: they check shapes themselves. */
static void
exercise_decoders (BuzonImapResponse *response)
{
  g_autoptr(BuzonImapCopyUid) copy_uid = buzon_imap_response_parse_copyuid (response, NULL);
  g_autoptr(BuzonImapListEntry) list = buzon_imap_response_parse_list (response, NULL);
  g_autoptr(BuzonImapFetch) fetch = buzon_imap_response_parse_fetch (response, NULL);
  guint64 number;

  free_result (char *, g_strfreev, buzon_imap_response_parse_capability (response, NULL));
  free_result (char *, g_strfreev, buzon_imap_response_parse_enabled (response, NULL));
  free_result (char *, g_strfreev, buzon_imap_response_parse_flags (response, NULL));
  free_result (char *, g_strfreev,
                        buzon_imap_response_parse_quotaroot (response, NULL, NULL));
  free_result (BuzonImapMailboxStatus, buzon_imap_mailbox_status_free,
                        buzon_imap_response_parse_status (response, NULL));
  free_result (GArray, g_array_unref,
                        buzon_imap_response_parse_search (response, NULL, NULL));
  free_result (BuzonImapEsearch, buzon_imap_esearch_free,
                        buzon_imap_response_parse_esearch (response, NULL));
  free_result (GArray, g_array_unref,
                        buzon_imap_response_parse_vanished (response, NULL, NULL));
  free_result (BuzonImapQuota, buzon_imap_quota_free,
                        buzon_imap_response_parse_quota (response, NULL));
  free_result (GHashTable, g_hash_table_unref,
                        buzon_imap_response_parse_id (response, NULL));
  free_result (GArray, g_array_unref,
                        buzon_imap_response_parse_modified (response, NULL));

  (void) buzon_imap_response_get_code_number (response, &number);
  exercise_values (buzon_imap_response_get_code_args (response), 64);
  exercise_values (buzon_imap_response_get_args (response), 256);

  if (list != NULL)
    CHECK (g_utf8_validate (list->display_name, -1, NULL));
  if (copy_uid != NULL && copy_uid->source_uids != NULL)
    CHECK (buzon_imap_uid_set_count (copy_uid->source_uids) ==
           buzon_imap_uid_set_count (copy_uid->dest_uids));
  if (fetch != NULL && fetch->body != NULL)
    {
      (void) buzon_imap_body_part_has_attachments (fetch->body);
      (void) buzon_imap_body_part_has_alternative (fetch->body);
      (void) buzon_imap_body_part_find_text (fetch->body, "plain");
      (void) buzon_imap_body_part_find_section (fetch->body, "1.2");
    }
  if (fetch != NULL && fetch->envelope != NULL && fetch->envelope->subject != NULL)
    CHECK (g_utf8_validate (fetch->envelope->subject, -1, NULL));
  if (fetch != NULL)
    (void) buzon_imap_fetch_get_body (fetch, "HEADER.FIELDS (REFERENCES)");
  if (buzon_imap_response_get_text (response) != NULL)
    CHECK (g_utf8_validate (buzon_imap_response_get_text (response), -1, NULL));
}

/* Parses @data in pieces (@state 0: one piece) and returns what came out. */
static char *
run (const uint8_t               *data,
     size_t                       size,
     const BuzonImapParserLimits *limits,
     guint64                      state,
     gboolean                     decode)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  size_t offset = 0;

  buzon_imap_parser_set_limits (parser, limits);

  while (offset < size && error == NULL)
    {
      size_t chunk = size - offset;
      BuzonImapResponse *response;

      if (state != 0)
        {
          /* Mostly small pieces, sometimes single bytes, sometimes large. */
          guint64 r = next_random (&state);

          chunk = MIN (chunk, (r & 3) == 0 ? 1 : (r & 3) == 1 ? (r >> 8) % 4096 + 1 :
                              (r >> 8) % 64 + 1);
        }
      buzon_imap_parser_feed (parser, data + offset, chunk, &error);
      offset += chunk;

      while ((response = buzon_imap_parser_pop (parser)) != NULL)
        {
          g_autofree char *text = buzon_imap_response_to_string (response);

          g_string_append (out, text);
          g_string_append_c (out, '\n');
          if (decode)
            exercise_decoders (response);
          buzon_imap_response_unref (response);
        }
    }

  if (error != NULL)
    {
      CHECK (buzon_imap_parser_has_failed (parser));
      CHECK (error->domain == BUZON_IMAP_ERROR);
      g_string_append_printf (out, "ERROR %d\n", error->code);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
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
      g_printerr ("fuzz-imap-parser: %s: %s\n", domain != NULL ? domain : "", message);
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
  BuzonImapParserLimits limits;
  guint64 hash = hash_input (data, size);
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;

  buzon_imap_parser_limits_init (&limits);
  switch (hash % 4)
    {
    case 0:
      /* Small: every limit is within reach of a small input. */
      limits.max_line_length = 256;
      limits.max_response_size = 1024;
      limits.max_values = 200;
      limits.max_depth = 8;
      limits.max_literal_size = 4096;
      limits.memory_literal_size = 16;
      limits.max_memory_literals = 32;
      break;
    case 1:
      /* Spool most literals. */
      limits.memory_literal_size = 64;
      break;
    default:
      break;
    }

  whole = run (data, size, &limits, 0, TRUE);
  pieces = run (data, size, &limits, hash | 1, FALSE);
  if (strcmp (whole, pieces) != 0)
    {
      g_printerr ("fuzz-imap-parser: parses differ by split:\n--- whole\n%s--- pieces\n%s",
                  whole, pieces);
      abort ();
    }
  return 0;
}
