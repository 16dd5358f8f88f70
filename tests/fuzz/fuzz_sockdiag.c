/* libFuzzer target for the sock_diag reply parser (rs_sockdiag_parse).
 *
 * Input: one selector byte, then the reply bytes. The selector picks the
 * requested family (bit 0: AF_INET6, bit 2: 0 = any) and protocol (bit 1:
 * TCP); the expected sequence number is the first message's, as a replay
 * takes it. Checks the invariants callers rely on: every socket has the
 * requested family and protocol and a valid address family, results are in
 * the documented set, and parsing the same bytes message by message (as
 * separate datagrams) ends the same way with the same sockets. Seeds:
 * tests/fuzz/corpus/sockdiag/ (replies recorded on a real kernel). */
#include <linux/netlink.h>
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
			fprintf(stderr, "fuzz_sockdiag: invariant failed: %s (%s:%d)\n", #cond,    \
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

	CHECK(s->family == AF_INET || s->family == AF_INET6);
	CHECK(c->family == 0 || s->family == c->family);
	CHECK(s->proto == c->proto);
	CHECK(s->local.family == s->family && s->remote.family == s->family);
	CHECK(s->netns == 4026532999ull);
	CHECK(s->local.scope[0] == '\0' && s->remote.scope[0] == '\0');
	c->n++;
	c->sum = c->sum * 1000003u + s->inode * 31u + s->lport * 7u + s->rport + s->state;
	return 0;
}

static bool valid_result(int r)
{
	return r == RS_SOCKDIAG_MORE || r == RS_SOCKDIAG_DONE || (r < 0 && r >= -4095);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_sockdiag_parser whole, piece;
	struct seen a, b;
	uint32_t seq = 0;
	int family, ra, rb = RS_SOCKDIAG_MORE;
	enum rs_proto proto;
	size_t off = 0;

	if (size < 1)
		return 0;
	family = data[0] & 4 ? 0 : (data[0] & 1 ? AF_INET6 : AF_INET);
	proto = data[0] & 2 ? RS_PROTO_TCP : RS_PROTO_UDP;
	data++;
	size--;
	if (size >= sizeof(struct nlmsghdr))
		memcpy(&seq, data + offsetof(struct nlmsghdr, nlmsg_seq), sizeof(seq));

	a = (struct seen){family, proto, 0, 0};
	rs_sockdiag_parser_init(&whole, seq, family, proto, 4026532999ull);
	ra = rs_sockdiag_parse(&whole, data, size, on_sock, &a);
	CHECK(valid_result(ra));
	CHECK(ra != RS_SOCKDIAG_DONE || whole.done);
	CHECK(whole.messages == a.n);

	/* The same bytes, one message per call. */
	b = (struct seen){family, proto, 0, 0};
	rs_sockdiag_parser_init(&piece, seq, family, proto, 4026532999ull);
	while (off < size && rb == RS_SOCKDIAG_MORE) {
		size_t step = size - off;
		struct nlmsghdr h;

		if (step >= sizeof(h)) {
			memcpy(&h, data + off, sizeof(h));
			if (h.nlmsg_len >= sizeof(h) && h.nlmsg_len <= step &&
			    NLMSG_ALIGN(h.nlmsg_len) < step)
				step = NLMSG_ALIGN(h.nlmsg_len);
		}
		rb = rs_sockdiag_parse(&piece, data + off, step, on_sock, &b);
		off += step;
	}
	if (rb == RS_SOCKDIAG_DONE && off < size)
		rb = rs_sockdiag_parse(&piece, data + off, size - off, on_sock, &b);
	CHECK(rb == ra);
	CHECK(b.n == a.n && b.sum == a.sum);
	return 0;
}
