/* buzon-imap-error.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "buzon-imap-error.h"

G_DEFINE_QUARK (buzon-imap-error-quark, buzon_imap_error)
