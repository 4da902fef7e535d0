/* buzon-detector.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-detect-result.h"

G_BEGIN_DECLS

/**
 * BuzonDetectSteps:
 * @BUZON_DETECT_STEP_PROVIDER: the provider database
 * @BUZON_DETECT_STEP_SRV: DNS SRV records (RFC 6186)
 * @BUZON_DETECT_STEP_AUTOCONFIG: the autoconfig document over HTTPS
 * @BUZON_DETECT_STEP_GUESS: guessed host names, probed
 * @BUZON_DETECT_STEP_ALL: all of them, in that order (the default)
 */
typedef enum
{
  BUZON_DETECT_STEP_PROVIDER   = 1 << 0,
  BUZON_DETECT_STEP_SRV        = 1 << 1,
  BUZON_DETECT_STEP_AUTOCONFIG = 1 << 2,
  BUZON_DETECT_STEP_GUESS      = 1 << 3,
  BUZON_DETECT_STEP_ALL        = 0xf,
} BuzonDetectSteps;

/**
 * BUZON_DETECT_DEFAULT_STEP_TIMEOUT:
 *
 * Seconds each network step (SRV, autoconfig, guessing) may take before
 * detection gives up on it and goes on to the next.
 */
#define BUZON_DETECT_DEFAULT_STEP_TIMEOUT 15

/**
 * BUZON_DETECT_DEFAULT_PROBE_TIMEOUT:
 *
 * Seconds one probe of a guessed server may take to connect, and then to
 * answer each line.
 */
#define BUZON_DETECT_DEFAULT_PROBE_TIMEOUT 5

#define BUZON_TYPE_DETECTOR (buzon_detector_get_type ())

G_DECLARE_FINAL_TYPE (BuzonDetector, buzon_detector, BUZON, DETECTOR, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonDetector     *buzon_detector_new                (void);

BuzonDetectSteps   buzon_detector_get_steps          (BuzonDetector        *self);
void               buzon_detector_set_steps          (BuzonDetector        *self,
                                                      BuzonDetectSteps      steps);
guint              buzon_detector_get_step_timeout   (BuzonDetector        *self);
void               buzon_detector_set_step_timeout   (BuzonDetector        *self,
                                                      guint                 seconds);
guint              buzon_detector_get_probe_timeout  (BuzonDetector        *self);
void               buzon_detector_set_probe_timeout  (BuzonDetector        *self,
                                                      guint                 seconds);

/* Test hooks: see buzon-detector.c. */
void               buzon_detector_set_tls_database   (BuzonDetector        *self,
                                                      GTlsDatabase         *database);
void               buzon_detector_map_port           (BuzonDetector        *self,
                                                      guint16               standard_port,
                                                      guint16               port);

void               buzon_detector_detect_async       (BuzonDetector        *self,
                                                      const char           *address,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
BuzonDetectResult *buzon_detector_detect_finish      (BuzonDetector        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonDetectResult *buzon_detector_detect             (BuzonDetector        *self,
                                                      const char           *address,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

G_END_DECLS
