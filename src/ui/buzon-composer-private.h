/* buzon-composer-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The composer's insides, for its UI test to drive the real widgets. */

#pragma once

#include "buzon-composer.h"

G_BEGIN_DECLS

struct _BuzonComposer
{
  AdwWindow             parent_instance;

  BuzonStore           *store;
  BuzonSyncManager     *sync;
  GListModel           *accounts;
  BuzonComposeDraft    *base;         /* what the fields do not show */
  GPtrArray            *attachments;  /* BuzonComposeAttachment */
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  BuzonAccount         *saved_account;
  gint64                saved_draft;
  guint                 undo_delay;
  guint                 autosave_msec;
  guint                 autosave_source;
  guint                 attaching;
  gboolean              modified;
  gboolean              done;
  gboolean              filling;
  char                 *signature;       /* the block put in, or NULL */

  /* template */
  AdwWindowTitle       *window_title;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkDropDown          *from_dropdown;
  GtkLabel             *from_label;
  GtkEntry             *to_entry;
  GtkToggleButton      *cc_button;
  GtkEntry             *cc_entry;
  GtkEntry             *bcc_entry;
  GtkEntry             *subject_entry;
  GtkTextView          *body_view;
  GtkRevealer          *attachments_revealer;
  GtkLabel             *size_warning;
  GtkListBox           *attachments_list;
};

G_END_DECLS
