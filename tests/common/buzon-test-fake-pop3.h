/* buzon-test-fake-pop3.h
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
 * BuzonTestFakePop3:
 *
 * A scripted POP3 server (tests/common/fake-pop3.py, whose header documents it)
 * on 127.0.0.1 and a free port, for one test: it serves the *.eml files of a
 * directory as the mailbox and, on request, misbehaves in the ways a real
 * server will not (no UIDL, no TOP, no CAPA, a dropped connection after DELE,
 * malformed or slow replies). Plain TCP without STLS unless "--tls CERT KEY"
 * (implicit TLS) or "--stls CERT KEY" is given, so the client under test is
 * told to connect with no security. It stops with buzon_test_fake_pop3_stop()
 * and by itself when the test process exits.
 *
 * The mailbox directory is read again at each login; DELE removes files only
 * at QUIT (RFC 1939 UPDATE state). One user: BUZON_TEST_FAKE_POP3_USER with
 * BUZON_TEST_FAKE_POP3_PASSWORD unless "--user" and "--password" say otherwise.
 */
typedef struct _BuzonTestFakePop3 BuzonTestFakePop3;

#define BUZON_TEST_FAKE_POP3_USER     "fake@example.test"
#define BUZON_TEST_FAKE_POP3_PASSWORD "fake-secret"

/**
 * BuzonTestFakePop3Flags:
 * @BUZON_TEST_FAKE_POP3_NONE: a well-behaved RFC 1939 + RFC 2449 server
 * @BUZON_TEST_FAKE_POP3_NO_UIDL: UIDL answers -ERR and CAPA lacks it
 * @BUZON_TEST_FAKE_POP3_NO_TOP: TOP answers -ERR and CAPA lacks it
 * @BUZON_TEST_FAKE_POP3_NO_CAPA: CAPA answers -ERR
 * @BUZON_TEST_FAKE_POP3_APOP: the greeting carries an APOP timestamp and APOP
 *   logs in
 * @BUZON_TEST_FAKE_POP3_DROP_AFTER_DELE: the connection is closed right after
 *   the reply to a session's first DELE, before any QUIT (so nothing is
 *   deleted); "--drop-after-dele", "N" waits for the N-th
 * @BUZON_TEST_FAKE_POP3_MAILDIR: the directory is a Maildir (its new/ and
 *   cur/ files are the messages) rather than a directory of *.eml files
 *
 * The behaviours that take a value are extra arguments of
 * buzon_test_fake_pop3_start(): "--garbage", "greeting|stat|list|uidl|retr|status";
 * "--slow", "MS"; "--tls" or "--stls", "CERT", "KEY"; "--user", "U";
 * "--password", "P".
 */
typedef enum
{
  BUZON_TEST_FAKE_POP3_NONE            = 0,
  BUZON_TEST_FAKE_POP3_NO_UIDL         = 1 << 0,
  BUZON_TEST_FAKE_POP3_NO_TOP          = 1 << 1,
  BUZON_TEST_FAKE_POP3_NO_CAPA         = 1 << 2,
  BUZON_TEST_FAKE_POP3_APOP            = 1 << 3,
  BUZON_TEST_FAKE_POP3_DROP_AFTER_DELE = 1 << 4,
  BUZON_TEST_FAKE_POP3_MAILDIR         = 1 << 5,
} BuzonTestFakePop3Flags;

BuzonTestFakePop3 *buzon_test_fake_pop3_start             (const char              *messages_dir,
                                                           BuzonTestFakePop3Flags   flags,
                                                           const char * const      *extra_args,
                                                           GError                 **error);
void               buzon_test_fake_pop3_stop              (BuzonTestFakePop3       *self);

const char        *buzon_test_fake_pop3_get_host          (BuzonTestFakePop3       *self);
guint16            buzon_test_fake_pop3_get_port          (BuzonTestFakePop3       *self);
const char        *buzon_test_fake_pop3_get_messages_dir  (BuzonTestFakePop3       *self);
const char        *buzon_test_fake_pop3_get_user          (BuzonTestFakePop3       *self);
const char        *buzon_test_fake_pop3_get_password      (BuzonTestFakePop3       *self);

gboolean           buzon_test_fake_pop3_add_message       (BuzonTestFakePop3       *self,
                                                           const char              *name,
                                                           GBytes                  *message,
                                                           GError                 **error);
guint              buzon_test_fake_pop3_count_messages    (BuzonTestFakePop3       *self);
JsonNode          *buzon_test_fake_pop3_get_events        (BuzonTestFakePop3       *self,
                                                           GError                 **error);
char             **buzon_test_fake_pop3_dup_commands      (BuzonTestFakePop3       *self)
                                                           G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestFakePop3, buzon_test_fake_pop3_stop)

G_END_DECLS
