/* buzon-types.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BuzonAccount BuzonAccount;
typedef struct _BuzonStore   BuzonStore;

/* ISO C has no conversion between function and object pointers, and
 * warning_level=3 (-Wpedantic) says so for every g_task_set_source_tag()
 * with a function. Going through an integer is implementation-defined and
 * exact on every platform GLib runs on. */
#define BUZON_SOURCE_TAG(func) ((gpointer)(guintptr)(func))

G_END_DECLS
