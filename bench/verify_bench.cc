/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One argon2id verification at the default cost against one hit of the
 * verification cache (verify_cached), measured interleaved in the same run;
 * reports medians and their ratio, and never fails on a figure. */

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "config.h"
#include "key.h"
#include "verify.h"

#define BENCH_MAXROUNDS	101
#define BENCH_CACHED	100000		/* verify_cached calls in all */
#define BENCH_CHUNK	1000		/* cached calls timed at a time */

/* verify.cc and log.cc live in libapid.a; the daemon's global is in
 * apid.o, which a bench does not link. */
struct apid_env		*env;

static int		 bench_done;
static int		 bench_ok;

static double
bench_clock(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double
bench_now(void)
{
	return bench_clock(CLOCK_MONOTONIC);
}

static int
bench_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
bench_median(const double *v, size_t n)
{
	double	*s, m;

	s = XCALLOCARRAY(n, double);
	memcpy(s, v, n * sizeof *v);
	qsort(s, n, sizeof *s, bench_cmp);
	m = s[n / 2];
	free(s);
	return m;
}

static void
bench_verify_cb(int result, void *)
{
	bench_ok = result == VERIFY_OK;
	bench_done = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: verify_bench [-r rounds] [-c cost]\n"
	    "  -r rounds  argon2 verifications, interleaved with the %d "
	    "cached calls (15)\n"
	    "  -c cost    t=N,m=KIB,p=N (t=2,m=19456,p=1, the default)\n",
	    BENCH_CACHED);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct argon2_cost	 cost = { 2, 19456, 1 };
	struct event_base	*base;
	char			 id[KEY_ID_LEN + 1], secret[KEY_SECRET_LEN + 1];
	char			 wrong[KEY_SECRET_LEN + 1];
	char			*encoded, *cause = nullptr, *end;
	double			 argon_ns[BENCH_MAXROUNDS], *chunk_ns, t0, c0;
	double			 argon_cpu[BENCH_MAXROUNDS];
	double			 argon_med, argon_min, argon_max;
	double			 cached_med;
	long			 v;
	size_t			 nchunks = BENCH_CACHED / BENCH_CHUNK;
	size_t			 c, i, per, hits = 0, misses = 0;
	struct verify_req	 vr;
	int			 ch, rounds = 15, r, busy = 0;

	while ((ch = getopt(argc, argv, "c:hr:")) != -1) {
		switch (ch) {
		case 'c':
			if (config_parse_argon2(optarg, &cost) == -1)
				errx(2, "-c %s: expected t=N,m=KIB,p=N",
				    optarg);
			break;
		case 'r':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > BENCH_MAXROUNDS)
				errx(2, "-r %s: 1 to %d", optarg,
				    BENCH_MAXROUNDS);
			rounds = (int)v;
			break;
		default:
			usage();
		}
	}
	log_init(1, 0, "verify_bench");

	if (key_random(id, KEY_ID_LEN, KEY_ID_ALPHABET) == -1 ||
	    key_random(secret, KEY_SECRET_LEN, KEY_SECRET_ALPHABET) == -1)
		errx(1, "key_random failed");
	memcpy(wrong, secret, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	if ((encoded = key_hash(secret, &cost, &cause)) == nullptr)
		errx(1, "key_hash: %s", cause != nullptr ? cause : "failed");
	if (key_verify(encoded, secret) != 1 || key_verify(encoded, wrong) != 0)
		errx(1, "key_verify does not tell the secret from another");

	/* The cache is filled the way the daemon fills it: one verification
	 * on a worker thread, whose result the loop stores. */
	if ((base = event_base_new()) == nullptr)
		errx(1, "event_base_new failed");
	if (verify_init(base, 1, 1, 1, nullptr) == -1)
		errx(1, "verify_init failed");
	memset(&vr, 0, sizeof vr);
	vr.id = id;
	vr.encoded = encoded;
	vr.secret = secret;
	vr.addr = vr.client = vr.who = "bench";
	if (verify_start(&vr, bench_verify_cb, nullptr, &busy) == nullptr)
		errx(1, "verify_start: busy");
	while (!bench_done)
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			errx(1, "event_base_loop failed");
	if (!bench_ok)
		errx(1, "verify_start: the secret did not verify");
	if (verify_cached(id, encoded, secret) != 1)
		errx(1, "verify_cached: no hit after a verification");
	if (verify_cached(id, encoded, wrong) != 0)
		errx(1, "verify_cached: a hit for a wrong secret");

	/* Interleaved: each round times one argon2 verification and then its
	 * share of the cached calls, in chunks timed on their own, so that a
	 * drift of the machine touches both; medians over rounds and chunks. */
	chunk_ns = XCALLOCARRAY(nchunks, double);
	c = 0;
	for (r = 0; r < rounds; r++) {
		c0 = bench_clock(CLOCK_THREAD_CPUTIME_ID);
		t0 = bench_now();
		if (key_verify(encoded, secret) != 1)
			errx(1, "key_verify failed in round %d", r + 1);
		argon_ns[r] = bench_now() - t0;
		argon_cpu[r] = bench_clock(CLOCK_THREAD_CPUTIME_ID) - c0;
		per = (nchunks - c) / (size_t)(rounds - r);
		for (; per > 0; per--, c++) {
			t0 = bench_now();
			for (i = 0; i < BENCH_CHUNK; i++) {
				if (verify_cached(id, encoded, secret))
					hits++;
				else
					misses++;
			}
			chunk_ns[c] = (bench_now() - t0) / BENCH_CHUNK;
		}
	}
	if (misses != 0)
		errx(1, "verify_cached missed %zu of %zu calls (the cache "
		    "expired?)", misses, hits + misses);

	argon_med = bench_median(argon_ns, (size_t)rounds);
	argon_min = argon_max = argon_ns[0];
	for (r = 1; r < rounds; r++) {
		if (argon_ns[r] < argon_min)
			argon_min = argon_ns[r];
		if (argon_ns[r] > argon_max)
			argon_max = argon_ns[r];
	}
	cached_med = bench_median(chunk_ns, nchunks);
	printf("verify bench: argon2id t=%u m=%u p=%u, %d verifications "
	    "interleaved with %d cached calls (chunks of %d)\n",
	    cost.t, cost.m, cost.p, rounds, BENCH_CACHED, BENCH_CHUNK);
	printf("  key_verify     median %10.3f ms per call (min %.3f, max "
	    "%.3f)\n", argon_med / 1e6, argon_min / 1e6, argon_max / 1e6);
	/* Wall time counts the waits of a shared machine; CPU time not. */
	printf("  key_verify     median %10.3f ms of CPU per call\n",
	    bench_median(argon_cpu, (size_t)rounds) / 1e6);
	printf("  verify_cached  median %10.3f us per call\n",
	    cached_med / 1e3);
	printf("verify: argon2_ms=%.2f cached_us=%.3f speedup=%.0f\n",
	    argon_med / 1e6, cached_med / 1e3, argon_med / cached_med);

	verify_shutdown();
	event_base_free(base);
	key_wipe(secret);
	free(encoded);
	free(chunk_ns);
	return 0;
}
