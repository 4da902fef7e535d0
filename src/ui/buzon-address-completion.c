/* buzon-address-completion.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Address completion for the composer's To, Cc and Bcc entries: as the
 * user types an address (the part after the last comma), a popup offers the
 * people of the store's mail that match (buzon_compose_complete_addresses(),
 * a query over every message, so on a worker thread: a keystroke never
 * waits for it, and a newer keystroke cancels the older lookup); picking one
 * puts it in place of what was typed, ready for the next.
 *
 * GtkEntryCompletion is deprecated from GTK 4.10 on, with no replacement for
 * entries yet; it is what GTK 4.8 has, and it is keyboard- and screen
 * reader-friendly, so it is used with the deprecation warnings silenced. */

#include "config.h"

#include "buzon-address-completion.h"
#include "buzon-compose.h"

#define MAX_SUGGESTIONS 8

typedef struct
{
  GtkEntry           *entry;
  BuzonStore         *store;
  gint64              account_id;
  GtkListStore       *model;
  GCancellable       *lookup;     /* the lookup under way */
} Completion;

static void
completion_free (Completion *completion)
{
  if (completion->lookup != NULL)
    g_cancellable_cancel (completion->lookup);
  g_clear_object (&completion->lookup);
  g_clear_object (&completion->store);
  g_clear_object (&completion->model);
  g_free (completion);
}

typedef struct
{
  BuzonStore *store;
  gint64      account_id;
  char       *token;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->store);
  g_free (lookup->token);
  g_free (lookup);
}

static void
lookup_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  GError *error = NULL;
  GPtrArray *suggestions = buzon_compose_complete_addresses (lookup->store, lookup->account_id,
                                                             lookup->token, MAX_SUGGESTIONS,
                                                             &error);

  if (suggestions == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, suggestions, (GDestroyNotify)g_ptr_array_unref);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

/* The model already holds only matches. */
static gboolean
match_cb (GtkEntryCompletion *entry_completion,
          const char         *key,
          GtkTreeIter        *iter,
          gpointer            user_data)
{
  return TRUE;
}

static gboolean
match_selected_cb (GtkEntryCompletion *entry_completion,
                   GtkTreeModel       *model,
                   GtkTreeIter        *iter,
                   Completion         *completion)
{
  g_autofree char *choice = NULL;
  g_autofree char *text = NULL;

  gtk_tree_model_get (model, iter, 0, &choice, -1);
  text = buzon_compose_address_complete (gtk_editable_get_text (GTK_EDITABLE (completion->entry)),
                                         choice);
  gtk_editable_set_text (GTK_EDITABLE (completion->entry), text);
  gtk_editable_set_position (GTK_EDITABLE (completion->entry), -1);

  return TRUE;
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) suggestions = g_task_propagate_pointer (G_TASK (result), NULL);
  Completion *completion;
  GtkEntry *entry;
  GtkRoot *root;
  GtkWidget *focus;

  /* Cancelled: a newer keystroke asked again, or the entry is gone. */
  if (g_task_had_error (G_TASK (result)) || suggestions == NULL ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  entry = GTK_ENTRY (object);
  completion = g_object_get_data (G_OBJECT (entry), "buzon-address-completion");
  for (guint i = 0; i < suggestions->len; i++)
    {
      /* What is typed already needs no suggesting. */
      if (g_strcmp0 (g_ptr_array_index (suggestions, i), lookup->token) == 0)
        continue;
      gtk_list_store_insert_with_values (completion->model, NULL, -1,
                                         0, g_ptr_array_index (suggestions, i), -1);
    }
  /* The popup shows what arrived, while the user is still in the entry. */
  root = gtk_widget_get_root (GTK_WIDGET (entry));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  if (focus != NULL && (focus == GTK_WIDGET (entry) ||
                        gtk_widget_is_ancestor (focus, GTK_WIDGET (entry))))
    gtk_entry_completion_complete (gtk_entry_get_completion (entry));
}

static void
changed_cb (GtkEditable *editable,
            Completion  *completion)
{
  g_autofree char *token = buzon_compose_address_token (gtk_editable_get_text (editable));
  g_autoptr(GTask) task = NULL;
  Lookup *lookup;

  if (completion->lookup != NULL)
    g_cancellable_cancel (completion->lookup);
  g_clear_object (&completion->lookup);
  gtk_list_store_clear (completion->model);
  if (g_utf8_strlen (token, -1) < 1)
    return;

  completion->lookup = g_cancellable_new ();
  lookup = g_new0 (Lookup, 1);
  lookup->store = g_object_ref (completion->store);
  lookup->account_id = completion->account_id;
  lookup->token = g_steal_pointer (&token);
  task = g_task_new (completion->entry, completion->lookup, lookup_done_cb, NULL);
  g_task_set_task_data (task, lookup, (GDestroyNotify)lookup_free);
  g_task_run_in_thread (task, lookup_worker);
}

/**
 * buzon_address_completion_attach:
 * @entry: a To, Cc or Bcc entry
 * @store: the store whose mail the suggestions come from
 * @account_id: the account to look in, 0 for all
 *
 * Makes @entry offer addresses as the user types.
 */
void
buzon_address_completion_attach (GtkEntry   *entry,
                                 BuzonStore *store,
                                 gint64      account_id)
{
  g_autoptr(GtkEntryCompletion) entry_completion = gtk_entry_completion_new ();
  Completion *completion = g_new0 (Completion, 1);

  g_return_if_fail (GTK_IS_ENTRY (entry));
  g_return_if_fail (BUZON_IS_STORE (store));

  completion->entry = entry;
  completion->store = g_object_ref (store);
  completion->account_id = account_id;
  completion->model = gtk_list_store_new (1, G_TYPE_STRING);

  gtk_entry_completion_set_model (entry_completion, GTK_TREE_MODEL (completion->model));
  gtk_entry_completion_set_text_column (entry_completion, 0);
  gtk_entry_completion_set_match_func (entry_completion, match_cb, NULL, NULL);
  gtk_entry_completion_set_minimum_key_length (entry_completion, 1);
  gtk_entry_completion_set_popup_completion (entry_completion, TRUE);
  gtk_entry_completion_set_inline_completion (entry_completion, FALSE);
  gtk_entry_completion_set_popup_single_match (entry_completion, TRUE);
  g_signal_connect (entry_completion, "match-selected", G_CALLBACK (match_selected_cb),
                    completion);
  /* Before the completion's own handler looks at the model. */
  g_signal_connect (entry, "changed", G_CALLBACK (changed_cb), completion);
  gtk_entry_set_completion (entry, entry_completion);

  g_object_set_data_full (G_OBJECT (entry), "buzon-address-completion", completion,
                          (GDestroyNotify)completion_free);
}

/**
 * buzon_address_completion_get_model:
 * @entry: an entry given to buzon_address_completion_attach()
 *
 * Returns: (transfer none) (nullable): the suggestions shown now, one string
 *   column (for tests)
 */
GtkTreeModel *
buzon_address_completion_get_model (GtkEntry *entry)
{
  Completion *completion = g_object_get_data (G_OBJECT (entry), "buzon-address-completion");

  return completion != NULL ? GTK_TREE_MODEL (completion->model) : NULL;
}

/**
 * buzon_address_completion_choose:
 * @entry: an entry given to buzon_address_completion_attach()
 * @index: a row of the suggestions
 *
 * Picks a suggestion, as clicking it in the popup does (for tests).
 */
void
buzon_address_completion_choose (GtkEntry *entry,
                                 guint     index)
{
  Completion *completion = g_object_get_data (G_OBJECT (entry), "buzon-address-completion");
  GtkTreeIter iter;

  g_return_if_fail (completion != NULL);

  if (gtk_tree_model_iter_nth_child (GTK_TREE_MODEL (completion->model), &iter, NULL,
                                     (int)index))
    match_selected_cb (gtk_entry_get_completion (entry), GTK_TREE_MODEL (completion->model),
                       &iter, completion);
}

G_GNUC_END_IGNORE_DEPRECATIONS
