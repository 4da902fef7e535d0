/* buzon-preferences-window.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BUZON_TYPE_PREFERENCES_WINDOW (buzon_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BuzonPreferencesWindow, buzon_preferences_window, BUZON,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

BuzonPreferencesWindow *buzon_preferences_window_new (GtkWindow *parent,
                                                      GSettings *settings);

G_END_DECLS
