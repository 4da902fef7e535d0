/* buzon-compose-complete.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Address completion for the composer: the people of the store's mail whose
 * name or address matches what is being typed. The store finds the headers
 * that contain the text (buzon_store_list_address_headers(), people written
 * to weigh more than senders); here they are taken apart with GMime, each
 * address kept once with its best name, matched word by word (a word of the
 * name, or the address, starting with the text; accents and case do not
 * matter, as g_str_match_string() folds them) and ranked. */

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "buzon-compose-complete.h"

/* Headers read from the store per completion: enough for the best few
 * dozen people even when a common name fills many of them. */
#define MAX_HEADERS 400

typedef struct
{
  char   *name;
  char   *address;
  guint   score;
  gint64  last;
} Candidate;

static void
candidate_free (Candidate *candidate)
{
  g_free (candidate->name);
  g_free (candidate->address);
  g_free (candidate);
}

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = *(const Candidate * const *)a;
  const Candidate *y = *(const Candidate * const *)b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  if (x->last != y->last)
    return x->last > y->last ? -1 : 1;

  return g_strcmp0 (x->address, y->address);
}

/* Whether @text starts a word of @name or the address (its local part or
 * its domain). */
static gboolean
matches (const char *text,
         const char *name,
         const char *address)
{
  return (name != NULL && g_str_match_string (text, name, TRUE)) ||
         g_str_match_string (text, address, TRUE) ||
         g_str_has_prefix (address, text);
}

static void
collect (GHashTable           *by_address,
         const char           *text,
         const BuzonStoreAddressRow *row)
{
  InternetAddressList *list = internet_address_list_parse (NULL, row->header);
  int n;

  if (list == NULL)
    return;

  n = internet_address_list_length (list);
  for (int i = 0; i < n; i++)
    {
      InternetAddress *item = internet_address_list_get_address (list, i);
      const char *name;
      const char *address;
      g_autofree char *key = NULL;
      Candidate *candidate;

      if (!INTERNET_ADDRESS_IS_MAILBOX (item))
        continue;

      address = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (item));
      name = internet_address_get_name (item);
      if (address == NULL || strchr (address, '@') == NULL)
        continue;
      if (name != NULL && *name == '\0')
        name = NULL;
      if (!matches (text, name, address))
        continue;

      key = g_utf8_casefold (address, -1);
      candidate = g_hash_table_lookup (by_address, key);
      if (candidate == NULL)
        {
          candidate = g_new0 (Candidate, 1);
          candidate->address = g_strdup (address);
          g_hash_table_insert (by_address, g_steal_pointer (&key), candidate);
        }
      candidate->score += row->score;
      /* The name of the newest message that gives one. */
      if (name != NULL && (candidate->name == NULL || row->last > candidate->last))
        {
          g_free (candidate->name);
          candidate->name = g_strdup (name);
        }
      candidate->last = MAX (candidate->last, row->last);
    }

  g_object_unref (list);
}

/**
 * buzon_compose_complete_addresses:
 * @store: the store
 * @account_id: the account whose mail to look in, or 0 for all
 * @text: what was typed of one address (white space around it ignored)
 * @limit: at most this many suggestions
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type utf8) (nullable): suggestions,
 *   best first, each ready for a To field ("Ana Núñez <ana@example.com>",
 *   or the bare address when no name is known); empty for text shorter
 *   than one character; %NULL with @error when the store fails
 */
GPtrArray *
buzon_compose_complete_addresses (BuzonStore  *store,
                                  gint64       account_id,
                                  const char  *text,
                                  guint        limit,
                                  GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) by_address = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autofree char *needle = NULL;
  GPtrArray *suggestions;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  suggestions = g_ptr_array_new_with_free_func (g_free);
  needle = g_strstrip (g_strdup (text));
  if (*needle == '\0' || limit == 0)
    return suggestions;

  /* The store's LIKE folds ASCII case only: "jose" does not find "José"
   * there (typing "jos" does). Words, accents and case are matched here. */
  rows = buzon_store_list_address_headers (store, account_id, needle, MAX_HEADERS, error);
  if (rows == NULL)
    {
      g_ptr_array_unref (suggestions);
      return NULL;
    }

  by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)candidate_free);
  for (guint i = 0; i < rows->len; i++)
    collect (by_address, needle, g_ptr_array_index (rows, i));

  candidates = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, by_address);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (candidates, value);
  g_ptr_array_sort (candidates, compare_candidates);

  for (guint i = 0; i < candidates->len && suggestions->len < limit; i++)
    {
      Candidate *candidate = g_ptr_array_index (candidates, i);
      InternetAddress *mailbox = internet_address_mailbox_new (candidate->name,
                                                               candidate->address);

      /* Quoted where the name needs it ("Núñez, Ana" <…>), not encoded. */
      g_ptr_array_add (suggestions, internet_address_to_string (mailbox, NULL, FALSE));
      g_object_unref (mailbox);
    }

  return suggestions;
}

/* Where the address being typed starts in a list of addresses: after the
 * last separator (a comma or semicolon) that is not inside quotes. */
static gsize
token_start (const char *text)
{
  gboolean quoted = FALSE;
  gsize start = 0;

  for (gsize i = 0; text[i] != '\0'; i++)
    {
      if (text[i] == '\\' && quoted && text[i + 1] != '\0')
        i++;
      else if (text[i] == '"')
        quoted = !quoted;
      else if (!quoted && (text[i] == ',' || text[i] == ';'))
        start = i + 1;
    }

  while (text[start] == ' ' || text[start] == '\t')
    start++;

  return start;
}

/**
 * buzon_compose_address_token:
 * @text: the text of a To, Cc or Bcc field
 *
 * Returns: (transfer full): the address being typed: what follows the last
 *   separator, without the white space before it
 */
char *
buzon_compose_address_token (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  return g_strdup (text + token_start (text));
}

/**
 * buzon_compose_address_complete:
 * @text: the text of a To, Cc or Bcc field
 * @choice: the suggestion the user picked
 *
 * Returns: (transfer full): @text with the address being typed replaced by
 *   @choice, followed by ", " for the next one
 */
char *
buzon_compose_address_complete (const char *text,
                                const char *choice)
{
  gsize start;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (choice != NULL, NULL);

  start = token_start (text);
  if (start == 0)
    return g_strconcat (choice, ", ", NULL);

  /* "a@x.org,b" → "a@x.org, Choice, ": one space after each separator. */
  while (start > 0 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
    start--;

  return g_strdup_printf ("%.*s %s, ", (int)start, text, choice);
}
