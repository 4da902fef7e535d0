/* buzon-net.h — the connection layer shared by IMAP, POP3 and SMTP
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "buzon-certificate.h"
#include "buzon-connection.h"
#include "buzon-net-error.h"
#include "buzon-sasl.h"
#include "buzon-tls-probe.h"
