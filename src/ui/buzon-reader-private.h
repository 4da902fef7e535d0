/* buzon-reader-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-reader.h"

G_BEGIN_DECLS

/* The save path without the file dialog: streams the part (of the message
 * shown, the nested one when one is open) to @file on a worker thread; a
 * failure is shown in the pane. For the tests. */
void  _buzon_reader_save_part_to_file_for_test (BuzonReader *self,
                                                const char  *part_id,
                                                GFile       *file);

/* The dim notice under the header: %NULL when there is nothing to say. */
char *_buzon_reader_dup_notice                 (gboolean     body_truncated,
                                                guint        n_unlisted)
  G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
