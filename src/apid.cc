/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hestia-apid: serves Hestia's REST API from one event loop. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
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
#include "gate.h"
#include "hconf.h"
#include "helper.h"
#include "hsync.h"
#include "http.h"
#include "job.h"
#include "listener.h"
#include "priv.h"
#include "lockout.h"
#include "spawn.h"
#include "sdnotify.h"
#include "verify.h"
#include "version.h"

#define APID_KILL_GRACE		5	/* s between SIGTERM and SIGKILL */
#define APID_MAX_STDERR		(64 * 1024)
#define APID_LOCKOUT_ENTRIES	8192	/* addresses tracked at once */
#define APID_STOP_WAIT		30	/* s to let commands end at SIGTERM */
#define APID_VERIFY_PER_THREAD	8	/* runs queued or running, per worker */
#define APID_VERIFY_PER_ADDR	4	/* ... and from one client address */
#define APID_MMAP_THRESHOLD	(256 * 1024)	/* bytes: larger blocks mmap'd */

struct apid_env		*env;
static struct apid_env	 apid_env_storage;
static struct config	 apid_conf;
static struct event	*apid_stop_timer;
static int		 apid_stopping;
static int		 apid_exit_code;
static struct helper	 apid_helper = { -1, -1, -1 };

/* The root helper is gone (killed, or it found the channel broken):
 * nothing can run any more. Answer what waits, and exit non-zero so that
 * systemd starts us again. */
static void
apid_helper_lost(void)
{
	struct timeval	 flush = { 0, 250000 };

	if (apid_exit_code != 0)
		return;
	apid_exit_code = 1;
	apid_stopping = 1;
	http_stop_accepting();
	http_answer_pending(500, "The root helper is gone");
	event_base_loopexit(env->base, &flush);
}

static int
apid_root_open(const char *path)
{
	return helper_open_file(apid_helper.ctl_fd, path);
}

static int
apid_root_watch(const char *path)
{
	return helper_watch(apid_helper.ctl_fd, path);
}

static int
apid_authlog_open(const char *)
{
	char	*cause = nullptr;
	int	 fd;

	if ((fd = helper_open_authlog(apid_helper.ctl_fd, &cause)) == -1) {
		log_warnx("AUTH_LOG: %s", cause);
		free(cause);
	}
	return fd;
}

[[noreturn]] static void
apid_usage(int code)
{
	fprintf(code == 0 ? stdout : stderr, "usage: hestia-apid [-dhnVv] [-f file] "
	    "[-p portfile]\n"
	    "  -d           stay in the foreground, log to stderr\n"
	    "  -f file      configuration (default %s)\n"
	    "  -h           this help\n"
	    "  -n           check the configuration and exit\n"
	    "  -p portfile  write HOST:PORT of each listener, a line each\n"
	    "  -V           print the version and exit\n"
	    "  -v           verbose (debug) logging\n", CONFIG_DEFAULT_PATH);
	exit(code);
}

/* -n: every LISTEN entry is an address, and none is held by another
 * process (Hestia's own nginx on 8083, say), which would stop the start.
 * One that a hestia-apid or systemd's socket unit holds is as a reload or
 * socket activation expects it. */
static int
apid_check_listen(const struct config *conf)
{
	char	*list, *p, *spec, *cause;
	int	 rv = 0, state;

	p = list = xstrdup(conf->listen);
	while ((spec = strsep(&p, ",")) != nullptr) {
		while (*spec == ' ')
			spec++;
		if (*spec == '\0')
			continue;
		cause = nullptr;
		state = listener_check(spec, &cause);
		if (state == -1 || state == LISTENER_TAKEN) {
			fprintf(stderr, "hestia-apid: %s: %s\n", conf->path,
			    cause);
			rv = -1;
		} else if (state == LISTENER_OURS)
			log_debug("%s", cause);
		free(cause);
	}
	free(list);
	return rv;
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
	sdnotify("STOPPING=1");
	log_info("signal %d: no new connections; waiting for %d request(s)",
	    (int)sig, http_pending());
	http_stop_accepting();
	deadline = time(nullptr) + APID_STOP_WAIT;
	apid_stop_timer = evtimer_new(env->base, apid_stop_check_cb,
	    &deadline);
	evtimer_add(apid_stop_timer, &tv);
}

/* The configuration file anew: read by the root helper when there is one
 * (the file may be root's alone), which also opens the TLS files. */
static int
apid_reload_read(struct config *conf, int *cert_fd, int *key_fd,
    char **cause)
{
	int	 fds[3], n, rv;

	*cert_fd = *key_fd = -1;
	if (apid_helper.pid <= 0)
		return config_load(conf, apid_conf.path, 0, cause);
	if ((n = helper_reload(apid_helper.ctl_fd, fds, cause)) == -1) {
		/* Still a config, so the caller may free it. */
		config_load(conf, "/dev/null", 0, nullptr);
		return -1;
	}
	rv = config_load_fd(conf, apid_conf.path, fds[0], cause);
	close(fds[0]);
	if (n == 3) {
		*cert_fd = fds[1];
		*key_fd = fds[2];
	}
	return rv;
}

/* What binds, opens or forks at start needs a restart to change. */
static void
apid_keep(const char *key, char **field, const char *running)
{
	if (strcmp(*field, running) == 0)
		return;
	free(*field);
	*field = xstrdup(running);
	log_warnx("%s changes only on restart", key);
}

static void
apid_sighup_cb(evutil_socket_t, short, void *)
{
	struct config		 conf;
	struct job_limits	 lim;
	char			*cause = nullptr;
	int			 cert_fd, key_fd;

	log_info("SIGHUP: reloading %s", apid_conf.path);
	sdnotify("RELOADING=1");
	if (apid_reload_read(&conf, &cert_fd, &key_fd, &cause) == -1) {
		log_warnx("%s; keeping the running configuration", cause);
		free(cause);
		config_free(&conf);
		if (cert_fd != -1)
			close(cert_fd);
		if (key_fd != -1)
			close(key_fd);
		sdnotify("READY=1");
		return;
	}
	apid_keep("LISTEN", &conf.listen, apid_conf.listen);
	apid_keep("SOCKET_GROUP", &conf.socket_group, apid_conf.socket_group);
	apid_keep("DATABASE", &conf.database, apid_conf.database);
	apid_keep("USER", &conf.user, apid_conf.user);
	/* The key sync watches what it was started on (hsync.h). */
	if (strcmp(conf.hestia_conf, apid_conf.hestia_conf) != 0 ||
	    conf.hestia_key_sync != apid_conf.hestia_key_sync)
		log_warnx("HESTIA_CONF, HESTIA_KEY_SYNC: the key sync follows "
		    "a change only on restart");
	config_free(&apid_conf);
	apid_conf = conf;
	env->conf = &apid_conf;
	hconf_free();
	hconf_init(&apid_conf);
	allow_reset();
	if (http_reload(&apid_conf, cert_fd, key_fd, &cause) == -1) {
		log_warnx("%s; keeping the previous TLS and proxies", cause);
		free(cause);
	}
	if (cert_fd != -1) {
		close(cert_fd);
		close(key_fd);
	}
	spawn_set_config(&apid_conf);
	apid_limits(&lim, &apid_conf);
	job_set_limits(&lim);
	apid_lockout(&apid_conf);
	verify_set_ttl(apid_conf.auth_cache);
	verify_set_dummy_cost(&apid_conf.argon2);
	audit_set_keep(apid_conf.audit_keep);
	authlog_close();
	authlog_open(apid_conf.auth_log);
	sdnotify("READY=1");
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
	int			 verbose = 0, nthreads, privsep;

	while ((ch = getopt(argc, argv, "df:hnp:Vv")) != -1) {
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
		case 'V':
			printf("hestia-apid %s\n", APID_VERSION);
			exit(0);
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
	/* argon2 takes its memory (19 MiB a run by default) with malloc:
	 * glibc would raise its mmap threshold after the first free and keep
	 * every worker's arena at that size for good. A fixed threshold keeps
	 * such blocks mmap'd, so they go back to the system when freed. */
	mallopt(M_MMAP_THRESHOLD, APID_MMAP_THRESHOLD);
	log_init(1, verbose, "hestia-apid");
	sdnotify_init();
	if (config_load(&apid_conf, conffile, 0, &cause) == -1) {
		fprintf(stderr, "hestia-apid: %s\n", cause);
		exit(1);
	}
	if (checkonly) {
		if (apid_check_listen(&apid_conf) == -1)
			exit(1);
		printf("configuration OK\n");
		exit(0);
	}

	if (apid_conf.hestia_conf_found)
		log_info("HESTIA_CONF not set: Hestia is installed, using %s "
		    "(HESTIA_CONF='' turns this off)", apid_conf.hestia_conf);
	apid_raise_nofile();
	env = &apid_env_storage;
	env->conf = &apid_conf;
	env->foreground = foreground;
	signal(SIGPIPE, SIG_IGN);

	/* As root: bind, load the TLS key, open AUTH_LOG, hand the database
	 * over to USER; then fork the root helper and become USER before
	 * anything touches the database or reads a request. */
	if ((env->base = event_base_new()) == nullptr)
		fatalx("event_base_new failed");
	if (http_init(env->base, &cause) == -1)
		fatalx("%s", cause);
	if (portfile != nullptr && http_write_ports(portfile, &cause) == -1)
		fatalx("-p %s", cause);
	authlog_open(apid_conf.auth_log);
	privsep = apid_conf.user[0] != '\0' && geteuid() == 0;
	if (privsep)
		priv_db_handover(apid_conf.database, apid_conf.user);
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, verbose, "hestia-apid");
		/* The loop's kernel state survives fork, but say so. */
		event_reinit(env->base);
	}
	/* Before any thread: the helper is forked from this one alone. */
	if (privsep && helper_start(&apid_conf, foreground, verbose,
	    &apid_helper, &cause) == -1)
		fatalx("%s", cause);
	if (apid_conf.user[0] != '\0' &&
	    priv_drop(apid_conf.user, &cause) == -1)
		fatalx("%s", cause);
	if ((env->db = db_open(apid_conf.database, &cause)) == nullptr)
		fatalx("DATABASE %s", cause);

	hconf_init(&apid_conf);
	apid_lockout(&apid_conf);
	if (privsep) {
		if (spawn_init_helper(env->base, apid_helper.spawn_fd,
		    apid_helper_lost) == -1)
			fatalx("spawn_init_helper failed");
		authlog_set_opener(apid_authlog_open);
		priv_set_opener(apid_root_open);
		priv_set_watcher(apid_root_watch);
	} else if (spawn_init(env->base, &apid_conf) == -1)
		fatalx("spawn_init failed");
	if (audit_init(apid_conf.database, &cause) == -1)
		fatalx("audit: %s", cause);
	audit_set_keep(apid_conf.audit_keep);
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
	if (hsync_start(&apid_conf, &cause) == -1)
		fatalx("Hestia key sync: %s", cause);

	ev_term = evsignal_new(env->base, SIGTERM, apid_sigterm_cb, nullptr);
	ev_int = evsignal_new(env->base, SIGINT, apid_sigterm_cb, nullptr);
	ev_hup = evsignal_new(env->base, SIGHUP, apid_sighup_cb, nullptr);
	evsignal_add(ev_term, nullptr);
	evsignal_add(ev_int, nullptr);
	evsignal_add(ev_hup, nullptr);

	log_info("started: BIN_DIR %s, DATABASE %s, MAX_JOBS %d",
	    apid_conf.bin_dir, apid_conf.database, apid_conf.max_jobs);
	sdnotify("READY=1");
	event_base_dispatch(env->base);

	log_info("stopping");
	/* Whatever did not finish in time gets its 503, flushed by a last
	 * short turn of the loop before the servers are freed. */
	if (http_pending() > 0) {
		struct timeval	 flush = { 0, 250000 };

		http_answer_pending(503, "Service is stopping");
		event_base_loopexit(env->base, &flush);
		event_base_dispatch(env->base);
	}
	http_shutdown();
	job_drain();
	verify_shutdown();
	hsync_stop();
	spawn_shutdown();
	helper_stop(&apid_helper);
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
	return apid_exit_code;
}
