/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Hestia-compatible endpoint, POST /api/: Hestia's request parsing and
 * its exact answers (hestia-compat.md §§2, 5-9), with the §16 fixes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <jansson.h>

#include "apid.h"
#include "cmd.h"
#include "config.h"
#include "form.h"
#include "hconf.h"
#include "hestia.h"
#include "http.h"
#include "job.h"
#include "tmpfile.h"

#define HESTIA_NODATA \
	"Error: data received is null or invalid, check " \
	"https://hestiacp.com/docs/server-administration/rest-api.html"
#define HESTIA_TEXT	"text/plain; charset=utf-8"
#define HESTIA_JSON	"application/json; charset=utf-8"

struct api_hestia {
	int	 code_mode;	/* returncode=yes: the body is the code */
	int	 legacy;	/* hash key or password, not an access key */
};

static void	 api_hestia_answer(struct request *, int, int, const char *,
		    size_t, const char *, const char *);

static void
api_hestia_free(struct request *r)
{
	free(r->state);
	r->state = nullptr;
}

/* Fill form from the body as PHP would: $_POST for a POST form that holds
 * one of access_key, user or hash; else the raw body as JSON. Returns 0, or
 * 1 for "no data". */
static int
api_hestia_read(struct request *r, struct form *form)
{
	const char	*body, *ctype;
	size_t		 len;
	char		*cause = nullptr;
	int		 rc = -1;

	body = http_body(r, &len);
	ctype = http_header(r, "Content-Type");
	if (http_method(r) == EVHTTP_REQ_POST && ctype != nullptr) {
		if (strncasecmp(ctype, "application/x-www-form-urlencoded",
		    33) == 0)
			rc = form_parse_urlencoded(form, body, len, &cause);
		else if (strncasecmp(ctype, "multipart/form-data", 19) == 0)
			rc = form_parse_multipart(form, ctype, body, len,
			    &cause);
		if (rc == -1 && cause != nullptr) {
			log_debug("%s: %s: %s", __func__, r->peer, cause);
			free(cause);
		}
		if (rc == 0 && (form_get(form, "access_key") != nullptr ||
		    form_get(form, "user") != nullptr ||
		    form_get(form, "hash") != nullptr))
			return 0;
		form_free(form);
		form_init(form);
	}
	return form_parse_json(form, body, len);
}

/* What a parameter may not be: an array (PHP's TypeError), or text with
 * a NUL byte inside (a C string would end there: cmd=v-list-users%00x must
 * not run v-list-users). The first such name is kept; the form outlives
 * the check. */
struct api_hestia_flaws {
	const char	*array;
	const char	*nul;
};

/* A parameter as a string, or nullptr (missing or flawed). */
static const struct form_param *
api_hestia_param(struct form *form, const char *name,
    struct api_hestia_flaws *fl)
{
	const struct form_param	*p = form_get(form, name);

	if (p == nullptr)
		return nullptr;
	if (p->is_array) {
		if (fl->array == nullptr)
			fl->array = p->name;
		return nullptr;
	}
	return p;
}

/* An allocated copy of a parameter, trimmed as PHP's trim() when asked;
 * nullptr when missing or flawed. */
/* "argN" without snprintf: thirteen of them per request add up. */
static void
api_hestia_argname(char name[8], int i)
{
	static_assert(HTTP_MAX_ARGS < 100, "two digits at most");
	memcpy(name, "arg", 3);
	if (i >= 10) {
		name[3] = (char)('0' + i / 10);
		name[4] = (char)('0' + i % 10);
		name[5] = '\0';
	} else {
		name[3] = (char)('0' + i);
		name[4] = '\0';
	}
}

static char *
api_hestia_value(struct form *form, const char *name, int trim,
    struct api_hestia_flaws *fl)
{
	struct form_param	*p;

	p = (struct form_param *)api_hestia_param(form, name, fl);
	if (p == nullptr)
		return nullptr;
	if (trim)
		form_trim(p);
	if (memchr(p->value, '\0', p->valuelen) != nullptr) {
		if (fl->nul == nullptr)
			fl->nul = p->name;
		return nullptr;
	}
	return xstrndup(p->value, p->valuelen);
}

static void	 api_hestia_error(struct request *, int, int, const char *,
		    const char *);

/* Input PHP would have died on (a 500 page): a clear 422 instead. */
static void
api_hestia_reject(struct request *r, const char *why)
{
	char	*msg;

	xasprintf(&msg, "invalid request: %s", why);
	api_hestia_error(r, 422, E_INVALID, msg, nullptr);
	free(msg);
}

static int
api_hestia_parse(struct request *r)
{
	struct api_hestia		*st;
	struct form			 form;
	struct api_hestia_flaws		 fl = { nullptr, nullptr };
	const struct form_param		*rc;
	char				*access_key = nullptr, *secret = nullptr;
	char				*hash = nullptr, name[8], *colon, *why;
	int				 i, rv = -1;

	st = XCALLOC(struct api_hestia);
	r->state = st;
	form_init(&form);
	if (api_hestia_read(r, &form) != 0) {
		api_hestia_answer(r, 405, E_NODATA, HESTIA_NODATA,
		    strlen(HESTIA_NODATA), HESTIA_TEXT, nullptr);
		goto done;
	}
	rc = api_hestia_param(&form, "returncode", &fl);
	st->code_mode = rc != nullptr && strcmp(rc->value, "yes") == 0 &&
	    rc->valuelen == 3;

	access_key = api_hestia_value(&form, "access_key", 1, &fl);
	secret = api_hestia_value(&form, "secret_key", 1, &fl);
	hash = api_hestia_value(&form, "hash", 0, &fl);
	if (fl.nul != nullptr)
		goto flawed;
	/* hash=ID:SECRET is an access key, at exactly 20 and 40 bytes. */
	if (form_get(&form, "access_key") == nullptr && hash != nullptr &&
	    (colon = strchr(hash, ':')) != nullptr &&
	    strchr(colon + 1, ':') == nullptr && colon - hash == 20 &&
	    strlen(colon + 1) == 40) {
		free(access_key);
		free(secret);
		access_key = xstrndup(hash, 20);
		secret = xstrdup(colon + 1);
		free(hash);
		hash = nullptr;
	}
	if (access_key != nullptr && secret != nullptr) {
		r->cred.kind = CRED_ACCESS_KEY;
		r->cred.id = access_key;
		r->cred.secret = secret;
		access_key = secret = nullptr;
	} else if (form_get(&form, "user") != nullptr || hash != nullptr) {
		st->legacy = 1;
		if (hash != nullptr && hash[0] != '\0' &&
		    strcmp(hash, "0") != 0) {
			r->cred.kind = CRED_LEGACY_KEY;
			r->cred.secret = hash;
			hash = nullptr;
		} else {
			r->cred.kind = CRED_PASSWORD;
			r->cred.id = api_hestia_value(&form, "user", 0, &fl);
			r->cred.secret = api_hestia_value(&form, "password", 0,
			    &fl);
			r->cred.has_password = r->cred.secret != nullptr;
			if (fl.nul != nullptr)
				goto flawed;
		}
	} else {
		api_hestia_answer(r, 405, E_NODATA, HESTIA_NODATA,
		    strlen(HESTIA_NODATA), HESTIA_TEXT, nullptr);
		goto done;
	}

	r->cmd = api_hestia_value(&form, "cmd", 1, &fl);
	if (r->cmd == nullptr)
		r->cmd = xstrdup("");
	/* Present arguments in order, without gaps; empty ones kept. */
	for (i = 1; i <= HTTP_MAX_ARGS; i++) {
		api_hestia_argname(name, i);
		if ((r->args[r->nargs] = api_hestia_value(&form, name, 1,
		    &fl)) != nullptr)
			r->argpos[r->nargs++] = i;
	}
flawed:
	if (fl.array != nullptr || fl.nul != nullptr) {
		if (fl.nul == nullptr)
			xasprintf(&why, "%s must be a single value", fl.array);
		else
			xasprintf(&why, "%s holds a NUL byte", fl.nul);
		api_hestia_reject(r, why);
		free(why);
		goto done;
	}
	rv = 0;
done:
	if (access_key != nullptr)
		free(access_key);
	if (secret != nullptr) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	if (hash != nullptr) {
		explicit_bzero(hash, strlen(hash));
		free(hash);
	}
	form_free(&form);
	return rv;
}

/* Send one answer; extra may name one more header as "Name: value". */
static void
api_hestia_answer(struct request *r, int status, int code, const char *body,
    size_t len, const char *ctype, const char *extra)
{
	struct api_hestia	*st = (struct api_hestia *)r->state;
	const char		*hdrs[5];
	char			 num[16], xname[64];
	const char		*colon;
	int			 n = 0;

	/* Legacy answers after a command ran carry no exit-code header. */
	if (st == nullptr || !st->legacy || status != 200) {
		snprintf(num, sizeof num, "%d", code);
		hdrs[n++] = "Hestia-Exit-Code";
		hdrs[n++] = num;
	}
	if (extra != nullptr && (colon = strchr(extra, ':')) != nullptr &&
	    (size_t)(colon - extra) < sizeof xname) {
		memcpy(xname, extra, colon - extra);
		xname[colon - extra] = '\0';
		hdrs[n++] = xname;
		hdrs[n++] = colon + 2;
	}
	hdrs[n] = nullptr;
	r->exit_code = code;
	http_reply(r, status, ctype, body, len, hdrs);
}

/* api_error() of index.php: the code, or the message with "Error: ". */
static void
api_hestia_error(struct request *r, int status, int code, const char *msg,
    const char *extra)
{
	struct api_hestia	*st = (struct api_hestia *)r->state;
	char			*body;
	const char		*m = msg;
	size_t			 n;

	while (isspace((unsigned char)*m))
		m++;
	n = strlen(m);
	while (n > 0 && isspace((unsigned char)m[n - 1]))
		n--;
	if (st != nullptr && st->legacy && code == E_DISABLED)
		/* index.php echoes a message, then calls api_error(). */
		xasprintf(&body, "Error: API has been disabled%s",
		    st->code_mode ? "11" : "Error: API Disabled");
	else if (st != nullptr && st->code_mode)
		xasprintf(&body, "%d", code);
	else if (strncmp(m, "Error:", 6) == 0)
		xasprintf(&body, "%.*s", (int)n, m);
	else
		xasprintf(&body, "Error: %.*s", (int)n, m);
	api_hestia_answer(r, status, code, body, strlen(body), HESTIA_TEXT,
	    extra);
	free(body);
}

static void
api_hestia_refuse(struct request *r, int code, const char *msg)
{
	api_hestia_error(r, hestia_error_status(code), code, msg, nullptr);
}

static void
api_hestia_busy(struct request *r)
{
	api_hestia_error(r, 503, E_LA, "Server is busy, try again",
	    "Retry-After: 1");
}

/* PHP's exec(): output as lines, each without trailing whitespace. Returns
 * the lines joined by "\n" (allocated), and whether there was any line. */
static char *
api_hestia_lines(const char *out, size_t len, size_t *outlen, int *nlines)
{
	char		*text, *t;
	const char	*p = out, *end = out + len, *nl;
	size_t		 n;

	t = text = (char *)xmalloc(len + 1);
	*nlines = 0;
	while (p < end) {
		nl = (const char *)memchr(p, '\n', end - p);
		n = nl != nullptr ? (size_t)(nl - p) : (size_t)(end - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (*nlines > 0)
			*t++ = '\n';
		memcpy(t, p, n);
		t += n;
		(*nlines)++;
		if (nl == nullptr)
			break;
		p = nl + 1;
	}
	*t = '\0';
	*outlen = t - text;
	return text;
}

/* PHP's trim() on the joined text, in place. */
static void
api_hestia_trim(char **text, size_t *len)
{
	char	*p = *text;
	size_t	 n = *len;

	while (n > 0 && (isspace((unsigned char)*p) || *p == '\0')) {
		p++;
		n--;
	}
	while (n > 0 && (isspace((unsigned char)p[n - 1]) || p[n - 1] == '\0'))
		n--;
	memmove(*text, p, n);
	(*text)[n] = '\0';
	*len = n;
}

/* json_decode($output) is truthy: valid JSON that PHP would not call empty
 * (so 0, "", "0", {}, [], false and null are not labelled JSON). */
static int
api_hestia_json_truthy(const char *text, size_t len)
{
	json_t		*j;
	int		 truthy = 0;
	const char	*s;

	if (len == 0 || strchr("{[\"-0123456789tf", text[0]) == nullptr)
		return 0;
	j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, nullptr);
	if (j == nullptr)
		return 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		truthy = json_object_size(j) > 0;
		break;
	case JSON_ARRAY:
		truthy = json_array_size(j) > 0;
		break;
	case JSON_STRING:
		s = json_string_value(j);
		truthy = json_string_length(j) > 0 && strcmp(s, "0") != 0;
		break;
	case JSON_INTEGER:
		truthy = json_integer_value(j) != 0;
		break;
	case JSON_REAL:
		truthy = json_real_value(j) != 0.0;
		break;
	case JSON_TRUE:
		truthy = 1;
		break;
	default:
		break;
	}
	json_decref(j);
	return truthy;
}

/* The answer once the command has run (or the built-in has). */
static void
api_hestia_result(struct request *r, int exit_code, const char *out,
    size_t outlen, int truncated, int builtin)
{
	struct api_hestia	*st = (struct api_hestia *)r->state;
	const char		*extra, *ctype = HESTIA_TEXT;
	char			*text, num[16];
	size_t			 len;
	int			 nlines, status;

	extra = truncated ? "Hestia-Output-Truncated: yes" : nullptr;
	snprintf(num, sizeof num, "%d", exit_code);
	if (st->code_mode) {
		/* Legacy v-make-tmp-file printed an undefined variable. */
		if (st->legacy && builtin)
			num[0] = '\0';
		api_hestia_answer(r, 200, exit_code, num, strlen(num),
		    HESTIA_TEXT, extra);
		return;
	}
	text = api_hestia_lines(out, outlen, &len, &nlines);
	if (st->legacy) {
		/* "OK" for no output, even when the command failed. */
		if (nlines == 0) {
			free(text);
			text = xstrdup("OK");
			len = 2;
		} else {
			text[len++] = '\n';
		}
		api_hestia_answer(r, 200, exit_code, text, len, HESTIA_TEXT,
		    extra);
		free(text);
		return;
	}
	api_hestia_trim(&text, &len);
	if (exit_code != 0)
		status = hestia_http_status(exit_code);
	else if (len == 0)
		status = 204;
	else {
		status = 200;
		if (api_hestia_json_truthy(text, len))
			ctype = HESTIA_JSON;
	}
	api_hestia_answer(r, status, exit_code, text, len, ctype, extra);
	free(text);
}

static void
api_hestia_done_cb(struct job *, const struct job_result *res, void *arg)
{
	struct request	*r = (struct request *)arg;
	int		 n;

	r->job = nullptr;
	if (res->errlen > 0) {
		n = res->errlen > 300 ? 300 : (int)res->errlen;
		log_info("%s %s: stderr: %.*s", r->who.who, r->cmd, n,
		    res->err);
	}
	if (res->exit_code == -1) {
		log_warnx("%s: %s", r->cmd, res->cause != nullptr ?
		    res->cause : "cannot start");
		api_hestia_error(r, 500, E_ARGS, "Command could not be started",
		    nullptr);
		return;
	}
	if (res->timed_out) {
		log_warnx("%s %s: killed after %d s", r->who.who, r->cmd,
		    env->conf->cmd_timeout);
		api_hestia_error(r, 504, E_LA, "Command timed out", nullptr);
		return;
	}
	api_hestia_result(r, res->exit_code, res->out, res->outlen,
	    res->truncated, 0);
}

/* v-make-tmp-file: arg1 plus a newline into TMP_DIR/basename(arg2). */
static void
api_hestia_tmpfile(struct request *r)
{
	const char		*name;
	char			*data, *cause = nullptr;
	size_t			 len;

	if (r->nargs < 2) {
		api_hestia_error(r, 400, E_ARGS, "not enough arguments",
		    nullptr);
		return;
	}
	name = strrchr(r->args[1], '/');
	name = name != nullptr ? name + 1 : r->args[1];
	len = strlen(r->args[0]);
	data = (char *)xmalloc(len + 2);
	memcpy(data, r->args[0], len);
	data[len++] = '\n';
	if (tmpfile_write(env->conf->tmp_dir, name, data, len, &cause) == -1) {
		log_warnx("%s: %s", CMD_MAKE_TMP_FILE, cause);
		free(cause);
		explicit_bzero(data, len);
		free(data);
		api_hestia_error(r, hestia_http_status(E_INVALID), E_INVALID,
		    "Invalid or unusable file name", nullptr);
		return;
	}
	explicit_bzero(data, len);
	free(data);
	api_hestia_result(r, 0, "", 0, 0, 1);
}

static void
api_hestia_run(struct request *r)
{
	if (strcmp(r->cmd, CMD_MAKE_TMP_FILE) == 0) {
		api_hestia_tmpfile(r);
		return;
	}
	if (r->cmd_path == nullptr) {
		/* Legacy mode: sudo's "command not found" was exit 1. */
		api_hestia_result(r, E_ARGS, "", 0, 0, 0);
		return;
	}
	r->job = job_submit(r->cmd, r->args, r->nargs, api_hestia_done_cb,
	    r);
	if (r->job == nullptr)
		api_hestia_busy(r);
}

const struct endpoint endpoint_hestia = {
	"/api/", api_hestia_parse, api_hestia_refuse, api_hestia_busy,
	api_hestia_run, api_hestia_free, GATE_COMMAND,
};
