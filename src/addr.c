/* IP addresses of DNS servers: parsing, printing, comparing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "resolvstale/addr.h"

int rs_addr_parse(const char *s, struct rs_addr *out)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	const char *pct;
	size_t n;
	struct rs_addr a;

	memset(&a, 0, sizeof(a));
	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (strchr(s, ':') == NULL) {
		/* inet_pton is strict dotted-quad, unlike inet_aton. */
		if (inet_pton(AF_INET, s, &a.u.v4) != 1)
			return -EINVAL;
		a.family = AF_INET;
		*out = a;
		return 0;
	}
	pct = strchr(s, '%');
	n = pct ? (size_t)(pct - s) : strlen(s);
	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET6, tmp, &a.u.v6) != 1)
		return -EINVAL;
	if (pct != NULL) {
		size_t sl = strlen(pct + 1);
		if (sl == 0 || sl >= sizeof(a.scope))
			return -EINVAL;
		for (size_t i = 0; i < sl; i++)
			if ((unsigned char)pct[1 + i] <= ' ' || pct[1 + i] == '%' ||
			    (unsigned char)pct[1 + i] >= 0x7f)
				return -EINVAL;
		memcpy(a.scope, pct + 1, sl + 1);
	}
	a.family = AF_INET6;
	*out = a;
	return 0;
}

char *rs_addr_format(const struct rs_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	if (a->family == AF_INET) {
		if (inet_ntop(AF_INET, &a->u.v4, tmp, sizeof(tmp)) == NULL)
			tmp[0] = '\0';
	} else if (a->family == AF_INET6) {
		if (inet_ntop(AF_INET6, &a->u.v6, tmp, sizeof(tmp)) == NULL)
			tmp[0] = '\0';
	} else {
		snprintf(buf, len, "-");
		return buf;
	}
	if (a->family == AF_INET6 && a->scope[0] != '\0')
		snprintf(buf, len, "%s%%%s", tmp, a->scope);
	else
		snprintf(buf, len, "%s", tmp);
	return buf;
}

bool rs_addr_equal(const struct rs_addr *a, const struct rs_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0 &&
		       strcmp(a->scope, b->scope) == 0;
	return true;
}

void rs_addr_unmap(const struct rs_addr *in, struct rs_addr *out)
{
	struct rs_addr a = *in;

	if (in->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in->u.v6)) {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		memcpy(&a.u.v4, &in->u.v6.s6_addr[12], 4);
	}
	*out = a;
}

bool rs_addr_same_server(const struct rs_addr *a, const struct rs_addr *b)
{
	struct rs_addr x, y;

	rs_addr_unmap(a, &x);
	rs_addr_unmap(b, &y);
	return rs_addr_equal(&x, &y);
}

bool rs_addr_is_loopback(const struct rs_addr *a)
{
	struct rs_addr x;

	rs_addr_unmap(a, &x);
	if (x.family == AF_INET)
		return (ntohl(x.u.v4.s_addr) >> 24) == 127;
	if (x.family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&x.u.v6);
	return false;
}
