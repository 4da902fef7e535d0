/* buzon-composer.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "buzon-compose.h"
#include "buzon-store.h"
#include "buzon-sync-manager.h"

G_BEGIN_DECLS

/* Many servers refuse messages over this (the attachments grow by a third
 * in base64 on top). */
#define BUZON_COMPOSER_SIZE_WARNING (20 * 1000 * 1000)

#define BUZON_TYPE_COMPOSER (buzon_composer_get_type ())

G_DECLARE_FINAL_TYPE (BuzonComposer, buzon_composer, BUZON, COMPOSER, AdwWindow)

G_GNUC_WARN_UNUSED_RESULT
BuzonComposer     *buzon_composer_new                    (GtkApplication          *application,
                                                          BuzonStore              *store,
                                                          BuzonSyncManager        *sync,
                                                          GListModel              *accounts,
                                                          BuzonAccount            *account,
                                                          const BuzonComposeDraft *draft);
BuzonAccount      *buzon_composer_get_account            (BuzonComposer           *self);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_composer_dup_draft              (BuzonComposer           *self);
void               buzon_composer_set_undo_delay         (BuzonComposer           *self,
                                                          guint                    seconds);
void               buzon_composer_set_autosave_delay     (BuzonComposer           *self,
                                                          guint                    msec);
void               buzon_composer_set_saved_draft        (BuzonComposer           *self,
                                                          gint64                   message_id);
gint64             buzon_composer_get_saved_draft        (BuzonComposer           *self);
gboolean           buzon_composer_save_draft             (BuzonComposer           *self,
                                                          GError                 **error);
void               buzon_composer_attach_files           (BuzonComposer           *self,
                                                          GFile * const           *files,
                                                          guint                    n_files);
guint              buzon_composer_get_n_attachments      (BuzonComposer           *self);
gboolean           buzon_composer_get_attaching          (BuzonComposer           *self);
void               buzon_composer_focus_body_start       (BuzonComposer           *self);
void               buzon_composer_insert_signature       (BuzonComposer           *self);
gboolean           buzon_composer_has_content            (BuzonComposer           *self);

G_END_DECLS
