/* buzon-imap-sync-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-imap-session.h"
#include "buzon-imap-sync.h"

G_BEGIN_DECLS

/* The engine's state. Everything below `worker` is touched only on the
 * engine's own thread (see buzon-imap-sync.c), never by the owner. */
struct _BuzonImapSync
{
  GObject           parent_instance;

  BuzonStore       *store;
  BuzonAccount     *account;
  GTlsDatabase     *tls_database;
  GMainContext     *owner_context;   /* where signals are emitted */

  GThread          *worker;
  GAsyncQueue      *jobs;            /* Job *, ended by a job with run == NULL */

  /* Worker thread only. */
  GMainContext     *context;
  GCancellable     *job_cancellable; /* the running job's */
  guint             job_serial;      /* counts the jobs run, for late cancellations */
  BuzonImapSession *session;
  char             *selected;        /* the mailbox SELECTed on session */
  gboolean          wakeup;          /* IDLE: something changed */
  guint32           selected_exists;
  GPtrArray        *watchers;        /* Watcher *: IDLE on the other watched folders */
  guint             poll_interval;   /* seconds, see the property */
  guint             folder_list_interval; /* seconds, see the property; 0: never */
  gint64            folders_listed;  /* monotonic µs of the last LIST, 0: never */
};

/* Blocking calls on the engine's thread: each runs the session's async call
 * and iterates the engine's context until it finished. Cancelling the job
 * disconnects the session, so they return promptly. */
GAsyncResult *_buzon_imap_sync_wait             (BuzonImapSync        *self,
                                                 GAsyncResult        **slot);
void          _buzon_imap_sync_store_cb         (GObject              *object,
                                                 GAsyncResult         *result,
                                                 gpointer              user_data);

gboolean      _buzon_imap_sync_ensure_session   (BuzonImapSync        *self,
                                                 GError              **error);
BuzonImapSelectInfo *
              _buzon_imap_sync_select           (BuzonImapSync        *self,
                                                 const char           *mailbox,
                                                 GError              **error);
gboolean      _buzon_imap_sync_is_connection_error (const GError      *error);
void          _buzon_imap_sync_emit_op_failed   (BuzonImapSync        *self,
                                                 const char           *message);

/* buzon-imap-replay.c */
gboolean      _buzon_imap_sync_replay_queue     (BuzonImapSync        *self,
                                                 GError              **error);

G_END_DECLS
