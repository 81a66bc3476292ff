/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /api/v1/openapi.json: the description of the JSON API, public. */
#include <string.h>

#include <event2/http.h>

#include "apid.h"
#include "hestia.h"
#include "http.h"
#include "openapi.h"

#define OPENAPI_JSON	"application/json"

static int
api_openapi_parse(struct request *)
{
	return 0;
}

static void
api_openapi_run(struct request *r)
{
	static const char	 use_get[] = "{\"exit_code\":2,\"name\":"
	    "\"E_INVALID\",\"error\":\"use GET\"}";
	int			 m = http_method(r);

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		r->exit_code = E_INVALID;
		http_reply(r, 405, OPENAPI_JSON, use_get, strlen(use_get),
		    nullptr);
		return;
	}
	http_reply(r, 200, OPENAPI_JSON, openapi_json, openapi_json_len,
	    nullptr);
}

const struct endpoint endpoint_openapi = {
	"/api/v1/openapi.json", api_openapi_parse, nullptr, nullptr,
	api_openapi_run, nullptr, GATE_PUBLIC,
};
