/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /healthz: alive or not, for monitors; no auth and no details. */
#include <string.h>

#include <event2/http.h>

#include "apid.h"
#include "http.h"

static int
api_healthz_parse(struct request *)
{
	return 0;
}

static void
api_healthz_run(struct request *r)
{
	int	 m = http_method(r);

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		http_reply(r, 405, "text/plain; charset=utf-8",
		    "method not allowed\n", 19, nullptr);
		return;
	}
	http_reply(r, 200, "text/plain; charset=utf-8", "ok\n", 3, nullptr);
}

const struct endpoint endpoint_healthz = {
	"/healthz", api_healthz_parse, nullptr, nullptr, api_healthz_run,
	nullptr, GATE_PUBLIC,
};
