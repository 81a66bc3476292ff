/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The version both programs print (-V), and the Debian package carries. */
#ifndef VERSION_H
#define VERSION_H

#define APID_VERSION	"0.3.0"

#endif
