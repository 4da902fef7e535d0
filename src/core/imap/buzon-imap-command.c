/* buzon-imap-command.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapCommand: a tagged command built from typed arguments, so that no
 * argument can end the command early or start another one. Every string
 * that may come from a user or a message (mailbox names, search text,
 * keywords, passwords, APPEND data) goes through add_string(), which writes
 * it (RFC 3501 §4.3, §9):
 *
 *   - as an atom when it is short, non-empty, not NIL and made only of
 *     ATOM-CHARs;
 *   - as a quoted string, with `\` and `"` escaped, when it is 7-bit text
 *     without CR, LF or NUL and not longer than BUZON_IMAP_COMMAND_MAX_QUOTED;
 *   - otherwise as a literal, `{N}` CRLF followed by exactly N bytes, which
 *     the server reads by count, never by looking for a line end.
 *
 * Protocol syntax the caller writes itself (`(UID FLAGS)`, `+FLAGS.SILENT`)
 * goes through add_raw(), which refuses CR, LF and NUL.
 *
 * Rendering: with synchronising literals, the command is a list of segments;
 * each segment but the last ends with a literal header, after which the
 * session must wait for the server's `+` before sending the next segment (if
 * the server answers NO or BAD instead, the command is over). With LITERAL+
 * the whole command is one segment. */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <string.h>

#include "buzon-imap-command.h"
#include "buzon-imap-error.h"
#include "buzon-imap-private.h"
#include "buzon-imap-uid-set.h"
#include "buzon-imap-utf7.h"

/* RFC 7888 §4: LITERAL- allows non-synchronising literals up to this. */
#define LITERAL_MINUS_MAX 4096

typedef enum
{
  PART_RAW,       /* protocol text, written as is */
  PART_STRING,    /* user data: atom, quoted or literal, chosen when rendering */
  PART_LITERAL,   /* always a literal */
  PART_OPEN,      /* "(" */
  PART_CLOSE,     /* ")" */
} PartKind;

typedef struct
{
  PartKind  kind;
  gboolean  secret;
  GBytes   *data;
} Part;

struct _BuzonImapCommand
{
  gatomicrefcount       ref_count;
  char                 *tag;
  char                 *name;
  GArray               *parts;
  BuzonImapLiteralMode  literal_mode;
  GPtrArray            *segments;
};

BUZON_IMAP_DEFINE_BOXED_TYPE (BuzonImapCommand, buzon_imap_command,
                              buzon_imap_command_ref, buzon_imap_command_unref)

static void
clear_part (gpointer data)
{
  Part *part = data;

  g_clear_pointer (&part->data, g_bytes_unref);
}

/* ATOM-CHAR (RFC 3501 §9): CHAR except atom-specials. */
static inline gboolean
is_atom_char (guchar c)
{
  if (c <= 0x1f || c >= 0x7f)
    return FALSE;
  return strchr ("(){ %*\"\\]", c) == NULL;
}

/**
 * buzon_imap_is_atom:
 * @text: some bytes
 * @length: their length, or -1 when NUL-terminated
 *
 * Returns: whether @text can be sent as an atom: non-empty and made only of
 *   ATOM-CHARs (RFC 3501 §9)
 */
gboolean
buzon_imap_is_atom (const char *text,
                    gssize      length)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (length < 0)
    length = strlen (text);
  if (length == 0)
    return FALSE;
  for (gssize i = 0; i < length; i++)
    if (!is_atom_char (text[i]))
      return FALSE;
  return TRUE;
}

/**
 * buzon_imap_is_valid_tag:
 * @tag: a tag
 *
 * Returns: whether @tag is a valid tag: ASTRING-CHARs except `+`
 */
gboolean
buzon_imap_is_valid_tag (const char *tag)
{
  g_return_val_if_fail (tag != NULL, FALSE);

  if (*tag == '\0')
    return FALSE;
  for (const char *p = tag; *p != '\0'; p++)
    if (*p == '+' || (!is_atom_char (*p) && *p != ']'))
      return FALSE;
  return TRUE;
}

/* A command name is one or more atoms separated by single spaces ("UID FETCH"). */
static gboolean
is_valid_name (const char *name)
{
  g_auto(GStrv) words = g_strsplit (name, " ", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (!buzon_imap_is_atom (words[i], -1))
      return FALSE;
  return words[0] != NULL;
}

static gboolean
is_safe_raw (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\r' || *p == '\n')
      return FALSE;
  return TRUE;
}

static void
add_part (BuzonImapCommand *self,
          PartKind          kind,
          GBytes           *data,
          gboolean          secret)
{
  Part part = { kind, secret, data };

  g_array_append_val (self->parts, part);
}

static void
add_raw_text (BuzonImapCommand *self,
              const char       *text)
{
  add_part (self, PART_RAW, g_bytes_new (text, strlen (text)), FALSE);
}

/**
 * buzon_imap_command_new:
 * @tag: the tag, such as `A0001` (ASTRING-CHARs except `+`)
 * @name: the command, such as `SELECT` or `UID FETCH`
 *
 * Returns: (transfer full): a new command without arguments
 */
BuzonImapCommand *
buzon_imap_command_new (const char *tag,
                        const char *name)
{
  BuzonImapCommand *self;

  g_return_val_if_fail (tag != NULL && buzon_imap_is_valid_tag (tag), NULL);
  g_return_val_if_fail (name != NULL && is_valid_name (name), NULL);

  self = g_new0 (BuzonImapCommand, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->tag = g_strdup (tag);
  self->name = g_strdup (name);
  self->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (self->parts, clear_part);
  self->literal_mode = BUZON_IMAP_LITERAL_SYNC;
  return self;
}

/**
 * buzon_imap_command_ref:
 * @self: a #BuzonImapCommand
 *
 * Returns: (transfer full): @self
 */
BuzonImapCommand *
buzon_imap_command_ref (BuzonImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * buzon_imap_command_unref:
 * @self: (transfer full): a #BuzonImapCommand
 */
void
buzon_imap_command_unref (BuzonImapCommand *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->tag);
  g_free (self->name);
  g_array_unref (self->parts);
  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_free (self);
}

/**
 * buzon_imap_command_get_tag:
 * @self: a #BuzonImapCommand
 *
 * Returns: the tag
 */
const char *
buzon_imap_command_get_tag (const BuzonImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tag;
}

/**
 * buzon_imap_command_get_name:
 * @self: a #BuzonImapCommand
 *
 * Returns: the command name, as given
 */
const char *
buzon_imap_command_get_name (const BuzonImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

#define CHECK_OPEN(self) \
  g_return_if_fail ((self) != NULL && (self)->segments == NULL)
#define CHECK_OPEN_VAL(self, val) \
  g_return_val_if_fail ((self) != NULL && (self)->segments == NULL, val)

/**
 * buzon_imap_command_add_atom:
 * @self: a #BuzonImapCommand
 * @atom: a keyword such as `UIDNEXT` or `CONDSTORE`; must be a valid atom
 *
 * Adds a keyword. Not for user data: use buzon_imap_command_add_string().
 */
void
buzon_imap_command_add_atom (BuzonImapCommand *self,
                             const char       *atom)
{
  CHECK_OPEN (self);
  g_return_if_fail (atom != NULL && buzon_imap_is_atom (atom, -1));

  add_raw_text (self, atom);
}

/**
 * buzon_imap_command_add_raw:
 * @self: a #BuzonImapCommand
 * @text: protocol syntax written by the caller, such as
 *   `(UID FLAGS BODY.PEEK[HEADER.FIELDS (REFERENCES)])`; no CR or LF
 *
 * Adds text as it is. Never pass user data here.
 */
void
buzon_imap_command_add_raw (BuzonImapCommand *self,
                            const char       *text)
{
  CHECK_OPEN (self);
  g_return_if_fail (text != NULL && *text != '\0' && is_safe_raw (text));

  add_raw_text (self, text);
}

/**
 * buzon_imap_command_add_number:
 * @self: a #BuzonImapCommand
 * @number: a number
 */
void
buzon_imap_command_add_number (BuzonImapCommand *self,
                               guint64           number)
{
  char text[24];

  CHECK_OPEN (self);

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, number);
  add_raw_text (self, text);
}

/**
 * buzon_imap_command_add_nil:
 * @self: a #BuzonImapCommand
 */
void
buzon_imap_command_add_nil (BuzonImapCommand *self)
{
  CHECK_OPEN (self);

  add_raw_text (self, "NIL");
}

/**
 * buzon_imap_command_add_string_len:
 * @self: a #BuzonImapCommand
 * @data: (array length=length): any bytes
 * @length: their length
 *
 * Adds an astring: an atom, quoted string or literal, whichever is safe
 * (see the top of this file). Anything may be passed: CR, LF, quotes,
 * backslashes, 8-bit bytes. A NUL forces a literal; IMAP4rev1 does not allow
 * NUL even there, so the server will refuse the command, but it cannot read
 * it as anything else.
 */
void
buzon_imap_command_add_string_len (BuzonImapCommand *self,
                                   const char       *data,
                                   gsize             length)
{
  CHECK_OPEN (self);
  g_return_if_fail (data != NULL || length == 0);

  add_part (self, PART_STRING, g_bytes_new (data, length), FALSE);
}

/**
 * buzon_imap_command_add_string:
 * @self: a #BuzonImapCommand
 * @text: a string
 *
 * Like buzon_imap_command_add_string_len() for a NUL-terminated string.
 */
void
buzon_imap_command_add_string (BuzonImapCommand *self,
                               const char       *text)
{
  g_return_if_fail (text != NULL);

  buzon_imap_command_add_string_len (self, text, strlen (text));
}

/**
 * buzon_imap_command_add_secret:
 * @self: a #BuzonImapCommand
 * @text: a password or token
 *
 * Like buzon_imap_command_add_string(), but buzon_imap_command_to_log_string()
 * shows it as `***`.
 */
void
buzon_imap_command_add_secret (BuzonImapCommand *self,
                               const char       *text)
{
  CHECK_OPEN (self);
  g_return_if_fail (text != NULL);

  add_part (self, PART_STRING, g_bytes_new (text, strlen (text)), TRUE);
}

/**
 * buzon_imap_command_add_literal:
 * @self: a #BuzonImapCommand
 * @data: the bytes, such as a message for APPEND
 *
 * Adds @data as a literal, whatever it holds.
 */
void
buzon_imap_command_add_literal (BuzonImapCommand *self,
                                GBytes           *data)
{
  CHECK_OPEN (self);
  g_return_if_fail (data != NULL);

  add_part (self, PART_LITERAL, g_bytes_ref (data), FALSE);
}

/**
 * buzon_imap_command_add_mailbox:
 * @self: a #BuzonImapCommand
 * @name: a mailbox name in UTF-8
 * @error: return location for a #GError
 *
 * Adds a mailbox name, encoded in modified UTF-7 (RFC 3501 §5.1.3); `INBOX`
 * in any case is sent as `INBOX`. A name the server sent (a
 * BuzonImapListEntry's name) is already encoded: add it with
 * buzon_imap_command_add_string().
 *
 * Returns: %TRUE, or %FALSE with @error set when @name is not UTF-8
 */
gboolean
buzon_imap_command_add_mailbox (BuzonImapCommand  *self,
                                const char        *name,
                                GError           **error)
{
  g_autofree char *encoded = NULL;

  CHECK_OPEN_VAL (self, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    {
      add_raw_text (self, "INBOX");
      return TRUE;
    }

  encoded = buzon_imap_utf7_encode (name, error);
  if (encoded == NULL)
    return FALSE;
  buzon_imap_command_add_string (self, encoded);
  return TRUE;
}

/* flag = "\" atom (system flags, RFC 3501 §9) / keyword (an atom) */
static gboolean
is_valid_flag (const char *flag)
{
  if (flag[0] == '\\')
    flag++;
  return buzon_imap_is_atom (flag, -1);
}

/**
 * buzon_imap_command_add_flags:
 * @self: a #BuzonImapCommand
 * @flags: (array zero-terminated=1): flags, such as `\Seen` or `$Label1`
 * @error: return location for a #GError
 *
 * Adds a parenthesised flag list. Keywords are atoms: one that is not (it
 * has a space, a parenthesis, 8-bit bytes...) cannot be sent at all, so it
 * is refused rather than quoted.
 *
 * Returns: %TRUE, or %FALSE with @error set (%BUZON_IMAP_ERROR_INVALID)
 *   and nothing added
 */
gboolean
buzon_imap_command_add_flags (BuzonImapCommand    *self,
                              const char * const  *flags,
                              GError             **error)
{
  g_autoptr(GString) list = g_string_new ("(");

  CHECK_OPEN_VAL (self, FALSE);
  g_return_val_if_fail (flags != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; flags[i] != NULL; i++)
    {
      if (!is_valid_flag (flags[i]))
        {
          g_autofree char *shown = g_strescape (flags[i], NULL);

          g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
                       "“%s” cannot be an IMAP flag", shown);
          return FALSE;
        }
      if (i > 0)
        g_string_append_c (list, ' ');
      g_string_append (list, flags[i]);
    }
  g_string_append_c (list, ')');

  add_raw_text (self, list->str);
  return TRUE;
}

/**
 * buzon_imap_command_add_uid_set:
 * @self: a #BuzonImapCommand
 * @uids: (array length=n_uids): UIDs in any order
 * @n_uids: how many
 * @error: return location for a #GError
 *
 * Adds the UIDs as a compact set (see buzon_imap_uid_set_format()).
 *
 * Returns: %TRUE, or %FALSE with @error set when there is no UID
 */
gboolean
buzon_imap_command_add_uid_set (BuzonImapCommand  *self,
                                const guint32     *uids,
                                gsize              n_uids,
                                GError           **error)
{
  g_autofree char *set = NULL;

  CHECK_OPEN_VAL (self, FALSE);
  g_return_val_if_fail (uids != NULL || n_uids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  set = buzon_imap_uid_set_format (uids, n_uids);
  if (set == NULL)
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
                           "An IMAP UID set needs at least one UID");
      return FALSE;
    }
  add_raw_text (self, set);
  return TRUE;
}

/**
 * buzon_imap_command_add_sequence_set:
 * @self: a #BuzonImapCommand
 * @set: a sequence set such as `1:*` or `4,7:9`
 * @error: return location for a #GError
 *
 * Returns: %TRUE, or %FALSE with @error set when @set is not a sequence set
 */
gboolean
buzon_imap_command_add_sequence_set (BuzonImapCommand  *self,
                                     const char        *set,
                                     GError           **error)
{
  g_autoptr(GArray) ranges = NULL;

  CHECK_OPEN_VAL (self, FALSE);
  g_return_val_if_fail (set != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ranges = buzon_imap_uid_set_parse (set, -1, TRUE, error);
  if (ranges == NULL)
    return FALSE;
  add_raw_text (self, set);
  return TRUE;
}

/**
 * buzon_imap_command_add_date_time:
 * @self: a #BuzonImapCommand
 * @date_time: a date and time
 *
 * Adds a date-time (RFC 3501 §9), such as APPEND's internal date:
 * `"17-Jul-1996 02:44:25 -0700"`.
 */
void
buzon_imap_command_add_date_time (BuzonImapCommand *self,
                                  GDateTime        *date_time)
{
  static const char months[][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autofree char *text = NULL;
  gint64 offset_minutes;

  CHECK_OPEN (self);
  g_return_if_fail (date_time != NULL);

  offset_minutes = g_date_time_get_utc_offset (date_time) / G_TIME_SPAN_MINUTE;
  text = g_strdup_printf ("\"%02d-%s-%04d %02d:%02d:%02d %c%02d%02d\"",
                          g_date_time_get_day_of_month (date_time),
                          months[g_date_time_get_month (date_time) - 1],
                          g_date_time_get_year (date_time),
                          g_date_time_get_hour (date_time),
                          g_date_time_get_minute (date_time),
                          g_date_time_get_second (date_time),
                          offset_minutes < 0 ? '-' : '+',
                          (int) (ABS (offset_minutes) / 60),
                          (int) (ABS (offset_minutes) % 60));
  add_raw_text (self, text);
}

/**
 * buzon_imap_command_begin_list:
 * @self: a #BuzonImapCommand
 *
 * Opens a parenthesised list; the arguments added until
 * buzon_imap_command_end_list() go inside.
 */
void
buzon_imap_command_begin_list (BuzonImapCommand *self)
{
  CHECK_OPEN (self);

  add_part (self, PART_OPEN, NULL, FALSE);
}

/**
 * buzon_imap_command_end_list:
 * @self: a #BuzonImapCommand
 */
void
buzon_imap_command_end_list (BuzonImapCommand *self)
{
  CHECK_OPEN (self);

  add_part (self, PART_CLOSE, NULL, FALSE);
}

/**
 * buzon_imap_command_set_literal_mode:
 * @self: a #BuzonImapCommand
 * @mode: how to announce literals
 *
 * Sets how literals are announced; call it before asking for segments.
 */
void
buzon_imap_command_set_literal_mode (BuzonImapCommand     *self,
                                     BuzonImapLiteralMode  mode)
{
  CHECK_OPEN (self);

  self->literal_mode = mode;
}

typedef enum
{
  FORM_ATOM,
  FORM_QUOTED,
  FORM_LITERAL,
} StringForm;

static StringForm
choose_form (const char *data,
             gsize       length)
{
  gboolean quotable = length <= BUZON_IMAP_COMMAND_MAX_QUOTED;

  if (length == 0)
    return FORM_QUOTED;

  for (gsize i = 0; quotable && i < length; i++)
    {
      guchar c = data[i];

      /* QUOTED-CHAR is any TEXT-CHAR (7-bit, no NUL, CR or LF). */
      if (c == '\0' || c == '\r' || c == '\n' || c >= 0x80)
        quotable = FALSE;
    }
  if (!quotable)
    return FORM_LITERAL;

  /* "NIL" as an atom would read as NIL where an nstring is allowed. */
  if (buzon_imap_is_atom (data, length) &&
      !(length == 3 && g_ascii_strncasecmp (data, "NIL", 3) == 0))
    return FORM_ATOM;
  return FORM_QUOTED;
}

typedef struct
{
  GPtrArray  *segments;
  GByteArray *current;
} Renderer;

static void
renderer_cut (Renderer *renderer)
{
  g_ptr_array_add (renderer->segments,
                   g_byte_array_free_to_bytes (g_steal_pointer (&renderer->current)));
  renderer->current = g_byte_array_new ();
}

static void
append_text (GByteArray *array,
             const char *text)
{
  g_byte_array_append (array, (const guint8 *) text, strlen (text));
}

static void
render_literal (BuzonImapCommand *self,
                Renderer         *renderer,
                GBytes           *data)
{
  gsize length = g_bytes_get_size (data);
  gboolean plus;
  char header[40];

  switch (self->literal_mode)
    {
    case BUZON_IMAP_LITERAL_PLUS:
      plus = TRUE;
      break;
    case BUZON_IMAP_LITERAL_MINUS:
      plus = length <= LITERAL_MINUS_MAX;
      break;
    case BUZON_IMAP_LITERAL_SYNC:
    default:
      plus = FALSE;
      break;
    }

  g_snprintf (header, sizeof header, "{%" G_GSIZE_FORMAT "%s}\r\n", length, plus ? "+" : "");
  append_text (renderer->current, header);
  if (!plus)
    renderer_cut (renderer);
  g_byte_array_append (renderer->current, g_bytes_get_data (data, NULL), length);
}

static void
render (BuzonImapCommand *self)
{
  Renderer renderer;
  gboolean need_space = TRUE;

  if (self->segments != NULL)
    return;

  renderer.segments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  renderer.current = g_byte_array_new ();
  append_text (renderer.current, self->tag);
  g_byte_array_append (renderer.current, (const guint8 *) " ", 1);
  append_text (renderer.current, self->name);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);
      gconstpointer data = part->data != NULL ? g_bytes_get_data (part->data, NULL) : NULL;
      gsize length = part->data != NULL ? g_bytes_get_size (part->data) : 0;

      if (part->kind != PART_CLOSE && need_space)
        g_byte_array_append (renderer.current, (const guint8 *) " ", 1);
      need_space = TRUE;

      switch (part->kind)
        {
        case PART_OPEN:
          g_byte_array_append (renderer.current, (const guint8 *) "(", 1);
          need_space = FALSE;
          break;

        case PART_CLOSE:
          g_byte_array_append (renderer.current, (const guint8 *) ")", 1);
          break;

        case PART_RAW:
          g_byte_array_append (renderer.current, data, length);
          break;

        case PART_LITERAL:
          render_literal (self, &renderer, part->data);
          break;

        case PART_STRING:
        default:
          switch (choose_form (data, length))
            {
            case FORM_ATOM:
              g_byte_array_append (renderer.current, data, length);
              break;

            case FORM_QUOTED:
              g_byte_array_append (renderer.current, (const guint8 *) "\"", 1);
              for (gsize k = 0; k < length; k++)
                {
                  guint8 c = ((const guint8 *) data)[k];

                  if (c == '"' || c == '\\')
                    g_byte_array_append (renderer.current, (const guint8 *) "\\", 1);
                  g_byte_array_append (renderer.current, &c, 1);
                }
              g_byte_array_append (renderer.current, (const guint8 *) "\"", 1);
              break;

            case FORM_LITERAL:
            default:
              render_literal (self, &renderer, part->data);
              break;
            }
          break;
        }
    }

  append_text (renderer.current, "\r\n");
  g_ptr_array_add (renderer.segments, g_byte_array_free_to_bytes (renderer.current));
  self->segments = renderer.segments;
}

/**
 * buzon_imap_command_get_n_segments:
 * @self: a #BuzonImapCommand
 *
 * Completes the command (nothing can be added after) and says in how many
 * segments it is sent: one, plus one per synchronising literal.
 *
 * Returns: the number of segments, at least 1
 */
guint
buzon_imap_command_get_n_segments (BuzonImapCommand *self)
{
  g_return_val_if_fail (self != NULL, 0);

  render (self);
  return self->segments->len;
}

/**
 * buzon_imap_command_get_segment:
 * @self: a #BuzonImapCommand
 * @index: a segment number, below buzon_imap_command_get_n_segments()
 *
 * Segment @index of the command. Each segment but the last ends with a
 * synchronising literal's header: send the next one only after the server's
 * `+` continuation. The last one ends with CRLF.
 *
 * Returns: (transfer none): the bytes of the segment
 */
GBytes *
buzon_imap_command_get_segment (BuzonImapCommand *self,
                                guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);

  render (self);
  g_return_val_if_fail (index < self->segments->len, NULL);
  return g_ptr_array_index (self->segments, index);
}

/**
 * buzon_imap_command_to_bytes:
 * @self: a #BuzonImapCommand
 *
 * Returns: (transfer full): the whole command, every segment in a row
 */
GBytes *
buzon_imap_command_to_bytes (BuzonImapCommand *self)
{
  GByteArray *all;

  g_return_val_if_fail (self != NULL, NULL);

  render (self);
  all = g_byte_array_new ();
  for (guint i = 0; i < self->segments->len; i++)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (self->segments, i), &length);

      g_byte_array_append (all, data, length);
    }
  return g_byte_array_free_to_bytes (all);
}

/**
 * buzon_imap_command_to_log_string:
 * @self: a #BuzonImapCommand
 *
 * The command on one line for a log: secrets as `***`, literals as
 * `{N bytes}`, strings as they would be sent otherwise.
 *
 * Returns: (transfer full): the text
 */
char *
buzon_imap_command_to_log_string (BuzonImapCommand *self)
{
  GString *out;
  gboolean need_space = TRUE;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%s %s", self->tag, self->name);
  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);
      const char *data = part->data != NULL ? g_bytes_get_data (part->data, NULL) : NULL;
      gsize length = part->data != NULL ? g_bytes_get_size (part->data) : 0;

      if (part->kind != PART_CLOSE && need_space)
        g_string_append_c (out, ' ');
      need_space = TRUE;

      if (part->secret)
        {
          g_string_append (out, "***");
          continue;
        }

      switch (part->kind)
        {
        case PART_OPEN:
          g_string_append_c (out, '(');
          need_space = FALSE;
          break;
        case PART_CLOSE:
          g_string_append_c (out, ')');
          break;
        case PART_RAW:
          g_string_append_len (out, data, length);
          break;
        case PART_STRING:
          if (choose_form (data, length) != FORM_LITERAL)
            {
              /* Quoted for the log even where an atom would do. */
              g_string_append_c (out, '"');
              for (gsize k = 0; k < length; k++)
                {
                  if (data[k] == '"' || data[k] == '\\')
                    g_string_append_c (out, '\\');
                  g_string_append_c (out, data[k]);
                }
              g_string_append_c (out, '"');
              break;
            }
          G_GNUC_FALLTHROUGH;
        case PART_LITERAL:
        default:
          g_string_append_printf (out, "{%" G_GSIZE_FORMAT " bytes}", length);
          break;
        }
    }

  return g_string_free (out, FALSE);
}
