/* libFuzzer target for the resolv.conf parser: rs_resolvconf_parse(), then
 * rs_resolvconf_options() and rs_resolvconf_key() on the result, with the
 * invariants every caller relies on. Built by `make build/fuzz/fuzz_resolvconf`,
 * run by tests/run-fuzz.sh on a copy of tests/fuzz/corpus/resolvconf/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolvstale/resolvconf.h"
#include "resolvstale/sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_resolvconf: invariant failed: %s (%s:%d)\n", #cond,  \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Large (about 14 KiB): static, not on libFuzzer's stack. */
static struct rs_resolvconf rc, again;

static void check_string(const struct rs_sbuf *sb)
{
	CHECK(!rs_sbuf_failed(sb));
	CHECK(strlen(rs_sbuf_str(sb)) == sb->len); /* no NUL inside */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_sbuf key = RS_SBUF_INIT, key2 = RS_SBUF_INIT, opts = RS_SBUF_INIT;
	struct rs_addr eff[RS_RC_MAXNS];
	unsigned kept;
	size_t n;

	rs_resolvconf_parse((const char *)data, size, &rc);

	CHECK(rc.n_ns <= RS_RC_MAX_NS_KEPT);
	CHECK(rc.n_ns_dropped == 0 || rc.n_ns == RS_RC_MAX_NS_KEPT);
	CHECK(rc.n_search <= RS_RC_MAX_SEARCH);
	CHECK(rc.n_sortlist <= RS_RC_MAX_SORTLIST);
	CHECK(rc.n_unknown <= RS_RC_MAX_UNKNOWN);
	CHECK(rc.truncated == (size > RS_RC_MAX_FILE));
	CHECK(rc.search_abort_line <= rc.n_lines);

	n = rs_resolvconf_effective(&rc, eff);
	CHECK(n >= 1 && n <= RS_RC_MAXNS);
	CHECK(rs_resolvconf_uses_default(&rc) == (rc.n_ns == 0));
	for (size_t i = 0; i < n; i++)
		CHECK(eff[i].family == AF_INET || eff[i].family == AF_INET6);
	for (size_t i = 0; i < rc.n_ns; i++) {
		CHECK(rc.ns[i].ignored == (i >= RS_RC_MAXNS));
		CHECK(rc.ns[i].line >= 1 && rc.ns[i].line <= rc.n_lines);
		CHECK(memchr(rc.ns[i].addr.scope, '\0', sizeof(rc.ns[i].addr.scope)) != NULL);
	}

	kept = rc.n_warnings < RS_RC_MAX_WARNINGS ? rc.n_warnings : RS_RC_MAX_WARNINGS;
	for (unsigned i = 0; i < kept; i++) {
		const struct rs_rc_warning *w = &rc.warnings[i];
		CHECK(memchr(w->detail, '\0', sizeof(w->detail)) != NULL);
		CHECK(w->line <= rc.n_lines);
		CHECK(strcmp(rs_rc_warn_name(w->code), "unknown") != 0);
	}

	for (size_t i = 0; i < rc.n_search; i++) {
		CHECK(memchr(rc.search[i], '\0', sizeof(rc.search[i])) != NULL);
		CHECK(rc.search[i][0] != '\0');
	}
	for (size_t i = 0; i < rc.n_sortlist; i++)
		CHECK(memchr(rc.sortlist[i], '\0', sizeof(rc.sortlist[i])) != NULL);
	for (size_t i = 0; i < rc.n_unknown; i++) {
		CHECK(memchr(rc.unknown[i], '\0', sizeof(rc.unknown[i])) != NULL);
		if (i > 0)
			CHECK(strcmp(rc.unknown[i - 1], rc.unknown[i]) < 0); /* sorted, unique */
	}

	rs_resolvconf_options(&rc, &opts);
	check_string(&opts);
	rs_resolvconf_key(&rc, &key);
	check_string(&key);
	CHECK(strstr(rs_sbuf_str(&key), rs_sbuf_str(&opts)) != NULL);

	/* Pure function: the same input gives the same result. */
	rs_resolvconf_parse((const char *)data, size, &again);
	rs_resolvconf_key(&again, &key2);
	CHECK(strcmp(rs_sbuf_str(&key), rs_sbuf_str(&key2)) == 0);
	CHECK(again.n_warnings == rc.n_warnings);

	rs_sbuf_free(&key);
	rs_sbuf_free(&key2);
	rs_sbuf_free(&opts);
	return 0;
}
