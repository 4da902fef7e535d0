/* test-account.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "buzon-account.h"

static BuzonAccount *
new_valid_account (void)
{
  BuzonAccount *account = buzon_account_new ("Work");

  buzon_account_set_address (account, "ana@example.test");
  buzon_account_set_host (account, "imap.example.test");
  return account;
}

static void
test_defaults (void)
{
  g_autoptr(BuzonAccount) account = new_valid_account ();

  g_assert_cmpint (buzon_account_get_protocol (account), ==, BUZON_PROTOCOL_IMAP);
  g_assert_cmpint (buzon_account_get_security (account), ==, BUZON_SECURITY_TLS);
  g_assert_cmpuint (buzon_account_get_port (account), ==, 993);
  /* The user name falls back to the address, the SMTP user to the user name. */
  g_assert_cmpstr (buzon_account_get_username (account), ==, "ana@example.test");
  g_assert_cmpstr (buzon_account_get_smtp_username (account), ==, "ana@example.test");
  buzon_account_set_username (account, "ana");
  g_assert_cmpstr (buzon_account_get_smtp_username (account), ==, "ana");
  g_assert_null (buzon_account_get_smtp_host (account));
  g_assert_cmpuint (buzon_account_get_smtp_port (account), ==, 587);
  g_assert_null (buzon_account_get_password_command (account));

  g_assert_finalize_object (g_steal_pointer (&account));
}

static void
test_default_ports (void)
{
  g_assert_cmpuint (buzon_protocol_default_port (BUZON_PROTOCOL_IMAP, BUZON_SECURITY_TLS), ==, 993);
  g_assert_cmpuint (buzon_protocol_default_port (BUZON_PROTOCOL_IMAP, BUZON_SECURITY_STARTTLS),
                    ==, 143);
  g_assert_cmpuint (buzon_protocol_default_port (BUZON_PROTOCOL_IMAP, BUZON_SECURITY_NONE), ==, 143);
  g_assert_cmpuint (buzon_protocol_default_port (BUZON_PROTOCOL_POP3, BUZON_SECURITY_TLS), ==, 995);
  g_assert_cmpuint (buzon_protocol_default_port (BUZON_PROTOCOL_POP3, BUZON_SECURITY_STARTTLS),
                    ==, 110);
  g_assert_cmpuint (buzon_smtp_default_port (BUZON_SECURITY_TLS), ==, 465);
  g_assert_cmpuint (buzon_smtp_default_port (BUZON_SECURITY_STARTTLS), ==, 587);

  {
    g_autoptr(BuzonAccount) account = new_valid_account ();

    buzon_account_set_protocol (account, BUZON_PROTOCOL_POP3);
    buzon_account_set_security (account, BUZON_SECURITY_STARTTLS);
    g_assert_cmpuint (buzon_account_get_port (account), ==, 110);
    buzon_account_set_port (account, 10110);
    g_assert_cmpuint (buzon_account_get_port (account), ==, 10110);
    buzon_account_set_smtp_security (account, BUZON_SECURITY_TLS);
    g_assert_cmpuint (buzon_account_get_smtp_port (account), ==, 465);
  }
}

static void
test_strings (void)
{
  BuzonProtocol protocol;
  BuzonSecurity security;

  g_assert_true (buzon_protocol_from_string ("pop3", &protocol));
  g_assert_cmpint (protocol, ==, BUZON_PROTOCOL_POP3);
  g_assert_true (buzon_protocol_from_string ("IMAP", &protocol));
  g_assert_cmpint (protocol, ==, BUZON_PROTOCOL_IMAP);
  g_assert_false (buzon_protocol_from_string ("smtp", &protocol));
  g_assert_false (buzon_protocol_from_string (NULL, &protocol));

  g_assert_true (buzon_security_from_string ("starttls", &security));
  g_assert_cmpint (security, ==, BUZON_SECURITY_STARTTLS);
  g_assert_true (buzon_security_from_string ("none", &security));
  g_assert_cmpint (security, ==, BUZON_SECURITY_NONE);
  g_assert_false (buzon_security_from_string ("ssl3", &security));

  for (BuzonSecurity s = BUZON_SECURITY_TLS; s <= BUZON_SECURITY_NONE; s++)
    {
      g_assert_true (buzon_security_from_string (buzon_security_to_string (s), &security));
      g_assert_cmpint (security, ==, s);
    }
}

static void
test_pop3_modes (void)
{
  g_autoptr(BuzonAccount) account = new_valid_account ();
  const char *good[] = { "delete", "keep", "keep-days:1", "keep-days:30",
                         "keep-until-deleted:14", "keep-until-deleted" };
  const char *bad[] = { "", "Delete", "keep-days", "keep-days:", "keep-days:0", "keep-days:-3",
                        "keep-days:36501", "keep-days:7x", "keep-days:+7", "keep-days: 7",
                        "keep-until-deleted:", "keep-until-deleted:0", "keep-until-deleted:x" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *back = NULL;

      g_assert_true (buzon_account_set_pop3_mode_string (account, good[i], &error));
      g_assert_no_error (error);
      back = buzon_account_dup_pop3_mode_string (account);
      g_assert_cmpstr (back, ==, good[i]);
    }

  g_assert_cmpint (buzon_account_get_pop3_mode (account), ==, BUZON_POP3_MODE_KEEP_UNTIL_DELETED);
  /* Days are only kept by the modes that have them. */
  g_assert_cmpuint (buzon_account_get_pop3_keep_days (account), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (buzon_account_set_pop3_mode_string (account, bad[i], &error));
      g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID);
      /* A refused value leaves the account as it was. */
      g_assert_cmpint (buzon_account_get_pop3_mode (account), ==,
                       BUZON_POP3_MODE_KEEP_UNTIL_DELETED);
    }
}

static void
test_sync_policies (void)
{
  g_autoptr(BuzonAccount) account = new_valid_account ();
  g_autoptr(GError) error = NULL;
  g_autofree char *back = NULL;

  g_assert_true (buzon_account_set_sync_string (account, "full-days:90", &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_get_sync_policy (account), ==, BUZON_SYNC_POLICY_FULL_DAYS);
  g_assert_cmpuint (buzon_account_get_sync_days (account), ==, 90);
  back = buzon_account_dup_sync_string (account);
  g_assert_cmpstr (back, ==, "full-days:90");

  g_assert_true (buzon_account_set_sync_string (account, "headers", &error));
  g_assert_cmpint (buzon_account_get_sync_policy (account), ==, BUZON_SYNC_POLICY_HEADERS);

  g_assert_false (buzon_account_set_sync_string (account, "everything", &error));
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID);
}

static void
test_validate (void)
{
  struct {
    const char *address;
    const char *host;
    const char *smtp_host;
    gboolean    valid;
  } cases[] = {
    { "ana@example.test", "imap.example.test", NULL, TRUE },
    { "ana@example.test", "127.0.0.1", "127.0.0.1", TRUE },
    { "ñandú@ejemplo.es", "correo.ejemplo.es", NULL, TRUE },
    { NULL, "imap.example.test", NULL, FALSE },
    { "ana", "imap.example.test", NULL, FALSE },
    { "@example.test", "imap.example.test", NULL, FALSE },
    { "ana@", "imap.example.test", NULL, FALSE },
    { "ana @example.test", "imap.example.test", NULL, FALSE },
    { "ana@example.test", NULL, NULL, FALSE },
    { "ana@example.test", "imap example", NULL, FALSE },
    { "ana@example.test", "imap.example.test", "smtp/x", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BuzonAccount) account = buzon_account_new ("Test");
      g_autoptr(GError) error = NULL;

      buzon_account_set_address (account, cases[i].address);
      buzon_account_set_host (account, cases[i].host);
      buzon_account_set_smtp_host (account, cases[i].smtp_host);

      g_assert_cmpint (buzon_account_validate (account, &error), ==, cases[i].valid);
      if (cases[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID);
    }

  {
    g_autoptr(BuzonAccount) account = new_valid_account ();
    g_autoptr(GError) error = NULL;

    buzon_account_set_name (account, NULL);
    g_assert_false (buzon_account_validate (account, &error));
    g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID);
  }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_notify (void)
{
  g_autoptr(BuzonAccount) account = new_valid_account ();
  guint count = 0;

  g_signal_connect (account, "notify::host", G_CALLBACK (count_notify), &count);

  buzon_account_set_host (account, "imap.example.test");
  g_assert_cmpuint (count, ==, 0);
  buzon_account_set_host (account, "mail.example.test");
  g_assert_cmpuint (count, ==, 1);
  g_object_set (account, "host", "mail.example.test", NULL);
  g_assert_cmpuint (count, ==, 1);
  /* An empty string is "not set". */
  buzon_account_set_host (account, "");
  g_assert_null (buzon_account_get_host (account));
  g_assert_cmpuint (count, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/account/defaults", test_defaults);
  g_test_add_func ("/buzon/account/default-ports", test_default_ports);
  g_test_add_func ("/buzon/account/strings", test_strings);
  g_test_add_func ("/buzon/account/pop3-modes", test_pop3_modes);
  g_test_add_func ("/buzon/account/sync-policies", test_sync_policies);
  g_test_add_func ("/buzon/account/validate", test_validate);
  g_test_add_func ("/buzon/account/notify", test_notify);

  return g_test_run ();
}
