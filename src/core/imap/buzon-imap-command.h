/* buzon-imap-command.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * BuzonImapLiteralMode:
 * @BUZON_IMAP_LITERAL_SYNC: synchronising literals `{N}` (RFC 3501): the
 *   command is sent in segments, each but the last ending with a literal's
 *   header, and the session waits for a `+` continuation before the next
 * @BUZON_IMAP_LITERAL_PLUS: non-synchronising literals `{N+}` (LITERAL+,
 *   RFC 7888): the command is one segment
 * @BUZON_IMAP_LITERAL_MINUS: LITERAL- (RFC 7888): `{N+}` for literals of at
 *   most 4096 bytes, synchronising ones above
 *
 * How literals are announced; pick the best the server's CAPABILITY allows.
 */
typedef enum
{
  BUZON_IMAP_LITERAL_SYNC,
  BUZON_IMAP_LITERAL_PLUS,
  BUZON_IMAP_LITERAL_MINUS,
} BuzonImapLiteralMode;

/* Strings longer than this are sent as literals even when they could be
 * quoted, so no command line grows past what servers accept. */
#define BUZON_IMAP_COMMAND_MAX_QUOTED 1024

#define BUZON_TYPE_IMAP_COMMAND (buzon_imap_command_get_type ())

typedef struct _BuzonImapCommand BuzonImapCommand;

GType             buzon_imap_command_get_type          (void) G_GNUC_CONST;
BuzonImapCommand *buzon_imap_command_new               (const char           *tag,
                                                        const char           *name)
                                                        G_GNUC_WARN_UNUSED_RESULT;
BuzonImapCommand *buzon_imap_command_ref               (BuzonImapCommand     *self);
void              buzon_imap_command_unref             (BuzonImapCommand     *self);

const char       *buzon_imap_command_get_tag           (const BuzonImapCommand *self);
const char       *buzon_imap_command_get_name          (const BuzonImapCommand *self);

void              buzon_imap_command_add_atom          (BuzonImapCommand     *self,
                                                        const char           *atom);
void              buzon_imap_command_add_raw           (BuzonImapCommand     *self,
                                                        const char           *text);
void              buzon_imap_command_add_number        (BuzonImapCommand     *self,
                                                        guint64               number);
void              buzon_imap_command_add_nil           (BuzonImapCommand     *self);
void              buzon_imap_command_add_string        (BuzonImapCommand     *self,
                                                        const char           *text);
void              buzon_imap_command_add_string_len    (BuzonImapCommand     *self,
                                                        const char           *data,
                                                        gsize                 length);
void              buzon_imap_command_add_secret        (BuzonImapCommand     *self,
                                                        const char           *text);
void              buzon_imap_command_add_literal       (BuzonImapCommand     *self,
                                                        GBytes               *data);
gboolean          buzon_imap_command_add_mailbox       (BuzonImapCommand     *self,
                                                        const char           *name,
                                                        GError              **error);
gboolean          buzon_imap_command_add_flags         (BuzonImapCommand     *self,
                                                        const char * const   *flags,
                                                        GError              **error);
gboolean          buzon_imap_command_add_uid_set       (BuzonImapCommand     *self,
                                                        const guint32        *uids,
                                                        gsize                 n_uids,
                                                        GError              **error);
gboolean          buzon_imap_command_add_sequence_set  (BuzonImapCommand     *self,
                                                        const char           *set,
                                                        GError              **error);
void              buzon_imap_command_add_date_time     (BuzonImapCommand     *self,
                                                        GDateTime            *date_time);
void              buzon_imap_command_begin_list        (BuzonImapCommand     *self);
void              buzon_imap_command_end_list          (BuzonImapCommand     *self);

void              buzon_imap_command_set_literal_mode  (BuzonImapCommand     *self,
                                                        BuzonImapLiteralMode  mode);
guint             buzon_imap_command_get_n_segments    (BuzonImapCommand     *self);
GBytes           *buzon_imap_command_get_segment       (BuzonImapCommand     *self,
                                                        guint                 index);
GBytes           *buzon_imap_command_to_bytes          (BuzonImapCommand     *self)
                                                        G_GNUC_WARN_UNUSED_RESULT;
char             *buzon_imap_command_to_log_string     (BuzonImapCommand     *self)
                                                        G_GNUC_WARN_UNUSED_RESULT;

gboolean          buzon_imap_is_atom                   (const char           *text,
                                                        gssize                length);
gboolean          buzon_imap_is_valid_tag              (const char           *tag);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapCommand, buzon_imap_command_unref)

G_END_DECLS
