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

/* G_DEFINE_BOXED_TYPE() passes its functions through a GCC transparent
 * union, which -Wpedantic (warning_level=3) rejects; this is the same thing
 * spelled out, for a TypeName with type_name_copy() and type_name_free().
 * Pointer parameters make the casts benign. Needs <glib-object.h>. */
#define BUZON_DEFINE_BOXED_TYPE(TypeName, type_name)                              \
  GType                                                                         \
  type_name##_get_type (void)                                                   \
  {                                                                             \
    static gsize type_id = 0;                                                   \
                                                                                \
    if (g_once_init_enter (&type_id))                                           \
      g_once_init_leave (&type_id,                                              \
                         g_boxed_type_register_static (                         \
                           g_intern_static_string (#TypeName),                  \
                           (GBoxedCopyFunc)type_name##_copy,                    \
                           (GBoxedFreeFunc)type_name##_free));                  \
                                                                                \
    return type_id;                                                             \
  }

G_END_DECLS
