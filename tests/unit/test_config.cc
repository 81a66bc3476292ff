/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.cc: defaults, every key type, the exact error texts, the parsers. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "config.h"

static char	 test_dir[] = "/tmp/test_config.XXXXXX";
static char	 test_path[PATH_MAX];
static char	 test_expect[PATH_MAX + 256];

static int
test_group_setup(void **)
{
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_path, sizeof test_path, "%s/apid.conf", test_dir);
	/* No Hestia there: an unset HESTIA_CONF stays empty, whatever is
	 * installed on this machine (tests/regress/hestia-conf.t.sh finds
	 * one). */
	setenv("HESTIA_APID_TEST_ROOT", test_dir, 1);
	return 0;
}

static int
test_group_teardown(void **)
{
	unlink(test_path);
	rmdir(test_dir);
	return 0;
}

/* Write text as the config file. */
static void
test_write(const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(test_path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* The "file:line: KEY: why" of our config file. */
static const char *
test_why(int line, const char *key, const char *why)
{
	snprintf(test_expect, sizeof test_expect, "%s:%d: %s: %s", test_path,
	    line, key, why);
	return test_expect;
}

/* Load text; must succeed. The caller frees conf. */
static void
test_load_ok(struct config *conf, const char *text)
{
	char	*cause = nullptr;

	test_write(text);
	if (config_load(conf, test_path, 0, &cause) != 0)
		fail_msg("config_load: %s", cause != nullptr ? cause : "?");
	assert_null(cause);
}

/* Load text; must fail with exactly expect. */
static void
test_load_fails(const char *text, const char *expect)
{
	struct config	 conf;
	char		*cause = nullptr;

	test_write(text);
	assert_int_equal(config_load(&conf, test_path, 0, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, expect);
	free(cause);
	config_free(&conf);
}

static void
test_check_defaults(const struct config *conf)
{
	long	 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	assert_string_equal(conf->path, test_path);
	assert_string_equal(conf->listen, "unix:/run/hestia-apid/api.sock");
	assert_string_equal(conf->socket_group, "");
	assert_string_equal(conf->database, "/var/lib/hestia-apid/keys.db");
	assert_string_equal(conf->bin_dir, "/usr/local/hestia/bin");
	assert_string_equal(conf->exec_prefix, "");
	assert_string_equal(conf->hestia_conf, "");
	assert_int_equal(conf->hestia_conf_found, 0);
	assert_int_equal(conf->sw.api, 0);
	assert_int_equal(conf->sw.api_system, 1);
	assert_string_equal(conf->sw.allowed_ip, "");
	assert_string_equal(conf->sw.root_user, "admin");
	assert_int_equal(conf->sw.demo_mode, 0);
	assert_string_equal(conf->trusted_proxies, "");
	assert_int_equal(conf->max_jobs, ncpu > 0 ? ncpu : 1);
	assert_int_equal(conf->queue, 64);
	assert_int_equal(conf->cmd_timeout, 300);
	assert_int_equal(conf->max_output, 8 << 20);
	assert_int_equal(conf->max_body, 1 << 20);
	assert_string_equal(conf->lockout, "5/600/600");
	assert_string_equal(conf->auth_log, "/var/log/hestia/auth.log");
	assert_int_equal(conf->argon2.t, 2);
	assert_int_equal(conf->argon2.m, 19456);
	assert_int_equal(conf->argon2.p, 1);
	assert_string_equal(conf->user, "");
	assert_string_equal(conf->tmp_dir, "/tmp");
	assert_string_equal(conf->shadow_file, "/etc/shadow");
	assert_string_equal(conf->tls_cert, "");
	assert_string_equal(conf->tls_key, "");
}

/* A missing file with missing_ok, and an empty file, give the defaults. */
static void
test_config_defaults(void **)
{
	struct config	 conf;
	char		*cause = nullptr;

	unlink(test_path);
	assert_int_equal(config_load(&conf, test_path, 1, &cause), 0);
	assert_null(cause);
	test_check_defaults(&conf);
	config_free(&conf);
	assert_null(conf.listen);

	test_load_ok(&conf, "");
	test_check_defaults(&conf);
	config_free(&conf);

	test_load_ok(&conf, "# only a comment\n\n   \n\t\n");
	test_check_defaults(&conf);
	config_free(&conf);
}

/* Without missing_ok a missing file is an error naming the file. */
static void
test_config_missing(void **)
{
	struct config	 conf;
	char		*cause = nullptr;

	unlink(test_path);
	assert_int_equal(config_load(&conf, test_path, 0, &cause), -1);
	snprintf(test_expect, sizeof test_expect, "%s: %s", test_path,
	    strerror(ENOENT));
	assert_string_equal(cause, test_expect);
	free(cause);
	config_free(&conf);
}

/* missing_ok covers ENOENT only: a file that is there is read. */
static void
test_config_missing_ok_reads(void **)
{
	struct config	 conf;
	char		*cause = nullptr;

	test_write("QUEUE=7\n");
	assert_int_equal(config_load(&conf, test_path, 1, &cause), 0);
	assert_int_equal(conf.queue, 7);
	config_free(&conf);

	test_write("QUEUE=x\n");
	assert_int_equal(config_load(&conf, test_path, 1, &cause), -1);
	assert_string_equal(cause, test_why(1, "QUEUE", "not a number"));
	free(cause);
	config_free(&conf);
}

static void
test_config_string(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "LISTEN='[::1]:9000'\n"
	    "EXEC_PREFIX='sudo -n --'\n"
	    "ROOT_USER=root\n"
	    "API_ALLOWED_IP='10.9.8.7, 127.0.0.1'\n");
	assert_string_equal(conf.listen, "[::1]:9000");
	assert_string_equal(conf.exec_prefix, "sudo -n --");
	assert_string_equal(conf.sw.root_user, "root");
	assert_string_equal(conf.sw.allowed_ip, "10.9.8.7, 127.0.0.1");
	config_free(&conf);

	/* A string may be empty. */
	test_load_ok(&conf, "LISTEN=''\n");
	assert_string_equal(conf.listen, "");
	config_free(&conf);
}

static void
test_config_path(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "BIN_DIR=/opt/hestia/bin\n"
	    "DATABASE='/srv/keys.db'\nTMP_DIR=/var/tmp\n"
	    "SHADOW_FILE=/srv/shadow\n");
	assert_string_equal(conf.bin_dir, "/opt/hestia/bin");
	assert_string_equal(conf.database, "/srv/keys.db");
	assert_string_equal(conf.tmp_dir, "/var/tmp");
	assert_string_equal(conf.shadow_file, "/srv/shadow");
	config_free(&conf);

	test_load_fails("BIN_DIR=bin\n",
	    test_why(1, "BIN_DIR", "must be an absolute path"));
	test_load_fails("\nDATABASE=''\n",
	    test_why(2, "DATABASE", "must be an absolute path"));
	test_load_fails("TMP_DIR='./tmp'\n",
	    test_why(1, "TMP_DIR", "must be an absolute path"));
	test_load_fails("SHADOW_FILE=''\n",
	    test_why(1, "SHADOW_FILE", "must be an absolute path"));
}

static void
test_config_path_empty(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "AUTH_LOG=''\nHESTIA_CONF=/h/conf/hestia.conf\n");
	assert_string_equal(conf.auth_log, "");
	assert_string_equal(conf.hestia_conf, "/h/conf/hestia.conf");
	config_free(&conf);

	test_load_ok(&conf, "AUTH_LOG=/tmp/auth.log\n");
	assert_string_equal(conf.auth_log, "/tmp/auth.log");
	config_free(&conf);

	test_load_fails("AUTH_LOG=auth.log\n",
	    test_why(1, "AUTH_LOG", "must be an absolute path or empty"));
	test_load_fails("HESTIA_CONF=' /x'\n",
	    test_why(1, "HESTIA_CONF", "must be an absolute path or empty"));
}

static void
test_config_int(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "MAX_JOBS=1\nQUEUE=0\nCMD_TIMEOUT=86400\n");
	assert_int_equal(conf.max_jobs, 1);
	assert_int_equal(conf.queue, 0);
	assert_int_equal(conf.cmd_timeout, 86400);
	config_free(&conf);

	test_load_ok(&conf, "MAX_JOBS='4096'\nQUEUE=65536\nCMD_TIMEOUT=1\n");
	assert_int_equal(conf.max_jobs, 4096);
	assert_int_equal(conf.queue, 65536);
	assert_int_equal(conf.cmd_timeout, 1);
	config_free(&conf);

	test_load_fails("MAX_JOBS=0\n",
	    test_why(1, "MAX_JOBS", "out of range"));
	test_load_fails("MAX_JOBS=4097\n",
	    test_why(1, "MAX_JOBS", "out of range"));
	test_load_fails("QUEUE=-1\n", test_why(1, "QUEUE", "out of range"));
	test_load_fails("CMD_TIMEOUT=86401\n",
	    test_why(1, "CMD_TIMEOUT", "out of range"));
	test_load_fails("MAX_JOBS=4x\n",
	    test_why(1, "MAX_JOBS", "not a number"));
	test_load_fails("MAX_JOBS=''\n",
	    test_why(1, "MAX_JOBS", "not a number"));
	test_load_fails("QUEUE='1 '\n", test_why(1, "QUEUE", "not a number"));
	test_load_fails("QUEUE=99999999999999999999\n",
	    test_why(1, "QUEUE", "not a number"));
	/* Fits a long but not the range: not truncated to an int. */
	test_load_fails("QUEUE=4294967296\n",
	    test_why(1, "QUEUE", "out of range"));
}

static void
test_config_size(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "MAX_OUTPUT=512k\nMAX_BODY=64\n");
	assert_int_equal(conf.max_output, 512 * 1024);
	assert_int_equal(conf.max_body, 64);
	config_free(&conf);

	test_load_ok(&conf, "MAX_OUTPUT=1G\nMAX_BODY='8M'\n");
	assert_int_equal(conf.max_output, 1 << 30);
	assert_int_equal(conf.max_body, 8 << 20);
	config_free(&conf);

	test_load_fails("MAX_BODY=63\n", test_why(1, "MAX_BODY",
	    "out of range"));
	test_load_fails("MAX_OUTPUT=0\n", test_why(1, "MAX_OUTPUT",
	    "out of range"));
	test_load_fails("MAX_OUTPUT=2G\n", test_why(1, "MAX_OUTPUT",
	    "out of range"));
	test_load_fails("MAX_OUTPUT=8X\n", test_why(1, "MAX_OUTPUT",
	    "not a size (such as 512k, 8M)"));
	test_load_fails("MAX_BODY=''\n", test_why(1, "MAX_BODY",
	    "not a size (such as 512k, 8M)"));
	test_load_fails("MAX_BODY=1MB\n", test_why(1, "MAX_BODY",
	    "not a size (such as 512k, 8M)"));
}

/* Only the exact word yes is yes; a later line wins. */
static void
test_config_yesno(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "API=yes\nDEMO_MODE='yes'\n");
	assert_int_equal(conf.sw.api, 1);
	assert_int_equal(conf.sw.demo_mode, 1);
	config_free(&conf);

	test_load_ok(&conf, "API=yes\nAPI=YES\nDEMO_MODE=no\n");
	assert_int_equal(conf.sw.api, 0);
	assert_int_equal(conf.sw.demo_mode, 0);
	config_free(&conf);

	test_load_ok(&conf, "API=''\n");
	assert_int_equal(conf.sw.api, 0);
	config_free(&conf);
}

static void
test_config_apisys(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "API_SYSTEM=2\n");
	assert_int_equal(conf.sw.api_system, 2);
	config_free(&conf);

	test_load_ok(&conf, "API_SYSTEM=''\n");
	assert_int_equal(conf.sw.api_system, 0);
	config_free(&conf);

	test_load_ok(&conf, "API_SYSTEM=x\n");
	assert_int_equal(conf.sw.api_system, 0);
	config_free(&conf);

	test_load_ok(&conf, "API_SYSTEM=1abc\n");
	assert_int_equal(conf.sw.api_system, 1);
	config_free(&conf);
}

static void
test_config_argon2_key(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "ARGON2='t=3,m=65536,p=4'\n");
	assert_int_equal(conf.argon2.t, 3);
	assert_int_equal(conf.argon2.m, 65536);
	assert_int_equal(conf.argon2.p, 4);
	config_free(&conf);

	test_load_fails("ARGON2='t=0,m=64,p=1'\n", test_why(1, "ARGON2",
	    "expected t=N,m=KIB,p=N (t>=1, m>=8*p)"));
	test_load_fails("ARGON2=fast\n", test_why(1, "ARGON2",
	    "expected t=N,m=KIB,p=N (t>=1, m>=8*p)"));
}

static void
test_config_lockout(void **)
{
	struct config	 conf;
	const char	*why =
			    "expected FAILURES/WINDOW/BAN, such as 5/600/600";

	test_load_ok(&conf, "LOCKOUT=10/60/3600\n");
	assert_string_equal(conf.lockout, "10/60/3600");
	config_free(&conf);

	test_load_ok(&conf, "LOCKOUT=1/1/1\n");
	assert_string_equal(conf.lockout, "1/1/1");
	config_free(&conf);

	test_load_fails("LOCKOUT=5/600\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=0/600/600\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=5/0/600\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=5/600/0\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=-1/600/600\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=5/600/-5\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT='5/ 600/600'\n", test_why(1, "LOCKOUT",
	    why));
	test_load_fails("LOCKOUT=5/600/600x\n", test_why(1, "LOCKOUT", why));
	test_load_fails("LOCKOUT=5/600/600/1\n", test_why(1, "LOCKOUT",
	    why));
	test_load_fails("LOCKOUT=''\n", test_why(1, "LOCKOUT", why));
}

/* USER and SOCKET_GROUP: empty, or a user (a group) this system has. */
static void
test_config_user(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "USER=''\n");
	assert_string_equal(conf.user, "");
	config_free(&conf);

	test_load_ok(&conf, "USER='nobody'\n");
	assert_string_equal(conf.user, "nobody");
	config_free(&conf);

	test_load_fails("USER=no-such-user-here\n", test_why(1, "USER",
	    "no such user"));

	test_load_ok(&conf, "SOCKET_GROUP='nogroup'\n");
	assert_string_equal(conf.socket_group, "nogroup");
	config_free(&conf);
	test_load_fails("SOCKET_GROUP=no-such-group-here\n", test_why(1,
	    "SOCKET_GROUP", "no such group"));
}

/* TLS_CERT and TLS_KEY: absolute paths, both or neither. */
static void
test_config_tls(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "TLS_CERT=''\nTLS_KEY=''\n");
	assert_string_equal(conf.tls_cert, "");
	assert_string_equal(conf.tls_key, "");
	config_free(&conf);

	test_load_ok(&conf, "TLS_CERT=/etc/apid/cert.pem\n"
	    "TLS_KEY='/etc/apid/key.pem'\n");
	assert_string_equal(conf.tls_cert, "/etc/apid/cert.pem");
	assert_string_equal(conf.tls_key, "/etc/apid/key.pem");
	config_free(&conf);

	test_load_fails("TLS_CERT=cert.pem\nTLS_KEY=/k\n",
	    test_why(1, "TLS_CERT", "must be an absolute path or empty"));
	snprintf(test_expect, sizeof test_expect,
	    "%s: TLS_CERT and TLS_KEY: set both or neither", test_path);
	test_load_fails("TLS_CERT=/etc/apid/cert.pem\n", test_expect);
	test_load_fails("TLS_KEY=/etc/apid/key.pem\n", test_expect);
}

/* TRUSTED_PROXIES: CIDRs and "unix", checked entry by entry. */
static void
test_config_proxies(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "TRUSTED_PROXIES='10.0.0.0/8, ::1,unix'\n");
	assert_string_equal(conf.trusted_proxies, "10.0.0.0/8, ::1,unix");
	config_free(&conf);

	test_load_ok(&conf, "TRUSTED_PROXIES=''\n");
	assert_string_equal(conf.trusted_proxies, "");
	config_free(&conf);

	test_load_fails("TRUSTED_PROXIES=10.0.0.0/8,10.1.2.3/8\n",
	    test_why(1, "TRUSTED_PROXIES",
	    "10.1.2.3/8: host bits set; did you mean 10.0.0.0/8?"));
	test_load_fails("TRUSTED_PROXIES=junk\n",
	    test_why(1, "TRUSTED_PROXIES",
	    "\"junk\": not an IPv4 or IPv6 address"));
	test_load_fails("TRUSTED_PROXIES=1.2.3.4/33\n",
	    test_why(1, "TRUSTED_PROXIES",
	    "1.2.3.4/33: prefix length must be 0 to 32"));
}

static void
test_config_unknown_key(void **)
{
	test_load_fails("QUEUE=1\n# FOO=1\nFOO=1\n",
	    test_why(3, "FOO", "unknown key"));
	/* Keys are case-sensitive. */
	test_load_fails("queue=1\n", test_why(1, "queue", "unknown key"));
}

/* The line number counts blank and comment lines. */
static void
test_config_lineno(void **)
{
	test_load_fails("LISTEN=a\n\n# c\n   \nMAX_JOBS=x\n",
	    test_why(5, "MAX_JOBS", "not a number"));
}

static void
test_config_quoting(void **)
{
	struct config	 conf;

	test_load_ok(&conf,
	    "# hestia-apid.conf\n"
	    "\n"
	    "LISTEN='127.0.0.1:1'   # trailing comment\n"
	    "   \n"
	    "ROOT_USER=\"root two\"\n"
	    "EXEC_PREFIX=sudo\n"
	    "\tBIN_DIR=/opt/hestia/bin # comment\n"
	    "export TMP_DIR='/var/tmp'\n"
	    "API_ALLOWED_IP=\"it's\"\n"
	    "HESTIA_CONF='/h/hestia.conf'#c\n"
	    "LOCKOUT=3/4/5");
	assert_string_equal(conf.listen, "127.0.0.1:1");
	assert_string_equal(conf.sw.root_user, "root two");
	assert_string_equal(conf.exec_prefix, "sudo");
	assert_string_equal(conf.bin_dir, "/opt/hestia/bin");
	assert_string_equal(conf.tmp_dir, "/var/tmp");
	assert_string_equal(conf.sw.allowed_ip, "it's");
	assert_string_equal(conf.hestia_conf, "/h/hestia.conf");
	assert_string_equal(conf.lockout, "3/4/5");
	config_free(&conf);
}

/* Syntax errors carry the file and line but no key. */
static void
test_config_syntax(void **)
{
	snprintf(test_expect, sizeof test_expect,
	    "%s:2: trailing text after the value", test_path);
	test_load_fails("QUEUE=1\nLISTEN='a' b\n", test_expect);
	test_load_fails("QUEUE=1\nLISTEN=a b\n", test_expect);

	snprintf(test_expect, sizeof test_expect, "%s:1: unterminated quote",
	    test_path);
	test_load_fails("LISTEN='abc\nQUEUE=1\n", test_expect);
	test_load_fails("LISTEN=\"abc'\n", test_expect);

	snprintf(test_expect, sizeof test_expect,
	    "%s:1: not a KEY=value line", test_path);
	test_load_fails("LISTEN\n", test_expect);
	test_load_fails("LISTEN = a\n", test_expect);
	test_load_fails("1LISTEN=a\n", test_expect);
}

static void
test_config_parse_size(void **)
{
	size_t	 sz;

	assert_int_equal(config_parse_size("512", &sz), 0);
	assert_int_equal(sz, 512);
	assert_int_equal(config_parse_size("0", &sz), 0);
	assert_int_equal(sz, 0);
	assert_int_equal(config_parse_size("8M", &sz), 0);
	assert_int_equal(sz, 8 << 20);
	assert_int_equal(config_parse_size("8m", &sz), 0);
	assert_int_equal(sz, 8 << 20);
	assert_int_equal(config_parse_size("1k", &sz), 0);
	assert_int_equal(sz, 1024);
	assert_int_equal(config_parse_size("1K", &sz), 0);
	assert_int_equal(sz, 1024);
	assert_int_equal(config_parse_size("2G", &sz), 0);
	assert_int_equal(sz, 2ULL << 30);
	assert_int_equal(config_parse_size("3g", &sz), 0);
	assert_int_equal(sz, 3ULL << 30);

	/* The largest that fits, and the first that does not. */
	assert_int_equal(config_parse_size("17179869183G", &sz), 0);
	assert_int_equal(sz, SIZE_MAX - ((1ULL << 30) - 1));
	sz = 42;
	assert_int_equal(config_parse_size("17179869184G", &sz), -1);
	assert_int_equal(sz, 42);
	assert_int_equal(config_parse_size("18446744073709551615", &sz), 0);
	assert_int_equal(sz, SIZE_MAX);
	sz = 42;
	assert_int_equal(config_parse_size("18446744073709551616", &sz), -1);
	assert_int_equal(config_parse_size("99999999999999999999k", &sz),
	    -1);

	assert_int_equal(config_parse_size("8X", &sz), -1);
	assert_int_equal(config_parse_size("8MB", &sz), -1);
	assert_int_equal(config_parse_size("8 M", &sz), -1);
	assert_int_equal(config_parse_size("", &sz), -1);
	assert_int_equal(config_parse_size("k", &sz), -1);
	assert_int_equal(config_parse_size("-1", &sz), -1);
	assert_int_equal(config_parse_size("+1", &sz), -1);
	assert_int_equal(config_parse_size(" 1", &sz), -1);
	assert_int_equal(sz, 42);
}

static void
test_config_parse_argon2(void **)
{
	struct argon2_cost	 c = { 9, 9, 9 };

	assert_int_equal(config_parse_argon2("t=1,m=64,p=1", &c), 0);
	assert_int_equal(c.t, 1);
	assert_int_equal(c.m, 64);
	assert_int_equal(c.p, 1);
	assert_int_equal(config_parse_argon2("p=2,t=3,m=16", &c), 0);
	assert_int_equal(c.t, 3);
	assert_int_equal(c.m, 16);
	assert_int_equal(c.p, 2);
	assert_int_equal(config_parse_argon2("t=1,m=4194304,p=64", &c), 0);
	assert_int_equal(c.m, 4194304);
	assert_int_equal(c.p, 64);

	c.t = c.m = c.p = 9;
	/* t below 1. */
	assert_int_equal(config_parse_argon2("t=0,m=64,p=1", &c), -1);
	/* m below 8 * p, just. */
	assert_int_equal(config_parse_argon2("t=1,m=15,p=2", &c), -1);
	assert_int_equal(config_parse_argon2("t=1,m=7,p=1", &c), -1);
	/* p outside 1..64, m above 4 GiB. */
	assert_int_equal(config_parse_argon2("t=1,m=64,p=0", &c), -1);
	assert_int_equal(config_parse_argon2("t=1,m=1024,p=65", &c), -1);
	assert_int_equal(config_parse_argon2("t=1,m=4194305,p=1", &c), -1);
	/* A missing part counts as 0. */
	assert_int_equal(config_parse_argon2("t=1,m=64", &c), -1);
	/* Unknown letter, missing number, junk. */
	assert_int_equal(config_parse_argon2("t=1,m=64,p=1,x=2", &c), -1);
	assert_int_equal(config_parse_argon2("t=,m=64,p=1", &c), -1);
	assert_int_equal(config_parse_argon2("t=1,m=64,p=", &c), -1);
	assert_int_equal(config_parse_argon2("t=1x,m=64,p=1", &c), -1);
	assert_int_equal(config_parse_argon2("tt=1,m=64,p=1", &c), -1);
	assert_int_equal(config_parse_argon2("t=1;m=64;p=1", &c), -1);
	assert_int_equal(config_parse_argon2("t=1,m=64,p=1,", &c), -1);
	assert_int_equal(config_parse_argon2("t=4294967296,m=64,p=1", &c),
	    -1);
	assert_int_equal(config_parse_argon2("", &c), -1);
	assert_int_equal(c.t, 9);
	assert_int_equal(c.m, 9);
	assert_int_equal(c.p, 9);
}

static void
test_config_api_system(void **)
{
	assert_int_equal(config_api_system("2"), 2);
	assert_int_equal(config_api_system("1"), 1);
	assert_int_equal(config_api_system("0"), 0);
	assert_int_equal(config_api_system(""), 0);
	assert_int_equal(config_api_system("x"), 0);
	assert_int_equal(config_api_system("1abc"), 1);
}

/* A later line replaces an earlier value (and frees it: ASan). */
static void
test_config_last_wins(void **)
{
	struct config	 conf;

	test_load_ok(&conf, "LISTEN=a\nLISTEN=b\nQUEUE=1\nQUEUE=2\n");
	assert_string_equal(conf.listen, "b");
	assert_int_equal(conf.queue, 2);
	config_free(&conf);
}

/* A copy of the switches owns its own strings. */
static void
test_config_switches_copy(void **)
{
	struct hestia_switches	 from, to;

	memset(&to, 0, sizeof to);
	from.api = 1;
	from.api_system = 2;
	from.demo_mode = 1;
	from.allowed_ip = xstrdup("1.2.3.4");
	from.root_user = xstrdup("root");
	hestia_switches_copy(&to, &from);
	hestia_switches_free(&from);
	assert_null(from.allowed_ip);
	assert_null(from.root_user);
	assert_int_equal(to.api, 1);
	assert_int_equal(to.api_system, 2);
	assert_int_equal(to.demo_mode, 1);
	assert_string_equal(to.allowed_ip, "1.2.3.4");
	assert_string_equal(to.root_user, "root");

	/* Copying over a filled struct frees what it held (ASan). */
	from.api = 0;
	from.api_system = 0;
	from.demo_mode = 0;
	from.allowed_ip = xstrdup("");
	from.root_user = xstrdup("admin");
	hestia_switches_copy(&to, &from);
	assert_int_equal(to.api, 0);
	assert_string_equal(to.root_user, "admin");
	assert_true(to.root_user != from.root_user);
	hestia_switches_free(&from);
	hestia_switches_free(&to);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_missing),
		cmocka_unit_test(test_config_missing_ok_reads),
		cmocka_unit_test(test_config_string),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_config_path_empty),
		cmocka_unit_test(test_config_int),
		cmocka_unit_test(test_config_size),
		cmocka_unit_test(test_config_yesno),
		cmocka_unit_test(test_config_apisys),
		cmocka_unit_test(test_config_argon2_key),
		cmocka_unit_test(test_config_lockout),
		cmocka_unit_test(test_config_user),
		cmocka_unit_test(test_config_tls),
		cmocka_unit_test(test_config_proxies),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_config_lineno),
		cmocka_unit_test(test_config_quoting),
		cmocka_unit_test(test_config_syntax),
		cmocka_unit_test(test_config_parse_size),
		cmocka_unit_test(test_config_parse_argon2),
		cmocka_unit_test(test_config_api_system),
		cmocka_unit_test(test_config_last_wins),
		cmocka_unit_test(test_config_switches_copy),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
