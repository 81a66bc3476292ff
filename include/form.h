/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Request parameters from urlencoded, multipart and JSON bodies, with PHP's
 * semantics ($_POST and json_decode), as Hestia's index.php sees them. */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>

/* One parameter. Values may hold NUL bytes, hence the length. */
struct form_param {
	char	*name;
	char	*value;		/* always NUL-terminated after valuelen */
	size_t	 valuelen;
	int	 is_array;	/* PHP array syntax (name[]=) or a JSON
				 * array/object value: unusable as a string */
};

struct form {
	struct form_param	*v;
	size_t			 n;
};

void	 form_init(struct form *);
void	 form_free(struct form *);

/* application/x-www-form-urlencoded, as PHP fills $_POST. Returns 0, or -1
 * with *cause set when the body is malformed beyond what PHP tolerates. */
int	 form_parse_urlencoded(struct form *, const char *body, size_t len,
	    char **cause);

/* multipart/form-data with the boundary from the Content-Type value. File
 * parts (with a filename) are skipped, as PHP puts them in $_FILES. */
int	 form_parse_multipart(struct form *, const char *content_type,
	    const char *body, size_t len, char **cause);

/* A raw JSON body, whatever the Content-Type. Returns 0 when the body is a
 * non-empty JSON object (values coerced like PHP's trim(): number to its
 * decimal text, true "1", false "", null absent, array/object is_array);
 * returns 1 when PHP would see "no data" (invalid JSON, not an object, or an
 * empty object: {} [] 0 ""). Never -1. */
int	 form_parse_json(struct form *, const char *body, size_t len);

/* The value of a parameter (the last one wins, as in PHP), or nullptr. */
const struct form_param *form_get(const struct form *, const char *name);

/* PHP trim(): strips " \t\n\r\0\x0B" from both ends, in place. */
void	 form_trim(struct form_param *);

#endif
