/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tls.cc: load a certificate and key made at test time, refuse bad ones
 * while the context in force stays, and serve a handshake with it. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "tls.h"

static char		 test_top[] = "/tmp/test_tls.XXXXXX";
static char		 test_cert1[256], test_key1[256];
static char		 test_cert2[256], test_key2[256];
static char		 test_missing[256], test_garbage[256];
static struct event_base *test_base;

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

/* A self-signed certificate for CN=cn, with its key. */
static int
test_make_cert(const char *cn, const char *cert, const char *key)
{
	char	 cmd[1024], line[256];
	FILE	*f;

	snprintf(cmd, sizeof cmd, "openssl req -x509 -newkey rsa:2048 -nodes "
	    "-keyout '%s' -out '%s' -days 2 -subj '/CN=%s' 2>&1", key, cert,
	    cn);
	if ((f = popen(cmd, "r")) == nullptr)
		return -1;
	while (fgets(line, sizeof line, f) != nullptr)
		;	/* openssl's progress dots */
	if (pclose(f) != 0)
		return -1;
	return access(cert, R_OK) == 0 && access(key, R_OK) == 0 ? 0 : -1;
}

static int
test_group_setup(void **)
{
	FILE	*f;

	if (mkdtemp(test_top) == nullptr)
		return -1;
	snprintf(test_cert1, sizeof test_cert1, "%s/cert1.pem", test_top);
	snprintf(test_key1, sizeof test_key1, "%s/key1.pem", test_top);
	snprintf(test_cert2, sizeof test_cert2, "%s/cert2.pem", test_top);
	snprintf(test_key2, sizeof test_key2, "%s/key2.pem", test_top);
	snprintf(test_missing, sizeof test_missing, "%s/missing.pem",
	    test_top);
	snprintf(test_garbage, sizeof test_garbage, "%s/garbage.pem",
	    test_top);
	if (test_make_cert("test-one", test_cert1, test_key1) == -1 ||
	    test_make_cert("test-two", test_cert2, test_key2) == -1)
		return -1;
	if ((f = fopen(test_garbage, "w")) == nullptr)
		return -1;
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
	    "-----END CERTIFICATE-----\n", f);
	fclose(f);
	if ((test_base = event_base_new()) == nullptr)
		return -1;
	return 0;
}

static int
test_group_teardown(void **)
{
	tls_free();
	event_base_free(test_base);
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int
test_teardown(void **)
{
	tls_free();
	return 0;
}

static void
test_load_ok(const char *cert, const char *key)
{
	char	*cause = nullptr;

	if (tls_load(cert, key, &cause) == -1)
		fail_msg("tls_load %s %s: %s", cert, key, cause);
	assert_null(cause);
	assert_int_equal(tls_enabled(), 1);
}

/* A refusal whose cause names the key of the config and the file. */
static void
test_load_fails(const char *cert, const char *key, const char *what,
    const char *path)
{
	char	*cause = nullptr;

	assert_int_equal(tls_load(cert, key, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, what));
	assert_non_null(strstr(cause, path));
	free(cause);
	/* Nothing left on OpenSSL's queue for the next caller. */
	assert_int_equal(ERR_peek_error(), 0);
}

/* The CN of the certificate a new server connection would present. */
static void
test_served_cn(const char *want)
{
	struct bufferevent	*bev;
	SSL			*ssl;
	X509			*x;
	char			 cn[128];

	assert_non_null(bev = tls_bevcb(test_base, nullptr));
	assert_non_null(ssl = bufferevent_openssl_get_ssl(bev));
	assert_non_null(x = SSL_get_certificate(ssl));
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof cn) > 0);
	assert_string_equal(cn, want);
	/* TLS 1.2 at least. */
	assert_int_equal(SSL_get_min_proto_version(ssl), TLS1_2_VERSION);
	bufferevent_free(bev);
}

static void
test_tls_off(void **)
{
	assert_int_equal(tls_enabled(), 0);
	tls_free();
	assert_int_equal(tls_enabled(), 0);
}

static void
test_tls_load(void **)
{
	test_load_ok(test_cert1, test_key1);
	test_served_cn("test-one");
	tls_free();
	assert_int_equal(tls_enabled(), 0);
}

static void
test_tls_missing(void **)
{
	test_load_fails(test_missing, test_key1, "TLS_CERT", test_missing);
	assert_int_equal(tls_enabled(), 0);
	test_load_fails(test_cert1, test_missing, "TLS_KEY", test_missing);
	assert_int_equal(tls_enabled(), 0);
}

static void
test_tls_garbage(void **)
{
	test_load_fails(test_garbage, test_key1, "TLS_CERT", test_garbage);
	test_load_fails(test_cert1, test_garbage, "TLS_KEY", test_garbage);
	/* A key is not a certificate, nor the other way round. */
	test_load_fails(test_key1, test_key1, "TLS_CERT", test_key1);
	test_load_fails(test_cert1, test_cert1, "TLS_KEY", test_cert1);
	assert_int_equal(tls_enabled(), 0);
}

/* Each is good alone; together they do not match. */
static void
test_tls_mismatch(void **)
{
	test_load_fails(test_cert1, test_key2, "TLS_KEY", test_key2);
	assert_int_equal(tls_enabled(), 0);
	test_load_fails(test_cert2, test_key1, "TLS_KEY", test_key1);
	assert_int_equal(tls_enabled(), 0);
	test_load_ok(test_cert2, test_key2);
	test_served_cn("test-two");
}

/* A reload that fails keeps the context in force; one that works
 * replaces it. */
static void
test_tls_reload(void **)
{
	test_load_ok(test_cert1, test_key1);
	test_served_cn("test-one");
	test_load_fails(test_cert1, test_key2, "TLS_KEY", test_key2);
	assert_int_equal(tls_enabled(), 1);
	test_served_cn("test-one");
	test_load_fails(test_missing, test_key2, "TLS_CERT", test_missing);
	assert_int_equal(tls_enabled(), 1);
	test_served_cn("test-one");
	test_load_ok(test_cert2, test_key2);
	test_served_cn("test-two");
	test_load_ok(test_cert1, test_key1);
	test_served_cn("test-one");
}

/* A connection made before a reload keeps its context. */
static void
test_tls_reload_open_connection(void **)
{
	struct bufferevent	*bev;
	SSL			*ssl;
	X509			*x;
	char			 cn[128];

	test_load_ok(test_cert1, test_key1);
	assert_non_null(bev = tls_bevcb(test_base, nullptr));
	test_load_ok(test_cert2, test_key2);
	tls_free();
	assert_non_null(ssl = bufferevent_openssl_get_ssl(bev));
	assert_non_null(x = SSL_get_certificate(ssl));
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof cn) > 0);
	assert_string_equal(cn, "test-one");
	bufferevent_free(bev);
}

struct test_conn {
	int	 connected;
	int	 error;
};

static void
test_event_cb(struct bufferevent *, short what, void *arg)
{
	struct test_conn	*c = (struct test_conn *)arg;

	if (what & BEV_EVENT_CONNECTED)
		c->connected = 1;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
		c->error = 1;
}

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A real handshake over a socket pair: the server side is tls_bevcb's,
 * the client a plain OpenSSL one pumped by hand. */
static void
test_tls_handshake(void **)
{
	struct test_conn	 c = {};
	struct bufferevent	*bev;
	SSL_CTX			*cctx;
	SSL			*cssl;
	X509			*peer;
	char			 cn[128];
	double			 deadline;
	int			 sv[2], rc = -1, err;

	test_load_ok(test_cert1, test_key1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);

	assert_non_null(bev = tls_bevcb(test_base, nullptr));
	assert_int_equal(bufferevent_setfd(bev, sv[0]), 0);
	bufferevent_setcb(bev, nullptr, nullptr, test_event_cb, &c);
	assert_int_equal(bufferevent_enable(bev, EV_READ | EV_WRITE), 0);

	assert_non_null(cctx = SSL_CTX_new(TLS_client_method()));
	assert_non_null(cssl = SSL_new(cctx));
	SSL_set_fd(cssl, sv[1]);
	SSL_set_connect_state(cssl);
	deadline = test_now() + 30;
	while (test_now() < deadline && !c.error) {
		if (rc != 1) {
			rc = SSL_do_handshake(cssl);
			err = SSL_get_error(cssl, rc);
			if (rc != 1 && err != SSL_ERROR_WANT_READ &&
			    err != SSL_ERROR_WANT_WRITE)
				break;
		}
		if (rc == 1 && c.connected)
			break;
		event_base_loop(test_base, EVLOOP_NONBLOCK);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(c.connected, 1);
	assert_int_equal(c.error, 0);
	assert_true(SSL_version(cssl) >= TLS1_2_VERSION);
	assert_non_null(peer = SSL_get_peer_certificate(cssl));
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
	    NID_commonName, cn, sizeof cn) > 0);
	assert_string_equal(cn, "test-one");
	X509_free(peer);

	SSL_free(cssl);
	SSL_CTX_free(cctx);
	close(sv[1]);
	bufferevent_free(bev);
}

/* A client that offers only TLS 1.1 is refused. */
static void
test_tls_old_client(void **)
{
	struct test_conn	 c = {};
	struct bufferevent	*bev;
	SSL_CTX			*cctx;
	SSL			*cssl;
	double			 deadline;
	int			 sv[2], rc = -1, err;

	test_load_ok(test_cert1, test_key1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	assert_non_null(bev = tls_bevcb(test_base, nullptr));
	assert_int_equal(bufferevent_setfd(bev, sv[0]), 0);
	bufferevent_setcb(bev, nullptr, nullptr, test_event_cb, &c);
	assert_int_equal(bufferevent_enable(bev, EV_READ | EV_WRITE), 0);

	assert_non_null(cctx = SSL_CTX_new(TLS_client_method()));
	SSL_CTX_set_security_level(cctx, 0);
	SSL_CTX_set_min_proto_version(cctx, TLS1_1_VERSION);
	SSL_CTX_set_max_proto_version(cctx, TLS1_1_VERSION);
	assert_non_null(cssl = SSL_new(cctx));
	SSL_set_fd(cssl, sv[1]);
	SSL_set_connect_state(cssl);
	deadline = test_now() + 30;
	while (test_now() < deadline && !c.error) {
		rc = SSL_do_handshake(cssl);
		err = SSL_get_error(cssl, rc);
		if (rc == 1 || (err != SSL_ERROR_WANT_READ &&
		    err != SSL_ERROR_WANT_WRITE))
			break;
		event_base_loop(test_base, EVLOOP_NONBLOCK);
	}
	assert_int_not_equal(rc, 1);
	assert_int_equal(c.connected, 0);
	ERR_clear_error();

	SSL_free(cssl);
	SSL_CTX_free(cctx);
	close(sv[1]);
	bufferevent_free(bev);
}

#define TEST(f)	cmocka_unit_test_teardown(f, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_tls_off),
		TEST(test_tls_load),
		TEST(test_tls_missing),
		TEST(test_tls_garbage),
		TEST(test_tls_mismatch),
		TEST(test_tls_reload),
		TEST(test_tls_reload_open_connection),
		TEST(test_tls_handshake),
		TEST(test_tls_old_client),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
