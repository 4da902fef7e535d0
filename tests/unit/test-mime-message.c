/* test-mime-message.c — BuzonMimeMessage over a corpus of real-world
 * shapes (tests/data/mime/) and over hostile messages made here.
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
# endif
#endif

#include "buzon-mime-message.h"
#include "buzon-mime-summary.h"
#include "buzon-mime-text.h"

#define MiB (1024 * 1024)

/* Under valgrind (the unit suite runs there in CI) memory use is
 * valgrind's, so the RSS and time bounds are not checked, and the 50 MB
 * attachment, which takes minutes there, is skipped. */
static gboolean
under_valgrind (void)
{
#ifdef RUNNING_ON_VALGRIND
  if (RUNNING_ON_VALGRIND)
    return TRUE;
#endif
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

#if defined(__SANITIZE_ADDRESS__)
# define SANITIZED TRUE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZED TRUE
# endif
#endif
#ifndef SANITIZED
# define SANITIZED FALSE
#endif

/* Valgrind or AddressSanitizer (the ASan build in CI): memory and time
 * are theirs (shadow memory, quarantine, several times slower), so the
 * bounds on RSS and time are checked in plain builds only. */
static gboolean
instrumented (void)
{
  return SANITIZED || under_valgrind ();
}

/* Peak resident memory so far, in bytes. */
static gsize
max_rss (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gsize) usage.ru_maxrss * 1024;
}

static GBytes *
load (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "mime", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data;
  gsize len;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static BuzonMimeMessage *
parse (const char *name)
{
  g_autoptr(GBytes) raw = load (name);

  return buzon_mime_message_new_from_bytes (raw);
}

static void
assert_address (GPtrArray  *list,
                guint       i,
                const char *name,
                const char *address)
{
  BuzonMimeAddress *a;

  g_assert_cmpuint (i, <, list->len);
  a = list->pdata[i];
  g_assert_cmpstr (a->name, ==, name);
  g_assert_cmpstr (a->address, ==, address);
}

static BuzonMimePart *
part (BuzonMimeMessage *message,
      const char       *id)
{
  BuzonMimePart *p = buzon_mime_message_get_part (message, id);

  g_assert_nonnull (p);
  return p;
}

static void
assert_part (BuzonMimeMessage *message,
             const char       *id,
             const char       *type,
             const char       *filename,
             gboolean          attachment)
{
  BuzonMimePart *p = part (message, id);

  g_assert_cmpstr (buzon_mime_part_get_content_type (p), ==, type);
  g_assert_cmpstr (buzon_mime_part_get_filename (p), ==, filename);
  g_assert_cmpint (buzon_mime_part_is_attachment (p), ==, attachment);
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

/* The corpus */

static void
test_plain (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("01-plain.eml");
  g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 ("2026-03-03T09:14:55+01:00", NULL);
  const char * const *refs = buzon_mime_message_get_references (m);

  g_assert_false (buzon_mime_message_is_broken (m));
  g_assert_cmpstr (buzon_mime_message_get_subject (m), ==, "Reunión del martes");
  assert_address (buzon_mime_message_get_from (m), 0, "José Pérez", "jose@example.es");
  g_assert_cmpuint (buzon_mime_message_get_to (m)->len, ==, 2);
  assert_address (buzon_mime_message_get_to (m), 0, "Ana", "ana@example.org");
  assert_address (buzon_mime_message_get_to (m), 1, NULL, "luis@example.org");
  assert_address (buzon_mime_message_get_cc (m), 0, "Equipo, Ventas", "ventas@example.org");
  /* A group is flattened into its members. */
  g_assert_cmpuint (buzon_mime_message_get_reply_to (m)->len, ==, 2);
  assert_address (buzon_mime_message_get_reply_to (m), 1, "Luis M.", "luis@example.org");
  g_assert_nonnull (buzon_mime_message_get_date (m));
  g_assert_true (g_date_time_equal (buzon_mime_message_get_date (m), expected));
  g_assert_cmpstr (buzon_mime_message_get_message_id (m), ==, "20260303091455.12345@example.es");
  g_assert_cmpstr (buzon_mime_message_get_in_reply_to (m), ==, "prev-1@example.org");
  g_assert_cmpuint (g_strv_length ((char **) refs), ==, 2);
  g_assert_cmpstr (refs[0], ==, "root-0@example.org");
  g_assert_cmpstr (refs[1], ==, "prev-1@example.org");

  g_assert_null (buzon_mime_message_get_body_html (m));
  /* CRLF is gone, the text is whole. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Hola Ana,\n\n¿Nos vemos el martes a las diez?\n\n> Propón una hora.\n\n-- \nJosé\n");
  g_assert_cmpuint (buzon_mime_message_get_parts (m)->len, ==, 1);
  assert_part (m, "1", "text/plain", NULL, FALSE);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 0);
}

static void
test_alternative (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("02-alternative.eml");
  g_autofree char *index = buzon_mime_message_dup_index_text (m);

  /* Both bodies, each in its own declared charset, QP soft breaks joined. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Las novedades de este mes: canción, corazón y más.\n");
  g_assert_true (contains (buzon_mime_message_get_body_html (m), "<b>canción</b>, corazón y más."));
  g_assert_cmpuint (buzon_mime_message_get_parts (m)->len, ==, 2);
  assert_part (m, "1", "text/plain", NULL, FALSE);
  assert_part (m, "2", "text/html", NULL, FALSE);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 0);
  /* The index reads the plain alternative. */
  g_assert_cmpstr (index, ==, buzon_mime_message_get_body_text (m));
}

static void
test_related_cid (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("03-related-cid.eml");
  BuzonMimePart *logo;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (contains (buzon_mime_message_get_body_html (m), "cid:part1.logo@example.net"));
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Mira el logo nuevo.\n");
  g_assert_cmpuint (buzon_mime_message_get_parts (m)->len, ==, 4);
  assert_part (m, "1", "text/plain", NULL, FALSE);
  assert_part (m, "2.1", "text/html", NULL, FALSE);
  assert_part (m, "2.2", "image/png", "logo.png", FALSE);
  /* In the related part but not shown by the HTML: the user must see it. */
  assert_part (m, "2.3", "image/png", "sin-usar.png", TRUE);
  g_assert_false (buzon_mime_part_is_inline_image (part (m, "2.3")));

  logo = buzon_mime_message_find_by_content_id (m, "part1.logo@example.net");
  g_assert_true (logo == part (m, "2.2"));
  g_assert_true (buzon_mime_message_find_by_content_id (m, "cid:part1.logo@example.net") == logo);
  g_assert_true (buzon_mime_message_find_by_content_id (m, "<part1.logo@example.net>") == logo);
  g_assert_null (buzon_mime_message_find_by_content_id (m, "nothing@example.net"));
  g_assert_true (buzon_mime_part_is_inline_image (logo));
  g_assert_cmpstr (buzon_mime_part_get_content_id (logo), ==, "part1.logo@example.net");
  g_assert_cmpint (buzon_mime_part_get_disposition (logo), ==, BUZON_MIME_DISPOSITION_INLINE);
  g_assert_cmpuint (buzon_mime_part_get_size (logo), ==, 200);

  bytes = buzon_mime_message_dup_part_bytes (m, "2.2");
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 200);
  for (guint i = 0; i < 200; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[i], ==, i);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 1);
}

static void
test_mixed_attachments (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("04-mixed-attachments.eml");
  GPtrArray *attachments = buzon_mime_message_get_attachments (m);
  g_autoptr(GBytes) pdf = buzon_mime_message_dup_part_bytes (m, "2");
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) written = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Te mando el informe y una foto.\n");
  g_assert_cmpuint (attachments->len, ==, 2);
  g_assert_cmpstr (buzon_mime_part_get_id (attachments->pdata[0]), ==, "2");
  assert_part (m, "2", "application/pdf", "informe.pdf", TRUE);
  assert_part (m, "3", "image/jpeg", "foto.jpg", TRUE);
  g_assert_cmpint (buzon_mime_part_get_disposition (part (m, "2")), ==,
                   BUZON_MIME_DISPOSITION_ATTACHMENT);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "2")), ==, 1037);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "3")), ==, 3006);
  g_assert_false (buzon_mime_part_is_inline_image (part (m, "3")));
  g_assert_cmpuint (g_bytes_get_size (pdf), ==, 1037);
  g_assert_true (memcmp (g_bytes_get_data (pdf, NULL), "%PDF-1.4\n", 9) == 0);
  g_assert_null (buzon_mime_message_dup_part_bytes (m, "9"));
  g_assert_false (buzon_mime_message_write_part (m, "9", out, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (buzon_mime_message_write_part (m, "2", out, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  written = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_true (g_bytes_equal (written, pdf));
  g_assert_null (buzon_mime_message_get_part (m, "1.1"));
}

static void
test_rfc2231_filenames (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("05-rfc2231-filename.eml");

  assert_part (m, "2", "application/pdf", "índice de precios.pdf", TRUE);
  /* Continuations in Latin-1, the last one not encoded. */
  assert_part (m, "3", "application/octet-stream", "presupuesto año 2026 (revisión).xlsx", TRUE);
}

static void
test_rfc2047_odd_places (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("06-rfc2047-odd.eml");

  /* Encoded words side by side join without the space between them. */
  g_assert_cmpstr (buzon_mime_message_get_subject (m), ==, "¿Qué tal y adiós");
  assert_address (buzon_mime_message_get_from (m), 0, "María García", "maria@example.es");
  /* Inside a quoted string, where RFC 2047 §5 does not allow it. */
  assert_address (buzon_mime_message_get_to (m), 0, "Álvaro Núñez", "alvaro@example.es");
  assert_address (buzon_mime_message_get_to (m), 1, "Beatriz", "bea@example.es");
  /* In a quoted parameter value, likewise. */
  assert_part (m, "2", "application/pdf", "factura nº 3.pdf", TRUE);
}

static void
test_charset_wrong_ascii_label (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("07-wrong-label-ascii.eml");

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Año nuevo, vida nueva: ¡ñandú!\n");
}

static void
test_charset_latin1_unlabelled (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("08-latin1-no-charset.eml");

  /* windows-1252: the quotes and the euro sign are its C1 bytes. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Canción de cuna, “comillas” y € 5.\n");
}

static void
test_charset_utf8_label_latin1 (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("09-utf8-label-latin1.eml");

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "El niño comió piña.\n");
}

static void
test_bad_base64 (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("10-bad-base64.eml");
  g_autoptr(GBytes) cut = buzon_mime_message_dup_part_bytes (m, "2");

  /* The junk characters are skipped, the rest decodes. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Primera línea bien.\nSegunda línea bien.\n");
  g_assert_true (g_utf8_validate (buzon_mime_message_get_body_text (m), -1, NULL));
  assert_part (m, "2", "application/octet-stream", "cortado.bin", TRUE);
  /* "QUJD REVG* R0g": ABC, DEF, and what the cut quantum still gives. */
  g_assert_cmpuint (g_bytes_get_size (cut), >=, 6);
  g_assert_true (memcmp (g_bytes_get_data (cut, NULL), "ABCDEF", 6) == 0);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "2")), ==, g_bytes_get_size (cut));
}

static void
test_bad_quoted_printable (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("11-bad-qp.eml");

  /* Bad escapes stay as they are; soft breaks join. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Café con =ZZ leche y 100=% azúcar");
}

static void
test_flowed (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("12-flowed.eml");

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Esta frase es larga y el programa de correo la partió en dos líneas.\n"
                   "From here on, a stuffed line.\n"
                   "\n"
                   "> Una cita que también fluye.\n"
                   ">> Cita de cita fluida.\n"
                   "\n"
                   "-- \n"
                   "Ana\n");
}

static void
test_flowed_delsp (void)
{
  /* RFC 3676 §4.2: with DelSp=yes the space before a soft break goes too
   * (how languages without spaces between words wrap). */
  static const char raw_text[] =
    "From: a@example.org\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8; format=\"flowed\"; delsp=yes\n\n"
    "Pala \nbra \nentera.\n>> Ci \n>> ta\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (raw_text, sizeof raw_text - 1);
  g_autoptr(BuzonMimeMessage) m = buzon_mime_message_new_from_bytes (raw);

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Palabraentera.\n>> Cita\n");
}

static void
test_forwarded (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("13-forwarded.eml");
  BuzonMimeMessage *nested;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *source = NULL;

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Te reenvío el presupuesto.\n");
  g_assert_cmpuint (buzon_mime_message_get_parts (m)->len, ==, 2);
  assert_part (m, "2", "message/rfc822", NULL, TRUE);
  g_assert_true (buzon_mime_part_is_message (part (m, "2")));
  g_assert_null (buzon_mime_message_get_nested (m, "1"));

  nested = buzon_mime_message_get_nested (m, "2");
  g_assert_nonnull (nested);
  g_assert_true (buzon_mime_message_get_nested (m, "2") == nested);
  g_assert_false (buzon_mime_message_is_broken (nested));
  g_assert_cmpstr (buzon_mime_message_get_subject (nested), ==, "Presupuesto");
  assert_address (buzon_mime_message_get_from (nested), 0, "Proveedor", "ventas@proveedor.example");
  g_assert_cmpstr (buzon_mime_message_get_message_id (nested), ==, "orig-13@proveedor.example");
  g_assert_cmpstr (buzon_mime_message_get_body_text (nested), ==, "El presupuesto va adjunto.\n");
  g_assert_cmpuint (buzon_mime_message_get_attachments (nested)->len, ==, 1);
  assert_part (nested, "2", "text/csv", "precios.csv", TRUE);
  g_assert_true (contains (buzon_mime_message_get_body_text (m), "reenvío"));

  /* The forwarded text is not this message's text. */
  text = buzon_mime_message_dup_index_text (m);
  g_assert_false (contains (text, "adjunto"));

  raw = buzon_mime_message_dup_part_bytes (m, "2");
  g_assert_true (g_strstr_len (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                               "Subject: Presupuesto") != NULL);
  source = buzon_mime_message_dup_source (nested, 0);
  g_assert_true (contains (source, "Subject: Presupuesto"));
}

/* An attached message outlives the message it came in, and the bytes it
 * was read from are the caller's no longer: its parts still read. */
static void
test_nested_outlives_parent (void)
{
  BuzonMimeMessage *m = parse ("13-forwarded.eml");
  BuzonMimeMessage *nested = g_object_ref (buzon_mime_message_get_nested (m, "2"));
  g_autoptr(GBytes) csv = NULL;

  g_assert_finalize_object (m);
  csv = buzon_mime_message_dup_part_bytes (nested, "2");
  g_assert_cmpuint (g_bytes_get_size (csv), ==, strlen ("articulo,precio\ntornillo,0.10\n"));
  g_assert_true (memcmp (g_bytes_get_data (csv, NULL), "articulo,precio\n", 16) == 0);
  g_assert_finalize_object (nested);
}

static void
test_missing_headers (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("14-missing-headers.eml");

  g_assert_false (buzon_mime_message_is_broken (m));
  g_assert_cmpuint (buzon_mime_message_get_from (m)->len, ==, 0);
  g_assert_cmpuint (buzon_mime_message_get_to (m)->len, ==, 0);
  g_assert_null (buzon_mime_message_get_date (m));
  g_assert_null (buzon_mime_message_get_message_id (m));
  g_assert_null (buzon_mime_message_get_in_reply_to (m));
  g_assert_cmpuint (g_strv_length ((char **) buzon_mime_message_get_references (m)), ==, 0);
  /* 8-bit UTF-8 with no charset at all. */
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Nadie firmó esto.\n");
}

static void
test_bad_date (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("15-bad-date.eml");
  GPtrArray *from = buzon_mime_message_get_from (m);

  g_assert_null (buzon_mime_message_get_date (m));
  g_assert_null (buzon_mime_message_get_message_id (m));
  /* A name without an address is kept as a name. */
  for (guint i = 0; i < from->len; i++)
    {
      BuzonMimeAddress *a = from->pdata[i];

      g_assert_nonnull (a->address);
      g_assert_true (g_utf8_validate (a->address, -1, NULL));
    }
  g_assert_cmpuint (buzon_mime_message_get_to (m)->len, ==, 0);
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Fecha ilegible.\n");
}

static void
test_apple_inline_photo (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("16-apple-inline-photo.eml");
  BuzonMimePart *photo = part (m, "2");

  g_assert_cmpstr (buzon_mime_message_get_message_id (m), ==,
                   "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@example.com");
  /* The text around the picture is one body. */
  g_assert_true (contains (buzon_mime_message_get_body_text (m), "Mira la foto:"));
  g_assert_true (contains (buzon_mime_message_get_body_text (m), "¿Bonita?"));
  /* Shown inline, and an attachment the user can save. */
  g_assert_true (buzon_mime_part_is_inline_image (photo));
  assert_part (m, "2", "image/jpeg", "IMG_0001.jpeg", TRUE);
  assert_part (m, "3", "text/plain", NULL, FALSE);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 1);
  g_assert_cmpuint (buzon_mime_part_get_size (photo), ==, 3006);
}

static void
test_outlook (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("17-outlook.eml");

  g_assert_cmpstr (buzon_mime_message_get_subject (m), ==, "Presupuesto – versión final");
  assert_address (buzon_mime_message_get_from (m), 0, "Gómez, Roberto", "rgomez@empresa.example");
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Buenos días:\n\nAdjunto la versión final – sin cambios.\n");
  g_assert_true (contains (buzon_mime_message_get_body_html (m), "Adjunto la versión final – sin cambios."));
  assert_part (m, "1.1", "text/plain", NULL, FALSE);
  assert_part (m, "1.2", "text/html", NULL, FALSE);
  assert_part (m, "2", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "Presupuesto final.docx", TRUE);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "2")), ==, 504);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 1);
}

static void
test_calendar_invite (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("18-calendar-invite.eml");
  GPtrArray *attachments = buzon_mime_message_get_attachments (m);
  g_autoptr(GBytes) ics = buzon_mime_message_dup_part_bytes (m, "1.3");

  g_assert_true (contains (buzon_mime_message_get_body_html (m), "<b>viernes 20</b>"));
  g_assert_true (contains (buzon_mime_message_get_body_text (m), "Revisión trimestral"));
  /* The invitation itself is what the user opens. */
  g_assert_cmpuint (attachments->len, ==, 2);
  assert_part (m, "1.3", "text/calendar", NULL, TRUE);
  assert_part (m, "2", "application/ics", "invite.ics", TRUE);
  g_assert_cmpuint (g_bytes_get_size (ics), ==, 302);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (ics, NULL), "BEGIN:VCALENDAR"));
}

static void
test_smime_signed (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("19-smime-signed.eml");

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "Texto firmado.\n");
  g_assert_true (contains (buzon_mime_message_get_body_html (m), "<i>firmado</i>"));
  assert_part (m, "1.1", "text/plain", NULL, FALSE);
  assert_part (m, "1.2", "text/html", NULL, FALSE);
  /* The signature is listed, but is no attachment. */
  assert_part (m, "2", "application/pkcs7-signature", "smime.p7s", FALSE);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "2")), ==, 800);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 0);
}

static void
test_html_only (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("20-html-only-cp1252.eml");
  g_autofree char *index = buzon_mime_message_dup_index_text (m);

  g_assert_null (buzon_mime_message_get_body_text (m));
  g_assert_true (contains (buzon_mime_message_get_body_html (m), "“Precio” especial &amp; envío gratis"));
  g_assert_true (contains (index, "“Precio” especial & envío gratis"));
  g_assert_false (contains (index, "color"));
}

static void
test_html_meta_charset (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("23-html-meta-charset.eml");

  /* No charset in the header: the document's <meta> names it. */
  g_assert_cmpstr (buzon_mime_message_get_subject (m), ==, "Привет");
  g_assert_true (contains (buzon_mime_message_get_body_html (m), "<p>Привет, мир</p>"));
}

static void
test_attachment_only (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("21-attachment-only.eml");

  g_assert_null (buzon_mime_message_get_body_text (m));
  g_assert_null (buzon_mime_message_get_body_html (m));
  assert_part (m, "1", "application/pdf", "scan0001.pdf", TRUE);
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "1")), ==, 1037);
}

static void
test_list_footer (void)
{
  g_autoptr(BuzonMimeMessage) m = parse ("22-list-footer.eml");

  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==,
                   "Pregunta para la lista.\n"
                   "_______________________________________________\nlista mailing list");
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 0);
}

/* Every corpus message: the summary, the index text and the message agree. */
static void
test_corpus_consistent (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "mime", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(BuzonMimeMessage) m = NULL;
      g_autofree char *index = NULL;
      g_autofree char *extracted = NULL;
      g_autofree char *text = NULL;
      g_autofree char *source = NULL;
      BuzonMessageSummary *summary;

      if (!g_str_has_suffix (name, ".eml"))
        continue;
      raw = load (name);
      m = buzon_mime_message_new_from_bytes (raw);
      index = buzon_mime_message_dup_index_text (m);
      extracted = buzon_mime_extract_text (raw);
      summary = buzon_mime_summary_from_bytes (raw, 1, 1000, &text);

      g_assert_false (buzon_mime_message_is_broken (m));
      g_assert_cmpstr (index, ==, extracted);
      g_assert_cmpstr (index, ==, text);
      g_assert_cmpint (summary->has_attachments, ==,
                       buzon_mime_message_get_attachments (m)->len > 0);
      g_assert_cmpstr (summary->subject, ==, buzon_mime_message_get_subject (m));
      if (buzon_mime_message_get_date (m) == NULL)
        g_assert_cmpint (summary->date, ==, 1000);
      if (index != NULL)
        g_assert_true (g_utf8_validate (index, -1, NULL));
      source = buzon_mime_message_dup_source (m, 0);
      g_assert_cmpuint (strlen (source), >=, g_bytes_get_size (raw));
      buzon_message_summary_free (summary);
      n++;
    }
  g_assert_cmpuint (n, >=, 20);
}

static void
test_summary_fields (void)
{
  g_autoptr(GBytes) raw = load ("01-plain.eml");
  g_autoptr(GBytes) fwd = load ("13-forwarded.eml");
  BuzonMessageSummary *summary = buzon_mime_summary_from_bytes (raw, 7, 1000, NULL);
  BuzonMessageSummary *forwarded = buzon_mime_summary_from_bytes (fwd, 7, 1000, NULL);

  g_assert_cmpstr (summary->message_id, ==, "<20260303091455.12345@example.es>");
  g_assert_cmpstr (summary->in_reply_to, ==, "<prev-1@example.org>");
  g_assert_cmpstr (summary->references, ==, "<root-0@example.org> <prev-1@example.org>");
  g_assert_cmpstr (summary->preview, ==, "Hola Ana, ¿Nos vemos el martes a las diez?");
  g_assert_false (summary->has_attachments);
  g_assert_true (forwarded->has_attachments);
  g_assert_cmpint (summary->folder_id, ==, 7);
  buzon_message_summary_free (summary);
  buzon_message_summary_free (forwarded);
}

/* Hostile messages, made here */

/* Parses, summarises and indexes @raw, touching everything the reader
 * would; returns the message for more checks. */
static BuzonMimeMessage *
survive (GBytes *raw)
{
  /* One parse at a time, as the app does: the summary and the index
   * text first, then the message the reader keeps. */
  BuzonMessageSummary *summary = buzon_mime_summary_from_bytes (raw, 1, 1000, NULL);
  g_autofree char *text = buzon_mime_extract_text (raw);
  BuzonMimeMessage *m = buzon_mime_message_new_from_bytes (raw);
  g_autofree char *index = buzon_mime_message_dup_index_text (m);
  g_autofree char *source = buzon_mime_message_dup_source (m, 64 * 1024);
  GPtrArray *parts = buzon_mime_message_get_parts (m);

  g_assert_true (g_utf8_validate (source, -1, NULL));
  g_assert_cmpstr (text, ==, index);
  if (text != NULL)
    g_assert_true (g_utf8_validate (text, -1, NULL));
  if (buzon_mime_message_get_subject (m) != NULL)
    {
      g_assert_cmpuint (strlen (buzon_mime_message_get_subject (m)), <=,
                        BUZON_MIME_MAX_HEADER_BYTES);
      g_assert_true (g_utf8_validate (buzon_mime_message_get_subject (m), -1, NULL));
    }
  if (buzon_mime_message_get_body_text (m) != NULL)
    g_assert_true (g_utf8_validate (buzon_mime_message_get_body_text (m), -1, NULL));
  if (buzon_mime_message_get_body_html (m) != NULL)
    g_assert_true (g_utf8_validate (buzon_mime_message_get_body_html (m), -1, NULL));
  g_assert_cmpuint (parts->len, <=, BUZON_MIME_MAX_PARTS);
  for (guint i = 0; i < parts->len; i++)
    {
      BuzonMimePart *p = parts->pdata[i];

      (void) buzon_mime_part_get_size (p);
      if (buzon_mime_part_get_filename (p) != NULL)
        g_assert_true (g_utf8_validate (buzon_mime_part_get_filename (p), -1, NULL));
    }
  g_assert_cmpint (summary->has_attachments, ==, buzon_mime_message_get_attachments (m)->len > 0);
  buzon_message_summary_free (summary);

  return m;
}

static void
test_hostile_broken (void)
{
  static const char junk[] = "\x00\x01\x02\xff\xfe garbage \x80\x81 no headers at all \x00";
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) binary = g_bytes_new_static (junk, sizeof junk - 1);
  g_autoptr(BuzonMimeMessage) m1 = survive (empty);
  g_autoptr(BuzonMimeMessage) m2 = survive (binary);
  g_autofree char *source = buzon_mime_message_dup_source (m2, 0);
  g_autofree char *empty_source = buzon_mime_message_dup_source (m1, 0);

  g_assert_true (buzon_mime_message_is_broken (m1));
  g_assert_true (buzon_mime_message_is_broken (m2));
  g_assert_cmpuint (buzon_mime_message_get_parts (m2)->len, ==, 0);
  g_assert_null (buzon_mime_message_get_subject (m2));
  g_assert_cmpuint (buzon_mime_message_get_from (m2)->len, ==, 0);
  g_assert_true (g_utf8_validate (source, -1, NULL));
  g_assert_true (contains (source, "no headers at all"));
  g_assert_true (contains (source, "\xef\xbf\xbd"));
  g_assert_cmpstr (empty_source, ==, "");
}

static void
test_hostile_deep_multipart (void)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;
  GPtrArray *parts;
  BuzonMimePart *opaque;
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < 200; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
  g_string_append (s, "Content-Type: text/plain\n\nthe bottom\n");
  for (int i = 199; i >= 0; i--)
    g_string_append_printf (s, "--b%d--\n", i);
  raw = g_string_free_to_bytes (s);

  m = survive (raw);
  parts = buzon_mime_message_get_parts (m);
  g_assert_cmpuint (parts->len, ==, 1);
  opaque = parts->pdata[0];
  g_assert_true (buzon_mime_part_is_opaque (opaque));
  g_assert_true (buzon_mime_part_is_attachment (opaque));
  g_assert_cmpstr (buzon_mime_part_get_content_type (opaque), ==, "multipart/mixed");
  /* 32 levels of "1." then the opaque part. */
  g_assert_cmpuint (strlen (buzon_mime_part_get_id (opaque)), ==, 2 * BUZON_MIME_MAX_DEPTH - 1);
  g_assert_null (buzon_mime_message_get_body_text (m));
  g_assert_cmpuint (buzon_mime_part_get_size (opaque), >, 0);
  if (!instrumented ())
    g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_hostile_deep_messages (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;
  BuzonMimeMessage *level;
  guint depth = 0;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (s, "From: l%d@example.org\nSubject: level %d\nMIME-Version: 1.0\n"
                               "Content-Type: message/rfc822\n\n", i, i);
  g_string_append (s, "From: bottom@example.org\nSubject: bottom\n\nthe bottom\n");
  raw = g_string_free_to_bytes (s);

  m = survive (raw);
  for (level = m; level != NULL; depth++)
    {
      GPtrArray *parts = buzon_mime_message_get_parts (level);

      g_assert_cmpuint (parts->len, ==, 1);
      if (buzon_mime_part_is_opaque (parts->pdata[0]))
        {
          g_assert_null (buzon_mime_message_get_nested (level, "1"));
          break;
        }
      level = buzon_mime_message_get_nested (level, "1");
      g_assert_nonnull (level);
    }
  g_assert_cmpuint (depth, <=, BUZON_MIME_MAX_DEPTH);
  g_assert_cmpuint (depth, >=, BUZON_MIME_MAX_DEPTH - 2);
}

static void
test_hostile_huge_header (void)
{
  gsize before = max_rss ();
  /* A 10 MB Subject line, then References: 11 MB of ids (1 MB under
   * valgrind, where every parse of these headers takes about half a minute). */
  gsize total = (under_valgrind () ? 11 : 21) * MiB;
  GString *s = g_string_sized_new (total + 1024);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;
  g_autofree char *text = NULL;
  gint64 start;
  BuzonMessageSummary *summary;

  g_string_append (s, "From: a@example.org\nSubject: ");
  for (gsize i = 0; i < 10 * MiB; i++)
    g_string_append_c (s, 'a' + i % 26);
  g_string_append (s, "\nReferences: ");
  for (gsize i = 0; s->len < total; i++)
    g_string_append_printf (s, "<r%" G_GSIZE_FORMAT "@example.org> ", i);
  g_string_append (s, "\nMIME-Version: 1.0\nContent-Type: text/plain\n\nbody\n");
  raw = g_string_free_to_bytes (s);

  start = g_get_monotonic_time ();
  summary = buzon_mime_summary_from_bytes (raw, 1, 1, &text);
  g_assert_cmpuint (strlen (summary->subject), ==, BUZON_MIME_MAX_HEADER_BYTES);
  g_assert_cmpuint (strlen (summary->references), <, 64 * 1024);
  g_assert_cmpstr (text, ==, "body\n");
  buzon_message_summary_free (summary);

  m = buzon_mime_message_new_from_bytes (raw);
  g_assert_cmpuint (strlen (buzon_mime_message_get_subject (m)), ==, BUZON_MIME_MAX_HEADER_BYTES);
  g_assert_true (g_str_has_prefix (buzon_mime_message_get_subject (m), "abcdefghijklmnopqrstuvwxyz"));
  g_assert_cmpuint (g_strv_length ((char **) buzon_mime_message_get_references (m)), ==,
                    BUZON_MIME_MAX_REFERENCES);
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "body\n");
  if (!instrumented ())
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
      /* The 21 MB message itself, and GMime's copies of its headers: it
       * keeps the raw and the unfolded value of each and decodes the
       * Subject, about 4.5 times the header bytes at its peak; plus the
       * allocator's peak over two parses one after the other. Linear in
       * the input, whatever the header holds. */
      g_assert_cmpuint (max_rss () - before, <, 12 * 21 * MiB);
    }
}

static void
test_hostile_nul_and_charsets (void)
{
  static const char nul[] =
    "From: a\0b@example.org\nSubject: nul \0 here\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=x\n\n"
    "--x\nContent-Type: text/plain; charset=x-no-such-charset\n\nA\0B caf\xe9\n"
    "--x\nContent-Type: text/plain; charset=utf-16\n\nodd\n"
    "--x\nContent-Type: text/html; charset=\"\"\n\n<p>\xff\xfe\0</p>\n"
    "--x\nContent-Type: application/octet-stream; name=\"a\0b.bin\"\n\n\0\0\0\n"
    "--x--\n";
  /* A <meta> charset name that ends the data (found by fuzzing). */
  static const char meta_at_end[] = "From: a@example.org\nContent-Type: text/html\n\n<meta charset=abc";
  g_autoptr(GBytes) raw = g_bytes_new_static (nul, sizeof nul - 1);
  g_autoptr(GBytes) raw_meta = g_bytes_new_static (meta_at_end, sizeof meta_at_end - 1);
  g_autoptr(BuzonMimeMessage) m = survive (raw);
  g_autoptr(BuzonMimeMessage) m_meta = survive (raw_meta);
  const char *text = buzon_mime_message_get_body_text (m);

  g_assert_false (buzon_mime_message_is_broken (m));
  /* An unknown label falls back to windows-1252; NUL shows as U+FFFD. */
  g_assert_true (g_str_has_prefix (text, "A\xef\xbf\xbd" "B café"));
  g_assert_cmpstr (buzon_mime_message_get_body_html (m_meta), ==, "<meta charset=abc");
}

static void
test_hostile_bad_base64 (void)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: bad\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=x\n\n"
                             "--x\nContent-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: base64\n\n");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;
  GRand *rand = g_rand_new_with_seed (5);

  for (int i = 0; i < 200000; i++)
    g_string_append_c (s, (char) g_rand_int_range (rand, 1, 256));
  g_string_append (s, "\n--x\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n====!!!!\n"
                      "--x\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=\n=F\n"
                      "--x--\n");
  g_rand_free (rand);
  raw = g_string_free_to_bytes (s);
  m = survive (raw);
  g_assert_nonnull (buzon_mime_message_get_body_text (m));
}

static void
test_hostile_many_parts (void)
{
  GString *s = g_string_new ("From: a@example.org\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=x\n\n");
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;

  for (int i = 0; i < 3000; i++)
    g_string_append_printf (s, "--x\nContent-Type: image/gif; name=\"%d.gif\"\n\nGIF89a\n", i);
  g_string_append (s, "--x--\n");
  raw = g_string_free_to_bytes (s);
  m = survive (raw);
  g_assert_cmpuint (buzon_mime_message_get_parts (m)->len, ==, BUZON_MIME_MAX_PARTS);
  g_assert_cmpuint (buzon_mime_message_get_n_unlisted_parts (m), ==, 3000 - BUZON_MIME_MAX_PARTS);
}

static void
test_hostile_huge_attachment (void)
{
  const gsize decoded = 50 * MiB;
  const char *head = "From: a@example.org\nSubject: big\nMIME-Version: 1.0\n"
                     "Content-Type: multipart/mixed; boundary=x\n\n"
                     "--x\nContent-Type: text/plain\n\nsee attached\n"
                     "--x\nContent-Type: application/octet-stream; name=big.bin\n"
                     "Content-Transfer-Encoding: base64\n\n";
  const char *tail = "--x--\n";
  /* 57 bytes make one 76-character base64 line. */
  const char line[] = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n";
  gsize n_lines = decoded / 57;
  gsize size = strlen (head) + n_lines * (sizeof line - 1) + strlen (tail);
  char *data;
  char *p;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(BuzonMimeMessage) m = NULL;
  g_autoptr(GFile) null_file = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  gsize before;
  gint64 start;

  if (under_valgrind ())
    {
      g_test_skip ("50 MB under valgrind takes minutes; checked in the other runs");
      return;
    }

  p = data = g_malloc (size + 1);  /* stpcpy writes a final NUL */
  p = stpcpy (p, head);
  for (gsize i = 0; i < n_lines; i++)
    p = stpcpy (p, line);
  p = stpcpy (p, tail);
  g_assert_cmpuint (p - data, ==, size);
  raw = g_bytes_new_take (data, size);

  before = max_rss ();
  start = g_get_monotonic_time ();
  m = survive (raw);
  g_assert_cmpstr (buzon_mime_message_get_body_text (m), ==, "see attached");
  g_assert_cmpuint (buzon_mime_part_get_size (part (m, "2")), ==, n_lines * 57);
  g_assert_cmpuint (buzon_mime_message_get_attachments (m)->len, ==, 1);
  /* Saved as it decodes. */
  null_file = g_file_new_for_path ("/dev/null");
  out = G_OUTPUT_STREAM (g_file_append_to (null_file, G_FILE_CREATE_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mime_message_write_part (m, "2", out, NULL, &error));
  g_assert_no_error (error);
  if (!instrumented ())
    {
      /* The 68 MB of source are not copied, the 50 MB are counted, not kept. */
      g_assert_cmpuint (max_rss () - before, <, 32 * MiB);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/mime/message/plain", test_plain);
  g_test_add_func ("/buzon/mime/message/alternative", test_alternative);
  g_test_add_func ("/buzon/mime/message/related-cid", test_related_cid);
  g_test_add_func ("/buzon/mime/message/mixed-attachments", test_mixed_attachments);
  g_test_add_func ("/buzon/mime/message/rfc2231-filenames", test_rfc2231_filenames);
  g_test_add_func ("/buzon/mime/message/rfc2047-odd-places", test_rfc2047_odd_places);
  g_test_add_func ("/buzon/mime/message/charset/wrong-ascii-label", test_charset_wrong_ascii_label);
  g_test_add_func ("/buzon/mime/message/charset/latin1-unlabelled", test_charset_latin1_unlabelled);
  g_test_add_func ("/buzon/mime/message/charset/utf8-label-latin1", test_charset_utf8_label_latin1);
  g_test_add_func ("/buzon/mime/message/bad-base64", test_bad_base64);
  g_test_add_func ("/buzon/mime/message/bad-quoted-printable", test_bad_quoted_printable);
  g_test_add_func ("/buzon/mime/message/flowed", test_flowed);
  g_test_add_func ("/buzon/mime/message/flowed-delsp", test_flowed_delsp);
  g_test_add_func ("/buzon/mime/message/forwarded", test_forwarded);
  g_test_add_func ("/buzon/mime/message/nested-outlives-parent", test_nested_outlives_parent);
  g_test_add_func ("/buzon/mime/message/missing-headers", test_missing_headers);
  g_test_add_func ("/buzon/mime/message/bad-date", test_bad_date);
  g_test_add_func ("/buzon/mime/message/apple-inline-photo", test_apple_inline_photo);
  g_test_add_func ("/buzon/mime/message/outlook", test_outlook);
  g_test_add_func ("/buzon/mime/message/calendar-invite", test_calendar_invite);
  g_test_add_func ("/buzon/mime/message/smime-signed", test_smime_signed);
  g_test_add_func ("/buzon/mime/message/html-only", test_html_only);
  g_test_add_func ("/buzon/mime/message/html-meta-charset", test_html_meta_charset);
  g_test_add_func ("/buzon/mime/message/attachment-only", test_attachment_only);
  g_test_add_func ("/buzon/mime/message/list-footer", test_list_footer);
  g_test_add_func ("/buzon/mime/message/corpus-consistent", test_corpus_consistent);
  g_test_add_func ("/buzon/mime/message/summary-fields", test_summary_fields);
  g_test_add_func ("/buzon/mime/message/hostile/broken", test_hostile_broken);
  g_test_add_func ("/buzon/mime/message/hostile/deep-multipart", test_hostile_deep_multipart);
  g_test_add_func ("/buzon/mime/message/hostile/deep-messages", test_hostile_deep_messages);
  g_test_add_func ("/buzon/mime/message/hostile/huge-header", test_hostile_huge_header);
  g_test_add_func ("/buzon/mime/message/hostile/nul-and-charsets", test_hostile_nul_and_charsets);
  g_test_add_func ("/buzon/mime/message/hostile/bad-base64", test_hostile_bad_base64);
  g_test_add_func ("/buzon/mime/message/hostile/many-parts", test_hostile_many_parts);
  g_test_add_func ("/buzon/mime/message/hostile/huge-attachment", test_hostile_huge_attachment);

  return g_test_run ();
}
