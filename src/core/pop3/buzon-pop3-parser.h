/* buzon-pop3-parser.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The POP3 reply parser (RFC 1939, with CAPA and response codes of RFC 2449
 * and the SASL continuation of RFC 5034): a pure function over bytes,
 * incremental across partial reads, that knows nothing of sockets. The
 * session says, for each command it sends, whether a multi-line reply may
 * follow (buzon_pop3_parser_expect()), in order, so pipelined replies are
 * told apart. Lines and multi-line payloads are bounded; what is not POP3 is
 * an error, never a crash. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_POP3_ERROR (buzon_pop3_error_quark ())

/**
 * BuzonPop3Error:
 * @BUZON_POP3_ERROR_PARSE: the server sent something that is not a POP3 reply
 * @BUZON_POP3_ERROR_TOO_LONG: a line or a multi-line reply is over the limit
 * @BUZON_POP3_ERROR_UNEXPECTED: a reply came that no command asked for
 */
typedef enum
{
  BUZON_POP3_ERROR_PARSE,
  BUZON_POP3_ERROR_TOO_LONG,
  BUZON_POP3_ERROR_UNEXPECTED,
} BuzonPop3Error;

GQuark buzon_pop3_error_quark (void);

/**
 * BuzonPop3Status:
 * @BUZON_POP3_OK: `+OK`
 * @BUZON_POP3_ERR: `-ERR`
 * @BUZON_POP3_CONTINUE: `+ ` — a SASL challenge (RFC 5034 §4)
 */
typedef enum
{
  BUZON_POP3_OK,
  BUZON_POP3_ERR,
  BUZON_POP3_CONTINUE,
} BuzonPop3Status;

/**
 * BuzonPop3Reply:
 * @status: what kind of reply
 * @code: (nullable): the RFC 2449 response code in brackets, upper case
 *   (`IN-USE`, `LOGIN-DELAY`, `SYS/TEMP`, `AUTH`), without the brackets
 * @text: the rest of the status line (for a continuation, the base64
 *   challenge); never %NULL
 * @data: (nullable): the payload of a multi-line reply, dot-unstuffed, each
 *   line ending in CRLF, without the final `.` line; %NULL for a one-line
 *   reply
 */
typedef struct
{
  BuzonPop3Status  status;
  char            *code;
  char            *text;
  GBytes          *data;
} BuzonPop3Reply;

void             buzon_pop3_reply_free          (BuzonPop3Reply *reply);

/**
 * BuzonPop3Listing:
 * @number: the message number (1-based, this session's)
 * @size: its size in octets (LIST), 0 for UIDL
 * @uidl: (nullable): its unique id (UIDL), %NULL for LIST
 */
typedef struct
{
  guint    number;
  guint64  size;
  char    *uidl;
} BuzonPop3Listing;

void             buzon_pop3_listing_free        (BuzonPop3Listing *listing);

/* RFC 2449 §4: a status line is at most 512 octets with its CRLF; servers
 * send longer ones now and then, so the default bound is generous. */
#define BUZON_POP3_DEFAULT_MAX_LINE (8 * 1024)
#define BUZON_POP3_DEFAULT_MAX_DATA (256 * 1024 * 1024)

typedef struct _BuzonPop3Parser BuzonPop3Parser;

G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Parser *buzon_pop3_parser_new          (void);
void             buzon_pop3_parser_free         (BuzonPop3Parser  *parser);
void             buzon_pop3_parser_set_limits   (BuzonPop3Parser  *parser,
                                                 gsize             max_line,
                                                 gsize             max_data);
void             buzon_pop3_parser_expect       (BuzonPop3Parser  *parser,
                                                 gboolean          multiline);
guint            buzon_pop3_parser_get_pending  (BuzonPop3Parser  *parser);
gboolean         buzon_pop3_parser_feed         (BuzonPop3Parser  *parser,
                                                 const char       *data,
                                                 gsize             length,
                                                 GError          **error);
gsize            buzon_pop3_parser_get_buffered (BuzonPop3Parser  *parser);
G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Reply  *buzon_pop3_parser_pop          (BuzonPop3Parser  *parser);

gboolean         buzon_pop3_parse_stat          (const char       *text,
                                                 guint            *out_count,
                                                 guint64          *out_size);
G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Listing *buzon_pop3_parse_listing_line (const char       *line,
                                                 gboolean          uidl,
                                                 GError          **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray       *buzon_pop3_parse_listing       (GBytes           *data,
                                                 gboolean          uidl,
                                                 GError          **error);
G_GNUC_WARN_UNUSED_RESULT
GStrv            buzon_pop3_parse_capa          (GBytes           *data);
G_GNUC_WARN_UNUSED_RESULT
char            *buzon_pop3_greeting_timestamp  (const char       *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPop3Reply, buzon_pop3_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPop3Listing, buzon_pop3_listing_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPop3Parser, buzon_pop3_parser_free)

G_END_DECLS
