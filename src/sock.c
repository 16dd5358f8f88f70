/* Sockets as the /proc scanner sees them. */
#include "resolvstale/sock.h"

const char *rs_sock_state_name(enum rs_proto proto, uint8_t state)
{
	static const char *const names[] = {
		"unknown",    "established", "syn-sent", "syn-recv",  "fin-wait-1", "fin-wait-2",
		"time-wait",  "close",       "close-wait", "last-ack", "listen",     "closing",
	};

	if (proto == RS_PROTO_UDP) {
		if (state == 1)
			return "connected";
		if (state == 7)
			return "unconnected";
	}
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}
