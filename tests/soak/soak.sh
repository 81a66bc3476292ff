#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make soak SOAK_SECONDS=N: the daemon under load and faults for N seconds
# (default 60), then checked; see soak.py. Needs root for the tmpfs of
# the disk-full fault (without it, that fault is skipped and said so).
exec python3 "$(dirname "$0")/soak.py"
