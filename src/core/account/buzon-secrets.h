/* buzon-secrets.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-account.h"

G_BEGIN_DECLS

/**
 * BuzonSecretKind:
 * @BUZON_SECRET_INCOMING: the IMAP or POP3 password
 * @BUZON_SECRET_SMTP: the SMTP submission password, when it differs
 */
typedef enum
{
  BUZON_SECRET_INCOMING,
  BUZON_SECRET_SMTP,
} BuzonSecretKind;

gboolean  buzon_secrets_store_password         (BuzonAccount         *account,
                                                BuzonSecretKind       kind,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GError              **error);
char     *buzon_secrets_lookup_password        (BuzonAccount         *account,
                                                BuzonSecretKind       kind,
                                                GCancellable         *cancellable,
                                                GError              **error) G_GNUC_WARN_UNUSED_RESULT;
void      buzon_secrets_lookup_password_async  (BuzonAccount         *account,
                                                BuzonSecretKind       kind,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char     *buzon_secrets_lookup_password_finish (GAsyncResult         *result,
                                                GError              **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean  buzon_secrets_clear_passwords        (BuzonAccount         *account,
                                                GCancellable         *cancellable,
                                                GError              **error);
char     *buzon_secrets_run_password_command   (const char           *command,
                                                GCancellable         *cancellable,
                                                GError              **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
