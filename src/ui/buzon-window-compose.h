/* buzon-window-compose.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-compose.h"
#include "buzon-composer.h"
#include "buzon-window.h"

G_BEGIN_DECLS

BuzonComposer *buzon_window_compose                 (BuzonWindow             *self,
                                                     const BuzonComposeDraft *draft);
void           buzon_window_compose_mailto          (BuzonWindow             *self,
                                                     const char              *uri);

/* For the window (buzon-window.c, buzon-window-actions.c). */
void           _buzon_window_class_init_compose     (GtkWidgetClass          *widget_class);
void           _buzon_window_init_compose           (BuzonWindow             *self);
void           _buzon_window_update_compose_actions (BuzonWindow             *self);
void           _buzon_window_add_compose_menu_section (GMenu                 *menu);

G_END_DECLS
