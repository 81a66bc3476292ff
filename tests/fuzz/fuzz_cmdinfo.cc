/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a v-* script's "# options:" text, checked against Hestia's
 * reading of it restated: words, "[" and "]" dropped, upper-cased. */
#include <ctype.h>

#include "apid.h"
#include "cmdinfo.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmdinfo	 info;
	char		*text, *copy, *p, *w, *word;
	size_t		 n;
	int		 i = 0, user = 0;

	text = fuzz_str(data, size);
	cmdinfo_parse(text, &info);
	if (info.noptions < 0 || info.noptions > CMDINFO_MAX_OPTIONS)
		fuzz_fail("%d options", info.noptions);

	p = copy = fuzz_str(text, strlen(text));
	while ((w = strsep(&p, " \t\r\n")) != nullptr) {
		word = fuzz_str(w, strlen(w));
		for (n = 0; *w != '\0'; w++) {
			if (*w != '[' && *w != ']')
				word[n++] = toupper((unsigned char)*w);
		}
		word[n] = '\0';
		if (n == 0 || i == CMDINFO_MAX_OPTIONS) {
			free(word);
			continue;
		}
		if (i >= info.noptions || strcmp(info.options[i], word) != 0)
			fuzz_fail("option %d: \"%s\", expected \"%s\"", i,
			    i < info.noptions ? info.options[i] : "(none)",
			    word);
		if (strcmp(word, "USER") == 0)
			user = i + 1;
		free(word);
		i++;
	}
	if (i != info.noptions)
		fuzz_fail("%d options, expected %d", info.noptions, i);
	if (info.user_pos != user)
		fuzz_fail("USER at %d, expected %d", info.user_pos, user);
	free(copy);

	cmdinfo_clear(&info);
	if (info.noptions != 0 || info.user_pos != 0)
		fuzz_fail("cmdinfo_clear left options");
	free(text);
	return 0;
}
