/* resolv.conf, read the way glibc's res_init() reads it.
 *
 * rs_resolvconf_parse() is a pure function over a buffer: no I/O, no
 * allocation, bounded work. It follows glibc 2.36's resolv/res_init.c line by
 * line (checked against the real res_init() by tests/integration/
 * glibc_differential.sh), including its surprises:
 *
 *   - keywords count only at the very start of a line and only when followed
 *     by a space or a tab ("  nameserver x" and "nameserver\n" are ignored);
 *   - a nameserver address is everything up to the first space, tab or
 *     newline; IPv4 in inet_aton form ("127.1" and "0x7f.0.0.1" are valid);
 *     IPv6 with an optional "%scope"; a carriage return makes the address
 *     invalid, so a CRLF file gives glibc no nameserver at all;
 *   - a "%scope" that is an interface name counts only on a link-local
 *     address; on a global one glibc drops it, and so does this parser (a
 *     decimal scope is kept on any address);
 *   - only the first 3 valid nameservers are used (MAXNS);
 *   - "search" and "domain" replace each other: the last one wins; a CR in a
 *     CRLF file stays in the last search domain;
 *   - a search list whose first domains do not fit glibc's 256-byte _res
 *     buffer in a certain way makes res_init() abort on an assertion (Debian
 *     builds keep assertions): RS_RCW_SEARCH_ABORT;
 *   - "sortlist" lines add up; "/8" is the mask 0.0.0.8, not a prefix length;
 *     some sortlist lines make res_init() loop forever (RS_RCW_SORTLIST_HANG);
 *   - options are matched by prefix ("rotatex" is rotate; there is no "-opt"
 *     negation in 2.36) and numbers are read with atoi, then clamped (ndots <=
 *     15 and kept in 4 bits, so ndots:-3 is 13; timeout <= 30, attempts <= 5,
 *     negative values are kept);
 *   - no valid nameserver means 127.0.0.1.
 *
 * Whatever glibc accepts silently but an operator would want to know about is
 * reported as a warning (line number, code, detail). Nothing makes the parser
 * fail: hostile input gives warnings, never a crash.
 */
#ifndef RESOLVSTALE_RESOLVCONF_H
#define RESOLVSTALE_RESOLVCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/sbuf.h"

#define RS_RC_MAX_FILE     (64 * 1024) /* bytes parsed; the rest is ignored */
#define RS_RC_MAX_LINE     1024        /* longer lines are ignored */
#define RS_RC_MAXNS        3           /* glibc MAXNS: nameservers used */
#define RS_RC_MAX_NS_KEPT  16          /* nameserver entries kept (used + ignored) */
#define RS_RC_MAX_SEARCH   32          /* search domains kept */
#define RS_RC_MAX_DOMAIN   256         /* bytes of one search domain incl. NUL */
#define RS_RC_MAX_UNKNOWN  16          /* unknown options kept */
#define RS_RC_MAX_OPTLEN   64          /* bytes of one unknown option incl. NUL */
#define RS_RC_MAX_SORTLIST 10          /* glibc MAXRESOLVSORT */
#define RS_RC_MAX_WARNINGS 32          /* warnings kept in detail; all are counted */

/* glibc's defaults when the file says nothing. */
#define RS_RC_DEFAULT_NDOTS    1
#define RS_RC_DEFAULT_TIMEOUT  5
#define RS_RC_DEFAULT_ATTEMPTS 2

/* Boolean options, in glibc's matching order. */
enum rs_rc_flag {
	RS_RCO_ROTATE = 1u << 0,
	RS_RCO_EDNS0 = 1u << 1,
	RS_RCO_SINGLE_REQUEST_REOPEN = 1u << 2,
	RS_RCO_SINGLE_REQUEST = 1u << 3,
	RS_RCO_NO_TLD_QUERY = 1u << 4,
	RS_RCO_NO_RELOAD = 1u << 5,
	RS_RCO_USE_VC = 1u << 6,
	RS_RCO_TRUST_AD = 1u << 7,
	RS_RCO_NO_AAAA = 1u << 8,
};

enum rs_rc_warn_code {
	RS_RCW_FILE_TOO_LARGE = 1, /* only the first RS_RC_MAX_FILE bytes were read */
	RS_RCW_LINE_TOO_LONG,      /* line over RS_RC_MAX_LINE bytes, ignored */
	RS_RCW_NUL_BYTE,           /* line cut at a NUL byte, as glibc does */
	RS_RCW_CARRIAGE_RETURN,    /* CR in a value: glibc keeps it (CRLF file) */
	RS_RCW_UNKNOWN_LINE,       /* no keyword glibc knows: ignored */
	RS_RCW_LEADING_SPACE,      /* keyword after leading space: glibc ignores the line */
	RS_RCW_MISSING_VALUE,      /* keyword without a value */
	RS_RCW_BAD_ADDRESS,        /* nameserver that glibc cannot parse: skipped */
	RS_RCW_TRAILING_TEXT,      /* text after a nameserver address: ignored */
	RS_RCW_BAD_SCOPE,          /* IPv6 scope that is too long or malformed */
	RS_RCW_NS_IGNORED,         /* valid nameserver after the first 3: unused */
	RS_RCW_TOO_MANY_NS,        /* more nameservers than RS_RC_MAX_NS_KEPT */
	RS_RCW_TOO_MANY_SEARCH,    /* more search domains than RS_RC_MAX_SEARCH */
	RS_RCW_DOMAIN_TOO_LONG,    /* search domain over RS_RC_MAX_DOMAIN - 1 bytes */
	RS_RCW_BAD_NUMBER,         /* option value that is not a plain number */
	RS_RCW_OUT_OF_RANGE,       /* option value clamped or wrapped by glibc */
	RS_RCW_OPTION_PREFIX,      /* option matched by prefix ("rotatex" = rotate) */
	RS_RCW_UNKNOWN_OPTION,     /* option glibc does not know: ignored by glibc */
	RS_RCW_TOO_MANY_OPTIONS,   /* more unknown options than RS_RC_MAX_UNKNOWN */
	RS_RCW_NO_NAMESERVER,      /* no valid nameserver: glibc uses 127.0.0.1 */
	RS_RCW_BAD_SORTLIST,       /* sortlist entry or mask glibc skips, or beyond 10 */
	RS_RCW_SORTLIST_HANG,      /* sortlist line on which glibc's res_init() never returns */
	RS_RCW_SEARCH_ABORT,       /* search list on which glibc's res_init() aborts */
};

struct rs_rc_warning {
	unsigned line; /* 1-based; 0 for the whole file */
	enum rs_rc_warn_code code;
	char detail[96]; /* NUL-terminated; holds raw bytes of the file: escape it */
};

struct rs_rc_nameserver {
	struct rs_addr addr;
	unsigned line;
	bool ignored; /* after the first RS_RC_MAXNS: glibc does not use it */
};

struct rs_resolvconf {
	struct rs_rc_nameserver ns[RS_RC_MAX_NS_KEPT];
	size_t n_ns;         /* entries in ns[], used and ignored */
	size_t n_ns_dropped; /* valid nameservers beyond RS_RC_MAX_NS_KEPT */

	char search[RS_RC_MAX_SEARCH][RS_RC_MAX_DOMAIN];
	size_t n_search;
	bool search_from_domain; /* the last search/domain line was "domain" */
	/* Line of the search/domain line in effect when glibc's res_init() fails
	 * an assertion on it and aborts the process; 0 when it does not. */
	unsigned search_abort_line;

	/* "ADDR/MASK" in dotted quads, as glibc stores them; all sortlist lines */
	char sortlist[RS_RC_MAX_SORTLIST][RS_ADDR_STRLEN * 2];
	size_t n_sortlist;

	unsigned flags;               /* enum rs_rc_flag */
	int ndots, timeout, attempts; /* effective values, as glibc stores them */
	bool ndots_set, timeout_set, attempts_set;
	char unknown[RS_RC_MAX_UNKNOWN][RS_RC_MAX_OPTLEN]; /* sorted, unique */
	size_t n_unknown;

	size_t n_lines; /* lines read (not the one cut by RS_RC_MAX_FILE) */
	bool truncated; /* the buffer was larger than RS_RC_MAX_FILE */

	unsigned n_warnings; /* all warnings, even those not kept below */
	struct rs_rc_warning warnings[RS_RC_MAX_WARNINGS];
};

/* Parse buf[0..len) (need not be NUL-terminated, may contain NUL bytes).
 * Always fills *rc completely. */
void rs_resolvconf_parse(const char *buf, size_t len, struct rs_resolvconf *rc);

/* The nameservers glibc will query, in order: the first RS_RC_MAXNS valid
 * entries, or 127.0.0.1 when there is none. Returns the count (1..3). */
size_t rs_resolvconf_effective(const struct rs_resolvconf *rc, struct rs_addr out[RS_RC_MAXNS]);
/* True when the file names no valid nameserver (glibc falls back to 127.0.0.1). */
bool rs_resolvconf_uses_default(const struct rs_resolvconf *rc);

/* Canonical option list, space-separated, in a fixed order: ndots:N timeout:N
 * attempts:N (each only when set in the file, with glibc's effective value),
 * then the flags in glibc's order, then unknown options sorted. */
void rs_resolvconf_options(const struct rs_resolvconf *rc, struct rs_sbuf *out);
/* The effective configuration as one canonical string: two files with the same
 * string configure glibc identically (nameservers in order, search list,
 * sortlist, options, unknown options included). */
void rs_resolvconf_key(const struct rs_resolvconf *rc, struct rs_sbuf *out);

/* Short stable name of a warning code ("bad-address"). */
const char *rs_rc_warn_name(enum rs_rc_warn_code code);
/* Names of the flags, in glibc's order; index i names 1u << i. */
const char *rs_rc_flag_name(unsigned bit_index);

#endif
