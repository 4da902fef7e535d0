/* buzon-test-cli.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-store.h"

G_BEGIN_DECLS

/**
 * BuzonTestCli:
 *
 * The real buzon-cli of this build ($BUZON_BUILD_ROOT/src/cli/buzon-cli, set by
 * meson test) with a private profile: a fresh temporary directory whose
 * data/, config/ and cache/ are the child's XDG_DATA_HOME, XDG_CONFIG_HOME and
 * XDG_CACHE_HOME, so its store is data/buzon/buzon.db there. Every child runs
 * with LANGUAGE=en and LC_ALL=C.UTF-8 (the tests compare English messages),
 * stdin from /dev/null unless it is given input (nothing may wait for a
 * terminal), and gets SIGTERM when the test process dies (Linux
 * PR_SET_PDEATHSIG), so a buzon-cli that outlives a failed test does not go on
 * retrying. The rest of the environment is the test's (the session keyring of
 * build-aux/dev, ASAN_OPTIONS).
 *
 * buzon_test_cli_free() removes the profile.
 */
typedef struct _BuzonTestCli BuzonTestCli;

/**
 * BuzonTestCliFlags:
 * @BUZON_TEST_CLI_NONE: a run must end by exiting: being killed by a signal
 *   fails the test with g_error(), with the command and its stderr
 * @BUZON_TEST_CLI_SIGNAL_OK: a signal that ends the run is a result (the test
 *   kills it on purpose, BUZON_TEST_CRASH_AT and the like): see
 *   #BuzonTestCliResult.signal
 * @BUZON_TEST_CLI_UTF8: stdout and stderr must be valid UTF-8, or the test
 *   fails (as g_subprocess_communicate_utf8() would)
 * @BUZON_TEST_CLI_NO_LEAK_CHECK: when ASAN_OPTIONS is set, append
 *   ":detect_leaks=0" to it for this child (`sync --watch` children stopped
 *   by SIGTERM; memory errors are still caught)
 */
typedef enum
{
  BUZON_TEST_CLI_NONE          = 0,
  BUZON_TEST_CLI_SIGNAL_OK     = 1 << 0,
  BUZON_TEST_CLI_UTF8          = 1 << 1,
  BUZON_TEST_CLI_NO_LEAK_CHECK = 1 << 2,
} BuzonTestCliFlags;

/**
 * BuzonTestCliOptions:
 * @flags: #BuzonTestCliFlags
 * @input: (nullable): what the child reads on stdin; %NULL for /dev/null
 * @env: (nullable) (array zero-terminated=1): changes to the child's
 *   environment: "NAME=VALUE" sets NAME, a bare "NAME" unsets it
 *
 * How to run one buzon-cli; all zeros (or %NULL) are the defaults, so
 * `{ .env = (const char *[]) { "BUZON_TEST_CRASH_AT=listed", NULL } }` is enough.
 */
typedef struct
{
  BuzonTestCliFlags   flags;
  const char         *input;
  const char * const *env;
} BuzonTestCliOptions;

/**
 * BuzonTestCliResult:
 * @status: the exit status, or -1 when a signal ended the run
 * @signal: the signal that ended the run, or 0 when it exited
 * @out: what it printed on stdout, never %NULL
 * @out_bytes: the same, byte for byte (binary output: `show --raw`)
 * @err: what it printed on stderr, never %NULL
 *
 * What a run did. Start it zeroed and clear it with
 * buzon_test_cli_result_clear(), or declare it
 * `g_auto(BuzonTestCliResult) result = { 0, };`.
 */
typedef struct
{
  int     status;
  int     signal;
  char   *out;
  GBytes *out_bytes;
  char   *err;
} BuzonTestCliResult;

BuzonTestCli *buzon_test_cli_new                 (const char                 *tmpl)
                                                  G_GNUC_WARN_UNUSED_RESULT;
void          buzon_test_cli_free                (BuzonTestCli               *self);

const char   *buzon_test_cli_get_dir             (BuzonTestCli               *self);
char         *buzon_test_cli_dup_store_path      (BuzonTestCli               *self)
                                                  G_GNUC_WARN_UNUSED_RESULT;
BuzonStore   *buzon_test_cli_open_store          (BuzonTestCli               *self)
                                                  G_GNUC_WARN_UNUSED_RESULT;

void          buzon_test_cli_run                 (BuzonTestCli               *self,
                                                  BuzonTestCliResult         *result,
                                                  ...) G_GNUC_NULL_TERMINATED;
void          buzon_test_cli_run_full            (BuzonTestCli               *self,
                                                  const BuzonTestCliOptions  *options,
                                                  BuzonTestCliResult         *result,
                                                  ...) G_GNUC_NULL_TERMINATED;
void          buzon_test_cli_run_valist          (BuzonTestCli               *self,
                                                  const BuzonTestCliOptions  *options,
                                                  BuzonTestCliResult         *result,
                                                  const char                 *first,
                                                  va_list                     args);
void          buzon_test_cli_runv                (BuzonTestCli               *self,
                                                  const BuzonTestCliOptions  *options,
                                                  const char * const         *args,
                                                  BuzonTestCliResult         *result);
GSubprocess  *buzon_test_cli_spawnv              (BuzonTestCli               *self,
                                                  const BuzonTestCliOptions  *options,
                                                  const char * const         *args)
                                                  G_GNUC_WARN_UNUSED_RESULT;

char         *buzon_test_cli_describe            (const char * const         *args)
                                                  G_GNUC_WARN_UNUSED_RESULT;

void          buzon_test_cli_result_clear        (BuzonTestCliResult         *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTestCli, buzon_test_cli_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BuzonTestCliResult, buzon_test_cli_result_clear)

G_END_DECLS
