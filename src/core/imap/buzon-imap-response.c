/* buzon-imap-response.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapResponse: one complete server response, as the parser saw it
 * (kind, tag, name, message number, condition, response code, text, and the
 * generic value list after the name), and the decoders that turn the common
 * responses into structs. Decoders check the shape they need and fail with
 * BUZON_IMAP_ERROR_PARSE otherwise; they accept atoms where strings belong
 * and ignore items they do not know, as servers add extensions. */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-private.h"
#include "buzon-imap-response.h"
#include "buzon-imap-uid-set.h"
#include "buzon-imap-utf7.h"

struct _BuzonImapResponse
{
  gatomicrefcount        ref_count;
  BuzonImapResponseKind  kind;
  BuzonImapCondition     condition;
  char                  *tag;
  char                  *name;
  gboolean               has_number;
  guint32                number;
  char                  *code;
  char                  *code_text;
  BuzonImapValue        *code_args;
  char                  *text;
  BuzonImapValue        *args;
};

BUZON_IMAP_DEFINE_BOXED_TYPE (BuzonImapResponse, buzon_imap_response,
                              buzon_imap_response_ref, buzon_imap_response_unref)

/* Internal helpers, shared with buzon-imap-fetch.c */

char *
_buzon_imap_ascii_up (const char *text)
{
  return text != NULL ? g_ascii_strup (text, -1) : NULL;
}

/* Servers send 8-bit text in any charset; what leaves here is UTF-8. */
char *
_buzon_imap_make_utf8 (const char *text,
                       gssize      length)
{
  if (length < 0)
    length = strlen (text);
  if (g_utf8_validate_len (text, length, NULL))
    return g_strndup (text, length);
  return g_utf8_make_valid (text, length);
}

gboolean
_buzon_imap_value_get_uint32 (const BuzonImapValue *value,
                              gboolean              nonzero,
                              guint32              *out)
{
  guint64 number;

  if (value == NULL || !buzon_imap_value_get_number (value, &number) ||
      number > G_MAXUINT32 || (nonzero && number == 0))
    return FALSE;
  *out = (guint32) number;
  return TRUE;
}

/* An nstring as UTF-8, or NULL for NIL (and for a list or spooled literal,
 * which a decoder wanting text cannot use). */
char *
_buzon_imap_value_dup_utf8 (const BuzonImapValue *value)
{
  const char *text;
  gsize length;

  if (value == NULL)
    return NULL;
  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL)
    return NULL;
  return _buzon_imap_make_utf8 (text, length);
}

/* The atoms (or strings) of a list; NULL when @list is not a list of them. */
GStrv
_buzon_imap_value_dup_atoms (const BuzonImapValue *list,
                             gboolean              upper)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  guint n;

  if (!buzon_imap_value_is_list (list))
    return NULL;

  builder = g_strv_builder_new ();
  n = buzon_imap_value_get_n_children (list);
  for (guint i = 0; i < n; i++)
    {
      const char *text = buzon_imap_value_get_astring (buzon_imap_value_get_child (list, i));
      g_autofree char *utf8 = NULL;

      if (text == NULL)
        return NULL;
      utf8 = _buzon_imap_make_utf8 (text, -1);
      if (upper)
        {
          char *up = g_ascii_strup (utf8, -1);

          g_free (utf8);
          utf8 = up;
        }
      g_strv_builder_add (builder, utf8);
    }
  return g_strv_builder_end (builder);
}

gboolean
_buzon_imap_set_shape_error (GError                  **error,
                             const BuzonImapResponse  *response,
                             const char               *what)
{
  g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
               "Malformed IMAP %s response: %s",
               response->code != NULL && response->name != NULL &&
               response->condition != BUZON_IMAP_CONDITION_NONE ? response->code :
               response->name != NULL ? response->name : "continuation",
               what);
  return FALSE;
}

BuzonImapResponse *
_buzon_imap_response_new (BuzonImapResponseKind kind)
{
  BuzonImapResponse *self = g_new0 (BuzonImapResponse, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->args = _buzon_imap_value_new_list ();
  return self;
}

void
_buzon_imap_response_set_tag (BuzonImapResponse *self,
                              char              *tag)
{
  g_free (self->tag);
  self->tag = tag;
}

/* @name is upper case already. A status response is one of these names right
 * after the tag or `*`, without a message number. */
void
_buzon_imap_response_set_name (BuzonImapResponse *self,
                               char              *name)
{
  static const struct
  {
    const char         *name;
    BuzonImapCondition  condition;
  } conditions[] = {
    { "OK", BUZON_IMAP_CONDITION_OK },
    { "NO", BUZON_IMAP_CONDITION_NO },
    { "BAD", BUZON_IMAP_CONDITION_BAD },
    { "PREAUTH", BUZON_IMAP_CONDITION_PREAUTH },
    { "BYE", BUZON_IMAP_CONDITION_BYE },
  };

  g_free (self->name);
  self->name = name;
  self->condition = BUZON_IMAP_CONDITION_NONE;

  if (self->has_number || self->kind == BUZON_IMAP_RESPONSE_CONTINUATION)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    if (strcmp (name, conditions[i].name) == 0)
      self->condition = conditions[i].condition;
}

void
_buzon_imap_response_set_number (BuzonImapResponse *self,
                                 guint32            number)
{
  self->has_number = TRUE;
  self->number = number;
}

void
_buzon_imap_response_set_text (BuzonImapResponse *self,
                               char              *code,
                               char              *code_text,
                               BuzonImapValue    *code_args,
                               char              *text)
{
  g_free (self->code);
  g_free (self->code_text);
  g_clear_pointer (&self->code_args, buzon_imap_value_unref);
  g_free (self->text);
  self->code = code;
  self->code_text = code_text;
  self->code_args = code_args;
  self->text = text;
}

BuzonImapValue *
_buzon_imap_response_get_args_list (BuzonImapResponse *self)
{
  return self->args;
}

/**
 * buzon_imap_response_ref:
 * @self: a #BuzonImapResponse
 *
 * Returns: (transfer full): @self
 */
BuzonImapResponse *
buzon_imap_response_ref (BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * buzon_imap_response_unref:
 * @self: (transfer full): a #BuzonImapResponse
 */
void
buzon_imap_response_unref (BuzonImapResponse *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->tag);
  g_free (self->name);
  g_free (self->code);
  g_free (self->code_text);
  g_clear_pointer (&self->code_args, buzon_imap_value_unref);
  g_free (self->text);
  g_clear_pointer (&self->args, buzon_imap_value_unref);
  g_free (self);
}

/**
 * buzon_imap_response_get_kind:
 * @self: a #BuzonImapResponse
 *
 * Returns: whether @self is a continuation, untagged or tagged
 */
BuzonImapResponseKind
buzon_imap_response_get_kind (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, BUZON_IMAP_RESPONSE_UNTAGGED);

  return self->kind;
}

/**
 * buzon_imap_response_get_tag:
 * @self: a #BuzonImapResponse
 *
 * Returns: (nullable): the tag of a tagged response, %NULL otherwise
 */
const char *
buzon_imap_response_get_tag (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tag;
}

/**
 * buzon_imap_response_get_name:
 * @self: a #BuzonImapResponse
 *
 * The response's keyword in upper case: `OK`, `NO`, `BAD`, `PREAUTH`, `BYE`,
 * `CAPABILITY`, `LIST`, `FETCH`, `EXISTS`, `VANISHED`...
 *
 * Returns: (nullable): the name, or %NULL for a continuation
 */
const char *
buzon_imap_response_get_name (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * buzon_imap_response_is_named:
 * @self: a #BuzonImapResponse
 * @name: an upper-case response name
 *
 * Returns: whether @self is an untagged or tagged response named @name
 */
gboolean
buzon_imap_response_is_named (const BuzonImapResponse *self,
                              const char              *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return self->name != NULL && strcmp (self->name, name) == 0;
}

/**
 * buzon_imap_response_get_number:
 * @self: a #BuzonImapResponse
 * @number: (out) (optional): the number
 *
 * The number of `* 12 EXISTS`, `* 3 EXPUNGE`, `* 5 FETCH (...)`.
 *
 * Returns: whether @self carries a message number
 */
gboolean
buzon_imap_response_get_number (const BuzonImapResponse *self,
                                guint32                 *number)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (number != NULL)
    *number = self->number;
  return self->has_number;
}

/**
 * buzon_imap_response_get_condition:
 * @self: a #BuzonImapResponse
 *
 * Returns: OK, NO, BAD, PREAUTH or BYE for a status response;
 *   %BUZON_IMAP_CONDITION_NONE otherwise
 */
BuzonImapCondition
buzon_imap_response_get_condition (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, BUZON_IMAP_CONDITION_NONE);

  return self->condition;
}

/**
 * buzon_imap_response_get_code:
 * @self: a #BuzonImapResponse
 *
 * The response code of a status response or continuation, upper case:
 * `ALERT`, `UIDVALIDITY`, `TRYCREATE`, `COPYUID`, `HIGHESTMODSEQ`...
 *
 * Returns: (nullable): the code, or %NULL when there is none
 */
const char *
buzon_imap_response_get_code (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->code;
}

/**
 * buzon_imap_response_get_code_text:
 * @self: a #BuzonImapResponse
 *
 * Returns: (nullable): what followed the code's name inside the brackets,
 *   as sent, or %NULL when nothing did
 */
const char *
buzon_imap_response_get_code_text (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->code_text;
}

/**
 * buzon_imap_response_get_code_args:
 * @self: a #BuzonImapResponse
 *
 * Returns: (transfer none) (nullable): the code's arguments as a list, or
 *   %NULL when there are none or they are not IMAP syntax (codes unknown to
 *   RFC 3501 may hold free text)
 */
BuzonImapValue *
buzon_imap_response_get_code_args (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->code_args;
}

/**
 * buzon_imap_response_get_code_number:
 * @self: a #BuzonImapResponse
 * @number: (out): the number
 *
 * The number of a code like `[UIDNEXT 4392]`, `[UIDVALIDITY 3857529045]`,
 * `[UNSEEN 12]`, `[HIGHESTMODSEQ 715194045007]`.
 *
 * Returns: whether the code has a number as its first argument
 */
gboolean
buzon_imap_response_get_code_number (const BuzonImapResponse *self,
                                     guint64                 *number)
{
  BuzonImapValue *first;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (number != NULL, FALSE);

  *number = 0;
  if (self->code_args == NULL)
    return FALSE;
  first = buzon_imap_value_get_child (self->code_args, 0);
  return first != NULL && buzon_imap_value_get_number (first, number);
}

/**
 * buzon_imap_response_get_text:
 * @self: a #BuzonImapResponse
 *
 * Returns: (nullable): the human-readable text of a status response or
 *   continuation (after the code), in UTF-8; %NULL for data responses
 */
const char *
buzon_imap_response_get_text (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/**
 * buzon_imap_response_get_args:
 * @self: a #BuzonImapResponse
 *
 * The values after the name, as a list: for `* LIST (\Noselect) "/" foo`
 * the list `((\Noselect) "/" foo)`. Empty for status responses.
 *
 * Returns: (transfer none): the arguments
 */
BuzonImapValue *
buzon_imap_response_get_args (const BuzonImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->args;
}

/**
 * buzon_imap_response_to_string:
 * @self: a #BuzonImapResponse
 *
 * Writes @self back in canonical IMAP syntax (see
 * buzon_imap_value_to_string()), without the final CRLF. For tests and
 * debugging: it holds whatever the server sent, literals included.
 *
 * Returns: (transfer full): the text
 */
char *
buzon_imap_response_to_string (const BuzonImapResponse *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  switch (self->kind)
    {
    case BUZON_IMAP_RESPONSE_CONTINUATION:
      g_string_append_c (out, '+');
      break;
    case BUZON_IMAP_RESPONSE_UNTAGGED:
      g_string_append_c (out, '*');
      break;
    case BUZON_IMAP_RESPONSE_TAGGED:
    default:
      g_string_append (out, self->tag);
      break;
    }

  if (self->has_number)
    g_string_append_printf (out, " %u", self->number);
  if (self->name != NULL)
    g_string_append_printf (out, " %s", self->name);

  if (self->text != NULL)
    {
      if (self->code != NULL)
        {
          g_string_append_printf (out, " [%s", self->code);
          if (self->code_text != NULL)
            g_string_append_printf (out, " %s", self->code_text);
          g_string_append_c (out, ']');
        }
      g_string_append_printf (out, " %s", self->text);
    }
  else
    {
      guint n = buzon_imap_value_get_n_children (self->args);

      for (guint i = 0; i < n; i++)
        {
          g_autofree char *value = NULL;

          value = buzon_imap_value_to_string (buzon_imap_value_get_child (self->args, i));
          g_string_append_printf (out, " %s", value);
        }
    }

  return g_string_free (out, FALSE);
}

/* Decoders */

static BuzonImapValue *
arg (const BuzonImapResponse *self,
     guint                    index)
{
  return buzon_imap_value_get_child (self->args, index);
}

static guint
n_args (const BuzonImapResponse *self)
{
  return buzon_imap_value_get_n_children (self->args);
}

static gboolean
check_name (const BuzonImapResponse  *self,
            const char               *name,
            GError                  **error)
{
  if (self->kind != BUZON_IMAP_RESPONSE_UNTAGGED || g_strcmp0 (self->name, name) != 0)
    {
      g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                   "Not an untagged IMAP %s response", name);
      return FALSE;
    }
  return TRUE;
}

/* The values of a list as a NULL-terminated array of atoms; for data
 * responses whose arguments are all atoms. */
static GStrv
args_as_atoms (const BuzonImapResponse  *self,
               const BuzonImapValue     *list,
               gboolean                  upper,
               GError                  **error)
{
  GStrv atoms = _buzon_imap_value_dup_atoms (list, upper);

  if (atoms == NULL)
    _buzon_imap_set_shape_error (error, self, "expected a list of atoms");
  return atoms;
}

/**
 * buzon_imap_response_parse_capability:
 * @self: a `* CAPABILITY` response, or a status response with a
 *   `[CAPABILITY ...]` code
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the capabilities, upper case, or %NULL with
 *   @error set
 */
GStrv
buzon_imap_response_parse_capability (const BuzonImapResponse  *self,
                                      GError                  **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->kind == BUZON_IMAP_RESPONSE_UNTAGGED && g_strcmp0 (self->name, "CAPABILITY") == 0)
    return args_as_atoms (self, self->args, TRUE, error);

  if (g_strcmp0 (self->code, "CAPABILITY") == 0)
    {
      if (self->code_args == NULL)
        {
          _buzon_imap_set_shape_error (error, self, "expected capabilities");
          return NULL;
        }
      return args_as_atoms (self, self->code_args, TRUE, error);
    }

  g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                       "Not an IMAP CAPABILITY response or code");
  return NULL;
}

/**
 * buzon_imap_response_parse_enabled:
 * @self: a `* ENABLED` response (RFC 5161)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the extensions enabled, upper case, or %NULL
 *   with @error set
 */
GStrv
buzon_imap_response_parse_enabled (const BuzonImapResponse  *self,
                                   GError                  **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (self, "ENABLED", error))
    return NULL;
  return args_as_atoms (self, self->args, TRUE, error);
}

/**
 * buzon_imap_response_parse_flags:
 * @self: a `* FLAGS (...)` response, or a status response with a
 *   `[PERMANENTFLAGS (...)]` code
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the flags as sent (`\*` in PERMANENTFLAGS means
 *   new keywords may be created), or %NULL with @error set
 */
GStrv
buzon_imap_response_parse_flags (const BuzonImapResponse  *self,
                                 GError                  **error)
{
  const BuzonImapValue *list = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->kind == BUZON_IMAP_RESPONSE_UNTAGGED && g_strcmp0 (self->name, "FLAGS") == 0)
    list = arg (self, 0);
  else if (g_strcmp0 (self->code, "PERMANENTFLAGS") == 0 && self->code_args != NULL)
    list = buzon_imap_value_get_child (self->code_args, 0);
  else
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                           "Not an IMAP FLAGS response or PERMANENTFLAGS code");
      return NULL;
    }

  return args_as_atoms (self, list, FALSE, error);
}

/**
 * buzon_imap_copy_uid_free:
 * @copy_uid: (transfer full) (nullable): a #BuzonImapCopyUid
 */
void
buzon_imap_copy_uid_free (BuzonImapCopyUid *copy_uid)
{
  if (copy_uid == NULL)
    return;
  g_clear_pointer (&copy_uid->source_uids, g_array_unref);
  g_clear_pointer (&copy_uid->dest_uids, g_array_unref);
  g_free (copy_uid);
}

static GArray *
parse_set_value (const BuzonImapValue  *value,
                 GError               **error)
{
  const char *text = value != NULL ? buzon_imap_value_get_string (value, NULL) : NULL;

  if (text == NULL || buzon_imap_value_get_value_type (value) == BUZON_IMAP_VALUE_STRING)
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                           "Expected a UID set");
      return NULL;
    }
  {
    g_autoptr(GError) local_error = NULL;
    GArray *set = buzon_imap_uid_set_parse (text, -1, FALSE, &local_error);

    /* The server sent it: a malformed set is a malformed response. */
    if (set == NULL)
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE, local_error->message);
    return set;
  }
}

/**
 * buzon_imap_response_parse_copyuid:
 * @self: a status response with a `[COPYUID uidvalidity source-set
 *   dest-set]` or `[APPENDUID uidvalidity uid-set]` code (RFC 4315); UID
 *   MOVE sends COPYUID in an untagged OK (RFC 6851)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the UIDs, or %NULL with @error set
 */
BuzonImapCopyUid *
buzon_imap_response_parse_copyuid (const BuzonImapResponse  *self,
                                   GError                  **error)
{
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  gboolean append;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  append = g_strcmp0 (self->code, "APPENDUID") == 0;
  if (!append && g_strcmp0 (self->code, "COPYUID") != 0)
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                           "Not an IMAP COPYUID or APPENDUID code");
      return NULL;
    }

  n = self->code_args != NULL ? buzon_imap_value_get_n_children (self->code_args) : 0;
  copy_uid = g_new0 (BuzonImapCopyUid, 1);
  if (n != (append ? 2 : 3) ||
      !_buzon_imap_value_get_uint32 (buzon_imap_value_get_child (self->code_args, 0), TRUE,
                                     &copy_uid->uidvalidity))
    {
      _buzon_imap_set_shape_error (error, self, "expected a UIDVALIDITY and UID sets");
      return NULL;
    }

  if (!append)
    {
      copy_uid->source_uids = parse_set_value (buzon_imap_value_get_child (self->code_args, 1),
                                               error);
      if (copy_uid->source_uids == NULL)
        return NULL;
    }
  copy_uid->dest_uids = parse_set_value (buzon_imap_value_get_child (self->code_args, n - 1),
                                         error);
  if (copy_uid->dest_uids == NULL)
    return NULL;

  /* The sets correspond one to one (RFC 4315 §3). */
  if (!append &&
      buzon_imap_uid_set_count (copy_uid->source_uids) !=
      buzon_imap_uid_set_count (copy_uid->dest_uids))
    {
      _buzon_imap_set_shape_error (error, self, "source and destination UID sets differ in size");
      return NULL;
    }

  return g_steal_pointer (&copy_uid);
}

/**
 * buzon_imap_response_parse_modified:
 * @self: a tagged status response with a `[MODIFIED set]` code (CONDSTORE,
 *   RFC 7162 §3.1.3): the messages a STORE with UNCHANGEDSINCE left alone
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type BuzonImapUidRange): the set (UIDs
 *   for UID STORE, sequence numbers otherwise), or %NULL with @error set
 */
GArray *
buzon_imap_response_parse_modified (const BuzonImapResponse  *self,
                                    GError                  **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (self->code, "MODIFIED") != 0)
    {
      g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                           "Not an IMAP MODIFIED code");
      return NULL;
    }
  if (buzon_imap_value_get_n_children (self->code_args) != 1)
    {
      _buzon_imap_set_shape_error (error, self, "expected one sequence set");
      return NULL;
    }
  return parse_set_value (buzon_imap_value_get_child (self->code_args, 0), error);
}

/**
 * buzon_imap_list_entry_free:
 * @entry: (transfer full) (nullable): a #BuzonImapListEntry
 */
void
buzon_imap_list_entry_free (BuzonImapListEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry->display_name);
  g_strfreev (entry->attributes);
  g_free (entry);
}

static BuzonImapMailboxFlags
mailbox_flag (const char *attribute)
{
  static const struct
  {
    const char            *name;
    BuzonImapMailboxFlags  flag;
  } flags[] = {
    { "\\Noselect", BUZON_IMAP_MAILBOX_NOSELECT },
    { "\\Noinferiors", BUZON_IMAP_MAILBOX_NOINFERIORS },
    { "\\HasChildren", BUZON_IMAP_MAILBOX_HAS_CHILDREN },
    { "\\HasNoChildren", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
    { "\\Marked", BUZON_IMAP_MAILBOX_MARKED },
    { "\\Unmarked", BUZON_IMAP_MAILBOX_UNMARKED },
    { "\\NonExistent", BUZON_IMAP_MAILBOX_NONEXISTENT },
    { "\\Subscribed", BUZON_IMAP_MAILBOX_SUBSCRIBED },
    { "\\Remote", BUZON_IMAP_MAILBOX_REMOTE },
    { "\\All", BUZON_IMAP_MAILBOX_ALL },
    { "\\Archive", BUZON_IMAP_MAILBOX_ARCHIVE },
    { "\\Drafts", BUZON_IMAP_MAILBOX_DRAFTS },
    { "\\Flagged", BUZON_IMAP_MAILBOX_FLAGGED },
    { "\\Junk", BUZON_IMAP_MAILBOX_JUNK },
    { "\\Sent", BUZON_IMAP_MAILBOX_SENT },
    { "\\Trash", BUZON_IMAP_MAILBOX_TRASH },
    { "\\Important", BUZON_IMAP_MAILBOX_IMPORTANT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    if (g_ascii_strcasecmp (attribute, flags[i].name) == 0)
      return flags[i].flag;
  return 0;
}

/* A mailbox name for display: INBOX is case-insensitive (§5.1); modified
 * UTF-7 is decoded; anything else (8-bit names from servers that send
 * UTF-8 without UTF8=ACCEPT, broken encodings) is shown as best we can. */
static char *
mailbox_display_name (const char *name)
{
  char *decoded;

  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    return g_strdup ("INBOX");
  decoded = buzon_imap_utf7_decode (name, NULL);
  if (decoded != NULL)
    return decoded;
  return _buzon_imap_make_utf8 (name, -1);
}

/* A mailbox name: an astring with no NUL inside. */
static char *
dup_mailbox (const BuzonImapValue *value)
{
  const char *text;
  gsize length;

  if (value == NULL || buzon_imap_value_is_list (value))
    return NULL;
  if (buzon_imap_value_is_nil (value))
    return g_strdup ("NIL");
  text = buzon_imap_value_get_string (value, &length);
  if (text == NULL || strlen (text) != length)
    return NULL;
  return g_strndup (text, length);
}

/**
 * buzon_imap_response_parse_list:
 * @self: a `* LIST` or `* LSUB` response
 * @error: return location for a #GError
 *
 * Decodes `* LIST (attributes) delimiter name [extended items]`. Extended
 * items (LIST-EXTENDED's CHILDINFO, OLDNAME) are ignored.
 *
 * Returns: (transfer full): the entry, or %NULL with @error set
 */
BuzonImapListEntry *
buzon_imap_response_parse_list (const BuzonImapResponse  *self,
                                GError                  **error)
{
  g_autoptr(BuzonImapListEntry) entry = NULL;
  BuzonImapValue *delimiter;
  gboolean lsub;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lsub = g_strcmp0 (self->name, "LSUB") == 0;
  if (!check_name (self, lsub ? "LSUB" : "LIST", error))
    return NULL;
  if (n_args (self) < 3)
    {
      _buzon_imap_set_shape_error (error, self, "expected attributes, delimiter and name");
      return NULL;
    }

  entry = g_new0 (BuzonImapListEntry, 1);
  entry->lsub = lsub;
  entry->attributes = _buzon_imap_value_dup_atoms (arg (self, 0), FALSE);
  if (entry->attributes == NULL)
    {
      _buzon_imap_set_shape_error (error, self, "expected a list of mailbox attributes");
      return NULL;
    }
  for (guint i = 0; entry->attributes[i] != NULL; i++)
    entry->flags |= mailbox_flag (entry->attributes[i]);

  delimiter = arg (self, 1);
  if (!buzon_imap_value_is_nil (delimiter))
    {
      gsize length;
      const char *text = buzon_imap_value_get_string (delimiter, &length);

      if (text == NULL || length != 1 || (guchar) text[0] >= 0x80 || text[0] == '\0')
        {
          _buzon_imap_set_shape_error (error, self, "the delimiter must be one character or NIL");
          return NULL;
        }
      entry->delimiter = text[0];
    }

  entry->name = dup_mailbox (arg (self, 2));
  if (entry->name == NULL)
    {
      _buzon_imap_set_shape_error (error, self, "bad mailbox name");
      return NULL;
    }
  entry->display_name = mailbox_display_name (entry->name);

  return g_steal_pointer (&entry);
}

/**
 * buzon_imap_mailbox_status_free:
 * @status: (transfer full) (nullable): a #BuzonImapMailboxStatus
 */
void
buzon_imap_mailbox_status_free (BuzonImapMailboxStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->name);
  g_free (status);
}

/**
 * buzon_imap_response_parse_status:
 * @self: a `* STATUS mailbox (item value ...)` response
 * @error: return location for a #GError
 *
 * Items Buzón does not know are skipped.
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 */
BuzonImapMailboxStatus *
buzon_imap_response_parse_status (const BuzonImapResponse  *self,
                                  GError                  **error)
{
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  BuzonImapValue *items;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (self, "STATUS", error))
    return NULL;

  status = g_new0 (BuzonImapMailboxStatus, 1);
  status->name = dup_mailbox (arg (self, 0));
  items = arg (self, 1);
  n = buzon_imap_value_get_n_children (items);
  if (status->name == NULL || !buzon_imap_value_is_list (items) || n % 2 != 0)
    {
      _buzon_imap_set_shape_error (error, self, "expected a mailbox and a list of item pairs");
      return NULL;
    }

  for (guint i = 0; i < n; i += 2)
    {
      const char *name = buzon_imap_value_get_string (buzon_imap_value_get_child (items, i), NULL);
      BuzonImapValue *value = buzon_imap_value_get_child (items, i + 1);
      static const struct
      {
        const char           *name;
        BuzonImapStatusItems  item;
        gsize                 offset;
      } known[] = {
        { "MESSAGES", BUZON_IMAP_STATUS_MESSAGES,
          G_STRUCT_OFFSET (BuzonImapMailboxStatus, messages) },
        { "RECENT", BUZON_IMAP_STATUS_RECENT, G_STRUCT_OFFSET (BuzonImapMailboxStatus, recent) },
        { "UIDNEXT", BUZON_IMAP_STATUS_UIDNEXT, G_STRUCT_OFFSET (BuzonImapMailboxStatus, uidnext) },
        { "UIDVALIDITY", BUZON_IMAP_STATUS_UIDVALIDITY,
          G_STRUCT_OFFSET (BuzonImapMailboxStatus, uidvalidity) },
        { "UNSEEN", BUZON_IMAP_STATUS_UNSEEN, G_STRUCT_OFFSET (BuzonImapMailboxStatus, unseen) },
      };
      guint64 number;

      if (name == NULL || !buzon_imap_value_get_number (value, &number))
        {
          _buzon_imap_set_shape_error (error, self, "expected an item name and a number");
          return NULL;
        }

      if (g_ascii_strcasecmp (name, "HIGHESTMODSEQ") == 0)
        {
          status->highestmodseq = number;
          status->items |= BUZON_IMAP_STATUS_HIGHESTMODSEQ;
          continue;
        }
      if (g_ascii_strcasecmp (name, "SIZE") == 0)
        {
          status->size = number;
          status->items |= BUZON_IMAP_STATUS_SIZE;
          continue;
        }
      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        {
          if (g_ascii_strcasecmp (name, known[k].name) != 0)
            continue;
          if (number > G_MAXUINT32)
            {
              _buzon_imap_set_shape_error (error, self, "number out of range");
              return NULL;
            }
          G_STRUCT_MEMBER (guint32, status, known[k].offset) = (guint32) number;
          status->items |= known[k].item;
        }
    }

  return g_steal_pointer (&status);
}

/**
 * buzon_imap_response_parse_search:
 * @self: a `* SEARCH n n n [(MODSEQ m)]` response
 * @modseq: (out) (optional): the MODSEQ of CONDSTORE (RFC 7162 §3.1.5), or 0
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type guint32): the numbers (sequence
 *   numbers or UIDs), or %NULL with @error set
 */
GArray *
buzon_imap_response_parse_search (const BuzonImapResponse  *self,
                                  guint64                  *modseq,
                                  GError                  **error)
{
  g_autoptr(GArray) numbers = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (modseq != NULL)
    *modseq = 0;
  if (!check_name (self, "SEARCH", error))
    return NULL;

  n = n_args (self);
  numbers = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  for (guint i = 0; i < n; i++)
    {
      BuzonImapValue *value = arg (self, i);
      guint32 number;

      if (buzon_imap_value_is_list (value) && i == n - 1)
        {
          const char *name = buzon_imap_value_get_string (buzon_imap_value_get_child (value, 0),
                                                          NULL);
          guint64 m;

          if (buzon_imap_value_get_n_children (value) != 2 || name == NULL ||
              g_ascii_strcasecmp (name, "MODSEQ") != 0 ||
              !buzon_imap_value_get_number (buzon_imap_value_get_child (value, 1), &m))
            {
              _buzon_imap_set_shape_error (error, self, "expected (MODSEQ n)");
              return NULL;
            }
          if (modseq != NULL)
            *modseq = m;
          break;
        }

      if (buzon_imap_value_get_value_type (value) != BUZON_IMAP_VALUE_NUMBER ||
          !_buzon_imap_value_get_uint32 (value, TRUE, &number))
        {
          _buzon_imap_set_shape_error (error, self, "expected numbers");
          return NULL;
        }
      g_array_append_val (numbers, number);
    }

  return g_steal_pointer (&numbers);
}

/**
 * buzon_imap_esearch_free:
 * @esearch: (transfer full) (nullable): a #BuzonImapEsearch
 */
void
buzon_imap_esearch_free (BuzonImapEsearch *esearch)
{
  if (esearch == NULL)
    return;
  g_free (esearch->tag);
  g_clear_pointer (&esearch->all, g_array_unref);
  g_free (esearch);
}

/**
 * buzon_imap_response_parse_esearch:
 * @self: a `* ESEARCH [(TAG "t")] [UID] (name value)*` response (RFC 4731)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
BuzonImapEsearch *
buzon_imap_response_parse_esearch (const BuzonImapResponse  *self,
                                   GError                  **error)
{
  g_autoptr(BuzonImapEsearch) esearch = NULL;
  guint n, i = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (self, "ESEARCH", error))
    return NULL;

  esearch = g_new0 (BuzonImapEsearch, 1);
  n = n_args (self);

  if (i < n && buzon_imap_value_is_list (arg (self, i)))
    {
      BuzonImapValue *correlator = arg (self, i);
      const char *name = buzon_imap_value_get_string (buzon_imap_value_get_child (correlator, 0),
                                                      NULL);
      const char *tag = NULL;

      if (buzon_imap_value_get_n_children (correlator) == 2)
        tag = buzon_imap_value_get_astring (buzon_imap_value_get_child (correlator, 1));
      if (name == NULL || g_ascii_strcasecmp (name, "TAG") != 0 || tag == NULL)
        {
          _buzon_imap_set_shape_error (error, self, "expected (TAG \"tag\")");
          return NULL;
        }
      esearch->tag = g_strdup (tag);
      i++;
    }

  if (i < n)
    {
      const char *word = buzon_imap_value_get_string (arg (self, i), NULL);

      if (buzon_imap_value_get_value_type (arg (self, i)) == BUZON_IMAP_VALUE_ATOM &&
          g_ascii_strcasecmp (word, "UID") == 0)
        {
          esearch->uid = TRUE;
          i++;
        }
    }

  for (; i < n; i += 2)
    {
      BuzonImapValue *name_value = arg (self, i);
      BuzonImapValue *value = arg (self, i + 1);
      const char *name = buzon_imap_value_get_string (name_value, NULL);
      guint64 number = 0;

      if (value == NULL || name == NULL ||
          buzon_imap_value_get_value_type (name_value) != BUZON_IMAP_VALUE_ATOM)
        {
          _buzon_imap_set_shape_error (error, self, "expected result names and values");
          return NULL;
        }

      if (g_ascii_strcasecmp (name, "ALL") == 0)
        {
          g_clear_pointer (&esearch->all, g_array_unref);
          esearch->all = parse_set_value (value, error);
          if (esearch->all == NULL)
            return NULL;
          esearch->items |= BUZON_IMAP_ESEARCH_ALL;
          continue;
        }

      if (g_ascii_strcasecmp (name, "MIN") == 0 || g_ascii_strcasecmp (name, "MAX") == 0 ||
          g_ascii_strcasecmp (name, "COUNT") == 0 || g_ascii_strcasecmp (name, "MODSEQ") == 0)
        {
          if (!buzon_imap_value_get_number (value, &number) ||
              (g_ascii_strcasecmp (name, "MODSEQ") != 0 && number > G_MAXUINT32))
            {
              _buzon_imap_set_shape_error (error, self, "expected a number");
              return NULL;
            }
        }

      if (g_ascii_strcasecmp (name, "MIN") == 0)
        {
          esearch->min = (guint32) number;
          esearch->items |= BUZON_IMAP_ESEARCH_MIN;
        }
      else if (g_ascii_strcasecmp (name, "MAX") == 0)
        {
          esearch->max = (guint32) number;
          esearch->items |= BUZON_IMAP_ESEARCH_MAX;
        }
      else if (g_ascii_strcasecmp (name, "COUNT") == 0)
        {
          esearch->count = (guint32) number;
          esearch->items |= BUZON_IMAP_ESEARCH_COUNT;
        }
      else if (g_ascii_strcasecmp (name, "MODSEQ") == 0)
        {
          esearch->modseq = number;
          esearch->items |= BUZON_IMAP_ESEARCH_MODSEQ;
        }
    }

  return g_steal_pointer (&esearch);
}

/**
 * buzon_imap_response_parse_vanished:
 * @self: a `* VANISHED [(EARLIER)] uid-set` response (QRESYNC)
 * @earlier: (out) (optional): whether it had `(EARLIER)`: an answer to a
 *   FETCH or SELECT, not news of an expunge just now
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type BuzonImapUidRange): the UIDs that
 *   are gone, or %NULL with @error set
 */
GArray *
buzon_imap_response_parse_vanished (const BuzonImapResponse  *self,
                                    gboolean                 *earlier,
                                    GError                  **error)
{
  guint i = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (earlier != NULL)
    *earlier = FALSE;
  if (!check_name (self, "VANISHED", error))
    return NULL;

  if (buzon_imap_value_is_list (arg (self, 0)))
    {
      BuzonImapValue *tags = arg (self, 0);
      const char *tag = buzon_imap_value_get_string (buzon_imap_value_get_child (tags, 0), NULL);

      if (buzon_imap_value_get_n_children (tags) != 1 || tag == NULL ||
          g_ascii_strcasecmp (tag, "EARLIER") != 0)
        {
          _buzon_imap_set_shape_error (error, self, "expected (EARLIER)");
          return NULL;
        }
      if (earlier != NULL)
        *earlier = TRUE;
      i++;
    }

  if (n_args (self) != i + 1)
    {
      _buzon_imap_set_shape_error (error, self, "expected one UID set");
      return NULL;
    }
  return parse_set_value (arg (self, i), error);
}

/**
 * buzon_imap_quota_free:
 * @quota: (transfer full) (nullable): a #BuzonImapQuota
 */
void
buzon_imap_quota_free (BuzonImapQuota *quota)
{
  if (quota == NULL)
    return;
  g_free (quota->root);
  g_clear_pointer (&quota->resources, g_array_unref);
  g_free (quota);
}

static void
clear_quota_resource (gpointer data)
{
  BuzonImapQuotaResource *resource = data;

  g_free (resource->name);
}

/**
 * buzon_imap_response_parse_quota:
 * @self: a `* QUOTA root (resource usage limit ...)` response (RFC 9208)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the quota, or %NULL with @error set
 */
BuzonImapQuota *
buzon_imap_response_parse_quota (const BuzonImapResponse  *self,
                                 GError                  **error)
{
  g_autoptr(BuzonImapQuota) quota = NULL;
  BuzonImapValue *list;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (self, "QUOTA", error))
    return NULL;

  quota = g_new0 (BuzonImapQuota, 1);
  quota->resources = g_array_new (FALSE, TRUE, sizeof (BuzonImapQuotaResource));
  g_array_set_clear_func (quota->resources, clear_quota_resource);
  quota->root = dup_mailbox (arg (self, 0));
  list = arg (self, 1);
  n = buzon_imap_value_get_n_children (list);
  if (quota->root == NULL || !buzon_imap_value_is_list (list) || n % 3 != 0)
    {
      _buzon_imap_set_shape_error (error, self, "expected a root and resource triples");
      return NULL;
    }

  for (guint i = 0; i < n; i += 3)
    {
      BuzonImapQuotaResource resource = { 0 };
      const char *name = buzon_imap_value_get_string (buzon_imap_value_get_child (list, i), NULL);
      BuzonImapValue *usage = buzon_imap_value_get_child (list, i + 1);
      BuzonImapValue *limit = buzon_imap_value_get_child (list, i + 2);

      if (name == NULL || !buzon_imap_value_get_number (usage, &resource.usage) ||
          !buzon_imap_value_get_number (limit, &resource.limit))
        {
          _buzon_imap_set_shape_error (error, self, "expected a resource name, usage and limit");
          return NULL;
        }
      resource.name = g_ascii_strup (name, -1);
      g_array_append_val (quota->resources, resource);
    }

  return g_steal_pointer (&quota);
}

/**
 * buzon_imap_response_parse_quotaroot:
 * @self: a `* QUOTAROOT mailbox root...` response (RFC 9208)
 * @mailbox: (out) (optional) (transfer full): the mailbox name
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the quota roots (maybe none), or %NULL with
 *   @error set
 */
GStrv
buzon_imap_response_parse_quotaroot (const BuzonImapResponse  *self,
                                     char                    **mailbox,
                                     GError                  **error)
{
  g_autoptr(GStrvBuilder) roots = NULL;
  g_autofree char *name = NULL;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (mailbox != NULL)
    *mailbox = NULL;
  if (!check_name (self, "QUOTAROOT", error))
    return NULL;

  name = dup_mailbox (arg (self, 0));
  if (name == NULL)
    {
      _buzon_imap_set_shape_error (error, self, "expected a mailbox name");
      return NULL;
    }

  roots = g_strv_builder_new ();
  n = n_args (self);
  for (guint i = 1; i < n; i++)
    {
      g_autofree char *root = dup_mailbox (arg (self, i));

      if (root == NULL)
        {
          _buzon_imap_set_shape_error (error, self, "expected quota root names");
          return NULL;
        }
      g_strv_builder_add (roots, root);
    }

  if (mailbox != NULL)
    *mailbox = g_steal_pointer (&name);
  return g_strv_builder_end (roots);
}

/**
 * buzon_imap_response_parse_id:
 * @self: a `* ID (key value ...)` or `* ID NIL` response (RFC 2971)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type utf8 utf8): the fields (a value
 *   may be %NULL for NIL), maybe none, or %NULL with @error set
 */
GHashTable *
buzon_imap_response_parse_id (const BuzonImapResponse  *self,
                              GError                  **error)
{
  g_autoptr(GHashTable) fields = NULL;
  BuzonImapValue *list;
  guint n;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_name (self, "ID", error))
    return NULL;

  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  list = arg (self, 0);
  if (buzon_imap_value_is_nil (list) && n_args (self) == 1)
    return g_steal_pointer (&fields);

  n = buzon_imap_value_get_n_children (list);
  if (!buzon_imap_value_is_list (list) || n % 2 != 0 || n_args (self) != 1)
    {
      _buzon_imap_set_shape_error (error, self, "expected NIL or a list of field pairs");
      return NULL;
    }

  for (guint i = 0; i < n; i += 2)
    {
      BuzonImapValue *key = buzon_imap_value_get_child (list, i);
      BuzonImapValue *value = buzon_imap_value_get_child (list, i + 1);

      if (buzon_imap_value_is_nil (key) || buzon_imap_value_get_string (key, NULL) == NULL ||
          buzon_imap_value_is_list (value))
        {
          _buzon_imap_set_shape_error (error, self, "expected string fields");
          return NULL;
        }
      g_hash_table_insert (fields, _buzon_imap_value_dup_utf8 (key),
                           _buzon_imap_value_dup_utf8 (value));
    }

  return g_steal_pointer (&fields);
}
