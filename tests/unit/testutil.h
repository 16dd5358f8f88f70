/* Helpers shared by the Criterion unit tests. */
#ifndef RESOLVSTALE_TESTUTIL_H
#define RESOLVSTALE_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RS_SOURCE_DIR
#define RS_SOURCE_DIR "."
#endif

/* Read a fixture below tests/fixtures/ into a malloc'd buffer (NUL-terminated
 * for convenience; *len excludes the NUL). Fails the test if it cannot. */
static inline char *rs_test_fixture(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", RS_SOURCE_DIR, rel);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

#endif
