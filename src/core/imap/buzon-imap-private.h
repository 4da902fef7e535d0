/* buzon-imap-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-imap-response.h"
#include "buzon-imap-value.h"

G_BEGIN_DECLS

/* G_DEFINE_BOXED_TYPE type-checks its functions with a transparent union,
 * which -Wpedantic (warning_level=3) rejects; this registers the same way
 * without it. */
#define BUZON_IMAP_DEFINE_BOXED_TYPE(TypeName, type_name, copy_func, free_func) \
  GType \
  type_name##_get_type (void) \
  { \
    static gsize type_id = 0; \
    if (g_once_init_enter (&type_id)) \
      { \
        GType id = g_boxed_type_register_static (g_intern_static_string (#TypeName), \
                                                 (GBoxedCopyFunc) copy_func, \
                                                 (GBoxedFreeFunc) free_func); \
        g_once_init_leave (&type_id, id); \
      } \
    return type_id; \
  }

/* Building values: only the parser does it. Appending takes ownership of
 * the child. */
BuzonImapValue    *_buzon_imap_value_new_nil       (void);
BuzonImapValue    *_buzon_imap_value_new_atom      (const char     *text,
                                                    gsize           length);
BuzonImapValue    *_buzon_imap_value_new_string    (const char     *data,
                                                    gsize           length,
                                                    gboolean        literal);
BuzonImapValue    *_buzon_imap_value_new_string_take (char         *data,
                                                      gsize         length,
                                                      gboolean      literal);
BuzonImapValue    *_buzon_imap_value_new_spooled   (char           *path,
                                                    guint64         length);
BuzonImapValue    *_buzon_imap_value_new_list      (void);
void               _buzon_imap_value_list_append   (BuzonImapValue *list,
                                                    BuzonImapValue *child);

BuzonImapResponse *_buzon_imap_response_new        (BuzonImapResponseKind kind);
void               _buzon_imap_response_set_tag    (BuzonImapResponse *self,
                                                    char              *tag);
void               _buzon_imap_response_set_name   (BuzonImapResponse *self,
                                                    char              *name);
void               _buzon_imap_response_set_number (BuzonImapResponse *self,
                                                    guint32            number);
void               _buzon_imap_response_set_text   (BuzonImapResponse *self,
                                                    char              *code,
                                                    char              *code_text,
                                                    BuzonImapValue    *code_args,
                                                    char              *text);
BuzonImapValue    *_buzon_imap_response_get_args_list (BuzonImapResponse *self);

/* Shared decoding helpers (buzon-imap-response.c). */
char              *_buzon_imap_ascii_up            (const char     *text);
gboolean           _buzon_imap_value_get_uint32    (const BuzonImapValue *value,
                                                    gboolean        nonzero,
                                                    guint32        *out);
char              *_buzon_imap_value_dup_utf8      (const BuzonImapValue *value);
GStrv              _buzon_imap_value_dup_atoms     (const BuzonImapValue *list,
                                                    gboolean        upper);
gboolean           _buzon_imap_set_shape_error     (GError        **error,
                                                    const BuzonImapResponse *response,
                                                    const char     *what);
char              *_buzon_imap_make_utf8           (const char     *text,
                                                    gssize          length);

G_END_DECLS
