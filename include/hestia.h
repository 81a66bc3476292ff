/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's return codes and their HTTP statuses (hestia-compat.md §8, §13). */
#ifndef HESTIA_H
#define HESTIA_H

enum hestia_code {
	E_OK = 0,
	E_ARGS = 1,
	E_INVALID = 2,
	E_NOTEXIST = 3,
	E_EXISTS = 4,
	E_SUSPENDED = 5,
	E_UNSUSPENDED = 6,
	E_INUSE = 7,
	E_LIMIT = 8,
	E_PASSWORD = 9,
	E_FORBIDEN = 10,
	E_DISABLED = 11,
	E_PARSING = 12,
	E_DISK = 13,
	E_LA = 14,
	E_CONNECT = 15,
	E_FTP = 16,
	E_DB = 17,
	E_RRD = 18,
	E_UPDATE = 19,
	E_RESTART = 20,
	E_API_DISABLED = 21,
	E_NODATA = 405,		/* pseudo-code: no usable request data */
};

/* "E_PASSWORD" and so on; "E_UNKNOWN" for codes Hestia does not name. */
const char	*hestia_code_name(int);
/* exit_code_to_http_code() of Hestia's helpers.php: a command's exit code
 * (any value, 255 included) to its HTTP status; 405 is the no-data
 * pseudo-code. */
int		 hestia_http_status(int);
/* api_error()'s rule: a code of 100 or more is the status itself (our own
 * 500 and 503 refusals), anything else as above. */
int		 hestia_error_status(int);

#endif
