/* buzon-imap-value.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BuzonImapValueType:
 * @BUZON_IMAP_VALUE_NIL: the atom `NIL`
 * @BUZON_IMAP_VALUE_ATOM: any other atom, such as `\Seen`, `FETCH` or
 *   `BODY[HEADER.FIELDS (REFERENCES)]<0>`
 * @BUZON_IMAP_VALUE_NUMBER: an atom made of digits that fits in 64 bits
 * @BUZON_IMAP_VALUE_STRING: a quoted string or a literal; binary-safe
 * @BUZON_IMAP_VALUE_LIST: a parenthesised list
 *
 * The kinds of node in a parsed response (RFC 3501 §4).
 */
typedef enum
{
  BUZON_IMAP_VALUE_NIL,
  BUZON_IMAP_VALUE_ATOM,
  BUZON_IMAP_VALUE_NUMBER,
  BUZON_IMAP_VALUE_STRING,
  BUZON_IMAP_VALUE_LIST,
} BuzonImapValueType;

#define BUZON_TYPE_IMAP_VALUE (buzon_imap_value_get_type ())

/**
 * BuzonImapValue:
 *
 * A node of a parsed response: immutable, reference counted. The
 * accessors that read a value (get_string, get_number, get_child, ...)
 * take %NULL and answer "nothing", so decoders can walk a tree of
 * unexpected shape without a check at every step.
 */
typedef struct _BuzonImapValue BuzonImapValue;

GType               buzon_imap_value_get_type        (void) G_GNUC_CONST;

BuzonImapValue     *buzon_imap_value_ref             (BuzonImapValue  *self);
void                buzon_imap_value_unref           (BuzonImapValue  *self);

BuzonImapValueType  buzon_imap_value_get_value_type  (const BuzonImapValue *self);
gboolean            buzon_imap_value_is_nil          (const BuzonImapValue *self);
gboolean            buzon_imap_value_is_list         (const BuzonImapValue *self);
gboolean            buzon_imap_value_is_literal      (const BuzonImapValue *self);
gboolean            buzon_imap_value_is_spooled      (const BuzonImapValue *self);

const char         *buzon_imap_value_get_string      (const BuzonImapValue *self,
                                                      gsize                *length);
const char         *buzon_imap_value_get_astring     (const BuzonImapValue *self);
const char         *buzon_imap_value_get_nstring     (const BuzonImapValue *self);
gboolean            buzon_imap_value_get_number      (const BuzonImapValue *self,
                                                      guint64              *number);
guint64             buzon_imap_value_get_length      (const BuzonImapValue *self);
GBytes             *buzon_imap_value_dup_bytes       (const BuzonImapValue *self)
                                                      G_GNUC_WARN_UNUSED_RESULT;

GFile              *buzon_imap_value_get_file        (const BuzonImapValue *self)
                                                      G_GNUC_WARN_UNUSED_RESULT;
GFile              *buzon_imap_value_steal_file      (BuzonImapValue       *self)
                                                      G_GNUC_WARN_UNUSED_RESULT;
GInputStream       *buzon_imap_value_open            (const BuzonImapValue *self,
                                                      GError              **error)
                                                      G_GNUC_WARN_UNUSED_RESULT;

guint               buzon_imap_value_get_n_children  (const BuzonImapValue *self);
BuzonImapValue     *buzon_imap_value_get_child       (const BuzonImapValue *self,
                                                      guint                 index);

char               *buzon_imap_value_to_string       (const BuzonImapValue *self)
                                                      G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapValue, buzon_imap_value_unref)

G_END_DECLS
