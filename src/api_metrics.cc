/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /metrics: the Prometheus text exposition, at the gate's network
 * level: API_SYSTEM on, an allowlisted address not locked out, no key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "apid.h"
#include "http.h"
#include "metrics.h"

#define API_METRICS_TEXT	"text/plain; charset=utf-8"

static int
api_metrics_parse(struct request *)
{
	return 0;
}

/* Refused by the gate (a Hestia code) or at a stop (an HTTP status):
 * plain text, 403 for every code of Hestia's. */
static void
api_metrics_refuse(struct request *r, int code, const char *msg)
{
	char	*body;
	int	 status = code >= 100 && code <= 599 ? code : 403;

	xasprintf(&body, "Error: %s\n", msg);
	http_reply(r, status, API_METRICS_TEXT, body, strlen(body), nullptr);
	free(body);
}

static void
api_metrics_busy(struct request *r)
{
	static const char *const retry[] = { "Retry-After", "1", nullptr };
	static const char	 msg[] = "Error: server is busy, try again\n";

	http_reply(r, 503, API_METRICS_TEXT, msg, sizeof msg - 1, retry);
}

static void
api_metrics_run(struct request *r)
{
	char	*text;
	size_t	 len;
	int	 m = http_method(r);

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		http_reply(r, 405, API_METRICS_TEXT, "method not allowed\n",
		    19, nullptr);
		return;
	}
	text = metrics_render(&len);
	http_reply(r, 200, METRICS_CTYPE, text, len, nullptr);
	free(text);
}

const struct endpoint endpoint_metrics = {
	"/metrics", api_metrics_parse, api_metrics_refuse, api_metrics_busy,
	api_metrics_run, nullptr, GATE_NETWORK,
};
