/* buzon-test-fake-smtp.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BuzonTestFakeSmtp:
 * @port: the port it listens on, on 127.0.0.1
 *
 * A scripted SMTP server (tests/common/fake-smtp.py, whose header documents
 * its options) for the faults a real server will not make: rejected or full
 * recipients, no STARTTLS or SMTPUTF8, scripted replies to the data, a
 * connection dropped during the data. Plain TCP; the user is
 * BUZON_TEST_FAKE_SMTP_USER with BUZON_TEST_FAKE_SMTP_PASSWORD. It stops with
 * buzon_test_fake_smtp_stop() and when the test process exits.
 */
typedef struct
{
  guint port;
  /*< private >*/
  gpointer process;
  char    *dir;
  char    *log;
} BuzonTestFakeSmtp;

#define BUZON_TEST_FAKE_SMTP_USER     "fake@example.test"
#define BUZON_TEST_FAKE_SMTP_PASSWORD "fake-secret"

BuzonTestFakeSmtp *buzon_test_fake_smtp_start    (const char        *first_arg,
                                                  ...) G_GNUC_NULL_TERMINATED;
void               buzon_test_fake_smtp_stop     (BuzonTestFakeSmtp *self);
char              *buzon_test_fake_smtp_commands (BuzonTestFakeSmtp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestFakeSmtp, buzon_test_fake_smtp_stop)

G_END_DECLS
