/* buzon-mime-summary.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "buzon-store-records.h"

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_mime_summary_from_bytes (GBytes  *raw,
                                                    gint64   folder_id,
                                                    gint64   arrival,
                                                    char   **out_text);

G_END_DECLS
