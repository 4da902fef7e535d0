/* buzon-detect-result.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-types.h"
#include "buzon-account.h"

G_BEGIN_DECLS

#define BUZON_DETECT_ERROR (buzon_detect_error_quark ())

/**
 * BuzonDetectError:
 * @BUZON_DETECT_ERROR_INVALID_ADDRESS: the text is not an e-mail address
 * @BUZON_DETECT_ERROR_NOT_FOUND: nothing was found for the address (by one
 *   step, or by all of them)
 * @BUZON_DETECT_ERROR_INVALID_DATA: an autoconfig document could not be used
 *   (malformed XML, too big, no usable server)
 *
 * Errors of detection. Their messages are complete, translated sentences.
 */
typedef enum
{
  BUZON_DETECT_ERROR_INVALID_ADDRESS,
  BUZON_DETECT_ERROR_NOT_FOUND,
  BUZON_DETECT_ERROR_INVALID_DATA,
} BuzonDetectError;

/**
 * BuzonDetectProtocol:
 * @BUZON_DETECT_PROTOCOL_IMAP: incoming, IMAP
 * @BUZON_DETECT_PROTOCOL_POP3: incoming, POP3
 * @BUZON_DETECT_PROTOCOL_SMTP: outgoing, SMTP submission
 */
typedef enum
{
  BUZON_DETECT_PROTOCOL_IMAP,
  BUZON_DETECT_PROTOCOL_POP3,
  BUZON_DETECT_PROTOCOL_SMTP,
} BuzonDetectProtocol;

/**
 * BuzonDetectSource:
 * @BUZON_DETECT_SOURCE_PROVIDER: the provider database shipped with Buzón
 * @BUZON_DETECT_SOURCE_SRV: DNS SRV records (RFC 6186)
 * @BUZON_DETECT_SOURCE_AUTOCONFIG: the domain's autoconfig document
 *   (Thunderbird's config-v1.1.xml) over HTTPS
 * @BUZON_DETECT_SOURCE_GUESS: guessed host names that answered a probe
 */
typedef enum
{
  BUZON_DETECT_SOURCE_PROVIDER,
  BUZON_DETECT_SOURCE_SRV,
  BUZON_DETECT_SOURCE_AUTOCONFIG,
  BUZON_DETECT_SOURCE_GUESS,
} BuzonDetectSource;

/**
 * BuzonDetectUsername:
 * @BUZON_DETECT_USERNAME_ADDRESS: log in with the whole address
 * @BUZON_DETECT_USERNAME_LOCAL_PART: log in with the part before the "@"
 * @BUZON_DETECT_USERNAME_OTHER: some other fixed name (an autoconfig
 *   document gave one); #BuzonDetectServer.username holds it
 */
typedef enum
{
  BUZON_DETECT_USERNAME_ADDRESS,
  BUZON_DETECT_USERNAME_LOCAL_PART,
  BUZON_DETECT_USERNAME_OTHER,
} BuzonDetectUsername;

/**
 * BuzonDetectServer:
 * @protocol: IMAP, POP3 or SMTP
 * @host: the server's host name
 * @port: its port (the standard one, never a test's stand-in)
 * @security: %BUZON_SECURITY_TLS or %BUZON_SECURITY_STARTTLS (detection never
 *   proposes an unencrypted connection)
 * @username_form: which user name the server wants
 * @username: the user name to log in with, for this address
 * @source: where this server came from
 * @untrusted_certificate: a probe (guessing) saw a certificate that does not
 *   verify for @host: the user will be asked about it when connecting
 *
 * One candidate server. Plain data; copy with buzon_detect_server_copy().
 */
typedef struct
{
  BuzonDetectProtocol  protocol;
  char                *host;
  guint16              port;
  BuzonSecurity        security;
  BuzonDetectUsername  username_form;
  char                *username;
  BuzonDetectSource    source;
  gboolean             untrusted_certificate;
} BuzonDetectServer;

#define BUZON_TYPE_DETECT_SERVER (buzon_detect_server_get_type ())

GType               buzon_detect_server_get_type     (void) G_GNUC_CONST;
G_GNUC_WARN_UNUSED_RESULT
BuzonDetectServer  *buzon_detect_server_copy         (const BuzonDetectServer *server);
void                buzon_detect_server_free         (BuzonDetectServer       *server);

/**
 * BuzonDetectResult:
 *
 * What detection found for one address: the candidate servers, incoming
 * (IMAP and POP3, each only when known) and outgoing (SMTP), best first for
 * each protocol, and where they came from. Immutable once returned,
 * reference-counted.
 */
typedef struct _BuzonDetectResult BuzonDetectResult;

#define BUZON_TYPE_DETECT_RESULT (buzon_detect_result_get_type ())

GQuark              buzon_detect_error_quark             (void);
GType               buzon_detect_result_get_type         (void) G_GNUC_CONST;

BuzonDetectResult  *buzon_detect_result_ref              (BuzonDetectResult   *self);
void                buzon_detect_result_unref            (BuzonDetectResult   *self);

const char         *buzon_detect_result_get_address      (BuzonDetectResult   *self);
const char         *buzon_detect_result_get_domain       (BuzonDetectResult   *self);
BuzonDetectSource   buzon_detect_result_get_source       (BuzonDetectResult   *self);
const char         *buzon_detect_result_get_provider_id  (BuzonDetectResult   *self);
const char         *buzon_detect_result_get_provider_name
                                                         (BuzonDetectResult   *self);
const char         *buzon_detect_result_get_note_id      (BuzonDetectResult   *self);
const char         *buzon_detect_result_get_note         (BuzonDetectResult   *self);
GPtrArray          *buzon_detect_result_get_servers      (BuzonDetectResult   *self);
const BuzonDetectServer *
                    buzon_detect_result_get_server       (BuzonDetectResult   *self,
                                                          BuzonDetectProtocol  protocol);
gboolean            buzon_detect_result_has_incoming     (BuzonDetectResult   *self);

const char         *buzon_detect_protocol_to_string      (BuzonDetectProtocol  protocol);
const char         *buzon_detect_source_to_string        (BuzonDetectSource    source);
const char         *buzon_detect_username_to_string      (BuzonDetectUsername  form);

gboolean            buzon_detect_split_address           (const char          *address,
                                                          char               **out_local_part,
                                                          char               **out_domain,
                                                          GError             **error);

/* Steps that need no network: pure functions. */
G_GNUC_WARN_UNUSED_RESULT
BuzonDetectResult  *buzon_detect_lookup_provider         (const char          *address,
                                                          GError             **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonDetectResult  *buzon_detect_parse_autoconfig        (const char          *xml,
                                                          gsize                len,
                                                          const char          *address,
                                                          GError             **error);
G_GNUC_WARN_UNUSED_RESULT
GList              *buzon_detect_sort_srv_targets        (GList               *targets);

/**
 * BUZON_DETECT_MAX_AUTOCONFIG_SIZE:
 *
 * The largest autoconfig document accepted, in bytes; real ones are a few
 * kilobytes.
 */
#define BUZON_DETECT_MAX_AUTOCONFIG_SIZE (128 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonDetectResult, buzon_detect_result_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonDetectServer, buzon_detect_server_free)

G_END_DECLS
