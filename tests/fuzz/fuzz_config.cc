/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the daemon's configuration file. The input is written to
 * one temporary file (in /dev/shm when there is one), loaded, and what
 * was accepted is checked against the table's promises. */
#include <fcntl.h>
#include <unistd.h>

#include "apid.h"
#include "acl.h"
#include "clientip.h"
#include "config.h"
#include "fuzz.h"
#include "lockout.h"

static char	 fuzz_path[64];
static int	 fuzz_fd = -1;

static void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
}

/* The file every run writes: made once, removed at exit. */
static void
fuzz_file(void)
{
	const char	*dir;

	if (fuzz_fd != -1)
		return;
	dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(fuzz_path, sizeof fuzz_path, "%s/fuzz_config.XXXXXX", dir);
	if ((fuzz_fd = mkstemp(fuzz_path)) == -1)
		fuzz_fail("mkstemp %s", fuzz_path);
	atexit(fuzz_cleanup);
}

static void
fuzz_path_ok(const char *key, const char *v, int empty_ok)
{
	if (v == nullptr || (v[0] != '/' && !(empty_ok && v[0] == '\0')))
		fuzz_fail("%s: \"%s\" accepted", key, v != nullptr ? v : "");
}

static void
fuzz_range(const char *key, long long v, long long min, long long max)
{
	if (v < min || v > max)
		fuzz_fail("%s: %lld accepted", key, v);
}

/* What config.cc's table promises of a loaded config. */
static void
fuzz_check(const struct config *c)
{
	struct lockout_conf	 lc;
	char			*list, *p, *w, *cause = nullptr;
	char			 out[ACL_TEXTLEN];

	fuzz_path_ok("BIN_DIR", c->bin_dir, 0);
	fuzz_path_ok("DATABASE", c->database, 0);
	fuzz_path_ok("SHADOW_FILE", c->shadow_file, 0);
	fuzz_path_ok("TMP_DIR", c->tmp_dir, 0);
	fuzz_path_ok("AUTH_LOG", c->auth_log, 1);
	fuzz_path_ok("HESTIA_CONF", c->hestia_conf, 1);
	fuzz_path_ok("TLS_CERT", c->tls_cert, 1);
	fuzz_path_ok("TLS_KEY", c->tls_key, 1);
	if ((c->tls_cert[0] == '\0') != (c->tls_key[0] == '\0'))
		fuzz_fail("TLS_CERT without TLS_KEY accepted");
	fuzz_range("AUTH_CACHE", c->auth_cache, 0, 3600);
	fuzz_range("CMD_TIMEOUT", c->cmd_timeout, 1, 86400);
	fuzz_range("LOCKOUT_V6_PREFIX", c->lockout_v6_prefix, 1, 128);
	fuzz_range("MAX_BODY", c->max_body, 64, 1LL << 30);
	fuzz_range("MAX_CONNS", c->max_conns, 16, 1 << 20);
	fuzz_range("MAX_CONNS_PER_IP", c->max_conns_per_ip, 1, 1 << 20);
	fuzz_range("MAX_JOBS", c->max_jobs, 1, 4096);
	fuzz_range("MAX_OUTPUT", c->max_output, 1, 1LL << 30);
	fuzz_range("QUEUE", c->queue, 0, 65536);
	if (c->argon2.t < 1 || c->argon2.p < 1 || c->argon2.p > 64 ||
	    c->argon2.m < 8 * c->argon2.p || c->argon2.m > 4 * 1024 * 1024)
		fuzz_fail("ARGON2 t=%u,m=%u,p=%u accepted", c->argon2.t,
		    c->argon2.m, c->argon2.p);
	if (lockout_parse(c->lockout, &lc) == -1)
		fuzz_fail("LOCKOUT \"%s\" accepted", c->lockout);
	if (clientip_header_name(c->proxy_header) == nullptr)
		fuzz_fail("PROXY_HEADER \"%s\" accepted", c->proxy_header);
	if (c->listen == nullptr || c->exec_prefix == nullptr ||
	    c->sw.allowed_ip == nullptr || c->sw.root_user == nullptr ||
	    c->user == nullptr)
		fuzz_fail("a string key left nullptr");
	/* TRUSTED_PROXIES: what clientip_init will take at start. */
	p = list = fuzz_str(c->trusted_proxies, strlen(c->trusted_proxies));
	while ((w = strsep(&p, ",")) != nullptr) {
		while (*w == ' ')
			w++;
		if (*w == '\0' || strcmp(w, "unix") == 0)
			continue;
		if (acl_canonical(w, out, sizeof out, &cause) == -1)
			fuzz_fail("TRUSTED_PROXIES \"%s\" accepted: %s", w,
			    cause);
	}
	free(list);
	if (clientip_init(c->trusted_proxies, c->proxy_header, &cause) == -1)
		fuzz_fail("clientip_init refused: %s", cause);
	clientip_free();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 conf;
	char		*cause = nullptr;
	size_t		 n;

	fuzz_file();
	if (ftruncate(fuzz_fd, 0) == -1 ||
	    pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		fuzz_fail("write %s", fuzz_path);
	if (config_load(&conf, fuzz_path, 0, &cause) == 0) {
		if (cause != nullptr)
			fuzz_fail("loaded, with a cause: %s", cause);
		fuzz_check(&conf);
	} else {
		/* "file:line: KEY: why", or "file: why". */
		n = strlen(fuzz_path);
		if (cause == nullptr || strncmp(cause, fuzz_path, n) != 0 ||
		    cause[n] != ':')
			fuzz_fail("error without file: %s",
			    cause != nullptr ? cause : "(no cause)");
	}
	free(cause);
	config_free(&conf);
	return 0;
}
