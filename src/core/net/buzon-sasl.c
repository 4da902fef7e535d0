/* buzon-sasl.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The SASL mechanisms every mail server has, as pure functions over strings,
 * shared by IMAP AUTHENTICATE (RFC 3501 §6.2.2), POP3 AUTH (RFC 5034) and
 * SMTP AUTH (RFC 4954): PLAIN (RFC 4616) and the older LOGIN
 * (draft-murchison-sasl-login). The protocol layers frame the results ("+ …"
 * continuations, "334 …" replies); nothing here does I/O. Both send the
 * password as it is, so they are only used over TLS unless the user chose an
 * unencrypted connection.
 */

#define G_LOG_DOMAIN "buzon-net"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-net-error.h"
#include "buzon-sasl.h"

/**
 * buzon_sasl_plain_encode:
 * @authzid: (nullable): the identity to act as, or %NULL or "" for the user
 *   itself (what mail clients send)
 * @username: the authentication identity (the login name)
 * @password: the password
 * @error: return location for an error
 *
 * Builds the PLAIN initial response of RFC 4616 §2,
 * `[authzid] NUL authcid NUL passwd`, in base64.
 *
 * Returns: (transfer full) (nullable): the base64 text, or %NULL with
 *   %BUZON_NET_ERROR_CREDENTIALS if a value is not UTF-8 or the user name
 *   or password is empty
 */
char *
buzon_sasl_plain_encode (const char  *authzid,
                         const char  *username,
                         const char  *password,
                         GError     **error)
{
  gsize authzid_len, username_len, password_len, length;
  char *message;
  char *encoded;

  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (authzid == NULL)
    authzid = "";

  /* RFC 4616 §2: each part is UTF-8; authcid and passwd are 1*SAFE. */
  if (!g_utf8_validate (authzid, -1, NULL)
      || !g_utf8_validate (username, -1, NULL)
      || !g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS,
                           _("The user name or password is not valid UTF-8 text, which the "
                             "PLAIN login method requires."));
      return NULL;
    }
  if (*username == '\0' || *password == '\0')
    {
      g_set_error_literal (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS,
                           _("The user name and the password must not be empty."));
      return NULL;
    }

  authzid_len = strlen (authzid);
  username_len = strlen (username);
  password_len = strlen (password);
  length = authzid_len + 1 + username_len + 1 + password_len;

  message = g_malloc (length);
  memcpy (message, authzid, authzid_len);
  message[authzid_len] = '\0';
  memcpy (message + authzid_len + 1, username, username_len);
  message[authzid_len + 1 + username_len] = '\0';
  memcpy (message + authzid_len + 1 + username_len + 1, password, password_len);

  encoded = g_base64_encode ((const guchar *) message, length);

  /* The password should not linger in freed memory. */
  explicit_bzero (message, length);
  g_free (message);

  return encoded;
}

/**
 * buzon_sasl_login_encode:
 * @value: the user name or the password
 *
 * Encodes one answer of the LOGIN mechanism: the server asks for the user
 * name, then for the password, and each answer is its base64. LOGIN names no
 * character set; the bytes are sent as they are.
 *
 * Returns: (transfer full): the base64 text ("" for an empty @value)
 */
char *
buzon_sasl_login_encode (const char *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  return g_base64_encode ((const guchar *) value, strlen (value));
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/**
 * buzon_sasl_decode_challenge:
 * @text: the base64 text of a server challenge (after "+ " in IMAP and POP3,
 *   after "334 " in SMTP)
 * @error: return location for an error
 *
 * Decodes a challenge strictly: only the base64 alphabet, whole groups of
 * four, "=" only as final padding. g_base64_decode() skips what it does not
 * know, which would hide a broken or hostile server.
 *
 * Returns: (transfer full) (nullable): the decoded bytes (empty for ""), or
 *   %NULL with %BUZON_NET_ERROR_PROTOCOL
 */
GBytes *
buzon_sasl_decode_challenge (const char  *text,
                             GError     **error)
{
  gsize length, padding = 0;
  guchar *data;
  gsize data_len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  length = strlen (text);
  if (length % 4 != 0)
    goto malformed;

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '=')
        {
          /* At most two, and only at the very end. */
          if (i < length - 2)
            goto malformed;
          padding++;
        }
      else if (padding > 0 || !is_base64_char (text[i]))
        goto malformed;
    }

  if (length == 0)
    return g_bytes_new (NULL, 0);

  data = g_base64_decode (text, &data_len);
  return g_bytes_new_take (data, data_len);

malformed:
  g_set_error_literal (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                       _("The server sent a malformed login challenge."));
  return NULL;
}
