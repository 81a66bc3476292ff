/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A logger for unit tests: keeps the last message so tests can assert it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "apid.h"

char	 mock_log_last[1024];
char	 mock_log_warned[1024];	/* the last log_warn or log_warnx */
int	 mock_log_count;

static void
mock_log_keep(const char *fmt, va_list ap)
{
	vsnprintf(mock_log_last, sizeof mock_log_last, fmt, ap);
	mock_log_count++;
}

void log_init(int, int, const char *) {}
void log_setverbose(int) {}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mock_log_keep(fmt, ap);
	va_end(ap);
	snprintf(mock_log_warned, sizeof mock_log_warned, "%s", mock_log_last);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mock_log_keep(fmt, ap);
	va_end(ap);
	snprintf(mock_log_warned, sizeof mock_log_warned, "%s", mock_log_last);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mock_log_keep(fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mock_log_keep(fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
