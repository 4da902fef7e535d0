/* buzon-imap-parser.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "buzon-imap-response.h"

G_BEGIN_DECLS

/**
 * BuzonImapParserLimits:
 * @max_line_length: the longest line, in bytes, not counting literal data
 *   nor the CRLF
 * @max_response_size: the most non-literal bytes one response may have,
 *   summed over its lines
 * @max_values: the most values (atoms, strings, lists, ...) in one response
 * @max_depth: the deepest nesting of parenthesised lists
 * @max_literal_size: the largest literal, and the most literal bytes one
 *   response may carry; a literal announced larger fails at once, before any
 *   of its data is read
 * @memory_literal_size: literals larger than this are written to a file in
 *   the spool directory instead of memory
 * @max_memory_literals: once the in-memory literals of a response add up to
 *   this, its further literals are spooled to files, whatever their size
 *
 * What the parser accepts. buzon_imap_parser_limits_init() gives the
 * defaults.
 */
typedef struct
{
  gsize   max_line_length;
  gsize   max_response_size;
  guint   max_values;
  guint   max_depth;
  guint64 max_literal_size;
  gsize   memory_literal_size;
  gsize   max_memory_literals;
} BuzonImapParserLimits;

#define BUZON_IMAP_DEFAULT_MAX_LINE_LENGTH      (1024 * 1024)
#define BUZON_IMAP_DEFAULT_MAX_RESPONSE_SIZE    (4 * 1024 * 1024)
#define BUZON_IMAP_DEFAULT_MAX_VALUES           500000
#define BUZON_IMAP_DEFAULT_MAX_DEPTH            64
#define BUZON_IMAP_DEFAULT_MAX_LITERAL_SIZE     (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define BUZON_IMAP_DEFAULT_MEMORY_LITERAL_SIZE  (1024 * 1024)
#define BUZON_IMAP_DEFAULT_MAX_MEMORY_LITERALS  (64 * 1024 * 1024)

/* Hard ceilings: nesting is walked recursively when values are freed or
 * decoded, so it can never be configured deeper than this. */
#define BUZON_IMAP_MAX_DEPTH_CEILING            1024

void buzon_imap_parser_limits_init (BuzonImapParserLimits *limits);

#define BUZON_TYPE_IMAP_PARSER (buzon_imap_parser_get_type ())

G_DECLARE_FINAL_TYPE (BuzonImapParser, buzon_imap_parser, BUZON, IMAP_PARSER, GObject)

BuzonImapParser   *buzon_imap_parser_new             (void) G_GNUC_WARN_UNUSED_RESULT;
void               buzon_imap_parser_set_limits      (BuzonImapParser             *self,
                                                      const BuzonImapParserLimits *limits);
void               buzon_imap_parser_get_limits      (BuzonImapParser             *self,
                                                      BuzonImapParserLimits       *limits);
void               buzon_imap_parser_set_spool_dir   (BuzonImapParser             *self,
                                                      const char                  *directory);
const char        *buzon_imap_parser_get_spool_dir   (BuzonImapParser             *self);

gboolean           buzon_imap_parser_feed            (BuzonImapParser             *self,
                                                      const void                  *data,
                                                      gsize                        length,
                                                      GError                     **error);
gboolean           buzon_imap_parser_feed_until_response (BuzonImapParser         *self,
                                                          const void              *data,
                                                          gsize                    length,
                                                          gsize                   *consumed,
                                                          GError                 **error);
BuzonImapResponse *buzon_imap_parser_pop             (BuzonImapParser             *self)
                                                      G_GNUC_WARN_UNUSED_RESULT;
guint              buzon_imap_parser_get_n_pending   (BuzonImapParser             *self);
gboolean           buzon_imap_parser_is_idle         (BuzonImapParser             *self);
gboolean           buzon_imap_parser_has_failed      (BuzonImapParser             *self);
guint64            buzon_imap_parser_get_offset      (BuzonImapParser             *self);

G_END_DECLS
