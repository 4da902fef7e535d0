/* buzon-detect.h — automatic detection of an address's mail servers
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-detect-result.h"
#include "buzon-detector.h"
