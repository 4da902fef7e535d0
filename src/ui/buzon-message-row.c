/* buzon-message-row.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMessageRow shows one BuzonMessageItem in the message list's
 * GtkListView: sender and subject (bold while unread), the date at the end
 * of the first line, icons for answered, attachments and flagged, and one
 * dim line of the text. A placeholder item shows the same three lines
 * empty, so nothing jumps when its summary arrives: the row follows the
 * item's "notify" and updates in place. A conversation's row (a threaded
 * list's) shows how many messages it has in the folder in a small badge,
 * like the sidebar's unread counts, and is bold while any is unread.
 * Screen readers get one name with sender, subject, date and state, and
 * for a conversation its count and how many are unread.
 *
 * The file also holds the list view's factory and its drag source: a drag
 * started on a selected row carries every selected message, one started
 * elsewhere carries that row's message, as a BuzonMessageDrag value; a
 * conversation's row carries all its messages in the folder.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-dnd.h"
#include "buzon-message-list.h"
#include "buzon-message-row-private.h"

struct _BuzonMessageRow
{
  GtkWidget         parent_instance;

  BuzonMessageItem *item;
  gulong            notify_id;
  char             *accessible_label;  /* as last given to screen readers */

  /* template */
  GtkWidget        *box;
  GtkLabel         *sender_label;
  GtkLabel         *subject_label;
  GtkLabel         *preview_label;
  GtkLabel         *date_label;
  GtkLabel         *count_label;
  GtkImage         *answered_image;
  GtkImage         *attachment_image;
  GtkImage         *flagged_image;
};

G_DEFINE_FINAL_TYPE (BuzonMessageRow, buzon_message_row, GTK_TYPE_WIDGET)

static void
set_bold (GtkLabel *label,
          gboolean  bold)
{
  g_autoptr(PangoAttrList) attrs = NULL;

  if (bold)
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  gtk_label_set_attributes (label, attrs);
}

/* The count badge looks like the sidebar's unread counts. */
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
                                   "buzonmessagerow .buzon-count-badge {"
                                   "  background-color: alpha(currentColor, 0.12);"
                                   "  border-radius: 9999px;"
                                   "  padding: 0 7px;"
                                   "  min-width: 10px;"
                                   "  font-size: smaller;"
                                   "  font-weight: bold;"
                                   "}", -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
buzon_message_row_update (BuzonMessageRow *self)
{
  BuzonMessageItem *item = self->item;
  gboolean loaded = item != NULL && buzon_message_item_get_loaded (item);
  gboolean unread = loaded && buzon_message_item_get_unread (item);
  gboolean flagged = loaded && buzon_message_item_get_flagged (item);
  const char *sender = loaded ? buzon_message_item_get_sender (item) : "";
  const char *subject = loaded ? buzon_message_item_get_subject (item) : "";
  const char *date = loaded ? buzon_message_item_get_date_text (item) : "";
  guint count = loaded ? buzon_message_item_get_thread_count (item) : 0;
  guint thread_unread = loaded ? buzon_message_item_get_thread_unread_count (item) : 0;
  g_autoptr(GString) accessible = NULL;

  if (loaded && *subject == '\0')
    subject = _("(No subject)");

  gtk_label_set_label (self->sender_label, sender);
  gtk_label_set_label (self->subject_label, subject);
  gtk_label_set_label (self->preview_label, loaded ? buzon_message_item_get_preview (item) : "");
  gtk_label_set_label (self->date_label, date);
  set_bold (self->sender_label, unread);
  set_bold (self->subject_label, unread);
  gtk_widget_set_visible (GTK_WIDGET (self->flagged_image), flagged);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_image),
                          loaded && buzon_message_item_get_has_attachments (item));
  gtk_widget_set_visible (GTK_WIDGET (self->answered_image),
                          loaded && buzon_message_item_get_answered (item));
  if (count > 1)
    {
      char text[16];

      g_snprintf (text, sizeof text, "%u", count);
      gtk_label_set_label (self->count_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), count > 1);

  if (!loaded)
    {
      g_free (self->accessible_label);
      self->accessible_label = g_strdup (_("Loading message"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, self->accessible_label,
                                      -1);
      return;
    }

  /* Translators: how a screen reader names a message in the list: sender,
   * subject, date. */
  accessible = g_string_new (NULL);
  g_string_printf (accessible, C_("message row", "%s, %s, %s"), sender, subject, date);
  if (count > 1)
    {
      g_autofree char *description = NULL;

      /* Translators: how many messages a conversation's row stands for. */
      description = g_strdup_printf (ngettext ("%u message in this conversation",
                                               "%u messages in this conversation", count),
                                     count);
      g_string_append (accessible, ", ");
      g_string_append (accessible, description);
      if (thread_unread > 0)
        {
          g_string_append (accessible, ", ");
          /* Translators: added to a conversation's name in the list: how
           * many of its messages are unread. */
          g_string_append_printf (accessible, ngettext ("%u unread", "%u unread", thread_unread),
                                  thread_unread);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
  else
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (unread)
        /* Translators: added to a message's name in the list when it is unread. */
        g_string_append (accessible, C_("message row", ", unread"));
    }
  if (flagged)
    /* Translators: added to a message's name in the list when it is flagged. */
    g_string_append (accessible, C_("message row", ", flagged"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible->str,
                                  -1);
  g_free (self->accessible_label);
  self->accessible_label = g_string_free (g_steal_pointer (&accessible), FALSE);
}

static void
item_notify_cb (BuzonMessageRow *self,
                GParamSpec      *pspec,
                GObject         *item)
{
  buzon_message_row_update (self);
}

static void
buzon_message_row_dispose (GObject *object)
{
  BuzonMessageRow *self = BUZON_MESSAGE_ROW (object);

  buzon_message_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_MESSAGE_ROW);
  g_clear_pointer (&self->accessible_label, g_free);

  G_OBJECT_CLASS (buzon_message_row_parent_class)->dispose (object);
}

static void
buzon_message_row_class_init (BuzonMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = buzon_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/buzon-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, answered_image);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, attachment_image);
  gtk_widget_class_bind_template_child (widget_class, BuzonMessageRow, flagged_image);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "buzonmessagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
buzon_message_row_init (BuzonMessageRow *self)
{
  ensure_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  buzon_message_row_update (self);
}

/**
 * buzon_message_row_new:
 *
 * Returns: (transfer full): a row showing no message until
 *   buzon_message_row_set_item()
 */
GtkWidget *
buzon_message_row_new (void)
{
  return g_object_new (BUZON_TYPE_MESSAGE_ROW, NULL);
}

/**
 * buzon_message_row_get_item:
 *
 * Returns: (transfer none) (nullable): the item shown
 */
BuzonMessageItem *
buzon_message_row_get_item (BuzonMessageRow *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ROW (self), NULL);

  return self->item;
}

/**
 * buzon_message_row_set_item:
 * @item: (nullable): the message to show, loaded or a placeholder
 *
 * Shows @item and follows its changes until another item is set.
 */
void
buzon_message_row_set_item (BuzonMessageRow  *self,
                            BuzonMessageItem *item)
{
  g_return_if_fail (BUZON_IS_MESSAGE_ROW (self));
  g_return_if_fail (item == NULL || BUZON_IS_MESSAGE_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);
  if (item != NULL)
    self->notify_id = g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), self,
                                               G_CONNECT_SWAPPED);

  buzon_message_row_update (self);
}

/* The factory */

static void
factory_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item)
{
  gtk_list_item_set_child (list_item, buzon_message_row_new ());
}

static void
factory_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  buzon_message_row_set_item (BUZON_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                              gtk_list_item_get_item (list_item));
}

static void
factory_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item)
{
  buzon_message_row_set_item (BUZON_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/**
 * buzon_message_row_new_factory:
 *
 * The factory of the message list's GtkListView, for items of a
 * #BuzonMessageList: `gtk_list_view_new (selection, buzon_message_row_new_factory ())`.
 *
 * Returns: (transfer full): the factory
 */
GtkListItemFactory *
buzon_message_row_new_factory (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind_cb), NULL);

  return factory;
}

/* The drag source */

typedef struct
{
  GtkSelectionModel *selection;
  gint64             account_id;
  guint              n_rows;
  guint              n_dragged;
  char              *subject;
} DragData;

static void
drag_data_free (DragData *data)
{
  g_clear_object (&data->selection);
  g_clear_pointer (&data->subject, g_free);
  g_free (data);
}

/* The id at @position of @selection, through the message list when it is
 * one (no item made for it), else through the item. */
static gint64
id_at (GtkSelectionModel *selection,
       GListModel        *list,
       guint              position)
{
  g_autoptr(BuzonMessageItem) item = NULL;

  if (list != NULL && BUZON_IS_MESSAGE_LIST (list))
    return buzon_message_list_get_id_at (BUZON_MESSAGE_LIST (list), position);

  item = g_list_model_get_item (G_LIST_MODEL (selection), position);

  return item != NULL ? buzon_message_item_get_id (item) : 0;
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 DragData      *data)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked;
  GListModel *list = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(BuzonMessageDrag) drag = NULL;
  BuzonMessageItem *item;
  gint64 folder_id = 0;
  gint64 id;
  guint position = 0;
  gboolean selected = FALSE;

  while (row != NULL && !BUZON_IS_MESSAGE_ROW (row))
    row = gtk_widget_get_parent (row);
  if (row == NULL || (item = buzon_message_row_get_item (BUZON_MESSAGE_ROW (row))) == NULL)
    return NULL;
  id = buzon_message_item_get_id (item);

  if (GTK_IS_MULTI_SELECTION (data->selection))
    list = gtk_multi_selection_get_model (GTK_MULTI_SELECTION (data->selection));
  if (list != NULL && BUZON_IS_MESSAGE_LIST (list))
    {
      folder_id = buzon_message_list_get_folder_id (BUZON_MESSAGE_LIST (list));
      selected = buzon_message_list_get_position_of (BUZON_MESSAGE_LIST (list), id, &position) &&
                 gtk_selection_model_is_selected (data->selection, position);
    }

  if (selected)
    {
      g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (data->selection);
      GtkBitsetIter iter;
      guint i;

      for (gboolean more = gtk_bitset_iter_init_first (&iter, set, &i); more;
           more = gtk_bitset_iter_next (&iter, &i))
        {
          gint64 selected_id = id_at (data->selection, list, i);

          if (selected_id > 0)
            g_array_append_val (ids, selected_id);
        }
    }
  else
    {
      g_array_append_val (ids, id);
    }

  /* A conversation's row carries all its messages in the folder. */
  data->n_rows = ids->len;
  if (list != NULL && BUZON_IS_MESSAGE_LIST (list) &&
      buzon_message_list_get_threaded (BUZON_MESSAGE_LIST (list)) && ids->len > 0)
    {
      BuzonStore *store = buzon_message_list_get_store (BUZON_MESSAGE_LIST (list));
      GArray *all;

      all = buzon_store_list_thread_message_ids_in_folder (store, folder_id,
                                                           (const gint64 *)(gpointer)ids->data,
                                                           ids->len, NULL);
      if (all != NULL)
        {
          g_array_unref (ids);
          ids = all;
        }
    }

  data->n_dragged = ids->len;
  g_free (data->subject);
  data->subject = g_strdup (buzon_message_item_get_subject (item));

  drag = buzon_message_drag_new (data->account_id, folder_id,
                                 (const gint64 *)(gpointer)ids->data, ids->len);

  return gdk_content_provider_new_typed (BUZON_TYPE_MESSAGE_DRAG, drag);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               DragData      *data)
{
  GtkWidget *icon = gtk_drag_icon_get_for_drag (drag);
  g_autofree char *text = NULL;
  GtkWidget *label;

  if (data->n_rows == 1 && data->subject != NULL && *data->subject != '\0')
    text = g_strdup (data->subject);
  else
    /* Translators: the label under the pointer while messages are dragged. */
    text = g_strdup_printf (ngettext ("%u message", "%u messages", data->n_dragged),
                            data->n_dragged);

  label = gtk_label_new (text);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "osd");
  gtk_widget_add_css_class (label, "toolbar");
  gtk_drag_icon_set_child (GTK_DRAG_ICON (icon), label);
}

/**
 * buzon_message_row_add_drag_source:
 * @view: the message list's view, whose rows are #BuzonMessageRow
 * @selection: its selection model, over a #BuzonMessageList
 * @account_id: the account of the messages listed
 *
 * Lets messages be dragged out of @view (to a folder in the sidebar):
 * dragging a selected row drags all selected messages, dragging another
 * row drags that one. The drag carries a #BuzonMessageDrag and offers
 * %GDK_ACTION_MOVE and %GDK_ACTION_COPY.
 */
void
buzon_message_row_add_drag_source (GtkListView       *view,
                                   GtkSelectionModel *selection,
                                   gint64             account_id)
{
  GtkDragSource *source;
  DragData *data;

  g_return_if_fail (GTK_IS_LIST_VIEW (view));
  g_return_if_fail (GTK_IS_SELECTION_MODEL (selection));

  data = g_new0 (DragData, 1);
  data->selection = g_object_ref (selection);
  data->account_id = account_id;

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE | GDK_ACTION_COPY);
  g_signal_connect_data (source, "prepare", G_CALLBACK (drag_prepare_cb), data,
                         (GClosureNotify)(void (*) (void))drag_data_free, 0);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), data);
  gtk_widget_add_controller (GTK_WIDGET (view), GTK_EVENT_CONTROLLER (source));
}

/* Test hooks (buzon-message-row-private.h) */

/* What the row last told screen readers its name is (GTK 4.8 has no
 * getter for accessible properties). */
const char *
_buzon_message_row_get_accessible_label (BuzonMessageRow *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ROW (self), NULL);

  return self->accessible_label;
}
