/* buzon-pop3-switch.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-account.h"
#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BUZON_POP3_SWITCH_ERROR:
 *
 * Errors of the switch itself; the session's, the connection's and the
 * store's errors come through unchanged. Messages are sentences for the user.
 */
#define BUZON_POP3_SWITCH_ERROR (buzon_pop3_switch_error_quark ())

/**
 * BuzonPop3SwitchError:
 * @BUZON_POP3_SWITCH_ERROR_NOT_POP3: the account does not use POP3
 * @BUZON_POP3_SWITCH_ERROR_NO_PASSWORD: no password is stored for the account
 * @BUZON_POP3_SWITCH_ERROR_FOLDER_CLASH: two local folders would become the
 *   same server folder
 * @BUZON_POP3_SWITCH_ERROR_INCOMPLETE: some messages could not be uploaded;
 *   the account stays a POP3 account (what was uploaded is kept, and a new
 *   run goes on from there)
 * @BUZON_POP3_SWITCH_ERROR_LOST_TRACK: the server stored a message but the
 *   switch could not tell under which UID
 */
typedef enum
{
  BUZON_POP3_SWITCH_ERROR_NOT_POP3,
  BUZON_POP3_SWITCH_ERROR_NO_PASSWORD,
  BUZON_POP3_SWITCH_ERROR_FOLDER_CLASH,
  BUZON_POP3_SWITCH_ERROR_INCOMPLETE,
  BUZON_POP3_SWITCH_ERROR_LOST_TRACK,
} BuzonPop3SwitchError;

GQuark buzon_pop3_switch_error_quark (void);

/**
 * BuzonPop3SwitchStats:
 * @uploaded: messages this run stored on the server (APPEND)
 * @already_there: messages that were on the server already: there before
 *   the switch, or put there by an earlier run that was interrupted
 * @folders_created: server folders this run created
 * @failed: messages the server refused, or whose content is not stored here
 *
 * What a run of the switch did.
 */
typedef struct
{
  guint uploaded;
  guint already_there;
  guint folders_created;
  guint failed;
} BuzonPop3SwitchStats;

#define BUZON_TYPE_POP3_SWITCH (buzon_pop3_switch_get_type ())

G_DECLARE_FINAL_TYPE (BuzonPop3Switch, buzon_pop3_switch, BUZON, POP3_SWITCH, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Switch *buzon_pop3_switch_new              (BuzonStore            *store,
                                                     BuzonAccount          *account);
BuzonAccount    *buzon_pop3_switch_get_account      (BuzonPop3Switch       *self);
BuzonAccount    *buzon_pop3_switch_get_target       (BuzonPop3Switch       *self);
void             buzon_pop3_switch_set_tls_database (BuzonPop3Switch       *self,
                                                     GTlsDatabase          *database);

void             buzon_pop3_switch_run_async        (BuzonPop3Switch       *self,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
gboolean         buzon_pop3_switch_run_finish       (BuzonPop3Switch       *self,
                                                     GAsyncResult          *result,
                                                     BuzonPop3SwitchStats  *out_stats,
                                                     GError               **error);

G_END_DECLS
