/* buzon-compose.h — composing outgoing messages: drafts, their encoding,
 * replies and forwards
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-compose-build.h"
#include "buzon-compose-complete.h"
#include "buzon-compose-draft.h"
#include "buzon-compose-parse.h"
#include "buzon-compose-reply.h"
