/* buzon-account-row.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonAccountRow shows one account in the sidebar: its name, its address and,
 * in plain words, where the account keeps its mail. People who do not know the
 * words IMAP and POP3 still need to know that a POP3 account takes mail off the
 * server (that is why mail "vanishes" from their phone), so the row says it
 * first and names the protocol second. The row follows the account's
 * properties while it is shown.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-account-row.h"

struct _BuzonAccountRow
{
  GtkListBoxRow  parent_instance;

  BuzonAccount  *account;

  /* template */
  GtkImage      *protocol_image;
  GtkLabel      *name_label;
  GtkLabel      *address_label;
  GtkLabel      *protocol_label;
};

G_DEFINE_FINAL_TYPE (BuzonAccountRow, buzon_account_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
buzon_account_row_update (BuzonAccountRow *self)
{
  BuzonProtocol protocol = buzon_account_get_protocol (self->account);
  const char *name = buzon_account_get_name (self->account);
  const char *address = buzon_account_get_address (self->account);
  const char *where = buzon_account_row_protocol_text (protocol);
  g_autofree char *accessible = NULL;

  gtk_label_set_label (self->name_label, name ? name : "");
  gtk_label_set_label (self->address_label, address ? address : "");
  gtk_widget_set_visible (GTK_WIDGET (self->address_label), address != NULL && *address != '\0');
  gtk_label_set_label (self->protocol_label, where);
  gtk_image_set_from_icon_name (self->protocol_image,
                                protocol == BUZON_PROTOCOL_POP3 ? "computer-symbolic"
                                                                : "network-server-symbolic");

  /* Screen readers get the three lines as one name, in reading order. */
  if (address != NULL && *address != '\0')
    /* Translators: how a screen reader names an account in the sidebar:
     * account name, e-mail address, where its mail is kept. */
    accessible = g_strdup_printf (C_("account row", "%s, %s, %s"),
                                  name ? name : "", address, where);
  else
    /* Translators: the same for an account without an address: account name,
     * where its mail is kept. */
    accessible = g_strdup_printf (C_("account row", "%s, %s"), name ? name : "", where);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
buzon_account_row_account_notify_cb (BuzonAccountRow *self,
                                     GParamSpec      *pspec,
                                     BuzonAccount    *account)
{
  buzon_account_row_update (self);
}

static void
buzon_account_row_dispose (GObject *object)
{
  BuzonAccountRow *self = BUZON_ACCOUNT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_ACCOUNT_ROW);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (buzon_account_row_parent_class)->dispose (object);
}

static void
buzon_account_row_constructed (GObject *object)
{
  BuzonAccountRow *self = BUZON_ACCOUNT_ROW (object);

  G_OBJECT_CLASS (buzon_account_row_parent_class)->constructed (object);

  g_assert (self->account != NULL);

  g_signal_connect_object (self->account, "notify::name",
                           G_CALLBACK (buzon_account_row_account_notify_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "notify::address",
                           G_CALLBACK (buzon_account_row_account_notify_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "notify::protocol",
                           G_CALLBACK (buzon_account_row_account_notify_cb), self,
                           G_CONNECT_SWAPPED);
  buzon_account_row_update (self);
}

static void
buzon_account_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BuzonAccountRow *self = BUZON_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BuzonAccountRow *self = BUZON_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_row_class_init (BuzonAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = buzon_account_row_constructed;
  object_class->dispose = buzon_account_row_dispose;
  object_class->get_property = buzon_account_row_get_property;
  object_class->set_property = buzon_account_row_set_property;

  /**
   * BuzonAccountRow:account:
   *
   * The account the row shows.
   */
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         BUZON_TYPE_ACCOUNT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/"
                                               "ui/buzon-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonAccountRow, protocol_image);
  gtk_widget_class_bind_template_child (widget_class, BuzonAccountRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonAccountRow, address_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonAccountRow, protocol_label);
}

static void
buzon_account_row_init (BuzonAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * buzon_account_row_new:
 * @account: the account to show
 *
 * Creates a sidebar row for @account.
 *
 * Returns: (transfer full): a new #BuzonAccountRow
 */
GtkWidget *
buzon_account_row_new (BuzonAccount *account)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  return g_object_new (BUZON_TYPE_ACCOUNT_ROW,
                       "account", account,
                       NULL);
}

/**
 * buzon_account_row_get_account:
 * @self: a #BuzonAccountRow
 *
 * Returns: (transfer none): the account the row shows
 */
BuzonAccount *
buzon_account_row_get_account (BuzonAccountRow *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}

/**
 * buzon_account_row_protocol_text:
 * @protocol: a #BuzonProtocol
 *
 * Says in plain words where an account of this protocol keeps its mail.
 *
 * Returns: (transfer none): a translated string
 */
const char *
buzon_account_row_protocol_text (BuzonProtocol protocol)
{
  switch (protocol)
    {
    case BUZON_PROTOCOL_POP3:
      /* Translators: where a POP3 account keeps its mail, shown under the
       * account in the sidebar. Keep “(POP3)”. */
      return _("Downloaded to this computer (POP3)");

    case BUZON_PROTOCOL_IMAP:
    default:
      /* Translators: where an IMAP account keeps its mail, shown under the
       * account in the sidebar. Keep “(IMAP)”. */
      return _("Kept on the server (IMAP)");
    }
}
