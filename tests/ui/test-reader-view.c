/* test-reader-view.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real BuzonReaderView (WebKit) under Xvfb. A small HTTP server on
 * 127.0.0.1, run by this test in a thread, counts every connection and
 * request: a hostile message (script, remote images, CSS url() and @import,
 * frames, <link> prefetch and stylesheets, meta refresh, video posters,
 * srcset, background attributes, <base>) must cause none and run nothing;
 * allowed remote content must reach the server (so the counter is real) and
 * still run nothing. Also: cid: parts come from the resolver, clicked links
 * are emitted and not followed, and screenshots of plain text and HTML in
 * light and dark are written into the build dir (tests/ui/reader-*.png).
 */

#include "config.h"

#include <string.h>
#include <adwaita.h>
#include <webkit/webkit.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "buzon-reader-view.h"

#define WAIT_TIMEOUT_USEC (20 * G_USEC_PER_SEC)

/* --- a counting HTTP server on loopback --- */

typedef struct
{
  GSocketService *service;
  guint16         port;
  char           *base;
  GMutex          lock;
  guint           connections;
  GPtrArray      *paths;         /* each request's path, in order */
} Server;

static Server server;

static const guint8 *png_1x1;
static gsize png_1x1_len;

static gboolean
server_run_cb (GThreadedSocketService *service,
               GSocketConnection      *connection,
               GObject                *source,
               gpointer                user_data)
{
  g_autoptr(GDataInputStream) in = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *request_line = NULL;
  g_autofree char *head = NULL;
  char *line;
  gsize len;

  g_mutex_lock (&server.lock);
  server.connections++;
  g_mutex_unlock (&server.lock);

  /* A connection opened ahead of time (preconnect) and never used must not
   * hold a thread for ever. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 3);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);

  request_line = g_data_input_stream_read_line (in, &len, NULL, NULL);
  if (request_line == NULL)
    return TRUE;   /* a preconnect, or a probe: counted as a connection */

  /* The rest of the header. */
  while ((line = g_data_input_stream_read_line (in, &len, NULL, NULL)) != NULL)
    {
      gboolean end = len == 0;

      g_free (line);
      if (end)
        break;
    }

  {
    g_auto(GStrv) parts = g_strsplit (request_line, " ", 3);

    g_mutex_lock (&server.lock);
    g_ptr_array_add (server.paths, g_strdup (parts[0] && parts[1] ? parts[1] : request_line));
    g_mutex_unlock (&server.lock);
  }

  head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          png_1x1_len);
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, png_1x1, png_1x1_len, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static void
server_start (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server.lock);
  server.paths = g_ptr_array_new_with_free_func (g_free);
  server.service = g_threaded_socket_service_new (64);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server.service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  server.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  server.base = g_strdup_printf ("http://127.0.0.1:%u", server.port);
  g_signal_connect (server.service, "run", G_CALLBACK (server_run_cb), NULL);
  g_socket_service_start (server.service);
}

static void
server_stop (void)
{
  g_socket_service_stop (server.service);
  g_socket_listener_close (G_SOCKET_LISTENER (server.service));
  g_clear_object (&server.service);
  g_clear_pointer (&server.paths, g_ptr_array_unref);
  g_clear_pointer (&server.base, g_free);
  g_mutex_clear (&server.lock);
}

static void
server_reset (void)
{
  g_mutex_lock (&server.lock);
  server.connections = 0;
  g_ptr_array_set_size (server.paths, 0);
  g_mutex_unlock (&server.lock);
}

static char *
server_describe (void)
{
  GString *s = g_string_new (NULL);

  g_mutex_lock (&server.lock);
  g_string_append_printf (s, "%u connections, %u requests:", server.connections,
                          server.paths->len);
  for (guint i = 0; i < server.paths->len; i++)
    g_string_append_printf (s, " %s", (char *) g_ptr_array_index (server.paths, i));
  g_mutex_unlock (&server.lock);

  return g_string_free (s, FALSE);
}

static guint
server_count (guint *connections)
{
  guint n;

  g_mutex_lock (&server.lock);
  n = server.paths->len;
  if (connections)
    *connections = server.connections;
  g_mutex_unlock (&server.lock);

  return n;
}

static gboolean
server_saw (const char *path)
{
  gboolean seen = FALSE;

  g_mutex_lock (&server.lock);
  for (guint i = 0; i < server.paths->len && !seen; i++)
    seen = g_str_has_prefix (g_ptr_array_index (server.paths, i), path);
  g_mutex_unlock (&server.lock);

  return seen;
}

/* --- helpers --- */

typedef struct
{
  GtkWindow       *window;
  BuzonReaderView *view;
  WebKitWebView   *web_view;
  gboolean         load_finished;
  GPtrArray       *opened_links;
  GPtrArray       *resolved_ids;
} Fixture;

static void
spin (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static void
settle (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      spin ();
      g_usleep (5000);
    }
}

static gboolean
wait_for_flag (gboolean *flag)
{
  gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;

  while (!*flag)
    {
      spin ();
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_usleep (5000);
    }
  return TRUE;
}

static void
load_changed_cb (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 Fixture         *fixture)
{
  if (event == WEBKIT_LOAD_FINISHED)
    fixture->load_finished = TRUE;
}

static void
web_process_terminated_cb (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           gpointer                           data)
{
  g_error ("The web process ended (reason %d)", reason);
}

static void
open_link_cb (BuzonReaderView *view,
              const char      *uri,
              Fixture         *fixture)
{
  g_ptr_array_add (fixture->opened_links, g_strdup (uri));
}

static GBytes *
make_png (int      width,
          int      height,
          guint32  rgba)
{
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint8 *data = g_malloc (width * height * 4);

  for (int i = 0; i < width * height; i++)
    {
      data[i * 4 + 0] = rgba >> 24;
      data[i * 4 + 1] = rgba >> 16;
      data[i * 4 + 2] = rgba >> 8;
      data[i * 4 + 3] = rgba;
    }
  pixels = g_bytes_new_take (data, width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, pixels, width * 4);
  return gdk_texture_save_to_png_bytes (texture);
}

static GBytes *
resolve_part_cb (BuzonReaderView *view,
                 const char      *content_id,
                 char           **content_type,
                 gpointer         user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->resolved_ids, g_strdup (content_id));
  if (strcmp (content_id, "logo@example.test") != 0)
    return NULL;
  *content_type = g_strdup ("image/png");
  return make_png (120, 60, 0xe01b24ff);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->opened_links = g_ptr_array_new_with_free_func (g_free);
  fixture->resolved_ids = g_ptr_array_new_with_free_func (g_free);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (fixture->window, "test-reader-view");
  gtk_window_set_default_size (fixture->window, 800, 600);
  fixture->view = BUZON_READER_VIEW (buzon_reader_view_new ());
  fixture->web_view = WEBKIT_WEB_VIEW (buzon_reader_view_get_web_view (fixture->view));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  g_signal_connect (fixture->web_view, "load-changed", G_CALLBACK (load_changed_cb), fixture);
  g_signal_connect (fixture->web_view, "web-process-terminated",
                    G_CALLBACK (web_process_terminated_cb), NULL);
  g_signal_connect (fixture->view, "open-link", G_CALLBACK (open_link_cb), fixture);
  buzon_reader_view_set_part_resolver (fixture->view, resolve_part_cb, fixture, NULL);
  gtk_window_present (fixture->window);

  {
    gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;

    while (gtk_widget_get_width (GTK_WIDGET (fixture->window)) <= 0)
      {
        spin ();
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (5000);
      }
  }

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  server_reset ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  spin ();
  g_ptr_array_unref (fixture->opened_links);
  g_ptr_array_unref (fixture->resolved_ids);
}

static char *
read_sample (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "reader", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = NULL;
  char *contents;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  text = g_string_new (contents);
  g_free (contents);
  g_string_replace (text, "@BASE@", server.base, 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Shows a body and waits for WebKit to finish, then a little more for the
 * subresources a load would start late (meta refresh after 0 s, lazy ones). */
typedef void (*Loader) (Fixture *fixture, gconstpointer data);

static void
show_and_wait (Fixture    *fixture,
               const char *html,
               const char *plain)
{
  fixture->load_finished = FALSE;
  if (html)
    buzon_reader_view_set_html (fixture->view, html, "utf-8");
  else
    buzon_reader_view_set_plain_text (fixture->view, plain);
  g_assert_true (wait_for_flag (&fixture->load_finished));
  settle (1500);
}

static void
assert_no_script_ran (Fixture *fixture)
{
  const char *title = webkit_web_view_get_title (fixture->web_view);

  g_assert_true (title == NULL || strstr (title, "ran") == NULL);
  g_assert_false (server_saw ("/script-"));
  /* Never navigated away from the body. */
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
}

/* What the window shows now, as the in-app snapshot recipe renders it
 * (the web view included). Right after a load the page may have no frame
 * yet: wait for one. */
static GdkTexture *
render_window (Fixture *fixture)
{
  GtkWidget *widget = GTK_WIDGET (fixture->window);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;
  GdkTexture *texture;

  for (;;)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      settle (50);
    }

  gsk_renderer_realize (renderer, NULL, &error);
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);

  return texture;
}

static void
save_screenshot (Fixture    *fixture,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = render_window (fixture);
  g_autofree char *file = g_strdup_printf ("reader-%s.png", name);
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "ui", file, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The colour of one pixel of the view, for checks on what it shows. */
static guint32
pixel_at (Fixture *fixture,
          int      x,
          int      y)
{
  g_autoptr(GdkTexture) texture = render_window (fixture);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc (width * height * 4);

  gdk_texture_download (texture, data, width * 4);
  return ((guint32 *) data)[y * width + x] & 0xffffff;   /* native-endian ARGB32 */
}

/* A digest of what the window shows, to tell two frames apart. */
static char *
frame_digest (Fixture *fixture)
{
  g_autoptr(GdkTexture) texture = render_window (fixture);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc (width * height * 4);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  gdk_texture_download (texture, data, width * 4);
  /* The text only: the right edge holds the overlay scrollbar, which fades. */
  for (int y = 0; y < height; y++)
    g_checksum_update (sum, data + y * width * 4, MIN (width, 600) * 4);
  return g_strdup (g_checksum_get_string (sum));
}

/* --- tests --- */

static void
test_scan (void)
{
  static const char * const remote[] = {
    "<img src=\"http://x.test/a.png\">",
    "<IMG SRC=HTTPS://x.test/a.png>",
    "<img src='//x.test/a.png'>",
    "<img src=\"&#104;ttp://x.test/\">",
    "<img src=\"h&#x74;tp&colon;//x.test/\">",
    "<img srcset=\"a.png 1x, https://x.test/b.png 2x\">",
    "<video poster=\"http://x.test/p.png\"></video>",
    "<body background=\"http://x.test/b.png\">",
    "<td background=http://x.test/b.png>",
    "<link rel=stylesheet href=\"http://x.test/s.css\">",
    "<link rel=prefetch href=\"https://x.test/\">",
    "<iframe src=\"http://x.test/\"></iframe>",
    "<meta http-equiv=refresh content=\"0; url=http://x.test/\">",
    "<base href=\"http://x.test/\">",
    "<div style=\"background:url(http://x.test/a.png)\">",
    "<div style=\"background:url( 'https://x.test/a.png' )\">",
    "<div style=\"background:url(\\68ttp://x.test/a.png)\">",
    "<style>@import 'http://x.test/s.css';</style>",
    "<style>p{background:image-set(\"http://x.test/a.png\" 1x)}</style>",
    "<style>\n  body { background: URL(http://x.test/a.png) }</style>",
    "<svg><image href=\"http://x.test/a.png\"/></svg>",
    "<object data=\"http://x.test/o\"></object>",
  };
  static const char * const local[] = {
    "",
    "<p>Visit http://x.test/ today</p>",
    "<a href=\"http://x.test/\">a link</a>",
    "<area href=\"https://x.test/\">",
    "<img src=\"cid:logo@x.test\">",
    "<img src=\"data:image/png;base64,AAAA\">",
    "<div style=\"color: red\">",
    "<!-- <img src=\"http://x.test/\"> -->",
    "<style>p { color: blue }</style><p>url(http://x.test/) in text</p>",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (remote); i++)
    {
      g_test_message ("remote: %s", remote[i]);
      g_assert_true (buzon_reader_view_html_wants_remote (remote[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (local); i++)
    {
      g_test_message ("local: %s", local[i]);
      g_assert_false (buzon_reader_view_html_wants_remote (local[i]));
    }
}

static void
test_hostile_blocked (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *html = read_sample ("hostile.html");
  g_autofree char *seen = NULL;
  guint connections = 0;

  show_and_wait (fixture, html, NULL);
  seen = server_describe ();
  g_test_message ("blocked: %s", seen);
  g_assert_cmpuint (server_count (&connections), ==, 0);
  g_assert_cmpuint (connections, ==, 0);
  assert_no_script_ran (fixture);
  g_assert_true (buzon_reader_view_get_remote_content_blocked (fixture->view));
  g_assert_false (buzon_reader_view_get_allow_remote (fixture->view));

  /* Shown anyway: the remote bits are just missing. */
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "original");
  g_clear_pointer (&seen, g_free);

  /* Allowed: the server sees the images and styles (the counter works) ... */
  fixture->load_finished = FALSE;
  buzon_reader_view_set_allow_remote (fixture->view, TRUE);
  if (!wait_for_flag (&fixture->load_finished))
    g_test_message ("not finished: %s", server_describe ());
  settle (2000);
  seen = server_describe ();
  g_test_message ("allowed: %s", seen);
  g_assert_cmpuint (server_count (NULL), >, 0);
  g_assert_true (server_saw ("/img.png"));
  g_assert_true (server_saw ("/link-stylesheet.css"));
  g_assert_false (buzon_reader_view_get_remote_content_blocked (fixture->view));

  /* ... and still no script, frame, refresh, form, ping or navigation. */
  assert_no_script_ran (fixture);
  g_assert_false (server_saw ("/meta-refresh"));
  g_assert_false (server_saw ("/iframe.html"));
  g_assert_false (server_saw ("/srcdoc-img.png"));
  g_assert_false (server_saw ("/form"));
  g_assert_false (server_saw ("/ping"));
  g_assert_false (server_saw ("/clicked"));
  g_assert_false (server_saw ("/base/"));
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "original");

  /* Blocked again on the way back. */
  fixture->load_finished = FALSE;
  buzon_reader_view_set_allow_remote (fixture->view, FALSE);
  g_assert_true (wait_for_flag (&fixture->load_finished));
  server_reset ();
  settle (1000);
  g_assert_cmpuint (server_count (NULL), ==, 0);
  g_assert_true (buzon_reader_view_get_remote_content_blocked (fixture->view));
}

/* One construct at a time, so that a layer missing for one of them is not
 * hidden by the others; blocked, each reaches nothing. */
static void
test_each_construct_blocked (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const constructs[] = {
    "<img src=\"@BASE@/one-img.png\">",
    "<link rel=\"stylesheet\" href=\"@BASE@/one-link.css\">",
    "<link rel=\"prefetch\" href=\"@BASE@/one-prefetch\">",
    "<link rel=\"preconnect\" href=\"@BASE@\">",
    "<style>body { background: url(@BASE@/one-style.png) }</style>",
    "<p style=\"background-image: url('@BASE@/one-inline.png')\">x</p>",
    "<iframe src=\"@BASE@/one-iframe\"></iframe>",
    "<meta http-equiv=\"refresh\" content=\"0;url=@BASE@/one-refresh\">",
    "<video poster=\"@BASE@/one-poster.png\"></video>",
    "<img srcset=\"@BASE@/one-srcset.png 1x\">",
    "<body background=\"@BASE@/one-background.png\">x</body>",
    "<script>location.href = \"@BASE@/one-script\";</script>",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (constructs); i++)
    {
      g_autoptr(GString) html = g_string_new (constructs[i]);
      g_autofree char *seen = NULL;
      guint connections = 0;

      g_string_replace (html, "@BASE@", server.base, 0);
      server_reset ();
      show_and_wait (fixture, html->str, NULL);
      seen = server_describe ();
      g_test_message ("%s: %s", html->str, seen);
      g_assert_cmpuint (server_count (&connections), ==, 0);
      g_assert_cmpuint (connections, ==, 0);
      /* A script never runs, so allowing remote content would not load its
       * URL: nothing to offer. Everything else is offered. */
      g_assert_true (buzon_reader_view_get_remote_content_blocked (fixture->view) ==
                     (strstr (html->str, "<script") == NULL));
      assert_no_script_ran (fixture);
    }
}

/* Each layer alone blocks the whole hostile message: the policy without
 * the content blocker, and the content blocker without the policy. */
static void
test_each_layer_alone (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct { _BuzonReaderLayers layers; const char *name; } cases[] = {
    { _BUZON_READER_LAYER_CSP, "policy only" },
    { _BUZON_READER_LAYER_FILTER, "content blocker only" },
  };
  g_autofree char *html = read_sample ("hostile.html");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *seen = NULL;
      guint connections = 0;

      _buzon_reader_view_set_layers_for_test (fixture->view, cases[i].layers);
      server_reset ();
      show_and_wait (fixture, html, NULL);
      seen = server_describe ();
      g_test_message ("%s: %s", cases[i].name, seen);
      g_assert_cmpuint (server_count (&connections), ==, 0);
      g_assert_cmpuint (connections, ==, 0);
      assert_no_script_ran (fixture);
    }

  /* Neither: the same message reaches the server, so the two cases above
   * were each the layer's doing. Script stays off even so. */
  _buzon_reader_view_set_layers_for_test (fixture->view, 0);
  server_reset ();
  show_and_wait (fixture, html, NULL);
  g_test_message ("no layer: %s", server_describe ());
  g_assert_true (server_saw ("/img.png"));
  assert_no_script_ran (fixture);
}

static void
test_cid_image (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *html = read_sample ("sample.html");

  show_and_wait (fixture, html, NULL);
  g_assert_cmpuint (fixture->resolved_ids->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->resolved_ids, 0), ==, "logo@example.test");
  /* The remote pixel in it is blocked, and reported. */
  g_assert_true (buzon_reader_view_get_remote_content_blocked (fixture->view));
  save_screenshot (fixture, "html-light");

  fixture->load_finished = FALSE;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (wait_for_flag (&fixture->load_finished));
  settle (1000);
  save_screenshot (fixture, "html-dark");
  g_assert_cmphex (pixel_at (fixture, 790, 590), ==, 0x1e1e1e);

  /* A message with colours of its own keeps a light paper in dark mode. */
  show_and_wait (fixture, "<p style=\"color: #333\">Dark grey text, written for white.</p>"
                 "<p><font color=\"#444\">And more.</font></p>", NULL);
  save_screenshot (fixture, "html-dark-coloured");
  g_assert_cmphex (pixel_at (fixture, 790, 590), ==, 0xffffff);
}

static void
test_plain_text (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *text = read_sample ("sample.txt");
  guint32 light, dark;

  show_and_wait (fixture, NULL, text);
  g_assert_false (buzon_reader_view_get_remote_content_blocked (fixture->view));
  light = pixel_at (fixture, 790, 590);
  save_screenshot (fixture, "plain-light");

  fixture->load_finished = FALSE;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (wait_for_flag (&fixture->load_finished));
  settle (1000);
  dark = pixel_at (fixture, 790, 590);
  save_screenshot (fixture, "plain-dark");

  /* The page follows the style: white, then the dark view colour. */
  g_assert_cmphex (light, ==, 0xffffff);
  g_assert_cmphex (dark, ==, 0x1e1e1e);
  g_assert_cmpuint (server_count (NULL), ==, 0);
}

static gboolean
run_xdotool (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) "xdotool");
  for (; *args; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, NULL, &status, &error))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
test_link_click (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *html = NULL;
  g_autofree char *xid = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  if (xdotool == NULL ||
      !GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (fixture->window))))
#endif
    {
      g_test_skip ("needs xdotool and X11 to click");
      return;
    }

  /* The whole view is one link, so a click anywhere hits it. */
  html = g_strdup_printf ("<title>start</title><a id=\"l\" href=\"%s/clicked\" "
                          "style=\"position:fixed;top:0;left:0;right:0;bottom:0;"
                          "display:block\">link</a>",
                          server.base);
  show_and_wait (fixture, html, NULL);

#ifdef GDK_WINDOWING_X11
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (
                           gtk_native_get_surface (GTK_NATIVE (fixture->window))));
#endif
  {
    const char * const move[] = { "mousemove", "--window", xid, "200", "200", NULL };
    const char * const click[] = { "click", "1", NULL };

    g_assert_true (run_xdotool (move));
    settle (300);
    g_assert_true (run_xdotool (click));
  }

  {
    gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;

    while (fixture->opened_links->len == 0 && g_get_monotonic_time () < end)
      {
        spin ();
        g_usleep (5000);
      }
  }
  settle (1000);

  g_assert_cmpuint (fixture->opened_links->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (fixture->opened_links, 0), "/clicked"));
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "start");
  g_assert_false (server_saw ("/clicked"));
  g_assert_cmpuint (server_count (NULL), ==, 0);

  /* From the keyboard: Tab to the link, Return activates it. */
  g_ptr_array_set_size (fixture->opened_links, 0);
  show_and_wait (fixture, "<title>keys</title><p>Text and <a href=\"mailto:ana@example.test\">"
                 "a mail link</a>.</p>", NULL);
  gtk_widget_grab_focus (GTK_WIDGET (fixture->web_view));
  settle (300);
  {
    const char * const keys[] = { "key", "Tab", "Return", NULL };

    g_assert_true (run_xdotool (keys));
  }
  {
    gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_USEC;

    while (fixture->opened_links->len == 0 && g_get_monotonic_time () < end)
      {
        spin ();
        g_usleep (5000);
      }
  }
  settle (500);
  g_assert_cmpuint (fixture->opened_links->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened_links, 0), ==, "mailto:ana@example.test");
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "keys");

  /* The keyboard scrolls a long message. */
  {
    g_autoptr(GString) text = g_string_new (NULL);
    g_autofree char *before = NULL;
    char *after = NULL;
    const char * const keys[] = { "key", "Page_Down", NULL };

    for (int i = 1; i <= 300; i++)
      g_string_append_printf (text, "Line %d of a long message\n", i);
    show_and_wait (fixture, NULL, text->str);
    gtk_widget_grab_focus (GTK_WIDGET (fixture->view));
    settle (1000);
    before = frame_digest (fixture);
    /* Still frames are equal, so a change below is the scroll. */
    settle (500);
    after = frame_digest (fixture);
    g_assert_cmpstr (before, ==, after);
    g_clear_pointer (&after, g_free);
    g_assert_true (run_xdotool (keys));
    settle (1000);
    after = frame_digest (fixture);
    g_assert_cmpstr (before, !=, after);
    g_free (after);
  }
}

/* A second body before the first finished loading (a quick change of
 * message) is the one shown. */
static void
test_quick_succession (Fixture       *fixture,
                       gconstpointer  data)
{
  buzon_reader_view_set_plain_text (fixture->view, "first");
  buzon_reader_view_set_html (fixture->view, "<title>second</title><p>second</p>", NULL);
  show_and_wait (fixture, "<title>third</title><p>third</p>", NULL);
  g_assert_cmpstr (webkit_web_view_get_title (fixture->web_view), ==, "third");
  g_assert_cmpstr (webkit_web_view_get_uri (fixture->web_view), ==, "about:blank");
}

static void
test_accessible (Fixture       *fixture,
                 gconstpointer  data)
{
  /* The names are set as accessible properties: a screen reader reads them. */
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (fixture->web_view)));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (fixture->view)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (fixture->web_view)));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (fixture->view)), ==,
                   GTK_ACCESSIBLE_ROLE_GROUP);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GBytes) png = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  g_set_prgname ("test-reader-view");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  png = make_png (1, 1, 0x00ff00ff);
  png_1x1 = g_bytes_get_data (png, &png_1x1_len);
  server_start ();

  g_test_add_func ("/buzon/ui/reader-view/scan", test_scan);
#define ADD(path, func) \
  g_test_add ("/buzon/ui/reader-view/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("hostile-blocked", test_hostile_blocked);
  ADD ("each-construct-blocked", test_each_construct_blocked);
  ADD ("each-layer-alone", test_each_layer_alone);
  ADD ("cid-image", test_cid_image);
  ADD ("plain-text", test_plain_text);
  ADD ("link-click", test_link_click);
  ADD ("quick-succession", test_quick_succession);
  ADD ("accessible", test_accessible);
#undef ADD

  ret = g_test_run ();

  server_stop ();
  return ret;
}
