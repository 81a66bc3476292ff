#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Compatibility tests: real clients' requests (clients.t.sh), and the
# responses recorded from Hestia's real PHP endpoint (replay.t.sh).
here=$(dirname "$0")
exec sh "$here/../regress/run.sh" "$here" compat
