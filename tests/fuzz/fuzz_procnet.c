/* libFuzzer target for the /proc/net/{udp,udp6,tcp,tcp6} table parser
 * (rs_procnet_feed).
 *
 * Input: two selector bytes, then the table text. The first byte picks the
 * family (bit 0: AF_INET6) and protocol (bit 1: TCP), the second a chunk size
 * (1..256). The table is parsed whole, then in chunks with the unconsumed
 * tail carried over as rs_procnet_read does: both must give the same lines,
 * sockets, malformed count and socket values, the carried tail must stay
 * under RS_PROCNET_LINE_MAX, and every socket must have the table's family
 * and protocol. Seeds: tests/fuzz/corpus/procnet/ (tables from a real
 * kernel). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolvstale/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_procnet: invariant failed: %s (%s:%d)\n", #cond,     \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct seen {
	int family;
	enum rs_proto proto;
	uint64_t n, sum;
};

static int on_sock(void *ctx, const struct rs_sock *s)
{
	struct seen *c = ctx;
	const uint8_t *l = (const uint8_t *)&s->local.u, *r = (const uint8_t *)&s->remote.u;

	CHECK(s->family == c->family && s->proto == c->proto);
	CHECK(s->local.family == c->family && s->remote.family == c->family);
	c->n++;
	c->sum = c->sum * 1000003u + s->inode * 31u + s->lport * 7u + s->rport + s->state;
	for (size_t i = 0; i < (c->family == AF_INET ? 4u : 16u); i++)
		c->sum = c->sum * 131u + l[i] * 3u + r[i];
	return 0;
}

/* Static: libFuzzer's stack is small. */
static char carry[RS_PROCNET_LINE_MAX + 256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_procnet_parser whole, part;
	struct seen a, b;
	size_t chunk, have = 0;
	const char *text;
	int family;
	enum rs_proto proto;

	if (size < 2)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	proto = data[0] & 2 ? RS_PROTO_TCP : RS_PROTO_UDP;
	chunk = 1 + data[1];
	text = (const char *)data + 2;
	size -= 2;

	a = (struct seen){family, proto, 0, 0};
	rs_procnet_parser_init(&whole, family, proto, 7);
	CHECK(rs_procnet_feed(&whole, text, size, true, on_sock, &a) == (ssize_t)size);
	CHECK(whole.sockets == a.n);
	CHECK(whole.sockets + whole.malformed <= whole.lines);

	b = (struct seen){family, proto, 0, 0};
	rs_procnet_parser_init(&part, family, proto, 7);
	for (size_t off = 0;;) {
		size_t k = size - off < chunk ? size - off : chunk;
		bool eof = off + k == size;
		ssize_t used;

		memcpy(carry + have, text + off, k);
		have += k;
		off += k;
		used = rs_procnet_feed(&part, carry, have, eof, on_sock, &b);
		CHECK(used >= 0 && (size_t)used <= have);
		have -= (size_t)used;
		memmove(carry, carry + used, have);
		CHECK(have < RS_PROCNET_LINE_MAX);
		if (eof) {
			CHECK(have == 0);
			break;
		}
	}
	CHECK(part.lines == whole.lines);
	CHECK(part.sockets == whole.sockets);
	CHECK(part.malformed == whole.malformed);
	CHECK(b.n == a.n && b.sum == a.sum);
	return 0;
}
