/* buzon-store-all.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The umbrella header of libbuzon-store: the message store and its records. */

#pragma once

#include "buzon-store-records.h"
#include "buzon-store.h"
