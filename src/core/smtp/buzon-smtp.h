/* buzon-smtp.h — the SMTP submission client: reply parser, errors, session
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-smtp-error.h"
#include "buzon-smtp-parser.h"
#include "buzon-smtp-session.h"
