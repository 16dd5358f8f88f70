/* The audit rules the daemon loads, as data. */
#include <errno.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/audit_rules.h"
#include "resolvstale/strnum.h"

/* i386 socketcall(2) call numbers (linux/net.h). */
#define SYS_CONNECT_NR  3
#define SYS_SENDTO_NR   11
#define SYS_SENDMSG_NR  16
#define SYS_SENDMMSG_NR 20

static void set_fields(struct rs_audit_rule *r, const char *a, const char *b, const char *c)
{
	const char *v[3] = {a, b, c};
	size_t n = 0;

	memset(r->fields, 0, sizeof(r->fields));
	for (size_t i = 0; i < 3; i++)
		if (v[i] != NULL)
			snprintf(r->fields[n++], sizeof(r->fields[0]), "%s", v[i]);
}

struct ruleset_keys {
	const char *write, *conf, *dns;
};

size_t rs_audit_rules_build_set(enum rs_audit_ruleset set, const char *target, pid_t self,
				struct rs_audit_rule *out, size_t max)
{
	static const struct ruleset_keys live = {RS_AUDIT_KEY_WRITE, RS_AUDIT_KEY_CONF,
						 RS_AUDIT_KEY_DNS};
	static const struct ruleset_keys shipped = {
		RS_AUDIT_RULES_KEY_WRITE, RS_AUDIT_RULES_KEY_CONF, RS_AUDIT_RULES_KEY_DNS};
	static const char *const dns_sc[] = {"connect", "sendto", "sendmsg", "sendmmsg", NULL};
	/* fstatat64 is ppc64's name for newfstatat (libaudit's table has no
	 * newfstatat there); names an ABI lacks are left out when loading. */
	static const char *const conf64[] = {"stat", "lstat",  "newfstatat", "fstatat64", "statx",
					     "open", "openat", "openat2",    NULL};
	static const char *const conf32[] = {"stat64", "lstat64", "fstatat64", "statx",
					     "open",   "openat",  "openat2",   NULL};
	static const int socketcalls[] = {SYS_CONNECT_NR, SYS_SENDTO_NR, SYS_SENDMSG_NR,
					  SYS_SENDMMSG_NR};
	static const char *const fams[] = {"saddr_fam=2", "saddr_fam=10"};
	const struct ruleset_keys *keys = set == RS_RULESET_SHIPPED ? &shipped : &live;
	char self_field[32];
	const char *exclude = NULL;
	size_t n = 0;

	_Static_assert(sizeof(conf64) / sizeof(conf64[0]) <= RS_AUDIT_MAX_SYSCALLS,
		       "conf64 does not fit a rule");
	_Static_assert(sizeof(conf32) / sizeof(conf32[0]) <= RS_AUDIT_MAX_SYSCALLS,
		       "conf32 does not fit a rule");
	if (set == RS_RULESET_LIVE) {
		snprintf(self_field, sizeof(self_field), "pid!=%ld", (long)self);
		exclude = self_field;
	}
#define NEXT() (n < max ? memset(&out[n], 0, sizeof(out[n])), &out[n++] : NULL)
	if (target != NULL) {
		struct rs_audit_rule *r;

		/* First: writes (the kernel gives an event the key of the first
		 * rule that matches, and a write is also an open). */
		if ((r = NEXT()) != NULL) {
			r->kind = RS_RULE_WRITE;
			r->arch = RS_ARCH_ANY;
			r->path = target;
			set_fields(r, "perm=wa", NULL, NULL);
			r->key = keys->write;
		}
		for (int a = 0; a < 2; a++) {
			if ((r = NEXT()) == NULL)
				break;
			r->kind = RS_RULE_CONF;
			r->arch = a == 0 ? RS_ARCH_B64 : RS_ARCH_B32;
			if (a == 0)
				memcpy(r->syscalls, conf64, sizeof(conf64));
			else
				memcpy(r->syscalls, conf32, sizeof(conf32));
			r->path = target;
			set_fields(r, exclude, NULL, NULL);
			r->key = keys->conf;
		}
	}
	for (int a = 0; a < 2; a++) {
		for (int f = 0; f < 2; f++) {
			struct rs_audit_rule *r = NEXT();
			if (r == NULL)
				break;
			r->kind = RS_RULE_DNS;
			r->arch = a == 0 ? RS_ARCH_B64 : RS_ARCH_B32;
			memcpy(r->syscalls, dns_sc, sizeof(dns_sc));
			set_fields(r, fams[f], NULL, NULL);
			r->key = keys->dns;
		}
	}
	/* i386 glibc sends through socketcall(2), the call in a0. */
	for (size_t c = 0; c < sizeof(socketcalls) / sizeof(socketcalls[0]); c++) {
		for (int f = 0; f < 2; f++) {
			struct rs_audit_rule *r = NEXT();
			char a0[32];
			if (r == NULL)
				break;
			r->kind = RS_RULE_SOCKETCALL;
			r->arch = RS_ARCH_B32;
			r->syscalls[0] = "socketcall";
			snprintf(a0, sizeof(a0), "a0=%d", socketcalls[c]);
			set_fields(r, a0, fams[f], NULL);
			r->key = keys->dns;
		}
	}
#undef NEXT
	return n;
}

size_t rs_audit_rules_build(const char *target, pid_t self, struct rs_audit_rule *out, size_t max)
{
	return rs_audit_rules_build_set(RS_RULESET_LIVE, target, self, out, max);
}

unsigned rs_audit_rule_group(enum rs_audit_rule_kind kind)
{
	switch (kind) {
	case RS_RULE_WRITE:
		return RS_AUDIT_GROUP_WRITE;
	case RS_RULE_CONF:
		return RS_AUDIT_GROUP_CONF;
	case RS_RULE_DNS:
	case RS_RULE_SOCKETCALL:
		return RS_AUDIT_GROUP_DNS;
	}
	return 0;
}

const char *rs_audit_group_key(unsigned group)
{
	switch (group) {
	case RS_AUDIT_GROUP_WRITE:
		return RS_AUDIT_KEY_WRITE;
	case RS_AUDIT_GROUP_CONF:
		return RS_AUDIT_KEY_CONF;
	case RS_AUDIT_GROUP_DNS:
		return RS_AUDIT_KEY_DNS;
	}
	return NULL;
}

size_t rs_audit_rules_select(const struct rs_audit_rule *in, size_t n, unsigned groups,
			     struct rs_audit_rule *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++)
		if (rs_audit_rule_group(in[i].kind) & groups)
			out[k++] = in[i];
	return k;
}

static const struct {
	const char *name;
	unsigned bit;
} group_names[] = {
	{"write", RS_AUDIT_GROUP_WRITE},
	{"conf", RS_AUDIT_GROUP_CONF},
	{"dns", RS_AUDIT_GROUP_DNS},
};

/* The bit of one word of a group list (len bytes at w), 0 if unknown. */
static unsigned group_word(const char *w, size_t len)
{
	if (len == 3 && strncmp(w, "all", 3) == 0)
		return RS_AUDIT_GROUP_ALL;
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
		if (strlen(group_names[i].name) == len && strncmp(w, group_names[i].name, len) == 0)
			return group_names[i].bit;
	return 0;
}

int rs_audit_groups_parse(const char *list, unsigned *groups)
{
	unsigned set = 0;

	*groups = 0;
	if (list == NULL || *list == '\0')
		return -EINVAL;
	if (strcmp(list, "none") == 0)
		return 0;
	for (const char *w = list;; w++) {
		size_t len = strcspn(w, ",");
		unsigned bit = group_word(w, len);

		if (bit == 0 || (set & bit) != 0)
			return -EINVAL; /* unknown, empty or repeated */
		set |= bit;
		w += len;
		if (*w == '\0')
			break;
	}
	*groups = set;
	return 0;
}

const char *rs_audit_groups_format(unsigned groups, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++) {
		if ((groups & group_names[i].bit) == 0)
			continue;
		snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "", group_names[i].name);
		used = strlen(buf);
	}
	if (used == 0)
		snprintf(buf, len, "none");
	return buf;
}

/* The 32-bit ABI of a 64-bit machine, or -1 if it has none libaudit knows. */
static int compat32(int machine)
{
	switch (machine) {
	case MACH_86_64:
		return MACH_X86;
	case MACH_AARCH64:
		return MACH_ARM;
	case MACH_PPC64:
		return MACH_PPC;
	case MACH_S390X:
		return MACH_S390;
	default:
		return -1;
	}
}

size_t rs_audit_rules_fit(struct rs_audit_rule *rules, size_t n, int machine)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct rs_audit_rule r = rules[i];
		int m = r.arch == RS_ARCH_B32 ? compat32(machine) : machine;
		size_t k = 0;

		if (r.syscalls[0] != NULL) {
			if (m < 0)
				continue;
			for (size_t j = 0; j < RS_AUDIT_MAX_SYSCALLS && r.syscalls[j] != NULL; j++)
				if (audit_name_to_syscall(r.syscalls[j], m) >= 0)
					r.syscalls[k++] = r.syscalls[j];
			if (k == 0)
				continue;
			for (size_t j = k; j < RS_AUDIT_MAX_SYSCALLS; j++)
				r.syscalls[j] = NULL;
		} else if (r.arch == RS_ARCH_B32 && m < 0) {
			continue;
		}
		rules[kept++] = r;
	}
	return kept;
}

void rs_audit_rule_format(const struct rs_audit_rule *r, struct rs_sbuf *out)
{
	rs_sbuf_puts(out, "-a always,exit");
	if (r->arch == RS_ARCH_B64)
		rs_sbuf_puts(out, " -F arch=b64");
	else if (r->arch == RS_ARCH_B32)
		rs_sbuf_puts(out, " -F arch=b32");
	for (size_t i = 0; i < RS_AUDIT_MAX_SYSCALLS && r->syscalls[i] != NULL; i++)
		rs_sbuf_printf(out, "%s%s", i == 0 ? " -S " : ",", r->syscalls[i]);
	if (r->path != NULL)
		rs_sbuf_printf(out, " -F path=%s", r->path);
	for (size_t i = 0; i < RS_AUDIT_MAX_FIELDS && r->fields[i][0] != '\0'; i++)
		rs_sbuf_printf(out, " -F %s", r->fields[i]);
	rs_sbuf_printf(out, " -F key=%s", r->key);
}

/* --- the rules file for auditd ---------------------------------------------- */

/* Each line of text (lines end with '\n') as a "##" comment. */
static void comment(struct rs_sbuf *out, const char *text)
{
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		rs_sbuf_puts(out, len > 0 ? "## " : "##");
		rs_sbuf_append(out, text, len);
		rs_sbuf_putc(out, '\n');
		text += len + (nl != NULL);
	}
}

static void rule_line(struct rs_sbuf *out, const struct rs_audit_rule *r)
{
	rs_audit_rule_format(r, out);
	rs_sbuf_putc(out, '\n');
}

static int check_path(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/')
		return -EINVAL;
	if (n > RS_AUDIT_RULES_FILE_MAX_PATH)
		return -ENAMETOOLONG;
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return -EINVAL;
	return 0;
}

static void file_header(const struct rs_audit_rules_file *f, struct rs_sbuf *out)
{
	rs_sbuf_puts(out, "## 40-resolvstale.rules: resolvstale's audit rules for auditd's\n"
			  "## /etc/audit/rules.d/ (loaded by augenrules).\n");
	comment(out, "\n"
		     "This file is the output of `resolvstale rules --print --all`: change the\n"
		     "generator (src/audit_rules.c), not the file. In the source tree:\n"
		     "  build/resolvstale rules --print --all > audit-rules/40-resolvstale.rules\n"
		     "\n");
	rs_sbuf_printf(out, "## They record, for %s: who writes or replaces it, who\n", f->path);
	comment(out,
		"stats or opens it, and every IPv4 and IPv6 connect and addressed send of\n"
		"every process, the DNS queries among them. `resolvstale replay` reads them\n"
		"from audit.log, `resolvstale audit-plugin` gets them live from auditd. Both\n"
		"go by what a record says (a SOCKADDR with port 53 on connect, sendto,\n"
		"sendmsg or sendmmsg; a PATH with the file's name or inode), not by its key,\n"
		"so other sites' rules serve as well. The keys are for people\n"
		"(ausearch -i -k KEY):\n"
		"  " RS_AUDIT_RULES_KEY_DNS
		"    connect, sendto, sendmsg, sendmmsg with an address\n"
		"  " RS_AUDIT_RULES_KEY_WRITE "  writes, replacements, removals, chmod, chown\n"
		"  " RS_AUDIT_RULES_KEY_CONF "   stat and open\n"
		"\n"
		"`resolvstale daemon` adds and removes only rules keyed " RS_AUDIT_KEY_PREFIX "*:\n"
		"it leaves these alone. With these loaded, run it with\n"
		"--sources fanotify,procscan, or run the audit plugin instead: its own audit\n"
		"rules would come after these, and the kernel tags an event with the first\n"
		"rule that matches, so the daemon would see its own reads of the file.\n"
		"\n"
		"Install: cp 40-resolvstale.rules /etc/audit/rules.d/ && augenrules --load\n"
		"Check:   auditctl -l | grep " RS_AUDIT_RULES_KEY_PREFIX "\n"
		"Remove:  rm /etc/audit/rules.d/40-resolvstale.rules && augenrules --load\n"
		"         (which deletes loaded rules only if a file in rules.d says -D, as\n"
		"         the distributions' audit.rules does; else auditctl -D -k KEY for\n"
		"         each key). With -e 2 (immutable rules) all this waits for a reboot.\n"
		"\n");
	if (f->native) {
		rs_sbuf_printf(out, "## Syscall names are this host's (%s)",
			       audit_machine_to_name(f->machine));
		if (compat32(f->machine) < 0)
			rs_sbuf_puts(out, "; it has no 32-bit ABI that\n"
					  "## libaudit knows, so there is no arch=b32 rule.");
		else
			rs_sbuf_puts(out, ": arch=b64 is the machine itself,\n"
					  "## arch=b32 its 32-bit ABI.");
		rs_sbuf_puts(out, " Generated with --native: load it on hosts of this\n"
				  "## architecture only.\n");
	} else {
		comment(out,
			"Syscall names are x86_64's for arch=b64 and i386's for arch=b32.\n"
			"auditctl stops at the first rule it cannot add: on another architecture\n"
			"(aarch64 has no stat, lstat or open) generate the file on the host "
			"itself\n"
			"with `resolvstale rules --print --all --native`.\n");
	}
	comment(out, "saddr_fam needs Linux 5.3 or later.\n\n");
	if (f->given != NULL) {
		char dir[RS_AUDIT_RULES_FILE_MAX_PATH + 1];
		const char *slash = strrchr(f->path, '/');
		size_t dl = slash != NULL && slash != f->path ? (size_t)(slash - f->path) : 1;

		snprintf(dir, sizeof(dir), "%.*s", (int)dl, f->path);
		rs_sbuf_printf(out, "## Generated with --follow: %s", f->given);
		for (size_t i = 0; i < f->n_links; i++)
			if (strcmp(f->links[i], f->given) != 0)
				rs_sbuf_printf(out, "\n##   -> %s", f->links[i]);
		rs_sbuf_printf(out, "\n##   -> %s\n", f->path);
		comment(out,
			"The path rules name the final target, and each symlink on the way is\n"
			"watched for writes (re-pointing a link changes what is read). A path\n"
			"rule does not follow links: generate the file again when a link is\n"
			"re-pointed elsewhere. auditctl cannot add a path rule while its\n"
			"directory does not exist (No such file or directory), and stops there:\n");
		rs_sbuf_printf(out,
			       "## if auditd loads its rules at boot before %s exists,\n"
			       "## run augenrules --load once it does.\n",
			       dir);
	} else {
		rs_sbuf_printf(out,
			       "## A path rule names one path and does not follow symlinks. Where\n"
			       "## %s is a symlink (systemd-resolved:\n",
			       f->path);
		comment(out,
			"../run/systemd/resolve/stub-resolv.conf; resolvconf:\n"
			"../run/resolvconf/resolv.conf) the path rules below see the link\n"
			"replaced but no write, stat or open of the file it leads to. There,\n"
			"generate the file with --follow (the rules then name the final target),\n"
			"and again whenever the link is re-pointed.\n");
	}
	comment(out, "\n"
		     "Order: send rules first, path rules last: auditctl stops at the first rule\n"
		     "it cannot add, and a path rule fails while its directory does not exist.\n");
}

static void group_comment(enum rs_audit_rule_kind kind, const char *path, struct rs_sbuf *out)
{
	rs_sbuf_putc(out, '\n');
	switch (kind) {
	case RS_RULE_DNS:
		comment(out,
			"Sends. Where DNS queries go: connect, sendto, sendmsg and sendmmsg with "
			"an\n"
			"IPv4 (saddr_fam=2) or IPv6 (saddr_fam=10) address. The SOCKADDR record\n"
			"holds the destination, the SYSCALL record the process (pid, ppid, uid,\n"
			"auid, comm, exe), even for one that lives 5 ms. glibc connects its UDP\n"
			"socket, then sends without an address: the connect is the evidence. A\n"
			"send on a socket connected earlier carries no address and is not "
			"recorded\n"
			"(the /proc scanner finds such sockets); io_uring sends are not audited.\n"
			"Cost: every IPv4 and IPv6 connect and addressed send of every process, "
			"DNS\n"
			"or not (HTTP clients, databases, syslog over UDP), becomes a record:\n"
			"expensive on busy hosts. A CPU-bound glibc lookup loop ran at about "
			"0.27x\n"
			"its speed with these rules. saddr_fam keeps out AF_UNIX and netlink.\n"
			"b64 and b32 come in pairs: a rule covers one syscall table, and 32-bit\n"
			"programs on a 64-bit kernel use the 32-bit one.\n");
		break;
	case RS_RULE_SOCKETCALL:
		comment(out, "Sends of 32-bit x86 programs through socketcall(2), which i386 glibc "
			     "uses:\n"
			     "a0 says which call (3 connect, 11 sendto, 16 sendmsg, 20 sendmmsg).\n"
			     "Cost: as above, for 32-bit programs only.\n");
		break;
	case RS_RULE_WRITE:
		rs_sbuf_printf(out, "## Writes. Who changes %s: opens it for writing,\n", path);
		comment(out,
			"truncates it, renames a file over it, removes it, changes its mode or\n"
			"owner (perm=wa: every syscall of those classes, every ABI). replay "
			"reports\n"
			"them as change times, with the writer. Cost: a record per change of the\n"
			"file, so none to speak of. Before the stat/open rules: the kernel tags "
			"an\n"
			"event with the key of the first rule that matches, and a write is also "
			"an\n"
			"open.\n");
		break;
	case RS_RULE_CONF:
		rs_sbuf_printf(out, "## Reads. Who looks at %s: glibc (2.26 and later)\n", path);
		comment(out,
			"stats it at every name lookup to notice a change, Go's resolver at most\n"
			"every 5 s, and most resolvers open it when they (re)load it. Reads after\n"
			"a change show who picks the new file up; a program that read it once at\n"
			"start keeps the old servers until it restarts.\n"
			"Cost: a record per name lookup of every glibc program (thousands a "
			"second\n"
			"on a busy host). Delete these two rules if you need only who sends "
			"where.\n"
			"The daemon loads them with pid!=its own pid; a static file cannot.\n");
		break;
	}
}

int rs_audit_rules_file_render(const struct rs_audit_rules_file *f, struct rs_sbuf *out)
{
	static const enum rs_audit_rule_kind order[] = {RS_RULE_DNS, RS_RULE_SOCKETCALL,
							RS_RULE_WRITE, RS_RULE_CONF};
	struct rs_audit_rule rules[RS_AUDIT_MAX_RULES];
	size_t n;
	int rc;

	if (f->path == NULL)
		return -EINVAL;
	if ((rc = check_path(f->path)) < 0)
		return rc;
	if (f->given != NULL && (rc = check_path(f->given)) < 0)
		return rc;
	for (size_t i = 0; i < f->n_links; i++)
		if ((rc = check_path(f->links[i])) < 0)
			return rc;
	if (audit_machine_to_name(f->machine) == NULL)
		return -EOPNOTSUPP;
	n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, f->path, 0, rules, RS_AUDIT_MAX_RULES);
	n = rs_audit_rules_fit(rules, n, f->machine);
	file_header(f, out);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		bool first = true;

		for (size_t i = 0; i < n; i++) {
			if (rules[i].kind != order[k])
				continue;
			if (first)
				group_comment(order[k], f->path, out);
			first = false;
			rule_line(out, &rules[i]);
			if (order[k] != RS_RULE_WRITE || f->n_links == 0)
				continue;
			comment(out, "The symlinks on the way to it:\n");
			for (size_t l = 0; l < f->n_links; l++) {
				struct rs_audit_rule link = rules[i];
				link.path = f->links[l];
				rule_line(out, &link);
			}
		}
	}
	return rs_sbuf_failed(out) ? -ENOMEM : 0;
}

/* --- kernel side ----------------------------------------------------------- */

static int add_field(struct audit_rule_data *d, uint32_t field, uint32_t op, uint32_t value)
{
	if (d->field_count >= AUDIT_MAX_FIELDS)
		return -E2BIG;
	d->fields[d->field_count] = field;
	d->fieldflags[d->field_count] = op;
	d->values[d->field_count] = value;
	d->field_count++;
	return 0;
}

static int add_string(struct audit_rule_data *d, uint32_t field, const char *s)
{
	size_t n = strlen(s);
	int r = add_field(d, field, AUDIT_EQUAL, (uint32_t)n);

	if (r < 0)
		return r;
	memcpy(d->buf + d->buflen, s, n);
	d->buflen += (uint32_t)n;
	return 0;
}

/* "perm=wa" -> AUDIT_PERM_WRITE | AUDIT_PERM_ATTR */
static int perm_value(const char *s, uint32_t *v)
{
	*v = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			*v |= AUDIT_PERM_READ;
			break;
		case 'w':
			*v |= AUDIT_PERM_WRITE;
			break;
		case 'x':
			*v |= AUDIT_PERM_EXEC;
			break;
		case 'a':
			*v |= AUDIT_PERM_ATTR;
			break;
		default:
			return -EINVAL;
		}
	}
	return *v ? 0 : -EINVAL;
}

static int numeric_field(struct audit_rule_data *d, const char *spec)
{
	static const struct {
		const char *name;
		uint32_t field;
	} names[] = {
		{"saddr_fam", AUDIT_SADDR_FAM},
		{"a0", AUDIT_ARG0},
		{"a1", AUDIT_ARG1},
		{"pid", AUDIT_PID},
		{"perm", AUDIT_PERM},
	};
	const char *op = strstr(spec, "!=");
	uint32_t opflag = op ? AUDIT_NOT_EQUAL : AUDIT_EQUAL;
	const char *val;
	size_t nl;
	uint64_t v;

	if (op == NULL)
		op = strchr(spec, '=');
	if (op == NULL)
		return -EINVAL;
	nl = (size_t)(op - spec);
	val = op + (opflag == AUDIT_NOT_EQUAL ? 2 : 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t pv;
		if (strlen(names[i].name) != nl || strncmp(spec, names[i].name, nl) != 0)
			continue;
		if (names[i].field == AUDIT_PERM) {
			if (perm_value(val, &pv) < 0)
				return -EINVAL;
			return add_field(d, AUDIT_PERM, opflag, pv);
		}
		if (rs_strtou64(val, 0, UINT32_MAX, &v) < 0)
			return -EINVAL;
		return add_field(d, names[i].field, opflag, (uint32_t)v);
	}
	return -EINVAL;
}

/* The machine (libaudit's machine_t) for a rule's arch on this host. */
static int rule_machine(enum rs_audit_arch arch, unsigned *elf)
{
	int host = audit_detect_machine(), m;

	*elf = 0;
	if (host < 0)
		return -EOPNOTSUPP;
	if (arch == RS_ARCH_ANY)
		return host;
	m = arch == RS_ARCH_B64 ? host : compat32(host);
	if (m < 0)
		return -EOPNOTSUPP; /* no 32-bit ABI known for this host */
	*elf = audit_machine_to_elf(m);
	return m;
}

/* Build the kernel's form of a rule. Syscalls unknown on the rule's ABI are
 * left out (e.g. stat64 does not exist on aarch64); a rule left with none is
 * -EOPNOTSUPP. */
static int to_data(const struct rs_audit_rule *r, struct audit_rule_data **out)
{
	size_t extra = (r->path ? strlen(r->path) : 0) + strlen(r->key);
	struct audit_rule_data *d = calloc(1, sizeof(*d) + extra);
	unsigned elf;
	int machine, nsc = 0, rc;

	*out = NULL;
	if (d == NULL)
		return -ENOMEM;
	machine = rule_machine(r->arch, &elf);
	if (machine < 0) {
		free(d);
		return machine;
	}
	if (elf != 0 && (rc = add_field(d, AUDIT_ARCH, AUDIT_EQUAL, elf)) < 0)
		goto fail;
	if (r->syscalls[0] == NULL) {
		for (int i = 0; i < AUDIT_BITMASK_SIZE; i++)
			d->mask[i] = ~0u;
	} else {
		for (size_t i = 0; i < RS_AUDIT_MAX_SYSCALLS && r->syscalls[i]; i++) {
			int nr = audit_name_to_syscall(r->syscalls[i], machine);
			if (nr < 0 || nr >= AUDIT_BITMASK_SIZE * 32)
				continue;
			d->mask[nr / 32] |= 1u << (nr % 32);
			nsc++;
		}
		if (nsc == 0) {
			rc = -EOPNOTSUPP;
			goto fail;
		}
	}
	if (r->path != NULL && (rc = add_string(d, AUDIT_WATCH, r->path)) < 0)
		goto fail;
	for (size_t i = 0; i < RS_AUDIT_MAX_FIELDS && r->fields[i][0] != '\0'; i++)
		if ((rc = numeric_field(d, r->fields[i])) < 0)
			goto fail;
	if ((rc = add_string(d, AUDIT_FILTERKEY, r->key)) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	free(d);
	return rc;
}

int rs_audit_rules_add(int fd, const struct rs_audit_rule *rules, size_t n, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct audit_rule_data *d;
		struct rs_sbuf text = RS_SBUF_INIT;
		int rc = to_data(&rules[i], &d);

		if (rc == -EOPNOTSUPP)
			continue; /* an ABI this host does not have */
		if (rc == 0) {
			rc = audit_add_rule_data(fd, d, AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
			free(d);
			/* The same rule may be there from another run. */
			if (rc == -EEXIST)
				rc = 0;
		}
		if (rc < 0) {
			rs_audit_rule_format(&rules[i], &text);
			snprintf(err, errlen, "cannot add audit rule '%s': %s", rs_sbuf_str(&text),
				 strerror(-rc));
			rs_sbuf_free(&text);
			return rc;
		}
	}
	return 0;
}

static bool string_field(uint32_t f)
{
	switch (f) {
	case AUDIT_SUBJ_USER:
	case AUDIT_SUBJ_ROLE:
	case AUDIT_SUBJ_TYPE:
	case AUDIT_SUBJ_SEN:
	case AUDIT_SUBJ_CLR:
	case AUDIT_OBJ_USER:
	case AUDIT_OBJ_ROLE:
	case AUDIT_OBJ_TYPE:
	case AUDIT_OBJ_LEV_LOW:
	case AUDIT_OBJ_LEV_HIGH:
	case AUDIT_WATCH:
	case AUDIT_DIR:
	case AUDIT_FILTERKEY:
	case AUDIT_EXE:
		return true;
	}
	return false;
}

int rs_audit_rule_data_key(const void *data, size_t len, char *key, size_t keylen)
{
	const struct audit_rule_data *d = data;
	size_t off = 0;

	if (len < sizeof(*d) || d->field_count > AUDIT_MAX_FIELDS || d->buflen > len - sizeof(*d))
		return -EINVAL;
	for (uint32_t i = 0; i < d->field_count; i++) {
		uint32_t f = d->fields[i];
		if (!string_field(f))
			continue;
		if (d->values[i] > d->buflen - off)
			return -EINVAL;
		if (f == AUDIT_FILTERKEY) {
			size_t n = d->values[i] < keylen - 1 ? d->values[i] : keylen - 1;
			memcpy(key, d->buf + off, n);
			key[n] = '\0';
			return 0;
		}
		off += d->values[i];
	}
	return -ENOENT;
}

/* Copies of the listed rules whose key starts with prefix. */
struct rule_copy {
	struct audit_rule_data *d;
};

static int list_prefix(int fd, const char *prefix, struct rule_copy **out, size_t *n_out)
{
	struct rule_copy *v = NULL;
	size_t n = 0;
	int rc = audit_request_rules_list_data(fd);

	*out = NULL;
	*n_out = 0;
	if (rc < 0)
		return rc;
	for (int guard = 0; guard < 100000; guard++) {
		struct audit_reply rep;
		char key[256];

		rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
		if (rc < 0)
			break;
		if (rc == 0 || rep.type == NLMSG_DONE) {
			rc = 0;
			break;
		}
		if (rep.type == NLMSG_ERROR) {
			rc = rep.error && rep.error->error ? rep.error->error : -EIO;
			break;
		}
		if (rep.type != AUDIT_LIST_RULES || rep.len < 0)
			continue;
		if (rs_audit_rule_data_key(rep.ruledata, (size_t)rep.len, key, sizeof(key)) != 0 ||
		    strncmp(key, prefix, strlen(prefix)) != 0)
			continue;
		struct rule_copy *nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			rc = -ENOMEM;
			break;
		}
		v = nv;
		v[n].d = malloc((size_t)rep.len);
		if (v[n].d == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(v[n].d, rep.ruledata, (size_t)rep.len);
		n++;
	}
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i].d);
		free(v);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

int rs_audit_rules_count_prefix(int fd, const char *prefix, unsigned *count)
{
	struct rule_copy *v;
	size_t n;
	int rc = list_prefix(fd, prefix, &v, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		free(v[i].d);
	free(v);
	*count = (unsigned)n;
	return 0;
}

int rs_audit_rules_delete_prefix(int fd, const char *prefix, unsigned *deleted, char *err,
				 size_t errlen)
{
	struct rule_copy *v;
	size_t n;
	int rc = list_prefix(fd, prefix, &v, &n);

	*deleted = 0;
	if (rc < 0) {
		snprintf(err, errlen, "cannot list audit rules: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		int r = audit_delete_rule_data(fd, v[i].d, v[i].d->flags, v[i].d->action);
		if (r < 0 && r != -ENOENT && rc == 0) {
			rc = r;
			snprintf(err, errlen, "cannot delete an audit rule: %s", strerror(-r));
		} else if (r >= 0) {
			(*deleted)++;
		}
		free(v[i].d);
	}
	free(v);
	return rc;
}

int rs_audit_get_state(int fd, struct rs_audit_state *st)
{
	int rc = audit_request_status(fd);

	if (rc < 0)
		return rc;
	for (int guard = 0; guard < 1000; guard++) {
		struct audit_reply rep;

		rc = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
		if (rc <= 0)
			return rc < 0 ? rc : -EIO;
		if (rep.type == NLMSG_ERROR && rep.error && rep.error->error)
			return rep.error->error;
		if (rep.type != AUDIT_GET || rep.status == NULL)
			continue;
		memset(st, 0, sizeof(*st));
		st->enabled = rep.status->enabled;
		st->failure = rep.status->failure;
		st->pid = rep.status->pid;
		st->rate_limit = rep.status->rate_limit;
		st->backlog_limit = rep.status->backlog_limit;
		st->lost = rep.status->lost;
		st->backlog = rep.status->backlog;
		st->backlog_wait_time = rep.status->backlog_wait_time;
		return 0;
	}
	return -EIO;
}
