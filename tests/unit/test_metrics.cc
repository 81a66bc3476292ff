/* SPDX-License-Identifier: GPL-3.0-or-later */
/* metrics.cc: the exposition's shape (HELP, then TYPE, then samples, for
 * each family once), and counters read from their modules' stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "job.h"
#include "lockout.h"
#include "metrics.h"

struct apid_env *env;

/* The value of the sample that starts with key and a space, or -1. */
static long long
test_value(const char *text, const char *key)
{
	const char	*p = text;
	size_t		 n = strlen(key);

	while ((p = strstr(p, key)) != nullptr) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, nullptr, 10);
		p += n;
	}
	return -1;
}

/* Line by line: a family is its HELP, its TYPE, then samples of its name
 * only; names are prefixed, counters end in _total, none comes twice. */
static void
test_metrics_shape(void **)
{
	char		*text, *copy, *line, *p, family[128] = "";
	char		 seen[64][128];
	size_t		 len;
	int		 nseen = 0, state = 0, i;

	text = metrics_render(&len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_true(len > 0 && text[len - 1] == '\n');
	p = copy = xstrdup(text);
	while ((line = strsep(&p, "\n")) != nullptr && *line != '\0') {
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_not_equal(state, 1);
			assert_int_equal(sscanf(line + 7, "%127s", family), 1);
			assert_memory_equal(family, "hestia_apid_", 12);
			assert_non_null(strchr(line + 7, ' '));
			for (i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], family);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof seen[0], "%s", family);
			state = 1;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(state, 1);
			assert_memory_equal(line + 7, family, strlen(family));
			if (strcmp(line + 7 + strlen(family), " counter") == 0)
				assert_non_null(strstr(family, "_total"));
			else
				assert_string_equal(line + 7 + strlen(family),
				    " gauge");
			state = 2;
		} else {
			assert_true(state >= 2);
			assert_memory_equal(line, family, strlen(family));
			assert_true(line[strlen(family)] == ' ' ||
			    line[strlen(family)] == '{');
			state = 3;
		}
	}
	assert_int_equal(nseen, 21);
	free(copy);
	free(text);
}

/* Every outcome is a series from the start, so a rate has its zero. */
static void
test_metrics_outcomes(void **)
{
	static const char *const names[] = { "ok", "nonzero", "killed",
	    "timeout", "cancelled", "spawn_failed" };
	char		*text, key[128];
	size_t		 len, i;

	static_assert(nitems(names) == JOB_NOUTCOMES, "one name each");
	text = metrics_render(&len);
	for (i = 0; i < nitems(names); i++) {
		assert_string_equal(job_outcome_name((enum job_outcome)i),
		    names[i]);
		snprintf(key, sizeof key, "hestia_apid_commands_ended_total"
		    "{outcome=\"%s\"}", names[i]);
		assert_int_equal(test_value(text, key), 0);
	}
	assert_string_equal(job_outcome_name(JOB_NOUTCOMES), "unknown");
	free(text);
}

/* A module's count, read when rendered: the lockout table's size. */
static void
test_metrics_reads_modules(void **)
{
	struct lockout_conf	 c = { 5, 600, 600 };
	char			*text;
	size_t			 len;

	lockout_init(&c, 64);
	text = metrics_render(&len);
	assert_int_equal(test_value(text, "hestia_apid_lockout_entries"), 0);
	free(text);
	lockout_failure("192.0.2.1", 1000);
	lockout_failure("192.0.2.2", 1000);
	text = metrics_render(&len);
	assert_int_equal(test_value(text, "hestia_apid_lockout_entries"), 2);
	assert_int_equal(test_value(text, "hestia_apid_commands_running"), 0);
	assert_true(test_value(text,
	    "hestia_apid_process_resident_memory_bytes") > 0);
	assert_true(test_value(text, "hestia_apid_process_open_fds") >= 3);
	free(text);
	lockout_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_shape),
		cmocka_unit_test(test_metrics_outcomes),
		cmocka_unit_test(test_metrics_reads_modules),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
