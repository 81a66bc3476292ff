/* SPDX-License-Identifier: GPL-3.0-or-later */
/* listener.cc: LISTEN's syntax, and addresses held by a process, named. */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "listener.h"

static char	 test_dir[] = "/tmp/test_listener.XXXXXX";
static char	 test_sock[128];

static int
test_group_setup(void **)
{
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_sock, sizeof test_sock, "%s/l.sock", test_dir);
	return 0;
}

static int
test_group_teardown(void **)
{
	unlink(test_sock);
	rmdir(test_dir);
	return 0;
}

static void
test_split_ok(const char *spec, const char *host, int port)
{
	char	 h[64];
	int	 p = -1;

	assert_int_equal(listener_split(spec, h, sizeof h, &p), 0);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

static void
test_listener_split(void **)
{
	char	 h[64];
	int	 p;

	test_split_ok("127.0.0.1:8083", "127.0.0.1", 8083);
	test_split_ok("[::1]:0", "::1", 0);
	test_split_ok("localhost:65535", "localhost", 65535);
	assert_int_equal(listener_split("127.0.0.1", h, sizeof h, &p), -1);
	assert_int_equal(listener_split(":80", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("a:", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("a:65536", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("a:-1", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("a:8x", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("[::1:80", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("[::1]80", h, sizeof h, &p), -1);
	assert_int_equal(listener_split("abcdefgh:1", h, 8, &p), -1);
}

/* "LISTEN: spec: in use by test_listener (pid N)": this program holds. */
static void
test_held_by_us(const char *spec)
{
	char	 want[256], *cause = nullptr;

	snprintf(want, sizeof want, "LISTEN: %s: in use by test_listener "
	    "(pid %ld)", spec, (long)getpid());
	assert_int_equal(listener_check(spec, &cause), LISTENER_TAKEN);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_listener_tcp(void **)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			 spec[64], *cause = nullptr;
	int			 fd;

	assert_int_equal(listener_check("127.0.0.1:0", &cause),
	    LISTENER_FREE);
	assert_null(cause);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(spec, sizeof spec, "127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(listen(fd, 1), 0);
	test_held_by_us(spec);
	/* The wildcard address overlaps every address of the port. */
	snprintf(spec, sizeof spec, "0.0.0.0:%d", ntohs(sin.sin_port));
	test_held_by_us(spec);
	close(fd);
	snprintf(spec, sizeof spec, "127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(listener_check(spec, &cause), LISTENER_FREE);
	assert_null(cause);
}

static void
test_listener_unix(void **)
{
	struct sockaddr_un	 sun;
	char			 spec[160], *cause = nullptr;
	int			 fd;

	snprintf(spec, sizeof spec, "unix:%s", test_sock);
	assert_int_equal(listener_check(spec, &cause), LISTENER_FREE);
	assert_null(cause);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	assert_true(strlen(test_sock) < sizeof sun.sun_path);
	memcpy(sun.sun_path, test_sock, strlen(test_sock));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(fd, 1), 0);
	test_held_by_us(spec);
	/* Closed, the file stays and answers nobody: binding replaces it. */
	close(fd);
	assert_int_equal(access(test_sock, F_OK), 0);
	assert_int_equal(listener_check(spec, &cause), LISTENER_FREE);
	assert_null(cause);
}

static void
test_listener_bad(void **)
{
	char	 spec[200], want[256], *cause = nullptr;

	assert_int_equal(listener_check("8083", &cause), -1);
	assert_string_equal(cause, "LISTEN: 8083: expected HOST:PORT, "
	    "[V6]:PORT or unix:/path");
	free(cause);
	assert_int_equal(listener_check("unix:api.sock", &cause), -1);
	assert_string_equal(cause, "LISTEN: unix:api.sock: need an absolute "
	    "path of at most 107 bytes");
	free(cause);
	snprintf(spec, sizeof spec, "unix:%s", test_dir);
	snprintf(want, sizeof want, "LISTEN: %s: exists and is not a socket",
	    spec);
	assert_int_equal(listener_check(spec, &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
	/* TEST-NET-1 is on no interface of this host. */
	snprintf(want, sizeof want, "LISTEN: 192.0.2.1:8083: cannot bind: %s",
	    strerror(EADDRNOTAVAIL));
	assert_int_equal(listener_check("192.0.2.1:8083", &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listener_split),
		cmocka_unit_test(test_listener_tcp),
		cmocka_unit_test(test_listener_unix),
		cmocka_unit_test(test_listener_bad),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
