/* A socket as the /proc scanner sees it (sock_diag, or the /proc/PID/net tables). */
#ifndef RESOLVSTALE_SOCK_H
#define RESOLVSTALE_SOCK_H

#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/event.h"

struct rs_sock {
	uint64_t inode;      /* the socket's inode: what /proc/PID/fd/N links to */
	enum rs_proto proto; /* RS_PROTO_UDP or RS_PROTO_TCP */
	int family;          /* AF_INET or AF_INET6 (an IPv4-mapped remote stays AF_INET6) */
	struct rs_addr local, remote;
	uint16_t lport, rport;
	uint8_t state;       /* kernel TCP state numbering (TCP_ESTABLISHED = 1, ...;
			      * a connected UDP socket is 1, an unconnected one 7) */
	uint64_t netns;      /* inode of the network namespace it lives in */
};

/* "established", "syn-sent", ..., "unconn" for UDP's 7: ss's names. */
const char *rs_sock_state_name(enum rs_proto proto, uint8_t state);

#endif
