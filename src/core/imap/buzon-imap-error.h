/* buzon-imap-error.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BUZON_IMAP_ERROR:
 *
 * The error domain of the IMAP protocol layer: parser, decoders, command
 * builder, UID sets and modified UTF-7.
 */
#define BUZON_IMAP_ERROR (buzon_imap_error_quark ())

/**
 * BuzonImapError:
 * @BUZON_IMAP_ERROR_PARSE: the server sent something that is not IMAP, or a
 *   response does not have the shape its name promises
 * @BUZON_IMAP_ERROR_TOO_BIG: a line, response, literal or nesting depth went
 *   past a configured limit
 * @BUZON_IMAP_ERROR_FAILED: the parser already failed; it accepts no more input
 * @BUZON_IMAP_ERROR_IO: a large literal could not be written to its spool file
 * @BUZON_IMAP_ERROR_INVALID: an invalid argument: a malformed UID set or a
 *   string that is not valid modified UTF-7 (or UTF-8)
 *
 * Messages in this domain are for logs: they say what was wrong and where, in
 * protocol terms. A session shows the user its own words for them.
 */
typedef enum
{
  BUZON_IMAP_ERROR_PARSE,
  BUZON_IMAP_ERROR_TOO_BIG,
  BUZON_IMAP_ERROR_FAILED,
  BUZON_IMAP_ERROR_IO,
  BUZON_IMAP_ERROR_INVALID,
} BuzonImapError;

GQuark buzon_imap_error_quark (void);

G_END_DECLS
