/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hestia-apid: serves Hestia's REST API from one event loop. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "apid.h"
#include "allow.h"
#include "audit.h"
#include "authlog.h"
#include "config.h"
#include "db.h"
#include "hconf.h"
#include "http.h"
#include "job.h"
#include "priv.h"
#include "lockout.h"
#include "spawn.h"
#include "verify.h"

#define APID_KILL_GRACE		5	/* s between SIGTERM and SIGKILL */
#define APID_MAX_STDERR		(64 * 1024)
#define APID_LOCKOUT_ENTRIES	8192	/* addresses tracked at once */
#define APID_STOP_WAIT		30	/* s to let commands end at SIGTERM */
#define APID_VERIFY_PER_THREAD	8	/* runs queued or running, per worker */
#define APID_VERIFY_PER_ADDR	4	/* ... and from one client address */

struct apid_env		*env;
static struct apid_env	 apid_env_storage;
static struct config	 apid_conf;
static struct event	*apid_stop_timer;
static int		 apid_stopping;

[[noreturn]] static void
apid_usage(int code)
{
	fprintf(code == 0 ? stdout : stderr, "usage: hestia-apid [-dhnv] [-f file] "
	    "[-p portfile]\n"
	    "  -d           stay in the foreground, log to stderr\n"
	    "  -f file      configuration (default %s)\n"
	    "  -h           this help\n"
	    "  -n           check the configuration and exit\n"
	    "  -p portfile  write HOST:PORT of each listener, a line each\n"
	    "  -v           verbose (debug) logging\n", CONFIG_DEFAULT_PATH);
	exit(code);
}

/* Idle and slow clients each hold a descriptor: allow as many as the
 * hard limit does, so that they cannot starve everyone else. */
static void
apid_raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
apid_lockout(const struct config *conf)
{
	struct lockout_conf	 lc;

	if (lockout_parse(conf->lockout, &lc) == 0)
		lockout_init(&lc, APID_LOCKOUT_ENTRIES);
}

static void
apid_limits(struct job_limits *lim, const struct config *conf)
{
	lim->max_jobs = conf->max_jobs;
	lim->queue = conf->queue;
	lim->timeout = conf->cmd_timeout;
	lim->kill_grace = APID_KILL_GRACE;
	lim->max_output = conf->max_output;
	lim->max_stderr = APID_MAX_STDERR;
}

/* Leave the loop once nothing is pending, or when the wait is over. */
static void
apid_stop_check_cb(evutil_socket_t, short, void *arg)
{
	time_t		*deadline = (time_t *)arg;
	struct timeval	 tv = { 0, 100000 };

	if (http_pending() == 0 || time(nullptr) >= *deadline) {
		event_base_loopexit(env->base, nullptr);
		return;
	}
	evtimer_add(apid_stop_timer, &tv);
}

static void
apid_sigterm_cb(evutil_socket_t sig, short, void *)
{
	static time_t	 deadline;
	struct timeval	 tv = { 0, 0 };

	if (apid_stopping) {
		log_info("signal %d again: stopping now", (int)sig);
		event_base_loopexit(env->base, nullptr);
		return;
	}
	apid_stopping = 1;
	log_info("signal %d: no new connections; waiting for %d request(s)",
	    (int)sig, http_pending());
	http_stop_accepting();
	deadline = time(nullptr) + APID_STOP_WAIT;
	apid_stop_timer = evtimer_new(env->base, apid_stop_check_cb,
	    &deadline);
	evtimer_add(apid_stop_timer, &tv);
}

static void
apid_sighup_cb(evutil_socket_t, short, void *)
{
	struct config		 conf;
	struct job_limits	 lim;
	char			*cause = nullptr;

	log_info("SIGHUP: reloading %s", apid_conf.path);
	if (config_load(&conf, apid_conf.path, 0, &cause) == -1) {
		log_warnx("%s; keeping the running configuration", cause);
		free(cause);
		config_free(&conf);
		return;
	}
	/* What binds or opens at start needs a restart to change. */
	if (strcmp(conf.listen, apid_conf.listen) != 0 ||
	    strcmp(conf.database, apid_conf.database) != 0)
		log_warnx("LISTEN and DATABASE change only on restart");
	free(conf.listen);
	conf.listen = xstrdup(apid_conf.listen);
	free(conf.database);
	conf.database = xstrdup(apid_conf.database);
	config_free(&apid_conf);
	apid_conf = conf;
	env->conf = &apid_conf;
	hconf_free();
	hconf_init(&apid_conf);
	allow_reset();
	if (http_reload(&apid_conf, &cause) == -1) {
		log_warnx("%s; keeping the previous TLS and proxies", cause);
		free(cause);
	}
	apid_limits(&lim, &apid_conf);
	job_set_limits(&lim);
	apid_lockout(&apid_conf);
	verify_set_ttl(apid_conf.auth_cache);
	verify_set_dummy_cost(&apid_conf.argon2);
	authlog_close();
	authlog_open(apid_conf.auth_log);
}

int
main(int argc, char *argv[])
{
	struct job_limits	 lim;
	struct event		*ev_term, *ev_int, *ev_hup;
	const char		*conffile = CONFIG_DEFAULT_PATH;
	const char		*portfile = nullptr;
	char			*cause = nullptr;
	int			 ch, foreground = 0, checkonly = 0;
	int			 verbose = 0, nthreads;

	while ((ch = getopt(argc, argv, "df:hnp:v")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'p':
			portfile = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			apid_usage(0);
		default:
			apid_usage(1);
		}
	}
	if (optind != argc)
		apid_usage(1);

	/* What we create (the database and its WAL, the port file) is ours
	 * alone; commands get their own umask (spawn.cc). */
	umask(077);
	log_init(1, verbose, "hestia-apid");
	if (config_load(&apid_conf, conffile, 0, &cause) == -1) {
		fprintf(stderr, "hestia-apid: %s\n", cause);
		exit(1);
	}
	if (checkonly) {
		printf("configuration OK\n");
		exit(0);
	}

	apid_raise_nofile();
	env = &apid_env_storage;
	env->conf = &apid_conf;
	env->foreground = foreground;
	signal(SIGPIPE, SIG_IGN);

	/* As root: bind, load the TLS key, open AUTH_LOG; then become
	 * USER before anything touches the database or runs a command. */
	if ((env->base = event_base_new()) == nullptr)
		fatalx("event_base_new failed");
	if (http_init(env->base, &cause) == -1)
		fatalx("%s", cause);
	if (portfile != nullptr && http_write_ports(portfile, &cause) == -1)
		fatalx("-p %s", cause);
	authlog_open(apid_conf.auth_log);
	if (apid_conf.user[0] != '\0' &&
	    priv_drop(apid_conf.user, &cause) == -1)
		fatalx("%s", cause);
	if ((env->db = db_open(apid_conf.database, &cause)) == nullptr)
		fatalx("DATABASE %s", cause);
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, verbose, "hestia-apid");
		/* The loop's kernel state survives fork, but say so. */
		event_reinit(env->base);
	}

	hconf_init(&apid_conf);
	apid_lockout(&apid_conf);
	if (spawn_init(env->base) == -1)
		fatalx("spawn_init failed");
	if (audit_init(apid_conf.database, &cause) == -1)
		fatalx("audit: %s", cause);
	apid_limits(&lim, &apid_conf);
	job_init(env->base, &lim);
	nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (verify_init(env->base, nthreads, nthreads * APID_VERIFY_PER_THREAD,
	    APID_VERIFY_PER_ADDR, gate_settle) == -1)
		fatalx("verify_init failed");
	verify_set_dummy_cost(&apid_conf.argon2);
	verify_set_ttl(apid_conf.auth_cache);

	ev_term = evsignal_new(env->base, SIGTERM, apid_sigterm_cb, nullptr);
	ev_int = evsignal_new(env->base, SIGINT, apid_sigterm_cb, nullptr);
	ev_hup = evsignal_new(env->base, SIGHUP, apid_sighup_cb, nullptr);
	evsignal_add(ev_term, nullptr);
	evsignal_add(ev_int, nullptr);
	evsignal_add(ev_hup, nullptr);

	log_info("started: BIN_DIR %s, DATABASE %s, MAX_JOBS %d",
	    apid_conf.bin_dir, apid_conf.database, apid_conf.max_jobs);
	event_base_dispatch(env->base);

	log_info("stopping");
	/* Whatever did not finish in time gets its 503, flushed by a last
	 * short turn of the loop before the servers are freed. */
	if (http_pending() > 0) {
		struct timeval	 flush = { 0, 250000 };

		http_answer_pending();
		event_base_loopexit(env->base, &flush);
		event_base_dispatch(env->base);
	}
	http_shutdown();
	job_drain();
	verify_shutdown();
	spawn_shutdown();
	/* Every answer is given: now write what is left of the audit. */
	audit_shutdown();
	if (apid_stop_timer != nullptr)
		event_free(apid_stop_timer);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	authlog_close();
	hconf_free();
	lockout_free();
	allow_reset();
	db_close(env->db);
	event_base_free(env->base);
	config_free(&apid_conf);
	return 0;
}
