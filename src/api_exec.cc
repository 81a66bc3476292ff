/* SPDX-License-Identifier: GPL-3.0-or-later */
/* POST /api/v1/exec: the JSON API. Authorization: Bearer ID:SECRET, a body
 * {"cmd": "...", "args": [...]}, a JSON answer with the exit code, stdout,
 * stderr and timing. Every error is JSON too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "apid.h"
#include "cmd.h"
#include "config.h"
#include "hconf.h"
#include "hestia.h"
#include "http.h"
#include "job.h"
#include "key.h"
#include "utf8.h"

#define EXEC_JSON	"application/json; charset=utf-8"

static void
api_exec_send(struct request *r, int status, json_t *j,
    const char *const *headers)
{
	char	*text;

	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == nullptr)
		fatalx("%s: json_dumps", __func__);
	http_reply(r, status, EXEC_JSON, text, strlen(text), headers);
	free(text);
}

/* {"exit_code": N, "name": "E_...", "error": "..."} */
static void
api_exec_error(struct request *r, int status, int code, const char *msg,
    const char *const *headers)
{
	json_t	*j;
	/* RFC 6750: a 401 says which scheme would do. */
	static const char *const bearer[] = {
		"WWW-Authenticate", "Bearer realm=\"hestia-apid\"", nullptr
	};

	j = json_pack("{s:i, s:s, s:s}", "exit_code", code, "name",
	    hestia_code_name(code), "error", msg);
	r->exit_code = code;
	if (status == 401 && headers == nullptr)
		headers = bearer;
	api_exec_send(r, status, j, headers);
}

static void
api_exec_refuse(struct request *r, int code, const char *msg)
{
	api_exec_error(r, hestia_error_status(code), code, msg, nullptr);
}

static void
api_exec_busy(struct request *r)
{
	static const char *const retry[] = { "Retry-After", "1", nullptr };

	api_exec_error(r, 503, E_LA, "server is busy, try again", retry);
}

static json_t *
api_exec_text(const char *s, size_t len)
{
	json_t	*j;
	char	*fixed;
	size_t	 n;

	fixed = utf8_repair(s, len, &n);
	j = json_stringn(fixed, n);
	free(fixed);
	return j;
}

static int
api_exec_parse(struct request *r)
{
	const char	*auth, *body, *colon;
	json_t		*j, *cmd, *args, *a;
	json_error_t	 jerr;
	size_t		 len, i;
	char		*msg, *near;
	int		 rv = -1;

	if (http_method(r) != EVHTTP_REQ_POST) {
		api_exec_error(r, 405, E_INVALID, "use POST", nullptr);
		return -1;
	}
	auth = http_header(r, "Authorization");
	if (auth == nullptr || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    (colon = strchr(auth + 7, ':')) == nullptr) {
		api_exec_error(r, 401, E_PASSWORD, "Authentication failed",
		    nullptr);
		return -1;
	}
	r->cred.kind = CRED_ACCESS_KEY;
	r->cred.id = xstrndup(auth + 7, colon - (auth + 7));
	r->cred.secret = xstrdup(colon + 1);

	body = http_body(r, &len);
	/* NUL is allowed here so that it is refused below by name. */
	j = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
	if (j == nullptr) {
		/* jansson quotes the input "near" the error: nothing of the
		 * request is echoed before authentication. */
		if ((near = strstr(jerr.text, " near ")) != nullptr)
			*near = '\0';
		xasprintf(&msg, "the body is not valid JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
		api_exec_error(r, 400, E_INVALID, msg, nullptr);
		free(msg);
		goto done;
	}
	if (!json_is_object(j)) {
		api_exec_error(r, 400, E_INVALID, "the body must be a JSON "
		    "object: {\"cmd\": \"v-...\", \"args\": [...]}", nullptr);
		goto done;
	}
	cmd = json_object_get(j, "cmd");
	args = json_object_get(j, "args");
	if (!json_is_string(cmd) || (args != nullptr && !json_is_array(args))) {
		api_exec_error(r, 400, E_INVALID, "\"cmd\" must be a string "
		    "and \"args\" an array of strings", nullptr);
		goto done;
	}
	if (json_is_true(json_object_get(j, "async"))) {
		api_exec_error(r, 501, E_INVALID, "asynchronous jobs are not "
		    "supported by this version yet", nullptr);
		goto done;
	}
	if (json_array_size(args) > HTTP_MAX_ARGS) {
		api_exec_error(r, 400, E_INVALID, "at most 13 arguments",
		    nullptr);
		goto done;
	}
	if (memchr(json_string_value(cmd), '\0', json_string_length(cmd)) !=
	    nullptr) {
		api_exec_error(r, 400, E_INVALID, "\"cmd\" holds a NUL byte",
		    nullptr);
		goto done;
	}
	r->cmd = xstrdup(json_string_value(cmd));
	json_array_foreach(args, i, a) {
		if (!json_is_string(a) ||
		    memchr(json_string_value(a), '\0',
		    json_string_length(a)) != nullptr) {
			api_exec_error(r, 400, E_INVALID, "arguments must be "
			    "strings without NUL bytes", nullptr);
			goto done;
		}
		r->argpos[r->nargs] = (int)i + 1;
		r->args[r->nargs++] = xstrdup(json_string_value(a));
	}
	rv = 0;
done:
	json_decref(j);
	return rv;
}

static void
api_exec_done_cb(struct job *, const struct job_result *res, void *arg)
{
	struct request	*r = (struct request *)arg;
	json_t		*j;
	int		 status;

	r->job = nullptr;
	if (res->exit_code == -1) {
		log_warnx("%s: %s", r->cmd, res->cause != nullptr ?
		    res->cause : "cannot start");
		api_exec_error(r, 500, E_ARGS, "command could not be started",
		    nullptr);
		return;
	}
	if (res->timed_out) {
		api_exec_error(r, 504, E_LA, "command timed out", nullptr);
		return;
	}
	status = hestia_http_status(res->exit_code);
	r->exit_code = res->exit_code;
	j = json_pack("{s:i, s:s, s:o, s:o, s:b, s:I}", "exit_code",
	    res->exit_code, "name", hestia_code_name(res->exit_code),
	    "stdout", api_exec_text(res->out, res->outlen),
	    "stderr", api_exec_text(res->err, res->errlen),
	    "truncated", res->truncated, "duration_ms",
	    (json_int_t)res->duration_ms);
	api_exec_send(r, status, j, nullptr);
}

static void
api_exec_run(struct request *r)
{
	if (r->cmd_path == nullptr) {
		/* v-make-tmp-file belongs to the Hestia endpoint. */
		api_exec_error(r, 400, E_INVALID, "v-make-tmp-file is only "
		    "served on /api/", nullptr);
		return;
	}
	r->job = job_submit(r->cmd, r->args, r->nargs, api_exec_done_cb,
	    r);
	if (r->job == nullptr)
		api_exec_busy(r);
}

const struct endpoint endpoint_exec = {
	"/api/v1/exec", api_exec_parse, api_exec_refuse, api_exec_busy,
	api_exec_run, nullptr, GATE_COMMAND,
};
