/* buzon-detect-private.h — what the detection steps share
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-detect-result.h"

G_BEGIN_DECLS

BuzonDetectResult *_buzon_detect_result_new          (const char          *address,
                                                      BuzonDetectSource    source,
                                                      GError             **error);
void               _buzon_detect_result_set_provider (BuzonDetectResult   *self,
                                                      const char          *id,
                                                      const char          *name,
                                                      const char          *note_id);
void               _buzon_detect_result_add_server   (BuzonDetectResult   *self,
                                                      BuzonDetectProtocol  protocol,
                                                      const char          *host,
                                                      guint16              port,
                                                      BuzonSecurity        security,
                                                      BuzonDetectUsername  username_form,
                                                      const char          *username);
void               _buzon_detect_result_take_server  (BuzonDetectResult   *self,
                                                      BuzonDetectServer   *server);
const char        *_buzon_detect_result_get_local_part
                                                     (BuzonDetectResult   *self);

G_END_DECLS
