/* buzon-smtp-parser.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The SMTP reply parser (RFC 5321 §4.2, enhanced status codes of RFC 3463
 * and RFC 2034) and the EHLO keyword decoder (RFC 5321 §4.1.1.1 with the
 * extensions Buzón uses): pure functions over bytes that know nothing of
 * sockets. The parser is incremental: bytes are fed as they arrive, in any
 * pieces, and each complete reply (one line, or several `250-` lines and a
 * last `250 ` one) can be popped, in order, so the replies to pipelined
 * commands (RFC 2920) come apart by themselves. Lines and the number of
 * lines of a reply are bounded; what is not SMTP is an error, never a
 * crash. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_SMTP_ERROR (buzon_smtp_error_quark ())

/**
 * BuzonSmtpError:
 * @BUZON_SMTP_ERROR_PARSE: the server sent something that is not an SMTP
 *   reply (no three-digit code, codes that differ within one reply, a NUL)
 * @BUZON_SMTP_ERROR_TOO_LONG: a line, or the number of lines of one reply,
 *   is over the limit
 *
 * Errors of the parser. After one, the parser refuses every further feed:
 * the byte stream has no known state left.
 */
typedef enum
{
  BUZON_SMTP_ERROR_PARSE,
  BUZON_SMTP_ERROR_TOO_LONG,
} BuzonSmtpError;

GQuark buzon_smtp_error_quark (void);

/**
 * BuzonSmtpReply:
 * @code: the three-digit reply code, 200 to 599
 * @klass: the enhanced status code's class (2, 4 or 5), or 0 when the reply
 *   has none (RFC 3463 §2: the class always equals @code's first digit)
 * @subject: the enhanced code's subject (the 1 of 5.1.1)
 * @detail: the enhanced code's detail (the last 1 of 5.1.1)
 * @lines: (array zero-terminated=1): the text of each line, without the
 *   code, the separator and the enhanced code; at least one, maybe ""
 *
 * One complete reply.
 */
typedef struct
{
  guint   code;
  guint   klass;
  guint   subject;
  guint   detail;
  GStrv   lines;
} BuzonSmtpReply;

void             buzon_smtp_reply_free            (BuzonSmtpReply       *reply);
G_GNUC_WARN_UNUSED_RESULT
char            *buzon_smtp_reply_dup_text        (const BuzonSmtpReply *reply);
G_GNUC_WARN_UNUSED_RESULT
char            *buzon_smtp_reply_dup_enhanced    (const BuzonSmtpReply *reply);
gboolean         buzon_smtp_reply_has_enhanced    (const BuzonSmtpReply *reply,
                                                   guint                 subject,
                                                   guint                 detail);

/**
 * BuzonSmtpExtensions:
 * @pipelining: PIPELINING (RFC 2920)
 * @eightbitmime: 8BITMIME (RFC 6152)
 * @smtputf8: SMTPUTF8 (RFC 6531)
 * @starttls: STARTTLS (RFC 3207)
 * @enhancedstatuscodes: ENHANCEDSTATUSCODES (RFC 2034)
 * @has_size: SIZE was listed (RFC 1870)
 * @size: SIZE's limit in octets; 0 when there is none or none is declared
 * @auth: (array zero-terminated=1): the SASL mechanisms of AUTH (RFC 4954)
 *   and of the older `AUTH=` form, upper case, each once; never %NULL
 *
 * What a server's EHLO reply offers.
 */
typedef struct
{
  gboolean  pipelining;
  gboolean  eightbitmime;
  gboolean  smtputf8;
  gboolean  starttls;
  gboolean  enhancedstatuscodes;
  gboolean  has_size;
  guint64   size;
  GStrv     auth;
} BuzonSmtpExtensions;

void                 buzon_smtp_extensions_free   (BuzonSmtpExtensions       *extensions);
gboolean             buzon_smtp_extensions_has_auth (const BuzonSmtpExtensions *extensions,
                                                   const char                *mechanism);
G_GNUC_WARN_UNUSED_RESULT
BuzonSmtpExtensions *buzon_smtp_parse_ehlo        (const BuzonSmtpReply      *reply);

/* RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF;
 * servers send longer ones now and then, so the bound is generous. No real
 * reply has hundreds of lines. */
#define BUZON_SMTP_DEFAULT_MAX_LINE  (4 * 1024)
#define BUZON_SMTP_DEFAULT_MAX_LINES 256

typedef struct _BuzonSmtpParser BuzonSmtpParser;

G_GNUC_WARN_UNUSED_RESULT
BuzonSmtpParser *buzon_smtp_parser_new            (void);
void             buzon_smtp_parser_free           (BuzonSmtpParser  *parser);
void             buzon_smtp_parser_set_limits     (BuzonSmtpParser  *parser,
                                                   gsize             max_line,
                                                   guint             max_lines);
gboolean         buzon_smtp_parser_feed           (BuzonSmtpParser  *parser,
                                                   const char       *data,
                                                   gsize             length,
                                                   GError          **error);
gsize            buzon_smtp_parser_get_buffered   (BuzonSmtpParser  *parser);
guint            buzon_smtp_parser_get_ready      (BuzonSmtpParser  *parser);
G_GNUC_WARN_UNUSED_RESULT
BuzonSmtpReply  *buzon_smtp_parser_pop            (BuzonSmtpParser  *parser);

G_GNUC_WARN_UNUSED_RESULT
GBytes          *buzon_smtp_encode_data           (GBytes           *message,
                                                   gboolean         *out_8bit);
gboolean         buzon_smtp_address_is_ascii      (const char       *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpReply, buzon_smtp_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpExtensions, buzon_smtp_extensions_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpParser, buzon_smtp_parser_free)

G_END_DECLS
