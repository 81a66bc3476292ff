/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Logging to syslog, or to stderr in the foreground (after OpenBSD log.c). */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"

static int	 log_foreground = 1;
static int	 log_verbose;
static int	 log_journal;	/* stderr is the journal: "<pri>" prefixes */

/* systemd sets JOURNAL_STREAM=dev:ino of the stream it gave us; if it is
 * still our stderr, the journal reads a "<N>" prefix as the priority. */
static int
log_stderr_is_journal(void)
{
	struct stat		 st;
	const char		*s = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;

	if (s == nullptr || sscanf(s, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int foreground, int verbose, const char *progname)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_journal = foreground && log_stderr_is_journal();
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap)
{
	if (log_foreground) {
		if (log_journal)
			fprintf(stderr, "<%d>", pri);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else
		vsyslog(pri, fmt, ap);
}

/* Append strerror(errno) to the message, as "msg: reason". */
static void
log_verrno(int pri, const char *fmt, va_list ap)
{
	char	*msg;
	int	 saved = errno;

	if (vasprintf(&msg, fmt, ap) == -1) {
		log_vwrite(pri, fmt, ap);
		return;
	}
	errno = saved;
	if (log_foreground && log_journal)
		fprintf(stderr, "<%d>%s: %s\n", pri, msg, strerror(saved));
	else if (log_foreground)
		fprintf(stderr, "%s: %s\n", msg, strerror(saved));
	else
		syslog(pri, "%s: %s", msg, strerror(saved));
	free(msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_verrno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_verrno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
