/* test-imap-response.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The IMAP response decoders: status responses and codes, CAPABILITY, LIST,
 * STATUS, SEARCH, ESEARCH, VANISHED, QUOTA, ID, and FETCH with ENVELOPE and
 * BODYSTRUCTURE, on real Dovecot output (tests/data/imap/) and the RFCs'
 * examples, then on shapes they must refuse. */

#include "config.h"

#include <string.h>

#include "buzon-imap.h"

static GPtrArray *
load_responses (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "imap", name, NULL);
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *responses;
  BuzonImapResponse *response;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  buzon_imap_parser_feed (parser, contents, length, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_imap_parser_is_idle (parser));

  responses = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_response_unref);
  while ((response = buzon_imap_parser_pop (parser)) != NULL)
    g_ptr_array_add (responses, response);
  return responses;
}

static BuzonImapResponse *
parse_one (const char *data)
{
  g_autoptr(BuzonImapParser) parser = buzon_imap_parser_new ();
  g_autoptr(GError) error = NULL;
  BuzonImapResponse *response;

  buzon_imap_parser_feed (parser, data, strlen (data), &error);
  g_assert_no_error (error);
  response = buzon_imap_parser_pop (parser);
  g_assert_nonnull (response);
  g_assert_null (buzon_imap_parser_pop (parser));
  return response;
}

/* The @index-th response (from 0) named @name, or with code @name. */
static BuzonImapResponse *
find (GPtrArray  *responses,
      const char *name,
      guint       index)
{
  for (guint i = 0; i < responses->len; i++)
    {
      BuzonImapResponse *r = g_ptr_array_index (responses, i);

      if ((buzon_imap_response_is_named (r, name) ||
           g_strcmp0 (buzon_imap_response_get_code (r), name) == 0) && index-- == 0)
        return r;
    }
  g_assert_not_reached ();
  return NULL;
}

static BuzonImapResponse *
find_fetch (GPtrArray *responses,
            guint32    seq,
            guint      index)
{
  for (guint i = 0; i < responses->len; i++)
    {
      BuzonImapResponse *r = g_ptr_array_index (responses, i);
      guint32 number;

      if (buzon_imap_response_is_named (r, "FETCH") &&
          buzon_imap_response_get_number (r, &number) && number == seq && index-- == 0)
        return r;
    }
  g_assert_not_reached ();
  return NULL;
}

static BuzonImapFetch *
decode_fetch (BuzonImapResponse *response)
{
  g_autoptr(GError) error = NULL;
  BuzonImapFetch *fetch = buzon_imap_response_parse_fetch (response, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fetch);
  return fetch;
}

static const BuzonImapAddress *
address_at (GPtrArray *list,
            guint      index)
{
  g_assert_cmpuint (index, <, list->len);
  return g_ptr_array_index (list, index);
}

static void
assert_date (GDateTime  *date,
             const char *iso8601)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (date);
  text = g_date_time_format_iso8601 (date);
  g_assert_cmpstr (text, ==, iso8601);
}

static void
test_rfc3501_fetch (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("rfc3501-section8.txt");
  g_autoptr(BuzonImapFetch) fetch = decode_fetch (find_fetch (responses, 12, 0));
  g_autoptr(BuzonImapFetch) header = decode_fetch (find_fetch (responses, 12, 1));
  g_autoptr(BuzonImapFetch) flags = decode_fetch (find_fetch (responses, 12, 2));
  const BuzonImapFetchBody *body;
  BuzonImapEnvelope *envelope;

  g_assert_cmpuint (fetch->seq, ==, 12);
  g_assert_cmpuint (fetch->items, ==, BUZON_IMAP_FETCH_FLAGS | BUZON_IMAP_FETCH_INTERNALDATE |
                    BUZON_IMAP_FETCH_RFC822_SIZE | BUZON_IMAP_FETCH_ENVELOPE |
                    BUZON_IMAP_FETCH_BODYSTRUCTURE);
  g_assert_cmpuint (fetch->system_flags, ==, BUZON_IMAP_FLAG_SEEN);
  assert_date (fetch->internal_date, "1996-07-17T02:44:25-07");
  g_assert_cmpuint (fetch->size, ==, 4286);

  envelope = fetch->envelope;
  g_assert_cmpstr (envelope->date_text, ==, "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
  assert_date (envelope->date, "1996-07-17T02:23:25-07");
  g_assert_cmpstr (envelope->subject, ==, "IMAP4rev1 WG mtg summary and minutes");
  g_assert_cmpuint (envelope->from->len, ==, 1);
  g_assert_cmpstr (address_at (envelope->from, 0)->name, ==, "Terry Gray");
  g_assert_cmpstr (address_at (envelope->from, 0)->address, ==, "gray@cac.washington.edu");
  g_assert_cmpstr (address_at (envelope->to, 0)->address, ==, "imap@cac.washington.edu");
  g_assert_null (address_at (envelope->to, 0)->name);
  g_assert_cmpuint (envelope->cc->len, ==, 2);
  g_assert_cmpstr (address_at (envelope->cc, 1)->name, ==, "John Klensin");
  g_assert_cmpstr (address_at (envelope->cc, 1)->mailbox, ==, "KLENSIN");
  g_assert_cmpstr (address_at (envelope->cc, 1)->host, ==, "MIT.EDU");
  g_assert_cmpuint (envelope->bcc->len, ==, 0);
  g_assert_null (envelope->in_reply_to);
  g_assert_cmpstr (envelope->message_id, ==, "<B27397-0100000@cac.washington.edu>");

  /* BODY without extension data. */
  g_assert_true (buzon_imap_body_part_is_type (fetch->body, "text", "plain"));
  g_assert_cmpstr (fetch->body->section, ==, "1");
  g_assert_cmpstr (fetch->body->charset, ==, "US-ASCII");
  g_assert_cmpstr (fetch->body->encoding, ==, "7bit");
  g_assert_cmpuint (fetch->body->size, ==, 3028);
  g_assert_cmpuint (fetch->body->lines, ==, 92);
  g_assert_false (buzon_imap_body_part_has_attachments (fetch->body));

  body = buzon_imap_fetch_get_body (header, "header");
  g_assert_nonnull (body);
  g_assert_false (body->has_origin);
  g_assert_cmpuint (buzon_imap_value_get_length (body->data), ==, 342);

  g_assert_cmpuint (flags->system_flags, ==, BUZON_IMAP_FLAG_SEEN | BUZON_IMAP_FLAG_DELETED);
  g_assert_cmpstrv (flags->flags, ((const char *[]) { "\\Seen", "\\Deleted", NULL }));
}

static void
test_dovecot_session (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("dovecot-demo-inbox.txt");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) greeting = NULL;
  g_auto(GStrv) capabilities = NULL;
  g_auto(GStrv) capabilities2 = NULL;
  g_auto(GStrv) enabled = NULL;
  g_auto(GStrv) flags = NULL;
  g_auto(GStrv) permanent = NULL;
  g_auto(GStrv) roots = NULL;
  g_autofree char *mailbox = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(BuzonImapQuota) quota = NULL;
  g_autoptr(GHashTable) id = NULL;
  g_autoptr(GArray) search = NULL;
  g_autoptr(GArray) search_modseq = NULL;
  g_autoptr(BuzonImapEsearch) esearch = NULL;
  BuzonImapQuotaResource *resource;
  guint64 number, modseq;

  greeting = buzon_imap_response_parse_capability (g_ptr_array_index (responses, 0), &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) greeting, "LITERAL+"));
  g_assert_true (g_strv_contains ((const char * const *) greeting, "AUTH=PLAIN"));
  g_assert_false (g_strv_contains ((const char * const *) greeting, "QRESYNC"));

  capabilities = buzon_imap_response_parse_capability (g_ptr_array_index (responses, 1), &error);
  g_assert_no_error (error);
  capabilities2 = buzon_imap_response_parse_capability (find (responses, "CAPABILITY", 2), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (capabilities, capabilities2);
  for (guint i = 0; i < 8; i++)
    {
      static const char *wanted[] = {
        "IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC", "SPECIAL-USE", "QUOTA",
      };

      g_assert_true (g_strv_contains ((const char * const *) capabilities, wanted[i]));
    }

  enabled = buzon_imap_response_parse_enabled (find (responses, "ENABLED", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (enabled, ((const char *[]) { "QRESYNC", NULL }));

  /* LIST, with special use and children; LSUB. */
  {
    static const struct
    {
      const char            *name;
      BuzonImapMailboxFlags  flags;
    } expected[] = {
      { "Trash", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_TRASH },
      { "Sent", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_SENT },
      { "Junk", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_JUNK },
      { "Drafts", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_DRAFTS },
      { "Facturas", BUZON_IMAP_MAILBOX_HAS_CHILDREN },
      { "Facturas/2026", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
      { "Viajes", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
      { "Trabajo", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
      { "INBOX", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr(BuzonImapListEntry) entry = NULL;

        entry = buzon_imap_response_parse_list (find (responses, "LIST", i), &error);
        g_assert_no_error (error);
        g_assert_cmpstr (entry->name, ==, expected[i].name);
        g_assert_cmpstr (entry->display_name, ==, expected[i].name);
        g_assert_cmpint (entry->delimiter, ==, '/');
        g_assert_cmpuint (entry->flags, ==, expected[i].flags);
        g_assert_false (entry->lsub);
      }
  }
  {
    g_autoptr(BuzonImapListEntry) entry = NULL;

    entry = buzon_imap_response_parse_list (find (responses, "LSUB", 4), &error);
    g_assert_no_error (error);
    g_assert_true (entry->lsub);
    g_assert_cmpstr (entry->name, ==, "Drafts");
    g_assert_cmpuint (entry->flags & BUZON_IMAP_MAILBOX_SPECIAL_USE_MASK, ==,
                      BUZON_IMAP_MAILBOX_DRAFTS);
    g_assert_cmpstrv (entry->attributes, ((const char *[]) { "\\Drafts", NULL }));
  }

  status = buzon_imap_response_parse_status (find (responses, "STATUS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status->name, ==, "INBOX");
  g_assert_cmpuint (status->items, ==, BUZON_IMAP_STATUS_MESSAGES | BUZON_IMAP_STATUS_RECENT |
                    BUZON_IMAP_STATUS_UIDNEXT | BUZON_IMAP_STATUS_UIDVALIDITY |
                    BUZON_IMAP_STATUS_UNSEEN | BUZON_IMAP_STATUS_HIGHESTMODSEQ);
  g_assert_cmpuint (status->messages, ==, 16);
  g_assert_cmpuint (status->recent, ==, 16);
  g_assert_cmpuint (status->uidnext, ==, 17);
  g_assert_cmpuint (status->uidvalidity, ==, 1795460144);
  g_assert_cmpuint (status->unseen, ==, 5);
  g_assert_cmpuint (status->highestmodseq, ==, 17);

  roots = buzon_imap_response_parse_quotaroot (find (responses, "QUOTAROOT", 0), &mailbox, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mailbox, ==, "INBOX");
  g_assert_cmpstrv (roots, ((const char *[]) { "User quota", NULL }));
  quota = buzon_imap_response_parse_quota (find (responses, "QUOTA", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (quota->root, ==, "User quota");
  g_assert_cmpuint (quota->resources->len, ==, 1);
  resource = &g_array_index (quota->resources, BuzonImapQuotaResource, 0);
  g_assert_cmpstr (resource->name, ==, "STORAGE");
  g_assert_cmpuint (resource->usage, ==, 72);
  g_assert_cmpuint (resource->limit, ==, 1048576);

  id = buzon_imap_response_parse_id (find (responses, "ID", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (id, "name"), ==, "Dovecot");

  /* SELECT's responses. */
  flags = buzon_imap_response_parse_flags (find (responses, "FLAGS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (flags), ==, 5);
  permanent = buzon_imap_response_parse_flags (find (responses, "PERMANENTFLAGS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (permanent[5], ==, "\\*");
  g_assert_true (buzon_imap_response_get_code_number (find (responses, "UNSEEN", 0), &number));
  g_assert_cmpuint (number, ==, 12);
  g_assert_true (buzon_imap_response_get_code_number (find (responses, "UIDVALIDITY", 0),
                                                      &number));
  g_assert_cmpuint (number, ==, 1795460144);
  g_assert_true (buzon_imap_response_get_code_number (find (responses, "UIDNEXT", 0), &number));
  g_assert_cmpuint (number, ==, 17);
  g_assert_true (buzon_imap_response_get_code_number (find (responses, "HIGHESTMODSEQ", 0),
                                                      &number));
  g_assert_cmpuint (number, ==, 17);
  g_assert_cmpstr (buzon_imap_response_get_tag (find (responses, "READ-WRITE", 0)), ==, "A010");
  {
    guint32 exists;

    g_assert_true (buzon_imap_response_get_number (find (responses, "EXISTS", 0), &exists));
    g_assert_cmpuint (exists, ==, 16);
  }

  search = buzon_imap_response_parse_search (find (responses, "SEARCH", 0), &modseq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (search->len, ==, 16);
  g_assert_cmpuint (g_array_index (search, guint32, 15), ==, 16);
  g_assert_cmpuint (modseq, ==, 0);
  search_modseq = buzon_imap_response_parse_search (find (responses, "SEARCH", 1), &modseq,
                                                    &error);
  g_assert_no_error (error);
  g_assert_cmpuint (search_modseq->len, ==, 16);
  g_assert_cmpuint (modseq, ==, 17);

  esearch = buzon_imap_response_parse_esearch (find (responses, "ESEARCH", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (esearch->tag, ==, "A014");
  g_assert_true (esearch->uid);
  g_assert_cmpuint (esearch->items, ==, BUZON_IMAP_ESEARCH_MIN | BUZON_IMAP_ESEARCH_MAX |
                    BUZON_IMAP_ESEARCH_ALL | BUZON_IMAP_ESEARCH_COUNT);
  g_assert_cmpuint (esearch->min, ==, 1);
  g_assert_cmpuint (esearch->max, ==, 16);
  g_assert_cmpuint (esearch->count, ==, 16);
  g_assert_cmpuint (buzon_imap_uid_set_count (esearch->all), ==, 16);

  g_assert_cmpint (buzon_imap_response_get_condition (find (responses, "BYE", 0)), ==,
                   BUZON_IMAP_CONDITION_BYE);
}

static void
test_dovecot_fetch (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("dovecot-demo-inbox.txt");
  g_autoptr(BuzonImapFetch) first = decode_fetch (find_fetch (responses, 1, 0));
  g_autoptr(BuzonImapFetch) second = decode_fetch (find_fetch (responses, 2, 0));
  g_autoptr(BuzonImapFetch) digest = decode_fetch (find_fetch (responses, 10, 0));
  g_autoptr(BuzonImapFetch) quote = decode_fetch (find_fetch (responses, 12, 0));
  g_autoptr(BuzonImapFetch) newsletter = decode_fetch (find_fetch (responses, 13, 0));
  g_autoptr(BuzonImapFetch) saturday = decode_fetch (find_fetch (responses, 14, 0));
  const BuzonImapFetchBody *references;
  const BuzonImapBodyPart *part;
  gsize length;

  g_assert_cmpuint (first->uid, ==, 1);
  g_assert_cmpuint (first->items & BUZON_IMAP_FETCH_MODSEQ, !=, 0);
  g_assert_cmpuint (first->modseq, ==, 17);
  g_assert_cmpuint (first->system_flags, ==, BUZON_IMAP_FLAG_SEEN | BUZON_IMAP_FLAG_RECENT);
  assert_date (first->internal_date, "2026-01-03T08:12:45Z");
  g_assert_cmpuint (first->size, ==, 929);
  g_assert_cmpstr (first->envelope->subject, ==, "Cambiamos de proveedor de correo: ¿POP3 o IMAP?");
  assert_date (first->envelope->date, "2026-01-03T09:12:45+01");
  g_assert_cmpstr (address_at (first->envelope->from, 0)->name, ==, "Javier Ortega");
  g_assert_cmpstr (address_at (first->envelope->from, 0)->address, ==,
                   "javier.ortega@estudio-ortega.example");
  g_assert_cmpuint (first->envelope->to->len, ==, 3);
  g_assert_cmpstr (address_at (first->envelope->to, 0)->name, ==, "Marta Ríos");
  g_assert_cmpstr (address_at (first->envelope->to, 1)->name, ==, "Lucía Paredes");
  g_assert_cmpstr (address_at (first->envelope->to, 2)->name, ==, "Tomás Ruiz");
  g_assert_null (address_at (first->envelope->to, 2)->group);
  g_assert_cmpstr (first->envelope->message_id, ==, "<20260115.correo-1@estudio-ortega.example>");
  g_assert_true (buzon_imap_body_part_is_type (first->body, "text", "plain"));
  g_assert_cmpstr (first->body->charset, ==, "utf-8");
  g_assert_cmpuint (first->body->size, ==, 415);
  g_assert_cmpuint (first->body->lines, ==, 11);
  g_assert_false (buzon_imap_body_part_has_attachments (first->body));
  g_assert_false (buzon_imap_body_part_has_alternative (first->body));
  references = buzon_imap_fetch_get_body (first, "HEADER.FIELDS (REFERENCES)");
  g_assert_nonnull (references);
  g_assert_cmpstr (buzon_imap_value_get_string (references->data, &length), ==, "\r\n");

  g_assert_cmpstr (second->envelope->in_reply_to, ==,
                   "<20260115.correo-1@estudio-ortega.example>");
  references = buzon_imap_fetch_get_body (second, "header.fields  (references)");
  g_assert_nonnull (references);
  g_assert_nonnull (strstr (buzon_imap_value_get_string (references->data, NULL),
                            "References: <20260115.correo-1@estudio-ortega.example>"));

  /* multipart/alternative */
  g_assert_true (buzon_imap_body_part_is_type (digest->body, "multipart", "alternative"));
  g_assert_cmpstr (digest->body->section, ==, "TEXT");
  g_assert_cmpstr (g_hash_table_lookup (digest->body->params, "boundary"), ==,
                   "=_buzon_demo_1_20260115.digest-212");
  g_assert_true (buzon_imap_body_part_has_alternative (digest->body));
  g_assert_false (buzon_imap_body_part_has_attachments (digest->body));
  part = buzon_imap_body_part_find_text (digest->body, "plain");
  g_assert_cmpstr (part->section, ==, "1");
  part = buzon_imap_body_part_find_text (digest->body, "html");
  g_assert_cmpstr (part->section, ==, "2");
  g_assert_cmpstr (part->encoding, ==, "quoted-printable");
  g_assert_cmpuint (part->size, ==, 1641);

  /* multipart/mixed with two attachments */
  g_assert_true (buzon_imap_body_part_has_attachments (quote->body));
  g_assert_cmpuint (quote->body->children->len, ==, 3);
  part = buzon_imap_body_part_find_section (quote->body, "2");
  g_assert_true (buzon_imap_body_part_is_type (part, "application", "pdf"));
  g_assert_true (part->is_attachment);
  g_assert_cmpstr (part->disposition, ==, "attachment");
  g_assert_cmpstr (part->filename, ==, "presupuesto-2026-118.pdf");
  g_assert_cmpuint (part->size, ==, 1882);
  part = buzon_imap_body_part_find_section (quote->body, "3");
  g_assert_true (buzon_imap_body_part_is_type (part, "image", "png"));
  g_assert_cmpstr (part->filename, ==, "plano-cocina.png");
  part = buzon_imap_body_part_find_section (quote->body, "1");
  g_assert_false (part->is_attachment);
  g_assert_cmpstr (quote->envelope->subject, ==, "Presupuesto reforma de la cocina (n.º 2026-118)");

  /* Subjects that came as literals. */
  g_assert_cmpstr (newsletter->envelope->subject, ==,
                   "Boletín de marzo: travesía por Gredos y taller de orientación");
  g_assert_cmpstr (address_at (newsletter->envelope->from, 0)->name, ==, "Club de Montaña Alta");
  g_assert_cmpstr (saturday->envelope->subject, ==,
                   "¿Quedamos el sábado? ☕ Cafetería «La Única»");
  g_assert_cmpstr (address_at (saturday->envelope->from, 0)->name, ==, "José Ángel Muñoz");

  /* Every FETCH of both demo captures decodes. */
  {
    static const char *files[] = { "dovecot-demo-inbox.txt", "dovecot-demo-folders.txt" };

    for (guint f = 0; f < G_N_ELEMENTS (files); f++)
      {
        g_autoptr(GPtrArray) all = load_responses (files[f]);

        for (guint i = 0; i < all->len; i++)
          if (buzon_imap_response_is_named (g_ptr_array_index (all, i), "FETCH"))
            {
              g_autoptr(BuzonImapFetch) fetch = decode_fetch (g_ptr_array_index (all, i));

              g_assert_nonnull (fetch->envelope);
              g_assert_nonnull (fetch->body);
            }
      }
  }
}

/* Dovecot's answers to an awkward message, folder names, UIDPLUS, MOVE,
 * QRESYNC, IDLE and errors. */
static void
test_dovecot_awkward (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("dovecot-awkward.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapFetch) fetch = decode_fetch (find_fetch (responses, 1, 0));
  g_autoptr(BuzonImapFetch) bodies = decode_fetch (find_fetch (responses, 1, 1));
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  BuzonImapEnvelope *envelope = fetch->envelope;
  const BuzonImapBodyPart *part;
  const BuzonImapFetchBody *body;
  const BuzonImapAddress *address;

  /* Modified UTF-7 folder names. */
  {
    static const struct
    {
      const char            *name;
      const char            *display_name;
      BuzonImapMailboxFlags  flags;
    } expected[] = {
      { "amp &- and", "amp & and", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
      { "Emoji &2D3eAA-", "Emoji 😀", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
      { "A&APE-o", "Año", BUZON_IMAP_MAILBOX_NOSELECT | BUZON_IMAP_MAILBOX_HAS_CHILDREN },
      { "A&APE-o/&U,BTFw-", "Año/台北", BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr(BuzonImapListEntry) entry = NULL;

        entry = buzon_imap_response_parse_list (find (responses, "LIST", i), &error);
        g_assert_no_error (error);
        g_assert_cmpstr (entry->name, ==, expected[i].name);
        g_assert_cmpstr (entry->display_name, ==, expected[i].display_name);
        g_assert_cmpuint (entry->flags, ==, expected[i].flags);
      }
  }
  {
    g_autoptr(BuzonImapListEntry) subscribed = NULL;
    g_autoptr(BuzonImapListEntry) root = NULL;

    subscribed = buzon_imap_response_parse_list (find (responses, "LIST", 13), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (subscribed->flags, ==, BUZON_IMAP_MAILBOX_SUBSCRIBED |
                      BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN | BUZON_IMAP_MAILBOX_DRAFTS);
    root = buzon_imap_response_parse_list (find (responses, "LIST", 18), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (root->name, ==, "");
    g_assert_cmpuint (root->flags, ==, BUZON_IMAP_MAILBOX_NOSELECT);
  }

  /* APPENDUID, COPYUID (tagged, and untagged from MOVE) */
  {
    g_autoptr(BuzonImapCopyUid) append = NULL;
    g_autoptr(BuzonImapCopyUid) copy = NULL;
    g_autoptr(BuzonImapCopyUid) move = NULL;
    BuzonImapResponse *moved;

    append = buzon_imap_response_parse_copyuid (find (responses, "APPENDUID", 0), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (append->uidvalidity, ==, 1795460176);
    g_assert_null (append->source_uids);
    g_assert_cmpuint (buzon_imap_uid_set_count (append->dest_uids), ==, 1);
    g_assert_cmpuint (g_array_index (append->dest_uids, BuzonImapUidRange, 0).first, ==, 1);

    copy = buzon_imap_response_parse_copyuid (find (responses, "COPYUID", 0), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (copy->uidvalidity, ==, 1795460174);
    g_assert_cmpstr (buzon_imap_response_get_tag (find (responses, "COPYUID", 0)), ==, "B017");

    moved = find (responses, "COPYUID", 1);
    g_assert_cmpint (buzon_imap_response_get_kind (moved), ==, BUZON_IMAP_RESPONSE_UNTAGGED);
    move = buzon_imap_response_parse_copyuid (moved, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (move->uidvalidity, ==, 1795460175);
    g_assert_cmpuint (g_array_index (move->source_uids, BuzonImapUidRange, 0).first, ==, 2);
    g_assert_cmpuint (g_array_index (move->dest_uids, BuzonImapUidRange, 0).first, ==, 1);
  }

  /* VANISHED, now and EARLIER */
  {
    g_autoptr(GArray) now = NULL;
    g_autoptr(GArray) earlier = NULL;
    g_autoptr(GArray) resync = NULL;
    gboolean is_earlier = TRUE;

    now = buzon_imap_response_parse_vanished (find (responses, "VANISHED", 0), &is_earlier, &error);
    g_assert_no_error (error);
    g_assert_false (is_earlier);
    g_assert_true (buzon_imap_uid_set_contains (now, 2));
    earlier = buzon_imap_response_parse_vanished (find (responses, "VANISHED", 1), &is_earlier,
                                                  &error);
    g_assert_no_error (error);
    g_assert_true (is_earlier);
    resync = buzon_imap_response_parse_vanished (find (responses, "VANISHED", 3), &is_earlier,
                                                 &error);
    g_assert_no_error (error);
    g_assert_cmpuint (buzon_imap_uid_set_count (resync), ==, 2);
  }

  /* Codes and conditions */
  {
    BuzonImapResponse *r;

    r = find (responses, "MODIFIED", 0);
    g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_OK);
    g_assert_cmpstr (buzon_imap_response_get_code_text (r), ==, "1");
    {
      g_autoptr(GArray) modified = buzon_imap_response_parse_modified (r, &error);

      g_assert_no_error (error);
      g_assert_true (buzon_imap_uid_set_contains (modified, 1));
    }
    r = find (responses, "TRYCREATE", 0);
    g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_NO);
    g_assert_cmpstr (buzon_imap_response_get_text (r), ==,
                     "Mailbox doesn't exist: Nonexistent (0.001 + 0.000 secs).");
    r = find (responses, "BADCHARSET", 0);
    g_assert_cmpint (buzon_imap_response_get_condition (r), ==, BUZON_IMAP_CONDITION_NO);
    r = find (responses, "CLOSED", 0);
    g_assert_cmpint (buzon_imap_response_get_kind (r), ==, BUZON_IMAP_RESPONSE_UNTAGGED);
    r = find (responses, "BAD", 0);
    g_assert_cmpstr (buzon_imap_response_get_tag (r), ==, "B022");
    g_assert_true (g_str_has_prefix (buzon_imap_response_get_text (r), "Error in IMAP command FOO"));
  }

  /* IDLE */
  for (guint i = 0; i < responses->len; i++)
    {
      BuzonImapResponse *r = g_ptr_array_index (responses, i);

      if (buzon_imap_response_get_kind (r) == BUZON_IMAP_RESPONSE_CONTINUATION)
        {
          g_assert_cmpstr (buzon_imap_response_get_text (r), ==, "idling");
          g_assert_true (buzon_imap_response_is_named (g_ptr_array_index (responses, i + 1),
                                                       "VANISHED"));
          break;
        }
    }

  status = buzon_imap_response_parse_status (find (responses, "STATUS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status->name, ==, "A&APE-o/&U,BTFw-");
  g_assert_cmpuint (status->items & BUZON_IMAP_STATUS_SIZE, !=, 0);
  g_assert_cmpuint (status->size, ==, 1756);

  /* The envelope: groups, an 8-bit literal name, ISO-8859-1 and UTF-8
   * encoded-words, a non-BMP character. */
  g_assert_cmpstr (envelope->subject, ==, "😀 Emoji y 台北 adjuntos");
  g_assert_cmpstr (address_at (envelope->from, 0)->name, ==, "Grupo España");
  g_assert_cmpuint (envelope->to->len, ==, 0);
  g_assert_cmpuint (envelope->cc->len, ==, 2);
  address = address_at (envelope->cc, 0);
  g_assert_cmpstr (address->group, ==, "Equipo");
  g_assert_null (address->name);
  g_assert_cmpstr (address->address, ==, "ana@example.test");
  address = address_at (envelope->cc, 1);
  g_assert_cmpstr (address->group, ==, "Equipo");
  g_assert_cmpstr (address->name, ==, "Bruno \"B\" Díaz");
  g_assert_cmpstr (address->address, ==, "bruno@example.test");
  g_assert_cmpstr (envelope->in_reply_to, ==, "<parent@example.test>");
  g_assert_cmpstr (envelope->message_id, ==, "<awkward-1@example.test>");

  /* The structure: mixed( related( alternative(plain, html), png ), pdf,
   * message/rfc822( alternative(plain, html) ), text attachment ). */
  g_assert_true (buzon_imap_body_part_is_type (fetch->body, "multipart", "mixed"));
  g_assert_true (buzon_imap_body_part_has_alternative (fetch->body));
  g_assert_true (buzon_imap_body_part_has_attachments (fetch->body));
  {
    static const struct
    {
      const char *section;
      const char *type;
      const char *subtype;
      gboolean    attachment;
    } expected[] = {
      { "1", "multipart", "related", FALSE },
      { "1.1", "multipart", "alternative", FALSE },
      { "1.1.1", "text", "plain", FALSE },
      { "1.1.2", "text", "html", FALSE },
      { "1.2", "image", "png", FALSE },
      { "2", "application", "pdf", TRUE },
      { "3", "message", "rfc822", TRUE },
      { "3.TEXT", "multipart", "alternative", FALSE },
      { "3.1", "text", "plain", FALSE },
      { "3.2", "text", "html", FALSE },
      { "4", "text", "plain", TRUE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        part = buzon_imap_body_part_find_section (fetch->body, expected[i].section);
        g_assert_nonnull (part);
        g_assert_true (buzon_imap_body_part_is_type (part, expected[i].type, expected[i].subtype));
        g_assert_cmpint (part->is_attachment, ==, expected[i].attachment);
      }
  }
  part = buzon_imap_body_part_find_section (fetch->body, "1.1.1");
  g_assert_cmpstr (part->charset, ==, "iso-8859-1");
  g_assert_true (buzon_imap_body_part_find_text (fetch->body, "plain") == part);
  part = buzon_imap_body_part_find_section (fetch->body, "1.2");
  g_assert_cmpstr (part->id, ==, "<logo@x>");
  g_assert_cmpstr (part->disposition, ==, "inline");
  part = buzon_imap_body_part_find_section (fetch->body, "2");
  g_assert_cmpstr (part->filename, ==, "factura año 2026.pdf");
  g_assert_cmpstr (g_hash_table_lookup (part->params, "name"), ==, "factura año.pdf");
  part = buzon_imap_body_part_find_section (fetch->body, "3");
  g_assert_cmpstr (part->envelope->subject, ==, "Mensaje reenviado");
  g_assert_cmpuint (part->lines, ==, 16);
  g_assert_cmpuint (part->children->len, ==, 1);
  part = buzon_imap_body_part_find_section (fetch->body, "4");
  g_assert_cmpstr (part->filename, ==, "notas largas.txt");

  /* BODY[], a partial, header fields, BINARY with a literal8. */
  body = buzon_imap_fetch_get_body (bodies, "");
  g_assert_nonnull (body);
  g_assert_cmpuint (buzon_imap_value_get_length (body->data), ==, 1756);
  g_assert_true (g_str_has_prefix (buzon_imap_value_get_string (body->data, NULL), "From: "));
  body = buzon_imap_fetch_get_body (bodies, "1.1.1");
  g_assert_true (body->has_origin);
  g_assert_cmpuint (body->origin, ==, 0);
  g_assert_cmpstr (buzon_imap_value_get_string (body->data, NULL), ==, "Hola");
  body = buzon_imap_fetch_get_body (bodies, "HEADER.FIELDS (REFERENCES MESSAGE-ID)");
  g_assert_cmpuint (buzon_imap_value_get_length (body->data), ==, 95);
  body = buzon_imap_fetch_get_body (bodies, "2");
  g_assert_true (body->binary);
  g_assert_cmpstr (buzon_imap_value_get_string (body->data, NULL), ==, "%PDF-1.4\n");
  {
    guint64 size;

    g_assert_true (buzon_imap_value_get_number (buzon_imap_fetch_get_attribute (bodies,
                                                                                "binary.size[2]"),
                                                &size));
    g_assert_cmpuint (size, ==, 9);
  }
}

static void
test_rfc_examples (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("rfc-examples.txt");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) capabilities = NULL;
  g_autoptr(BuzonImapListEntry) flat = NULL;
  g_autoptr(BuzonImapListEntry) news = NULL;
  g_autoptr(BuzonImapListEntry) gmail = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(BuzonImapCopyUid) copy = NULL;
  g_autoptr(BuzonImapFetch) modseq = NULL;
  g_autoptr(GArray) vanished = NULL;
  g_autoptr(GArray) expanded = NULL;
  g_autoptr(GArray) search = NULL;
  g_autoptr(GHashTable) id = NULL;
  g_autoptr(GHashTable) no_id = NULL;
  g_autoptr(BuzonImapQuota) quota = NULL;
  g_autoptr(BuzonImapEsearch) min = NULL;
  g_autoptr(BuzonImapEsearch) all = NULL;
  g_auto(GStrv) roots = NULL;
  g_auto(GStrv) permanent = NULL;
  guint64 number;
  gboolean earlier;

  g_assert_cmpint (buzon_imap_response_get_condition (g_ptr_array_index (responses, 0)), ==,
                   BUZON_IMAP_CONDITION_PREAUTH);
  capabilities = buzon_imap_response_parse_capability (g_ptr_array_index (responses, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (capabilities, ((const char *[]) { "IMAP4REV1", "STARTTLS", "AUTH=GSSAPI",
                                                      "LOGINDISABLED", NULL }));
  g_assert_cmpstr (buzon_imap_response_get_code (g_ptr_array_index (responses, 2)), ==, "ALERT");
  g_assert_cmpstr (buzon_imap_response_get_text (g_ptr_array_index (responses, 2)), ==,
                   "System shutdown in 10 minutes");
  g_assert_cmpint (buzon_imap_response_get_condition (g_ptr_array_index (responses, 3)), ==,
                   BUZON_IMAP_CONDITION_NO);
  g_assert_cmpint (buzon_imap_response_get_condition (g_ptr_array_index (responses, 4)), ==,
                   BUZON_IMAP_CONDITION_BAD);
  g_assert_cmpint (buzon_imap_response_get_kind (g_ptr_array_index (responses, 5)), ==,
                   BUZON_IMAP_RESPONSE_CONTINUATION);

  flat = buzon_imap_response_parse_list (find (responses, "LIST", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (flat->delimiter, ==, '\0');
  g_assert_cmpstr (flat->name, ==, "");
  news = buzon_imap_response_parse_list (find (responses, "LSUB", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (news->delimiter, ==, '.');
  g_assert_cmpstr (news->name, ==, "#news.comp.mail.misc");
  gmail = buzon_imap_response_parse_list (find (responses, "LIST", 3), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gmail->flags, ==, BUZON_IMAP_MAILBOX_ARCHIVE | BUZON_IMAP_MAILBOX_ALL |
                    BUZON_IMAP_MAILBOX_FLAGGED | BUZON_IMAP_MAILBOX_JUNK |
                    BUZON_IMAP_MAILBOX_TRASH | BUZON_IMAP_MAILBOX_DRAFTS |
                    BUZON_IMAP_MAILBOX_IMPORTANT);
  g_assert_cmpstr (gmail->name, ==, "[Gmail]/Stuff");

  status = buzon_imap_response_parse_status (find (responses, "STATUS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status->name, ==, "blurdybloop");
  g_assert_cmpuint (status->items, ==, BUZON_IMAP_STATUS_MESSAGES | BUZON_IMAP_STATUS_UIDNEXT);
  g_assert_cmpuint (status->messages, ==, 231);
  g_assert_cmpuint (status->uidnext, ==, 44292);

  search = buzon_imap_response_parse_search (find (responses, "SEARCH", 1), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (search->len, ==, 0);
  g_clear_pointer (&search, g_array_unref);
  search = buzon_imap_response_parse_search (find (responses, "SEARCH", 2), &number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (search->len, ==, 10);
  g_assert_cmpuint (number, ==, 917162500);

  permanent = buzon_imap_response_parse_flags (find (responses, "PERMANENTFLAGS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (permanent, ((const char *[]) { "\\Deleted", "\\Seen", "\\*", NULL }));

  copy = buzon_imap_response_parse_copyuid (find (responses, "COPYUID", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copy->uidvalidity, ==, 38505);
  g_assert_cmpuint (copy->source_uids->len, ==, 2);
  g_assert_cmpuint (buzon_imap_uid_set_count (copy->source_uids), ==, 3);
  expanded = buzon_imap_uid_set_expand (copy->dest_uids, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expanded->len, ==, 3);
  g_assert_cmpuint (g_array_index (expanded, guint32, 2), ==, 3958);

  g_assert_true (buzon_imap_response_get_code_number (find (responses, "HIGHESTMODSEQ", 0),
                                                      &number));
  g_assert_cmpuint (number, ==, G_GUINT64_CONSTANT (715194045007));
  g_assert_null (buzon_imap_response_get_code_args (find (responses, "NOMODSEQ", 0)));
  modseq = decode_fetch (find (responses, "FETCH", 1));
  g_assert_cmpuint (modseq->uid, ==, 8);
  g_assert_cmpuint (modseq->modseq, ==, G_GUINT64_CONSTANT (12121231000));

  vanished = buzon_imap_response_parse_vanished (find (responses, "VANISHED", 0), &earlier, &error);
  g_assert_no_error (error);
  g_assert_true (earlier);
  g_assert_cmpuint (vanished->len, ==, 5);
  g_assert_cmpuint (buzon_imap_uid_set_count (vanished), ==, 1 + 74 + 1 + 92 + 327);
  g_assert_false (buzon_imap_uid_set_contains (vanished, 42));
  g_assert_true (buzon_imap_uid_set_contains (vanished, 540));

  id = buzon_imap_response_parse_id (find (responses, "ID", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (id), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (id, "support-url"), ==, "mailto:cyrus-bugs+@andrew.cmu.edu");
  no_id = buzon_imap_response_parse_id (find (responses, "ID", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (no_id), ==, 0);

  roots = buzon_imap_response_parse_quotaroot (find (responses, "QUOTAROOT", 0), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (roots, ((const char *[]) { "", NULL }));
  quota = buzon_imap_response_parse_quota (find (responses, "QUOTA", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (quota->root, ==, "");
  g_assert_cmpuint (g_array_index (quota->resources, BuzonImapQuotaResource, 0).limit, ==, 512);

  min = buzon_imap_response_parse_esearch (find (responses, "ESEARCH", 1), &error);
  g_assert_no_error (error);
  g_assert_false (min->uid);
  g_assert_cmpuint (min->items, ==, BUZON_IMAP_ESEARCH_MIN);
  g_assert_cmpuint (min->min, ==, 4);
  all = buzon_imap_response_parse_esearch (find (responses, "ESEARCH", 2), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_imap_uid_set_count (all->all), ==, 3);

  {
    g_autoptr(GArray) modified = NULL;

    modified = buzon_imap_response_parse_modified (find (responses, "MODIFIED", 0), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (modified->len, ==, 2);
    g_assert_true (buzon_imap_uid_set_contains (modified, 9));
  }
}

static void
test_awkward_legal (void)
{
  g_autoptr(GPtrArray) responses = load_responses ("awkward-legal.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapFetch) lower = decode_fetch (find_fetch (responses, 1, 0));
  g_autoptr(BuzonImapFetch) empty = decode_fetch (find_fetch (responses, 7, 0));
  g_autoptr(BuzonImapFetch) literals = decode_fetch (find_fetch (responses, 8, 0));
  g_autoptr(BuzonImapFetch) labels = decode_fetch (find_fetch (responses, 10, 0));
  g_autoptr(BuzonImapListEntry) nil = NULL;
  g_autoptr(BuzonImapListEntry) backslash = NULL;
  g_autoptr(BuzonImapMailboxStatus) literal_status = NULL;
  g_autoptr(BuzonImapMailboxStatus) lower_status = NULL;
  const BuzonImapFetchBody *body;
  const BuzonImapAddress *address;
  BuzonImapValue *value;

  g_assert_cmpuint (lower->uid, ==, 5);
  g_assert_cmpuint (lower->system_flags, ==, BUZON_IMAP_FLAG_SEEN | BUZON_IMAP_FLAG_FLAGGED);
  g_assert_cmpstrv (lower->flags, ((const char *[]) { "\\seen", "\\FLAGGED", "$Junk", NULL }));
  g_assert_cmpuint (lower->size, ==, 12);

  /* NIL everywhere. */
  g_assert_null (empty->envelope->date);
  g_assert_null (empty->envelope->date_text);
  g_assert_null (empty->envelope->subject);
  g_assert_cmpuint (empty->envelope->from->len, ==, 0);
  g_assert_null (empty->envelope->message_id);
  g_assert_cmpstr (empty->body->type, ==, "text");
  g_assert_null (empty->body->charset);
  g_assert_cmpuint (g_hash_table_size (empty->body->params), ==, 0);
  g_assert_cmpuint (empty->system_flags, ==, 0);
  g_assert_cmpuint (g_strv_length (empty->flags), ==, 0);

  /* Literals inside ENVELOPE, with quotes, parentheses, CRLF and 8-bit. */
  g_assert_cmpstr (literals->envelope->subject, ==,
                   "Subject with \"quotes\" and )( parens\r\nand a line break");
  address = address_at (literals->envelope->from, 0);
  g_assert_cmpstr (address->name, ==, "Fred \"the\" Foobar");
  address = address_at (literals->envelope->to, 0);
  g_assert_cmpstr (address->name, ==, "Jürg");
  g_assert_cmpstr (address->group, ==, "Team");
  body = buzon_imap_fetch_get_body (literals, "");
  g_assert_cmpmem (buzon_imap_value_get_string (body->data, NULL),
                   buzon_imap_value_get_length (body->data), "Hello\r\n\0binary\xff\r\n", 17);
  body = buzon_imap_fetch_get_body (literals, "TEXT");
  g_assert_true (buzon_imap_value_is_nil (body->data));
  g_assert_true (body->has_origin);
  body = buzon_imap_fetch_get_body (literals, "1");
  g_assert_true (body->binary);
  g_assert_cmpuint (buzon_imap_value_get_length (body->data), ==, 3);
  body = buzon_imap_fetch_get_body (literals, "HEADER");
  g_assert_cmpuint (buzon_imap_value_get_length (body->data), ==, 0);
  value = buzon_imap_fetch_get_attribute (literals, "X-GM-MSGID");
  g_assert_nonnull (value);
  g_assert_cmpstr (buzon_imap_value_get_string (value, NULL), ==, "1278455344230334865");

  body = buzon_imap_fetch_get_body (labels, "HEADER.FIELDS (\"References\" MESSAGE-ID)");
  g_assert_cmpstr (buzon_imap_value_get_string (body->data, NULL), ==, "quoted data");
  value = buzon_imap_fetch_get_attribute (labels, "X-GM-LABELS");
  g_assert_cmpuint (buzon_imap_value_get_n_children (value), ==, 3);

  nil = buzon_imap_response_parse_list (find (responses, "LIST", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (nil->delimiter, ==, '\0');
  g_assert_cmpstr (nil->name, ==, "NIL");
  backslash = buzon_imap_response_parse_list (find (responses, "LIST", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (backslash->delimiter, ==, '\\');
  g_assert_cmpstr (backslash->name, ==, "back\\slash \"quoted\"");

  literal_status = buzon_imap_response_parse_status (find (responses, "STATUS", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (literal_status->name, ==, "INBOX");
  lower_status = buzon_imap_response_parse_status (find (responses, "STATUS", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lower_status->name, ==, "café");
  g_assert_cmpuint (lower_status->items, ==, BUZON_IMAP_STATUS_MESSAGES | BUZON_IMAP_STATUS_UNSEEN);

  g_assert_cmpint (buzon_imap_response_get_condition (find (responses, "BYE", 0)), ==,
                   BUZON_IMAP_CONDITION_BYE);
}

static void
test_internal_date (void)
{
  static const struct
  {
    const char *text;
    const char *iso8601;
  } cases[] = {
    { "17-Jul-1996 02:44:25 -0700", "1996-07-17T02:44:25-07" },
    { " 7-Jul-1996 02:44:25 +0000", "1996-07-07T02:44:25Z" },
    { "7-jul-1996 02:44:25 +0530", "1996-07-07T02:44:25+05:30" },
    { "29-Feb-2024 23:59:59 -1200", "2024-02-29T23:59:59-12" },
    { "30-Feb-2024 23:59:59 -1200", NULL },
    { "17-Foo-1996 02:44:25 -0700", NULL },
    { "17-Jul-1996 02:44:25", NULL },
    { "17-Jul-1996 02:44:25 -07", NULL },
    { "17-Jul-1996 02:44:25 -0700 ", NULL },
    { "17-Jul-96 02:44:25 -0700", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) date = buzon_imap_parse_internal_date (cases[i].text);

      if (cases[i].iso8601 == NULL)
        g_assert_null (date);
      else
        assert_date (date, cases[i].iso8601);
    }
}

/* Shapes the decoders refuse, with an error and no crash. */
static void
test_bad_shapes (void)
{
  static const struct
  {
    const char *data;
    int         decoder;
  } cases[] = {
    { "* LIST (\\Noselect) \"/\"\r\n", 0 },
    { "* LIST \\Noselect \"/\" foo\r\n", 0 },
    { "* LIST () \"//\" foo\r\n", 0 },
    { "* LIST () \"/\" (foo)\r\n", 0 },
    { "* LIST (()) \"/\" foo\r\n", 0 },
    { "* 1 FETCH (UID 1)\r\n", 0 },
    { "* STATUS foo (MESSAGES)\r\n", 1 },
    { "* STATUS foo (MESSAGES x)\r\n", 1 },
    { "* STATUS foo (MESSAGES 4294967296)\r\n", 1 },
    { "* STATUS foo MESSAGES 1\r\n", 1 },
    { "* SEARCH 1 x\r\n", 2 },
    { "* SEARCH 0\r\n", 2 },
    { "* SEARCH 1 (MODSEQ)\r\n", 2 },
    { "* SEARCH 4294967296\r\n", 2 },
    { "A1 OK [COPYUID 1 1:2 5] Done\r\n", 3 },
    { "A1 OK [COPYUID 0 1 5] Done\r\n", 3 },
    { "A1 OK [COPYUID 1 1:* 5] Done\r\n", 3 },
    { "A1 OK [APPENDUID 1] Done\r\n", 3 },
    { "A1 OK [APPENDUID 1 \"5\"] Done\r\n", 3 },
    { "A1 OK Done\r\n", 3 },
    { "* VANISHED 1:*\r\n", 4 },
    { "* VANISHED (LATER) 1\r\n", 4 },
    { "* VANISHED\r\n", 4 },
    { "* VANISHED 1 2\r\n", 4 },
    { "* 1 FETCH (UID)\r\n", 5 },
    { "* 1 FETCH (UID 0)\r\n", 5 },
    { "* 1 FETCH (UID 1 FLAGS)\r\n", 5 },
    { "* 1 FETCH (FLAGS \\Seen)\r\n", 5 },
    { "* 1 FETCH (INTERNALDATE \"yesterday\")\r\n", 5 },
    { "* 1 FETCH (RFC822.SIZE NIL)\r\n", 5 },
    { "* 1 FETCH (MODSEQ 5)\r\n", 5 },
    { "* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", 5 },
    { "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n", 5 },
    { "* 1 FETCH (ENVELOPE (NIL NIL \"x\" NIL NIL NIL NIL NIL NIL NIL))\r\n", 5 },
    { "* 1 FETCH (ENVELOPE ((NIL) NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", 5 },
    { "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL))\r\n", 5 },
    { "* 1 FETCH (BODYSTRUCTURE NIL)\r\n", 5 },
    { "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL ((\"a\") NIL)) "
      "\"mixed\"))\r\n", 5 },
    { "* 1 FETCH (BODY[] (list))\r\n", 5 },
    { "* 0 FETCH (UID 1)\r\n", 5 },
    { "* 1 FETCH UID 1\r\n", 5 },
    { "* 1 FETCH (UID 1 FLAGS)\r\n", 5 },
    { "* 1 FETCH (\"UID\" 1)\r\n", 5 },
    { "* 1 EXISTS\r\n", 5 },
    { "* QUOTA \"\" (STORAGE 10)\r\n", 6 },
    { "* QUOTA \"\" STORAGE\r\n", 6 },
    { "* ID (\"name\")\r\n", 7 },
    { "* ID (NIL \"x\")\r\n", 7 },
    { "* ID NIL NIL\r\n", 7 },
    { "* ESEARCH (TAG) MIN 1\r\n", 8 },
    { "* ESEARCH MIN x\r\n", 8 },
    { "* ESEARCH MIN\r\n", 8 },
    { "* ESEARCH ALL 1:*\r\n", 8 },
    { "* CAPABILITY (IMAP4rev1)\r\n", 9 },
    { "* OK [CAPABILITY] x\r\n", 9 },
    { "* OK x\r\n", 9 },
    { "* FLAGS \\Seen\r\n", 10 },
    { "* QUOTAROOT\r\n", 11 },
    { "* QUOTAROOT INBOX (x)\r\n", 11 },
    { "* ENABLED (X)\r\n", 12 },
    /* Arguments missing or empty where something must be. */
    { "* LIST\r\n", 0 },
    { "* STATUS\r\n", 1 },
    { "* SEARCH ()\r\n", 2 },
    { "* VANISHED () 1\r\n", 4 },
    { "* 1 FETCH\r\n", 5 },
    { "* 1 FETCH (BODYSTRUCTURE ())\r\n", 5 },
    { "* 1 FETCH (ENVELOPE ())\r\n", 5 },
    { "* 1 FETCH (MODSEQ ())\r\n", 5 },
    { "* QUOTA\r\n", 6 },
    { "* ID\r\n", 7 },
    { "* ESEARCH ()\r\n", 8 },
    { "A1 OK [MODIFIED] x\r\n", 13 },
    { "A1 OK [MODIFIED 1 2] x\r\n", 13 },
    { "A1 OK [MODIFIED x] x\r\n", 13 },
    { "A1 OK [UIDNEXT 1] x\r\n", 13 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BuzonImapResponse) r = parse_one (cases[i].data);
      g_autoptr(GError) error = NULL;
      gpointer result = NULL;

      switch (cases[i].decoder)
        {
        case 0:
          result = buzon_imap_response_parse_list (r, &error);
          g_clear_pointer ((BuzonImapListEntry **) &result, buzon_imap_list_entry_free);
          break;
        case 1:
          result = buzon_imap_response_parse_status (r, &error);
          g_clear_pointer ((BuzonImapMailboxStatus **) &result, buzon_imap_mailbox_status_free);
          break;
        case 2:
          result = buzon_imap_response_parse_search (r, NULL, &error);
          g_clear_pointer ((GArray **) &result, g_array_unref);
          break;
        case 3:
          result = buzon_imap_response_parse_copyuid (r, &error);
          g_clear_pointer ((BuzonImapCopyUid **) &result, buzon_imap_copy_uid_free);
          break;
        case 4:
          result = buzon_imap_response_parse_vanished (r, NULL, &error);
          g_clear_pointer ((GArray **) &result, g_array_unref);
          break;
        case 5:
          result = buzon_imap_response_parse_fetch (r, &error);
          g_clear_pointer ((BuzonImapFetch **) &result, buzon_imap_fetch_free);
          break;
        case 6:
          result = buzon_imap_response_parse_quota (r, &error);
          g_clear_pointer ((BuzonImapQuota **) &result, buzon_imap_quota_free);
          break;
        case 7:
          result = buzon_imap_response_parse_id (r, &error);
          g_clear_pointer ((GHashTable **) &result, g_hash_table_unref);
          break;
        case 8:
          result = buzon_imap_response_parse_esearch (r, &error);
          g_clear_pointer ((BuzonImapEsearch **) &result, buzon_imap_esearch_free);
          break;
        case 9:
          result = buzon_imap_response_parse_capability (r, &error);
          g_clear_pointer ((GStrv *) &result, g_strfreev);
          break;
        case 10:
          result = buzon_imap_response_parse_flags (r, &error);
          g_clear_pointer ((GStrv *) &result, g_strfreev);
          break;
        case 11:
          result = buzon_imap_response_parse_quotaroot (r, NULL, &error);
          g_clear_pointer ((GStrv *) &result, g_strfreev);
          break;
        case 12:
          result = buzon_imap_response_parse_enabled (r, &error);
          g_clear_pointer ((GStrv *) &result, g_strfreev);
          break;
        case 13:
        default:
          result = buzon_imap_response_parse_modified (r, &error);
          g_clear_pointer ((GArray **) &result, g_array_unref);
          break;
        }

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
    }
}

static void
test_body_depth (void)
{
  static const char *leaf = "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)";

  for (guint depth = 30; depth <= 45; depth += 15)
    {
      g_autoptr(GString) data = g_string_new ("* 1 FETCH (BODYSTRUCTURE ");
      g_autoptr(BuzonImapResponse) r = NULL;
      g_autoptr(BuzonImapFetch) fetch = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < depth; i++)
        g_string_append_c (data, '(');
      g_string_append (data, leaf);
      for (guint i = 0; i < depth; i++)
        g_string_append (data, " \"mixed\")");
      g_string_append (data, ")\r\n");

      r = parse_one (data->str);
      fetch = buzon_imap_response_parse_fetch (r, &error);
      if (depth == 30)
        {
          const BuzonImapBodyPart *part;

          g_assert_no_error (error);
          part = buzon_imap_body_part_find_text (fetch->body, "plain");
          g_assert_nonnull (part);
          g_assert_cmpuint (strlen (part->section), ==, 2 * 30 - 1);
        }
      else
        {
          g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE);
        }
    }
}

/* Text in status responses and names always comes out as UTF-8. */
static void
test_utf8_out (void)
{
  g_autoptr(BuzonImapResponse) list = parse_one ("* LIST () \"/\" \"caf\xe9\"\r\n");
  g_autoptr(BuzonImapResponse) fetch = parse_one ("* 1 FETCH (ENVELOPE (NIL \"caf\xe9 =?x-unknown?q?a?=\" "
                                                  "((\"\xff\" NIL \"a\" \"b\")) NIL NIL NIL NIL "
                                                  "NIL NIL NIL))\r\n");
  g_autoptr(BuzonImapListEntry) entry = NULL;
  g_autoptr(BuzonImapFetch) decoded = NULL;
  g_autoptr(GError) error = NULL;

  entry = buzon_imap_response_parse_list (list, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->name, ==, "caf\xe9");
  g_assert_true (g_utf8_validate (entry->display_name, -1, NULL));

  decoded = buzon_imap_response_parse_fetch (fetch, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (decoded->envelope->subject, -1, NULL));
  g_assert_true (g_utf8_validate (address_at (decoded->envelope->from, 0)->name, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/imap/response/rfc3501-fetch", test_rfc3501_fetch);
  g_test_add_func ("/buzon/imap/response/rfc-examples", test_rfc_examples);
  g_test_add_func ("/buzon/imap/response/dovecot-session", test_dovecot_session);
  g_test_add_func ("/buzon/imap/response/dovecot-fetch", test_dovecot_fetch);
  g_test_add_func ("/buzon/imap/response/dovecot-awkward", test_dovecot_awkward);
  g_test_add_func ("/buzon/imap/response/awkward-legal", test_awkward_legal);
  g_test_add_func ("/buzon/imap/response/internal-date", test_internal_date);
  g_test_add_func ("/buzon/imap/response/bad-shapes", test_bad_shapes);
  g_test_add_func ("/buzon/imap/response/body-depth", test_body_depth);
  g_test_add_func ("/buzon/imap/response/utf8-out", test_utf8_out);

  return g_test_run ();
}
