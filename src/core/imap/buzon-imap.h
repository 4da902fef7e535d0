/* buzon-imap.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libbuzon-imap: the IMAP protocol layer without sockets. The parser turns
 * bytes into responses (buzon-imap-parser.h), the decoders turn responses
 * into structs (buzon-imap-response.h, buzon-imap-fetch.h), the command
 * builder turns arguments into bytes that cannot inject anything
 * (buzon-imap-command.h). A session wraps them with GIO. */

#pragma once

#include "buzon-imap-command.h"
#include "buzon-imap-error.h"
#include "buzon-imap-fetch.h"
#include "buzon-imap-parser.h"
#include "buzon-imap-response.h"
#include "buzon-imap-uid-set.h"
#include "buzon-imap-utf7.h"
#include "buzon-imap-value.h"
