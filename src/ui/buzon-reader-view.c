/* buzon-reader-view.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonReaderView shows one message body, HTML or plain text, in a
 * WebKitWebView that treats the body as hostile input:
 *
 * - No script: JavaScript is off (the view runs no script of its own either),
 *   with plugins, WebGL, WebAudio, audio and video elements, fullscreen,
 *   developer extras, the page cache and local storage. Every view shares one web
 *   context (for the cid: scheme) and one ephemeral network session: no
 *   cookies, no cache or credentials on disk. Downloads are cancelled,
 *   permission and authentication requests refused.
 *
 * - No remote loads unless allowed for this message, in two layers that each
 *   suffice: a Content-Security-Policy <meta> put at the very top of the
 *   document, before the message's own markup (default-src 'none'; images,
 *   styles and fonts from cid: and data: only), and a WebKit content blocker
 *   that refuses every http, https, ftp, ws and wss load. Allowed, the policy
 *   lets images, styles and fonts come from anywhere but still allows
 *   no script, frame, object, form or <base>, and the blocker is removed.
 *   Whether a message wanted remote content is a conservative scan of its
 *   markup (buzon_reader_view_html_wants_remote()) and any remote load WebKit
 *   reports starting; it is the remote-content-blocked property.
 *
 * - No navigation: the only navigation let through is the load of the body
 *   itself (and in-page #anchors). A clicked http, https or mailto link is
 *   emitted as ::open-link for the application to open elsewhere; every
 *   other navigation (meta refresh, forms, frames, other schemes) is dropped.
 *   No new windows.
 *
 * - cid: URLs (RFC 2392) are a URI scheme of the shared web context, served
 *   from the caller's part resolver.
 *
 * Look: the body is a separate document, so nothing in it can style the
 * application; the view injects no chrome into it. Plain text is ours
 * (buzon_text_to_html()) and follows the light or dark style of
 * AdwStyleManager fully. HTML gets only a default background and text
 * colour, at zero specificity (:where), so the message's own styles win. In
 * dark mode the default is dark only when the message sets no colours of its
 * own at all: a message that chose some colours was written against white,
 * and dark text on a dark default would be unreadable, so it keeps a light
 * "paper".
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <adwaita.h>
#include <webkit/webkit.h>

#include "buzon-reader-view.h"
#include "buzon-text-to-html.h"

struct _BuzonReaderView
{
  GtkWidget                 parent_instance;

  WebKitWebView            *web_view;
  WebKitUserContentManager *content_manager;

  char                     *body;          /* the HTML, or the plain text */
  gboolean                  body_is_plain;
  gboolean                  allow_remote;
  gboolean                  remote_blocked;
  guint                     own_loads;      /* our loads not yet let through */
  gboolean                  waiting_for_filter;
  _BuzonReaderLayers        layers;

  BuzonReaderPartResolver   resolver;
  gpointer                  resolver_data;
  GDestroyNotify            resolver_destroy;
};

G_DEFINE_FINAL_TYPE (BuzonReaderView, buzon_reader_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ALLOW_REMOTE,
  PROP_REMOTE_CONTENT_BLOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_LINK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define VIEW_KEY "buzon-reader-view"
#define FILTER_ID "buzon-block-remote-v1"

/* The first layer, blocked: the policy the brief of issue 5 asks for, plus
 * no <base> (it would point relative URLs elsewhere) and no form targets. */
#define CSP_BLOCKED \
  "default-src 'none'; img-src cid: data:; style-src 'unsafe-inline' cid:; " \
  "font-src cid: data:; base-uri 'none'; form-action 'none'"
/* Allowed: images, styles and fonts from anywhere; still no script, frame,
 * object or media (mail does not play video; posters are images). */
#define CSP_ALLOWED \
  "default-src 'none'; img-src * cid: data:; style-src * 'unsafe-inline' cid:; " \
  "font-src * cid: data:; script-src 'none'; object-src 'none'; " \
  "frame-src 'none'; base-uri 'none'; form-action 'none'"

/* The second layer: a content blocker (WebKit's content rule list format).
 * Its regular expressions have no alternation, so one rule per scheme. */
static const char block_rules_json[] =
  "["
  "{\"trigger\":{\"url-filter\":\"^https?:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^wss?:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^ftp:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^file:\"},\"action\":{\"type\":\"block\"}}"
  "]";

/* Shared by every view of the process. */
static WebKitWebContext *shared_context;
static WebKitNetworkSession *shared_session;
static WebKitUserContentFilter *block_filter;
static gboolean block_filter_failed;
static GPtrArray *views_waiting_for_filter;

static void buzon_reader_view_reload (BuzonReaderView *self);

/* --- the remote content scan --- */

/* An attribute value as a URL parser sees it: character references
 * decoded, ASCII whitespace and controls dropped, lower case. */
static char *
normalize_value (const char *value,
                 gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      unsigned char c = value[i];

      if (c == '&')
        {
          gsize j = i + 1;
          gunichar ch = 0;

          if (j < len && value[j] == '#')
            {
              gboolean hex = j + 1 < len && (value[j + 1] == 'x' || value[j + 1] == 'X');

              j += hex ? 2 : 1;
              while (j < len && (hex ? g_ascii_isxdigit (value[j]) : g_ascii_isdigit (value[j])))
                {
                  ch = ch * (hex ? 16 : 10) +
                       (hex ? g_ascii_xdigit_value (value[j]) : g_ascii_digit_value (value[j]));
                  if (ch > 0x10ffff)
                    ch = 0xfffd;
                  j++;
                }
            }
          else
            {
              static const struct { const char *name; char c; } named[] = {
                { "colon;", ':' }, { "sol;", '/' }, { "amp;", '&' }, { "period;", '.' },
                { "tab;", '\t' }, { "newline;", '\n' }, { "lpar;", '(' }, { "bsol;", '\\' },
              };

              for (gsize k = 0; k < G_N_ELEMENTS (named); k++)
                if (len - j >= strlen (named[k].name) &&
                    g_ascii_strncasecmp (value + j, named[k].name, strlen (named[k].name)) == 0)
                  {
                    ch = (guchar) named[k].c;
                    j += strlen (named[k].name) - 1;
                    break;
                  }
            }

          if (ch != 0)
            {
              if (j < len && value[j] == ';')
                j++;
              i = j - 1;
              if (ch > ' ' && ch < 0x7f)
                g_string_append_c (out, g_ascii_tolower ((char) ch));
              else if (ch >= 0x80)
                g_string_append_unichar (out, ch);
              continue;
            }
        }

      if (c > ' ' && c != 0x7f)
        g_string_append_c (out, g_ascii_tolower (c));
    }

  return g_string_free (out, FALSE);
}

static gboolean
url_text_is_remote (const char *v)
{
  /* Anywhere in the value: srcset and meta refresh hold URLs after other
   * text. A scheme-relative "//host" resolves to a remote host too. */
  return strstr (v, "http:") != NULL || strstr (v, "https:") != NULL ||
         strstr (v, "ftp:") != NULL || strstr (v, "ws:") != NULL || strstr (v, "wss:") != NULL ||
         g_str_has_prefix (v, "//") || strstr (v, ",//") != NULL || strstr (v, "url=//") != NULL;
}

static gboolean
css_is_remote (const char *css,
               gsize       len)
{
  g_autofree char *v = normalize_value (css, len);

  /* Where CSS loads: url(), @import "…" and image-set("…"). A backslash
   * there may be a CSS escape hiding a scheme: counted as remote. */
  for (const char *p = v; (p = strpbrk (p, "u@i")) != NULL; p++)
    {
      const char *arg;
      const char *stop;
      g_autofree char *piece = NULL;

      if (g_str_has_prefix (p, "url("))
        arg = p + 4;
      else if (g_str_has_prefix (p, "@import"))
        arg = p + 7;
      else if (g_str_has_prefix (p, "image-set("))
        arg = p + 10;
      else
        continue;

      stop = strpbrk (arg, ");");
      piece = stop ? g_strndup (arg, stop - arg) : g_strdup (arg);
      if (strchr (piece, '\\') != NULL)
        return TRUE;
      /* Quotes are not part of the URL. */
      for (char *q = piece; *q; q++)
        if (*q == '"' || *q == '\'')
          *q = ' ';
      g_strdelimit (piece, " ", ',');
      if (url_text_is_remote (piece) || g_str_has_prefix (piece, ",//") ||
          strstr (piece, ",//") != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
attribute_is_remote (const char *tag,
                     const char *name,
                     const char *value,
                     gsize       len)
{
  static const char * const url_attributes[] = {
    "src", "background", "poster", "srcset", "imagesrcset", "data", "lowsrc", "dynsrc",
    "codebase", "archive", "manifest", "profile", "xlink:href", "icon", "cite", NULL,
  };
  g_autofree char *v = NULL;

  if (g_ascii_strcasecmp (name, "style") == 0)
    return css_is_remote (value, len);

  if (g_ascii_strcasecmp (name, "href") == 0)
    {
      /* A link is followed only when clicked, and then not in the view. */
      if (g_ascii_strcasecmp (tag, "a") == 0 || g_ascii_strcasecmp (tag, "area") == 0)
        return FALSE;
    }
  else if (g_ascii_strcasecmp (name, "content") == 0)
    {
      if (g_ascii_strcasecmp (tag, "meta") != 0)
        return FALSE;
    }
  else
    {
      gboolean known = FALSE;

      for (gsize i = 0; url_attributes[i] != NULL && !known; i++)
        known = g_ascii_strcasecmp (name, url_attributes[i]) == 0;
      if (!known)
        return FALSE;
    }

  v = normalize_value (value, len);
  return url_text_is_remote (v);
}

/**
 * buzon_reader_view_html_wants_remote:
 * @html: (nullable): a message's HTML
 *
 * Whether the markup asks for anything from the network. A small tag
 * scanner, not a full HTML parser, erring on the side of TRUE.
 *
 * Returns: %TRUE when showing remote content would load something
 */
gboolean
buzon_reader_view_html_wants_remote (const char *html)
{
  const char *p = html;

  if (html == NULL)
    return FALSE;

  while ((p = strchr (p, '<')) != NULL)
    {
      char tag[32];
      gsize tag_len = 0;
      gboolean closing = FALSE;

      p++;
      if (g_str_has_prefix (p, "!--"))
        {
          const char *end = strstr (p + 3, "-->");

          if (end == NULL)
            break;
          p = end + 3;
          continue;
        }
      if (*p == '/')
        {
          closing = TRUE;
          p++;
        }
      while (g_ascii_isalnum (*p) || *p == ':' || *p == '-')
        {
          if (tag_len < sizeof tag - 1)
            tag[tag_len++] = *p;
          p++;
        }
      tag[tag_len] = '\0';
      if (tag_len == 0 || closing)
        continue;

      /* Attributes up to the end of the tag. */
      for (;;)
        {
          const char *name_start, *value = "";
          g_autofree char *name = NULL;
          gsize value_len = 0;

          while (*p != '\0' && (g_ascii_isspace (*p) || *p == '/'))
            p++;
          if (*p == '\0' || *p == '>')
            break;

          name_start = p;
          while (*p != '\0' && !g_ascii_isspace (*p) && *p != '=' && *p != '>' && *p != '/')
            p++;
          if (p == name_start)
            p++;
          name = g_strndup (name_start, p - name_start);

          while (g_ascii_isspace (*p))
            p++;
          if (*p == '=')
            {
              p++;
              while (g_ascii_isspace (*p))
                p++;
              if (*p == '"' || *p == '\'')
                {
                  char quote = *p++;
                  const char *end = strchr (p, quote);

                  if (end == NULL)
                    end = p + strlen (p);
                  value = p;
                  value_len = end - p;
                  p = *end ? end + 1 : end;
                }
              else
                {
                  value = p;
                  while (*p != '\0' && !g_ascii_isspace (*p) && *p != '>')
                    p++;
                  value_len = p - value;
                }
            }

          if (attribute_is_remote (tag, name, value, value_len))
            return TRUE;
        }
      if (*p == '>')
        p++;

      /* The content of <style> is CSS. */
      if (g_ascii_strcasecmp (tag, "style") == 0)
        {
          const char *end = strstr (p, "</");

          while (end != NULL && g_ascii_strncasecmp (end, "</style", 7) != 0)
            end = strstr (end + 2, "</");
          if (css_is_remote (p, end ? (gsize) (end - p) : strlen (p)))
            return TRUE;
          if (end == NULL)
            break;
          p = end;
        }
    }

  return FALSE;
}

/* --- the document --- */

static gboolean
html_sets_colours (const char *html)
{
  g_autofree char *lower = g_ascii_strdown (html, -1);

  /* Conservative: any mention of colours or backgrounds counts. */
  return strstr (lower, "color") != NULL || strstr (lower, "background") != NULL;
}

typedef struct
{
  const char *background;
  const char *text;
  const char *link;
  const char *quote_border;
  const char *quote_text;
  GdkRGBA     view_background;
} Palette;

static const Palette light_palette = {
  "#ffffff", "#1e1e1e", "#1a5fb4", "#c0bfbc", "#5e5c64", { 1.0, 1.0, 1.0, 1.0 },
};
static const Palette dark_palette = {
  "#1e1e1e", "#ffffff", "#99c1f1", "#77767b", "#c0bfbc", { 30 / 255.0, 30 / 255.0, 30 / 255.0, 1.0 },
};

static char *
build_document (BuzonReaderView *self,
                const Palette  **palette_out)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  const char *csp = self->allow_remote ? CSP_ALLOWED : CSP_BLOCKED;
  const Palette *palette;
  GString *doc = g_string_new (NULL);

  /* Tests only: the blocker alone. An empty policy allows everything. */
  if (!self->allow_remote && (self->layers & _BUZON_READER_LAYER_CSP) == 0)
    csp = "";

  if (self->body_is_plain)
    {
      g_autofree char *fragment = buzon_text_to_html (self->body);

      palette = dark ? &dark_palette : &light_palette;
      g_string_append_printf (doc,
        "<!DOCTYPE html><html><head>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">"
        "<meta charset=\"utf-8\">"
        "<meta name=\"color-scheme\" content=\"%s\">"
        "<style>"
        "html { background: %s; color: %s; }"
        "body { margin: 12px 18px; font-family: sans-serif; font-size: 1rem; line-height: 1.4; }"
        ".buzon-plain { white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 8; }"
        "a { color: %s; }"
        "details.buzon-quote { margin: 0.2em 0; padding-left: 0.8em;"
        " border-left: 3px solid %s; color: %s; }"
        "details.buzon-quote > summary { cursor: pointer; font-size: 0.85em;"
        " white-space: normal; opacity: 0.8; }"
        ".buzon-signature { opacity: 0.6; }"
        "</style></head><body>",
        csp, dark ? "dark" : "light", palette->background, palette->text, palette->link,
        palette->quote_border, palette->quote_text);
      g_string_append (doc, fragment);
      g_string_append (doc, "</body></html>");
    }
  else
    {
      /* No doctype of ours: the message's own one comes too late to count
       * either way, and mail is written for the lenient (quirks) mode. */
      palette = dark && !html_sets_colours (self->body) ? &dark_palette : &light_palette;
      g_string_append_printf (doc,
        "<html><head>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">"
        "<meta charset=\"utf-8\">"
        "<style>:where(html) { background: %s; color: %s; }"
        ":where(a) { color: %s; }</style>"
        "</head><body>",
        csp, palette->background, palette->text, palette->link);
      g_string_append (doc, self->body);
    }

  *palette_out = palette;
  return g_string_free (doc, FALSE);
}

/* --- shared WebKit state --- */

static void
cid_scheme_cb (WebKitURISchemeRequest *request,
               gpointer                user_data)
{
  WebKitWebView *web_view = webkit_uri_scheme_request_get_web_view (request);
  BuzonReaderView *self = web_view ? g_object_get_data (G_OBJECT (web_view), VIEW_KEY) : NULL;
  const char *uri = webkit_uri_scheme_request_get_uri (request);
  g_autofree char *content_id = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  if (self != NULL && self->resolver != NULL && uri != NULL &&
      g_ascii_strncasecmp (uri, "cid:", 4) == 0)
    {
      content_id = g_uri_unescape_string (uri + 4, NULL);
      if (content_id != NULL)
        bytes = self->resolver (self, content_id, &content_type, self->resolver_data);
    }

  if (bytes == NULL)
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No part %s in this message",
                           uri ? uri : "");
      webkit_uri_scheme_request_finish_error (request, error);
      return;
    }

  /* A part is an image, a style sheet or a font here, never a page. */
  if (content_type == NULL || g_ascii_strncasecmp (content_type, "text/html", 9) == 0 ||
      strchr (content_type, '\n') != NULL)
    {
      g_free (content_type);
      content_type = g_strdup ("application/octet-stream");
    }

  stream = g_memory_input_stream_new_from_bytes (bytes);
  webkit_uri_scheme_request_finish (request, stream, g_bytes_get_size (bytes), content_type);
}

static void
download_started_cb (WebKitNetworkSession *session,
                     WebKitDownload       *download,
                     gpointer              user_data)
{
  webkit_download_cancel (download);
}

static void
filter_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&views_waiting_for_filter);

  block_filter = webkit_user_content_filter_store_save_finish (
    WEBKIT_USER_CONTENT_FILTER_STORE (source), result, &error);
  if (block_filter == NULL)
    {
      /* The policy in the document still blocks everything; a warning (fatal
       * in the tests, so they prove the blocker is there). */
      g_warning ("Remote content blocker unavailable: %s", error->message);
      block_filter_failed = TRUE;
    }

  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      BuzonReaderView *view = g_weak_ref_get (g_ptr_array_index (waiting, i));

      if (view != NULL)
        {
          view->waiting_for_filter = FALSE;
          buzon_reader_view_reload (view);
          g_object_unref (view);
        }
    }
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
ensure_shared_state (void)
{
  g_autofree char *store_path = NULL;
  g_autoptr(WebKitUserContentFilterStore) store = NULL;
  g_autoptr(GBytes) rules = NULL;

  if (shared_context != NULL)
    return;

  shared_context = webkit_web_context_new ();
  webkit_web_context_set_cache_model (shared_context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  webkit_web_context_register_uri_scheme (shared_context, "cid", cid_scheme_cb, NULL, NULL);

  shared_session = webkit_network_session_new_ephemeral ();
  webkit_cookie_manager_set_accept_policy (
    webkit_network_session_get_cookie_manager (shared_session), WEBKIT_COOKIE_POLICY_ACCEPT_NEVER);
  g_signal_connect (shared_session, "download-started", G_CALLBACK (download_started_cb), NULL);

  /* Compiled once per process into the cache directory. */
  store_path = g_build_filename (g_get_user_cache_dir (), "buzon", "content-filters", NULL);
  store = webkit_user_content_filter_store_new (store_path);
  rules = g_bytes_new_static (block_rules_json, strlen (block_rules_json));
  views_waiting_for_filter = g_ptr_array_new_with_free_func (weak_ref_free);
  webkit_user_content_filter_store_save (store, FILTER_ID, rules, NULL, filter_saved_cb, NULL);
}

/* --- loading --- */

static void
set_remote_blocked (BuzonReaderView *self,
                    gboolean         blocked)
{
  if (self->remote_blocked == blocked)
    return;
  self->remote_blocked = blocked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CONTENT_BLOCKED]);
}

static void
buzon_reader_view_reload (BuzonReaderView *self)
{
  g_autofree char *doc = NULL;
  const Palette *palette;

  webkit_user_content_manager_remove_all_filters (self->content_manager);

  if (!self->allow_remote)
    {
      if (block_filter == NULL && !block_filter_failed)
        {
          /* Nothing is shown until the blocker is in place. */
          if (!self->waiting_for_filter)
            {
              GWeakRef *ref = g_new0 (GWeakRef, 1);

              g_weak_ref_init (ref, self);
              g_ptr_array_add (views_waiting_for_filter, ref);
              self->waiting_for_filter = TRUE;
            }
          return;
        }
      if (block_filter != NULL && (self->layers & _BUZON_READER_LAYER_FILTER) != 0)
        webkit_user_content_manager_add_filter (self->content_manager, block_filter);
    }

  set_remote_blocked (self, !self->allow_remote && !self->body_is_plain &&
                            buzon_reader_view_html_wants_remote (self->body));

  doc = build_document (self, &palette);
  webkit_web_view_set_background_color (self->web_view, &palette->view_background);
  /* Each of our loads is let through once, also when a second one starts
   * before the first asked (a quick change of message or style). */
  self->own_loads++;
  webkit_web_view_load_html (self->web_view, doc, "about:blank");
}

static gboolean
uri_is_openable (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL &&
         (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0 ||
          g_ascii_strcasecmp (scheme, "mailto") == 0);
}

static gboolean
decide_policy_cb (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  BuzonReaderView          *self)
{
  WebKitNavigationAction *action;
  WebKitNavigationType nav_type;
  const char *uri;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (
    WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  nav_type = webkit_navigation_action_get_navigation_type (action);
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  if (uri == NULL)
    uri = "";

  if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION)
    {
      if (self->own_loads > 0 && strcmp (uri, "about:blank") == 0 &&
          nav_type != WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
        {
          self->own_loads--;
          webkit_policy_decision_use (decision);
          return TRUE;
        }
      /* A jump inside the message ("#top") stays in the same document. */
      if (nav_type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED && g_str_has_prefix (uri, "about:blank#"))
        {
          webkit_policy_decision_use (decision);
          return TRUE;
        }
    }

  if (nav_type == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED && uri_is_openable (uri))
    g_signal_emit (self, signals[OPEN_LINK], 0, uri);
  else
    g_debug ("Navigation to %s ignored", uri);

  webkit_policy_decision_ignore (decision);
  return TRUE;
}

static GtkWidget *
create_cb (WebKitWebView          *web_view,
           WebKitNavigationAction *action,
           BuzonReaderView        *self)
{
  return NULL;
}

static void
resource_load_started_cb (WebKitWebView     *web_view,
                          WebKitWebResource *resource,
                          WebKitURIRequest  *request,
                          BuzonReaderView   *self)
{
  const char *uri = webkit_uri_request_get_uri (request);

  /* Belt and braces for the scan: WebKit tried something remote. */
  if (!self->allow_remote && uri != NULL &&
      (g_ascii_strncasecmp (uri, "http:", 5) == 0 || g_ascii_strncasecmp (uri, "https:", 6) == 0 ||
       g_ascii_strncasecmp (uri, "ftp:", 4) == 0 || g_ascii_strncasecmp (uri, "ws", 2) == 0))
    set_remote_blocked (self, TRUE);
}

static gboolean
context_menu_cb (WebKitWebView       *web_view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 BuzonReaderView     *self)
{
  GList *items = g_list_copy (webkit_context_menu_get_items (menu));

  /* Copying only: downloads and "open in new window" would fetch. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      switch (webkit_context_menu_item_get_stock_action (l->data))
        {
        case WEBKIT_CONTEXT_MENU_ACTION_COPY:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
          break;
        default:
          webkit_context_menu_remove (menu, l->data);
          break;
        }
    }
  g_list_free (items);

  return webkit_context_menu_get_n_items (menu) == 0;
}

static gboolean
refuse_permission_cb (WebKitWebView           *web_view,
                      WebKitPermissionRequest *request,
                      BuzonReaderView         *self)
{
  webkit_permission_request_deny (request);
  return TRUE;
}

static gboolean
refuse_authentication_cb (WebKitWebView                *web_view,
                          WebKitAuthenticationRequest  *request,
                          BuzonReaderView              *self)
{
  /* A remote image asking for a password is phishing, not mail. */
  webkit_authentication_request_cancel (request);
  return TRUE;
}

static gboolean
handled_cb (WebKitWebView *web_view,
            gpointer       user_data)
{
  return TRUE;
}

static void
dark_changed_cb (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 BuzonReaderView *self)
{
  if (self->body != NULL)
    buzon_reader_view_reload (self);
}

static WebKitSettings *
new_settings (void)
{
  WebKitSettings *settings = webkit_settings_new ();

  webkit_settings_set_enable_javascript (settings, FALSE);
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_javascript_can_access_clipboard (settings, FALSE);
  webkit_settings_set_auto_load_images (settings, TRUE);   /* cid: and data: */
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_webrtc (settings, FALSE);
  webkit_settings_set_enable_fullscreen (settings, FALSE);
  webkit_settings_set_enable_media (settings, FALSE);
  webkit_settings_set_enable_media_stream (settings, FALSE);
  webkit_settings_set_enable_encrypted_media (settings, FALSE);
  webkit_settings_set_media_playback_requires_user_gesture (settings, TRUE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_allow_file_access_from_file_urls (settings, FALSE);
  webkit_settings_set_allow_universal_access_from_file_urls (settings, FALSE);
  webkit_settings_set_allow_modal_dialogs (settings, FALSE);
  webkit_settings_set_allow_top_navigation_to_data_urls (settings, FALSE);
  webkit_settings_set_enable_back_forward_navigation_gestures (settings, FALSE);
  webkit_settings_set_enable_write_console_messages_to_stdout (settings, FALSE);
  /* DNS prefetching, hyperlink auditing and the offline application cache
   * are not set: in WebKitGTK 2.50 their setters are deprecated no-ops that
   * warn. Auditing pings go with a navigation, which the view never does,
   * and names are looked up only for loads the blocker lets through. */

  return settings;
}

/* --- GObject --- */

static gboolean
buzon_reader_view_grab_focus (GtkWidget *widget)
{
  BuzonReaderView *self = BUZON_READER_VIEW (widget);

  /* Focus goes to the page, where the keys scroll. */
  return self->web_view != NULL && gtk_widget_grab_focus (GTK_WIDGET (self->web_view));
}

static void
buzon_reader_view_dispose (GObject *object)
{
  BuzonReaderView *self = BUZON_READER_VIEW (object);

  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      g_object_set_data (G_OBJECT (self->web_view), VIEW_KEY, NULL);
      gtk_widget_unparent (GTK_WIDGET (self->web_view));
      self->web_view = NULL;
    }
  g_clear_object (&self->content_manager);

  if (self->resolver_destroy != NULL)
    self->resolver_destroy (self->resolver_data);
  self->resolver = NULL;
  self->resolver_data = NULL;
  self->resolver_destroy = NULL;

  G_OBJECT_CLASS (buzon_reader_view_parent_class)->dispose (object);
}

static void
buzon_reader_view_finalize (GObject *object)
{
  BuzonReaderView *self = BUZON_READER_VIEW (object);

  g_free (self->body);

  G_OBJECT_CLASS (buzon_reader_view_parent_class)->finalize (object);
}

static void
buzon_reader_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BuzonReaderView *self = BUZON_READER_VIEW (object);

  switch (prop_id)
    {
    case PROP_ALLOW_REMOTE:
      g_value_set_boolean (value, self->allow_remote);
      break;
    case PROP_REMOTE_CONTENT_BLOCKED:
      g_value_set_boolean (value, self->remote_blocked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_reader_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BuzonReaderView *self = BUZON_READER_VIEW (object);

  switch (prop_id)
    {
    case PROP_ALLOW_REMOTE:
      buzon_reader_view_set_allow_remote (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_reader_view_class_init (BuzonReaderViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = buzon_reader_view_dispose;
  object_class->finalize = buzon_reader_view_finalize;
  object_class->get_property = buzon_reader_view_get_property;
  object_class->set_property = buzon_reader_view_set_property;

  /**
   * BuzonReaderView:allow-remote:
   *
   * Whether the body may load remote images, styles and fonts. Setting it
   * reloads the body. Remembering the choice is the caller's.
   */
  properties[PROP_ALLOW_REMOTE] =
    g_param_spec_boolean ("allow-remote", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonReaderView:remote-content-blocked:
   *
   * Whether the body shown wanted remote content that was not loaded: the
   * reader offers "Show remote content" when it is %TRUE.
   */
  properties[PROP_REMOTE_CONTENT_BLOCKED] =
    g_param_spec_boolean ("remote-content-blocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BuzonReaderView::open-link:
   * @self: the view
   * @uri: the http, https or mailto URI of the link
   *
   * A link in the body was clicked or activated. The view does not follow
   * it: the application opens it (gtk_show_uri()).
   */
  signals[OPEN_LINK] =
    g_signal_new ("open-link", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  widget_class->grab_focus = buzon_reader_view_grab_focus;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "buzonreaderview");
}

static void
buzon_reader_view_init (BuzonReaderView *self)
{
  g_autoptr(WebKitSettings) settings = new_settings ();

  self->layers = _BUZON_READER_LAYERS_ALL;
  ensure_shared_state ();

  self->content_manager = webkit_user_content_manager_new ();
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", shared_context,
                                 "network-session", shared_session,
                                 "user-content-manager", self->content_manager,
                                 "settings", settings,
                                 "hexpand", TRUE,
                                 "vexpand", TRUE,
                                 NULL);
  g_object_set_data (G_OBJECT (self->web_view), VIEW_KEY, self);
  gtk_widget_set_parent (GTK_WIDGET (self->web_view), GTK_WIDGET (self));

  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self);
  g_signal_connect (self->web_view, "create", G_CALLBACK (create_cb), self);
  g_signal_connect (self->web_view, "resource-load-started",
                    G_CALLBACK (resource_load_started_cb), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (context_menu_cb), self);
  g_signal_connect (self->web_view, "permission-request", G_CALLBACK (refuse_permission_cb), self);
  g_signal_connect (self->web_view, "authenticate", G_CALLBACK (refuse_authentication_cb), self);
  g_signal_connect (self->web_view, "enter-fullscreen", G_CALLBACK (handled_cb), self);
  g_signal_connect (self->web_view, "load-failed-with-tls-errors", G_CALLBACK (handled_cb), self);
  g_signal_connect (self->web_view, "show-notification", G_CALLBACK (handled_cb), self);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, 0);

  /* Screen readers: the view is "the message", the page inside its text.
   * The arrow keys, Page Up/Down and Space scroll the focused page. */
  gtk_widget_set_focusable (GTK_WIDGET (self->web_view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("The text of the selected message"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message text"),
                                  -1);
}

/* --- public API --- */

/**
 * buzon_reader_view_new:
 *
 * Returns: (transfer full): a new, empty reader view
 */
GtkWidget *
buzon_reader_view_new (void)
{
  return g_object_new (BUZON_TYPE_READER_VIEW, NULL);
}

/**
 * buzon_reader_view_set_html:
 * @self: a reader view
 * @html_utf8: the message's HTML, already converted to UTF-8
 * @base_charset_ignored: (nullable): ignored: the MIME layer converted the
 *   part, and a charset in the markup is overridden by ours
 *
 * Shows an HTML body, remote content blocked unless allowed.
 */
void
buzon_reader_view_set_html (BuzonReaderView *self,
                            const char      *html_utf8,
                            const char      *base_charset_ignored)
{
  g_return_if_fail (BUZON_IS_READER_VIEW (self));
  g_return_if_fail (html_utf8 != NULL);

  g_free (self->body);
  self->body = g_utf8_make_valid (html_utf8, -1);
  self->body_is_plain = FALSE;
  buzon_reader_view_reload (self);
}

/**
 * buzon_reader_view_set_plain_text:
 * @self: a reader view
 * @text: the message's text, UTF-8
 *
 * Shows a plain-text body: links clickable, quotes foldable, signature
 * dimmed (buzon_text_to_html()).
 */
void
buzon_reader_view_set_plain_text (BuzonReaderView *self,
                                  const char      *text)
{
  g_return_if_fail (BUZON_IS_READER_VIEW (self));
  g_return_if_fail (text != NULL);

  g_free (self->body);
  self->body = g_strdup (text);
  self->body_is_plain = TRUE;
  buzon_reader_view_reload (self);
}

/**
 * buzon_reader_view_set_allow_remote:
 * @self: a reader view
 * @allow_remote: whether the body may load remote images, styles and fonts
 *
 * Reloads the body shown with or without remote content. Script stays off
 * either way.
 */
void
buzon_reader_view_set_allow_remote (BuzonReaderView *self,
                                    gboolean         allow_remote)
{
  g_return_if_fail (BUZON_IS_READER_VIEW (self));

  allow_remote = !!allow_remote;
  if (self->allow_remote == allow_remote)
    return;

  self->allow_remote = allow_remote;
  if (self->body != NULL)
    buzon_reader_view_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_REMOTE]);
}

gboolean
buzon_reader_view_get_allow_remote (BuzonReaderView *self)
{
  g_return_val_if_fail (BUZON_IS_READER_VIEW (self), FALSE);

  return self->allow_remote;
}

/**
 * buzon_reader_view_get_remote_content_blocked:
 * @self: a reader view
 *
 * Returns: whether the body shown wanted remote content that was blocked
 */
gboolean
buzon_reader_view_get_remote_content_blocked (BuzonReaderView *self)
{
  g_return_val_if_fail (BUZON_IS_READER_VIEW (self), FALSE);

  return self->remote_blocked;
}

/**
 * buzon_reader_view_set_part_resolver:
 * @self: a reader view
 * @resolver: (nullable): finds a part by Content-ID
 * @user_data: data for @resolver
 * @destroy: (nullable): frees @user_data when replaced or on dispose
 *
 * Sets where `cid:` URLs in the body come from. Without a resolver they
 * load nothing.
 */
void
buzon_reader_view_set_part_resolver (BuzonReaderView         *self,
                                     BuzonReaderPartResolver  resolver,
                                     gpointer                 user_data,
                                     GDestroyNotify           destroy)
{
  g_return_if_fail (BUZON_IS_READER_VIEW (self));

  if (self->resolver_destroy != NULL)
    self->resolver_destroy (self->resolver_data);
  self->resolver = resolver;
  self->resolver_data = user_data;
  self->resolver_destroy = destroy;
}

/**
 * buzon_reader_view_get_web_view:
 * @self: a reader view
 *
 * Returns: (transfer none): the WebKitWebView showing the body
 */
GtkWidget *
buzon_reader_view_get_web_view (BuzonReaderView *self)
{
  g_return_val_if_fail (BUZON_IS_READER_VIEW (self), NULL);

  return GTK_WIDGET (self->web_view);
}

/**
 * _buzon_reader_view_set_layers_for_test:
 * @self: a reader view
 * @layers: the blocking layers to use
 *
 * For the tests only, which prove that each layer alone blocks every
 * remote load. Reloads the body.
 */
void
_buzon_reader_view_set_layers_for_test (BuzonReaderView    *self,
                                        _BuzonReaderLayers  layers)
{
  g_return_if_fail (BUZON_IS_READER_VIEW (self));

  self->layers = layers;
  if (self->body != NULL)
    buzon_reader_view_reload (self);
}
