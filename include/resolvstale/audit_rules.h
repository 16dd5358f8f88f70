/* The audit rules resolvstale uses, as data: one table is what the daemon
 * sends to the kernel, what `resolvstale rules --print` shows (auditctl
 * syntax), and, keyed differently, the file shipped for auditd
 * (audit-rules/40-resolvstale.rules, `resolvstale rules --print --all`), so
 * none of them can disagree with another.
 *
 * Two sets of keys. The daemon's rules carry keys starting
 * RS_AUDIT_KEY_PREFIX: it removes rules by that prefix only (its own, also a
 * crashed run's leftovers) and never touches other rules. The shipped rules
 * carry keys starting RS_AUDIT_RULES_KEY_PREFIX, so the daemon never deletes
 * them, and no pid exclusion (a static file has no daemon pid). Both end in
 * "-write", "-conf" and "-dns", which audit_rec.c's key test relies on.
 *
 * What is covered:
 *   - writes to the watched file (a path watch, perm=wa, all architectures):
 *     in-place writes, truncation, rename over it, unlink, chmod;
 *   - stat/lstat/newfstatat/statx/open/openat/openat2 of it, b64 (and
 *     fstatat64, ppc64's name for newfstatat); and
 *     stat64/lstat64/fstatat64/statx/open/openat/openat2, b32 (-F path= names
 *     the final target of the symlink chain: a watch does not follow links,
 *     and must be moved when the link is re-pointed);
 *   - connect/sendto/sendmsg/sendmmsg with an AF_INET or AF_INET6 address
 *     (-F saddr_fam=2 / 10), b64 and b32, and i386's socketcall with
 *     a0 = connect(3), sendto(11), sendmsg(16), sendmmsg(20).
 * What is not: a send on an already connected socket (send, write, writev,
 * sendmmsg without addresses) has no address, so it produces no SOCKADDR
 * record: the connect before it is the signal, and sockets connected before
 * the rules existed are found by the /proc scanner. io_uring sends are not
 * audited by syscall rules. The daemon's rule for reads excludes its own pid.
 *
 * The syscall lists name every ABI's spelling; a name a machine does not have
 * (stat on aarch64, fstatat64 on x86_64) is left out when the rule is loaded
 * (rs_audit_rules_add) or printed for a machine (rs_audit_rules_fit).
 */
#ifndef RESOLVSTALE_AUDIT_RULES_H
#define RESOLVSTALE_AUDIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolvstale/sbuf.h"

#define RS_AUDIT_KEY_PREFIX "resolvstale-live-"
#define RS_AUDIT_KEY_WRITE  RS_AUDIT_KEY_PREFIX "write"
#define RS_AUDIT_KEY_CONF   RS_AUDIT_KEY_PREFIX "conf"
#define RS_AUDIT_KEY_DNS    RS_AUDIT_KEY_PREFIX "dns"

/* The shipped rules' keys (audit-rules/40-resolvstale.rules). */
#define RS_AUDIT_RULES_KEY_PREFIX "resolvstale-rules-"
#define RS_AUDIT_RULES_KEY_WRITE  RS_AUDIT_RULES_KEY_PREFIX "write"
#define RS_AUDIT_RULES_KEY_CONF   RS_AUDIT_RULES_KEY_PREFIX "conf"
#define RS_AUDIT_RULES_KEY_DNS    RS_AUDIT_RULES_KEY_PREFIX "dns"

#define RS_AUDIT_MAX_SYSCALLS 10
#define RS_AUDIT_MAX_FIELDS   6
#define RS_AUDIT_MAX_RULES    24

enum rs_audit_arch {
	RS_ARCH_ANY = 0, /* no arch field: a path watch for every ABI */
	RS_ARCH_B64,
	RS_ARCH_B32,
};

/* What a rule is for (the shipped file's comments go by it). */
enum rs_audit_rule_kind {
	RS_RULE_WRITE = 0,  /* path watch, perm=wa */
	RS_RULE_CONF,       /* stat/open of the file */
	RS_RULE_DNS,        /* connect/send* with an IPv4/IPv6 address */
	RS_RULE_SOCKETCALL, /* the same through i386's socketcall */
};

/* Rule groups: the daemon loads and removes its rules a group at a time,
 * because their costs differ by orders of magnitude. A rule's group follows
 * from its kind, and each group has a key of its own (the live keys above),
 * so a group is removed by its key. */
#define RS_AUDIT_GROUP_WRITE (1u << 0) /* path watch perm=wa: key ...-write */
#define RS_AUDIT_GROUP_CONF  (1u << 1) /* stat/open of the file: ...-conf */
#define RS_AUDIT_GROUP_DNS   (1u << 2) /* connect/send* (incl. socketcall): ...-dns */
#define RS_AUDIT_GROUP_ALL   (RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF | RS_AUDIT_GROUP_DNS)

/* Which rule set to build. */
enum rs_audit_ruleset {
	RS_RULESET_LIVE,    /* the daemon's: RS_AUDIT_KEY_*, pid!=self on the conf rules */
	RS_RULESET_SHIPPED, /* for auditd: RS_AUDIT_RULES_KEY_*, no pid field */
};

/* One rule, as auditctl would write it. Field strings are "name=value" or
 * "name!=value" (the form auditctl takes after -F), for numeric fields. */
struct rs_audit_rule {
	enum rs_audit_rule_kind kind;
	enum rs_audit_arch arch;
	const char *syscalls[RS_AUDIT_MAX_SYSCALLS]; /* NULL-terminated; none = all */
	const char *path;                            /* -F path= (not owned) or NULL */
	char fields[RS_AUDIT_MAX_FIELDS][32];        /* in order, "" ends the list */
	const char *key;
};

/* Build the daemon's rules for the final target path (NULL: no path rules;
 * the rules point to the string, which must outlive them) and the daemon's
 * own pid (excluded from the config rules). Returns the count. Same as
 * rs_audit_rules_build_set(RS_RULESET_LIVE, ...). */
size_t rs_audit_rules_build(const char *target, pid_t self, struct rs_audit_rule *out, size_t max);
/* Build a rule set for target (as above); self is used by the live set only.
 * Both sets hold the same rules in the same order (writes, conf b64, conf b32,
 * dns b64 x2, dns b32 x2, socketcall x8): only keys and the pid field differ.
 * Returns the count (at most max). */
size_t rs_audit_rules_build_set(enum rs_audit_ruleset set, const char *target, pid_t self,
				struct rs_audit_rule *out, size_t max);
/* Keep, in each rule, the syscall names that the audit tables of machine (a
 * libaudit machine_t: MACH_86_64, audit_detect_machine()) know for the
 * rule's ABI (b64: machine itself; b32: its 32-bit ABI), as
 * rs_audit_rules_add does when it loads them. Rules left without a name, and
 * b32 rules when machine has no 32-bit ABI, are removed (the array is
 * compacted in order). Returns the new count. */
size_t rs_audit_rules_fit(struct rs_audit_rule *rules, size_t n, int machine);
/* The group (one RS_AUDIT_GROUP_* bit) of a rule kind. */
unsigned rs_audit_rule_group(enum rs_audit_rule_kind kind);
/* The live key of one group bit (RS_AUDIT_KEY_WRITE ...), NULL for anything
 * else (none or several bits). */
const char *rs_audit_group_key(unsigned group);
/* Copy the rules of in[0..n) that belong to a group in groups into out, in
 * their order (the order matters: see rs_audit_rules_build_set). Returns the
 * count (at most max). Pure. */
size_t rs_audit_rules_select(const struct rs_audit_rule *in, size_t n, unsigned groups,
			     struct rs_audit_rule *out, size_t max);
/* "write,conf,dns" (words in any order, each at most once), "all" or "none"
 * into a set of RS_AUDIT_GROUP_* bits. Returns 0, or -EINVAL for an empty list, an
 * unknown or repeated word, or an empty word. Pure. */
int rs_audit_groups_parse(const char *list, unsigned *groups);
/* The names of the bits in groups, "write,conf,dns" order, comma-separated;
 * "none" for no bit. Unknown bits are ignored. Returns buf (cut to len). */
const char *rs_audit_groups_format(unsigned groups, char *buf, size_t len);

/* "-a always,exit -F arch=b64 -S connect,sendto -F saddr_fam=2 -F key=..." */
void rs_audit_rule_format(const struct rs_audit_rule *r, struct rs_sbuf *out);

/* The rules file for auditd's /etc/audit/rules.d/ (what `resolvstale rules
 * --print --all` prints, and audit-rules/40-resolvstale.rules is): the
 * shipped set with "##" comments that say why each rule is there and what it
 * costs. */
struct rs_audit_rules_file {
	const char *path;         /* absolute; the path rules name it */
	const char *given;        /* with --follow: the path given, which leads to path
				   * through symlinks; else NULL */
	const char *const *links; /* with --follow: the symlinks on the way
				   * (physical paths), each watched for writes */
	size_t n_links;
	int machine; /* libaudit machine_t whose syscall names the file uses;
		      * MACH_86_64 for the checked-in file */
	bool native; /* machine is this host (the header says so) */
};
#define RS_AUDIT_RULES_FILE_MAX_PATH 1024

/* Render the file into out. Returns 0; -EINVAL if a path is not absolute or
 * holds a byte a rules file cannot carry (auditctl splits lines at spaces:
 * space, tab, other control characters, DEL), -ENAMETOOLONG past
 * RS_AUDIT_RULES_FILE_MAX_PATH bytes, -EOPNOTSUPP for an unknown machine,
 * -ENOMEM. Pure (no I/O). */
int rs_audit_rules_file_render(const struct rs_audit_rules_file *f, struct rs_sbuf *out);

/* Kernel side (needs CAP_AUDIT_CONTROL). fd is from audit_open(). Each
 * returns 0 or a negative errno and writes a one-line reason into err. */
int rs_audit_rules_add(int fd, const struct rs_audit_rule *rules, size_t n, char *err,
		       size_t errlen);
/* Delete every rule whose key starts with prefix; *deleted counts them. */
int rs_audit_rules_delete_prefix(int fd, const char *prefix, unsigned *deleted, char *err,
				 size_t errlen);
/* Count the loaded rules whose key starts with prefix. */
int rs_audit_rules_count_prefix(int fd, const char *prefix, unsigned *count);

/* The key of a rule as the kernel lists it (struct audit_rule_data of len
 * bytes): copied into key (NUL-terminated). Returns 0, -ENOENT if the rule has
 * no key, -EINVAL if the data is malformed. Pure. */
int rs_audit_rule_data_key(const void *data, size_t len, char *key, size_t keylen);

/* The kernel's audit status fields resolvstale saves, changes and restores. */
struct rs_audit_state {
	uint32_t enabled, failure, pid, rate_limit, backlog_limit, lost, backlog;
	uint32_t backlog_wait_time;
};
int rs_audit_get_state(int fd, struct rs_audit_state *st);

#endif
