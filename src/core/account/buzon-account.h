/* buzon-account.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-types.h"

G_BEGIN_DECLS

typedef enum
{
  BUZON_PROTOCOL_IMAP,
  BUZON_PROTOCOL_POP3,
} BuzonProtocol;

typedef enum
{
  BUZON_SECURITY_TLS,
  BUZON_SECURITY_STARTTLS,
  BUZON_SECURITY_NONE,
} BuzonSecurity;

typedef enum
{
  BUZON_POP3_MODE_DELETE,
  BUZON_POP3_MODE_KEEP,
  BUZON_POP3_MODE_KEEP_DAYS,
  BUZON_POP3_MODE_KEEP_UNTIL_DELETED,
} BuzonPop3Mode;

typedef enum
{
  BUZON_SYNC_POLICY_HEADERS,
  BUZON_SYNC_POLICY_FULL,
  BUZON_SYNC_POLICY_FULL_DAYS,
} BuzonSyncPolicy;

#define BUZON_ACCOUNT_ERROR (buzon_account_error_quark ())

typedef enum
{
  BUZON_ACCOUNT_ERROR_INVALID,
  BUZON_ACCOUNT_ERROR_NO_PASSWORD,
  BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND,
  BUZON_ACCOUNT_ERROR_KEYRING,
} BuzonAccountError;

#define BUZON_TYPE_ACCOUNT (buzon_account_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccount, buzon_account, BUZON, ACCOUNT, GObject)

GQuark           buzon_account_error_quark           (void);

BuzonAccount    *buzon_account_new                   (const char      *name) G_GNUC_WARN_UNUSED_RESULT;

gint64           buzon_account_get_id                (BuzonAccount    *self);
void             buzon_account_set_id                (BuzonAccount    *self,
                                                      gint64           id);
const char      *buzon_account_get_name              (BuzonAccount    *self);
void             buzon_account_set_name              (BuzonAccount    *self,
                                                      const char      *name);
const char      *buzon_account_get_display_name      (BuzonAccount    *self);
void             buzon_account_set_display_name      (BuzonAccount    *self,
                                                      const char      *display_name);
const char      *buzon_account_get_address           (BuzonAccount    *self);
void             buzon_account_set_address           (BuzonAccount    *self,
                                                      const char      *address);
BuzonProtocol    buzon_account_get_protocol          (BuzonAccount    *self);
void             buzon_account_set_protocol          (BuzonAccount    *self,
                                                      BuzonProtocol    protocol);
const char      *buzon_account_get_host              (BuzonAccount    *self);
void             buzon_account_set_host              (BuzonAccount    *self,
                                                      const char      *host);
guint            buzon_account_get_port              (BuzonAccount    *self);
void             buzon_account_set_port              (BuzonAccount    *self,
                                                      guint            port);
BuzonSecurity    buzon_account_get_security          (BuzonAccount    *self);
void             buzon_account_set_security          (BuzonAccount    *self,
                                                      BuzonSecurity    security);
const char      *buzon_account_get_username          (BuzonAccount    *self);
void             buzon_account_set_username          (BuzonAccount    *self,
                                                      const char      *username);
const char      *buzon_account_get_password_command  (BuzonAccount    *self);
void             buzon_account_set_password_command  (BuzonAccount    *self,
                                                      const char      *command);
BuzonPop3Mode    buzon_account_get_pop3_mode         (BuzonAccount    *self);
void             buzon_account_set_pop3_mode         (BuzonAccount    *self,
                                                      BuzonPop3Mode    mode);
guint            buzon_account_get_pop3_keep_days    (BuzonAccount    *self);
void             buzon_account_set_pop3_keep_days    (BuzonAccount    *self,
                                                      guint            days);
BuzonSyncPolicy  buzon_account_get_sync_policy       (BuzonAccount    *self);
void             buzon_account_set_sync_policy       (BuzonAccount    *self,
                                                      BuzonSyncPolicy  policy);
guint            buzon_account_get_sync_days         (BuzonAccount    *self);
void             buzon_account_set_sync_days         (BuzonAccount    *self,
                                                      guint            days);
const char      *buzon_account_get_smtp_host         (BuzonAccount    *self);
void             buzon_account_set_smtp_host         (BuzonAccount    *self,
                                                      const char      *host);
guint            buzon_account_get_smtp_port         (BuzonAccount    *self);
void             buzon_account_set_smtp_port         (BuzonAccount    *self,
                                                      guint            port);
BuzonSecurity    buzon_account_get_smtp_security     (BuzonAccount    *self);
void             buzon_account_set_smtp_security     (BuzonAccount    *self,
                                                      BuzonSecurity    security);
const char      *buzon_account_get_smtp_username     (BuzonAccount    *self);
void             buzon_account_set_smtp_username     (BuzonAccount    *self,
                                                      const char      *username);
gboolean         buzon_account_get_save_sent         (BuzonAccount    *self);
void             buzon_account_set_save_sent         (BuzonAccount    *self,
                                                      gboolean         save_sent);
const char      *buzon_account_get_signature         (BuzonAccount    *self);
void             buzon_account_set_signature         (BuzonAccount    *self,
                                                      const char      *signature);

gboolean         buzon_account_validate              (BuzonAccount    *self,
                                                      GError         **error);
char            *buzon_account_dup_pop3_mode_string  (BuzonAccount    *self) G_GNUC_WARN_UNUSED_RESULT;
char            *buzon_account_dup_sync_string       (BuzonAccount    *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean         buzon_account_set_pop3_mode_string  (BuzonAccount    *self,
                                                      const char      *text,
                                                      GError         **error);
gboolean         buzon_account_set_sync_string       (BuzonAccount    *self,
                                                      const char      *text,
                                                      GError         **error);

const char      *buzon_protocol_to_string            (BuzonProtocol    protocol);
gboolean         buzon_protocol_from_string          (const char      *text,
                                                      BuzonProtocol   *out_protocol);
const char      *buzon_security_to_string            (BuzonSecurity    security);
gboolean         buzon_security_from_string          (const char      *text,
                                                      BuzonSecurity   *out_security);
guint            buzon_protocol_default_port         (BuzonProtocol    protocol,
                                                      BuzonSecurity    security);
guint            buzon_smtp_default_port             (BuzonSecurity    security);

G_END_DECLS
