/* buzon-sidebar.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonSidebar is the window's left pane: every account as a top-level row
 * with its folders as a tree below it, the place where messages and folders
 * are dropped, and the folder menu (new, rename, delete, mark all as read,
 * empty Trash or Junk).
 *
 * Model. One BuzonSidebarItem per row: an account (folder == NULL) or a
 * folder (a copy of its BuzonFolder). Each item owns a GListStore of its
 * children; a GtkTreeListModel over the store of account items asks for
 * them lazily (only rows that have children get a model, so only they show
 * an expander). Items are kept by folder id and reused: when the store says
 * "folders-changed" the account's folders are read again (a short list, read
 * on the UI thread) and only the levels whose order changed are spliced;
 * "messages-changed" only updates the counts of that folder's item and
 * notifies, so a new unread message neither loses the selection nor folds
 * the tree. "quota-changed" updates an account item's storage quota, which
 * its row shows as a thin level bar under the account, with a warning in
 * words from 90% (RFC 9208 STORAGE, as the sync stored it; nothing while it
 * is unknown).
 *
 * Order in a level: Inbox, then Drafts, Sent, Archive, Junk, Trash (and the
 * virtual All and Flagged), then the user's folders by g_utf8_collate().
 *
 * Drag and drop. Every row has a GtkDropTarget for BuzonMessageDrag and
 * BuzonFolderDrag (preloaded, so the value is looked at in "enter" and
 * "motion": an invalid target answers 0 and is not highlighted), and every
 * user folder row a GtkDragSource. The rules are plain functions,
 * buzon_sidebar_can_drop_messages() and buzon_sidebar_can_drop_folder().
 * The sidebar never changes the store on a drop: it emits "move-messages"
 * or "move-folder" and the window acts. The menu actions ("folder.*") do
 * act, through buzon-mail-ops, since they need no other pane; failures are
 * said in a sentence through "show-toast".
 *
 * The widget is built in code rather than from a template: a list view and
 * a popover, with rows made by a factory, leave nothing for a .ui file.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "buzon-mail-ops.h"

#include "buzon-account-row.h"
#include "buzon-sidebar-private.h"

/* ---- BuzonSidebarItem ----------------------------------------------- */

struct _BuzonSidebarItem
{
  GObject             parent_instance;

  BuzonAccount       *account;
  BuzonFolder        *folder;       /* NULL: the account row */
  GListStore         *children;     /* of BuzonSidebarItem */
  gboolean            placed_expandable;
  BuzonSidebarStatus  status;
  char               *status_tooltip;
  gboolean            has_quota;    /* account rows: the store knows the quota */
  guint64             quota_usage;  /* bytes */
  guint64             quota_limit;  /* bytes, never 0 when has_quota */
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_UNREAD_COUNT,
  ITEM_PROP_TITLE,
  ITEM_PROP_STATUS,
  ITEM_PROP_QUOTA_FRACTION,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

G_DEFINE_FINAL_TYPE (BuzonSidebarItem, buzon_sidebar_item, G_TYPE_OBJECT)

static void
buzon_sidebar_item_finalize (GObject *object)
{
  BuzonSidebarItem *item = BUZON_SIDEBAR_ITEM (object);

  g_clear_object (&item->account);
  g_clear_pointer (&item->folder, buzon_folder_free);
  g_clear_object (&item->children);
  g_clear_pointer (&item->status_tooltip, g_free);

  G_OBJECT_CLASS (buzon_sidebar_item_parent_class)->finalize (object);
}

static void
buzon_sidebar_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BuzonSidebarItem *item = BUZON_SIDEBAR_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_UNREAD_COUNT:
      g_value_set_uint (value, _buzon_sidebar_item_get_unread_count (item));
      break;

    case ITEM_PROP_TITLE:
      g_value_take_string (value, _buzon_sidebar_item_dup_title (item));
      break;

    case ITEM_PROP_STATUS:
      g_value_set_int (value, item->status);
      break;

    case ITEM_PROP_QUOTA_FRACTION:
      g_value_set_double (value, item->has_quota
                                 ? (double)item->quota_usage / (double)item->quota_limit : -1.0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_sidebar_item_class_init (BuzonSidebarItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_sidebar_item_finalize;
  object_class->get_property = buzon_sidebar_item_get_property;

  item_properties[ITEM_PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, 0, BUZON_SIDEBAR_STATUS_ERROR, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* An account's storage used, as a fraction of its quota (above 1 when
   * over it); -1 when the quota is unknown. */
  item_properties[ITEM_PROP_QUOTA_FRACTION] =
    g_param_spec_double ("quota-fraction", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
buzon_sidebar_item_init (BuzonSidebarItem *item)
{
  item->children = g_list_store_new (BUZON_TYPE_SIDEBAR_ITEM);
}

static BuzonSidebarItem *
buzon_sidebar_item_new (BuzonAccount      *account,
                        const BuzonFolder *folder)
{
  BuzonSidebarItem *item = g_object_new (BUZON_TYPE_SIDEBAR_ITEM, NULL);

  item->account = g_object_ref (account);
  item->folder = folder != NULL ? buzon_folder_copy (folder) : NULL;

  return item;
}

static gboolean
is_noselect (const BuzonFolder *folder)
{
  return folder != NULL && buzon_folder_has_attribute (folder, "\\Noselect");
}

static gboolean
is_special (const BuzonFolder *folder)
{
  return folder != NULL && folder->special_use != BUZON_SPECIAL_USE_NONE;
}

/* Takes @folder's new state; notifies what a row shows. */
static void
buzon_sidebar_item_update (BuzonSidebarItem  *item,
                           const BuzonFolder *folder)
{
  gboolean unread_changed = item->folder->unread_count != folder->unread_count;
  gboolean title_changed = g_strcmp0 (item->folder->name, folder->name) != 0 ||
                           item->folder->special_use != folder->special_use ||
                           g_strcmp0 (item->folder->attributes, folder->attributes) != 0 ||
                           item->folder->total_count != folder->total_count;

  g_clear_pointer (&item->folder, buzon_folder_free);
  item->folder = buzon_folder_copy (folder);

  if (title_changed)
    g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_TITLE]);
  if (unread_changed)
    g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_UNREAD_COUNT]);
}

BuzonAccount *
_buzon_sidebar_item_get_account (BuzonSidebarItem *item)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), NULL);

  return item->account;
}

const BuzonFolder *
_buzon_sidebar_item_get_folder (BuzonSidebarItem *item)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), NULL);

  return item->folder;
}

guint
_buzon_sidebar_item_get_unread_count (BuzonSidebarItem *item)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), 0);

  return item->folder != NULL ? item->folder->unread_count : 0;
}

BuzonSidebarStatus
_buzon_sidebar_item_get_status (BuzonSidebarItem *item)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), BUZON_SIDEBAR_STATUS_IDLE);

  return item->status;
}

gboolean
_buzon_sidebar_item_get_quota (BuzonSidebarItem *item,
                               guint64          *out_usage,
                               guint64          *out_limit)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), FALSE);

  if (out_usage != NULL)
    *out_usage = item->quota_usage;
  if (out_limit != NULL)
    *out_limit = item->quota_limit;
  return item->has_quota;
}

/* The percentage of the quota used, rounded down: 100 means full. */
static guint
quota_percent (guint64 usage,
               guint64 limit)
{
  return (guint)MIN ((double)usage * 100.0 / (double)limit, 9999.0);
}

/* "12.3 MB of 100.0 MB used" */
static char *
dup_quota_usage_text (guint64 usage,
                      guint64 limit)
{
  g_autofree char *used = g_format_size (usage);
  g_autofree char *total = g_format_size (limit);

  /* Translators: an account's storage on its server, under the account in
   * the sidebar (tooltip): "12.3 MB of 100.0 MB used". */
  return g_strdup_printf (_("%s of %s used"), used, total);
}

/* What to tell the user at 90% and at 100% of the quota; NULL below. */
static const char *
quota_warning_text (guint64 usage,
                    guint64 limit)
{
  guint percent = quota_percent (usage, limit);

  if (percent >= 100)
    /* Translators: shown under an account whose server storage is full. */
    return _("Mailbox full: new mail cannot arrive. Delete messages or empty the Trash.");
  if (percent >= 90)
    /* Translators: shown under an account that has used 90% or more of its
     * server storage. */
    return _("Mailbox almost full");
  return NULL;
}

char *
_buzon_sidebar_item_dup_title (BuzonSidebarItem *item)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR_ITEM (item), NULL);

  if (item->folder == NULL)
    {
      const char *name = buzon_account_get_name (item->account);

      return g_strdup (name != NULL ? name : "");
    }

  return buzon_sidebar_dup_folder_title (item->folder);
}

char *
_buzon_sidebar_item_dup_accessible_label (BuzonSidebarItem *item)
{
  g_autofree char *title = _buzon_sidebar_item_dup_title (item);
  guint unread = _buzon_sidebar_item_get_unread_count (item);

  if (item->folder == NULL)
    {
      /* Translators: how a screen reader names an account in the folder
       * list: its name, its address, then where its mail is kept. */
      g_autofree char *label = g_strdup_printf (C_("sidebar account", "%s, %s, %s"), title,
                                                buzon_account_get_address (item->account) != NULL
                                                  ? buzon_account_get_address (item->account)
                                                  : "",
                                                buzon_account_row_protocol_text (
                                                  buzon_account_get_protocol (item->account)));
      g_autofree char *usage = NULL;
      const char *warning;

      if (!item->has_quota)
        return g_steal_pointer (&label);

      /* The storage, then the warning: what the row shows, in that order. */
      usage = dup_quota_usage_text (item->quota_usage, item->quota_limit);
      warning = quota_warning_text (item->quota_usage, item->quota_limit);
      if (warning != NULL)
        return g_strdup_printf ("%s, %s, %s", label, usage, warning);
      return g_strdup_printf ("%s, %s", label, usage);
    }

  if (is_noselect (item->folder))
    /* Translators: a screen reader's name for a folder that only holds
     * other folders. */
    return g_strdup_printf (_("%s, holds only folders"), title);

  if (unread > 0)
    /* Translators: a screen reader's name for a folder: its name and how
     * many of its messages are unread, e.g. "Inbox, 3 unread". */
    return g_strdup_printf (ngettext ("%s, %u unread", "%s, %u unread", unread), title, unread);

  return g_steal_pointer (&title);
}

/* ---- BuzonSidebar -------------------------------------------------- */

struct _BuzonSidebar
{
  GtkWidget           parent_instance;

  BuzonStore         *store;
  GListModel         *accounts;

  GListStore         *roots;         /* account items */
  GtkTreeListModel   *tree;
  GtkSingleSelection *selection;
  GHashTable         *folder_items;  /* gint64 * folder id -> BuzonSidebarItem */

  GtkWidget          *scroller;
  GtkListView        *list_view;
  GtkWidget          *menu;
  GSimpleActionGroup *actions;

  gint64              selected_folder_id;
  BuzonSidebarItem   *context_item;
  GtkWidget          *dialog;        /* weak */
  guint               clear_context_id;
  gboolean            reselecting;
};

G_DEFINE_FINAL_TYPE (BuzonSidebar, buzon_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ACCOUNTS,
  PROP_SELECTED_FOLDER_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_FOLDER_SELECTED,
  SIGNAL_MOVE_MESSAGES,
  SIGNAL_MOVE_FOLDER,
  SIGNAL_SHOW_TOAST,
  SIGNAL_QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The widgets of one row, kept on its GtkTreeExpander. */
typedef struct
{
  BuzonSidebar     *sidebar;   /* not a reference: the row lives inside it */
  GtkWidget        *expander;
  GtkWidget        *box;
  GtkWidget        *icon;
  GtkWidget        *title;
  GtkWidget        *subtitle;
  GtkWidget        *spinner;
  GtkWidget        *status_image;
  GtkWidget        *badge;
  GtkWidget        *quota_bar;      /* account rows with a known quota */
  GtkWidget        *quota_label;    /* the warning at 90% and 100% */
  BuzonSidebarItem *item;
  gulong            notify_id;
} Row;

typedef enum
{
  NAME_NEW_FOLDER,
  NAME_NEW_SUBFOLDER,
  NAME_RENAME,
} NameMode;

/* What a dialog asks about; freed with the dialog's "response" handler. */
typedef struct
{
  BuzonSidebar     *self;
  BuzonSidebarItem *item;
  NameMode          mode;
  GtkEditable      *entry;
  GtkWidget        *dialog;
} Request;

static void
request_free (gpointer data,
              GClosure *closure)
{
  Request *request = data;

  g_clear_object (&request->self);
  g_clear_object (&request->item);
  g_free (request);
}

static guint
special_rank (BuzonSpecialUse use)
{
  switch (use)
    {
    case BUZON_SPECIAL_USE_INBOX:   return 0;
    case BUZON_SPECIAL_USE_DRAFTS:  return 1;
    case BUZON_SPECIAL_USE_SENT:    return 2;
    case BUZON_SPECIAL_USE_ARCHIVE: return 3;
    case BUZON_SPECIAL_USE_JUNK:    return 4;
    case BUZON_SPECIAL_USE_TRASH:   return 5;
    case BUZON_SPECIAL_USE_ALL:     return 6;
    case BUZON_SPECIAL_USE_FLAGGED: return 7;
    case BUZON_SPECIAL_USE_NONE:
    default:                        return 100;
    }
}

static gint
item_compare (gconstpointer a,
              gconstpointer b)
{
  BuzonSidebarItem *x = *(BuzonSidebarItem * const *)a;
  BuzonSidebarItem *y = *(BuzonSidebarItem * const *)b;
  guint rx = special_rank (x->folder->special_use);
  guint ry = special_rank (y->folder->special_use);
  g_autofree char *tx = NULL;
  g_autofree char *ty = NULL;
  gint cmp;

  if (rx != ry)
    return rx < ry ? -1 : 1;

  tx = _buzon_sidebar_item_dup_title (x);
  ty = _buzon_sidebar_item_dup_title (y);
  cmp = g_utf8_collate (tx, ty);
  if (cmp != 0)
    return cmp;

  return x->folder->id < y->folder->id ? -1 : x->folder->id > y->folder->id;
}

static GIcon *
folder_icon (const BuzonFolder *folder)
{
  const char *names[3] = { NULL, NULL, NULL };

  switch (folder->special_use)
    {
    case BUZON_SPECIAL_USE_INBOX:
      names[0] = "mail-inbox-symbolic";
      names[1] = "mail-unread-symbolic";
      break;
    case BUZON_SPECIAL_USE_DRAFTS:
      names[0] = "mail-drafts-symbolic";
      names[1] = "document-edit-symbolic";
      break;
    case BUZON_SPECIAL_USE_SENT:
      names[0] = "mail-sent-symbolic";
      names[1] = "mail-send-symbolic";
      break;
    case BUZON_SPECIAL_USE_ARCHIVE:
      names[0] = "mail-archive-symbolic";
      names[1] = "folder-documents-symbolic";
      break;
    case BUZON_SPECIAL_USE_JUNK:
      names[0] = "mail-mark-junk-symbolic";
      break;
    case BUZON_SPECIAL_USE_TRASH:
      names[0] = "user-trash-symbolic";
      break;
    case BUZON_SPECIAL_USE_ALL:
      names[0] = "mail-read-symbolic";
      break;
    case BUZON_SPECIAL_USE_FLAGGED:
      names[0] = "starred-symbolic";
      break;
    case BUZON_SPECIAL_USE_NONE:
    default:
      names[0] = "folder-symbolic";
      break;
    }

  return g_themed_icon_new_from_names ((char **)names, -1);
}

static const char *
account_delimiter (BuzonSidebar *self,
                   gint64        account_id)
{
  BuzonSidebarItem *account = _buzon_sidebar_find_account_item (self, account_id);
  GHashTableIter iter;
  gpointer value;

  if (account != NULL && buzon_account_get_protocol (account->account) == BUZON_PROTOCOL_POP3)
    return BUZON_LOCAL_FOLDER_DELIMITER;

  g_hash_table_iter_init (&iter, self->folder_items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BuzonSidebarItem *item = value;

      if (item->folder->account_id == account_id && item->folder->delimiter != NULL)
        return item->folder->delimiter;
    }

  return NULL;
}

static BuzonSidebarItem *
find_folder_by_name (BuzonSidebar *self,
                     gint64        account_id,
                     const char   *name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->folder_items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BuzonSidebarItem *item = value;

      if (item->folder->account_id == account_id && g_strcmp0 (item->folder->name, name) == 0)
        return item;
    }

  return NULL;
}

/* Whether @item sits in @ancestor's subtree (or is it). */
static gboolean
is_within (BuzonSidebar *self,
           gint64        folder_id,
           gint64        ancestor_id)
{
  for (guint depth = 0; folder_id != 0 && depth < 1000; depth++)
    {
      BuzonSidebarItem *item;

      if (folder_id == ancestor_id)
        return TRUE;
      item = _buzon_sidebar_find_folder_item (self, folder_id);
      if (item == NULL)
        return FALSE;
      folder_id = item->folder->parent_id;
    }

  return FALSE;
}

/* -- tree ------------------------------------------------------------ */

static GListModel *
create_children_cb (gpointer item,
                    gpointer user_data)
{
  BuzonSidebarItem *sidebar_item = item;

  if (sidebar_item->folder != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (sidebar_item->children)) == 0)
    return NULL;

  return G_LIST_MODEL (g_object_ref (sidebar_item->children));
}

/* Makes @store hold @items in order, touching it only when the order (or
 * whether a folder has subfolders, which decides if its row can expand)
 * changed. */
static void
sync_store (GListStore *store,
            GPtrArray  *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  gboolean same = n == items->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(BuzonSidebarItem) old = g_list_model_get_item (G_LIST_MODEL (store), i);
      BuzonSidebarItem *item = g_ptr_array_index (items, i);
      gboolean expandable = g_list_model_get_n_items (G_LIST_MODEL (item->children)) > 0;

      same = old == item && item->placed_expandable == expandable;
    }

  if (same)
    return;

  for (guint i = 0; i < items->len; i++)
    {
      BuzonSidebarItem *item = g_ptr_array_index (items, i);

      item->placed_expandable = g_list_model_get_n_items (G_LIST_MODEL (item->children)) > 0;
    }
  g_list_store_splice (store, 0, n, items->pdata, items->len);
}

static guint
find_row_position (BuzonSidebar     *self,
                   BuzonSidebarItem *wanted,
                   guint             from,
                   GtkTreeListRow  **out_row)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  for (guint i = from; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if ((gpointer)item == (gpointer)wanted)
        {
          if (out_row != NULL)
            *out_row = g_steal_pointer (&row);
          return i;
        }
    }

  return GTK_INVALID_LIST_POSITION;
}

/* The position of @item's row, expanding its parents to show it. */
static guint
reveal_item (BuzonSidebar     *self,
             BuzonSidebarItem *item)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  guint position = 0;

  for (BuzonSidebarItem *at = item; at != NULL && chain->len < 1000; )
    {
      BuzonSidebarItem *parent;

      g_ptr_array_insert (chain, 0, at);
      if (at->folder == NULL)
        break;
      parent = _buzon_sidebar_find_folder_item (self, at->folder->parent_id);
      at = parent != NULL ? parent
                          : _buzon_sidebar_find_account_item (self, at->folder->account_id);
    }

  for (guint i = 0; i < chain->len; i++)
    {
      g_autoptr(GtkTreeListRow) row = NULL;

      position = find_row_position (self, g_ptr_array_index (chain, i), position, &row);
      if (position == GTK_INVALID_LIST_POSITION)
        return GTK_INVALID_LIST_POSITION;
      if (i + 1 < chain->len)
        gtk_tree_list_row_set_expanded (row, TRUE);
    }

  return position;
}

static void
set_selected_position (BuzonSidebar *self,
                       guint         position)
{
  self->reselecting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->reselecting = FALSE;
}

/* Puts the selection back on self->selected_folder_id. */
static void
restore_selection (BuzonSidebar *self)
{
  BuzonSidebarItem *item = NULL;
  guint position = GTK_INVALID_LIST_POSITION;

  if (self->selected_folder_id != 0)
    item = _buzon_sidebar_find_folder_item (self, self->selected_folder_id);
  if (item != NULL)
    position = reveal_item (self, item);
  if (gtk_single_selection_get_selected (self->selection) != position)
    set_selected_position (self, position);
}

static void
emit_selected (BuzonSidebar     *self,
               BuzonSidebarItem *item)
{
  self->selected_folder_id = item != NULL && item->folder != NULL ? item->folder->id : 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FOLDER_ID]);
  g_signal_emit (self, signals[SIGNAL_FOLDER_SELECTED], 0,
                 item != NULL ? item->account : NULL,
                 item != NULL ? item->folder : NULL);
}

static void
ensure_default_selection (BuzonSidebar *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->roots));

  if (self->selected_folder_id != 0 &&
      _buzon_sidebar_find_folder_item (self, self->selected_folder_id) != NULL)
    {
      restore_selection (self);
      return;
    }

  if (self->selected_folder_id != 0)
    {
      /* The selected folder is gone. */
      set_selected_position (self, GTK_INVALID_LIST_POSITION);
      emit_selected (self, NULL);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonSidebarItem) account = g_list_model_get_item (G_LIST_MODEL (self->roots), i);
      guint m = g_list_model_get_n_items (G_LIST_MODEL (account->children));

      for (guint j = 0; j < m; j++)
        {
          g_autoptr(BuzonSidebarItem) item = g_list_model_get_item (G_LIST_MODEL (account->children), j);

          if (item->folder->special_use == BUZON_SPECIAL_USE_INBOX && !is_noselect (item->folder))
            {
              buzon_sidebar_select_folder (self, item->folder->id);
              return;
            }
        }
    }
}

static void
reload_account (BuzonSidebar     *self,
                BuzonSidebarItem *account_item)
{
  gint64 account_id = buzon_account_get_id (account_item->account);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) top = g_ptr_array_new ();
  g_autoptr(GHashTable) kids = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                      (GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  if (self->store == NULL)
    return;

  folders = buzon_store_list_folders (self->store, account_id, &error);
  if (folders == NULL)
    {
      g_warning ("Could not list the folders of account %" G_GINT64_FORMAT ": %s",
                 account_id, error->message);
      return;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);
      BuzonSidebarItem *item = _buzon_sidebar_find_folder_item (self, folder->id);

      if (item != NULL)
        buzon_sidebar_item_update (item, folder);
      else
        {
          gint64 *key = g_new (gint64, 1);

          *key = folder->id;
          item = buzon_sidebar_item_new (account_item->account, folder);
          g_hash_table_insert (self->folder_items, key, item);
        }
      g_ptr_array_add (items, g_object_ref (item));
      g_hash_table_add (ids, &item->folder->id);
    }

  /* Gone folders. Their items stay alive while a store still holds them. */
  g_hash_table_iter_init (&iter, self->folder_items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BuzonSidebarItem *item = value;

      if (item->folder->account_id == account_id && !g_hash_table_contains (ids, &item->folder->id))
        {
          g_list_store_remove_all (item->children);
          g_hash_table_iter_remove (&iter);
        }
    }

  for (guint i = 0; i < items->len; i++)
    {
      BuzonSidebarItem *item = g_ptr_array_index (items, i);
      gint64 parent = item->folder->parent_id;

      if (parent != 0 && parent != item->folder->id && g_hash_table_contains (ids, &parent))
        {
          GPtrArray *list = g_hash_table_lookup (kids, &parent);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (kids, &item->folder->parent_id, list);
            }
          g_ptr_array_add (list, item);
        }
      else
        g_ptr_array_add (top, item);
    }

  /* Whether a row can expand depends on its children, so two passes:
   * the first fills every level, the second re-splices a level holding a
   * folder that gained its first subfolder or lost its last. */
  for (guint i = 0; i < items->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (kids, &((BuzonSidebarItem *)g_ptr_array_index (items, i))->folder->id);

      if (list != NULL)
        g_ptr_array_sort (list, item_compare);
    }
  g_ptr_array_sort (top, item_compare);

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < items->len; i++)
      {
        BuzonSidebarItem *item = g_ptr_array_index (items, i);
        GPtrArray *list = g_hash_table_lookup (kids, &item->folder->id);
        g_autoptr(GPtrArray) empty = g_ptr_array_new ();

        sync_store (item->children, list != NULL ? list : empty);
      }
  sync_store (account_item->children, top);
}

/* Reads the account's quota from the store; notifies when it changed. */
static void
refresh_quota (BuzonSidebar     *self,
               BuzonSidebarItem *item)
{
  guint64 usage = 0;
  guint64 limit = 0;
  gboolean known;

  known = self->store != NULL &&
          buzon_store_get_account_quota (self->store, buzon_account_get_id (item->account),
                                         &usage, &limit, NULL, NULL) &&
          limit > 0;
  if (!known)
    usage = limit = 0;
  if (known == item->has_quota && usage == item->quota_usage && limit == item->quota_limit)
    return;

  item->has_quota = known;
  item->quota_usage = usage;
  item->quota_limit = limit;
  g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_QUOTA_FRACTION]);
}

static void
quota_changed_cb (BuzonSidebar *self,
                  gint64        account_id,
                  BuzonStore   *store)
{
  BuzonSidebarItem *account = _buzon_sidebar_find_account_item (self, account_id);

  if (account != NULL)
    refresh_quota (self, account);
}

static void
reload_all (BuzonSidebar *self)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = self->accounts != NULL ? g_list_model_get_n_items (self->accounts) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonAccount) account = g_list_model_get_item (self->accounts, i);
      BuzonSidebarItem *item = _buzon_sidebar_find_account_item (self, buzon_account_get_id (account));

      if (item != NULL && item->account == account)
        g_object_ref (item);
      else
        item = buzon_sidebar_item_new (account, NULL);
      g_ptr_array_add (roots, item);
    }

  /* Folder items of accounts no longer shown go. */
  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->folder_items);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        BuzonSidebarItem *item = value;
        gboolean kept = FALSE;

        for (guint i = 0; i < roots->len && !kept; i++)
          kept = ((BuzonSidebarItem *)g_ptr_array_index (roots, i))->account == item->account;
        if (!kept)
          g_hash_table_iter_remove (&iter);
      }
  }

  for (guint i = 0; i < roots->len; i++)
    {
      reload_account (self, g_ptr_array_index (roots, i));
      refresh_quota (self, g_ptr_array_index (roots, i));
    }
  sync_store (self->roots, roots);

  ensure_default_selection (self);
}

static void
accounts_changed_cb (BuzonSidebar *self,
                     guint         position,
                     guint         removed,
                     guint         added,
                     GListModel   *model)
{
  reload_all (self);
}

static void
folders_changed_cb (BuzonSidebar *self,
                    gint64        account_id,
                    BuzonStore   *store)
{
  BuzonSidebarItem *account = _buzon_sidebar_find_account_item (self, account_id);

  if (account == NULL)
    return;

  reload_account (self, account);
  ensure_default_selection (self);
}

static void
messages_changed_cb (BuzonSidebar *self,
                     gint64        folder_id,
                     BuzonStore   *store)
{
  BuzonSidebarItem *item = _buzon_sidebar_find_folder_item (self, folder_id);
  g_autoptr(BuzonFolder) folder = NULL;

  if (item == NULL)
    return;

  folder = buzon_store_get_folder (store, folder_id, NULL);
  if (folder != NULL)
    buzon_sidebar_item_update (item, folder);
}

static void
selection_changed_cb (BuzonSidebar *self,
                      GParamSpec   *pspec,
                      GtkSingleSelection *selection)
{
  GtkTreeListRow *row;
  g_autoptr(BuzonSidebarItem) item = NULL;

  if (self->reselecting)
    return;

  row = gtk_single_selection_get_selected_item (selection);
  if (row == NULL)
    {
      /* A splice removed the row for a moment; reload puts it back. */
      return;
    }

  item = gtk_tree_list_row_get_item (row);

  /* Accounts and folders holding only folders are not selectable. */
  if (item->folder == NULL || is_noselect (item->folder))
    {
      restore_selection (self);
      return;
    }

  if (item->folder->id != self->selected_folder_id)
    emit_selected (self, item);
}

/* -- rows ------------------------------------------------------------ */

static Row *
row_from_widget (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "buzon-sidebar-row");
}

/* An account's storage: a level bar with the numbers in its tooltip and,
 * from 90%, a warning in words below it (warning colours; error at 100%). */
static void
row_update_quota (Row *row)
{
  BuzonSidebarItem *item = row->item;
  g_autofree char *usage = NULL;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  const char *warning;
  guint percent;

  gtk_widget_set_visible (row->quota_bar, item->has_quota);
  if (!item->has_quota)
    {
      gtk_widget_set_visible (row->quota_label, FALSE);
      return;
    }

  percent = quota_percent (item->quota_usage, item->quota_limit);
  usage = dup_quota_usage_text (item->quota_usage, item->quota_limit);
  warning = quota_warning_text (item->quota_usage, item->quota_limit);

  gtk_level_bar_set_value (GTK_LEVEL_BAR (row->quota_bar),
                           MIN ((double)item->quota_usage / (double)item->quota_limit, 1.0));
  gtk_widget_set_tooltip_text (row->quota_bar, usage);
  gtk_widget_set_visible (row->quota_label, warning != NULL);
  gtk_label_set_label (GTK_LABEL (row->quota_label), warning != NULL ? warning : "");

  if (percent >= 100)
    {
      gtk_widget_add_css_class (row->quota_bar, "error");
      gtk_widget_add_css_class (row->quota_label, "error");
    }
  else
    {
      gtk_widget_remove_css_class (row->quota_bar, "error");
      gtk_widget_remove_css_class (row->quota_label, "error");
    }
  if (percent >= 90 && percent < 100)
    {
      gtk_widget_add_css_class (row->quota_bar, "warning");
      gtk_widget_add_css_class (row->quota_label, "warning");
    }
  else
    {
      gtk_widget_remove_css_class (row->quota_bar, "warning");
      gtk_widget_remove_css_class (row->quota_label, "warning");
    }

  /* Translators: how a screen reader names the bar that shows an account's
   * storage on the server, e.g. "Mailbox storage, 12% used". */
  name = g_strdup_printf (ngettext ("Mailbox storage, %u%% used", "Mailbox storage, %u%% used",
                                    percent),
                          percent);
  description = warning != NULL ? g_strdup_printf ("%s. %s", usage, warning)
                                : g_strdup (usage);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->quota_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, usage,
                                  -1);
}

static void
row_update (Row *row)
{
  BuzonSidebarItem *item = row->item;
  g_autofree char *title = NULL;
  g_autofree char *accessible = NULL;

  if (item == NULL)
    return;

  title = _buzon_sidebar_item_dup_title (item);
  accessible = _buzon_sidebar_item_dup_accessible_label (item);
  gtk_label_set_label (GTK_LABEL (row->title), title);

  if (item->folder == NULL)
    {
      BuzonProtocol protocol = buzon_account_get_protocol (item->account);

      gtk_image_set_from_icon_name (GTK_IMAGE (row->icon),
                                    protocol == BUZON_PROTOCOL_POP3 ? "computer-symbolic"
                                                                    : "network-server-symbolic");
      gtk_label_set_label (GTK_LABEL (row->subtitle), buzon_account_row_protocol_text (protocol));
      gtk_widget_set_visible (row->subtitle, TRUE);
      gtk_widget_add_css_class (row->title, "heading");
      gtk_widget_set_visible (row->badge, FALSE);
      gtk_widget_remove_css_class (row->box, "dim-label");
      gtk_widget_set_tooltip_text (row->box, buzon_account_get_address (item->account));

      gtk_widget_set_visible (row->spinner, item->status == BUZON_SIDEBAR_STATUS_SYNCING);
      gtk_spinner_set_spinning (GTK_SPINNER (row->spinner),
                                item->status == BUZON_SIDEBAR_STATUS_SYNCING);
      gtk_widget_set_tooltip_text (row->spinner, item->status_tooltip);
      gtk_widget_set_visible (row->status_image, item->status == BUZON_SIDEBAR_STATUS_OFFLINE ||
                                                 item->status == BUZON_SIDEBAR_STATUS_ERROR);
      gtk_image_set_from_icon_name (GTK_IMAGE (row->status_image),
                                    item->status == BUZON_SIDEBAR_STATUS_ERROR
                                    ? "dialog-warning-symbolic" : "network-offline-symbolic");
      gtk_widget_set_tooltip_text (row->status_image, item->status_tooltip);
      if (item->status == BUZON_SIDEBAR_STATUS_ERROR)
        gtk_widget_add_css_class (row->status_image, "warning");
      else
        gtk_widget_remove_css_class (row->status_image, "warning");
      row_update_quota (row);
      if (item->status_tooltip != NULL && item->status != BUZON_SIDEBAR_STATUS_IDLE)
        {
          g_autofree char *with_status = g_strdup_printf ("%s, %s", accessible,
                                                          item->status_tooltip);

          g_free (accessible);
          accessible = g_steal_pointer (&with_status);
        }
    }
  else
    {
      g_autoptr(GIcon) icon = folder_icon (item->folder);
      guint unread = item->folder->unread_count;

      gtk_image_set_from_gicon (GTK_IMAGE (row->icon), icon);
      gtk_widget_set_visible (row->subtitle, FALSE);
      gtk_widget_remove_css_class (row->title, "heading");
      gtk_widget_set_visible (row->spinner, FALSE);
      gtk_spinner_set_spinning (GTK_SPINNER (row->spinner), FALSE);
      gtk_widget_set_visible (row->status_image, FALSE);
      gtk_widget_set_visible (row->quota_bar, FALSE);
      gtk_widget_set_visible (row->quota_label, FALSE);

      if (unread > 0)
        {
          g_autofree char *text = g_strdup_printf ("%u", unread);

          gtk_label_set_label (GTK_LABEL (row->badge), text);
        }
      gtk_widget_set_visible (row->badge, unread > 0);

      if (is_noselect (item->folder))
        {
          gtk_widget_add_css_class (row->box, "dim-label");
          gtk_widget_set_tooltip_text (row->box, _("This folder holds only other folders"));
        }
      else
        {
          gtk_widget_remove_css_class (row->box, "dim-label");
          gtk_widget_set_tooltip_text (row->box, NULL);
        }
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (row->expander),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
row_item_notify_cb (Row        *row,
                    GParamSpec *pspec,
                    GObject    *item)
{
  row_update (row);
}

static void row_free (gpointer data);

/* Dragging. */

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 GtkWidget     *expander)
{
  Row *row = row_from_widget (expander);
  g_autoptr(BuzonFolderDrag) drag = NULL;

  if (row->item == NULL || row->item->folder == NULL || is_special (row->item->folder))
    return NULL;

  drag = buzon_folder_drag_new (row->item->folder->account_id, row->item->folder->id);
  return gdk_content_provider_new_typed (BUZON_TYPE_FOLDER_DRAG, drag);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GtkWidget     *expander)
{
  Row *row = row_from_widget (expander);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row->box);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

/* Dropping. */

static GdkDragAction
drop_action_for (BuzonSidebar     *self,
                 BuzonSidebarItem *item,
                 const GValue     *value,
                 GdkDragAction     wanted)
{
  if (item == NULL || value == NULL)
    return 0;

  if (G_VALUE_HOLDS (value, BUZON_TYPE_MESSAGE_DRAG))
    {
      const BuzonMessageDrag *drag = g_value_get_boxed (value);

      if (item->folder == NULL || !buzon_sidebar_can_drop_messages (self, item->folder->id, drag))
        return 0;
      return wanted == GDK_ACTION_COPY ? GDK_ACTION_COPY : GDK_ACTION_MOVE;
    }

  if (G_VALUE_HOLDS (value, BUZON_TYPE_FOLDER_DRAG))
    {
      const BuzonFolderDrag *drag = g_value_get_boxed (value);

      if (!buzon_sidebar_can_drop_folder (self, buzon_account_get_id (item->account),
                                          item->folder != NULL ? item->folder->id : 0, drag))
        return 0;
      return GDK_ACTION_MOVE;
    }

  return 0;
}

static GdkDragAction
wanted_action (GtkDropTarget *target)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (target));

  return (state & GDK_CONTROL_MASK) != 0 ? GDK_ACTION_COPY : GDK_ACTION_MOVE;
}

static GdkDragAction
drop_motion_cb (GtkDropTarget *target,
                double         x,
                double         y,
                GtkWidget     *expander)
{
  Row *row = row_from_widget (expander);

  return drop_action_for (row->sidebar, row->item, gtk_drop_target_get_value (target),
                          wanted_action (target));
}

static void
drop_value_notify_cb (GtkDropTarget *target,
                      GParamSpec    *pspec,
                      GtkWidget     *expander)
{
  Row *row = row_from_widget (expander);
  const GValue *value = gtk_drop_target_get_value (target);

  if (value != NULL && drop_action_for (row->sidebar, row->item, value, GDK_ACTION_MOVE) == 0)
    gtk_drop_target_reject (target);
}

static gboolean
handle_drop (BuzonSidebar     *self,
             BuzonSidebarItem *item,
             const GValue     *value,
             GdkDragAction     wanted)
{
  GdkDragAction action = drop_action_for (self, item, value, wanted);

  if (action == 0)
    return FALSE;

  if (G_VALUE_HOLDS (value, BUZON_TYPE_MESSAGE_DRAG))
    {
      g_signal_emit (self, signals[SIGNAL_MOVE_MESSAGES], 0, item->folder,
                     g_value_get_boxed (value), action == GDK_ACTION_COPY);
    }
  else
    {
      const BuzonFolderDrag *drag = g_value_get_boxed (value);
      BuzonSidebarItem *dragged = _buzon_sidebar_find_folder_item (self, drag->folder_id);

      g_signal_emit (self, signals[SIGNAL_MOVE_FOLDER], 0, dragged->folder, item->folder,
                     item->account);
    }

  return TRUE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         GtkWidget     *expander)
{
  Row *row = row_from_widget (expander);

  return handle_drop (row->sidebar, row->item, value, wanted_action (target));
}

/* The menu. */

static void update_actions (BuzonSidebar *self);

static void
open_menu (BuzonSidebar     *self,
           BuzonSidebarItem *item,
           GtkWidget        *widget,
           double            x,
           double            y)
{
  double sx = 0, sy = 0;

  _buzon_sidebar_set_context_item (self, item);

  if (!gtk_widget_translate_coordinates (widget, GTK_WIDGET (self), x, y, &sx, &sy))
    sx = sy = 0;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                               &(GdkRectangle) { (int)sx, (int)sy, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkWidget       *expander)
{
  Row *row = row_from_widget (expander);

  if (row->item == NULL)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  open_menu (row->sidebar, row->item, expander, x, y);
}

static void
row_free (gpointer data)
{
  Row *row = data;

  if (row->item != NULL)
    {
      g_clear_signal_handler (&row->notify_id, row->item);
      g_clear_object (&row->item);
    }
  g_free (row);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          BuzonSidebar             *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkDropTarget *target;
  GtkDragSource *source;
  GtkGesture *click;
  GType types[] = { BUZON_TYPE_MESSAGE_DRAG, BUZON_TYPE_FOLDER_DRAG };
  Row *row = g_new0 (Row, 1);

  row->sidebar = self;
  row->expander = expander;
  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  row->icon = gtk_image_new ();
  row->title = gtk_label_new (NULL);
  row->subtitle = gtk_label_new (NULL);
  row->spinner = gtk_spinner_new ();
  row->status_image = gtk_image_new ();
  row->badge = gtk_label_new (NULL);
  row->quota_bar = gtk_level_bar_new_for_interval (0.0, 1.0);
  row->quota_label = gtk_label_new (NULL);

  gtk_widget_set_margin_top (row->box, 3);
  gtk_widget_set_margin_bottom (row->box, 3);
  gtk_widget_set_valign (row->icon, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (row->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (row->subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (row->subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (row->subtitle, "caption");
  gtk_widget_add_css_class (row->subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (row->badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (row->badge, "buzon-unread-badge");
  gtk_widget_add_css_class (row->badge, "numeric");
  gtk_widget_set_valign (row->status_image, GTK_ALIGN_CENTER);
  /* Storage is bad when high: none of the battery-style offsets (low is
   * the warning colour there); the row sets warning/error classes itself. */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (row->quota_bar), GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (row->quota_bar), GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (row->quota_bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_widget_add_css_class (row->quota_bar, "buzon-quota-bar");
  gtk_widget_set_margin_top (row->quota_bar, 4);
  gtk_widget_set_visible (row->quota_bar, FALSE);
  gtk_label_set_xalign (GTK_LABEL (row->quota_label), 0);
  gtk_label_set_wrap (GTK_LABEL (row->quota_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->quota_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (row->quota_label, "caption");
  gtk_widget_set_visible (row->quota_label, FALSE);

  gtk_box_append (GTK_BOX (labels), row->title);
  gtk_box_append (GTK_BOX (labels), row->subtitle);
  gtk_box_append (GTK_BOX (labels), row->quota_bar);
  gtk_box_append (GTK_BOX (labels), row->quota_label);
  gtk_box_append (GTK_BOX (row->box), row->icon);
  gtk_box_append (GTK_BOX (row->box), labels);
  gtk_box_append (GTK_BOX (row->box), row->spinner);
  gtk_box_append (GTK_BOX (row->box), row->status_image);
  gtk_box_append (GTK_BOX (row->box), row->badge);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), row->box);
  g_object_set_data_full (G_OBJECT (expander), "buzon-sidebar-row", row, row_free);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_MOVE | GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  gtk_drop_target_set_preload (target, TRUE);
  g_signal_connect (target, "enter", G_CALLBACK (drop_motion_cb), expander);
  g_signal_connect (target, "motion", G_CALLBACK (drop_motion_cb), expander);
  g_signal_connect (target, "notify::value", G_CALLBACK (drop_value_notify_cb), expander);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), expander);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (target));

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), expander);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), expander);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (source));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (row_pressed_cb), expander);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (click));

  gtk_list_item_set_child (list_item, expander);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         BuzonSidebar             *self)
{
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkTreeListRow *tree_row = gtk_list_item_get_item (list_item);
  Row *row = row_from_widget (expander);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), tree_row);
  row->item = gtk_tree_list_row_get_item (tree_row);
  row->notify_id = g_signal_connect_swapped (row->item, "notify",
                                             G_CALLBACK (row_item_notify_cb), row);
  gtk_list_item_set_selectable (list_item,
                                row->item->folder != NULL && !is_noselect (row->item->folder));
  row_update (row);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           BuzonSidebar             *self)
{
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  Row *row = row_from_widget (expander);

  if (row->item != NULL)
    {
      g_clear_signal_handler (&row->notify_id, row->item);
      g_clear_object (&row->item);
    }
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

static void
activate_cb (BuzonSidebar *self,
             guint         position,
             GtkListView  *list_view)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), position);
  g_autoptr(BuzonSidebarItem) item = row != NULL ? gtk_tree_list_row_get_item (row) : NULL;

  if (item == NULL)
    return;

  if (item->folder == NULL || is_noselect (item->folder))
    gtk_tree_list_row_set_expanded (row, !gtk_tree_list_row_get_expanded (row));
  else
    gtk_single_selection_set_selected (self->selection, position);
}

/* Menu key, Shift+F10: the menu of the row with the keyboard focus. */
static GtkWidget *
find_expander (GtkWidget *widget)
{
  if (widget == NULL)
    return NULL;
  if (GTK_IS_TREE_EXPANDER (widget) && row_from_widget (widget) != NULL)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TREE_EXPANDER (child) && row_from_widget (child) != NULL)
      return child;
  return NULL;
}

static gboolean
menu_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  BuzonSidebar *self = BUZON_SIDEBAR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *expander = NULL;
  Row *row;

  for (GtkWidget *at = focus; at != NULL && expander == NULL && at != widget;
       at = gtk_widget_get_parent (at))
    expander = find_expander (at);

  if (expander == NULL)
    return FALSE;

  row = row_from_widget (expander);
  if (row->item == NULL)
    return FALSE;

  open_menu (self, row->item, expander, gtk_widget_get_width (expander) / 2.0,
             gtk_widget_get_height (expander) / 2.0);
  return TRUE;
}

/* -- actions --------------------------------------------------------- */

static BuzonSidebarItem *
action_item (BuzonSidebar *self)
{
  if (self->context_item != NULL)
    return self->context_item;
  if (self->selected_folder_id != 0)
    return _buzon_sidebar_find_folder_item (self, self->selected_folder_id);
  return NULL;
}

static void
enable (BuzonSidebar *self,
        const char   *name,
        gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static gboolean
can_have_subfolders (BuzonSidebar      *self,
                     const BuzonFolder *folder)
{
  return folder != NULL && !buzon_folder_has_attribute (folder, "\\Noinferiors") &&
         (folder->delimiter != NULL || account_delimiter (self, folder->account_id) != NULL);
}

static void
update_actions (BuzonSidebar *self)
{
  BuzonSidebarItem *item = action_item (self);
  const BuzonFolder *folder = item != NULL ? item->folder : NULL;
  gboolean user = folder != NULL && !is_special (folder);
  gboolean bin = folder != NULL && (folder->special_use == BUZON_SPECIAL_USE_TRASH ||
                                    folder->special_use == BUZON_SPECIAL_USE_JUNK);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) folders = g_menu_new ();
  g_autoptr(GMenu) messages = g_menu_new ();

  enable (self, "new-folder", item != NULL && self->store != NULL);
  enable (self, "new-subfolder", self->store != NULL && can_have_subfolders (self, folder));
  enable (self, "rename", self->store != NULL && user);
  enable (self, "delete", self->store != NULL && user);
  enable (self, "mark-all-read", self->store != NULL && folder != NULL && folder->unread_count > 0);
  enable (self, "empty", self->store != NULL && bin && folder->total_count > 0);

  g_menu_append (folders, _("_New Folder…"), "folder.new-folder");
  if (folder != NULL)
    {
      g_menu_append (folders, _("New _Subfolder…"), "folder.new-subfolder");
      g_menu_append (folders, _("_Rename…"), "folder.rename");
      g_menu_append (folders, _("_Delete…"), "folder.delete");
      g_menu_append (messages, _("_Mark All as Read"), "folder.mark-all-read");
      if (folder->special_use == BUZON_SPECIAL_USE_TRASH)
        g_menu_append (messages, _("_Empty Trash…"), "folder.empty");
      else if (folder->special_use == BUZON_SPECIAL_USE_JUNK)
        g_menu_append (messages, _("_Empty Junk…"), "folder.empty");
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (folders));
  if (folder != NULL)
    g_menu_append_section (menu, NULL, G_MENU_MODEL (messages));

  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->menu), G_MENU_MODEL (menu));
}

static gboolean
clear_context_cb (gpointer user_data)
{
  BuzonSidebar *self = user_data;

  self->clear_context_id = 0;
  g_clear_object (&self->context_item);
  update_actions (self);
  return G_SOURCE_REMOVE;
}

static void
menu_closed_cb (BuzonSidebar *self,
                GtkPopover   *popover)
{
  /* After the menu's action has run, which happens right after "closed". */
  g_clear_handle_id (&self->clear_context_id, g_source_remove);
  self->clear_context_id = g_idle_add (clear_context_cb, self);
}

static void
toast (BuzonSidebar *self,
       const char   *text)
{
  g_signal_emit (self, signals[SIGNAL_SHOW_TOAST], 0, text);
}

/* A change of the folder menu went into the store and the operation queue:
 * whoever runs the sync should replay it now. */
static void
queued (BuzonSidebar *self,
        BuzonAccount *account)
{
  g_signal_emit (self, signals[SIGNAL_QUEUED], 0, buzon_account_get_id (account));
}

static GtkWidget *
new_dialog (BuzonSidebar *self,
            const char   *heading,
            const char   *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, body);

  if (self->dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *)&self->dialog);
  self->dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&self->dialog);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);

  return dialog;
}

/* The full name @leaf gets under @parent_id (0: at the top). */
char *
buzon_sidebar_dup_child_name (BuzonSidebar *self,
                              gint64        account_id,
                              gint64        parent_id,
                              const char   *leaf)
{
  BuzonSidebarItem *parent;
  const char *delimiter;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), NULL);
  g_return_val_if_fail (leaf != NULL, NULL);

  if (parent_id == 0)
    return g_strdup (leaf);

  parent = _buzon_sidebar_find_folder_item (self, parent_id);
  if (parent == NULL || parent->folder->account_id != account_id)
    return NULL;

  delimiter = parent->folder->delimiter;
  if (delimiter == NULL || *delimiter == '\0')
    delimiter = account_delimiter (self, account_id);
  if (delimiter == NULL)
    return NULL;

  return g_strconcat (parent->folder->name, delimiter, leaf, NULL);
}

static gboolean
valid_leaf (BuzonSidebar     *self,
            BuzonSidebarItem *item,
            const char       *text)
{
  const char *delimiter = account_delimiter (self, buzon_account_get_id (item->account));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  return *stripped != '\0' && (delimiter == NULL || strstr (stripped, delimiter) == NULL);
}

static void
name_changed_cb (GtkEditable *entry,
                 Request     *request)
{
  gboolean ok = valid_leaf (request->self, request->item, gtk_editable_get_text (entry));

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (request->dialog), "ok", ok);
}

static void
name_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  Request          *request)
{
  BuzonSidebar *self = request->self;
  BuzonSidebarItem *item = request->item;
  g_autofree char *leaf = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = buzon_account_get_id (item->account);
  gboolean ok;

  if (g_strcmp0 (response, "ok") != 0 || self->store == NULL)
    return;
  if (!valid_leaf (self, item, gtk_editable_get_text (request->entry)))
    return;

  leaf = g_strstrip (g_strdup (gtk_editable_get_text (request->entry)));

  switch (request->mode)
    {
    case NAME_NEW_FOLDER:
      name = g_strdup (leaf);
      ok = buzon_mail_ops_create_folder (self->store, item->account, name, &error);
      break;

    case NAME_NEW_SUBFOLDER:
      name = buzon_sidebar_dup_child_name (self, account_id, item->folder->id, leaf);
      ok = name != NULL && buzon_mail_ops_create_folder (self->store, item->account, name, &error);
      break;

    case NAME_RENAME:
    default:
      name = buzon_sidebar_dup_child_name (self, account_id, item->folder->parent_id, leaf);
      ok = name != NULL && buzon_mail_ops_rename_folder (self->store, item->account,
                                                         item->folder->id, name, &error);
      break;
    }

  if (ok)
    queued (self, item->account);
  if (!ok)
    {
      g_autofree char *text = NULL;

      if (request->mode == NAME_RENAME)
        /* Translators: the first %s is the new folder name, the second why
         * it failed (a sentence). */
        text = g_strdup_printf (_("The folder could not be renamed to “%s”. %s"), leaf,
                                error != NULL ? error->message : "");
      else
        /* Translators: the first %s is the folder name, the second why it
         * failed (a sentence). */
        text = g_strdup_printf (_("The folder “%s” could not be created. %s"), leaf,
                                error != NULL ? error->message : "");
      toast (self, g_strstrip (text));
    }
}

static void
ask_name (BuzonSidebar     *self,
          BuzonSidebarItem *item,
          NameMode          mode)
{
  g_autofree char *title = item->folder != NULL ? _buzon_sidebar_item_dup_title (item) : NULL;
  g_autofree char *body = NULL;
  const char *heading;
  const char *ok_label;
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();
  Request *request = g_new0 (Request, 1);

  switch (mode)
    {
    case NAME_NEW_FOLDER:
      heading = _("New Folder");
      ok_label = _("C_reate");
      break;
    case NAME_NEW_SUBFOLDER:
      heading = _("New Subfolder");
      /* Translators: %s is the folder the new one goes in. */
      body = g_strdup_printf (_("The new folder goes inside “%s”."), title);
      ok_label = _("C_reate");
      break;
    case NAME_RENAME:
    default:
      heading = _("Rename Folder");
      /* Translators: %s is the folder's current name. */
      body = g_strdup_printf (_("A new name for “%s”."), title);
      ok_label = _("_Rename");
      break;
    }

  /* POP3 has no folders: say where these live, where it matters. */
  if (buzon_account_get_protocol (item->account) == BUZON_PROTOCOL_POP3)
    {
      const char *local = _("The folders of this account are kept on this computer only: "
                            "the server has no folders for POP3 accounts.");
      char *with_note = body != NULL ? g_strconcat (body, "\n\n", local, NULL) : g_strdup (local);

      g_free (body);
      body = with_note;
    }

  dialog = new_dialog (self, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "ok", ok_label);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");

  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Folder name"), -1);
  if (mode == NAME_RENAME)
    gtk_editable_set_text (GTK_EDITABLE (entry), title);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  request->self = g_object_ref (self);
  request->item = g_object_ref (item);
  request->mode = mode;
  request->entry = GTK_EDITABLE (entry);
  request->dialog = dialog;
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "ok",
                                           valid_leaf (self, item, gtk_editable_get_text (request->entry)));
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed_cb), request);
  g_signal_connect_data (dialog, "response", G_CALLBACK (name_response_cb), request,
                         request_free, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
new_folder_cb (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);

  if (item != NULL)
    ask_name (self, item, NAME_NEW_FOLDER);
}

static void
new_subfolder_cb (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);

  if (item != NULL && can_have_subfolders (self, item->folder))
    ask_name (self, item, NAME_NEW_SUBFOLDER);
}

static void
rename_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);

  if (item != NULL && item->folder != NULL && !is_special (item->folder))
    ask_name (self, item, NAME_RENAME);
}

/* Emptying a folder or marking it read touches every message: on a worker
 * thread (the store's synchronous API may be used from any thread), so a
 * folder of 100,000 messages does not freeze the window. */

typedef enum
{
  FOLDER_JOB_EMPTY,
  FOLDER_JOB_MARK_READ,
} FolderJobKind;

typedef struct
{
  FolderJobKind  kind;
  BuzonStore    *store;
  BuzonAccount  *account;
  BuzonFolder   *folder;
  char          *title;
} FolderJob;

static void
folder_job_free (FolderJob *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->account);
  g_clear_pointer (&job->folder, buzon_folder_free);
  g_free (job->title);
  g_free (job);
}

/* The ids of the folder's messages; @unread_only: those not \Seen. */
static GArray *
list_message_ids (BuzonStore        *store,
                  const BuzonFolder *folder,
                  gboolean           unread_only,
                  GError           **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  GArray *ids;

  if (!unread_only)
    return buzon_store_list_message_ids (store, folder->id, error);

  messages = buzon_store_list_messages (store, folder->id, 0, 0, error);
  if (messages == NULL)
    return NULL;

  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), messages->len);
  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);

      if ((summary->flags & BUZON_MESSAGE_FLAG_SEEN) == 0)
        g_array_append_val (ids, summary->id);
    }

  return ids;
}

static void
folder_job_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FolderJob *job = task_data;
  g_autoptr(GArray) ids = NULL;
  GError *error = NULL;
  gboolean ok;

  ids = list_message_ids (job->store, job->folder, job->kind == FOLDER_JOB_MARK_READ, &error);
  ok = ids != NULL;
  if (ok && ids->len > 0)
    ok = job->kind == FOLDER_JOB_EMPTY
         ? buzon_mail_ops_delete (job->store, job->account, (const gint64 *)(void *)ids->data,
                                  ids->len, &error)
         : buzon_mail_ops_set_flags (job->store, job->account,
                                     (const gint64 *)(void *)ids->data, ids->len,
                                     BUZON_MESSAGE_FLAG_SEEN, 0, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
folder_job_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BuzonSidebar *self = BUZON_SIDEBAR (object);
  FolderJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = NULL;

      if (job->kind == FOLDER_JOB_EMPTY)
        /* Translators: %s is the folder, then why it failed (a sentence). */
        text = g_strdup_printf (_("The folder “%s” could not be emptied. %s"), job->title,
                                error->message);
      else
        /* Translators: %s is the folder, then why it failed (a sentence). */
        text = g_strdup_printf (_("The messages in “%s” could not be marked as read. %s"),
                                job->title, error->message);
      toast (self, text);
    }

  /* What did go through is queued for the server either way. */
  queued (self, job->account);
}

static void
run_folder_job (BuzonSidebar     *self,
                BuzonSidebarItem *item,
                FolderJobKind     kind)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, folder_job_done_cb, NULL);
  FolderJob *job = g_new0 (FolderJob, 1);

  job->kind = kind;
  job->store = g_object_ref (self->store);
  job->account = g_object_ref (item->account);
  job->folder = buzon_folder_copy (item->folder);
  job->title = _buzon_sidebar_item_dup_title (item);
  g_task_set_task_data (task, job, (GDestroyNotify)folder_job_free);
  g_task_run_in_thread (task, folder_job_worker);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     Request          *request)
{
  BuzonSidebar *self = request->self;
  BuzonSidebarItem *item = request->item;
  g_autofree char *title = _buzon_sidebar_item_dup_title (item);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->store == NULL)
    return;

  if (g_strcmp0 (response, "delete") == 0)
    {
      if (!buzon_mail_ops_delete_folder (self->store, item->account, item->folder->id, &error))
        /* Translators: %s is the folder, then why it failed (a sentence). */
        text = g_strdup_printf (_("The folder “%s” could not be deleted. %s"), title,
                                error->message);
    }
  else if (g_strcmp0 (response, "empty") == 0)
    {
      run_folder_job (self, item, FOLDER_JOB_EMPTY);
      return;
    }

  queued (self, item->account);
  if (text != NULL)
    toast (self, text);
}

static void
confirm (BuzonSidebar     *self,
         BuzonSidebarItem *item,
         const char       *heading,
         const char       *body,
         const char       *response,
         const char       *label)
{
  GtkWidget *dialog = new_dialog (self, heading, body);
  Request *request = g_new0 (Request, 1);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), response, label);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  request->self = g_object_ref (self);
  request->item = g_object_ref (item);
  g_signal_connect_data (dialog, "response", G_CALLBACK (confirm_response_cb), request,
                         request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);
  g_autofree char *title = NULL;
  g_autofree char *heading = NULL;
  guint count;
  gboolean subfolders;

  if (item == NULL || item->folder == NULL || is_special (item->folder))
    return;

  title = _buzon_sidebar_item_dup_title (item);
  count = item->folder->total_count;
  subfolders = g_list_model_get_n_items (G_LIST_MODEL (item->children)) > 0;
  if (count > 0)
    /* Translators: %s is the folder, %u how many messages it holds. */
    heading = g_strdup_printf (ngettext ("Delete “%s” and its %u message?",
                                         "Delete “%s” and its %u messages?", count),
                               title, count);
  else
    /* Translators: %s is the folder. */
    heading = g_strdup_printf (_("Delete “%s”?"), title);

  confirm (self, item, heading,
           subfolders
           ? _("Its subfolders and their messages are deleted too. This cannot be undone.")
           : _("This cannot be undone."),
           "delete", _("_Delete"));
}

static void
empty_cb (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);
  g_autofree char *body = NULL;
  guint count;

  if (item == NULL || item->folder == NULL ||
      (item->folder->special_use != BUZON_SPECIAL_USE_TRASH &&
       item->folder->special_use != BUZON_SPECIAL_USE_JUNK))
    return;

  count = item->folder->total_count;
  /* Translators: %u is how many messages the Trash or Junk folder holds. */
  body = g_strdup_printf (ngettext ("Its %u message is deleted for good. This cannot be undone.",
                                    "Its %u messages are deleted for good. This cannot be undone.",
                                    count),
                          count);

  if (item->folder->special_use == BUZON_SPECIAL_USE_TRASH)
    confirm (self, item, _("Empty Trash?"), body, "empty", _("_Empty Trash"));
  else
    confirm (self, item, _("Empty Junk?"), body, "empty", _("_Empty Junk"));
}

static void
mark_all_read_cb (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  BuzonSidebar *self = user_data;
  BuzonSidebarItem *item = action_item (self);

  if (item == NULL || item->folder == NULL || self->store == NULL)
    return;

  run_folder_job (self, item, FOLDER_JOB_MARK_READ);
}

static const GActionEntry action_entries[] = {
  { "new-folder", new_folder_cb },
  { "new-subfolder", new_subfolder_cb },
  { "rename", rename_cb },
  { "delete", delete_cb },
  { "mark-all-read", mark_all_read_cb },
  { "empty", empty_cb },
};

/* -- GObject --------------------------------------------------------- */

static void
buzon_sidebar_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  BuzonSidebar *self = BUZON_SIDEBAR (widget);

  gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
buzon_sidebar_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  BuzonSidebar *self = BUZON_SIDEBAR (widget);

  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
disconnect_sources (BuzonSidebar *self)
{
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
}

static void
buzon_sidebar_dispose (GObject *object)
{
  BuzonSidebar *self = BUZON_SIDEBAR (object);

  disconnect_sources (self);
  g_clear_handle_id (&self->clear_context_id, g_source_remove);
  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *)&self->dialog);
      gtk_window_destroy (GTK_WINDOW (self->dialog));
      self->dialog = NULL;
    }
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_object (&self->context_item);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->roots);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->folder_items, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (buzon_sidebar_parent_class)->dispose (object);
}

static void
buzon_sidebar_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BuzonSidebar *self = BUZON_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;

    case PROP_SELECTED_FOLDER_ID:
      g_value_set_int64 (value, self->selected_folder_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_sidebar_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BuzonSidebar *self = BUZON_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      buzon_sidebar_set_store (self, g_value_get_object (value));
      break;

    case PROP_ACCOUNTS:
      buzon_sidebar_set_accounts (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_sidebar_class_init (BuzonSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = buzon_sidebar_dispose;
  object_class->get_property = buzon_sidebar_get_property;
  object_class->set_property = buzon_sidebar_set_property;
  widget_class->measure = buzon_sidebar_measure;
  widget_class->size_allocate = buzon_sidebar_size_allocate;

  /**
   * BuzonSidebar:store:
   *
   * The store the folders are read from.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonSidebar:accounts:
   *
   * The accounts shown, a #GListModel of #BuzonAccount.
   */
  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonSidebar:selected-folder-id:
   *
   * The store id of the selected folder, 0 for none.
   */
  properties[PROP_SELECTED_FOLDER_ID] =
    g_param_spec_int64 ("selected-folder-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonSidebar::folder-selected:
   * @self: the sidebar
   * @account: (nullable): the folder's account
   * @folder: (nullable): the folder, %NULL when none is selected any more
   *
   * The user (or buzon_sidebar_select_folder()) selected a folder.
   */
  signals[SIGNAL_FOLDER_SELECTED] =
    g_signal_new ("folder-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  BUZON_TYPE_ACCOUNT,
                  BUZON_TYPE_FOLDER | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * BuzonSidebar::move-messages:
   * @self: the sidebar
   * @target: the folder the messages were dropped on
   * @drag: what was dropped
   * @copy: %TRUE to copy them (Ctrl held), %FALSE to move them
   *
   * Messages were dropped on a folder that can take them.
   */
  signals[SIGNAL_MOVE_MESSAGES] =
    g_signal_new ("move-messages", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  BUZON_TYPE_FOLDER | G_SIGNAL_TYPE_STATIC_SCOPE,
                  BUZON_TYPE_MESSAGE_DRAG | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_BOOLEAN);

  /**
   * BuzonSidebar::move-folder:
   * @self: the sidebar
   * @folder: the folder that was dropped
   * @new_parent: (nullable): the folder it goes in, %NULL for the top level
   * @account: their account
   *
   * A folder was dropped where it can go. Its new full name is
   * buzon_sidebar_dup_child_name() of its leaf name under @new_parent.
   */
  signals[SIGNAL_MOVE_FOLDER] =
    g_signal_new ("move-folder", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  BUZON_TYPE_FOLDER | G_SIGNAL_TYPE_STATIC_SCOPE,
                  BUZON_TYPE_FOLDER | G_SIGNAL_TYPE_STATIC_SCOPE,
                  BUZON_TYPE_ACCOUNT);

  /**
   * BuzonSidebar::show-toast:
   * @self: the sidebar
   * @text: a sentence for the user
   *
   * Something the user asked for failed; the window shows @text.
   */
  signals[SIGNAL_SHOW_TOAST] =
    g_signal_new ("show-toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * BuzonSidebar::queued:
   * @account_id: the account changed
   *
   * A folder action (new, rename, delete, mark all read, empty) changed the
   * store and queued the operation for the server.
   */
  signals[SIGNAL_QUEUED] =
    g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, menu_shortcut_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, menu_shortcut_cb, NULL);

  gtk_widget_class_set_css_name (widget_class, "buzonsidebar");
}

static void
ensure_css (void)
{
  static gboolean done;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (done || display == NULL)
    return;
  done = TRUE;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
                                   "buzonsidebar .buzon-unread-badge {"
                                   "  background-color: alpha(currentColor, 0.12);"
                                   "  border-radius: 9999px;"
                                   "  padding: 0 7px;"
                                   "  min-width: 10px;"
                                   "  font-size: smaller;"
                                   "  font-weight: bold;"
                                   "}"
                                   "buzonsidebar levelbar.buzon-quota-bar trough {"
                                   "  min-height: 4px;"
                                   "}"
                                   "buzonsidebar levelbar.buzon-quota-bar block {"
                                   "  min-height: 4px;"
                                   "}"
                                   "buzonsidebar levelbar.buzon-quota-bar.warning block.filled {"
                                   "  background-color: @warning_color;"
                                   "}"
                                   "buzonsidebar levelbar.buzon-quota-bar.error block.filled {"
                                   "  background-color: @error_color;"
                                   "}", -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
buzon_sidebar_init (BuzonSidebar *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  ensure_css ();

  self->folder_items = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->roots = g_list_store_new (BUZON_TYPE_SIDEBAR_ITEM);
  self->tree = gtk_tree_list_model_new (G_LIST_MODEL (g_object_ref (self->roots)), FALSE, TRUE,
                                        create_children_cb, NULL, NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);

  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)),
                                                      factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Folders"), -1);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (activate_cb), self,
                           G_CONNECT_SWAPPED);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller),
                                 GTK_WIDGET (self->list_view));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->menu = gtk_popover_menu_new_from_model (NULL);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  g_signal_connect_object (self->menu, "closed", G_CALLBACK (menu_closed_cb), self,
                           G_CONNECT_SWAPPED);

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "folder", G_ACTION_GROUP (self->actions));
  update_actions (self);
}

/* -- public ---------------------------------------------------------- */

/**
 * buzon_sidebar_new:
 *
 * Creates the folder sidebar; give it a store and the accounts.
 *
 * Returns: (transfer full): a new #BuzonSidebar
 */
GtkWidget *
buzon_sidebar_new (void)
{
  return g_object_new (BUZON_TYPE_SIDEBAR, NULL);
}

/**
 * buzon_sidebar_set_store:
 * @self: a #BuzonSidebar
 * @store: (nullable): the store the folders are read from
 *
 * Folders are read with buzon_store_list_folders() and kept current on the
 * store's "folders-changed" and "messages-changed" signals.
 */
void
buzon_sidebar_set_store (BuzonSidebar *self,
                         BuzonStore   *store)
{
  g_return_if_fail (BUZON_IS_SIDEBAR (self));
  g_return_if_fail (store == NULL || BUZON_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      g_signal_connect_object (store, "folders-changed", G_CALLBACK (folders_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "messages-changed", G_CALLBACK (messages_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "quota-changed", G_CALLBACK (quota_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  reload_all (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * buzon_sidebar_get_store:
 * @self: a #BuzonSidebar
 *
 * Returns: (transfer none) (nullable): the store
 */
BuzonStore *
buzon_sidebar_get_store (BuzonSidebar *self)
{
  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), NULL);

  return self->store;
}

/**
 * buzon_sidebar_set_accounts:
 * @self: a #BuzonSidebar
 * @accounts: (nullable): a #GListModel of #BuzonAccount, in the order shown
 *
 * The sidebar follows the model's changes.
 */
void
buzon_sidebar_set_accounts (BuzonSidebar *self,
                            GListModel   *accounts)
{
  g_return_if_fail (BUZON_IS_SIDEBAR (self));
  g_return_if_fail (accounts == NULL || G_IS_LIST_MODEL (accounts));

  if (self->accounts == accounts)
    return;

  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_set_object (&self->accounts, accounts);
  if (accounts != NULL)
    g_signal_connect_object (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self,
                             G_CONNECT_SWAPPED);

  reload_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNTS]);
}

/**
 * buzon_sidebar_set_account_status:
 * @self: a #BuzonSidebar
 * @account_id: the account
 * @status: what its row shows
 * @tooltip: (nullable): why, in a sentence (for an error: the error)
 */
void
buzon_sidebar_set_account_status (BuzonSidebar       *self,
                                  gint64              account_id,
                                  BuzonSidebarStatus  status,
                                  const char         *tooltip)
{
  BuzonSidebarItem *item;

  g_return_if_fail (BUZON_IS_SIDEBAR (self));

  item = _buzon_sidebar_find_account_item (self, account_id);
  if (item == NULL)
    return;

  if (item->status == status && g_strcmp0 (item->status_tooltip, tooltip) == 0)
    return;

  item->status = status;
  g_free (item->status_tooltip);
  item->status_tooltip = g_strdup (tooltip);
  g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_STATUS]);
}

/**
 * buzon_sidebar_select_folder:
 * @self: a #BuzonSidebar
 * @folder_id: the folder to select, 0 for none
 *
 * Selects the folder (showing its row) and emits #BuzonSidebar::folder-selected
 * when that changes the selection. A folder that only holds folders
 * (`\Noselect`) is not selected.
 *
 * Returns: %TRUE if @folder_id is selected now
 */
gboolean
buzon_sidebar_select_folder (BuzonSidebar *self,
                             gint64        folder_id)
{
  BuzonSidebarItem *item;
  guint position;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), FALSE);

  if (folder_id == 0)
    {
      set_selected_position (self, GTK_INVALID_LIST_POSITION);
      if (self->selected_folder_id != 0)
        emit_selected (self, NULL);
      return TRUE;
    }

  item = _buzon_sidebar_find_folder_item (self, folder_id);
  if (item == NULL || is_noselect (item->folder))
    return FALSE;

  position = reveal_item (self, item);
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  set_selected_position (self, position);
  if (self->selected_folder_id != folder_id)
    emit_selected (self, item);

  return TRUE;
}

/**
 * buzon_sidebar_get_selected_folder:
 * @self: a #BuzonSidebar
 *
 * Returns: (transfer none) (nullable): the selected folder, valid until the
 *   folder list changes
 */
const BuzonFolder *
buzon_sidebar_get_selected_folder (BuzonSidebar *self)
{
  BuzonSidebarItem *item;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), NULL);

  item = _buzon_sidebar_find_folder_item (self, self->selected_folder_id);
  return item != NULL ? item->folder : NULL;
}

/**
 * buzon_sidebar_get_selected_account:
 * @self: a #BuzonSidebar
 *
 * Returns: (transfer none) (nullable): the selected folder's account
 */
BuzonAccount *
buzon_sidebar_get_selected_account (BuzonSidebar *self)
{
  BuzonSidebarItem *item;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), NULL);

  item = _buzon_sidebar_find_folder_item (self, self->selected_folder_id);
  return item != NULL ? item->account : NULL;
}

/**
 * buzon_sidebar_can_drop_messages:
 * @self: a #BuzonSidebar
 * @folder_id: the folder under the pointer
 * @drag: the dragged messages
 *
 * Messages can go to another folder of their own account that holds
 * messages (not `\Noselect`). Moving them to another account is not
 * supported.
 *
 * Returns: whether @drag can be dropped on @folder_id
 */
gboolean
buzon_sidebar_can_drop_messages (BuzonSidebar           *self,
                                 gint64                  folder_id,
                                 const BuzonMessageDrag *drag)
{
  BuzonSidebarItem *target;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), FALSE);

  if (drag == NULL || drag->ids == NULL || drag->ids->len == 0)
    return FALSE;

  target = _buzon_sidebar_find_folder_item (self, folder_id);
  if (target == NULL)
    return FALSE;

  return target->folder->account_id == drag->account_id &&
         target->folder->id != drag->folder_id &&
         !is_noselect (target->folder);
}

/**
 * buzon_sidebar_can_drop_folder:
 * @self: a #BuzonSidebar
 * @account_id: the account of the row under the pointer
 * @new_parent_id: the folder under the pointer, 0 for the account row (the
 *   top level)
 * @drag: the dragged folder
 *
 * A user folder can move within its account, not into itself or a folder
 * below it, not where it is already, and not next to a folder of the same
 * name. Special folders (Inbox, Sent, …) do not move.
 *
 * Returns: whether @drag can be dropped there
 */
gboolean
buzon_sidebar_can_drop_folder (BuzonSidebar          *self,
                               gint64                 account_id,
                               gint64                 new_parent_id,
                               const BuzonFolderDrag *drag)
{
  BuzonSidebarItem *dragged;
  g_autofree char *leaf = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (BUZON_IS_SIDEBAR (self), FALSE);

  if (drag == NULL || drag->account_id != account_id)
    return FALSE;

  dragged = _buzon_sidebar_find_folder_item (self, drag->folder_id);
  if (dragged == NULL || dragged->folder->account_id != account_id || is_special (dragged->folder))
    return FALSE;

  if (new_parent_id != 0)
    {
      BuzonSidebarItem *parent = _buzon_sidebar_find_folder_item (self, new_parent_id);

      if (parent == NULL || parent->folder->account_id != account_id ||
          buzon_folder_has_attribute (parent->folder, "\\Noinferiors") ||
          is_within (self, new_parent_id, dragged->folder->id))
        return FALSE;
    }

  if (dragged->folder->parent_id == new_parent_id)
    return FALSE;

  leaf = buzon_folder_dup_leaf_name (dragged->folder);
  name = buzon_sidebar_dup_child_name (self, account_id, new_parent_id, leaf);

  return name != NULL && find_folder_by_name (self, account_id, name) == NULL;
}

/* -- private --------------------------------------------------------- */

GtkTreeListModel *
_buzon_sidebar_get_tree (BuzonSidebar *self)
{
  return self->tree;
}

GtkListView *
_buzon_sidebar_get_list_view (BuzonSidebar *self)
{
  return self->list_view;
}

BuzonSidebarItem *
_buzon_sidebar_find_folder_item (BuzonSidebar *self,
                                 gint64        folder_id)
{
  if (folder_id == 0 || self->folder_items == NULL)
    return NULL;

  return g_hash_table_lookup (self->folder_items, &folder_id);
}

BuzonSidebarItem *
_buzon_sidebar_find_account_item (BuzonSidebar *self,
                                  gint64        account_id)
{
  guint n = self->roots != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->roots)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonSidebarItem) item = g_list_model_get_item (G_LIST_MODEL (self->roots), i);

      if (buzon_account_get_id (item->account) == account_id)
        return item;   /* the store still holds it */
    }

  return NULL;
}

GtkWidget *
_buzon_sidebar_get_dialog (BuzonSidebar *self)
{
  return self->dialog;
}

GMenuModel *
_buzon_sidebar_get_menu_model (BuzonSidebar *self)
{
  return gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (self->menu));
}

gboolean
_buzon_sidebar_drop_for_test (BuzonSidebar     *self,
                              BuzonSidebarItem *target,
                              const GValue     *value,
                              GdkDragAction     action)
{
  return handle_drop (self, target, value, action);
}

void
_buzon_sidebar_set_context_item (BuzonSidebar     *self,
                                 BuzonSidebarItem *item)
{
  g_clear_handle_id (&self->clear_context_id, g_source_remove);
  g_set_object (&self->context_item, item);
  update_actions (self);
}

/**
 * buzon_sidebar_dup_folder_title:
 * @folder: a folder
 *
 * Returns: (transfer full): how the folder is named to the user: its
 *   special use, translated, or its leaf name
 */
char *
buzon_sidebar_dup_folder_title (const BuzonFolder *folder)
{
  g_return_val_if_fail (folder != NULL, NULL);

  /* INBOX is a reserved name (RFC 3501 section 5.1), and the others are
   * named by the server in its own language: people read their use, in
   * theirs. */
  switch (folder->special_use)
    {
    case BUZON_SPECIAL_USE_INBOX:
      return g_strdup (_("Inbox"));
    case BUZON_SPECIAL_USE_DRAFTS:
      return g_strdup (_("Drafts"));
    case BUZON_SPECIAL_USE_SENT:
      return g_strdup (_("Sent"));
    case BUZON_SPECIAL_USE_TRASH:
      return g_strdup (_("Trash"));
    case BUZON_SPECIAL_USE_JUNK:
      return g_strdup (_("Junk"));
    case BUZON_SPECIAL_USE_ARCHIVE:
      return g_strdup (_("Archive"));
    case BUZON_SPECIAL_USE_NONE:
    case BUZON_SPECIAL_USE_ALL:
    case BUZON_SPECIAL_USE_FLAGGED:
    default:
      return buzon_folder_dup_leaf_name (folder);
    }
}
