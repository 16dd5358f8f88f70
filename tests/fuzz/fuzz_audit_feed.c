/* libFuzzer target for audit log text: the line filter
 * (rs_audit_line_plausible), the feed (auparse), the classification and the
 * inference of sends on connected sockets, as replay and the audit plugin
 * use them.
 *
 * Input: one selector byte (a chunk size, 1..256), then log text. Lines that
 * are not plausible records are dropped as replay drops them (libauparse
 * leaks on some malformed lines); the rest is fed whole, then again in
 * chunks to a second feed: both must give the same number of events and DNS
 * sends. Every event produced must have a pid, and an inferred send must
 * carry port 53. Seeds: tests/fuzz/corpus/audit_feed/ (real logs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_stdin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_audit_feed: invariant failed: %s (%s:%d)\n", #cond,  \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct seen {
	struct rs_audit_infer *infer;
	uint64_t events, sends;
};

static void on_event(void *ctx, const struct rs_audit_event *ae)
{
	struct seen *s = ctx;
	struct rs_audit_match m = {"/etc/resolv.conf", 0, 0, "resolvstale-"};
	struct rs_event evs[4];
	size_t n = rs_audit_classify(ae, &m, evs, 4);

	n = rs_audit_infer_apply(s->infer, ae, evs, n, 4);
	s->events++;
	for (size_t i = 0; i < n; i++) {
		CHECK(evs[i].time_ns >= 0);
		if (evs[i].type == RS_EV_DNS_SEND) {
			CHECK(evs[i].u.dns.port == 53);
			s->sends++;
		}
	}
}

/* The plausible lines of text, each ending in a newline. */
static char *filter(const char *text, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;

		if (ll > 0 && ll <= 65535 && rs_audit_line_plausible(text + i, ll)) {
			memcpy(out + o, text + i, ll);
			o += ll;
			out[o++] = '\n';
		}
		i += ll + 1;
	}
	*out_len = o;
	return out;
}

static void run(const char *text, size_t len, size_t chunk, struct seen *s)
{
	struct rs_audit_feed *f;

	s->infer = rs_audit_infer_new(16);
	f = rs_audit_feed_new(on_event, s);
	CHECK(f != NULL && s->infer != NULL);
	for (size_t i = 0; i < len; i += chunk)
		(void)rs_audit_feed_text(f, text + i, len - i < chunk ? len - i : chunk);
	rs_audit_feed_flush(f);
	rs_audit_feed_free(f);
	rs_audit_infer_free(s->infer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = {0}, chunked = {0};
	size_t len, chunk;
	char *text;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 256 + 1;
	text = filter((const char *)data + 1, size - 1, &len);
	if (text == NULL)
		return 0;
	run(text, len, len > 0 ? len : 1, &whole);
	run(text, len, chunk, &chunked);
	CHECK(whole.events == chunked.events);
	CHECK(whole.sends == chunked.sends);
	free(text);
	return 0;
}
