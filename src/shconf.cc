/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shell-style KEY='value' lines, as hestia.conf and Hestia's data use. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "priv.h"
#include "shconf.h"

int
shconf_parse_line(char *line, char **key, char **value, const char **why)
{
	char	*p = line, *k, *v, *end;
	char	 q;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
		return 0;
	if (strncmp(p, "export ", 7) == 0)
		p += 7;
	k = p;
	if (!isalpha((unsigned char)*p) && *p != '_') {
		*why = "not a KEY=value line";
		return -1;
	}
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '=') {
		*why = "not a KEY=value line";
		return -1;
	}
	*p++ = '\0';
	if (*p == '\'' || *p == '"') {
		q = *p++;
		v = p;
		if ((end = strchr(p, q)) == nullptr) {
			*why = "unterminated quote";
			return -1;
		}
		*end = '\0';
		p = end + 1;
	} else {
		/* As sh: the word ends at blank space; "#" starts a comment
		 * only after a blank, so K=a#b is "a#b". */
		v = p;
		while (*p != '\0' && *p != '\n' && *p != '\r' && *p != ' ' &&
		    *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '\0' && *p != '#') {
		*why = "trailing text after the value";
		return -1;
	}
	*key = k;
	*value = v;
	return 1;
}

int
shconf_read(const char *path, shconf_cb cb, void *arg, char **cause)
{
	FILE	*f;
	int	 rv;

	if ((f = fopen(path, "r")) == nullptr) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	rv = shconf_read_file(f, path, cb, arg, cause);
	fclose(f);
	return rv;
}

int
shconf_read_file(FILE *f, const char *path, shconf_cb cb, void *arg,
    char **cause)
{
	char		*line = nullptr, *key, *value;
	const char	*why;
	size_t		 sz = 0;
	ssize_t		 len;
	int		 lineno = 0, rv = -1, r;

	while ((len = getline(&line, &sz, f)) != -1) {
		lineno++;
		if (memchr(line, '\0', len) != nullptr) {
			xasprintf(cause, "%s:%d: NUL byte", path, lineno);
			goto done;
		}
		r = shconf_parse_line(line, &key, &value, &why);
		if (r == -1) {
			xasprintf(cause, "%s:%d: %s", path, lineno, why);
			goto done;
		}
		if (r == 1 && cb(key, value, lineno, arg, cause) == -1)
			goto done;
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto done;
	}
	rv = 0;
done:
	free(line);
	return rv;
}

/*
 * Hestia's own files (hestia.conf, user.conf) are read by bash twice:
 * v-list-sys-config, which the PHP API asks, runs `source FILE` and then
 * Hestia's source_conf, a `while IFS='= ' read -r lhs rhs` loop that
 * strips quotes by pattern. So a key's value is source_conf's when any
 * line gave it one, else what bash's `source` left. Both are reproduced
 * here, quirks included; they are not the same reading (API="yes" is
 * "yes" to bash and "\"yes\"" to source_conf; a line A='1' B='2' sets B
 * for bash only). A line that bash would do more with than assign (an
 * expansion, a command, a quote left open) cannot be evaluated here: a
 * wanted key such a line may set is marked uncertain, and the caller
 * fails closed for it.
 */

#define SHCONF_MAX_FILE		(1 << 20)	/* larger: refused */

/* Names that source_conf will not assign (func/main.sh). */
static const char *const shconf_reserved[] = {
	"PATH", "IFS", "CDPATH", "ENV", "BASH_ENV", "PS1", "PS2", "PS3", "PS4",
	"PROMPT_COMMAND", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
	"TMPDIR", "SHELLOPTS", "BASHOPTS", "BASH_XTRACEFD", "GLOBIGNORE",
	"FIGNORE", "HISTFILE", "HESTIA", "BIN", "HOMEDIR", "BACKUP",
	"USER_DATA", "WEBTPL", "MAILTPL", "DNSTPL", "RRD", "SENDMAIL",
	"HESTIA_INSTALL_DIR", "HESTIA_COMMON_DIR", "HESTIA_BACKUP",
	"HESTIA_PHP", "HESTIA_GIT_REPO", "HESTIA_THEMES",
	"HESTIA_THEMES_CUSTOM", "SCRIPT", "CHECK_RESULT_CALLBACK", "user",
	"OK", "E_ARGS", "E_INVALID", "E_NOTEXIST", "E_EXISTS", "E_SUSPENDED",
	"E_UNSUSPENDED", "E_INUSE", "E_LIMIT", "E_PASSWORD", "E_FORBIDEN",
	"E_DISABLED", "E_PARSING", "E_DISK", "E_LA", "E_CONNECT", "E_FTP",
	"E_DB", "E_RRD", "E_UPDATE", "E_RESTART",
};

static int
shconf_is_name(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	}
	return 1;
}

/* Where a word of `read` ends: at a space or "=", IFS='= '. */
static size_t
shconf_ifs_word(const char *s, size_t len)
{
	size_t	 i = 0;

	while (i < len && s[i] != ' ' && s[i] != '=')
		i++;
	return i;
}

/* After a word of `read`: blanks, at most one "=", blanks. */
static size_t
shconf_ifs_sep(const char *s, size_t len)
{
	size_t	 i = 0;

	while (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == '=')
		i++;
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* Remove the shortest (longest) suffix or prefix that a bash pattern of
 * source_conf matches; b is the value, in place. */
static void
shconf_cut_from(char *b, const char *needle, int last)
{
	char	*p = nullptr, *q = b;

	while ((q = strstr(q, needle)) != nullptr) {
		p = q;
		if (!last)
			break;
		q++;
	}
	if (p != nullptr)
		*p = '\0';
}

/* A copy of len bytes without their NUL bytes, which bash drops. */
static char *
shconf_strip_nul(const char *s, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 i, n = 0;

	out = (char *)xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '\0')
			out[n++] = s[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* source_conf on a line without NUL bytes. */
static int
shconf_source_conf_split(const char *line, size_t len, char **key,
    char **value)
{
	const char	*rest;
	char		*v, *w, *p;
	size_t		 i = 0, n, word, rlen;

	*key = *value = nullptr;
	/* read -r lhs rhs: leading blanks, the first word, its separator. */
	while (i < len && line[i] == ' ')
		i++;
	n = shconf_ifs_word(line + i, len - i);
	if (!shconf_is_name(line + i, n))
		return 0;
	for (size_t r = 0; r < nitems(shconf_reserved); r++) {
		if (strlen(shconf_reserved[r]) == n &&
		    memcmp(shconf_reserved[r], line + i, n) == 0)
			return 0;
	}
	*key = xstrndup(line + i, n);
	i += n;
	i += shconf_ifs_sep(line + i, len - i);
	rest = line + i;
	rlen = len - i;
	/* The last variable: one word and a separator is that word alone,
	 * else the rest less its trailing blanks. */
	word = shconf_ifs_word(rest, rlen);
	if (word + shconf_ifs_sep(rest + word, rlen - word) == rlen)
		rlen = word;
	else {
		while (rlen > 0 && rest[rlen - 1] == ' ')
			rlen--;
	}
	/* rhs="${rhs//[[:cntrl:]]/}" */
	v = (char *)xmalloc(rlen + 1);
	for (w = v, i = 0; i < rlen; i++) {
		if (!iscntrl((unsigned char)rest[i]))
			*w++ = rest[i];
	}
	*w = '\0';
	/* rhs="${rhs%%^\#*}": from the first "^#" */
	shconf_cut_from(v, "^#", 0);
	/* rhs="${rhs%%*( )}" without extglob: all of it, when it ends in
	 * the three characters "( )" */
	n = strlen(v);
	if (n >= 3 && strcmp(v + n - 3, "( )") == 0)
		v[0] = '\0';
	/* rhs="${rhs%\'*}", then rhs="${rhs#\'*}" */
	shconf_cut_from(v, "'", 1);
	if (v[0] == '\'')
		memmove(v, v + 1, strlen(v));
	/* rhs="${rhs##*( )}": up to the last "( )"; then %%*( ) again */
	if ((p = strstr(v, "( )")) != nullptr) {
		while (strstr(p + 1, "( )") != nullptr)
			p = strstr(p + 1, "( )");
		memmove(v, p + 3, strlen(p + 3) + 1);
	}
	n = strlen(v);
	if (n >= 3 && strcmp(v + n - 3, "( )") == 0)
		v[0] = '\0';
	*value = v;
	return 1;
}

int
shconf_source_conf_line(const char *line, size_t len, char **key,
    char **value)
{
	char	*copy;
	size_t	 n;
	int	 r;

	/* read drops NUL bytes before it splits: "AP\0I=1" assigns API. */
	if (memchr(line, '\0', len) == nullptr)
		return shconf_source_conf_split(line, len, key, value);
	copy = shconf_strip_nul(line, len, &n);
	r = shconf_source_conf_split(copy, n, key, value);
	explicit_bzero(copy, n);
	free(copy);
	return r;
}

/* One assignment's value word, as bash expands it when it is plain: into
 * out (of at least len + 1 bytes); returns the bytes used, -1 for an
 * expansion or a metacharacter, -2 for a quote left open. */
static ssize_t
shconf_bash_word(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t	 i = 0, o = 0;
	char	 q;

	while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != ';') {
		switch (s[i]) {
		case '\'':
		case '"':
			q = s[i++];
			for (;;) {
				if (i == len)
					return -2;
				if (s[i] == q)
					break;
				if (q == '"' && (s[i] == '$' || s[i] == '`'))
					return -1;
				if (q == '"' && s[i] == '\\' && i + 1 < len &&
				    strchr("$`\"\\", s[i + 1]) != nullptr)
					i++;
				out[o++] = s[i++];
			}
			i++;
			break;
		case '\\':
			if (i + 1 == len)
				return -1;	/* a continued line */
			out[o++] = s[i + 1];
			i += 2;
			break;
		case '$': case '`': case '&': case '|': case '<': case '>':
		case '(': case ')':
			return -1;
		case '~':
			if (i == 0)
				return -1;	/* tilde expansion */
			out[o++] = s[i++];
			break;
		default:
			out[o++] = s[i++];
			break;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return (ssize_t)i;
}

/* The assignments of one simple command, kept until we know that no
 * command word follows them (then they were its environment only). */
struct shconf_pending {
	char	*buf;		/* "name\0value\0" pairs */
	size_t	 len;
};

static void
shconf_pending_commit(struct shconf_pending *pd,
    void (*cb)(const char *, const char *, void *), void *arg)
{
	const char	*p = pd->buf, *end = pd->buf + pd->len;

	while (p < end) {
		cb(p, p + strlen(p) + 1, arg);
		p += strlen(p) + 1;
		p += strlen(p) + 1;
	}
	pd->len = 0;
}

/* One line as bash's `source` runs it, when it only assigns: cb for each
 * assignment in order. 1 done, 0 blank or comment, -1 not plain, -2 a
 * quote left open (bash would read on into the next lines). */
static int
shconf_bash_line(const char *line, size_t len,
    void (*cb)(const char *, const char *, void *), void *arg)
{
	struct shconf_pending	 pd;
	size_t			 i = 0, n, vlen;
	ssize_t			 used;
	int			 rv = 0;

	/* Names and values are no longer than the line. */
	pd.buf = (char *)xmalloc(2 * len + 2);
	pd.len = 0;
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		/* ";" ends a command; an empty one (";;", "; ;") is a
		 * syntax error, which ends bash's source there. */
		if (i < len && line[i] == ';' && pd.len > 0) {
			shconf_pending_commit(&pd, cb, arg);
			i++;
			continue;
		}
		if (i == len || line[i] == '#') {
			shconf_pending_commit(&pd, cb, arg);
			break;
		}
		n = 0;
		while (i + n < len && (isalnum((unsigned char)line[i + n]) ||
		    line[i + n] == '_'))
			n++;
		if (!shconf_is_name(line + i, n) || i + n == len ||
		    line[i + n] != '=') {
			rv = -1;	/* a command, or its environment */
			break;
		}
		memcpy(pd.buf + pd.len, line + i, n);
		pd.buf[pd.len + n] = '\0';
		i += n + 1;
		used = shconf_bash_word(line + i, len - i,
		    pd.buf + pd.len + n + 1, &vlen);
		if (used < 0) {
			rv = (int)used;
			break;
		}
		pd.len += n + 1 + vlen + 1;
		i += used;
		rv = 1;
	}
	free(pd.buf);
	return rv;
}

/* Whether name appears on the line as a word of its own. */
static int
shconf_mentions(const char *line, size_t len, const char *name)
{
	size_t	 n = strlen(name), i;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(line + i, name, n) != 0)
			continue;
		if ((i == 0 || !(isalnum((unsigned char)line[i - 1]) ||
		    line[i - 1] == '_')) && (i + n == len ||
		    !(isalnum((unsigned char)line[i + n]) ||
		    line[i + n] == '_')))
			return 1;
	}
	return 0;
}

struct shconf_read_ctx {
	struct shconf_var	*vars;
	size_t			 nvars;
	char			**bash;		/* bash's value of each var */
};

static void
shconf_bash_cb(const char *name, const char *value, void *arg)
{
	struct shconf_read_ctx	*ctx = (struct shconf_read_ctx *)arg;
	size_t			 i;

	for (i = 0; i < ctx->nvars; i++) {
		if (strcmp(ctx->vars[i].name, name) == 0) {
			free(ctx->bash[i]);
			ctx->bash[i] = xstrdup(value);
		}
	}
}

/* The whole file, or -1 (missing, unreadable, a directory, too large). */
static char *
shconf_slurp(const char *path, size_t *len, char **cause)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = priv_fopen(path)) == nullptr) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return nullptr;
	}
	buf = (char *)xmalloc(SHCONF_MAX_FILE + 1);
	n = fread(buf, 1, SHCONF_MAX_FILE + 1, f);
	if (ferror(f) || n > SHCONF_MAX_FILE) {
		xasprintf(cause, "%s: %s", path, ferror(f) ? strerror(errno) :
		    "larger than 1 MiB");
		fclose(f);
		free(buf);
		return nullptr;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Nothing read yet: what an unreadable file leaves too. */
static void
shconf_vars_init(struct shconf_var *vars, size_t nvars)
{
	size_t	 i;

	for (i = 0; i < nvars; i++) {
		vars[i].value = vars[i].bash = nullptr;
		vars[i].bash_unknown = vars[i].uncertain = 0;
	}
}

int
shconf_hestia(const char *path, struct shconf_var *vars, size_t nvars,
    char **cause)
{
	char	*buf;
	size_t	 len;

	shconf_vars_init(vars, nvars);
	if ((buf = shconf_slurp(path, &len, cause)) == nullptr)
		return -1;
	shconf_hestia_buf(buf, len, vars, nvars);
	explicit_bzero(buf, len);
	free(buf);
	return 0;
}

/* Both readings of bash, line by line, as the comment above says. */
void
shconf_hestia_buf(const char *buf, size_t len, struct shconf_var *vars,
    size_t nvars)
{
	struct shconf_read_ctx	 ctx;
	const char		*line, *nl, *end, *text;
	char			*key, *value, *copy;
	size_t			 llen, tlen, i;
	int			 r, lost = 0, nul;

	shconf_vars_init(vars, nvars);
	ctx.vars = vars;
	ctx.nvars = nvars;
	ctx.bash = XCALLOCARRAY(nvars + 1, char *);
	end = buf + len;
	for (line = buf; line < end; line = nl + 1) {
		if ((nl = (const char *)memchr(line, '\n', end - line)) ==
		    nullptr)
			nl = end;
		llen = nl - line;
		/* bash's source, until a line it would do more with than
		 * assign (a command, an expansion, a syntax error that ends
		 * the source, a quote that runs on into the next lines): we
		 * do not follow it from there, and a key named on that line
		 * or after it may be set by it. */
		r = -1;
		nul = memchr(line, '\0', llen) != nullptr;
		if (!lost && !nul)
			r = shconf_bash_line(line, llen, shconf_bash_cb, &ctx);
		if (r < 0)
			lost = 1;
		/* Names as bash sees them, without NUL bytes: "AP\0I". */
		copy = nullptr;
		text = line;
		tlen = llen;
		if (nul)
			text = copy = shconf_strip_nul(line, llen, &tlen);
		for (i = 0; lost && i < nvars; i++) {
			if (shconf_mentions(text, tlen, vars[i].name))
				vars[i].bash_unknown = 1;
		}
		if (copy != nullptr) {
			explicit_bzero(copy, tlen);
			free(copy);
		}
		/* source_conf's read loop drops a last line without "\n". */
		if (nl == end)
			break;
		if (shconf_source_conf_line(line, llen, &key, &value) == 1) {
			for (i = 0; i < nvars; i++) {
				if (strcmp(vars[i].name, key) != 0)
					continue;
				free(vars[i].value);
				vars[i].value = xstrdup(value);
			}
		}
		free(key);
		free(value);
	}
	/* source_conf's value wins; else bash's; else it is not set. */
	for (i = 0; i < nvars; i++) {
		vars[i].bash = ctx.bash[i];
		if (vars[i].value == nullptr) {
			vars[i].uncertain = vars[i].bash_unknown;
			if (ctx.bash[i] != nullptr)
				vars[i].value = xstrdup(ctx.bash[i]);
		}
	}
	free(ctx.bash);
}

int
shconf_contains(const char *path, const char *needle)
{
	char	*buf, *cause = nullptr;
	size_t	 len;
	int	 found;

	if ((buf = shconf_slurp(path, &len, &cause)) == nullptr) {
		free(cause);
		return -1;
	}
	found = memmem(buf, len, needle, strlen(needle)) != nullptr;
	free(buf);
	return found;
}

void
shconf_vars_free(struct shconf_var *vars, size_t nvars)
{
	size_t	 i;

	for (i = 0; i < nvars; i++) {
		free(vars[i].value);
		free(vars[i].bash);
		vars[i].value = vars[i].bash = nullptr;
	}
}
