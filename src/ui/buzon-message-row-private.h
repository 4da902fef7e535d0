/* buzon-message-row-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Hooks for the tests. */

#pragma once

#include "buzon-message-row.h"

G_BEGIN_DECLS

const char *_buzon_message_row_get_accessible_label (BuzonMessageRow *self);

G_END_DECLS
