/* buzon-address-completion.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "buzon-store.h"

G_BEGIN_DECLS

void          buzon_address_completion_attach    (GtkEntry   *entry,
                                                  BuzonStore *store,
                                                  gint64      account_id);
GtkTreeModel *buzon_address_completion_get_model (GtkEntry   *entry);
void          buzon_address_completion_choose    (GtkEntry   *entry,
                                                  guint       index);

G_END_DECLS
