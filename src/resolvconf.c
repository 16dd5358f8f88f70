/* resolv.conf, read the way glibc's res_init() reads it (see resolvconf.h). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolvstale/resolvconf.h"
#include "resolvstale/strnum.h"

#define RES_MAXNDOTS   15
#define RES_MAXRETRANS 30
#define RES_MAXRETRY   5

static const struct {
	const char *name;
	unsigned flag;
} rc_flags[] = {
	/* glibc's table, in its order: the first prefix match wins, so
	 * single-request-reopen must come before single-request. */
	{"rotate", RS_RCO_ROTATE},
	{"edns0", RS_RCO_EDNS0},
	{"single-request-reopen", RS_RCO_SINGLE_REQUEST_REOPEN},
	{"single-request", RS_RCO_SINGLE_REQUEST},
	{"no_tld_query", RS_RCO_NO_TLD_QUERY},
	{"no-tld-query", RS_RCO_NO_TLD_QUERY},
	{"no-reload", RS_RCO_NO_RELOAD},
	{"use-vc", RS_RCO_USE_VC},
	{"trust-ad", RS_RCO_TRUST_AD},
	{"no-aaaa", RS_RCO_NO_AAAA},
};
#define N_RC_FLAGS (sizeof(rc_flags) / sizeof(rc_flags[0]))

/* Canonical names, indexed by bit. */
static const char *const flag_names[] = {
	"rotate",         "edns0",        "single-request-reopen",
	"single-request", "no-tld-query", "no-reload",
	"use-vc",         "trust-ad",     "no-aaaa",
};
#define N_FLAG_NAMES (sizeof(flag_names) / sizeof(flag_names[0]))

static const char *const warn_names[] = {
	[RS_RCW_FILE_TOO_LARGE] = "file-too-large",
	[RS_RCW_LINE_TOO_LONG] = "line-too-long",
	[RS_RCW_NUL_BYTE] = "nul-byte",
	[RS_RCW_CARRIAGE_RETURN] = "carriage-return",
	[RS_RCW_UNKNOWN_LINE] = "unknown-line",
	[RS_RCW_LEADING_SPACE] = "leading-space",
	[RS_RCW_MISSING_VALUE] = "missing-value",
	[RS_RCW_BAD_ADDRESS] = "bad-address",
	[RS_RCW_TRAILING_TEXT] = "trailing-text",
	[RS_RCW_BAD_SCOPE] = "bad-scope",
	[RS_RCW_NS_IGNORED] = "nameserver-ignored",
	[RS_RCW_TOO_MANY_NS] = "too-many-nameservers",
	[RS_RCW_TOO_MANY_SEARCH] = "too-many-search-domains",
	[RS_RCW_DOMAIN_TOO_LONG] = "domain-too-long",
	[RS_RCW_BAD_NUMBER] = "bad-number",
	[RS_RCW_OUT_OF_RANGE] = "out-of-range",
	[RS_RCW_OPTION_PREFIX] = "option-prefix",
	[RS_RCW_UNKNOWN_OPTION] = "unknown-option",
	[RS_RCW_TOO_MANY_OPTIONS] = "too-many-options",
	[RS_RCW_NO_NAMESERVER] = "no-nameserver",
	[RS_RCW_BAD_SORTLIST] = "bad-sortlist",
	[RS_RCW_SORTLIST_HANG] = "sortlist-hang",
	[RS_RCW_SEARCH_ABORT] = "search-abort",
};

const char *rs_rc_warn_name(enum rs_rc_warn_code code)
{
	if ((unsigned)code < sizeof(warn_names) / sizeof(warn_names[0]) && warn_names[code])
		return warn_names[code];
	return "unknown";
}

const char *rs_rc_flag_name(unsigned bit_index)
{
	return bit_index < N_FLAG_NAMES ? flag_names[bit_index] : NULL;
}

static void warn(struct rs_resolvconf *rc, unsigned line, enum rs_rc_warn_code code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void warn(struct rs_resolvconf *rc, unsigned line, enum rs_rc_warn_code code,
		 const char *fmt, ...)
{
	struct rs_rc_warning *w;
	va_list ap;

	if (rc->n_warnings++ >= RS_RC_MAX_WARNINGS)
		return;
	w = &rc->warnings[rc->n_warnings - 1];
	w->line = line;
	w->code = code;
	va_start(ap, fmt);
	vsnprintf(w->detail, sizeof(w->detail), fmt, ap);
	va_end(ap);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* glibc's MATCH(): the keyword at the start of the line, then a space or tab. */
static bool match_kw(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	return strncmp(line, kw, n) == 0 && is_blank(line[n]);
}

static const char *skip_blank(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* A bounded excerpt of untrusted text for a warning detail: the raw bytes (the
 * renderers escape them once, for their own output), cut with "..." when long.
 * The input holds no NUL (lines end at one) and no newline. */
static void excerpt(char *out, size_t outlen, const char *s, size_t n)
{
	size_t keep = n;

	if (keep + 1 > outlen)
		keep = outlen > 4 ? outlen - 4 : 0;
	memcpy(out, s, keep);
	if (keep < n) {
		memcpy(out + keep, "...", 3);
		keep += 3;
	}
	out[keep] = '\0';
}

/* glibc's __inet_aton_exact: inet_aton() that also rejects trailing bytes.
 * inet_aton accepts (and stops at) trailing white space, so any white space
 * left in the token (CR, VT, FF: space, tab and newline were cut already)
 * makes the exact form fail. */
static bool inet_aton_exact(const char *tok, struct in_addr *a)
{
	for (const char *p = tok; *p; p++)
		if (*p == '\r' || *p == '\v' || *p == '\f' || *p == ' ' || *p == '\t' || *p == '\n')
			return false;
	return inet_aton(tok, a) != 0;
}

static void add_nameserver(struct rs_resolvconf *rc, unsigned line, const struct rs_addr *a)
{
	size_t valid = rc->n_ns + rc->n_ns_dropped;
	char text[RS_ADDR_STRLEN];

	if (valid >= RS_RC_MAXNS)
		warn(rc, line, RS_RCW_NS_IGNORED,
		     "nameserver %s is not used: glibc uses only the first %d",
		     rs_addr_format(a, text, sizeof(text)), RS_RC_MAXNS);
	if (rc->n_ns >= RS_RC_MAX_NS_KEPT) {
		if (rc->n_ns_dropped++ == 0)
			warn(rc, line, RS_RCW_TOO_MANY_NS,
			     "more than %d nameserver lines: the rest are not recorded",
			     RS_RC_MAX_NS_KEPT);
		return;
	}
	rc->ns[rc->n_ns].addr = *a;
	rc->ns[rc->n_ns].line = line;
	rc->ns[rc->n_ns].ignored = valid >= RS_RC_MAXNS;
	rc->n_ns++;
}

/* glibc's __inet6_scopeid_pton(), whose errors res_init() ignores (scope id
 * 0): an interface name counts only on a link-local address (fe80::/10,
 * ff01::/16 or ff02::/16 style multicast) and is resolved when the address is
 * used, so it is kept as text; on any address, a decimal number up to
 * UINT32_MAX is the scope id. Anything else is dropped, as glibc drops it. */
static void parse_scope(struct rs_resolvconf *rc, unsigned line, struct rs_addr *a,
			const char *scope, const char *ex)
{
	bool link_local = IN6_IS_ADDR_LINKLOCAL(&a->u.v6) || IN6_IS_ADDR_MC_NODELOCAL(&a->u.v6) ||
			  IN6_IS_ADDR_MC_LINKLOCAL(&a->u.v6);
	size_t sl = strlen(scope);
	uint64_t id;
	bool name_ok = sl > 0 && sl < sizeof(a->scope);

	if (rs_strtou64(scope, 0, UINT32_MAX, &id) == 0) {
		if (sl < sizeof(a->scope))
			memcpy(a->scope, scope, sl + 1);
		else
			snprintf(a->scope, sizeof(a->scope), "%u", (unsigned)id);
		return;
	}
	if (!link_local) {
		warn(rc, line, RS_RCW_BAD_SCOPE,
		     "scope of %s is not a number: glibc ignores it on a global address", ex);
		return;
	}
	for (size_t i = 0; name_ok && i < sl; i++)
		if ((unsigned char)scope[i] <= ' ' || (unsigned char)scope[i] >= 0x7f)
			name_ok = false;
	if (name_ok)
		memcpy(a->scope, scope, sl + 1);
	else
		warn(rc, line, RS_RCW_BAD_SCOPE,
		     "scope of %s is not an interface name: glibc ignores it", ex);
}

static void parse_nameserver(struct rs_resolvconf *rc, unsigned line, char *value)
{
	char ex[64];
	char *tok = (char *)skip_blank(value);
	char *end = tok + strcspn(tok, " \t\n");
	struct rs_addr a;
	bool has_cr;
	char *pct;

	memset(&a, 0, sizeof(a));
	if (*end != '\0') {
		const char *rest = skip_blank(end);
		if (*rest != '\0') {
			excerpt(ex, sizeof(ex), rest, strlen(rest));
			warn(rc, line, RS_RCW_TRAILING_TEXT, "text after the address ignored: %s",
			     ex);
		}
		*end = '\0';
	}
	if (*tok == '\0') {
		warn(rc, line, RS_RCW_MISSING_VALUE, "nameserver without an address");
		return;
	}
	if (inet_aton_exact(tok, &a.u.v4)) {
		a.family = AF_INET;
		add_nameserver(rc, line, &a);
		return;
	}
	excerpt(ex, sizeof(ex), tok, strlen(tok));
	has_cr = strchr(tok, '\r') != NULL;
	pct = strchr(tok, '%');
	if (pct != NULL)
		*pct = '\0';
	if (*tok == '\0' || inet_pton(AF_INET6, tok, &a.u.v6) != 1) {
		if (has_cr)
			warn(rc, line, RS_RCW_CARRIAGE_RETURN,
			     "address %s ends in a carriage return (CRLF file): glibc skips it",
			     ex);
		else
			warn(rc, line, RS_RCW_BAD_ADDRESS, "not an address glibc accepts: %s", ex);
		return;
	}
	a.family = AF_INET6;
	if (pct != NULL)
		parse_scope(rc, line, &a, pct + 1, ex);
	add_nameserver(rc, line, &a);
}

static void note_cr(struct rs_resolvconf *rc, unsigned line, const char *value, const char *what)
{
	if (strchr(value, '\r') != NULL)
		warn(rc, line, RS_RCW_CARRIAGE_RETURN,
		     "%s contains a carriage return (CRLF file): glibc keeps it in the value",
		     what);
}

static void add_domain(struct rs_resolvconf *rc, unsigned line, const char *tok, size_t n)
{
	char ex[48];

	if (n >= RS_RC_MAX_DOMAIN) {
		excerpt(ex, sizeof(ex), tok, n);
		warn(rc, line, RS_RCW_DOMAIN_TOO_LONG, "search domain longer than %d bytes: %s",
		     RS_RC_MAX_DOMAIN - 1, ex);
		return;
	}
	if (rc->n_search >= RS_RC_MAX_SEARCH) {
		warn(rc, line, RS_RCW_TOO_MANY_SEARCH,
		     "more than %d search domains: the rest are "
		     "not recorded",
		     RS_RC_MAX_SEARCH);
		return;
	}
	memcpy(rc->search[rc->n_search], tok, n);
	rc->search[rc->n_search][n] = '\0';
	rc->n_search++;
}

#define GLIBC_MAXDNSRCH 6   /* search domains copied into _res */
#define GLIBC_DEFDNAME  256 /* sizeof(_res.defdname), their storage */

/* glibc 2.36's update_from_conf() copies the first MAXDNSRCH search domains
 * into _res.defdname and stops at the first one that does not fit. Then it
 * asserts that _res matches the configuration, and that check accepts a
 * truncated list only when the domains copied so far take more than
 * sizeof(_res.dnsrch) bytes (the size of the pointer array, not of the
 * buffer): otherwise the assertion fails and the process aborts, in every
 * program that resolves a name. lens[] are the lengths of the first domains
 * as glibc splits them, before any of our caps. */
static bool glibc_search_aborts(const size_t *lens, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n && i < GLIBC_MAXDNSRCH; i++) {
		if (lens[i] + 1 > GLIBC_DEFDNAME - used)
			return used <= sizeof(char * [GLIBC_MAXDNSRCH + 1]);
		used += lens[i] + 1;
	}
	return false;
}

static void parse_domain(struct rs_resolvconf *rc, unsigned line, const char *value)
{
	const char *p = skip_blank(value);
	size_t n;

	if (*p == '\0') {
		warn(rc, line, RS_RCW_MISSING_VALUE, "domain without a name");
		return;
	}
	n = strcspn(p, " \t");
	note_cr(rc, line, p, "domain");
	rc->n_search = 0;
	rc->search_from_domain = true;
	rc->search_abort_line = glibc_search_aborts(&n, 1) ? line : 0;
	add_domain(rc, line, p, n);
}

static void parse_search(struct rs_resolvconf *rc, unsigned line, const char *value)
{
	const char *p = skip_blank(value);
	size_t lens[GLIBC_MAXDNSRCH];
	size_t n_lens = 0;

	if (*p == '\0') {
		warn(rc, line, RS_RCW_MISSING_VALUE, "search without a domain");
		return;
	}
	note_cr(rc, line, p, "search");
	rc->n_search = 0;
	rc->search_from_domain = false;
	while (*p != '\0') {
		size_t n = strcspn(p, " \t");
		if (n > 0) {
			if (n_lens < GLIBC_MAXDNSRCH)
				lens[n_lens++] = n;
			add_domain(rc, line, p, n);
		}
		p = skip_blank(p + n);
	}
	rc->search_abort_line = glibc_search_aborts(lens, n_lens) ? line : 0;
}

static bool is_sort_mask(char c)
{
	return c == '/' || c == '&';
}

/* A byte glibc's sortlist scanner takes into an address or mask: isascii()
 * and not isspace() (C locale), and not ';' (which ends the list). */
static bool is_sort_char(char c, bool in_mask)
{
	unsigned char u = (unsigned char)c;

	if (u == 0 || u >= 0x80 || c == ';' || (!in_mask && is_sort_mask(c)))
		return false;
	return !(c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r');
}

static bool sort_aton(const char *s, size_t n, struct in_addr *a)
{
	char tok[RS_RC_MAX_LINE + 1];

	memcpy(tok, s, n);
	tok[n] = '\0';
	return inet_aton_exact(tok, a);
}

/* glibc's default mask for a sortlist entry: by the address's old class. */
static uint32_t sort_net_mask(struct in_addr a)
{
	uint32_t i = ntohl(a.s_addr);

	if (IN_CLASSA(i))
		return htonl(IN_CLASSA_NET);
	if (IN_CLASSB(i))
		return htonl(IN_CLASSB_NET);
	return htonl(IN_CLASSC_NET);
}

/* glibc's sortlist loop, step by step: entries are ADDR[/MASK] or ADDR[&MASK]
 * (MASK is an address, so "/8" means 0.0.0.8, not a prefix length), invalid
 * entries are skipped, every sortlist line adds to the list. The loop makes no
 * progress, and res_init() never returns, when a scan stops on a byte it
 * neither skips nor consumes: CR, VT, FF or a byte >= 0x80 after an entry, or
 * a '/' or '&' that does not follow a valid address. */
static void parse_sortlist(struct rs_resolvconf *rc, unsigned line, const char *value)
{
	const char *cp = value;
	char ex[48];

	for (;;) {
		const char *net;
		struct in_addr addr, mask;

		cp = skip_blank(cp);
		if (*cp == '\0' || *cp == '\n' || *cp == ';')
			break;
		net = cp;
		while (is_sort_char(*cp, false))
			cp++;
		if (cp == net) {
			warn(rc, line, RS_RCW_SORTLIST_HANG,
			     "sortlist byte 0x%02x at column %zu makes glibc's res_init() loop "
			     "forever",
			     (unsigned char)*cp, (size_t)(cp - value) + 9);
			return;
		}
		if (!sort_aton(net, (size_t)(cp - net), &addr)) {
			excerpt(ex, sizeof(ex), net, (size_t)(cp - net));
			warn(rc, line, RS_RCW_BAD_SORTLIST,
			     "sortlist entry %s is not an address: glibc skips it", ex);
			continue;
		}
		mask.s_addr = sort_net_mask(addr);
		if (is_sort_mask(*cp)) {
			const char *m = ++cp;
			while (is_sort_char(*cp, true))
				cp++;
			if (!sort_aton(m, (size_t)(cp - m), &mask)) {
				mask.s_addr = sort_net_mask(addr);
				excerpt(ex, sizeof(ex), m, (size_t)(cp - m));
				warn(rc, line, RS_RCW_BAD_SORTLIST,
				     "sortlist mask %s is not an address: glibc uses the class "
				     "mask",
				     ex);
			}
		}
		if (rc->n_sortlist >= RS_RC_MAX_SORTLIST) {
			warn(rc, line, RS_RCW_BAD_SORTLIST,
			     "more than %d sortlist entries: glibc uses the first %d",
			     RS_RC_MAX_SORTLIST, RS_RC_MAX_SORTLIST);
			continue;
		}
		{
			char a_text[INET_ADDRSTRLEN], m_text[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &addr, a_text, sizeof(a_text));
			inet_ntop(AF_INET, &mask, m_text, sizeof(m_text));
			snprintf(rc->sortlist[rc->n_sortlist], sizeof(rc->sortlist[0]), "%s/%s",
				 a_text, m_text);
			rc->n_sortlist++;
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void add_unknown(struct rs_resolvconf *rc, unsigned line, const char *tok, size_t n)
{
	char name[RS_RC_MAX_OPTLEN];
	char ex[48];

	excerpt(ex, sizeof(ex), tok, n);
	if (n >= 5 && strncmp(tok, "inet6", 5) == 0)
		warn(rc, line, RS_RCW_UNKNOWN_OPTION,
		     "option %s is obsolete: glibc >= 2.26 "
		     "ignores it",
		     ex);
	else
		warn(rc, line, RS_RCW_UNKNOWN_OPTION,
		     "option %s is not a glibc option: ignored "
		     "by glibc",
		     ex);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, tok, n);
	name[n] = '\0';
	for (size_t i = 0; i < rc->n_unknown; i++)
		if (strcmp(rc->unknown[i], name) == 0)
			return;
	if (rc->n_unknown >= RS_RC_MAX_UNKNOWN) {
		warn(rc, line, RS_RCW_TOO_MANY_OPTIONS,
		     "more than %d unknown options: the rest "
		     "are not recorded",
		     RS_RC_MAX_UNKNOWN);
		return;
	}
	memcpy(rc->unknown[rc->n_unknown++], name, n + 1);
	qsort(rc->unknown, rc->n_unknown, sizeof(rc->unknown[0]), cmp_str);
}

/* glibc reads option numbers with atoi(), which is (int)strtol(s, NULL, 10):
 * leading white space is skipped (even past the end of the option, so
 * "ndots: 3" is ndots 3), text after the digits is ignored, and a value
 * outside int wraps (LONG_MAX, from an overflow, becomes -1). Reproduce
 * exactly that, and say when the text was not a plain number or did not fit. */
static int glibc_atoi(struct rs_resolvconf *rc, unsigned line, const char *name, const char *s,
		      size_t n)
{
	char ex[48];
	size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	bool plain = i < n;
	long v;
	int r;

	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			plain = false;
	v = strtol(s, NULL, 10);
	r = (int)v;
	if (!plain) {
		excerpt(ex, sizeof(ex), s, n);
		warn(rc, line, RS_RCW_BAD_NUMBER, "%s value '%s' is not a number: glibc reads %d",
		     name, ex, r);
	} else if (v != r || v == LONG_MAX || v == LONG_MIN) {
		excerpt(ex, sizeof(ex), s, n);
		warn(rc, line, RS_RCW_OUT_OF_RANGE,
		     "%s value %s does not fit an int: glibc reads %d", name, ex, r);
	}
	return r;
}

static void parse_options(struct rs_resolvconf *rc, unsigned line, const char *value)
{
	const char *cp = value;

	while (*cp != '\0') {
		size_t n;

		cp = skip_blank(cp);
		n = strcspn(cp, " \t");
		if (n == 0)
			break;
		if (strncmp(cp, "ndots:", 6) == 0) {
			int i = glibc_atoi(rc, line, "ndots", cp + 6, n - 6);
			int eff = i <= RES_MAXNDOTS ? (int)((unsigned)i & 0xfu) : RES_MAXNDOTS;
			if (i != eff)
				warn(rc, line, RS_RCW_OUT_OF_RANGE,
				     "ndots:%d is read by glibc as %d", i, eff);
			rc->ndots = eff;
			rc->ndots_set = true;
		} else if (strncmp(cp, "timeout:", 8) == 0) {
			int i = glibc_atoi(rc, line, "timeout", cp + 8, n - 8);
			int eff = i <= RES_MAXRETRANS ? i : RES_MAXRETRANS;
			if (i != eff || i < 0)
				warn(rc, line, RS_RCW_OUT_OF_RANGE,
				     "timeout:%d is read by glibc as %d", i, eff);
			rc->timeout = eff;
			rc->timeout_set = true;
		} else if (strncmp(cp, "attempts:", 9) == 0) {
			int i = glibc_atoi(rc, line, "attempts", cp + 9, n - 9);
			int eff = i <= RES_MAXRETRY ? i : RES_MAXRETRY;
			if (i != eff || i < 0)
				warn(rc, line, RS_RCW_OUT_OF_RANGE,
				     "attempts:%d is read by glibc as %d", i, eff);
			rc->attempts = eff;
			rc->attempts_set = true;
		} else {
			size_t k;
			for (k = 0; k < N_RC_FLAGS; k++) {
				size_t fl = strlen(rc_flags[k].name);
				if (strncmp(cp, rc_flags[k].name, fl) != 0)
					continue;
				rc->flags |= rc_flags[k].flag;
				if (n != fl) {
					char ex[48];
					excerpt(ex, sizeof(ex), cp, n);
					warn(rc, line, RS_RCW_OPTION_PREFIX,
					     "option '%s' is read by glibc as %s", ex,
					     rc_flags[k].name);
				}
				break;
			}
			if (k == N_RC_FLAGS)
				add_unknown(rc, line, cp, n);
		}
		cp += n;
	}
}

static void parse_line(struct rs_resolvconf *rc, unsigned line, char *buf)
{
	static const char *const keywords[] = {"nameserver", "search", "domain", "options",
					       "sortlist"};
	char ex[48];

	if (buf[0] == ';' || buf[0] == '#')
		return;
	if (match_kw(buf, "domain")) {
		parse_domain(rc, line, buf + 6);
	} else if (match_kw(buf, "search")) {
		parse_search(rc, line, buf + 6);
	} else if (match_kw(buf, "nameserver")) {
		parse_nameserver(rc, line, buf + 10);
	} else if (match_kw(buf, "sortlist")) {
		parse_sortlist(rc, line, buf + 8);
	} else if (match_kw(buf, "options")) {
		parse_options(rc, line, buf + 7);
	} else {
		const char *p = buf;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
			p++;
		if (*p == '\0')
			return; /* blank line */
		for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
			size_t kl = strlen(keywords[k]);
			if (strncmp(p, keywords[k], kl) != 0)
				continue;
			if (p != buf && (is_blank(p[kl]) || p[kl] == '\0')) {
				warn(rc, line, RS_RCW_LEADING_SPACE,
				     "'%s' after leading white space: glibc ignores the line",
				     keywords[k]);
				return;
			}
			if (p == buf && (p[kl] == '\0' || p[kl] == '\r')) {
				warn(rc, line, RS_RCW_MISSING_VALUE, "'%s' without a value",
				     keywords[k]);
				return;
			}
		}
		excerpt(ex, sizeof(ex), buf, strlen(buf));
		warn(rc, line, RS_RCW_UNKNOWN_LINE, "line ignored by glibc: %s", ex);
	}
}

void rs_resolvconf_parse(const char *buf, size_t len, struct rs_resolvconf *rc)
{
	char line[RS_RC_MAX_LINE + 1];
	size_t pos = 0;
	unsigned lineno = 0;

	memset(rc, 0, sizeof(*rc));
	rc->ndots = RS_RC_DEFAULT_NDOTS;
	rc->timeout = RS_RC_DEFAULT_TIMEOUT;
	rc->attempts = RS_RC_DEFAULT_ATTEMPTS;
	if (buf == NULL)
		len = 0;
	if (len > RS_RC_MAX_FILE) {
		rc->truncated = true;
		warn(rc, 0, RS_RCW_FILE_TOO_LARGE, "file is %zu bytes: only the first %d are read",
		     len, RS_RC_MAX_FILE);
		len = RS_RC_MAX_FILE;
	}
	while (pos < len) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		const char *nul;

		if (nl == NULL && rc->truncated)
			break; /* the line cut by the size cap is not a line */
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > RS_RC_MAX_LINE) {
			warn(rc, lineno, RS_RCW_LINE_TOO_LONG,
			     "line of %zu bytes ignored (limit %d)", n, RS_RC_MAX_LINE);
			continue;
		}
		/* glibc handles lines as C strings: a NUL byte ends the line. */
		nul = memchr(start, '\0', n);
		if (nul != NULL) {
			warn(rc, lineno, RS_RCW_NUL_BYTE,
			     "NUL byte at column %zu: the rest of "
			     "the line is ignored",
			     (size_t)(nul - start) + 1);
			n = (size_t)(nul - start);
		}
		memcpy(line, start, n);
		line[n] = '\0';
		parse_line(rc, lineno, line);
	}
	rc->n_lines = lineno;
	if (rc->search_abort_line != 0)
		warn(rc, rc->search_abort_line, RS_RCW_SEARCH_ABORT,
		     "glibc's res_init() fails an assertion on this search list and aborts "
		     "(its first domains do not fit in 256 bytes)");
	if (rc->n_ns == 0 && rc->n_ns_dropped == 0)
		warn(rc, 0, RS_RCW_NO_NAMESERVER, "no valid nameserver: glibc uses 127.0.0.1");
}

bool rs_resolvconf_uses_default(const struct rs_resolvconf *rc)
{
	return rc->n_ns == 0;
}

size_t rs_resolvconf_effective(const struct rs_resolvconf *rc, struct rs_addr out[RS_RC_MAXNS])
{
	size_t n = 0;

	for (size_t i = 0; i < rc->n_ns && n < RS_RC_MAXNS; i++)
		if (!rc->ns[i].ignored)
			out[n++] = rc->ns[i].addr;
	if (n == 0) {
		memset(&out[0], 0, sizeof(out[0]));
		out[0].family = AF_INET;
		out[0].u.v4.s_addr = htonl(INADDR_LOOPBACK);
		n = 1;
	}
	return n;
}

void rs_resolvconf_options(const struct rs_resolvconf *rc, struct rs_sbuf *out)
{
	const char *sep = "";

	if (rc->ndots_set) {
		rs_sbuf_printf(out, "%sndots:%d", sep, rc->ndots);
		sep = " ";
	}
	if (rc->timeout_set) {
		rs_sbuf_printf(out, "%stimeout:%d", sep, rc->timeout);
		sep = " ";
	}
	if (rc->attempts_set) {
		rs_sbuf_printf(out, "%sattempts:%d", sep, rc->attempts);
		sep = " ";
	}
	for (unsigned b = 0; b < N_FLAG_NAMES; b++) {
		if (rc->flags & (1u << b)) {
			rs_sbuf_printf(out, "%s%s", sep, flag_names[b]);
			sep = " ";
		}
	}
	for (size_t i = 0; i < rc->n_unknown; i++) {
		rs_sbuf_printf(out, "%s%s", sep, rc->unknown[i]);
		sep = " ";
	}
}

void rs_resolvconf_key(const struct rs_resolvconf *rc, struct rs_sbuf *out)
{
	struct rs_addr eff[RS_RC_MAXNS];
	char text[RS_ADDR_STRLEN];
	size_t n = rs_resolvconf_effective(rc, eff);

	rs_sbuf_puts(out, "nameservers");
	if (rs_resolvconf_uses_default(rc))
		rs_sbuf_puts(out, " (default)");
	for (size_t i = 0; i < n; i++)
		rs_sbuf_printf(out, " %s", rs_addr_format(&eff[i], text, sizeof(text)));
	rs_sbuf_puts(out, "\nsearch");
	for (size_t i = 0; i < rc->n_search; i++) {
		rs_sbuf_putc(out, ' ');
		rs_sbuf_puts(out, rc->search[i]);
	}
	rs_sbuf_puts(out, "\nsortlist");
	for (size_t i = 0; i < rc->n_sortlist; i++) {
		rs_sbuf_putc(out, ' ');
		rs_sbuf_puts(out, rc->sortlist[i]);
	}
	rs_sbuf_puts(out, "\noptions ");
	rs_resolvconf_options(rc, out);
	rs_sbuf_putc(out, '\n');
}
