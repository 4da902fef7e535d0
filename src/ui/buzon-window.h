/* buzon-window.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "buzon-application.h"

G_BEGIN_DECLS

#define BUZON_TYPE_WINDOW (buzon_window_get_type ())

G_DECLARE_FINAL_TYPE (BuzonWindow, buzon_window, BUZON, WINDOW, AdwApplicationWindow)

BuzonWindow *buzon_window_new          (BuzonApplication *application) G_GNUC_WARN_UNUSED_RESULT;
GListModel  *buzon_window_get_accounts (BuzonWindow      *self);
void         buzon_window_add_toast    (BuzonWindow      *self,
                                        AdwToast         *toast);
void         buzon_window_show_message (BuzonWindow      *self,
                                        gint64            message_id);

G_END_DECLS
