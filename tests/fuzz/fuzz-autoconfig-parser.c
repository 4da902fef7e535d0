/* fuzz-autoconfig-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libFuzzer target for the autoconfig parser
 * (src/core/detect/buzon-detect-autoconfig.c), which reads what any web
 * server of a domain sends.
 *
 * The input is the document. It is parsed for two addresses (one with a
 * plain local part, one with characters a host name cannot have), and twice
 * for the first: both parses must agree. A result must have the shape
 * buzon-detect-result.h promises: an incoming server, every server a valid
 * host name, a port from 1 to 65535, TLS or STARTTLS (never plain), a user
 * name, the autoconfig source, at most 64 servers; an error must be one of
 * the parser's, with a message. Input over the size limit must be refused.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by run-fuzz.sh;
 * fuzz-replay.c runs the seed corpus (tests/data/autoconfig/) through the
 * same function with the project's compiler, as a unit test. */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buzon-detect-result.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-autoconfig-parser: check failed: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__); \
        abort (); \
      } \
  } G_STMT_END

static void
check_result (BuzonDetectResult *result,
              GError            *error)
{
  GPtrArray *servers;

  if (result == NULL)
    {
      CHECK (error != NULL);
      CHECK (error->domain == BUZON_DETECT_ERROR);
      CHECK (error->code == BUZON_DETECT_ERROR_INVALID_DATA
             || error->code == BUZON_DETECT_ERROR_NOT_FOUND);
      CHECK (error->message != NULL && error->message[0] != '\0');
      CHECK (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  CHECK (error == NULL);
  CHECK (buzon_detect_result_get_source (result) == BUZON_DETECT_SOURCE_AUTOCONFIG);
  CHECK (buzon_detect_result_has_incoming (result));
  servers = buzon_detect_result_get_servers (result);
  CHECK (servers->len > 0 && servers->len <= 64);
  for (guint i = 0; i < servers->len; i++)
    {
      const BuzonDetectServer *server = g_ptr_array_index (servers, i);

      CHECK (server->host != NULL && server->host[0] != '\0' && strlen (server->host) <= 253);
      for (const char *p = server->host; *p != '\0'; p++)
        CHECK (g_ascii_isalnum (*p) || *p == '-' || *p == '.');
      CHECK (server->port > 0);
      CHECK (server->security == BUZON_SECURITY_TLS || server->security == BUZON_SECURITY_STARTTLS);
      CHECK (server->protocol <= BUZON_DETECT_PROTOCOL_SMTP);
      CHECK (server->username != NULL);
      CHECK (g_utf8_validate (server->username, -1, NULL));
      CHECK (server->source == BUZON_DETECT_SOURCE_AUTOCONFIG);
      CHECK (!server->untrusted_certificate);
    }
  if (buzon_detect_result_get_provider_name (result) != NULL)
    CHECK (g_utf8_validate (buzon_detect_result_get_provider_name (result), -1, NULL));
}

static gboolean
same_servers (BuzonDetectResult *a,
              BuzonDetectResult *b)
{
  GPtrArray *x = buzon_detect_result_get_servers (a);
  GPtrArray *y = buzon_detect_result_get_servers (b);

  if (x->len != y->len)
    return FALSE;
  for (guint i = 0; i < x->len; i++)
    {
      const BuzonDetectServer *s = g_ptr_array_index (x, i);
      const BuzonDetectServer *t = g_ptr_array_index (y, i);

      if (s->protocol != t->protocol || s->port != t->port || s->security != t->security
          || s->username_form != t->username_form || g_strcmp0 (s->host, t->host) != 0
          || g_strcmp0 (s->username, t->username) != 0)
        return FALSE;
    }

  return TRUE;
}

/* A g_return_if_fail() or warning reached from input is a bug: abort, so
 * that libFuzzer saves the input. */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_printerr ("fuzz-autoconfig-parser: %s: %s\n", domain != NULL ? domain : "", message);
      abort ();
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (log_handler, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *xml = (const char *) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(GError) odd_error = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(BuzonDetectResult) again = NULL;
  g_autoptr(BuzonDetectResult) odd = NULL;

  result = buzon_detect_parse_autoconfig (xml, size, "maria@example.net", &error);
  check_result (result, error);
  if (size > BUZON_DETECT_MAX_AUTOCONFIG_SIZE)
    CHECK (result == NULL && error->code == BUZON_DETECT_ERROR_INVALID_DATA);

  again = buzon_detect_parse_autoconfig (xml, size, "maria@example.net", &again_error);
  CHECK ((result == NULL) == (again == NULL));
  if (result != NULL)
    CHECK (same_servers (result, again));
  else
    CHECK (error->code == again_error->code);

  /* A local part with "%", "/" and quotes, a domain in IDNA. */
  odd = buzon_detect_parse_autoconfig (xml, size, "\"50%off/now\"@ñandú.example", &odd_error);
  check_result (odd, odd_error);

  return 0;
}
