/* buzon-message-item.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonMessageItem is one row of BuzonMessageList. The list hands it out at
 * once, as a placeholder that knows only its message id, and fills it in
 * place when the page holding it has been read, so a view and its selection
 * keep the same object. Refreshes (a flag set elsewhere) go through the same
 * setter, which notifies only the properties whose value changed. GTK-free.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "buzon-message-item.h"
#include "buzon-message-list-private.h"

struct _BuzonMessageItem
{
  GObject              parent_instance;

  gint64               id;
  BuzonMessageSummary *summary;
  char                *sender;
  char                *date_text;
  guint                thread_count;   /* 0: a message row, not a conversation */
  guint                thread_unread;
};

G_DEFINE_FINAL_TYPE (BuzonMessageItem, buzon_message_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_LOADED,
  PROP_SUBJECT,
  PROP_SENDER,
  PROP_PREVIEW,
  PROP_DATE,
  PROP_DATE_TEXT,
  PROP_UNREAD,
  PROP_FLAGGED,
  PROP_HAS_ATTACHMENTS,
  PROP_ANSWERED,
  PROP_THREAD_COUNT,
  PROP_THREAD_UNREAD_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
flags_unread (const BuzonMessageSummary *summary)
{
  return summary != NULL &&
         (summary->flags & (BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_DELETED)) == 0;
}

/* Unread as the row shows it: a conversation row while any of its messages
 * in the folder is. */
static gboolean
item_unread (BuzonMessageItem *self)
{
  if (self->thread_count > 0)
    return self->thread_unread > 0;

  return flags_unread (self->summary);
}

static gboolean
flags_have (const BuzonMessageSummary *summary,
            BuzonMessageFlags          flag)
{
  return summary != NULL && (summary->flags & flag) != 0;
}

/**
 * buzon_message_item_sender_from_text:
 * @from: (nullable): a From field as the store keeps it, decoded, e.g.
 *   `"Pérez, Ana" <ana@example.es>, bob@example.com`
 *
 * What the list shows as the sender: the first address's display name when
 * it has one, else its address.
 *
 * Returns: (transfer full): the sender, "" when there is none
 */
char *
buzon_message_item_sender_from_text (const char *from)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) address = g_string_new (NULL);
  gboolean quoted = FALSE;
  gboolean in_angle = FALSE;
  gboolean had_angle = FALSE;

  if (from == NULL)
    return g_strdup ("");

  for (const char *p = from; *p != '\0'; p++)
    {
      if (in_angle)
        {
          if (*p == '>')
            in_angle = FALSE;
          else
            g_string_append_c (address, *p);
        }
      else if (quoted)
        {
          if (*p == '\\' && p[1] != '\0')
            g_string_append_c (name, *++p);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (name, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == '<')
        in_angle = had_angle = TRUE;
      else if (*p == ',')
        break;
      else
        g_string_append_c (name, *p);
    }

  g_strstrip (name->str);
  g_string_set_size (name, strlen (name->str));
  g_strstrip (address->str);
  g_string_set_size (address, strlen (address->str));

  /* A bare address is all "name" to the loop above. */
  if (name->len > 0)
    return g_string_free (g_steal_pointer (&name), FALSE);
  if (had_angle)
    return g_string_free (g_steal_pointer (&address), FALSE);

  return g_strdup ("");
}

/**
 * buzon_message_item_format_date:
 * @date: seconds since the epoch
 * @now: (nullable): the present, local time; %NULL for the real one
 *
 * The short date of the message list: the time for today's messages, the
 * weekday for those of the last six days, a short date otherwise. The
 * formats go through gettext, so each language orders them its own way.
 *
 * Returns: (transfer full): the text, "" for no date (0)
 */
char *
buzon_message_item_format_date (gint64     date,
                                GDateTime *now)
{
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) week_ago = NULL;
  char *text = NULL;

  if (date <= 0)
    return g_strdup ("");

  local_now = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_local ();
  when = g_date_time_new_from_unix_local (date);
  if (when == NULL)
    return g_strdup ("");

  today = g_date_time_new_local (g_date_time_get_year (local_now),
                                 g_date_time_get_month (local_now),
                                 g_date_time_get_day_of_month (local_now), 0, 0, 0);
  week_ago = g_date_time_add_days (today, -6);

  if (g_date_time_compare (when, today) >= 0 &&
      g_date_time_difference (when, local_now) <= G_TIME_SPAN_DAY)
    /* Translators: the time of a message received today, in the message
     * list; see g_date_time_format() for the codes. */
    text = g_date_time_format (when, _("%H:%M"));
  else if (g_date_time_compare (when, week_ago) >= 0 && g_date_time_compare (when, today) < 0)
    /* Translators: the weekday of a message of the last six days. */
    text = g_date_time_format (when, _("%A"));
  else if (g_date_time_get_year (when) == g_date_time_get_year (local_now))
    /* Translators: the short date of an older message of this year,
     * e.g. "Mar 5". */
    text = g_date_time_format (when, _("%b %-d"));
  else
    /* Translators: the short date of a message of another year. */
    text = g_date_time_format (when, _("%x"));

  return text != NULL ? text : g_strdup ("");
}

static void
buzon_message_item_finalize (GObject *object)
{
  BuzonMessageItem *self = BUZON_MESSAGE_ITEM (object);

  g_clear_pointer (&self->summary, buzon_message_summary_free);
  g_clear_pointer (&self->sender, g_free);
  g_clear_pointer (&self->date_text, g_free);

  G_OBJECT_CLASS (buzon_message_item_parent_class)->finalize (object);
}

static void
buzon_message_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BuzonMessageItem *self = BUZON_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, buzon_message_item_get_loaded (self));
      break;

    case PROP_SUBJECT:
      g_value_set_string (value, buzon_message_item_get_subject (self));
      break;

    case PROP_SENDER:
      g_value_set_string (value, buzon_message_item_get_sender (self));
      break;

    case PROP_PREVIEW:
      g_value_set_string (value, buzon_message_item_get_preview (self));
      break;

    case PROP_DATE:
      g_value_set_int64 (value, buzon_message_item_get_date (self));
      break;

    case PROP_DATE_TEXT:
      g_value_set_string (value, buzon_message_item_get_date_text (self));
      break;

    case PROP_UNREAD:
      g_value_set_boolean (value, buzon_message_item_get_unread (self));
      break;

    case PROP_FLAGGED:
      g_value_set_boolean (value, buzon_message_item_get_flagged (self));
      break;

    case PROP_HAS_ATTACHMENTS:
      g_value_set_boolean (value, buzon_message_item_get_has_attachments (self));
      break;

    case PROP_ANSWERED:
      g_value_set_boolean (value, buzon_message_item_get_answered (self));
      break;

    case PROP_THREAD_COUNT:
      g_value_set_uint (value, self->thread_count);
      break;

    case PROP_THREAD_UNREAD_COUNT:
      g_value_set_uint (value, self->thread_unread);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_message_item_class_init (BuzonMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = buzon_message_item_finalize;
  object_class->get_property = buzon_message_item_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, "", flags);
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, "", flags);
  properties[PROP_PREVIEW] = g_param_spec_string ("preview", NULL, NULL, "", flags);
  properties[PROP_DATE] = g_param_spec_int64 ("date", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                                              flags);
  properties[PROP_DATE_TEXT] = g_param_spec_string ("date-text", NULL, NULL, "", flags);
  properties[PROP_UNREAD] = g_param_spec_boolean ("unread", NULL, NULL, FALSE, flags);
  properties[PROP_FLAGGED] = g_param_spec_boolean ("flagged", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_ATTACHMENTS] = g_param_spec_boolean ("has-attachments", NULL, NULL, FALSE,
                                                           flags);
  properties[PROP_ANSWERED] = g_param_spec_boolean ("answered", NULL, NULL, FALSE, flags);
  /**
   * BuzonMessageItem:thread-count:
   *
   * In a threaded list, how many messages of the conversation the folder
   * has (the item shows the newest); 0 in a list of messages.
   */
  properties[PROP_THREAD_COUNT] = g_param_spec_uint ("thread-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                     flags);
  properties[PROP_THREAD_UNREAD_COUNT] = g_param_spec_uint ("thread-unread-count", NULL, NULL, 0,
                                                            G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_message_item_init (BuzonMessageItem *self)
{
}

/* Private API (buzon-message-list-private.h) */

BuzonMessageItem *
_buzon_message_item_new (gint64 id)
{
  BuzonMessageItem *self = g_object_new (BUZON_TYPE_MESSAGE_ITEM, NULL);

  self->id = id;

  return self;
}

/* Takes @summary and notifies what changed. */
void
_buzon_message_item_set_summary (BuzonMessageItem    *self,
                                 BuzonMessageSummary *summary)
{
  g_autoptr(BuzonMessageSummary) old = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *date_text = NULL;
  gboolean was_unread;

  g_return_if_fail (BUZON_IS_MESSAGE_ITEM (self));
  g_return_if_fail (summary != NULL && summary->id == self->id);

  was_unread = item_unread (self);
  old = g_steal_pointer (&self->summary);
  self->summary = summary;
  sender = buzon_message_item_sender_from_text (summary->from);
  date_text = buzon_message_item_format_date (summary->date, NULL);

  g_object_freeze_notify (G_OBJECT (self));

  if (old == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  if (old == NULL || g_strcmp0 (old->subject, summary->subject) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
  if (g_strcmp0 (self->sender, sender) != 0)
    {
      g_free (self->sender);
      self->sender = g_steal_pointer (&sender);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDER]);
    }
  if (old == NULL || g_strcmp0 (old->preview, summary->preview) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
  if (old == NULL || old->date != summary->date)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
  if (g_strcmp0 (self->date_text, date_text) != 0)
    {
      g_free (self->date_text);
      self->date_text = g_steal_pointer (&date_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE_TEXT]);
    }
  if (was_unread != item_unread (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
  if (flags_have (old, BUZON_MESSAGE_FLAG_FLAGGED) !=
      flags_have (summary, BUZON_MESSAGE_FLAG_FLAGGED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGGED]);
  if (flags_have (old, BUZON_MESSAGE_FLAG_ANSWERED) !=
      flags_have (summary, BUZON_MESSAGE_FLAG_ANSWERED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWERED]);
  if ((old != NULL && old->has_attachments) != summary->has_attachments)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ATTACHMENTS]);

  g_object_thaw_notify (G_OBJECT (self));
}

/* Makes the item a conversation's row: @count of its messages in the
 * folder, @unread of them unread. Notifies what changed. */
void
_buzon_message_item_set_thread (BuzonMessageItem *self,
                                guint             count,
                                guint             unread)
{
  gboolean was_unread;

  g_return_if_fail (BUZON_IS_MESSAGE_ITEM (self));
  g_return_if_fail (count > 0);

  was_unread = item_unread (self);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->thread_count != count)
    {
      self->thread_count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREAD_COUNT]);
    }
  if (self->thread_unread != unread)
    {
      self->thread_unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREAD_UNREAD_COUNT]);
    }
  if (was_unread != item_unread (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Public API */

/**
 * buzon_message_item_get_id:
 *
 * Returns: the message's id in the store
 */
gint64
buzon_message_item_get_id (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), 0);

  return self->id;
}

/**
 * buzon_message_item_get_loaded:
 *
 * Returns: whether the summary has been read; %FALSE for a placeholder
 */
gboolean
buzon_message_item_get_loaded (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), FALSE);

  return self->summary != NULL;
}

/**
 * buzon_message_item_get_summary:
 *
 * Returns: (transfer none) (nullable): the summary, %NULL while not loaded
 */
const BuzonMessageSummary *
buzon_message_item_get_summary (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), NULL);

  return self->summary;
}

/**
 * buzon_message_item_get_subject:
 *
 * Returns: the subject, "" when none or not loaded
 */
const char *
buzon_message_item_get_subject (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), "");

  return self->summary != NULL && self->summary->subject != NULL ? self->summary->subject : "";
}

/**
 * buzon_message_item_get_sender:
 *
 * Returns: the first sender's display name, else address; "" when not loaded
 */
const char *
buzon_message_item_get_sender (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), "");

  return self->sender != NULL ? self->sender : "";
}

/**
 * buzon_message_item_get_preview:
 *
 * Returns: the first words of the text, "" when none or not loaded
 */
const char *
buzon_message_item_get_preview (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), "");

  return self->summary != NULL && self->summary->preview != NULL ? self->summary->preview : "";
}

/**
 * buzon_message_item_get_date:
 *
 * Returns: the Date, seconds since the epoch; 0 when not loaded
 */
gint64
buzon_message_item_get_date (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), 0);

  return self->summary != NULL ? self->summary->date : 0;
}

/**
 * buzon_message_item_get_date_text:
 *
 * Returns: the date as the list shows it (see buzon_message_item_format_date())
 */
const char *
buzon_message_item_get_date_text (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), "");

  return self->date_text != NULL ? self->date_text : "";
}

/**
 * buzon_message_item_get_unread:
 *
 * Returns: whether the message has neither \Seen nor \Deleted; for a
 *   conversation's row, whether any of its messages in the folder is unread
 */
gboolean
buzon_message_item_get_unread (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), FALSE);

  return item_unread (self);
}

/**
 * buzon_message_item_get_thread_count:
 *
 * Returns: see #BuzonMessageItem:thread-count
 */
guint
buzon_message_item_get_thread_count (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), 0);

  return self->thread_count;
}

/**
 * buzon_message_item_get_thread_unread_count:
 *
 * Returns: how many of the conversation's messages in the folder are
 *   unread; 0 in a list of messages
 */
guint
buzon_message_item_get_thread_unread_count (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), 0);

  return self->thread_unread;
}

/**
 * buzon_message_item_get_flagged:
 *
 * Returns: whether the message has \Flagged
 */
gboolean
buzon_message_item_get_flagged (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), FALSE);

  return flags_have (self->summary, BUZON_MESSAGE_FLAG_FLAGGED);
}

/**
 * buzon_message_item_get_has_attachments:
 *
 * Returns: whether the message has attachments
 */
gboolean
buzon_message_item_get_has_attachments (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), FALSE);

  return self->summary != NULL && self->summary->has_attachments;
}

/**
 * buzon_message_item_get_answered:
 *
 * Returns: whether the message has \Answered
 */
gboolean
buzon_message_item_get_answered (BuzonMessageItem *self)
{
  g_return_val_if_fail (BUZON_IS_MESSAGE_ITEM (self), FALSE);

  return flags_have (self->summary, BUZON_MESSAGE_FLAG_ANSWERED);
}
