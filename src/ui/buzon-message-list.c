/* buzon-message-list.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMessageList is the message list's GListModel: a folder's messages,
 * newest first, or a fixed list of ids (search results). It must keep a
 * 100,000-message folder as quick to open and scroll as a small one, so:
 *
 * - It keeps the whole folder only as an array of message ids (8 bytes a
 *   message), read in a worker thread by buzon_store_list_message_ids(). The
 *   first page of summaries is read in the same job, so the first rows show
 *   filled in ("first-page-loaded" tells the window when).
 *
 * - Summaries are kept only in items someone holds and in a small cache
 *   of BUZON_MESSAGE_LIST_CACHED_PAGES pages' worth
 *   (BUZON_MESSAGE_LIST_PAGE_SIZE each) of loaded items, least recently
 *   used out first (an item is used when loaded or handed out). The list knows every item alive through a weak reference (a
 *   table from id to item), so it never creates two items for one message
 *   and never keeps one alive for nothing.
 *
 * - get_item() of a row whose summary is not here returns at once a
 *   placeholder (loaded = FALSE) and asks for the page around it. Requests
 *   are coalesced in an idle and served most recent first, a few pages per
 *   job, skipping pages where no placeholder is alive any more (scrolled
 *   past). A read fills the very items handed out, in place, notifying only
 *   the properties that changed: no items-changed, so neither the view nor
 *   its selection moves.
 *
 * - "messages-changed" for the folder marks the list dirty; 100 ms later
 *   one job re-reads the id list and the summaries of every loaded item.
 *   The new ids are compared with the old as a common prefix and suffix,
 *   and the middle is reported as one precise items-changed, so a
 *   GtkMultiSelection keeps the selection of the rows that did not move;
 *   items still there are refreshed in place (flags, subject…).
 *
 * One job runs at a time (a reload never races a page read, so no stale
 * summary can land after a fresh one). Jobs run in GIO's thread pool; the
 * store's reader is thread-safe. A job holds the store, not the list: the
 * list's dispose cancels it and its result is dropped.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include "buzon-message-list.h"
#include "buzon-message-list-private.h"

/* How many pages one page job reads at most. */
#define PAGES_PER_JOB 3
/* How long after "messages-changed" the list is read again (ms). */
#define RELOAD_DELAY  100

struct _BuzonMessageList
{
  GObject       parent_instance;

  BuzonStore   *store;
  gint64        folder_id;
  gboolean      for_ids;
  gboolean      threaded;      /* rows are conversations, by their newest message */
  GArray       *given_ids;     /* for_ids: until the first job takes them */

  GArray       *ids;           /* the rows, gint64 */
  gboolean      loading;       /* until the first id list is here */
  gboolean      first_page_done;

  GHashTable   *items;         /* gint64 id → BuzonMessageItem, weak */
  GQueue        cache;         /* loaded items (strong), most recently used first */
  GHashTable   *cache_links;   /* gint64 id → its GList link in cache */
  GQueue        wanted;        /* page numbers + 1, most recent first */
  GHashTable   *wanted_set;

  GCancellable *cancellable;
  gboolean      busy;          /* a job is running */
  gboolean      dirty;         /* the folder changed since the last reload */
  guint         reload_id;
  guint         dispatch_id;
};

static void buzon_message_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BuzonMessageList, buzon_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      buzon_message_list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_FOLDER_ID,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FIRST_PAGE_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  JOB_FIRST,   /* the id list (read or given) and its first page */
  JOB_RELOAD,  /* the id list again and the loaded items' summaries */
  JOB_PAGES,   /* summaries of rows asked for */
} JobKind;

typedef struct
{
  JobKind     kind;
  BuzonStore *store;
  gint64      folder_id;
  gboolean    threaded;
  gboolean    read_ids;
  GArray     *ids;          /* out (or given, for_ids first job) */
  GArray     *summary_ids;  /* in; the first job fills it */
  GPtrArray  *summaries;    /* out */
  GArray     *counts;       /* out, threaded: a ThreadCounts per summary */
} Job;

typedef struct
{
  guint folder_count;
  guint unread_count;
} ThreadCounts;

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_clear_pointer (&job->ids, g_array_unref);
  g_clear_pointer (&job->summary_ids, g_array_unref);
  g_clear_pointer (&job->summaries, g_ptr_array_unref);
  g_clear_pointer (&job->counts, g_array_unref);
  g_free (job);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void buzon_message_list_dispatch (BuzonMessageList *self);

static void
job_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (job->read_ids)
    {
      if (job->threaded)
        job->ids = buzon_store_list_thread_latest_ids (job->store, job->folder_id, &error);
      else
        job->ids = buzon_store_list_message_ids (job->store, job->folder_id, &error);
      if (job->ids == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (job->kind == JOB_FIRST)
    {
      guint n = MIN (job->ids->len, BUZON_MESSAGE_LIST_PAGE_SIZE);

      job->summary_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
      g_array_append_vals (job->summary_ids, job->ids->data, n);
    }

  if (job->summary_ids != NULL && job->summary_ids->len > 0 &&
      !g_cancellable_is_cancelled (cancellable))
    {
      const gint64 *ids = (const gint64 *)(gpointer)job->summary_ids->data;

      if (job->threaded)
        {
          g_autoptr(GPtrArray) threads = NULL;

          threads = buzon_store_get_threads_by_latest (job->store, job->folder_id, ids,
                                                       job->summary_ids->len, &error);
          if (threads == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          job->summaries = g_ptr_array_new_full (threads->len,
                                                 (GDestroyNotify)buzon_message_summary_free);
          job->counts = g_array_sized_new (FALSE, FALSE, sizeof (ThreadCounts), threads->len);
          for (guint i = 0; i < threads->len; i++)
            {
              BuzonThreadSummary *thread = g_ptr_array_index (threads, i);
              ThreadCounts counts = { thread->folder_count, thread->unread_count };

              g_ptr_array_add (job->summaries, g_steal_pointer (&thread->latest));
              g_array_append_val (job->counts, counts);
            }
        }
      else
        {
          job->summaries = buzon_store_get_messages (job->store, ids, job->summary_ids->len,
                                                     &error);
          if (job->summaries == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
item_gone_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  BuzonMessageList *self = data;
  gint64 id = buzon_message_item_get_id (BUZON_MESSAGE_ITEM (where_the_object_was));

  if (g_hash_table_lookup (self->items, &id) == (gpointer)where_the_object_was)
    g_hash_table_remove (self->items, &id);
}

static BuzonMessageItem *
buzon_message_list_track (BuzonMessageList *self,
                          gint64            id)
{
  BuzonMessageItem *item = _buzon_message_item_new (id);
  gint64 *key = g_new (gint64, 1);

  *key = id;
  g_hash_table_insert (self->items, key, item);
  g_object_weak_ref (G_OBJECT (item), item_gone_cb, self);

  return item;
}

static gboolean
dispatch_idle_cb (gpointer user_data)
{
  BuzonMessageList *self = user_data;

  self->dispatch_id = 0;
  buzon_message_list_dispatch (self);

  return G_SOURCE_REMOVE;
}

static void
buzon_message_list_want_page (BuzonMessageList *self,
                              guint             page)
{
  gpointer key = GUINT_TO_POINTER (page + 1);

  if (!g_hash_table_add (self->wanted_set, key))
    return;

  g_queue_push_head (&self->wanted, key);
  if (self->dispatch_id == 0)
    self->dispatch_id = g_idle_add (dispatch_idle_cb, self);
}

/* Whether some item alive in @page still waits for its summary. */
static gboolean
page_has_placeholder (BuzonMessageList *self,
                      guint             page)
{
  guint start = page * BUZON_MESSAGE_LIST_PAGE_SIZE;
  guint end = MIN (start + BUZON_MESSAGE_LIST_PAGE_SIZE, self->ids->len);

  for (guint i = start; i < end; i++)
    {
      BuzonMessageItem *item = g_hash_table_lookup (self->items,
                                                    &g_array_index (self->ids, gint64, i));

      if (item != NULL && !buzon_message_item_get_loaded (item))
        return TRUE;
    }

  return FALSE;
}

/* Puts @item first in the cache (adding it if needed) and drops the least
 * recently used items beyond the bound. */
static void
buzon_message_list_cache_touch (BuzonMessageList *self,
                                BuzonMessageItem *item)
{
  gint64 id = buzon_message_item_get_id (item);
  GList *link = g_hash_table_lookup (self->cache_links, &id);

  if (link != NULL)
    {
      g_queue_unlink (&self->cache, link);
      g_queue_push_head_link (&self->cache, link);
      return;
    }

  {
    gint64 *key = g_new (gint64, 1);

    *key = id;
    g_queue_push_head (&self->cache, g_object_ref (item));
    g_hash_table_insert (self->cache_links, key, self->cache.head);
  }

  while (self->cache.length > BUZON_MESSAGE_LIST_CACHED_PAGES * BUZON_MESSAGE_LIST_PAGE_SIZE)
    {
      BuzonMessageItem *old = g_queue_pop_tail (&self->cache);
      gint64 old_id = buzon_message_item_get_id (old);

      g_hash_table_remove (self->cache_links, &old_id);
      g_object_unref (old);
    }
}

/* Replaces the rows with @ids and reports the difference as one change:
 * what lies between the common prefix and the common suffix. */
static void
buzon_message_list_apply_ids (BuzonMessageList *self,
                              GArray           *ids)
{
  g_autoptr(GArray) old = self->ids;
  const gint64 *a = (const gint64 *)(gpointer)old->data;
  const gint64 *b = (const gint64 *)(gpointer)ids->data;
  guint n = old->len;
  guint m = ids->len;
  guint prefix = 0;
  guint suffix = 0;

  while (prefix < n && prefix < m && a[prefix] == b[prefix])
    prefix++;
  while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] == b[m - 1 - suffix])
    suffix++;

  self->ids = g_array_ref (ids);

  /* Rows moved: ask again for the pages of the placeholders still alive. */
  g_queue_clear (&self->wanted);
  g_hash_table_remove_all (self->wanted_set);
  if (g_hash_table_size (self->items) > 0)
    {
      for (guint i = 0; i < m; i++)
        {
          BuzonMessageItem *item = g_hash_table_lookup (self->items, &b[i]);

          if (item != NULL && !buzon_message_item_get_loaded (item))
            buzon_message_list_want_page (self, i / BUZON_MESSAGE_LIST_PAGE_SIZE);
        }
    }

  if (n - prefix - suffix > 0 || m - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, n - prefix - suffix,
                                m - prefix - suffix);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BuzonMessageList) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);

  if (!g_task_propagate_boolean (task, &error))
    {
      if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("The message list could not be read: %s", error->message);
    }
  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->busy = FALSE;

  /* Fill the items first, so whoever reacts to items-changed finds the
   * first page loaded. Only page reads create items, for the cache;
   * a refresh updates the items alive. */
  fresh = g_ptr_array_new_with_free_func (g_object_unref);
  if (job->summaries != NULL)
    {
      for (guint i = 0; i < job->summaries->len; i++)
        {
          BuzonMessageSummary *summary = g_ptr_array_index (job->summaries, i);
          BuzonMessageItem *item = g_hash_table_lookup (self->items, &summary->id);

          if (item == NULL && job->kind == JOB_RELOAD)
            continue;
          if (item == NULL)
            g_ptr_array_add (fresh, item = buzon_message_list_track (self, summary->id));
          else if (!buzon_message_item_get_loaded (item))
            g_ptr_array_add (fresh, g_object_ref (item));

          _buzon_message_item_set_summary (item, g_steal_pointer (&job->summaries->pdata[i]));
          if (job->counts != NULL)
            {
              ThreadCounts *counts = &g_array_index (job->counts, ThreadCounts, i);

              _buzon_message_item_set_thread (item, MAX (counts->folder_count, 1),
                                              counts->unread_count);
            }
        }
    }
  for (guint i = 0; i < fresh->len; i++)
    buzon_message_list_cache_touch (self, g_ptr_array_index (fresh, i));

  if (job->ids != NULL)
    buzon_message_list_apply_ids (self, job->ids);

  if (job->kind == JOB_FIRST)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }

  if (!self->first_page_done && job->kind != JOB_RELOAD)
    {
      self->first_page_done = TRUE;
      g_signal_emit (self, signals[FIRST_PAGE_LOADED], 0);
    }

  buzon_message_list_dispatch (self);
}

static void
buzon_message_list_start (BuzonMessageList *self,
                          Job              *job)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  job->store = g_object_ref (self->store);
  job->folder_id = self->folder_id;
  job->threaded = self->threaded;

  self->busy = TRUE;
  task = g_task_new (NULL, self->cancellable, job_done_cb, ref);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_message_list_start));
  g_task_set_task_data (task, job, (GDestroyNotify)job_free);
  /* The callback's data, freed with the task (after the callback ran). */
  g_object_set_data_full (G_OBJECT (task), "buzon-list-ref", ref, (GDestroyNotify)weak_ref_free);
  g_task_run_in_thread (task, job_worker);
}

/* Starts the next job, if none runs: a due reload first, then the pages
 * asked for most recently. */
static void
buzon_message_list_dispatch (BuzonMessageList *self)
{
  g_autoptr(GArray) wanted_ids = NULL;
  guint pages = 0;

  if (self->busy || self->loading || self->cancellable == NULL)
    return;

  if (self->dirty && self->reload_id == 0)
    {
      Job *job = g_new0 (Job, 1);
      GHashTableIter iter;
      gpointer value;

      self->dirty = FALSE;
      job->kind = JOB_RELOAD;
      job->read_ids = !self->for_ids;
      job->summary_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (buzon_message_item_get_loaded (value))
          {
            gint64 id = buzon_message_item_get_id (value);

            g_array_append_val (job->summary_ids, id);
          }
      buzon_message_list_start (self, job);
      return;
    }

  wanted_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (pages < PAGES_PER_JOB && self->wanted.length > 0)
    {
      gpointer key = g_queue_pop_head (&self->wanted);
      guint page = GPOINTER_TO_UINT (key) - 1;
      guint start = page * BUZON_MESSAGE_LIST_PAGE_SIZE;
      guint end = MIN (start + BUZON_MESSAGE_LIST_PAGE_SIZE, self->ids->len);

      g_hash_table_remove (self->wanted_set, key);
      if (!page_has_placeholder (self, page))
        continue;

      /* The whole page, for the neighbours about to be scrolled to. */
      for (guint i = start; i < end; i++)
        {
          gint64 id = g_array_index (self->ids, gint64, i);
          BuzonMessageItem *item = g_hash_table_lookup (self->items, &id);

          if (item == NULL || !buzon_message_item_get_loaded (item))
            g_array_append_val (wanted_ids, id);
        }
      pages++;
    }

  if (wanted_ids->len > 0)
    {
      Job *job = g_new0 (Job, 1);

      job->kind = JOB_PAGES;
      job->summary_ids = g_steal_pointer (&wanted_ids);
      buzon_message_list_start (self, job);
    }
}

static gboolean
reload_cb (gpointer user_data)
{
  BuzonMessageList *self = user_data;

  self->reload_id = 0;
  buzon_message_list_dispatch (self);

  return G_SOURCE_REMOVE;
}

static void
messages_changed_cb (BuzonMessageList *self,
                     gint64            folder_id,
                     BuzonStore       *store)
{
  if (!self->for_ids && folder_id != self->folder_id)
    return;

  self->dirty = TRUE;
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY, reload_cb, self);
}

/* GListModel */

static GType
buzon_message_list_get_item_type (GListModel *model)
{
  return BUZON_TYPE_MESSAGE_ITEM;
}

static guint
buzon_message_list_get_n_items (GListModel *model)
{
  return BUZON_MESSAGE_LIST (model)->ids->len;
}

static gpointer
buzon_message_list_get_item (GListModel *model,
                             guint       position)
{
  BuzonMessageList *self = BUZON_MESSAGE_LIST (model);
  BuzonMessageItem *item;
  gint64 id;

  if (position >= self->ids->len)
    return NULL;

  id = g_array_index (self->ids, gint64, position);
  item = g_hash_table_lookup (self->items, &id);
  if (item != NULL)
    g_object_ref (item);
  else
    item = buzon_message_list_track (self, id);

  if (buzon_message_item_get_loaded (item))
    buzon_message_list_cache_touch (self, item);
  else
    buzon_message_list_want_page (self, position / BUZON_MESSAGE_LIST_PAGE_SIZE);

  return item;
}

static void
buzon_message_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = buzon_message_list_get_item_type;
  iface->get_n_items = buzon_message_list_get_n_items;
  iface->get_item = buzon_message_list_get_item;
}

/* GObject */

static void
buzon_message_list_dispose (GObject *object)
{
  BuzonMessageList *self = BUZON_MESSAGE_LIST (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_handle_id (&self->dispatch_id, g_source_remove);

  if (self->cache_links != NULL)
    g_hash_table_remove_all (self->cache_links);
  g_queue_clear_full (&self->cache, g_object_unref);
  g_queue_clear (&self->wanted);
  if (self->items != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_object_weak_unref (value, item_gone_cb, self);
      g_hash_table_remove_all (self->items);
    }

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (buzon_message_list_parent_class)->dispose (object);
}

static void
buzon_message_list_finalize (GObject *object)
{
  BuzonMessageList *self = BUZON_MESSAGE_LIST (object);

  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->wanted_set, g_hash_table_unref);
  g_clear_pointer (&self->cache_links, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->given_ids, g_array_unref);

  G_OBJECT_CLASS (buzon_message_list_parent_class)->finalize (object);
}

static void
buzon_message_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BuzonMessageList *self = BUZON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_FOLDER_ID:
      g_value_set_int64 (value, self->folder_id);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_message_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BuzonMessageList *self = BUZON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_FOLDER_ID:
      self->folder_id = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_message_list_class_init (BuzonMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_message_list_dispose;
  object_class->finalize = buzon_message_list_finalize;
  object_class->get_property = buzon_message_list_get_property;
  object_class->set_property = buzon_message_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDER_ID] =
    g_param_spec_int64 ("folder-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonMessageList:loading:
   *
   * %TRUE until the id list has been read: the window shows a spinner
   * meanwhile, and an empty state when it is done with no rows.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonMessageList::first-page-loaded:
   *
   * Emitted once, when the rows first shown have their summaries (or the
   * folder turned out empty).
   */
  signals[FIRST_PAGE_LOADED] =
    g_signal_new ("first-page-loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
buzon_message_list_init (BuzonMessageList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->items = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->wanted_set = g_hash_table_new (NULL, NULL);
  self->cache_links = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  g_queue_init (&self->cache);
  g_queue_init (&self->wanted);
}

static BuzonMessageList *
buzon_message_list_new_internal (BuzonStore *store,
                                 gint64      folder_id,
                                 gboolean    threaded,
                                 GArray     *ids)
{
  BuzonMessageList *self;
  Job *job = g_new0 (Job, 1);

  self = g_object_new (BUZON_TYPE_MESSAGE_LIST, "store", store, "folder-id", folder_id, NULL);
  self->for_ids = ids != NULL;
  self->threaded = threaded;

  g_signal_connect_object (store, "messages-changed", G_CALLBACK (messages_changed_cb), self,
                           G_CONNECT_SWAPPED);

  job->kind = JOB_FIRST;
  job->read_ids = ids == NULL;
  if (ids != NULL)
    {
      job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
      g_array_append_vals (job->ids, ids->data, ids->len);
    }
  buzon_message_list_start (self, job);

  return self;
}

/* Public API */

/**
 * buzon_message_list_new:
 * @store: the store
 * @folder_id: the folder to list
 *
 * A list of the folder's messages, newest first, that follows the folder's
 * changes. It is empty and #BuzonMessageList:loading until its id list has
 * been read in a worker thread.
 *
 * Returns: (transfer full): the list
 */
BuzonMessageList *
buzon_message_list_new (BuzonStore *store,
                        gint64      folder_id)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (folder_id > 0, NULL);

  return buzon_message_list_new_internal (store, folder_id, FALSE, NULL);
}

/**
 * buzon_message_list_new_threaded:
 * @store: the store
 * @folder_id: the folder to list
 *
 * A list of the folder's conversations, newest first, each row the
 * conversation's newest message in the folder with the counts of its
 * messages there (#BuzonMessageItem:thread-count); it follows the folder's
 * changes as buzon_message_list_new() does. When a reply arrives, the
 * conversation's row becomes the reply's.
 *
 * Returns: (transfer full): the list
 */
BuzonMessageList *
buzon_message_list_new_threaded (BuzonStore *store,
                                 gint64      folder_id)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (folder_id > 0, NULL);

  return buzon_message_list_new_internal (store, folder_id, TRUE, NULL);
}

/**
 * buzon_message_list_new_for_ids:
 * @store: the store
 * @ids: (element-type gint64): the messages, in the order to show, e.g.
 *   from buzon_store_search()
 *
 * A list of given messages, loaded lazily like a folder's. The rows stay
 * as given; changes in the store refresh the items shown (flags…).
 *
 * Returns: (transfer full): the list
 */
BuzonMessageList *
buzon_message_list_new_for_ids (BuzonStore *store,
                                GArray     *ids)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), NULL);
  g_return_val_if_fail (ids != NULL && g_array_get_element_size (ids) == sizeof (gint64), NULL);

  return buzon_message_list_new_internal (store, 0, FALSE, ids);
}

/**
 * buzon_message_list_get_store:
 *
 * Returns: (transfer none): the store
 */
BuzonStore *
buzon_message_list_get_store (BuzonMessageList *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), NULL);

  return self->store;
}

/**
 * buzon_message_list_get_folder_id:
 *
 * Returns: the folder listed, 0 for a list of given ids
 */
gint64
buzon_message_list_get_folder_id (BuzonMessageList *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), 0);

  return self->folder_id;
}

/**
 * buzon_message_list_get_threaded:
 *
 * Returns: whether the rows are conversations
 */
gboolean
buzon_message_list_get_threaded (BuzonMessageList *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), FALSE);

  return self->threaded;
}

/**
 * buzon_message_list_get_loading:
 *
 * Returns: whether the id list is still being read
 */
gboolean
buzon_message_list_get_loading (BuzonMessageList *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), FALSE);

  return self->loading;
}

/**
 * buzon_message_list_get_position_of:
 * @message_id: a message
 * @out_position: (out) (optional): where it is
 *
 * Finds a message's row (to select it again after a change, say). A scan of
 * the id array: well under a millisecond for 100,000 messages.
 *
 * Returns: %TRUE if the message is in the list
 */
gboolean
buzon_message_list_get_position_of (BuzonMessageList *self,
                                    gint64            message_id,
                                    guint            *out_position)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), FALSE);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_array_index (self->ids, gint64, i) == message_id)
      {
        if (out_position != NULL)
          *out_position = i;
        return TRUE;
      }

  return FALSE;
}

/**
 * buzon_message_list_get_id_at:
 * @position: a row
 *
 * Returns: the id of the message at @position (loaded or not), 0 past the end
 */
gint64
buzon_message_list_get_id_at (BuzonMessageList *self,
                              guint             position)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_LIST (self), 0);

  if (position >= self->ids->len)
    return 0;

  return g_array_index (self->ids, gint64, position);
}

/* Test hooks (buzon-message-list-private.h) */

guint
_buzon_message_list_count_live (BuzonMessageList *self)
{
  return g_hash_table_size (self->items);
}

guint
_buzon_message_list_count_loaded (BuzonMessageList *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (buzon_message_item_get_loaded (value))
      n++;

  return n;
}

gboolean
_buzon_message_list_is_busy (BuzonMessageList *self)
{
  return self->busy || self->dirty || self->reload_id != 0 || self->dispatch_id != 0;
}
