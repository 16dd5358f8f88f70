/* IP addresses of DNS servers: parsing, printing, comparing. */
#ifndef RESOLVSTALE_ADDR_H
#define RESOLVSTALE_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define RS_SCOPE_MAX   16 /* IF_NAMESIZE: an interface name or a number */
#define RS_ADDR_STRLEN (INET6_ADDRSTRLEN + 1 + RS_SCOPE_MAX)

struct rs_addr {
	int family; /* AF_INET or AF_INET6; 0 for "no address" */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
	char scope[RS_SCOPE_MAX]; /* IPv6 zone as written after '%', or "" */
};

/* Parse a plain numeric address: dotted-quad IPv4 or IPv6 with an optional
 * "%scope" (at most RS_SCOPE_MAX - 1 bytes). Strict: no inet_aton shorthand,
 * no surrounding space. Returns 0 or -EINVAL. */
int rs_addr_parse(const char *s, struct rs_addr *out);
/* Write the canonical text ("192.0.2.1", "2001:db8::1", "fe80::1%eth0") into
 * buf (RS_ADDR_STRLEN bytes is always enough). Returns buf. */
char *rs_addr_format(const struct rs_addr *a, char *buf, size_t len);
/* Same family, address and scope. */
bool rs_addr_equal(const struct rs_addr *a, const struct rs_addr *b);
/* Same server as seen by a socket: like rs_addr_equal, but an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) equals the IPv4 address a.b.c.d. */
bool rs_addr_same_server(const struct rs_addr *a, const struct rs_addr *b);
/* 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104: a different server in every
 * network namespace. */
bool rs_addr_is_loopback(const struct rs_addr *a);
/* An IPv4-mapped IPv6 address becomes the IPv4 address; others are copied. */
void rs_addr_unmap(const struct rs_addr *in, struct rs_addr *out);

#endif
