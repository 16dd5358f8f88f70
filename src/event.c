/* The event model: names, source lists, operator notices. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "resolvstale/event.h"

const char *rs_event_type_name(enum rs_event_type t)
{
	switch (t) {
	case RS_EV_CONFIG_CHANGE:
		return "config_change";
	case RS_EV_CONFIG_OPEN:
		return "config_open";
	case RS_EV_CONFIG_STAT:
		return "config_stat";
	case RS_EV_CONFIG_WRITE:
		return "config_write";
	case RS_EV_DNS_SEND:
		return "dns_send";
	case RS_EV_SOCKET_SEEN:
		return "socket_seen";
	case RS_EV_PROCESS_INFO:
		return "process_info";
	case RS_EV_PROCESS_EXIT:
		return "process_exit";
	case RS_EV_EVENTS_LOST:
		return "events_lost";
	}
	return "unknown";
}

static const char *const source_names[] = {
	[RS_SRC_CONFWATCH] = "confwatch", [RS_SRC_FANOTIFY] = "fanotify",
	[RS_SRC_AUDIT] = "audit",         [RS_SRC_PROCSCAN] = "procscan",
	[RS_SRC_EBPF] = "ebpf",           [RS_SRC_REPLAY] = "replay",
};

const char *rs_source_name(enum rs_source s)
{
	if ((unsigned)s < sizeof(source_names) / sizeof(source_names[0]) && source_names[s])
		return source_names[s];
	return "unknown";
}

const char *rs_proto_name(enum rs_proto p)
{
	switch (p) {
	case RS_PROTO_UDP:
		return "udp";
	case RS_PROTO_TCP:
		return "tcp";
	case RS_PROTO_UNKNOWN:
		break;
	}
	return "unknown";
}

int rs_sources_parse(const char *list, unsigned *set, char *bad, size_t badlen)
{
	const char *p = list;
	unsigned s = 0;

	if (bad != NULL && badlen > 0)
		bad[0] = '\0';
	if (list == NULL || *list == '\0')
		return -EINVAL;
	if (strcmp(list, "none") == 0) {
		*set = 0;
		return 0;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		size_t k;

		for (k = 1; k < sizeof(source_names) / sizeof(source_names[0]); k++) {
			if (source_names[k] != NULL && strlen(source_names[k]) == n &&
			    strncmp(p, source_names[k], n) == 0 && k != RS_SRC_CONFWATCH &&
			    k != RS_SRC_REPLAY)
				break;
		}
		if (n == 0 || k == sizeof(source_names) / sizeof(source_names[0])) {
			if (bad != NULL && badlen > 0)
				snprintf(bad, badlen, "%.*s", (int)n, p);
			return -EINVAL;
		}
		s |= 1u << k;
		p += n;
		if (*p == ',')
			p++;
	}
	*set = s;
	return 0;
}

void rs_notice(rs_notice_fn fn, void *ctx, const char *level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, level, msg);
}
