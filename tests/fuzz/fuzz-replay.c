/* fuzz-replay.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs a fuzz target's checks (fuzz-imap-parser.c, fuzz-pop3-parser.c)
 * over every file of its seed corpus, tests/data/BUZON_FUZZ_CORPUS/, and
 * over prefixes of each, with the project's own compiler: a unit test, so
 * every CI run (and its valgrind and sanitizer runs) exercises the corpus
 * even where clang is missing. Files given on the command line are
 * replayed instead (a crash the fuzzer saved, say). Each executable links
 * this file with one target and names that target's corpus directory in
 * BUZON_FUZZ_CORPUS. */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#ifndef BUZON_FUZZ_CORPUS
#error "BUZON_FUZZ_CORPUS must name the corpus directory under tests/data/"
#endif

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
replay_file (gconstpointer user_data)
{
  const char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  /* Cut short anywhere, too. */
  for (gsize cut = 1; cut < length; cut += 1 + length / 23)
    LLVMFuzzerTestOneInput ((const uint8_t *) contents, cut);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        g_ptr_array_add (paths, g_strdup (argv[i]));
    }
  else
    {
      g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", BUZON_FUZZ_CORPUS, NULL);
      g_autoptr(GDir) handle = NULL;
      g_autoptr(GError) error = NULL;
      const char *name;

      handle = g_dir_open (dir, 0, &error);
      g_assert_no_error (error);
      while ((name = g_dir_read_name (handle)) != NULL)
        if (g_str_has_suffix (name, ".txt"))
          g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
      g_ptr_array_sort (paths, compare_paths);
      g_assert_cmpuint (paths->len, >, 0);
    }

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *test_path =
        g_strdup_printf ("/buzon/" BUZON_FUZZ_CORPUS "/fuzz-replay/%s", base);

      g_test_add_data_func (test_path, path, replay_file);
    }

  return g_test_run ();
}
