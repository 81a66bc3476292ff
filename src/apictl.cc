/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hestia-apictl: manages keys in hestia-apid's database. A secret is shown
 * once, when its key is made, and never stored or shown again. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "apid.h"
#include "config.h"
#include "db.h"
#include "hconf.h"
#include "hestia.h"
#include "key.h"

enum apictl_format { FMT_SHELL, FMT_PLAIN, FMT_JSON, FMT_CSV };

struct apictl {
	struct config		 conf;
	struct db		*db;
	enum apictl_format	 format;
	int			 format_set;
};

struct apictl_verb {
	const char	*noun;
	const char	*verb;
	const char	*usage;
	int		(*fn)(struct apictl *, int, char **);
};

[[noreturn]] static void
apictl_die(int code, const char *fmt, ...)
{
	va_list	 ap;

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
apictl_json_print(json_t *j)
{
	char	*s;

	s = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	if (s == nullptr)
		apictl_die(E_ARGS, "json_dumps failed");
	printf("%s\n", s);
	free(s);
}

/* "YYYY-MM-DD" or "+DAYS" to a unix time; -1 when neither. */
static int64_t
apictl_parse_expires(const char *s)
{
	struct tm	 tm;
	char		*end;
	long		 days;

	if (s[0] == '+') {
		errno = 0;
		days = strtol(s + 1, &end, 10);
		if (s[1] == '\0' || *end != '\0' || errno != 0 || days < 1 ||
		    days > 36500)
			return -1;
		return (int64_t)time(nullptr) + (int64_t)days * 86400;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == nullptr || *end != '\0')
		return -1;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Split "a,b,c" into a new array; *n set. */
static char **
apictl_split(const char *s, int *n)
{
	char	**v, *copy, *p, *w;
	int	 max = 1;

	for (p = (char *)s; *p != '\0'; p++)
		max += *p == ',';
	v = XCALLOCARRAY(max + 1, char *);
	*n = 0;
	p = copy = xstrdup(s);
	while ((w = strsep(&p, ",")) != nullptr) {
		while (isspace((unsigned char)*w))
			w++;
		if (*w != '\0')
			v[(*n)++] = xstrdup(w);
	}
	free(copy);
	return v;
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

/* What a key listing shows of one key: never its secret or hash. */
static json_t *
apictl_key_json(sqlite3_stmt *st, const char *secret)
{
	json_t		*o, *perms;
	const char	*p;
	char		 date[16], tod[16];
	time_t		 t;
	struct tm	 tm;
	int		 n, i;
	char		**v;

	o = json_object();
	json_object_set_new(o, "ACCESS_KEY_ID",
	    json_string((const char *)sqlite3_column_text(st, 0)));
	if (secret != nullptr)
		json_object_set_new(o, "SECRET_ACCESS_KEY",
		    json_string(secret));
	json_object_set_new(o, "USER",
	    json_string((const char *)sqlite3_column_text(st, 1)));
	perms = json_array();
	p = (const char *)sqlite3_column_text(st, 2);
	v = apictl_split(p != nullptr ? p : "", &n);
	for (i = 0; i < n; i++) {
		json_array_append_new(perms, json_string(v[i]));
		free(v[i]);
	}
	free(v);
	json_object_set_new(o, "PERMISSIONS", perms);
	json_object_set_new(o, "COMMENT",
	    json_string((const char *)sqlite3_column_text(st, 3)));
	t = (time_t)sqlite3_column_int64(st, 4);
	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	strftime(tod, sizeof tod, "%H:%M:%S", &tm);
	json_object_set_new(o, "TIME", json_string(tod));
	json_object_set_new(o, "DATE", json_string(date));
	if (sqlite3_column_type(st, 5) == SQLITE_NULL)
		json_object_set_new(o, "EXPIRES", json_string(""));
	else {
		t = (time_t)sqlite3_column_int64(st, 5);
		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		json_object_set_new(o, "EXPIRES", json_string(date));
	}
	json_object_set_new(o, "STATE",
	    json_string((const char *)sqlite3_column_text(st, 6)));
	return o;
}

static const char *const apictl_key_fields[] = {
	"ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "USER", "PERMISSIONS",
	"COMMENT", "TIME", "DATE", "EXPIRES", "STATE",
};

/* A field of the key object as text (arrays joined by commas). */
static char *
apictl_field(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name), *e;
	char	*s = nullptr, *t;
	size_t	 i;

	if (v == nullptr)
		return nullptr;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	json_array_foreach(v, i, e) {
		xasprintf(&t, "%s%s%s", s != nullptr ? s : "",
		    s != nullptr ? "," : "", json_string_value(e));
		free(s);
		s = t;
	}
	return s != nullptr ? s : xstrdup("");
}

/* Print keys (an object of ID to key) in the chosen format. */
static void
apictl_print_keys(struct apictl *ctl, json_t *keys, int one)
{
	json_t		*o;
	const char	*id;
	char		*s;
	size_t		 i;
	int		 first = 1;

	if (ctl->format == FMT_JSON) {
		if (one) {
			json_object_foreach(keys, id, o)
				apictl_json_print(o);
		} else
			apictl_json_print(keys);
		return;
	}
	json_object_foreach(keys, id, o) {
		if (ctl->format == FMT_CSV && first) {
			for (i = 0; i < nitems(apictl_key_fields); i++) {
				if (json_object_get(o, apictl_key_fields[i]))
					apictl_csv(apictl_key_fields[i],
					    i == nitems(apictl_key_fields) - 1);
			}
		}
		first = 0;
		for (i = 0; i < nitems(apictl_key_fields); i++) {
			if ((s = apictl_field(o, apictl_key_fields[i])) ==
			    nullptr)
				continue;
			switch (ctl->format) {
			case FMT_SHELL:
				printf("%-19s %s\n", apictl_key_fields[i], s);
				break;
			case FMT_PLAIN:
				printf("%s%s", s, i ==
				    nitems(apictl_key_fields) - 1 ? "\n" :
				    "\t");
				break;
			case FMT_CSV:
				apictl_csv(s, i ==
				    nitems(apictl_key_fields) - 1);
				break;
			case FMT_JSON:
				break;
			}
			free(s);
		}
		if (ctl->format == FMT_SHELL && !one)
			putchar('\n');
	}
}

static sqlite3_stmt *
apictl_key_query(struct apictl *ctl, const char *where, const char *arg)
{
	sqlite3_stmt	*st;
	char		*sql;

	xasprintf(&sql, "SELECT k.id, k.user, (SELECT group_concat(name, ',')"
	    " FROM key_perms p WHERE p.key_id = k.id), k.comment,"
	    " k.created_at, k.expires_at, v.state FROM keys k"
	    " JOIN keys_view v ON v.id = k.id %s ORDER BY k.created_at, k.id",
	    where);
	if (sqlite3_prepare_v2(db_sqlite(ctl->db), sql, -1, &st, nullptr) !=
	    SQLITE_OK)
		apictl_die(E_DB, "%s", sqlite3_errmsg(db_sqlite(ctl->db)));
	free(sql);
	if (arg != nullptr)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	return st;
}

static int
apictl_key_add(struct apictl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "perm", required_argument, nullptr, 'P' },
		{ "comment", required_argument, nullptr, 'c' },
		{ "expires", required_argument, nullptr, 'e' },
		{ "format", required_argument, nullptr, 'F' },
		{ nullptr, 0, nullptr, 0 },
	};
	struct db_key	 key;
	char		 id[KEY_ID_LEN + 1], secret[KEY_SECRET_LEN + 1];
	char		**perms = nullptr, *cause = nullptr;
	const char	*comment = "";
	json_t		*keys;
	sqlite3_stmt	*st;
	int		 ch, nperms = 0, i;
	int64_t		 expires = 0;

	ctl->format = FMT_SHELL;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, nullptr)) != -1) {
		switch (ch) {
		case 'P':
			perms = apictl_split(optarg, &nperms);
			break;
		case 'c':
			if (!apictl_comment_valid(optarg))
				apictl_die(E_INVALID, "--comment: at most 256 "
				    "printable characters");
			comment = optarg;
			break;
		case 'e':
			if ((expires = apictl_parse_expires(optarg)) == -1)
				apictl_die(E_INVALID, "--expires %s: expected "
				    "YYYY-MM-DD or +DAYS", optarg);
			break;
		case 'F':
			ctl->format = apictl_parse_format(optarg);
			break;
		default:
			apictl_die(E_ARGS, "usage: key add USER [--perm "
			    "SET|CMD,...] [--comment TEXT] [--expires "
			    "DATE|+DAYS] [--format F]");
		}
	}
	if (optind + 1 != argc)
		apictl_die(E_ARGS, "usage: key add USER [options]");
	if (!hconf_user_valid(argv[optind]))
		apictl_die(E_INVALID, "invalid user format :: %s",
		    argv[optind]);
	apictl_open(ctl);

	if (key_random(id, KEY_ID_LEN, KEY_ID_ALPHABET) == -1 ||
	    key_random(secret, KEY_SECRET_LEN, KEY_SECRET_ALPHABET) == -1)
		apictl_die(E_ARGS, "getrandom: %s", strerror(errno));
	memset(&key, 0, sizeof key);
	key.id = id;
	key.user = argv[optind];
	key.comment = (char *)comment;
	key.expires_at = expires;
	if ((key.secret_hash = key_hash(secret, &ctl->conf.argon2,
	    &cause)) == nullptr)
		apictl_die(E_ARGS, "%s", cause);
	if (db_key_add(ctl->db, &key, perms, nperms, &cause) == -1)
		apictl_die(E_DB, "%s", cause);
	free(key.secret_hash);
	for (i = 0; i < nperms; i++)
		free(perms[i]);
	free(perms);

	if (ctl->format == FMT_PLAIN) {
		/* Exactly what v-add-access-key ... plain prints. */
		printf("%s:%s\n", id, secret);
	} else {
		st = apictl_key_query(ctl, "WHERE k.id = ?1", id);
		keys = json_object();
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(keys, id,
			    apictl_key_json(st, secret));
		sqlite3_finalize(st);
		apictl_print_keys(ctl, keys, 1);
		json_decref(keys);
	}
	explicit_bzero(secret, sizeof secret);
	return 0;
}

static int
apictl_format_opt(struct apictl *ctl, int argc, char **argv, int max_args,
    const char *usage)
{
	static const struct option opts[] = {
		{ "format", required_argument, nullptr, 'F' },
		{ nullptr, 0, nullptr, 0 },
	};
	int	 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, nullptr)) != -1) {
		if (ch != 'F')
			apictl_die(E_ARGS, "usage: %s", usage);
		ctl->format = apictl_parse_format(optarg);
	}
	if (argc - optind > max_args)
		apictl_die(E_ARGS, "usage: %s", usage);
	return optind;
}

static int
apictl_key_list(struct apictl *ctl, int argc, char **argv)
{
	sqlite3_stmt	*st;
	json_t		*keys;
	int		 i;

	ctl->format = FMT_SHELL;
	i = apictl_format_opt(ctl, argc, argv, 1,
	    "key list [USER] [--format F]");
	apictl_open(ctl);
	st = apictl_key_query(ctl, i < argc ? "WHERE k.user = ?1" : "",
	    i < argc ? argv[i] : nullptr);
	keys = json_object();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(keys,
		    (const char *)sqlite3_column_text(st, 0),
		    apictl_key_json(st, nullptr));
	sqlite3_finalize(st);
	apictl_print_keys(ctl, keys, 0);
	json_decref(keys);
	return 0;
}

static int
apictl_key_show(struct apictl *ctl, int argc, char **argv)
{
	sqlite3_stmt	*st;
	json_t		*keys;
	int		 i;

	ctl->format = FMT_SHELL;
	i = apictl_format_opt(ctl, argc, argv, 1, "key show ID [--format F]");
	if (i + 1 != argc)
		apictl_die(E_ARGS, "usage: key show ID [--format F]");
	apictl_open(ctl);
	st = apictl_key_query(ctl, "WHERE k.id = ?1", argv[i]);
	keys = json_object();
	if (sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(keys, argv[i],
		    apictl_key_json(st, nullptr));
	sqlite3_finalize(st);
	if (json_object_size(keys) == 0)
		apictl_die(E_NOTEXIST, "key %s doesn't exist", argv[i]);
	apictl_print_keys(ctl, keys, 1);
	json_decref(keys);
	return 0;
}

static int
apictl_key_delete(struct apictl *ctl, int argc, char **argv)
{
	char	*cause = nullptr;
	int	 rc;

	if (argc != 2)
		apictl_die(E_ARGS, "usage: key delete ID");
	apictl_open(ctl);
	rc = db_key_delete(ctl->db, argv[1], &cause);
	if (rc == -1)
		apictl_die(E_DB, "%s", cause);
	if (rc == 0)
		apictl_die(E_NOTEXIST, "key %s doesn't exist", argv[1]);
	return 0;
}

static const struct apictl_verb apictl_verbs[] = {
	{ "key", "add", "key add USER [--perm SET|CMD,...] [--comment TEXT] "
	    "[--expires DATE|+DAYS] [--format F]", apictl_key_add },
	{ "key", "list", "key list [USER] [--format F]", apictl_key_list },
	{ "key", "show", "key show ID [--format F]", apictl_key_show },
	{ "key", "delete", "key delete ID", apictl_key_delete },
};

[[noreturn]] static void
apictl_usage(int code)
{
	size_t	 i;

	fprintf(code == 0 ? stdout : stderr,
	    "usage: hestia-apictl [-f file] COMMAND ...\n"
	    "  -f file   configuration (default %s)\n"
	    "commands:\n", CONFIG_DEFAULT_PATH);
	for (i = 0; i < nitems(apictl_verbs); i++)
		fprintf(code == 0 ? stdout : stderr, "  %s\n",
		    apictl_verbs[i].usage);
	fprintf(code == 0 ? stdout : stderr,
	    "formats: plain, json, shell (default), csv\n");
	exit(code);
}

int
main(int argc, char *argv[])
{
	struct apictl	 ctl;
	const char	*conffile = CONFIG_DEFAULT_PATH;
	char		*cause = nullptr;
	int		 ch, explicit_conf = 0, rc;
	size_t		 i;

	log_init(1, 0, "hestia-apictl");
	memset(&ctl, 0, sizeof ctl);
	while ((ch = getopt(argc, argv, "+f:h")) != -1) {
		switch (ch) {
		case 'f':
			conffile = optarg;
			explicit_conf = 1;
			break;
		case 'h':
			apictl_usage(0);
		default:
			apictl_usage(E_ARGS);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		apictl_usage(E_ARGS);
	if (config_load(&ctl.conf, conffile, !explicit_conf, &cause) == -1)
		apictl_die(E_PARSING, "%s", cause);
	hconf_init(&ctl.conf);
	for (i = 0; i < nitems(apictl_verbs); i++) {
		if (strcmp(apictl_verbs[i].noun, argv[0]) == 0 &&
		    strcmp(apictl_verbs[i].verb, argv[1]) == 0)
			break;
	}
	if (i == nitems(apictl_verbs))
		apictl_usage(E_ARGS);
	rc = apictl_verbs[i].fn(&ctl, argc - 1, argv + 1);
	db_close(ctl.db);
	hconf_free();
	config_free(&ctl.conf);
	return rc;
}
