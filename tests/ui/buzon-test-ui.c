/* buzon-test-ui.c — what the UI tests share
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "buzon-test-ui.h"

/**
 * buzon_test_ui_screenshot:
 * @widget: what to draw, usually a window
 * @file_name: the PNG's name, written in the build dir's tests/ui/
 * @settle_ms: how long to let the main loop run first (WebKit paints its
 *   first frame a little after a load)
 *
 * Draws @widget as the app draws it, web views included, for whoever
 * changes the UI to look at. Fails the test when nothing can be drawn
 * within ten seconds.
 */
void
buzon_test_ui_screenshot (GtkWidget  *widget,
                          const char *file_name,
                          guint       settle_ms)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "ui", file_name, NULL);
  gint64 settle = g_get_monotonic_time () + (gint64)settle_ms * 1000;
  int width;
  int height;

  while (g_get_monotonic_time () < settle)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; node == NULL; )
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (gsk_renderer_realize (renderer, NULL, NULL));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
