/* buzon-certificate.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Certificate fingerprints. A certificate is pinned by the SHA-256 of its DER
 * encoding, stored as lowercase hex without separators (what
 * buzon_store_set_pin() keeps and `openssl x509 -fingerprint -sha256`
 * computes); it is shown to people the way browsers show it, uppercase pairs
 * joined by colons, so it can be compared with what a provider publishes.
 */

#define G_LOG_DOMAIN "buzon-net"

#include "config.h"

#include "buzon-certificate.h"

/**
 * buzon_certificate_dup_sha256:
 * @certificate: a certificate
 *
 * Computes the SHA-256 of @certificate's DER encoding, the fingerprint pins
 * are stored under.
 *
 * Returns: (transfer full): 64 lowercase hexadecimal digits
 */
char *
buzon_certificate_dup_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  g_return_val_if_fail (der != NULL, NULL);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/**
 * buzon_certificate_format_fingerprint:
 * @sha256: a SHA-256 in hexadecimal, any case, optionally with colons or
 *   spaces between the digits
 *
 * Formats a fingerprint for people: "3A:0F:…:9C", 32 uppercase pairs.
 *
 * Returns: (transfer full) (nullable): the formatted fingerprint, or %NULL if
 *   @sha256 is not 64 hexadecimal digits
 */
char *
buzon_certificate_format_fingerprint (const char *sha256)
{
  g_autoptr(GString) formatted = g_string_sized_new (95);
  guint digits = 0;

  g_return_val_if_fail (sha256 != NULL, NULL);

  for (const char *p = sha256; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p) || digits == 64)
        return NULL;
      if (digits > 0 && digits % 2 == 0)
        g_string_append_c (formatted, ':');
      g_string_append_c (formatted, g_ascii_toupper (*p));
      digits++;
    }

  if (digits != 64)
    return NULL;

  return g_string_free (g_steal_pointer (&formatted), FALSE);
}
