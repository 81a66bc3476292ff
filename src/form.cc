/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Request parameters from form and JSON bodies, parsed the way PHP does. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "apid.h"
#include "form.h"

/*
 * PHP's defaults, which Hestia keeps: max_input_vars stops a form after
 * 1000 variables, max_input_nesting_level deletes a variable written with
 * more than 64 bracket levels, json_decode() gives null for a document
 * nested deeper than 511 arrays/objects, and a float becomes a string with
 * "precision" 14 significant digits (trim(0.1 + 0.2) is "0.3").
 */
#define FORM_MAX_INPUT_VARS	1000
#define FORM_MAX_NESTING	64
#define FORM_JSON_MAX_DEPTH	511
#define FORM_PHP_PRECISION	14

/* The smallest array; struct form has no capacity field (see form_add). */
#define FORM_MIN_ALLOC		8

static void	 form_add(struct form *, char *, char *, size_t, int);
static void	 form_remove(struct form *, const char *);
static char	*form_name(char *, int *, int *);
static void	 form_register(struct form *, char *, char *, size_t);
static int	 form_hex(int);
static size_t	 form_url_decode(char *, size_t);
static char	*form_mp_boundary(const char *, char **);
static int	 form_mp_line(const char **, const char *, const char **,
		    size_t *);
static int	 form_mp_is_delim(const char *, size_t, const char *, size_t,
		    int);
static void	 form_mp_append(char **, size_t *, size_t *, const char *,
		    size_t);
static char	*form_mp_word(const char **, char);
static char	*form_mp_word_conf(const char *);
static void	 form_mp_disposition(const char *, char **, char **);
static int	 form_json_too_deep(json_t *, int);
static char	*form_php_double(double);
static int	 form_trim_char(char);

void
form_init(struct form *f)
{
	f->v = nullptr;
	f->n = 0;
}

void
form_free(struct form *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	form_init(f);
}

/*
 * Append a parameter, taking ownership of name and value. The capacity is
 * implied by n (FORM_MIN_ALLOC, then the next power of two), so the array
 * doubles when n reaches one and appending stays linear overall.
 */
static void
form_add(struct form *f, char *name, char *value, size_t valuelen,
    int is_array)
{
	struct form_param	*p;

	if (f->n == 0)
		f->v = XREALLOCARRAY(f->v, FORM_MIN_ALLOC, struct form_param);
	else if (f->n >= FORM_MIN_ALLOC && (f->n & (f->n - 1)) == 0)
		f->v = XREALLOCARRAY(f->v, f->n * 2, struct form_param);
	p = &f->v[f->n++];
	p->name = name;
	p->value = value;
	p->valuelen = valuelen;
	p->is_array = is_array;
}

/* Drop every parameter called name, as PHP unsets a too deep variable. */
static void
form_remove(struct form *f, const char *name)
{
	size_t	 i, j;

	for (i = j = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name) == 0) {
			free(f->v[i].name);
			free(f->v[i].value);
			continue;
		}
		f->v[j++] = f->v[i];
	}
	f->n = j;
}

/*
 * Turn a decoded variable name into the name PHP registers, in place
 * (php_register_variable_ex): the name ends at a NUL byte, leading spaces
 * go, ' ' and '.' become '_', and "name[...]" is an array stored under
 * "name". A '[' without a ']' is no array: it and any later ' ', '.' or '['
 * become '_'. Returns nullptr (name freed) when nothing is left.
 */
static char *
form_name(char *name, int *is_array, int *too_deep)
{
	char	*p, *q;
	int	 level;

	*is_array = 0;
	*too_deep = 0;
	for (p = name; *p == ' '; p++)
		;
	memmove(name, p, strlen(p) + 1);
	for (p = name; *p != '\0' && *p != '['; p++) {
		if (*p == ' ' || *p == '.')
			*p = '_';
	}
	if (p == name) {
		free(name);
		return nullptr;
	}
	if (*p == '\0')
		return name;

	/* Count the levels "[a][b]..." as PHP walks them. */
	level = 0;
	q = p;
	while (q != nullptr && *q == '[') {
		if (++level > FORM_MAX_NESTING) {
			*too_deep = 1;
			break;
		}
		if ((q = strchr(q + 1, ']')) != nullptr)
			q++;
	}
	if (!*too_deep && level == 1 && q == nullptr) {
		for (*p++ = '_'; *p != '\0'; p++) {
			if (*p == ' ' || *p == '.' || *p == '[')
				*p = '_';
		}
		return name;
	}
	*p = '\0';
	*is_array = 1;
	return name;
}

/* Register a raw variable as PHP does; takes ownership of name and value. */
static void
form_register(struct form *f, char *name, char *value, size_t valuelen)
{
	int	 is_array, too_deep;

	if ((name = form_name(name, &is_array, &too_deep)) == nullptr) {
		free(value);
		return;
	}
	if (too_deep) {
		form_remove(f, name);
		free(name);
		free(value);
		return;
	}
	if (is_array) {
		/* The array's members are of no use: keep an empty value. */
		value[0] = '\0';
		valuelen = 0;
	}
	form_add(f, name, value, valuelen, is_array);
}

static int
form_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* php_url_decode(): '+' is a space, a bad %-escape stays as it is. */
static size_t
form_url_decode(char *s, size_t len)
{
	size_t	 i, j;
	int	 hi, lo;

	for (i = j = 0; i < len; i++, j++) {
		if (s[i] == '+')
			s[j] = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    (hi = form_hex((unsigned char)s[i + 1])) != -1 &&
		    (lo = form_hex((unsigned char)s[i + 2])) != -1) {
			s[j] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[j] = s[i];
	}
	s[j] = '\0';
	return j;
}

int
form_parse_urlencoded(struct form *f, const char *body, size_t len,
    char **cause)
{
	const char	*p, *end, *amp, *eq, *val;
	char		*name, *value;
	size_t		 namelen, valuelen, count;

	(void)cause;	/* PHP takes any byte string */
	p = body;
	end = body + len;
	count = 0;
	while (p < end) {
		if ((amp = (const char *)memchr(p, '&', end - p)) == nullptr)
			amp = end;
		if ((eq = (const char *)memchr(p, '=', amp - p)) != nullptr) {
			namelen = eq - p;
			val = eq + 1;
		} else {
			namelen = amp - p;
			val = amp;
		}
		valuelen = amp - val;

		name = (char *)xmalloc(namelen + 1);
		memcpy(name, p, namelen);
		form_url_decode(name, namelen);
		value = (char *)xmalloc(valuelen + 1);
		memcpy(value, val, valuelen);
		valuelen = form_url_decode(value, valuelen);
		form_register(f, name, value, valuelen);

		p = amp < end ? amp + 1 : end;
		/* PHP counts empty pieces too, and stops after the 1001st. */
		if (++count > FORM_MAX_INPUT_VARS)
			break;
	}
	return 0;
}

/*
 * The boundary from a Content-Type value, found as rfc1867.c does: the
 * first "boundary" (any case), then '=', then a quoted string or everything
 * up to ',' or ';'.
 */
static char *
form_mp_boundary(const char *ct, char **cause)
{
	const char	*b, *e;
	size_t		 len;

	if ((b = strstr(ct, "boundary")) == nullptr)
		b = strcasestr(ct, "boundary");
	if (b == nullptr || (b = strchr(b, '=')) == nullptr) {
		*cause = xstrdup("multipart body without a boundary");
		return nullptr;
	}
	b++;
	if (*b == '"') {
		b++;
		if ((e = strchr(b, '"')) == nullptr) {
			*cause = xstrdup("multipart boundary quote not closed");
			return nullptr;
		}
		len = e - b;
	} else if ((e = strpbrk(b, ",;")) != nullptr)
		len = e - b;
	else
		len = strlen(b);
	if (len == 0) {
		*cause = xstrdup("multipart boundary is empty");
		return nullptr;
	}
	return xstrndup(b, len);
}

/*
 * The next line at *pp, without its LF or CRLF; a last line without LF
 * counts too. Returns 0 at the end of the body.
 */
static int
form_mp_line(const char **pp, const char *end, const char **line,
    size_t *linelen)
{
	const char	*p = *pp, *lf;

	if (p >= end)
		return 0;
	*line = p;
	if ((lf = (const char *)memchr(p, '\n', end - p)) == nullptr) {
		*linelen = end - p;
		*pp = end;
		return 1;
	}
	*linelen = lf - p;
	if (*linelen > 0 && p[*linelen - 1] == '\r')
		(*linelen)--;
	*pp = lf + 1;
	return 1;
}

/* Whether a line is exactly "--boundary", or "--boundary--" if close. */
static int
form_mp_is_delim(const char *line, size_t linelen, const char *delim,
    size_t delimlen, int close)
{
	linelen = strnlen(line, linelen);	/* PHP uses strcmp() */
	if (linelen != delimlen + (close ? 2 : 0))
		return 0;
	if (memcmp(line, delim, delimlen) != 0)
		return 0;
	return !close || memcmp(line + delimlen, "--", 2) == 0;
}

/*
 * Append to a header value, NUL-terminated; the buffer doubles, so a
 * header folded over many lines costs linear time.
 */
static void
form_mp_append(char **buf, size_t *len, size_t *size, const char *s,
    size_t n)
{
	if (*buf == nullptr || *len + n + 1 > *size) {
		*size = *len + n + 1 > 2 * *size ? *len + n + 1 : 2 * *size;
		*buf = XREALLOCARRAY(*buf, *size, char);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* php_ap_getword(): up to stop, skipping quoted strings. */
static char *
form_mp_word(const char **line, char stop)
{
	const char	*pos = *line;
	char		 quote, *res;

	while (*pos != '\0' && *pos != stop) {
		if ((quote = *pos) == '"' || quote == '\'') {
			++pos;
			while (*pos != '\0' && *pos != quote) {
				if (pos[0] == '\\' && pos[1] == quote)
					pos += 2;
				else
					++pos;
			}
			if (*pos != '\0')
				++pos;
		} else
			++pos;
	}
	if (*pos == '\0') {
		res = xstrdup(*line);
		*line += strlen(*line);
		return res;
	}
	res = xstrndup(*line, pos - *line);
	while (*pos == stop)
		++pos;
	*line = pos;
	return res;
}

/* php_ap_getword_conf(): a quoted string with \-escapes, or a bare word. */
static char *
form_mp_word_conf(const char *str)
{
	const char	*end;
	char		*res, *r, quote = '\0';

	while (isspace((unsigned char)*str))
		str++;
	if (*str == '"' || *str == '\'')
		quote = *str++;
	if (quote != '\0')
		end = str + strlen(str);
	else {
		for (end = str; *end != '\0' && !isspace((unsigned char)*end);
		    end++)
			;
	}
	res = r = (char *)xmalloc(end - str + 1);
	for (; str < end && *str != quote; str++) {
		if (str[0] == '\\' &&
		    (str[1] == '\\' || (quote != '\0' && str[1] == quote)))
			str++;
		*r++ = *str;
	}
	*r = '\0';
	return res;
}

/* The name and filename parameters of a Content-Disposition value. */
static void
form_mp_disposition(const char *cd, char **name, char **filename)
{
	const char	*pp;
	char		*pair, *key, **dst;

	*name = *filename = nullptr;
	while (isspace((unsigned char)*cd))
		cd++;
	while (*cd != '\0') {
		pair = form_mp_word(&cd, ';');
		while (isspace((unsigned char)*cd))
			cd++;
		if (strchr(pair, '=') != nullptr) {
			pp = pair;
			key = form_mp_word(&pp, '=');
			dst = nullptr;
			if (strcasecmp(key, "name") == 0)
				dst = name;
			else if (strcasecmp(key, "filename") == 0)
				dst = filename;
			if (dst != nullptr) {
				free(*dst);
				*dst = form_mp_word_conf(pp);
			}
			free(key);
		}
		free(pair);
	}
}

/*
 * PHP's rfc1867.c, stricter where PHP silently takes what it got: a body
 * that is cut short (no opening delimiter, headers or a part not ended, no
 * closing delimiter) is an error rather than a truncated value. Parameters
 * parsed before an error stay in the form.
 */
int
form_parse_multipart(struct form *f, const char *content_type,
    const char *body, size_t len, char **cause)
{
	const char	*p, *end, *line, *bound, *colon;
	char		*boundary = nullptr, *delim = nullptr;
	char		*next = nullptr;
	char		*cd = nullptr, *name = nullptr, *filename = nullptr;
	char		*value;
	size_t		 delimlen, nextlen, linelen, valuelen, count;
	size_t		 cdlen = 0, cdsize = 0;
	int		 ret = -1, headers_done, in_cd, seen_header, closed;

	if ((boundary = form_mp_boundary(content_type, cause)) == nullptr)
		goto done;
	delimlen = xasprintf(&delim, "--%s", boundary);
	nextlen = xasprintf(&next, "\n--%s", boundary);
	p = body;
	end = body + len;
	count = 0;

	/* Skip the preamble. */
	for (;;) {
		if (!form_mp_line(&p, end, &line, &linelen)) {
			*cause = xstrdup("multipart body without an opening "
			    "boundary");
			goto done;
		}
		if (form_mp_is_delim(line, linelen, delim, delimlen, 0))
			break;
	}

	for (;;) {
		/*
		 * Headers up to an empty line. Only the first
		 * Content-Disposition matters; a line that starts with a space
		 * or has no ':' continues the header before it.
		 */
		headers_done = in_cd = seen_header = 0;
		while (form_mp_line(&p, end, &line, &linelen)) {
			/* PHP reads lines as C strings. */
			if ((linelen = strnlen(line, linelen)) == 0) {
				headers_done = 1;
				break;
			}
			colon = nullptr;
			if (!isspace((unsigned char)line[0]))
				colon = (const char *)memchr(line, ':',
				    linelen);
			if (colon != nullptr) {
				seen_header = 1;
				in_cd = 0;
				if (cd == nullptr &&
				    (size_t)(colon - line) ==
				    strlen("Content-Disposition") &&
				    strncasecmp(line, "Content-Disposition",
				    colon - line) == 0) {
					do
						colon++;
					while (colon < line + linelen &&
					    isspace((unsigned char)*colon));
					cdlen = cdsize = 0;
					form_mp_append(&cd, &cdlen, &cdsize,
					    colon, line + linelen - colon);
					in_cd = 1;
				}
			} else if (seen_header && in_cd)
				form_mp_append(&cd, &cdlen, &cdsize, line,
				    linelen);
		}
		if (!headers_done) {
			*cause = xstrdup("multipart part headers not ended");
			goto done;
		}

		/* The body ends at the CRLF (or LF) before a delimiter. */
		bound = (const char *)memmem(p, end - p, next, nextlen);
		if (bound == nullptr) {
			*cause = xstrdup("multipart part not ended by a "
			    "boundary");
			goto done;
		}
		valuelen = bound - p;
		if (valuelen > 0 && p[valuelen - 1] == '\r')
			valuelen--;

		if (cd != nullptr) {
			form_mp_disposition(cd, &name, &filename);
			if (name == nullptr && filename == nullptr) {
				*cause = xstrdup("multipart part without a "
				    "name");
				goto done;
			}
			/* PHP counts the variables it registers. */
			if (filename == nullptr &&
			    ++count <= FORM_MAX_INPUT_VARS) {
				value = (char *)xmalloc(valuelen + 1);
				memcpy(value, p, valuelen);
				value[valuelen] = '\0';
				form_register(f, name, value, valuelen);
				name = nullptr;
			}
			free(name);
			free(filename);
			name = filename = nullptr;
			free(cd);
			cd = nullptr;
		}

		/*
		 * Find the next "--boundary" line. Like PHP, look past a
		 * closing delimiter too: the body ends when none is left.
		 */
		p = bound;
		closed = 0;
		for (;;) {
			if (!form_mp_line(&p, end, &line, &linelen)) {
				if (!closed) {
					*cause = xstrdup("multipart body "
					    "without a closing boundary");
					goto done;
				}
				ret = 0;
				goto done;
			}
			if (form_mp_is_delim(line, linelen, delim, delimlen, 0))
				break;
			if (form_mp_is_delim(line, linelen, delim, delimlen, 1))
				closed = 1;
		}
	}

done:
	free(name);
	free(filename);
	free(cd);
	free(next);
	free(delim);
	free(boundary);
	return ret;
}

/* Whether a JSON value nests deeper than PHP's json_decode() accepts. */
static int
form_json_too_deep(json_t *v, int depth)
{
	json_t		*e;
	const char	*key;
	size_t		 i;

	if (!json_is_array(v) && !json_is_object(v))
		return 0;
	if (++depth > FORM_JSON_MAX_DEPTH)
		return 1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (form_json_too_deep(e, depth))
				return 1;
		}
	} else {
		json_object_foreach(v, key, e) {
			if (form_json_too_deep(e, depth))
				return 1;
		}
	}
	return 0;
}

/*
 * A float as PHP's string conversion writes it (zend_gcvt() with
 * precision 14): at most 14 significant digits, no trailing zeros, and
 * "1.0E+25" style when the exponent is below -4 or at least 14.
 */
static char *
form_php_double(double d)
{
	char	 tmp[64], digits[FORM_PHP_PRECISION + 1], buf[64], *e;
	int	 decpt, ndigits, i, n;
	size_t	 o;

	/*
	 * "d.ddddddddddddde+XX": the digits, correctly rounded. jansson's
	 * reals are finite, so there is no INF or NAN to spell.
	 */
	snprintf(tmp, sizeof tmp, "%.*e", FORM_PHP_PRECISION - 1, fabs(d));
	e = strchr(tmp, 'e');
	decpt = atoi(e + 1) + 1;
	digits[0] = tmp[0];
	for (i = 1; i < FORM_PHP_PRECISION; i++)
		digits[i] = tmp[i + 1];
	for (ndigits = FORM_PHP_PRECISION; ndigits > 1; ndigits--) {
		if (digits[ndigits - 1] != '0')
			break;
	}
	digits[ndigits] = '\0';

	o = 0;
	if (signbit(d))
		buf[o++] = '-';
	if (decpt < 0 ? decpt < -3 : decpt > FORM_PHP_PRECISION) {
		buf[o++] = digits[0];
		buf[o++] = '.';
		if (ndigits == 1)
			buf[o++] = '0';
		for (i = 1; i < ndigits; i++)
			buf[o++] = digits[i];
		n = decpt - 1;
		snprintf(buf + o, sizeof buf - o, "E%c%d", n < 0 ? '-' : '+',
		    n < 0 ? -n : n);
		return xstrdup(buf);
	}
	if (decpt <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = decpt; i < 0; i++)
			buf[o++] = '0';
		for (i = 0; i < ndigits; i++)
			buf[o++] = digits[i];
	} else {
		for (i = 0; i < decpt; i++)
			buf[o++] = i < ndigits ? digits[i] : '0';
		if (ndigits > decpt) {
			buf[o++] = '.';
			for (i = decpt; i < ndigits; i++)
				buf[o++] = digits[i];
		}
	}
	buf[o] = '\0';
	return xstrdup(buf);
}

/*
 * json_decode($body, true) and the trim() that Hestia applies to each
 * value. A duplicate key keeps its last value in jansson as in PHP.
 */
int
form_parse_json(struct form *f, const char *body, size_t len)
{
	json_t		*root, *v;
	json_error_t	 error;
	const char	*key;
	char		*value;
	size_t		 valuelen;
	int		 ret = 1, is_array;

	root = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
	if (root == nullptr)
		goto done;
	if (!json_is_object(root) || json_object_size(root) == 0)
		goto done;
	if (form_json_too_deep(root, 0))
		goto done;

	json_object_foreach(root, key, v) {
		is_array = 0;
		switch (json_typeof(v)) {
		case JSON_NULL:
			continue;	/* isset() is false */
		case JSON_STRING:
			valuelen = json_string_length(v);
			value = (char *)xmalloc(valuelen + 1);
			memcpy(value, json_string_value(v), valuelen);
			value[valuelen] = '\0';
			break;
		case JSON_INTEGER:
			valuelen = xasprintf(&value, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			break;
		case JSON_REAL:
			value = form_php_double(json_real_value(v));
			valuelen = strlen(value);
			break;
		case JSON_TRUE:
			value = xstrdup("1");
			valuelen = 1;
			break;
		case JSON_FALSE:
			value = xstrdup("");
			valuelen = 0;
			break;
		default:
			/* Array or object: trim() would throw a TypeError. */
			value = xstrdup("");
			valuelen = 0;
			is_array = 1;
			break;
		}
		form_add(f, xstrdup(key), value, valuelen, is_array);
	}
	ret = 0;

done:
	json_decref(root);
	return ret;
}

/* The last parameter called name, as PHP's last value wins. */
const struct form_param *
form_get(const struct form *f, const char *name)
{
	size_t	 i;

	for (i = f->n; i > 0; i--) {
		if (strcmp(f->v[i - 1].name, name) == 0)
			return &f->v[i - 1];
	}
	return nullptr;
}

/* Whether PHP's trim() strips c by default. */
static int
form_trim_char(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '\0':
	case '\x0B':
		return 1;
	default:
		return 0;
	}
}

/* PHP's trim() with its default character list, on a binary value. */
void
form_trim(struct form_param *p)
{
	size_t	 start, end;

	start = 0;
	end = p->valuelen;
	while (start < end && form_trim_char(p->value[start]))
		start++;
	while (end > start && form_trim_char(p->value[end - 1]))
		end--;
	memmove(p->value, p->value + start, end - start);
	p->valuelen = end - start;
	p->value[p->valuelen] = '\0';
}
