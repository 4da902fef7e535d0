/* buzon-test-ui.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void buzon_test_ui_screenshot (GtkWidget  *widget,
                               const char *file_name,
                               guint       settle_ms);

G_END_DECLS
