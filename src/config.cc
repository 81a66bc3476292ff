/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The configuration file, in hestia.conf's own syntax, parsed from a table. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apid.h"
#include "acl.h"
#include "clientip.h"
#include "config.h"
#include "lockout.h"
#include "shconf.h"

enum config_type {
	CT_STRING,	/* any text */
	CT_PATH,	/* absolute path */
	CT_PATH_EMPTY,	/* absolute path or empty */
	CT_INT,		/* integer in [min, max] */
	CT_SIZE,	/* bytes with an optional k/M/G suffix */
	CT_YESNO,	/* Hestia's 'yes' or anything else */
	CT_APISYS,	/* Hestia's API_SYSTEM */
	CT_ARGON2,
	CT_LOCKOUT,
	CT_PROXIES,	/* CIDRs and "unix" */
	CT_PROXY_HEADER, /* the one forwarding header believed */
	CT_USER,	/* a user of this system, or empty */
	CT_GROUP,	/* a group of this system, or empty */
};

struct config_key {
	const char	*name;
	enum config_type type;
	size_t		 offset;
	long		 min;
	long		 max;
};

#define OFF(f) offsetof(struct config, f)

/* Where Hestia's scripts learn $HESTIA, and where it usually is. */
#define CONFIG_HESTIACP_DIR	"/etc/hestiacp"
#define CONFIG_HESTIA_DIR	"/usr/local/hestia"

static const struct config_key config_keys[] = {
	{ "API",		CT_YESNO,	OFF(sw.api), 0, 0 },
	{ "API_ALLOWED_IP",	CT_STRING,	OFF(sw.allowed_ip), 0, 0 },
	{ "API_SYSTEM",		CT_APISYS,	OFF(sw.api_system), 0, 0 },
	{ "ARGON2",		CT_ARGON2,	OFF(argon2), 0, 0 },
	{ "AUDIT_KEEP",		CT_INT,		OFF(audit_keep), 0, 36500 },
	{ "AUTH_CACHE",		CT_INT,		OFF(auth_cache), 0, 3600 },
	{ "AUTH_LOG",		CT_PATH_EMPTY,	OFF(auth_log), 0, 0 },
	{ "BIN_DIR",		CT_PATH,	OFF(bin_dir), 0, 0 },
	{ "CMD_TIMEOUT",	CT_INT,		OFF(cmd_timeout), 1, 86400 },
	{ "DATABASE",		CT_PATH,	OFF(database), 0, 0 },
	{ "DEMO_MODE",		CT_YESNO,	OFF(sw.demo_mode), 0, 0 },
	{ "EXEC_PREFIX",	CT_STRING,	OFF(exec_prefix), 0, 0 },
	{ "HESTIA_CONF",	CT_PATH_EMPTY,	OFF(hestia_conf), 0, 0 },
	{ "HESTIA_KEY_SYNC",	CT_YESNO,	OFF(hestia_key_sync), 0, 0 },
	{ "LISTEN",		CT_STRING,	OFF(listen), 0, 0 },
	{ "LOCKOUT",		CT_LOCKOUT,	OFF(lockout), 0, 0 },
	{ "LOCKOUT_V6_PREFIX",	CT_INT,		OFF(lockout_v6_prefix), 1, 128 },
	{ "MAX_BODY",		CT_SIZE,	OFF(max_body), 64, 1L << 30 },
	{ "MAX_CONNS",		CT_INT,		OFF(max_conns), 16, 1 << 20 },
	{ "MAX_CONNS_PER_IP",	CT_INT,		OFF(max_conns_per_ip), 1,
	    1 << 20 },
	{ "MAX_JOBS",		CT_INT,		OFF(max_jobs), 1, 4096 },
	{ "MAX_OUTPUT",		CT_SIZE,	OFF(max_output), 1, 1L << 30 },
	{ "PROXY_HEADER",	CT_PROXY_HEADER, OFF(proxy_header), 0, 0 },
	{ "QUEUE",		CT_INT,		OFF(queue), 0, 65536 },
	{ "ROOT_USER",		CT_STRING,	OFF(sw.root_user), 0, 0 },
	{ "SHADOW_FILE",	CT_PATH,	OFF(shadow_file), 0, 0 },
	{ "SOCKET_GROUP",	CT_GROUP,	OFF(socket_group), 0, 0 },
	{ "TLS_CERT",		CT_PATH_EMPTY,	OFF(tls_cert), 0, 0 },
	{ "TLS_KEY",		CT_PATH_EMPTY,	OFF(tls_key), 0, 0 },
	{ "TMP_DIR",		CT_PATH,	OFF(tmp_dir), 0, 0 },
	{ "TRUSTED_PROXIES",	CT_PROXIES,	OFF(trusted_proxies), 0, 0 },
	{ "USER",		CT_USER,	OFF(user), 0, 0 },
};

int
config_parse_size(const char *s, size_t *out)
{
	char			*end;
	unsigned long long	 v, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mul = 1ULL << 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > SIZE_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int
config_parse_argon2(const char *s, struct argon2_cost *cost)
{
	struct argon2_cost	 c = { 0, 0, 0 };
	char			*copy, *word, *p, *end;
	unsigned long		 v;
	int			 rv = -1;

	p = copy = xstrdup(s);
	while ((word = strsep(&p, ",")) != nullptr) {
		if (strlen(word) < 3 || word[1] != '=')
			goto done;
		errno = 0;
		v = strtoul(word + 2, &end, 10);
		if (errno != 0 || *end != '\0' || word[2] == '\0' ||
		    v > UINT32_MAX)
			goto done;
		switch (word[0]) {
		case 't': c.t = v; break;
		case 'm': c.m = v; break;
		case 'p': c.p = v; break;
		default: goto done;
		}
	}
	/* libargon2's own floors: t >= 1, m >= 8 * p, p >= 1. */
	if (c.t < 1 || c.p < 1 || c.p > 64 || c.m < 8 * c.p ||
	    c.m > 4 * 1024 * 1024)
		goto done;
	*cost = c;
	rv = 0;
done:
	free(copy);
	return rv;
}

int
config_api_system(const char *s)
{
	long long	 v;

	/* PHP compares (int)"2": a leading number, else 0; 64-bit in PHP,
	 * so anything past our int is still "2 or more". */
	v = strtoll(s, nullptr, 10);
	if (v > INT_MAX)
		return INT_MAX;
	if (v < INT_MIN)
		return INT_MIN;
	return (int)v;
}

static void
config_defaults(struct config *conf)
{
	long	 ncpu;

	memset(conf, 0, sizeof *conf);
	/* Not Hestia's 8083, which its own nginx holds: a socket that
	 * Hestia's nginx proxies /api/ to (hestia-apid-switch(8)), and that
	 * only root and SOCKET_GROUP may use, so that TRUSTED_PROXIES='unix'
	 * lets no local user name a client address. */
	conf->listen = xstrdup("unix:/run/hestia-apid/api.sock");
	conf->socket_group = xstrdup("");
	conf->database = xstrdup("/var/lib/hestia-apid/keys.db");
	conf->bin_dir = xstrdup("/usr/local/hestia/bin");
	conf->exec_prefix = xstrdup("");
	conf->hestia_conf = xstrdup("");
	conf->hestia_key_sync = 1;
	conf->audit_keep = 90;
	conf->sw.api = 0;
	conf->sw.api_system = 1;
	conf->sw.allowed_ip = xstrdup("");
	conf->sw.root_user = xstrdup("admin");
	conf->trusted_proxies = xstrdup("");
	conf->proxy_header = xstrdup("X-Real-IP");
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	conf->max_jobs = ncpu > 0 ? (int)ncpu : 1;
	conf->queue = 64;
	conf->cmd_timeout = 300;
	conf->max_output = 8 << 20;
	conf->max_body = 1 << 20;
	conf->max_conns = 1024;
	conf->max_conns_per_ip = 16;
	conf->lockout = xstrdup("5/600/600");
	conf->lockout_v6_prefix = 64;
	conf->auth_log = xstrdup("/var/log/hestia/auth.log");
	conf->argon2.t = 2;
	conf->argon2.m = 19456;
	conf->argon2.p = 1;
	conf->auth_cache = 300;
	conf->user = xstrdup("");
	conf->tmp_dir = xstrdup("/tmp");
	conf->shadow_file = xstrdup("/etc/shadow");
	conf->tls_cert = xstrdup("");
	conf->tls_key = xstrdup("");
}

static char	 why_buf[256];

/* TRUSTED_PROXIES: every entry a CIDR or "unix". */
static int
config_check_proxies(const char *value, char *why, size_t whylen)
{
	char	*list, *p, *w, *cause = nullptr;
	int	 rv = 0;

	p = list = xstrdup(value);
	while (rv == 0 && (w = strsep(&p, ",")) != nullptr) {
		while (*w == ' ')
			w++;
		if (*w == '\0' || strcmp(w, "unix") == 0)
			continue;
		if (acl_canonical(w, why, whylen, &cause) == -1) {
			snprintf(why, whylen, "%s", cause);
			free(cause);
			rv = -1;
		}
	}
	free(list);
	return rv;
}

/* Store one value; returns nullptr or a static reason. */
static const char *
config_set(struct config *conf, const struct config_key *ck,
    const char *value)
{
	char	*base = (char *)conf + ck->offset;
	char	**sp = (char **)base;
	char	*end;
	long	 v;
	size_t	 sz;
	struct lockout_conf lc;

	switch (ck->type) {
	case CT_PATH:
		if (value[0] != '/')
			return "must be an absolute path";
		break;
	case CT_PATH_EMPTY:
		if (value[0] != '\0' && value[0] != '/')
			return "must be an absolute path or empty";
		break;
	case CT_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (value[0] == '\0' || *end != '\0' || errno != 0)
			return "not a number";
		if (v < ck->min || v > ck->max)
			return "out of range";
		*(int *)base = (int)v;
		return nullptr;
	case CT_SIZE:
		if (config_parse_size(value, &sz) == -1)
			return "not a size (such as 512k, 8M)";
		if (sz < (size_t)ck->min || sz > (size_t)ck->max)
			return "out of range";
		*(size_t *)base = sz;
		return nullptr;
	case CT_YESNO:
		*(int *)base = strcmp(value, "yes") == 0;
		return nullptr;
	case CT_APISYS:
		*(int *)base = config_api_system(value);
		return nullptr;
	case CT_ARGON2:
		if (config_parse_argon2(value,
		    (struct argon2_cost *)base) == -1)
			return "expected t=N,m=KIB,p=N (t>=1, m>=8*p)";
		return nullptr;
	case CT_LOCKOUT:
		if (lockout_parse(value, &lc) == -1)
			return "expected FAILURES/WINDOW/BAN, such as 5/600/600";
		break;
	case CT_USER:
		if (value[0] != '\0' && getpwnam(value) == nullptr)
			return "no such user";
		break;
	case CT_GROUP:
		if (value[0] != '\0' && getgrnam(value) == nullptr)
			return "no such group";
		break;
	case CT_PROXIES:
		if (config_check_proxies(value, why_buf, sizeof why_buf) == -1)
			return why_buf;
		break;
	case CT_PROXY_HEADER:
		if ((value = clientip_header_name(value)) == nullptr)
			return "expected X-Real-IP, X-Forwarded-For or "
			    "CF-Connecting-IP";
		break;
	case CT_STRING:
		break;
	}
	free(*sp);
	*sp = xstrdup(value);
	return nullptr;
}

struct config_load_ctx {
	struct config	*conf;
	const char	*path;
	int		 hestia_conf_set;	/* the file names HESTIA_CONF */
};

static int
config_load_cb(const char *key, const char *value, int lineno, void *arg,
    char **cause)
{
	struct config_load_ctx	*ctx = (struct config_load_ctx *)arg;
	const char		*why;
	size_t			 i;

	for (i = 0; i < nitems(config_keys); i++) {
		if (strcmp(config_keys[i].name, key) != 0)
			continue;
		if (config_keys[i].offset == OFF(hestia_conf))
			ctx->hestia_conf_set = 1;
		why = config_set(ctx->conf, &config_keys[i], value);
		if (why == nullptr)
			return 0;
		xasprintf(cause, "%s:%d: %s: %s", ctx->path, lineno, key, why);
		return -1;
	}
	xasprintf(cause, "%s:%d: %s: unknown key", ctx->path, lineno, key);
	return -1;
}

/* The last HESTIA= of one of Hestia's /etc/hestiacp files, into dir.
 * What is not a plain assignment (the "[[ -f local.conf ]] && source"
 * line) is passed over. */
static void
config_find_hestia_var(const char *path, char *dir, size_t size)
{
	FILE		*f;
	char		*line = nullptr, *key, *value;
	const char	*why;
	size_t		 n = 0;

	if ((f = fopen(path, "re")) == nullptr)
		return;
	while (getline(&line, &n, f) != -1) {
		if (shconf_parse_line(line, &key, &value, &why) == 1 &&
		    strcmp(key, "HESTIA") == 0)
			snprintf(dir, size, "%s", value);
	}
	free(line);
	fclose(f);
}

static int
config_is_file(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Hestia's hestia.conf, or "" without Hestia. Found as Hestia's scripts
 * find $HESTIA, through /etc/hestiacp/hestia.conf (HESTIA='/usr/local/
 * hestia', then local.conf, which may change it), else in its usual
 * place. Looked for once, at the first load: the daemon's is at start, as
 * root, and a reload by the network side (which may not see into
 * Hestia's conf/) must find the same. HESTIA_APID_TEST_ROOT, for tests,
 * names a directory to look in instead of /.
 */
static const char *
config_find_hestia(void)
{
	static char	*found;
	const char	*root;
	char		 dir[PATH_MAX], path[2 * PATH_MAX + 32];

	if (found != nullptr)
		return found;
	if ((root = getenv("HESTIA_APID_TEST_ROOT")) == nullptr)
		root = "";
	dir[0] = '\0';
	snprintf(path, sizeof path, "%s%s/hestia.conf", root,
	    CONFIG_HESTIACP_DIR);
	config_find_hestia_var(path, dir, sizeof dir);
	snprintf(path, sizeof path, "%s%s/local.conf", root,
	    CONFIG_HESTIACP_DIR);
	config_find_hestia_var(path, dir, sizeof dir);
	snprintf(path, sizeof path, "%s%s/conf/hestia.conf", root, dir);
	if (dir[0] == '/' && config_is_file(path))
		return found = xstrdup(path);
	snprintf(path, sizeof path, "%s%s/conf/hestia.conf", root,
	    CONFIG_HESTIA_DIR);
	return found = xstrdup(config_is_file(path) ? path : "");
}

/* What the keys together require; HESTIA_CONF unset means Hestia's own
 * when Hestia is installed (HESTIA_CONF='' keeps it off). */
static int
config_check(struct config *conf, int hestia_conf_set, char **cause)
{
	const char	*found;

	if ((conf->tls_cert[0] == '\0') != (conf->tls_key[0] == '\0')) {
		xasprintf(cause, "%s: TLS_CERT and TLS_KEY: set both or "
		    "neither", conf->path);
		return -1;
	}
	if (!hestia_conf_set && (found = config_find_hestia())[0] != '\0') {
		free(conf->hestia_conf);
		conf->hestia_conf = xstrdup(found);
		conf->hestia_conf_found = 1;
	}
	return 0;
}

int
config_load(struct config *conf, const char *path, int missing_ok,
    char **cause)
{
	struct config_load_ctx	 ctx = { conf, path, 0 };

	config_defaults(conf);
	conf->path = xstrdup(path);
	if (missing_ok && access(path, F_OK) == -1 && errno == ENOENT)
		return config_check(conf, 0, cause);
	if (shconf_read(path, config_load_cb, &ctx, cause) == -1)
		return -1;
	return config_check(conf, ctx.hestia_conf_set, cause);
}

int
config_load_fd(struct config *conf, const char *path, int fd, char **cause)
{
	struct config_load_ctx	 ctx = { conf, path, 0 };
	FILE			*f;
	int			 rv, dupfd;

	config_defaults(conf);
	conf->path = xstrdup(path);
	/* pread-like: the caller's offset is not ours to move for good. */
	if ((dupfd = dup(fd)) == -1 || lseek(dupfd, 0, SEEK_SET) == -1 ||
	    (f = fdopen(dupfd, "r")) == nullptr) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (dupfd != -1)
			close(dupfd);
		return -1;
	}
	rv = shconf_read_file(f, path, config_load_cb, &ctx, cause);
	fclose(f);
	if (rv == -1)
		return -1;
	return config_check(conf, ctx.hestia_conf_set, cause);
}

void
config_hestia_dir(const struct config *conf, char *dir, size_t size)
{
	char	*p;

	snprintf(dir, size, "%s", CONFIG_HESTIA_DIR);
	if (conf->hestia_conf[0] == '\0')
		return;
	/* HESTIA_CONF is $HESTIA/conf/hestia.conf */
	snprintf(dir, size, "%s", conf->hestia_conf);
	for (int i = 0; i < 2; i++) {
		if ((p = strrchr(dir, '/')) != nullptr)
			*p = '\0';
	}
	if (dir[0] == '\0')
		snprintf(dir, size, "/");
}

void
hestia_switches_free(struct hestia_switches *sw)
{
	free(sw->allowed_ip);
	free(sw->root_user);
	sw->allowed_ip = sw->root_user = nullptr;
}

void
hestia_switches_copy(struct hestia_switches *to,
    const struct hestia_switches *from)
{
	hestia_switches_free(to);
	*to = *from;
	to->allowed_ip = xstrdup(from->allowed_ip);
	to->root_user = xstrdup(from->root_user);
}

void
config_free(struct config *conf)
{
	size_t	 i;

	free(conf->path);
	for (i = 0; i < nitems(config_keys); i++) {
		switch (config_keys[i].type) {
		case CT_STRING: case CT_PATH: case CT_PATH_EMPTY:
		case CT_LOCKOUT: case CT_PROXIES: case CT_USER:
		case CT_GROUP: case CT_PROXY_HEADER:
			free(*(char **)((char *)conf + config_keys[i].offset));
			break;
		default:
			break;
		}
	}
	memset(conf, 0, sizeof *conf);
}
