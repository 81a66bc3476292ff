/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's return codes, their names and HTTP statuses. */
#include "apid.h"
#include "hestia.h"

static const char *const hestia_names[] = {
	"OK", "E_ARGS", "E_INVALID", "E_NOTEXIST", "E_EXISTS", "E_SUSPENDED",
	"E_UNSUSPENDED", "E_INUSE", "E_LIMIT", "E_PASSWORD", "E_FORBIDEN",
	"E_DISABLED", "E_PARSING", "E_DISK", "E_LA", "E_CONNECT", "E_FTP",
	"E_DB", "E_RRD", "E_UPDATE", "E_RESTART", "E_API_DISABLED",
};

const char *
hestia_code_name(int code)
{
	if (code >= 0 && (unsigned int)code < nitems(hestia_names))
		return hestia_names[code];
	if (code == E_NODATA)
		return "E_NODATA";
	return "E_UNKNOWN";
}

int
hestia_error_status(int code)
{
	return code >= 100 && code <= 599 ? code : hestia_http_status(code);
}

int
hestia_http_status(int code)
{
	switch (code) {
	case E_NODATA:
		return 405;
	case E_OK:
		return 200;
	case E_INVALID:
		return 422;
	case E_SUSPENDED:
	case E_UNSUSPENDED:
	case E_PASSWORD:
	case E_FORBIDEN:
	case E_API_DISABLED:
		return 401;
	default:
		return 400;
	}
}
