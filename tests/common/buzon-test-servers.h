/* buzon-test-servers.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * BuzonTestServers:
 *
 * A private Dovecot (IMAP, POP3) and SMTP submission server on 127.0.0.1, in a
 * fresh temporary directory with fresh ports and its own test CA, for one test.
 * Driven through build-aux/test-servers (its header documents the servers, the
 * users and the JSON shapes); every helper here runs one of its subcommands.
 *
 * The servers stop when buzon_test_servers_stop() is called and also, by
 * themselves, when the test process exits or aborts, so a failed assertion leaves
 * nothing running. Set BUZON_TEST_KEEP_SERVERS=1 to keep the directory (its
 * logs) after the test.
 *
 * Default users: ana@example.test / ana-secret, bruno@example.test /
 * bruno-secret, ñandú@example.test / contraseña-ñandú, catchall@example.test /
 * catchall-secret (gets the mail sent to addresses that are not users).
 */
typedef struct _BuzonTestServers BuzonTestServers;

#define BUZON_TEST_SERVERS_ERROR (buzon_test_servers_error_quark ())

/**
 * BuzonTestServersError:
 * @BUZON_TEST_SERVERS_ERROR_UNAVAILABLE: Dovecot, aiosmtpd, openssl or Python is
 *   not installed; the test should skip
 * @BUZON_TEST_SERVERS_ERROR_FAILED: a command failed; the message says why
 */
typedef enum
{
  BUZON_TEST_SERVERS_ERROR_UNAVAILABLE,
  BUZON_TEST_SERVERS_ERROR_FAILED,
} BuzonTestServersError;

/**
 * BuzonTestFlagsMode:
 * @BUZON_TEST_FLAGS_ADD: add the flags (+FLAGS)
 * @BUZON_TEST_FLAGS_REMOVE: remove the flags (-FLAGS)
 * @BUZON_TEST_FLAGS_REPLACE: set exactly these flags (FLAGS)
 */
typedef enum
{
  BUZON_TEST_FLAGS_ADD,
  BUZON_TEST_FLAGS_REMOVE,
  BUZON_TEST_FLAGS_REPLACE,
} BuzonTestFlagsMode;

/**
 * BuzonTestFillFlags:
 * @BUZON_TEST_FILL_NONE: plain generated messages
 * @BUZON_TEST_FILL_DOT_LINES: many body lines begin with "." or "..", and some
 *   are exactly ".", "..", "...", ".foo": POP3 must dot-stuff them
 * @BUZON_TEST_FILL_QUIET: leave out the per-message list (for big counts)
 */
typedef enum
{
  BUZON_TEST_FILL_NONE      = 0,
  BUZON_TEST_FILL_DOT_LINES = 1 << 0,
  BUZON_TEST_FILL_QUIET     = 1 << 1,
} BuzonTestFillFlags;

/**
 * BuzonTestFillOptions:
 * @mailbox: (nullable): the folder, created if missing; %NULL for INBOX
 * @size: about how many bytes of body each message has; 0 for about 2 KB
 * @seed: part of each Message-ID and of the generated text
 * @start_index: the index of the first message; 0 for 1
 * @flags: #BuzonTestFillFlags
 *
 * Options of buzon_test_servers_fill(); all zeros (or %NULL) are the defaults,
 * so `{ .flags = BUZON_TEST_FILL_DOT_LINES }` is enough.
 */
typedef struct
{
  const char         *mailbox;
  gsize               size;
  guint               seed;
  guint               start_index;
  BuzonTestFillFlags  flags;
} BuzonTestFillOptions;

/**
 * BuzonTestPop3StateFlags:
 * @BUZON_TEST_POP3_STATE_NONE: Message-IDs from TOP n 0
 * @BUZON_TEST_POP3_STATE_BODIES: RETR each message and add its "sha256"
 * @BUZON_TEST_POP3_STATE_APOP: log in with APOP (servers started with "--apop")
 */
typedef enum
{
  BUZON_TEST_POP3_STATE_NONE   = 0,
  BUZON_TEST_POP3_STATE_BODIES = 1 << 0,
  BUZON_TEST_POP3_STATE_APOP   = 1 << 1,
} BuzonTestPop3StateFlags;

GQuark            buzon_test_servers_error_quark       (void);

BuzonTestServers *buzon_test_servers_start             (const char          *profile,
                                                        GError             **error);
BuzonTestServers *buzon_test_servers_start_full        (const char          *profile,
                                                        const char * const  *extra_args,
                                                        GError             **error);
BuzonTestServers *buzon_test_servers_start_or_skip     (const char          *profile,
                                                        const char * const  *extra_args);
BuzonTestServers *buzon_test_servers_start_once        (BuzonTestServers   **servers,
                                                        gboolean            *tried,
                                                        const char          *profile,
                                                        const char * const  *extra_args);
void              buzon_test_servers_stop              (BuzonTestServers    *self);

guint             buzon_test_servers_get_port          (BuzonTestServers    *self,
                                                        const char          *service);
const char       *buzon_test_servers_get_host          (BuzonTestServers    *self);
const char       *buzon_test_servers_get_hostname      (BuzonTestServers    *self);
const char       *buzon_test_servers_get_ca_file       (BuzonTestServers    *self);
GTlsDatabase     *buzon_test_servers_get_tls_database  (BuzonTestServers    *self);
GTlsCertificate  *buzon_test_servers_get_certificate   (BuzonTestServers    *self);
const char       *buzon_test_servers_get_cert_sha256   (BuzonTestServers    *self);
const char       *buzon_test_servers_get_dir           (BuzonTestServers    *self);
const char       *buzon_test_servers_get_dovecot_log   (BuzonTestServers    *self);
const char       *buzon_test_servers_get_smtp_log      (BuzonTestServers    *self);
const char       *buzon_test_servers_get_password      (BuzonTestServers    *self,
                                                        const char          *address);
JsonObject       *buzon_test_servers_get_info          (BuzonTestServers    *self);

gboolean          buzon_test_servers_add_user          (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *password,
                                                        GError             **error);
gboolean          buzon_test_servers_append            (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        GBytes              *message,
                                                        const char          *flags,
                                                        GError             **error);
guint32           buzon_test_servers_append_full       (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        GBytes              *message,
                                                        const char          *flags,
                                                        GDateTime           *internal_date,
                                                        guint32             *out_uidvalidity,
                                                        GError             **error);
JsonNode         *buzon_test_servers_get_state         (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        gboolean             bodies,
                                                        GError             **error);
gboolean          buzon_test_servers_create_folder     (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        GError             **error);
gboolean          buzon_test_servers_delete_folder     (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        GError             **error);
gboolean          buzon_test_servers_rename_folder     (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *old_name,
                                                        const char          *new_name,
                                                        GError             **error);
gboolean          buzon_test_servers_set_flags         (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        const char          *uids,
                                                        const char          *flags,
                                                        BuzonTestFlagsMode   mode,
                                                        GError             **error);
gboolean          buzon_test_servers_expunge           (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        const char          *uids,
                                                        GError             **error);
gboolean          buzon_test_servers_move              (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        const char          *uids,
                                                        const char          *target,
                                                        GError             **error);
JsonNode         *buzon_test_servers_fill              (BuzonTestServers    *self,
                                                        const char          *address,
                                                        guint                count,
                                                        const BuzonTestFillOptions *options,
                                                        GError             **error);
gboolean          buzon_test_servers_get_quota         (BuzonTestServers    *self,
                                                        const char          *address,
                                                        const char          *mailbox,
                                                        guint64             *out_usage_kib,
                                                        guint64             *out_limit_kib,
                                                        GError             **error);
JsonNode         *buzon_test_servers_pop3_state        (BuzonTestServers    *self,
                                                        const char          *address,
                                                        BuzonTestPop3StateFlags flags,
                                                        GError             **error);
JsonNode         *buzon_test_servers_get_smtp_events   (BuzonTestServers    *self,
                                                        GError             **error);
JsonNode         *buzon_test_servers_run               (BuzonTestServers    *self,
                                                        GBytes              *input,
                                                        GError             **error,
                                                        const char          *subcommand,
                                                        ...) G_GNUC_NULL_TERMINATED;
JsonNode         *buzon_test_servers_runv              (BuzonTestServers    *self,
                                                        GBytes              *input,
                                                        const char * const  *args,
                                                        GError             **error);

JsonObject       *buzon_test_state_get_mailbox         (JsonNode            *state,
                                                        const char          *mailbox);
JsonObject       *buzon_test_state_find_message        (JsonNode            *state,
                                                        const char          *mailbox,
                                                        const char          *message_id);
JsonObject       *buzon_test_state_find_folder         (JsonNode            *state,
                                                        const char          *name);
JsonObject       *buzon_test_pop3_state_find_message   (JsonNode            *state,
                                                        const char          *message_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestServers, buzon_test_servers_stop)

G_END_DECLS
