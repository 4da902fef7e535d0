/* buzon-cli-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "buzon-store.h"

G_BEGIN_DECLS

enum {
  BUZON_CLI_EXIT_OK = 0,
  BUZON_CLI_EXIT_FAILED = 1,
  BUZON_CLI_EXIT_USAGE = 2,
  BUZON_CLI_EXIT_TEMPFAIL = 75,   /* EX_TEMPFAIL: queued, to be tried again */
};

void     _buzon_cli_error       (const char      *format,
                                 ...) G_GNUC_PRINTF (1, 2);
int      _buzon_cli_usage_error (const char      *format,
                                 ...) G_GNUC_PRINTF (1, 2);
gboolean _buzon_cli_parse       (GOptionContext  *context,
                                 int              argc,
                                 char           **argv,
                                 int              from,
                                 GStrv           *out_args);

int           _buzon_cli_prepare        (GOptionContext  *context,
                                         int              argc,
                                         char           **argv,
                                         guint            n_args,
                                         const char      *arity_error,
                                         GStrv           *out_args,
                                         BuzonStore     **out_store);
BuzonAccount *_buzon_cli_lookup_account (BuzonStore      *store,
                                         const char      *name);
void          _buzon_cli_print_json     (JsonNode        *node);
void          _buzon_cli_let_pool_threads_exit (void);

int           _buzon_cli_account        (int              argc,
                                         char           **argv);

/* buzon-cli-mail.c */
int           _buzon_cli_sync           (int argc, char **argv);
int           _buzon_cli_folders        (int argc, char **argv);
int           _buzon_cli_list           (int argc, char **argv);
int           _buzon_cli_show           (int argc, char **argv);
int           _buzon_cli_search         (int argc, char **argv);
int           _buzon_cli_flag           (int argc, char **argv);
int           _buzon_cli_move           (int argc, char **argv);
int           _buzon_cli_copy           (int argc, char **argv);
int           _buzon_cli_delete         (int argc, char **argv);
int           _buzon_cli_mkdir          (int argc, char **argv);
int           _buzon_cli_rmdir          (int argc, char **argv);
int           _buzon_cli_rename         (int argc, char **argv);
int           _buzon_cli_append         (int argc, char **argv);

int           _buzon_cli_replay_now     (BuzonStore      *store,
                                         BuzonAccount    *account);
/* buzon-cli-send.c */
int           _buzon_cli_outbox         (int argc, char **argv);
int           _buzon_cli_send           (int argc, char **argv);
int           _buzon_cli_send_outbox    (BuzonStore      *store,
                                         BuzonAccount    *account,
                                         gboolean         all);
/* buzon-cli-detect.c */
int           _buzon_cli_detect         (int argc, char **argv);
/* buzon-cli-pop3.c */
int           _buzon_cli_sync_pop3      (BuzonStore      *store,
                                         GPtrArray       *accounts,
                                         gboolean         watch,
                                         guint            interval);

G_END_DECLS
