/* buzon-imap-value.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapValue: one node of a parsed response, immutable once the parser
 * hands it out, reference counted. Strings are binary-safe (a length and the
 * bytes, with a NUL after them for convenience). A literal too large for
 * memory lives in a file in the parser's spool directory; the value owns the
 * file and deletes it when freed, unless someone took it with
 * buzon_imap_value_steal_file(). */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-private.h"
#include "buzon-imap-value.h"

struct _BuzonImapValue
{
  gatomicrefcount ref_count;
  guint8          type;
  guint           literal : 1;
  guint           spooled : 1;
  guint           owns_file : 1;
  guint64         number;
  union
  {
    struct
    {
      char  *data;
      gsize  length;
    } str;
    struct
    {
      char    *path;
      guint64  length;
    } file;
    struct
    {
      BuzonImapValue **items;
      guint            n_items;
      guint            n_allocated;
    } list;
  } u;
};

BUZON_IMAP_DEFINE_BOXED_TYPE (BuzonImapValue, buzon_imap_value,
                              buzon_imap_value_ref, buzon_imap_value_unref)

static BuzonImapValue *
value_new (BuzonImapValueType type)
{
  BuzonImapValue *self = g_new0 (BuzonImapValue, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->type = type;
  return self;
}

BuzonImapValue *
_buzon_imap_value_new_nil (void)
{
  return value_new (BUZON_IMAP_VALUE_NIL);
}

/* An atom made of digits that fits in 64 bits is a number; anything else,
 * including a number too large, stays an atom. */
BuzonImapValue *
_buzon_imap_value_new_atom (const char *text,
                            gsize       length)
{
  BuzonImapValue *self;
  gboolean digits = length > 0 && length <= 20;
  guint64 number = 0;

  for (gsize i = 0; digits && i < length; i++)
    {
      guint digit;

      if (!g_ascii_isdigit (text[i]))
        {
          digits = FALSE;
          break;
        }
      digit = text[i] - '0';
      if (number > (G_MAXUINT64 - digit) / 10)
        digits = FALSE;
      else
        number = number * 10 + digit;
    }

  self = value_new (digits ? BUZON_IMAP_VALUE_NUMBER : BUZON_IMAP_VALUE_ATOM);
  self->number = digits ? number : 0;
  self->u.str.data = g_strndup (text, length);
  self->u.str.length = length;
  return self;
}

BuzonImapValue *
_buzon_imap_value_new_string_take (char     *data,
                                   gsize     length,
                                   gboolean  literal)
{
  BuzonImapValue *self = value_new (BUZON_IMAP_VALUE_STRING);

  self->literal = literal;
  self->u.str.data = data;
  self->u.str.length = length;
  return self;
}

BuzonImapValue *
_buzon_imap_value_new_string (const char *data,
                              gsize       length,
                              gboolean    literal)
{
  char *copy = g_malloc (length + 1);

  if (length > 0)
    memcpy (copy, data, length);
  copy[length] = '\0';
  return _buzon_imap_value_new_string_take (copy, length, literal);
}

BuzonImapValue *
_buzon_imap_value_new_spooled (char    *path,
                               guint64  length)
{
  BuzonImapValue *self = value_new (BUZON_IMAP_VALUE_STRING);

  self->literal = TRUE;
  self->spooled = TRUE;
  self->owns_file = TRUE;
  self->u.file.path = path;
  self->u.file.length = length;
  return self;
}

BuzonImapValue *
_buzon_imap_value_new_list (void)
{
  return value_new (BUZON_IMAP_VALUE_LIST);
}

void
_buzon_imap_value_list_append (BuzonImapValue *list,
                               BuzonImapValue *child)
{
  g_assert (list->type == BUZON_IMAP_VALUE_LIST);

  if (list->u.list.n_items == list->u.list.n_allocated)
    {
      list->u.list.n_allocated = MAX (4, list->u.list.n_allocated * 2);
      list->u.list.items = g_renew (BuzonImapValue *, list->u.list.items,
                                    list->u.list.n_allocated);
    }
  list->u.list.items[list->u.list.n_items++] = child;
}

/**
 * buzon_imap_value_ref:
 * @self: a #BuzonImapValue
 *
 * Returns: (transfer full): @self
 */
BuzonImapValue *
buzon_imap_value_ref (BuzonImapValue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * buzon_imap_value_unref:
 * @self: (transfer full): a #BuzonImapValue
 *
 * Drops a reference; the last one frees the value, its children and its
 * spool file (unless it was stolen).
 */
void
buzon_imap_value_unref (BuzonImapValue *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  switch ((BuzonImapValueType) self->type)
    {
    case BUZON_IMAP_VALUE_LIST:
      /* Nesting is bounded by the parser's max_depth, so this recursion is. */
      for (guint i = 0; i < self->u.list.n_items; i++)
        buzon_imap_value_unref (self->u.list.items[i]);
      g_free (self->u.list.items);
      break;

    case BUZON_IMAP_VALUE_STRING:
      if (self->spooled)
        {
          if (self->owns_file && g_unlink (self->u.file.path) != 0 && errno != ENOENT)
            g_debug ("Could not remove spooled literal %s: %s",
                     self->u.file.path, g_strerror (errno));
          g_free (self->u.file.path);
          break;
        }
      G_GNUC_FALLTHROUGH;
    case BUZON_IMAP_VALUE_ATOM:
    case BUZON_IMAP_VALUE_NUMBER:
      g_free (self->u.str.data);
      break;

    case BUZON_IMAP_VALUE_NIL:
    default:
      break;
    }

  g_free (self);
}

/**
 * buzon_imap_value_get_value_type:
 * @self: a #BuzonImapValue
 *
 * Returns: what kind of value @self is
 */
BuzonImapValueType
buzon_imap_value_get_value_type (const BuzonImapValue *self)
{
  g_return_val_if_fail (self != NULL, BUZON_IMAP_VALUE_NIL);

  return self->type;
}

/**
 * buzon_imap_value_is_nil:
 * @self: (nullable): a #BuzonImapValue
 *
 * Returns: whether @self is the atom NIL (%FALSE for %NULL)
 */
gboolean
buzon_imap_value_is_nil (const BuzonImapValue *self)
{
  return self != NULL && self->type == BUZON_IMAP_VALUE_NIL;
}

/**
 * buzon_imap_value_is_list:
 * @self: (nullable): a #BuzonImapValue
 *
 * Returns: whether @self is a parenthesised list (%FALSE for %NULL)
 */
gboolean
buzon_imap_value_is_list (const BuzonImapValue *self)
{
  return self != NULL && self->type == BUZON_IMAP_VALUE_LIST;
}

/**
 * buzon_imap_value_is_literal:
 * @self: (nullable): a #BuzonImapValue
 *
 * Returns: whether @self is a string that came as a literal `{N}`
 */
gboolean
buzon_imap_value_is_literal (const BuzonImapValue *self)
{
  if (self == NULL)
    return FALSE;

  return self->type == BUZON_IMAP_VALUE_STRING && self->literal;
}

/**
 * buzon_imap_value_is_spooled:
 * @self: (nullable): a #BuzonImapValue
 *
 * A spooled string's bytes are in a file (buzon_imap_value_get_file(),
 * buzon_imap_value_open()), not in memory: buzon_imap_value_get_string()
 * returns %NULL for it.
 *
 * Returns: whether @self is a literal spooled to a file
 */
gboolean
buzon_imap_value_is_spooled (const BuzonImapValue *self)
{
  if (self == NULL)
    return FALSE;

  return self->type == BUZON_IMAP_VALUE_STRING && self->spooled;
}

/**
 * buzon_imap_value_get_string:
 * @self: (nullable): a #BuzonImapValue
 * @length: (out) (optional): the length in bytes
 *
 * The bytes of an atom, number or in-memory string. They are followed by a
 * NUL, but a literal may contain NULs itself: use @length for binary data.
 *
 * Returns: (nullable): the bytes, or %NULL for NIL, a list or a spooled
 *   literal
 */
const char *
buzon_imap_value_get_string (const BuzonImapValue *self,
                             gsize                *length)
{
  if (length != NULL)
    *length = 0;
  if (self == NULL)
    return NULL;

  switch ((BuzonImapValueType) self->type)
    {
    case BUZON_IMAP_VALUE_STRING:
      if (self->spooled)
        return NULL;
      G_GNUC_FALLTHROUGH;
    case BUZON_IMAP_VALUE_ATOM:
    case BUZON_IMAP_VALUE_NUMBER:
      if (length != NULL)
        *length = self->u.str.length;
      return self->u.str.data;

    case BUZON_IMAP_VALUE_NIL:
    case BUZON_IMAP_VALUE_LIST:
    default:
      return NULL;
    }
}

/**
 * buzon_imap_value_get_astring:
 * @self: (nullable): a #BuzonImapValue
 *
 * Reads @self as an `astring` (RFC 3501 §9): an atom or a string. An atom
 * NIL is the three letters there, as in a mailbox named NIL.
 *
 * Returns: (nullable): the text, or %NULL for a list or a spooled literal
 */
const char *
buzon_imap_value_get_astring (const BuzonImapValue *self)
{
  if (self == NULL)
    return NULL;

  if (self->type == BUZON_IMAP_VALUE_NIL)
    return "NIL";
  return buzon_imap_value_get_string (self, NULL);
}

/**
 * buzon_imap_value_get_nstring:
 * @self: (nullable): a #BuzonImapValue
 *
 * Reads @self as an `nstring`: a string or NIL. Atoms are accepted too,
 * as some servers send them where a string belongs.
 *
 * Returns: (nullable): the text, or %NULL for NIL, a list or a spooled
 *   literal
 */
const char *
buzon_imap_value_get_nstring (const BuzonImapValue *self)
{
  if (self == NULL)
    return NULL;

  return buzon_imap_value_get_string (self, NULL);
}

/**
 * buzon_imap_value_get_number:
 * @self: (nullable): a #BuzonImapValue
 * @number: (out) (optional): the number
 *
 * Reads @self as a number: an atom of digits, or a string of digits (some
 * servers quote numbers).
 *
 * Returns: whether @self is a number that fits in 64 bits
 */
gboolean
buzon_imap_value_get_number (const BuzonImapValue *self,
                             guint64              *number)
{
  if (number != NULL)
    *number = 0;
  if (self == NULL)
    return FALSE;

  if (self->type == BUZON_IMAP_VALUE_NUMBER)
    {
      if (number != NULL)
        *number = self->number;
      return TRUE;
    }

  if (self->type == BUZON_IMAP_VALUE_STRING && !self->spooled)
    {
      guint64 parsed;

      if (self->u.str.length == 0 || self->u.str.length > 20 ||
          strlen (self->u.str.data) != self->u.str.length ||
          !g_ascii_isdigit (self->u.str.data[0]) ||
          !g_ascii_string_to_unsigned (self->u.str.data, 10, 0, G_MAXUINT64, &parsed, NULL))
        return FALSE;
      if (number != NULL)
        *number = parsed;
      return TRUE;
    }

  return FALSE;
}

/**
 * buzon_imap_value_get_length:
 * @self: (nullable): a #BuzonImapValue
 *
 * Returns: the length in bytes of a string (in memory or spooled), atom or
 *   number; the number of children of a list; 0 for NIL
 */
guint64
buzon_imap_value_get_length (const BuzonImapValue *self)
{
  if (self == NULL)
    return 0;

  switch ((BuzonImapValueType) self->type)
    {
    case BUZON_IMAP_VALUE_STRING:
      if (self->spooled)
        return self->u.file.length;
      G_GNUC_FALLTHROUGH;
    case BUZON_IMAP_VALUE_ATOM:
    case BUZON_IMAP_VALUE_NUMBER:
      return self->u.str.length;
    case BUZON_IMAP_VALUE_LIST:
      return self->u.list.n_items;
    case BUZON_IMAP_VALUE_NIL:
    default:
      return 0;
    }
}

/**
 * buzon_imap_value_dup_bytes:
 * @self: (nullable): a #BuzonImapValue
 *
 * Returns: (transfer full) (nullable): a copy of an in-memory string, atom
 *   or number; %NULL for NIL, a list or a spooled literal (use
 *   buzon_imap_value_open())
 */
GBytes *
buzon_imap_value_dup_bytes (const BuzonImapValue *self)
{
  const char *data;
  gsize length;

  if (self == NULL)
    return NULL;

  data = buzon_imap_value_get_string (self, &length);
  if (data == NULL)
    return NULL;
  return g_bytes_new (data, length);
}

/**
 * buzon_imap_value_get_file:
 * @self: a #BuzonImapValue
 *
 * The file holding a spooled literal. It is deleted when the value is freed;
 * move it away first, or take it with buzon_imap_value_steal_file(), to
 * keep it.
 *
 * Returns: (transfer full) (nullable): the file, or %NULL when @self is not
 *   spooled
 */
GFile *
buzon_imap_value_get_file (const BuzonImapValue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!buzon_imap_value_is_spooled (self))
    return NULL;
  return g_file_new_for_path (self->u.file.path);
}

/**
 * buzon_imap_value_steal_file:
 * @self: a #BuzonImapValue
 *
 * Takes the spool file of a spooled literal: the value no longer deletes it
 * when freed, so the caller may keep it (say, move it into the store).
 *
 * Returns: (transfer full) (nullable): the file, or %NULL when @self is not
 *   spooled or its file was already taken
 */
GFile *
buzon_imap_value_steal_file (BuzonImapValue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!buzon_imap_value_is_spooled (self) || !self->owns_file)
    return NULL;
  self->owns_file = FALSE;
  return g_file_new_for_path (self->u.file.path);
}

/**
 * buzon_imap_value_open:
 * @self: a string, atom or number #BuzonImapValue
 * @error: return location for a #GError
 *
 * Opens a stream over the value's bytes, wherever they are. For a spooled
 * literal this opens its file (a blocking call, like g_file_read()).
 *
 * Returns: (transfer full): a stream, or %NULL with @error set
 */
GInputStream *
buzon_imap_value_open (const BuzonImapValue  *self,
                       GError               **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (buzon_imap_value_is_spooled (self))
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->u.file.path);

      return G_INPUT_STREAM (g_file_read (file, NULL, error));
    }
  else
    {
      g_autoptr(GBytes) bytes = buzon_imap_value_dup_bytes (self);

      if (bytes == NULL)
        {
          g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
                               "Only a string, atom or number has bytes to read");
          return NULL;
        }
      return g_memory_input_stream_new_from_bytes (bytes);
    }
}

/**
 * buzon_imap_value_get_n_children:
 * @self: (nullable): a #BuzonImapValue
 *
 * Like buzon_imap_value_get_child(), this takes %NULL, so that walking a
 * value whose shape is not the one expected needs no check at each step.
 *
 * Returns: the number of values in a list; 0 for anything else, and %NULL
 */
guint
buzon_imap_value_get_n_children (const BuzonImapValue *self)
{
  if (self == NULL || self->type != BUZON_IMAP_VALUE_LIST)
    return 0;
  return self->u.list.n_items;
}

/**
 * buzon_imap_value_get_child:
 * @self: (nullable): a #BuzonImapValue
 * @index: a position
 *
 * Returns: (transfer none) (nullable): the list's value at @index, or %NULL
 *   when @self is %NULL, not a list, or @index is past its end
 */
BuzonImapValue *
buzon_imap_value_get_child (const BuzonImapValue *self,
                            guint                 index)
{
  if (self == NULL || self->type != BUZON_IMAP_VALUE_LIST || index >= self->u.list.n_items)
    return NULL;
  return self->u.list.items[index];
}

static void
append_value (GString              *out,
              const BuzonImapValue *self)
{
  switch ((BuzonImapValueType) self->type)
    {
    case BUZON_IMAP_VALUE_NIL:
      g_string_append (out, "NIL");
      break;

    case BUZON_IMAP_VALUE_ATOM:
    case BUZON_IMAP_VALUE_NUMBER:
      g_string_append_len (out, self->u.str.data, self->u.str.length);
      break;

    case BUZON_IMAP_VALUE_STRING:
      if (self->spooled)
        {
          g_string_append_printf (out, "{%" G_GUINT64_FORMAT "}<spooled>", self->u.file.length);
        }
      else if (self->literal)
        {
          g_string_append_printf (out, "{%" G_GSIZE_FORMAT "}\r\n", self->u.str.length);
          g_string_append_len (out, self->u.str.data, self->u.str.length);
        }
      else
        {
          g_string_append_c (out, '"');
          for (gsize i = 0; i < self->u.str.length; i++)
            {
              char c = self->u.str.data[i];

              if (c == '"' || c == '\\')
                g_string_append_c (out, '\\');
              g_string_append_c (out, c);
            }
          g_string_append_c (out, '"');
        }
      break;

    case BUZON_IMAP_VALUE_LIST:
      g_string_append_c (out, '(');
      for (guint i = 0; i < self->u.list.n_items; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          append_value (out, self->u.list.items[i]);
        }
      g_string_append_c (out, ')');
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * buzon_imap_value_to_string:
 * @self: a #BuzonImapValue
 *
 * Writes @self back in IMAP syntax, canonically: single spaces, quoted
 * strings re-escaped, literals as `{N}` CRLF and their bytes, spooled
 * literals as `{N}<spooled>`. For tests and debugging; it may hold
 * anything the server sent.
 *
 * Returns: (transfer full): the text
 */
char *
buzon_imap_value_to_string (const BuzonImapValue *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  append_value (out, self);
  return g_string_free (out, FALSE);
}
