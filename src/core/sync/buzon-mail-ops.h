/* buzon-mail-ops.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* User actions on mail: applied to the store at once and, for IMAP
 * accounts, recorded as pending operations in the same transaction, to be
 * replayed on the server by BuzonImapSync (in order, also after a restart
 * or a time offline). The window and buzon-cli both act through these.
 *
 * A POP3 account's folders exist only here (POP3 has none, RFC 1939): its
 * actions change the store alone and queue nothing. Its folders use
 * BUZON_LOCAL_FOLDER_DELIMITER, and the ones every POP3 account has (see
 * buzon_mail_ops_ensure_local_folders()) cannot be deleted. */

#pragma once

#include "buzon-account.h"
#include "buzon-store.h"

G_BEGIN_DECLS

/* The pending_ops kinds, and their JSON payloads (names are UTF-8 folder
 * names; msgs pairs a message's store id with its UID in "folder" then,
 * 0 if it had none yet):
 *   flags   {folder, msgs: [[id, uid]…], add, remove}  (BuzonMessageFlags bits)
 *   move    {folder, to, msgs}
 *   copy    {folder, to, msgs, new_ids: [id…]}         (the copies, same order)
 *   expunge {folder, uids: […]}
 *   mkdir   {name}
 *   rename  {from, to}
 *   rmdir   {names: […]}                               (deepest first)
 *   append  {folder, id, flags}                        (a message stored here) */
#define BUZON_OP_FLAGS   "flags"
#define BUZON_OP_MOVE    "move"
#define BUZON_OP_COPY    "copy"
#define BUZON_OP_EXPUNGE "expunge"
#define BUZON_OP_MKDIR   "mkdir"
#define BUZON_OP_RENAME  "rename"
#define BUZON_OP_RMDIR   "rmdir"
#define BUZON_OP_APPEND  "append"

/* The hierarchy delimiter of local folders (POP3 accounts): "Work/2026". */
#define BUZON_LOCAL_FOLDER_DELIMITER "/"

gboolean buzon_mail_ops_ensure_local_folders (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              GError            **error);
gboolean buzon_mail_ops_set_flags            (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              BuzonMessageFlags   add,
                                              BuzonMessageFlags   remove,
                                              GError            **error);
gboolean buzon_mail_ops_move                 (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              gint64              folder_id,
                                              GError            **error);
gboolean buzon_mail_ops_copy                 (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              gint64              folder_id,
                                              GError            **error);
gboolean buzon_mail_ops_copy_full            (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              gint64              folder_id,
                                              GArray            **out_new_ids,
                                              GError            **error);
gboolean buzon_mail_ops_delete               (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              GError            **error);
gboolean buzon_mail_ops_delete_for_good      (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const gint64       *message_ids,
                                              guint               n_message_ids,
                                              GError            **error);
gboolean buzon_mail_ops_append               (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              gint64              folder_id,
                                              GBytes             *raw,
                                              BuzonMessageFlags   flags,
                                              gint64             *out_id,
                                              GError            **error);
gboolean buzon_mail_ops_file_sent            (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              gint64              folder_id,
                                              gint64              outbox_id,
                                              GBytes             *raw,
                                              GError            **error);
gboolean buzon_mail_ops_create_folder        (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              const char         *name,
                                              GError            **error);
gboolean buzon_mail_ops_rename_folder        (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              gint64              folder_id,
                                              const char         *new_name,
                                              GError            **error);
gboolean buzon_mail_ops_delete_folder        (BuzonStore         *store,
                                              BuzonAccount       *account,
                                              gint64              folder_id,
                                              GError            **error);

G_END_DECLS
