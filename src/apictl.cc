/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hestia-apictl: manages what hestia-apid knows. A secret is shown once,
 * when it is made, and never stored, logged or shown again. */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "admin.h"
#include "apid.h"
#include "utf8.h"
#include "version.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "hconf.h"
#include "priv.h"
#include "hestia.h"
#include "hsync.h"
#include "key.h"
#include "shconf.h"
#include "strlist.h"

#define APICTL_AUDIT_LIMIT	50
#define APICTL_UTC		" UTC"	/* the label of every time shown */
#define APICTL_PREFIX_MIN	12	/* shortest lookup prefix accepted */

enum apictl_format { FMT_SHELL, FMT_PLAIN, FMT_JSON, FMT_CSV };

struct apictl {
	struct config		 conf;
	struct db		*db;
	enum apictl_format	 format;

	/* The verb's options and positional arguments. */
	const char		*perm;
	const char		*comment;
	const char		*expires;
	const char		*allow;
	const char		*role;
	const char		*commands;
	const char		*key;
	const char		*since;
	const char		*limit;
	int			 argc;
	char			**argv;
};

struct apictl_verb {
	const char	*noun;
	const char	*verb;		/* nullptr: the noun alone */
	const char	*opts;		/* letters of apictl_options */
	int		 minargs;
	int		 maxargs;
	const char	*usage;
	int		(*fn)(struct apictl *);
};

/* How a listing looks: its fields in order, and the field whose value
 * keys a JSON listing (dropped from each record when drop_id is set). */
struct apictl_view {
	const char *const	*fields;
	const char		*id;
	int			 drop_id;
	int			 table;		/* shell: a table, not blocks */
};

static const struct option apictl_options[] = {
	{ "perm",	required_argument,	nullptr, 'P' },
	{ "comment",	required_argument,	nullptr, 'c' },
	{ "expires",	required_argument,	nullptr, 'e' },
	{ "allow",	required_argument,	nullptr, 'a' },
	{ "format",	required_argument,	nullptr, 'F' },
	{ "role",	required_argument,	nullptr, 'r' },
	{ "commands",	required_argument,	nullptr, 'C' },
	{ "key",	required_argument,	nullptr, 'k' },
	{ "since",	required_argument,	nullptr, 's' },
	{ "limit",	required_argument,	nullptr, 'l' },
	{ "help",	no_argument,		nullptr, 'h' },
	{ nullptr,	0,			nullptr, 0 },
};

[[noreturn]] static void
apictl_die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

[[noreturn]] static void
apictl_die(int code, const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fprintf(stderr, "hestia-apictl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
apictl_open(struct apictl *ctl)
{
	char	*cause = nullptr;

	if ((ctl->db = db_open(ctl->conf.database, &cause)) == nullptr)
		apictl_die(E_DB, "%s", cause);
	/* Run as root, it must not leave the daemon's USER a database it
	 * cannot write. */
	priv_db_handover(ctl->conf.database, ctl->conf.user);
}

/* A database error: the command cannot go on. */
[[noreturn]] static void
apictl_die_db(struct apictl *ctl, char *cause)
{
	admin_rollback(ctl->db);
	apictl_die(E_DB, "%s", cause != nullptr ? cause : "database error");
}

static enum apictl_format
apictl_parse_format(const char *s)
{
	if (strcmp(s, "shell") == 0)
		return FMT_SHELL;
	if (strcmp(s, "plain") == 0)
		return FMT_PLAIN;
	if (strcmp(s, "json") == 0)
		return FMT_JSON;
	if (strcmp(s, "csv") == 0)
		return FMT_CSV;
	apictl_die(E_INVALID, "--format %s: expected plain, json, shell or "
	    "csv", s);
}

/* A command name as the daemon accepts it: ^[A-Za-z0-9_-]+$. */
static int
apictl_cmd_valid(const char *s)
{
	const char	*p;

	if (*s == '\0' || strlen(s) > NAME_MAX)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	}
	return 1;
}

static int
apictl_comment_valid(const char *s)
{
	const char	*p;

	if (strlen(s) > 256)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (iscntrl((unsigned char)*p))
			return 0;
	}
	return 1;
}

static int
apictl_hex_valid(const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
			return 0;
	}
	return 1;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" into *tm, refusing what no
 * calendar has (strptime takes 2027-02-30, which mktime makes March 2nd,
 * and 24:00:00): -1 then. */
static int
apictl_parse_date(const char *s, struct tm *tm)
{
	struct tm	 check;
	char		*end;

	memset(tm, 0, sizeof *tm);
	end = strptime(s, "%Y-%m-%d", tm);
	if (end != nullptr && *end == ' ')
		end = strptime(end + 1, "%H:%M:%S", tm);
	if (end == nullptr || *end != '\0')
		return -1;
	check = *tm;
	if (timegm(&check) == -1 || check.tm_year != tm->tm_year ||
	    check.tm_mon != tm->tm_mon || check.tm_mday != tm->tm_mday ||
	    check.tm_hour != tm->tm_hour || check.tm_min != tm->tm_min ||
	    check.tm_sec != tm->tm_sec)
		return -1;
	return 0;
}

/* "YYYY-MM-DD" (from 00:00 local time), "YYYY-MM-DD HH:MM:SS" or "+DAYS"
 * to a unix time; -1 when none of them. */
static int64_t
apictl_parse_expires(const char *s)
{
	struct tm	 tm;
	char		*end;
	long		 days;

	if (s[0] == '+') {
		errno = 0;
		days = strtol(s + 1, &end, 10);
		if (!isdigit((unsigned char)s[1]) || *end != '\0' ||
		    errno != 0 || days < 1 || days > 36500)
			return -1;
		return (int64_t)time(nullptr) + (int64_t)days * 86400;
	}
	if (apictl_parse_date(s, &tm) == -1)
		return -1;
	return (int64_t)timegm(&tm);
}

/* --since: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" (UTC, as the audit shows
 * times) or "-N" with s, m, h, d or w; out gets "YYYY-MM-DD HH:MM:SS". */
static int
apictl_parse_since(const char *s, char *out, size_t outlen)
{
	struct tm	 tm;
	char		*end;
	long		 n, unit;
	time_t		 t;

	if (s[0] == '-') {
		errno = 0;
		n = strtol(s + 1, &end, 10);
		if (!isdigit((unsigned char)s[1]) || errno != 0 || n < 0 ||
		    n > 100L * 366 * 86400 || end[0] == '\0' || end[1] != '\0')
			return -1;
		switch (*end) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return -1;
		}
		if (n > 100L * 366 * 86400 / unit)
			return -1;
		t = time(nullptr) - (time_t)(n * unit);
		gmtime_r(&t, &tm);
	} else if (apictl_parse_date(s, &tm) == -1)
		return -1;
	if (strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return -1;
	return 0;
}

/*
 * A unix time as text in fmt, "" for 0. Every time hestia-apictl shows or
 * takes is UTC, as the audit and the database's views are, and what it
 * shows says so (APICTL_UTC): a server's admins may sit in other zones.
 */
static json_t *
apictl_time(int64_t t, const char *fmt)
{
	char		 buf[64];
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t == 0 || gmtime_r(&tt, &tm) == nullptr ||
	    strftime(buf, sizeof buf, fmt, &tm) == 0)
		return json_string("");
	return json_string(buf);
}

/* Hestia's TIME and DATE fields of a record, from one unix time. */
static void
apictl_set_when(json_t *o, int64_t t)
{
	json_object_set_new(o, "TIME",
	    apictl_time(t, "%H:%M:%S" APICTL_UTC));
	json_object_set_new(o, "DATE", apictl_time(t, "%Y-%m-%d"));
}

static json_t *
apictl_list(const char *s)
{
	json_t	*a = json_array();
	char	**v;
	int	 n, i;

	v = strlist_split(s, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	strlist_free(v, n);
	return a;
}

/* Text as a terminal may show it: control characters (C0, DEL and C1),
 * backslashes and invalid UTF-8 as C escapes, so that a stored value can
 * neither move the cursor nor fake a line of its own. Allocated. */
static char *
apictl_visible(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;
	size_t			 n;

	/* At most four bytes out for one in. */
	o = out = (char *)xmalloc(4 * strlen(s) + 1);
	while (*p != '\0') {
		n = utf8_seq(p, strlen((const char *)p));
		if (n > 1 && !(p[0] == 0xc2 && p[1] < 0xa0)) {
			memcpy(o, p, n);	/* valid, and no C1 control */
			o += n;
			p += n;
			continue;
		}
		if (*p == '\\' || *p == '\n' || *p == '\t' || *p == '\r') {
			*o++ = '\\';
			*o++ = *p == '\\' ? '\\' : *p == '\n' ? 'n' :
			    *p == '\t' ? 't' : 'r';
		} else if (*p < 0x20 || *p >= 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
		p++;
	}
	*o = '\0';
	return out;
}

/* A value as text: strings through apictl_visible, arrays joined by
 * commas. */
static char *
apictl_value(json_t *v)
{
	json_t	*e;
	char	*s = nullptr, *t, *u;
	size_t	 i;

	if (v == nullptr || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return apictl_visible(json_string_value(v));
	if (json_is_integer(v)) {
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return s;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			t = apictl_value(e);
			xasprintf(&u, "%s%s%s", s != nullptr ? s : "",
			    s != nullptr ? "," : "", t);
			free(t);
			free(s);
			s = u;
		}
		return s != nullptr ? s : xstrdup("");
	}
	if ((t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == nullptr)
		return xstrdup("");
	s = xstrdup(t);
	free(t);
	return s;
}

static void
apictl_json_print(json_t *j)
{
	char	*s;

	/* ASCII only: no control character of a stored value reaches a
	 * terminal raw (jansson escapes C0, this C1 and the rest). */
	s = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	if (s == nullptr)
		apictl_die(E_ARGS, "json_dumps failed");
	printf("%s\n", s);
	free(s);
}

/* One CSV field, quoted when it needs to be. */
static void
apictl_csv(const char *s, int last)
{
	const char	*p;

	if (strpbrk(s, ",\"\n\r") == nullptr)
		fputs(s, stdout);
	else {
		putchar('"');
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

static void
apictl_print_json(const struct apictl_view *view, json_t *records, int one)
{
	json_t	*all, *rec, *copy;
	char	*id;
	size_t	 i;

	if (one) {
		if ((rec = json_array_get(records, 0)) != nullptr)
			apictl_json_print(rec);
		return;
	}
	all = json_object();
	json_array_foreach(records, i, rec) {
		id = apictl_value(json_object_get(rec, view->id));
		copy = json_copy(rec);
		if (view->drop_id)
			json_object_del(copy, view->id);
		json_object_set_new(all, id, copy);
		free(id);
	}
	apictl_json_print(all);
	json_decref(all);
}

/* Shell format, as a table: header, dashes, then aligned rows. */
static void
apictl_print_table(const struct apictl_view *view, json_t *records)
{
	json_t	*rec;
	char	**cells;
	size_t	 i, r, nf, nr, *width, len;

	for (nf = 0; view->fields[nf] != nullptr; nf++)
		;
	nr = json_array_size(records);
	cells = XCALLOCARRAY(nf * (nr + 1) + 1, char *);
	width = XCALLOCARRAY(nf, size_t);
	for (i = 0; i < nf; i++) {
		cells[i] = xstrdup(view->fields[i]);
		width[i] = strlen(cells[i]);
	}
	json_array_foreach(records, r, rec) {
		for (i = 0; i < nf; i++) {
			cells[(r + 1) * nf + i] =
			    apictl_value(json_object_get(rec, view->fields[i]));
			if ((len = strlen(cells[(r + 1) * nf + i])) > width[i])
				width[i] = len;
		}
	}
	for (r = 0; r < nr + 1; r++) {
		for (i = 0; i < nf; i++) {
			if (i == nf - 1)
				printf("%s\n", cells[r * nf + i]);
			else
				printf("%-*s  ", (int)width[i],
				    cells[r * nf + i]);
		}
		if (r != 0)
			continue;
		for (i = 0; i < nf; i++) {
			for (len = 0; len < strlen(view->fields[i]); len++)
				putchar('-');
			if (i == nf - 1)
				putchar('\n');
			else
				printf("%*s", (int)(width[i] + 2 -
				    strlen(view->fields[i])), "");
		}
	}
	for (i = 0; i < nf * (nr + 1); i++)
		free(cells[i]);
	free(cells);
	free(width);
}

/* Print records (a JSON array of objects) in the chosen format. With one,
 * a single record is shown on its own (JSON: the object, not a map). */
static void
apictl_print(struct apictl *ctl, const struct apictl_view *view,
    json_t *records, int one)
{
	json_t	*rec;
	char	*s, name[64];
	size_t	 i, r, width = 0;

	if (ctl->format == FMT_JSON) {
		apictl_print_json(view, records, one);
		return;
	}
	if (ctl->format == FMT_SHELL && view->table && !one) {
		apictl_print_table(view, records);
		return;
	}
	for (i = 0; view->fields[i] != nullptr; i++) {
		if (strlen(view->fields[i]) > width)
			width = strlen(view->fields[i]);
		if (ctl->format == FMT_CSV)
			apictl_csv(view->fields[i], view->fields[i + 1] ==
			    nullptr);
	}
	json_array_foreach(records, r, rec) {
		if (ctl->format == FMT_SHELL && r > 0)
			putchar('\n');
		for (i = 0; view->fields[i] != nullptr; i++) {
			s = apictl_value(json_object_get(rec,
			    view->fields[i]));
			switch (ctl->format) {
			case FMT_SHELL:
				snprintf(name, sizeof name, "%s:",
				    view->fields[i]);
				if (*s == '\0')
					printf("%s\n", name);
				else
					printf("%-*s %s\n", (int)width + 1,
					    name, s);
				break;
			case FMT_PLAIN:
				printf("%s%c", s, view->fields[i + 1] ==
				    nullptr ? '\n' : '\t');
				break;
			case FMT_CSV:
				apictl_csv(s, view->fields[i + 1] == nullptr);
				break;
			case FMT_JSON:
				break;
			}
			free(s);
		}
	}
}

/* Access keys. */

static const char *const apictl_key_fields[] = {
	"ACCESS_KEY_ID", "USER", "PERMISSIONS", "COMMENT", "TIME", "DATE",
	"EXPIRES", "STATE", "ALLOW", "LAST_USED", "LAST_IP", "USE_COUNT",
	"SOURCE", nullptr
};
static const char *const apictl_newkey_fields[] = {
	"ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "USER", "PERMISSIONS",
	"COMMENT", "TIME", "DATE", "EXPIRES", "STATE", "ALLOW", nullptr
};
static const struct apictl_view apictl_key_view = {
	apictl_key_fields, "ACCESS_KEY_ID", 0, 0
};
static const struct apictl_view apictl_newkey_view = {
	apictl_newkey_fields, "ACCESS_KEY_ID", 0, 0
};

struct apictl_keys {
	json_t		*records;
	const char	*secret;	/* of a new key, shown once */
};

/* A key as v-list-access-key shows it (Hestia's fields first), plus ours;
 * never a hash, and the secret only when the key was just made. */
static void
apictl_key_cb(const struct admin_key *k, void *arg)
{
	struct apictl_keys	*keys = (struct apictl_keys *)arg;
	json_t			*o = json_object();
	char			*n;

	json_object_set_new(o, "ACCESS_KEY_ID", json_string(k->id));
	if (keys->secret != nullptr)
		json_object_set_new(o, "SECRET_ACCESS_KEY",
		    json_string(keys->secret));
	json_object_set_new(o, "USER", json_string(k->user));
	json_object_set_new(o, "PERMISSIONS", apictl_list(k->perms));
	json_object_set_new(o, "COMMENT", json_string(k->comment));
	apictl_set_when(o, k->created_at);
	json_object_set_new(o, "EXPIRES", apictl_time(k->expires_at,
	    "%Y-%m-%d %H:%M:%S" APICTL_UTC));
	json_object_set_new(o, "STATE", json_string(k->state));
	json_object_set_new(o, "ALLOW", apictl_list(k->allow));
	if (keys->secret == nullptr) {
		json_object_set_new(o, "LAST_USED",
		    apictl_time(k->last_used_at,
		    "%Y-%m-%d %H:%M:%S" APICTL_UTC));
		json_object_set_new(o, "LAST_IP", json_string(k->last_ip));
		xasprintf(&n, "%lld", (long long)k->use_count);
		json_object_set_new(o, "USE_COUNT", json_string(n));
		free(n);
		json_object_set_new(o, "SOURCE", json_string(k->source));
	}
	json_array_append_new(keys->records, o);
}

/* Fetch keys (by user, by ID, or all) as records. */
static json_t *
apictl_keys_get(struct apictl *ctl, const char *user, const char *id,
    const char *secret)
{
	struct apictl_keys	 keys = { json_array(), secret };
	char			*cause = nullptr;

	if (admin_key_foreach(ctl->db, user, id, apictl_key_cb, &keys,
	    &cause) == -1)
		apictl_die_db(ctl, cause);
	return keys.records;
}

/* Check a key's permissions by Hestia's rules (is_key_permissions_format_
 * valid), extended to command names: each name is an existing set or, if
 * no set has that name, a command; admin sets only for ROOT_USER. */
static void
apictl_key_perms_check(struct apictl *ctl, const char *user,
    const char *root, char **perms, int nperms)
{
	char	*role, *cause = nullptr;
	int	 i, rv;

	for (i = 0; i < nperms; i++) {
		if ((rv = admin_perm_role(ctl->db, perms[i], &role,
		    &cause)) == -1)
			apictl_die_db(ctl, cause);
		if (rv == 0) {
			char	*path;

			/* As Hestia refuses a set it does not have: what is
			 * no set must be a command BIN_DIR has. */
			if (!apictl_cmd_valid(perms[i]) || (path =
			    cmd_resolve(&ctl->conf, perms[i])) == nullptr)
				apictl_die(E_INVALID, "--perm %s: no permission "
				    "set and no command in %s has that name "
				    "(hestia-apictl perm list shows the sets)",
				    perms[i], ctl->conf.bin_dir);
			free(path);
			continue;
		}
		if (strcmp(role, "admin") == 0 && strcmp(user, root) != 0)
			apictl_die(E_INVALID, "--perm %s: a set of role admin "
			    "may only be given to keys of %s (ROOT_USER)",
			    perms[i], root);
		free(role);
	}
	if (nperms == 0 && strcmp(user, root) != 0)
		apictl_die(E_INVALID, "a key of %s needs --perm: only keys of "
		    "%s (ROOT_USER) may hold no permissions", user, root);
}

static int
apictl_key_add(struct apictl *ctl)
{
	struct db_key	 key;
	char		 id[KEY_ID_LEN + 1], secret[KEY_SECRET_LEN + 1];
	char		 canon[ADMIN_CIDR_MAX];
	/* Static: still reachable when an apictl_die() below exits, so that
	 * LeakSanitizer does not take them for leaks. */
	static char	**perms, **allow, *root;
	char		*cause = nullptr;
	const char	*user = ctl->argv[0];
	json_t		*records;
	int		 nperms = 0, nallow = 0, i, rv = 0;
	int64_t		 expires = 0;

	if (!hconf_user_valid(user))
		apictl_die(E_INVALID, "invalid user format :: %s", user);
	if (hconf_user_state(user) == HCONF_USER_MISSING)
		apictl_die(E_NOTEXIST, "user %s doesn't exist", user);
	root = xstrdup(hconf_get()->root_user);
	perms = strlist_split(ctl->perm != nullptr ? ctl->perm : "", &nperms);
	allow = strlist_split(ctl->allow != nullptr ? ctl->allow : "",
	    &nallow);
	for (i = 0; i < nallow; i++) {
		if (admin_cidr_canonical(allow[i], canon, sizeof canon,
		    &cause) == -1)
			apictl_die(E_INVALID, "--allow %s", cause);
		free(allow[i]);
		allow[i] = xstrdup(canon);
	}
	if (ctl->allow != nullptr && nallow == 0)
		apictl_die(E_INVALID, "--allow: no address range given");
	if (ctl->comment != nullptr && !apictl_comment_valid(ctl->comment))
		apictl_die(E_INVALID, "--comment: at most 256 printable "
		    "characters");
	if (ctl->expires != nullptr) {
		if ((expires = apictl_parse_expires(ctl->expires)) == -1)
			apictl_die(E_INVALID, "--expires %s: expected "
			    "YYYY-MM-DD or +DAYS", ctl->expires);
		if (expires <= (int64_t)time(nullptr))
			apictl_die(E_INVALID, "--expires %s: that is in the "
			    "past", ctl->expires);
	}
	apictl_open(ctl);
	apictl_key_perms_check(ctl, user, root, perms, nperms);

	if (key_random(id, KEY_ID_LEN, KEY_ID_ALPHABET) == -1 ||
	    key_random(secret, KEY_SECRET_LEN, KEY_SECRET_ALPHABET) == -1)
		apictl_die(E_ARGS, "getrandom: %s", strerror(errno));
	memset(&key, 0, sizeof key);
	key.id = id;
	key.user = (char *)user;
	key.comment = (char *)(ctl->comment != nullptr ? ctl->comment : "");
	key.expires_at = expires;
	if ((key.secret_hash = key_hash(secret, &ctl->conf.argon2,
	    &cause)) == nullptr)
		apictl_die(E_ARGS, "%s", cause);
	if (admin_begin(ctl->db, &cause) == -1 ||
	    (rv = admin_key_add(ctl->db, &key, perms, nperms, allow, nallow,
	    &cause)) == -1 || admin_commit(ctl->db, &cause) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_EXISTS, "key %s exists already", id);
	free(key.secret_hash);
	strlist_free(perms, nperms);
	strlist_free(allow, nallow);
	free(root);

	if (ctl->format == FMT_PLAIN) {
		/* Exactly what v-add-access-key ... plain prints. */
		printf("%s:%s\n", id, secret);
	} else {
		records = apictl_keys_get(ctl, nullptr, id, secret);
		apictl_print(ctl, &apictl_newkey_view, records, 1);
		json_decref(records);
	}
	explicit_bzero(secret, sizeof secret);
	return 0;
}

static int
apictl_key_list(struct apictl *ctl)
{
	json_t	*records;

	apictl_open(ctl);
	records = apictl_keys_get(ctl, ctl->argc > 0 ? ctl->argv[0] : nullptr,
	    nullptr, nullptr);
	apictl_print(ctl, &apictl_key_view, records, 0);
	json_decref(records);
	return 0;
}

static int
apictl_key_show(struct apictl *ctl)
{
	json_t	*records;

	apictl_open(ctl);
	records = apictl_keys_get(ctl, nullptr, ctl->argv[0], nullptr);
	if (json_array_size(records) == 0)
		apictl_die(E_NOTEXIST, "key %s doesn't exist", ctl->argv[0]);
	apictl_print(ctl, &apictl_key_view, records, 1);
	json_decref(records);
	return 0;
}

static int
apictl_key_delete(struct apictl *ctl)
{
	char	*cause = nullptr;
	int	 rv;

	apictl_open(ctl);
	if ((rv = admin_key_delete(ctl->db, ctl->argv[0], &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_NOTEXIST, "key %s doesn't exist", ctl->argv[0]);
	return 0;
}

static int
apictl_key_able(struct apictl *ctl, int disabled)
{
	char	*cause = nullptr;
	int	 rv;

	apictl_open(ctl);
	if ((rv = admin_key_set_disabled(ctl->db, ctl->argv[0], disabled,
	    &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_NOTEXIST, "key %s doesn't exist", ctl->argv[0]);
	return 0;
}

static int
apictl_key_disable(struct apictl *ctl)
{
	return apictl_key_able(ctl, 1);
}

static int
apictl_key_enable(struct apictl *ctl)
{
	return apictl_key_able(ctl, 0);
}

/* The legacy API key. */

static const char *const apictl_apikey_fields[] = { "API_KEY", nullptr };
static const struct apictl_view apictl_apikey_view = {
	apictl_apikey_fields, "API_KEY", 0, 0
};
static const char *const apictl_legacy_fields[] = {
	"LOOKUP", "TIME", "DATE", "SOURCE", nullptr
};
static const struct apictl_view apictl_legacy_view = {
	apictl_legacy_fields, "LOOKUP", 0, 1
};

static int
apictl_apikey_generate(struct apictl *ctl)
{
	char	 key[KEY_LEGACY_LEN + 1], lookup[ADMIN_LOOKUP_LEN + 1];
	char	*hash, *cause = nullptr;
	json_t	*records, *o;
	int	 rv;

	if (key_random(key, KEY_LEGACY_LEN, KEY_LEGACY_ALPHABET) == -1)
		apictl_die(E_ARGS, "getrandom: %s", strerror(errno));
	admin_legacy_lookup(key, lookup);
	if ((hash = key_hash(key, &ctl->conf.argon2, &cause)) == nullptr)
		apictl_die(E_ARGS, "%s", cause);
	apictl_open(ctl);
	if ((rv = admin_legacy_add(ctl->db, lookup, hash, 0, &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_EXISTS, "legacy key exists already");
	free(hash);

	if (ctl->format == FMT_PLAIN)
		printf("%s\n", key);
	else {
		records = json_array();
		o = json_object();
		json_object_set_new(o, "API_KEY", json_string(key));
		json_array_append_new(records, o);
		apictl_print(ctl, &apictl_apikey_view, records, 1);
		json_decref(records);
	}
	explicit_bzero(key, sizeof key);
	return 0;
}

/* Revoke by the key itself (as v-revoke-api-key), or, since the key is
 * shown only once, by a unique prefix of its lookup from apikey list. */
static int
apictl_apikey_revoke(struct apictl *ctl)
{
	char		 lookup[ADMIN_LOOKUP_LEN + 1], *cause = nullptr;
	const char	*arg = ctl->argv[0];
	size_t		 len = strlen(arg);
	int		 rv;

	apictl_open(ctl);
	admin_legacy_lookup(arg, lookup);
	if ((rv = admin_legacy_revoke(ctl->db, lookup, 0, &cause)) == -1)
		apictl_die_db(ctl, cause);
	explicit_bzero(lookup, sizeof lookup);
	if (rv == 0 && len >= APICTL_PREFIX_MIN && len <= ADMIN_LOOKUP_LEN &&
	    apictl_hex_valid(arg)) {
		if ((rv = admin_legacy_revoke(ctl->db, arg, 1, &cause)) == -1)
			apictl_die_db(ctl, cause);
		if (rv == 2)
			apictl_die(E_INVALID, "lookup prefix %s matches "
			    "several legacy keys", arg);
	}
	/* The argument may be a secret: never repeat it. */
	if (rv == 0)
		apictl_die(E_NOTEXIST, "no such legacy key");
	return 0;
}

static void
apictl_legacy_cb(const struct admin_legacy *l, void *arg)
{
	json_t	*records = (json_t *)arg, *o = json_object();
	char	 prefix[APICTL_PREFIX_MIN + 1];

	snprintf(prefix, sizeof prefix, "%s", l->lookup);
	json_object_set_new(o, "LOOKUP", json_string(prefix));
	apictl_set_when(o, l->created_at);
	json_object_set_new(o, "SOURCE", json_string(l->source));
	json_array_append_new(records, o);
}

static int
apictl_apikey_list(struct apictl *ctl)
{
	json_t	*records = json_array();
	char	*cause = nullptr;

	apictl_open(ctl);
	if (admin_legacy_foreach(ctl->db, apictl_legacy_cb, records,
	    &cause) == -1)
		apictl_die_db(ctl, cause);
	apictl_print(ctl, &apictl_legacy_view, records, 0);
	json_decref(records);
	return 0;
}

/* Permission sets, shaped like v-list-apis and v-list-api. */

static const char *const apictl_perm_fields[] = {
	"API", "ROLE", "COMMANDS", "SOURCE", nullptr
};
static const struct apictl_view apictl_perm_view = {
	apictl_perm_fields, "API", 1, 1
};

struct apictl_perms {
	json_t	*records;
	int	 one;
};

static void
apictl_perm_cb(const struct admin_perm *p, void *arg)
{
	struct apictl_perms	*perms = (struct apictl_perms *)arg;
	json_t			*o = json_object();

	json_object_set_new(o, "API", json_string(p->name));
	if (perms->one)
		json_object_set_new(o, "ROLE", json_string(p->role));
	json_object_set_new(o, "COMMANDS", apictl_list(p->commands));
	json_object_set_new(o, "SOURCE", json_string(p->source));
	if (!perms->one)
		json_object_set_new(o, "ROLE", json_string(p->role));
	json_array_append_new(perms->records, o);
}

static int
apictl_perm_print(struct apictl *ctl, const char *name)
{
	struct apictl_perms	 perms = { json_array(), name != nullptr };
	char			*cause = nullptr;

	apictl_open(ctl);
	if (admin_perm_foreach(ctl->db, name, apictl_perm_cb, &perms,
	    &cause) == -1)
		apictl_die_db(ctl, cause);
	if (name != nullptr && json_array_size(perms.records) == 0)
		apictl_die(E_NOTEXIST, "permission set %s doesn't exist",
		    name);
	apictl_print(ctl, &apictl_perm_view, perms.records, name != nullptr);
	json_decref(perms.records);
	return 0;
}

static int
apictl_perm_list(struct apictl *ctl)
{
	return apictl_perm_print(ctl, nullptr);
}

static int
apictl_perm_show(struct apictl *ctl)
{
	return apictl_perm_print(ctl, ctl->argv[0]);
}

static int
apictl_perm_add(struct apictl *ctl)
{
	const char	*name = ctl->argv[0];
	char		**cmds, *cause = nullptr;
	int		 n, i, rv;

	if (ctl->role == nullptr || ctl->commands == nullptr)
		apictl_die(E_ARGS, "usage: perm add SET --role admin|user "
		    "--commands CMD,...");
	if (!hsync_set_name_valid(name))
		apictl_die(E_INVALID, "invalid permission set name :: %s",
		    name);
	if (strcmp(ctl->role, "admin") != 0 && strcmp(ctl->role, "user") != 0)
		apictl_die(E_INVALID, "--role %s: expected admin or user",
		    ctl->role);
	cmds = strlist_split(ctl->commands, &n);
	if (n == 0)
		apictl_die(E_INVALID, "--commands: no command given");
	for (i = 0; i < n; i++) {
		if (!apictl_cmd_valid(cmds[i]))
			apictl_die(E_INVALID, "--commands: invalid command "
			    "name :: %s", cmds[i]);
	}
	apictl_open(ctl);
	if ((rv = admin_perm_add(ctl->db, name, ctl->role, cmds, n,
	    &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_EXISTS, "permission set %s exists already", name);
	strlist_free(cmds, n);
	return 0;
}

static int
apictl_perm_delete(struct apictl *ctl)
{
	char	*cause = nullptr;
	int	 rv, nkeys;

	apictl_open(ctl);
	if ((rv = admin_perm_delete(ctl->db, ctl->argv[0], &nkeys,
	    &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_NOTEXIST, "permission set %s doesn't exist",
		    ctl->argv[0]);
	if (rv == 2)
		apictl_die(E_INUSE, "permission set %s is used by %d key%s",
		    ctl->argv[0], nkeys, nkeys == 1 ? "" : "s");
	return 0;
}

/* The global allowlist. */

static const char *const apictl_allow_fields[] = {
	"CIDR", "COMMENT", "TIME", "DATE", nullptr
};
static const struct apictl_view apictl_allow_view = {
	apictl_allow_fields, "CIDR", 0, 1
};

static void
apictl_allow_cb(const struct admin_allow *a, void *arg)
{
	json_t	*records = (json_t *)arg, *o = json_object();

	json_object_set_new(o, "CIDR", json_string(a->cidr));
	json_object_set_new(o, "COMMENT", json_string(a->comment));
	apictl_set_when(o, a->created_at);
	json_array_append_new(records, o);
}

static int
apictl_allow_list(struct apictl *ctl)
{
	json_t	*records = json_array();
	char	*cause = nullptr;

	apictl_open(ctl);
	if (admin_allow_foreach(ctl->db, apictl_allow_cb, records,
	    &cause) == -1)
		apictl_die_db(ctl, cause);
	apictl_print(ctl, &apictl_allow_view, records, 0);
	json_decref(records);
	return 0;
}

static int
apictl_allow_add(struct apictl *ctl)
{
	char	 canon[ADMIN_CIDR_MAX], *cause = nullptr;
	int	 rv;

	if (admin_cidr_canonical(ctl->argv[0], canon, sizeof canon,
	    &cause) == -1)
		apictl_die(E_INVALID, "%s", cause);
	if (ctl->comment != nullptr && !apictl_comment_valid(ctl->comment))
		apictl_die(E_INVALID, "--comment: at most 256 printable "
		    "characters");
	apictl_open(ctl);
	if ((rv = admin_allow_add(ctl->db, canon, ctl->comment != nullptr ?
	    ctl->comment : "", &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_EXISTS, "%s is in the allowlist already", canon);
	return 0;
}

static int
apictl_allow_delete(struct apictl *ctl)
{
	char	 canon[ADMIN_CIDR_MAX], *cause = nullptr;
	int	 rv;

	if (admin_cidr_canonical(ctl->argv[0], canon, sizeof canon,
	    &cause) == -1)
		apictl_die(E_INVALID, "%s", cause);
	apictl_open(ctl);
	if ((rv = admin_allow_delete(ctl->db, canon, &cause)) == -1)
		apictl_die_db(ctl, cause);
	/* A row written with plain SQL may not be canonical. */
	if (rv == 0 && strcmp(canon, ctl->argv[0]) != 0 &&
	    (rv = admin_allow_delete(ctl->db, ctl->argv[0], &cause)) == -1)
		apictl_die_db(ctl, cause);
	if (rv == 0)
		apictl_die(E_NOTEXIST, "%s is not in the allowlist", canon);
	return 0;
}

/*
 * import-hestia: one pass of the sync with Hestia's data/api,
 * data/access-keys and data/keys (hsync.cc), which the daemon also runs
 * by itself when HESTIA_CONF is set. Run twice, it changes nothing.
 */
static const char *const apictl_import_fields[] = {
	"KIND", "ADDED", "CHANGED", "REMOVED", "UNCHANGED", "DELETED",
	"PROBLEMS", nullptr
};
static const struct apictl_view apictl_import_view = {
	apictl_import_fields, "KIND", 1, 1
};

static int
apictl_import_hestia(struct apictl *ctl)
{
	static const char *const kinds[] = {
		"permission-sets", "access-keys", "legacy-keys"
	};
	struct hsync		 hs;
	struct stat		 sb;
	const struct hsync_counts *n;
	const char		*hdir;
	char			*dir, *cause = nullptr;
	json_t			*records, *o;
	int			 k, problems = 0;

	hdir = ctl->argc > 0 ? ctl->argv[0] : hconf_hestia_dir();
	xasprintf(&dir, "%s/data", hdir);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		apictl_die(E_NOTEXIST, "%s: not a Hestia directory (no "
		    "data/)", hdir);
	free(dir);
	apictl_open(ctl);
	memset(&hs, 0, sizeof hs);
	hs.db = ctl->db;
	hs.hdir = hdir;
	hs.cost = ctl->conf.argon2;
	hs.remove = 0;
	if (hsync_all(&hs, &cause) == -1)
		apictl_die(E_INVALID, "%s", cause);

	records = json_array();
	for (k = ADMIN_SET; k <= ADMIN_LEGACY; k++) {
		n = &hs.n[k];
		o = json_object();
		json_object_set_new(o, "KIND", json_string(kinds[k]));
		json_object_set_new(o, "ADDED", json_integer(n->added));
		json_object_set_new(o, "CHANGED", json_integer(n->changed));
		json_object_set_new(o, "REMOVED", json_integer(n->removed));
		json_object_set_new(o, "UNCHANGED", json_integer(n->unchanged));
		json_object_set_new(o, "DELETED", json_integer(n->deleted));
		json_object_set_new(o, "PROBLEMS", json_integer(n->problems));
		json_array_append_new(records, o);
		problems += n->problems;
	}
	apictl_print(ctl, &apictl_import_view, records, 0);
	json_decref(records);
	return problems > 0 ? E_INVALID : 0;
}

/* The audit trail, from audit_view. */

static const char *const apictl_audit_fields[] = {
	"ID", "AT", "WHO", "PEER_IP", "CLIENT_IP", "CMD", "ARGS", "EXIT_CODE",
	"HTTP_STATUS", "DURATION_MS", "COUNT", nullptr
};
static const struct apictl_view apictl_audit_view = {
	apictl_audit_fields, "ID", 0, 1
};

struct apictl_audit {
	json_t	*records;
	int	 json;
};

static void
apictl_audit_cb(const struct admin_audit *a, void *arg)
{
	struct apictl_audit	*audit = (struct apictl_audit *)arg;
	json_t			*o = json_object(), *args = nullptr;
	char			*at;

	json_object_set_new(o, "ID", json_integer(a->id));
	xasprintf(&at, "%s" APICTL_UTC, a->at);
	json_object_set_new(o, "AT", json_string(at));
	free(at);
	json_object_set_new(o, "WHO", json_string(a->who));
	json_object_set_new(o, "PEER_IP", json_string(a->peer_ip));
	json_object_set_new(o, "CLIENT_IP", json_string(a->client_ip));
	json_object_set_new(o, "CMD", json_string(a->cmd));
	/* JSON shows the arguments as an array, text formats as the
	 * stored JSON text, which stays unambiguous with commas. */
	if (audit->json)
		args = json_loads(a->args, JSON_DECODE_ANY, nullptr);
	json_object_set_new(o, "ARGS", args != nullptr ? args :
	    json_string(a->args));
	json_object_set_new(o, "EXIT_CODE", json_integer(a->exit_code));
	json_object_set_new(o, "HTTP_STATUS", json_integer(a->http_status));
	json_object_set_new(o, "DURATION_MS", json_integer(a->duration_ms));
	json_object_set_new(o, "COUNT", json_integer(a->count));
	json_array_append_new(audit->records, o);
}

static int
apictl_audit(struct apictl *ctl)
{
	struct apictl_audit	 audit = { json_array(), 0 };
	char			 since[32], *end, *cause = nullptr;
	long			 limit = APICTL_AUDIT_LIMIT;

	if (ctl->since != nullptr && apictl_parse_since(ctl->since, since,
	    sizeof since) == -1)
		apictl_die(E_INVALID, "--since %s: expected YYYY-MM-DD, "
		    "'YYYY-MM-DD HH:MM:SS' (UTC) or -N with s, m, h, d or w",
		    ctl->since);
	if (ctl->limit != nullptr) {
		errno = 0;
		limit = strtol(ctl->limit, &end, 10);
		if (!isdigit((unsigned char)ctl->limit[0]) || *end != '\0' ||
		    errno != 0 || limit < 1 || limit > 1000000)
			apictl_die(E_INVALID, "--limit %s: expected a number "
			    "from 1 to 1000000", ctl->limit);
	}
	apictl_open(ctl);
	audit.json = ctl->format == FMT_JSON;
	if (admin_audit_foreach(ctl->db, ctl->key, ctl->since != nullptr ?
	    since : nullptr, (int)limit, apictl_audit_cb, &audit,
	    &cause) == -1)
		apictl_die_db(ctl, cause);
	apictl_print(ctl, &apictl_audit_view, audit.records, 0);
	json_decref(audit.records);
	return 0;
}

static const struct apictl_verb apictl_verbs[] = {
	{ "key", "add", "PceaF", 1, 1, "key add USER [--perm SET|CMD,...] "
	    "[--comment TEXT] [--expires DATE|+DAYS] [--allow CIDR,...] "
	    "[--format F]", apictl_key_add },
	{ "key", "list", "F", 0, 1, "key list [USER] [--format F]",
	    apictl_key_list },
	{ "key", "show", "F", 1, 1, "key show ID [--format F]",
	    apictl_key_show },
	{ "key", "delete", "", 1, 1, "key delete ID", apictl_key_delete },
	{ "key", "disable", "", 1, 1, "key disable ID", apictl_key_disable },
	{ "key", "enable", "", 1, 1, "key enable ID", apictl_key_enable },
	{ "apikey", "generate", "F", 0, 0, "apikey generate [--format F]",
	    apictl_apikey_generate },
	{ "apikey", "revoke", "", 1, 1, "apikey revoke KEY|LOOKUP-PREFIX",
	    apictl_apikey_revoke },
	{ "apikey", "list", "F", 0, 0, "apikey list [--format F]",
	    apictl_apikey_list },
	{ "perm", "list", "F", 0, 0, "perm list [--format F]",
	    apictl_perm_list },
	{ "perm", "show", "F", 1, 1, "perm show SET [--format F]",
	    apictl_perm_show },
	{ "perm", "add", "rC", 1, 1, "perm add SET --role admin|user "
	    "--commands CMD,...", apictl_perm_add },
	{ "perm", "delete", "", 1, 1, "perm delete SET", apictl_perm_delete },
	{ "allow", "list", "F", 0, 0, "allow list [--format F]",
	    apictl_allow_list },
	{ "allow", "add", "c", 1, 1, "allow add CIDR [--comment TEXT]",
	    apictl_allow_add },
	{ "allow", "delete", "", 1, 1, "allow delete CIDR",
	    apictl_allow_delete },
	{ "import-hestia", nullptr, "F", 0, 1, "import-hestia [HESTIA_DIR] "
	    "[--format F]", apictl_import_hestia },
	{ "audit", nullptr, "kslF", 0, 0, "audit [--key ID] [--since T] "
	    "[--limit N] [--format F]", apictl_audit },
};

[[noreturn]] static void
apictl_usage(const char *noun)
{
	size_t	 i;

	if (noun == nullptr)
		printf("usage: hestia-apictl [-f file] COMMAND ...\n"
		    "  -f file   configuration (default %s)\n"
		    "commands:\n", CONFIG_DEFAULT_PATH);
	for (i = 0; i < nitems(apictl_verbs); i++) {
		if (noun == nullptr || strcmp(noun, apictl_verbs[i].noun) == 0)
			printf("  %s\n", apictl_verbs[i].usage);
	}
	printf("formats: plain, json, shell (default), csv\n");
	exit(0);
}

static int
apictl_is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* The verb's options and arguments; argv[0] is the verb's last word. */
static void
apictl_args(struct apictl *ctl, const struct apictl_verb *v, int argc,
    char **argv)
{
	int	 ch, i;

	/* A verb without options takes every word as it is: a legacy key
	 * may begin with '-'. */
	if (v->opts[0] == '\0') {
		for (i = 1; i < argc; i++) {
			if (apictl_is_help(argv[i])) {
				printf("usage: hestia-apictl [-f file] %s\n",
				    v->usage);
				exit(0);
			}
		}
		optind = 1;
		if (argc > 1 && strcmp(argv[1], "--") == 0)
			optind = 2;
		goto done;
	}
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", apictl_options,
	    nullptr)) != -1) {
		if (ch == 'h') {
			printf("usage: hestia-apictl [-f file] %s\n",
			    v->usage);
			exit(0);
		}
		if (ch == '?' || ch == ':' || strchr(v->opts, ch) == nullptr)
			apictl_die(E_ARGS, "usage: %s", v->usage);
		switch (ch) {
		case 'P':
			ctl->perm = optarg;
			break;
		case 'c':
			ctl->comment = optarg;
			break;
		case 'e':
			ctl->expires = optarg;
			break;
		case 'a':
			ctl->allow = optarg;
			break;
		case 'F':
			ctl->format = apictl_parse_format(optarg);
			break;
		case 'r':
			ctl->role = optarg;
			break;
		case 'C':
			ctl->commands = optarg;
			break;
		case 'k':
			ctl->key = optarg;
			break;
		case 's':
			ctl->since = optarg;
			break;
		case 'l':
			ctl->limit = optarg;
			break;
		}
	}
done:
	ctl->argc = argc - optind;
	ctl->argv = argv + optind;
	if (ctl->argc < v->minargs || ctl->argc > v->maxargs)
		apictl_die(E_ARGS, "usage: %s", v->usage);
}

/* The verb named by the first one or two words; *used says how many. */
static const struct apictl_verb *
apictl_find(int argc, char **argv, int *used)
{
	size_t	 i;
	int	 noun = 0;

	for (i = 0; i < nitems(apictl_verbs); i++) {
		if (strcmp(apictl_verbs[i].noun, argv[0]) != 0)
			continue;
		noun = 1;
		if (apictl_verbs[i].verb == nullptr) {
			*used = 1;
			return &apictl_verbs[i];
		}
		if (argc > 1 && strcmp(apictl_verbs[i].verb, argv[1]) == 0) {
			*used = 2;
			return &apictl_verbs[i];
		}
	}
	if (!noun)
		apictl_die(E_ARGS, "unknown command %s (hestia-apictl --help "
		    "lists them)", argv[0]);
	if (argc > 1 && apictl_is_help(argv[1]))
		apictl_usage(argv[0]);
	if (argc < 2)
		apictl_die(E_ARGS, "%s: missing verb (hestia-apictl %s "
		    "--help lists them)", argv[0], argv[0]);
	apictl_die(E_ARGS, "unknown command %s %s (hestia-apictl %s --help "
	    "lists them)", argv[0], argv[1], argv[0]);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, nullptr, 'h' },
		{ "version", no_argument, nullptr, 'V' },
		{ nullptr, 0, nullptr, 0 },
	};
	const struct apictl_verb	*v;
	struct apictl			 ctl;
	const char			*conffile = CONFIG_DEFAULT_PATH;
	char				*cause = nullptr;
	int				 ch, explicit_conf = 0, rc, used;

	/* The database it may create is nobody else's to read. */
	umask(077);
	log_init(1, 0, "hestia-apictl");
	memset(&ctl, 0, sizeof ctl);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+f:hV", opts, nullptr)) != -1) {
		switch (ch) {
		case 'V':
			printf("hestia-apictl %s\n", APID_VERSION);
			exit(0);
		case 'f':
			conffile = optarg;
			explicit_conf = 1;
			break;
		case 'h':
			apictl_usage(nullptr);
		default:
			apictl_die(E_ARGS, "usage: hestia-apictl [-f file] "
			    "COMMAND ... (hestia-apictl --help lists them)");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		apictl_die(E_ARGS, "usage: hestia-apictl [-f file] COMMAND "
		    "... (hestia-apictl --help lists them)");
	v = apictl_find(argc, argv, &used);
	ctl.format = FMT_SHELL;
	apictl_args(&ctl, v, argc - used + 1, argv + used - 1);

	if (config_load(&ctl.conf, conffile, !explicit_conf, &cause) == -1)
		apictl_die(E_PARSING, "%s", cause);
	hconf_init(&ctl.conf);
	rc = v->fn(&ctl);
	db_close(ctl.db);
	if (ctl.db != nullptr)	/* and what SQLite made until it closed */
		priv_db_handover(ctl.conf.database, ctl.conf.user);
	hconf_free();
	config_free(&ctl.conf);
	return rc;
}
