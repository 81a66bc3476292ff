/* SPDX-License-Identifier: GPL-3.0-or-later */
/* privsep.cc: messages through a real SOCK_SEQPACKET pair, with
 * descriptors; every malformed shape refused, no descriptor leaked. */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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
#include "privsep.h"

static int	 sv[2];
static char	 buf[PRIV_MSG_MAX + 1];

static int
open_fds(void)
{
	int	 n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static int
setup(void **)
{
	return priv_socketpair(sv);
}

static int
teardown(void **)
{
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Send raw bytes (a header we build by hand) with nfds copies of fd. */
static void
send_raw(const void *data, size_t len, int fd, int nfds)
{
	struct iovec	 iov = { (void *)data, len };
	struct msghdr	 mh = {};
	union {
		struct cmsghdr	 h;
		char		 b[CMSG_SPACE(8 * sizeof(int))];
	} cm = {};
	int		 fds[8];

	for (int i = 0; i < nfds; i++)
		fds[i] = fd;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cm.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(&cm.h), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)len);
}

/* Receive and parse; returns priv_parse's result, fds closed after. */
static int
recv_parse(struct priv_msg *msg, const char **why)
{
	int	 fds[PRIV_FDS_MAX + 1], nfds, rv;
	ssize_t	 n;

	n = priv_recv(sv[1], buf, sizeof buf, fds, &nfds, MSG_DONTWAIT);
	if (n <= 0) {
		assert_int_equal(nfds, 0);
		*why = "recv";
		return -1;
	}
	rv = priv_parse(buf, (size_t)n, fds, nfds, msg, why);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return rv;
}

static void
test_privsep_names(void **)
{
	char	 longname[PRIV_NAME_MAX + 2];

	assert_true(priv_name_ok("v-list-users"));
	assert_true(priv_name_ok("v_A-9"));
	assert_false(priv_name_ok(""));
	assert_false(priv_name_ok("../v-x"));
	assert_false(priv_name_ok("v-x.sh"));
	assert_false(priv_name_ok("v x"));
	assert_false(priv_name_ok("/bin/sh"));
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(priv_name_ok(longname));
	longname[PRIV_NAME_MAX] = '\0';
	assert_true(priv_name_ok(longname));
}

static void
test_privsep_spawn_roundtrip(void **)
{
	char		 a0[] = "admin", a1[] = "", a2[] = "x y;$(id)";
	char		*args[] = { a0, a1, a2 };
	char		 payload[PRIV_PAYLOAD_MAX];
	struct priv_msg	 msg;
	const char	*why = nullptr;
	ssize_t		 len;

	len = priv_spawn_payload(payload, "v-list-users", args, 3);
	assert_int_equal(len, 13 + 6 + 1 + 10);
	assert_int_equal(priv_send(sv[0], PRIV_SPAWN, 42, 3, payload,
	    (size_t)len, nullptr, 0), 0);
	assert_int_equal(recv_parse(&msg, &why), 0);
	assert_int_equal(msg.hdr.type, PRIV_SPAWN);
	assert_int_equal(msg.hdr.id, 42);
	assert_string_equal(msg.name, "v-list-users");
	assert_int_equal(msg.nargs, 3);
	assert_string_equal(msg.args[0], "admin");
	assert_string_equal(msg.args[1], "");
	assert_string_equal(msg.args[2], "x y;$(id)");
}

static void
test_privsep_spawn_too_long(void **)
{
	char		*big, *args[1];
	static char	 payload[PRIV_PAYLOAD_MAX];

	big = (char *)xmalloc(PRIV_PAYLOAD_MAX);
	memset(big, 'a', PRIV_PAYLOAD_MAX - 1);
	big[PRIV_PAYLOAD_MAX - 1] = '\0';
	args[0] = big;
	assert_int_equal(priv_spawn_payload(payload, "v-x", args, 1), -1);
	assert_int_equal(priv_spawn_payload(payload, "v-x", args,
	    PRIV_ARGS_MAX + 1), -1);
	assert_int_equal(priv_send(sv[0], PRIV_SPAWN, 1, 0, big,
	    PRIV_PAYLOAD_MAX + 1, nullptr, 0), -1);
	assert_int_equal(errno, EMSGSIZE);
	free(big);
}

/* Each malformed spawn payload is refused with its reason. */
static void
test_privsep_spawn_malformed(void **)
{
	static const struct {
		int32_t		 nargs;
		const char	*payload;
		size_t		 len;
		const char	*why;
	} cases[] = {
		{ 1, "v-x\0a", 5, "fewer arguments than announced" },
		{ 0, "v-x\0a\0", 6, "more arguments than announced" },
		{ 2, "v-x\0a\0", 6, "fewer arguments than announced" },
		{ 0, "", 0, "fewer arguments than announced" },
		{ 0, "../x\0", 5, "bad command name" },
		{ 0, "\0", 1, "bad command name" },
		{ -1, "v-x\0", 4, "argument count out of range" },
		{ PRIV_ARGS_MAX + 1, "v-x\0", 4,
		    "argument count out of range" },
	};
	struct priv_msg	 msg;
	const char	*why;

	for (size_t i = 0; i < nitems(cases); i++) {
		assert_int_equal(priv_send(sv[0], PRIV_SPAWN, 1,
		    cases[i].nargs, cases[i].payload, cases[i].len, nullptr,
		    0), 0);
		why = nullptr;
		assert_int_equal(recv_parse(&msg, &why), -1);
		assert_string_equal(why, cases[i].why);
	}
}

static void
test_privsep_header_malformed(void **)
{
	struct priv_hdr	 h = { PRIV_KILL, 1, SIGTERM, 0 };
	struct priv_msg	 msg;
	const char	*why;
	char		 raw[64] = {};

	send_raw(&h, sizeof h - 1, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "short message");

	h.len = 4;		/* says 4, carries none */
	send_raw(&h, sizeof h, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "bad payload length");

	h.len = 0;		/* says none, carries 4 */
	memcpy(raw, &h, sizeof h);
	send_raw(raw, sizeof h + 4, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "bad payload length");

	h.type = 0;
	send_raw(&h, sizeof h, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "unknown message type");

	h.type = PRIV_TYPE_LAST + 1;
	send_raw(&h, sizeof h, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "unknown message type");

	h.type = PRIV_KILL;
	h.value = SIGSTOP;
	send_raw(&h, sizeof h, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "signal not allowed");

	h.type = PRIV_EXITED;
	h.len = 3;
	memcpy(raw, &h, sizeof h);
	send_raw(raw, sizeof h + 3, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "payload where none belongs");

	h.type = PRIV_FAILED;
	h.len = 3;
	memcpy(raw, &h, sizeof h);
	memcpy(raw + sizeof h, "a\0b", 3);
	send_raw(raw, sizeof h + 3, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "NUL in a text");

	h.type = PRIV_OPEN;	/* a path, absolute, and nothing else */
	h.len = 3;
	memcpy(raw, &h, sizeof h);
	memcpy(raw + sizeof h, "etc", 3);
	send_raw(raw, sizeof h + 3, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "not an absolute path");
	h.len = 0;
	send_raw(&h, sizeof h, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "not an absolute path");
	h.len = 5;
	memcpy(raw, &h, sizeof h);
	memcpy(raw + sizeof h, "/a\0/b", 5);
	send_raw(raw, sizeof h + 5, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), -1);
	assert_string_equal(why, "NUL in a text");
	memcpy(raw + sizeof h, "/etcx", 5);
	send_raw(raw, sizeof h + 5, -1, 0);
	assert_int_equal(recv_parse(&msg, &why), 0);
	assert_string_equal(msg.payload, "/etcx");
}

/* Descriptors: exactly as many as the type carries, and none leaks on
 * any refusal, however many came. */
static void
test_privsep_fd_counts(void **)
{
	struct priv_hdr	 h = { PRIV_STARTED, 3, 100, 0 };
	struct priv_msg	 msg;
	const char	*why;
	int		 null, before, fds[PRIV_FDS_MAX + 1], nfds;

	assert_true((null = open("/dev/null", O_RDONLY)) >= 0);
	before = open_fds();
	for (int n = 0; n <= 6; n++) {
		send_raw(&h, sizeof h, null, n);
		why = nullptr;
		assert_int_equal(recv_parse(&msg, &why), n == 2 ? 0 : -1);
		if (n != 2 && n <= PRIV_FDS_MAX)
			assert_string_equal(why,
			    "wrong number of descriptors");
		assert_int_equal(open_fds(), before);
	}
	h.type = PRIV_FILES;
	for (int v = -1; v <= 4; v++) {
		h.value = v;
		send_raw(&h, sizeof h, null, v < 0 ? 0 : v);
		assert_int_equal(recv_parse(&msg, &why),
		    v >= 1 && v <= 3 ? 0 : -1);
		assert_int_equal(open_fds(), before);
	}
	/* A spawn request never carries one. */
	h.type = PRIV_SPAWN;
	h.value = 0;
	h.len = 4;
	{
		char	 raw[sizeof h + 4];

		memcpy(raw, &h, sizeof h);
		memcpy(raw + sizeof h, "v-x", 4);
		send_raw(raw, sizeof raw, null, 1);
		assert_int_equal(recv_parse(&msg, &why), -1);
		assert_string_equal(why, "wrong number of descriptors");
	}
	/* An empty datagram with descriptors is an error, not EOF. */
	send_raw("", 0, null, 2);
	assert_int_equal(priv_recv(sv[1], buf, sizeof buf, fds, &nfds,
	    MSG_DONTWAIT), -1);
	assert_int_equal(nfds, 0);
	assert_int_equal(open_fds(), before);
	close(null);
}

/* The descriptors that arrive are usable and close-on-exec. */
static void
test_privsep_fds_pass(void **)
{
	struct priv_msg	 msg;
	const char	*why;
	int		 p[2], fds[PRIV_FDS_MAX + 1], nfds;
	char		 c = 0;
	ssize_t		 n;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(priv_send(sv[0], PRIV_STARTED, 5, 99, nullptr, 0,
	    p, 2), 0);
	n = priv_recv(sv[1], buf, sizeof buf, fds, &nfds, MSG_DONTWAIT);
	assert_true(n > 0);
	assert_int_equal(priv_parse(buf, (size_t)n, fds, nfds, &msg, &why),
	    0);
	assert_int_equal(msg.hdr.value, 99);
	assert_int_equal(msg.nfds, 2);
	assert_true(fcntl(msg.fds[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(msg.fds[1], "z", 1), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'z');
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(msg.fds[i]);
	}
}

/* EOF is 0, so the helper can tell the network side is gone. */
static void
test_privsep_eof(void **)
{
	int	 fds[PRIV_FDS_MAX + 1], nfds;

	close(sv[0]);
	assert_int_equal(priv_recv(sv[1], buf, sizeof buf, fds, &nfds,
	    MSG_DONTWAIT), 0);
	close(sv[1]);
	assert_int_equal(priv_socketpair(sv), 0);	/* for teardown */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privsep_names),
		cmocka_unit_test_setup_teardown(test_privsep_spawn_roundtrip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_spawn_too_long,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_spawn_malformed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_header_malformed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_fd_counts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_fds_pass,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_privsep_eof,
		    setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
