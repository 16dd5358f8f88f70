/* The audit rule sets: the daemon's (live) and the file shipped for auditd
 * (audit-rules/40-resolvstale.rules, `resolvstale rules --print --all`). The
 * checked-in file must be the generator's output byte for byte; the rules in
 * it must parse with libaudit's own rule parser, as auditctl -R does. */
#include <errno.h>
#include <libaudit.h>

#include "resolvstale/audit_rules.h"
#include "resolvstale/sbuf.h"
#include "testutil.h"

#define SHIPPED_FILE "audit-rules/40-resolvstale.rules"

/* libaudit's rule parser keeps per-rule state in these (auditctl resets them
 * before each rule); they are exported, not declared in libaudit.h. */
extern unsigned int _audit_elf;
extern int _audit_syscalladded, _audit_permadded, _audit_archadded, _audit_exeadded,
	_audit_filterfsadded;

/* A file of the source tree, NUL-terminated; NULL if it cannot be read. */
static char *read_source(const char *rel, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", RS_SOURCE_DIR, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The default file: /etc/resolv.conf as given, x86_64 names. */
static void render_default(struct rs_sbuf *out)
{
	struct rs_audit_rules_file f = {.path = "/etc/resolv.conf", .machine = MACH_86_64};

	cr_assert_eq(rs_audit_rules_file_render(&f, out), 0);
	cr_assert_not(rs_sbuf_failed(out));
}

static size_t count_syscalls(const struct rs_audit_rule *r)
{
	size_t n = 0;

	while (n < RS_AUDIT_MAX_SYSCALLS && r->syscalls[n] != NULL)
		n++;
	return n;
}

static bool has_field(const struct rs_audit_rule *r, const char *prefix)
{
	for (size_t i = 0; i < RS_AUDIT_MAX_FIELDS && r->fields[i][0] != '\0'; i++)
		if (strncmp(r->fields[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static bool has_syscall(const struct rs_audit_rule *r, const char *name)
{
	for (size_t i = 0; i < RS_AUDIT_MAX_SYSCALLS && r->syscalls[i] != NULL; i++)
		if (strcmp(r->syscalls[i], name) == 0)
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

Test(shipped_file, matches_generator)
{
	struct rs_sbuf want = RS_SBUF_INIT;
	size_t len, line = 1;
	char *have = read_source(SHIPPED_FILE, &len);
	bool same;

	cr_assert_not_null(have, "cannot read %s/%s", RS_SOURCE_DIR, SHIPPED_FILE);
	render_default(&want);
	for (size_t i = 0; i < len && i < want.len && have[i] == want.buf[i]; i++)
		if (have[i] == '\n')
			line++;
	same = len == want.len && memcmp(have, want.buf, len) == 0;
	free(have);
	rs_sbuf_free(&want);
	cr_assert(same,
		  "%s differs from `resolvstale rules --print --all` (first at line %zu); "
		  "regenerate: build/resolvstale rules --print --all > %s",
		  SHIPPED_FILE, line, SHIPPED_FILE);
}

Test(shipped, keys_have_own_prefix)
{
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 0, r,
					    RS_AUDIT_MAX_RULES);

	cr_assert_str_eq(RS_AUDIT_RULES_KEY_PREFIX, "resolvstale-rules-");
	cr_assert_neq(strncmp(RS_AUDIT_RULES_KEY_PREFIX, RS_AUDIT_KEY_PREFIX,
			      strlen(RS_AUDIT_KEY_PREFIX)),
		      0, "the daemon deletes rules by its prefix: ours must not start with it");
	cr_assert_eq(n, 15);
	for (size_t i = 0; i < n; i++) {
		const char *want = r[i].kind == RS_RULE_WRITE  ? RS_AUDIT_RULES_KEY_WRITE
				   : r[i].kind == RS_RULE_CONF ? RS_AUDIT_RULES_KEY_CONF
							       : RS_AUDIT_RULES_KEY_DNS;
		cr_assert_str_eq(r[i].key, want, "rule %zu", i);
	}
	/* audit_rec.c tells keys apart by these suffixes. */
	cr_assert(ends_with(RS_AUDIT_RULES_KEY_WRITE, "-write"));
	cr_assert(ends_with(RS_AUDIT_RULES_KEY_CONF, "-conf"));
	cr_assert(ends_with(RS_AUDIT_RULES_KEY_DNS, "-dns"));
}

Test(shipped_file, every_rule_line_has_a_shipped_key)
{
	struct rs_sbuf out = RS_SBUF_INIT;
	char *save = NULL;
	unsigned rules = 0;

	render_default(&out);
	for (char *l = strtok_r(out.buf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		const char *k;

		if (l[0] == '#')
			continue;
		rules++;
		cr_assert_null(strstr(l, RS_AUDIT_KEY_PREFIX), "%s", l);
		k = strstr(l, " -F key=");
		cr_assert_not_null(k, "%s", l);
		k += strlen(" -F key=");
		cr_assert(strcmp(k, RS_AUDIT_RULES_KEY_WRITE) == 0 ||
				  strcmp(k, RS_AUDIT_RULES_KEY_CONF) == 0 ||
				  strcmp(k, RS_AUDIT_RULES_KEY_DNS) == 0,
			  "%s", l);
	}
	cr_assert_eq(rules, 15);
	rs_sbuf_free(&out);
}

Test(shipped, b64_b32_pairs)
{
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 0, r,
					    RS_AUDIT_MAX_RULES);
	unsigned b64 = 0, b32 = 0, socketcall = 0;

	n = rs_audit_rules_fit(r, n, MACH_86_64);
	cr_assert_eq(n, 15);
	for (size_t i = 0; i < n; i++) {
		if (r[i].kind == RS_RULE_WRITE) {
			cr_assert_eq(r[i].arch, RS_ARCH_ANY, "a path watch covers every ABI");
			continue;
		}
		if (r[i].kind == RS_RULE_SOCKETCALL) {
			cr_assert_eq(r[i].arch, RS_ARCH_B32);
			socketcall++;
			continue;
		}
		if (r[i].arch == RS_ARCH_B32) {
			b32++;
			continue;
		}
		cr_assert_eq(r[i].arch, RS_ARCH_B64);
		b64++;
		/* Its partner: the same kind and fields, for b32. */
		bool found = false;
		for (size_t j = 0; j < n && !found; j++) {
			if (r[j].arch != RS_ARCH_B32 || r[j].kind != r[i].kind)
				continue;
			found = memcmp(r[j].fields, r[i].fields, sizeof(r[i].fields)) == 0 &&
				count_syscalls(&r[j]) == count_syscalls(&r[i]);
		}
		cr_assert(found, "b64 rule %zu has no b32 partner", i);
	}
	cr_assert_eq(b64, 3);
	cr_assert_eq(b32, 3);
	cr_assert_eq(socketcall, 8, "a0 = 3, 11, 16, 20, for each family");
}

Test(shipped, no_pid_field)
{
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 4321, r,
					    RS_AUDIT_MAX_RULES);
	struct rs_sbuf out = RS_SBUF_INIT;
	char *save = NULL;

	for (size_t i = 0; i < n; i++)
		cr_assert_not(has_field(&r[i], "pid"), "rule %zu", i);
	render_default(&out);
	for (char *l = strtok_r(out.buf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
		if (l[0] == '-')
			cr_assert_null(strstr(l, "pid"), "%s", l);
	rs_sbuf_free(&out);
}

Test(live, keys_and_own_pid)
{
	struct rs_audit_rule live[RS_AUDIT_MAX_RULES], shipped[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build("/etc/resolv.conf", 4321, live, RS_AUDIT_MAX_RULES);
	size_t m = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 0, shipped,
					    RS_AUDIT_MAX_RULES);

	cr_assert_eq(n, m, "the same rules in both sets");
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(strncmp(live[i].key, RS_AUDIT_KEY_PREFIX, strlen(RS_AUDIT_KEY_PREFIX)),
			     0);
		cr_assert_eq(live[i].kind, shipped[i].kind);
		cr_assert_eq(live[i].arch, shipped[i].arch);
		cr_assert_eq(count_syscalls(&live[i]), count_syscalls(&shipped[i]));
		if (live[i].kind == RS_RULE_CONF) {
			cr_assert_str_eq(live[i].fields[0], "pid!=4321");
			cr_assert_str_eq(live[i].fields[1], "");
		} else {
			cr_assert_eq(
				memcmp(live[i].fields, shipped[i].fields, sizeof(live[i].fields)),
				0, "rule %zu", i);
		}
	}
}

/* What the daemon sends on x86_64, in auditctl syntax (README's example). */
Test(live, x86_64_lines)
{
	static const char *const want[] = {
		"-a always,exit -F path=/etc/resolv.conf -F perm=wa -F key=resolvstale-live-write",
		"-a always,exit -F arch=b64 -S stat,lstat,newfstatat,statx,open,openat,openat2 "
		"-F path=/etc/resolv.conf -F pid!=7 -F key=resolvstale-live-conf",
		"-a always,exit -F arch=b32 -S stat64,lstat64,fstatat64,statx,open,openat,openat2 "
		"-F path=/etc/resolv.conf -F pid!=7 -F key=resolvstale-live-conf",
		"-a always,exit -F arch=b64 -S connect,sendto,sendmsg,sendmmsg -F saddr_fam=2 "
		"-F key=resolvstale-live-dns",
		"-a always,exit -F arch=b64 -S connect,sendto,sendmsg,sendmmsg -F saddr_fam=10 "
		"-F key=resolvstale-live-dns",
		"-a always,exit -F arch=b32 -S connect,sendto,sendmsg,sendmmsg -F saddr_fam=2 "
		"-F key=resolvstale-live-dns",
		"-a always,exit -F arch=b32 -S connect,sendto,sendmsg,sendmmsg -F saddr_fam=10 "
		"-F key=resolvstale-live-dns",
		"-a always,exit -F arch=b32 -S socketcall -F a0=3 -F saddr_fam=2 "
		"-F key=resolvstale-live-dns",
	};
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build("/etc/resolv.conf", 7, r, RS_AUDIT_MAX_RULES);

	n = rs_audit_rules_fit(r, n, MACH_86_64);
	cr_assert_eq(n, 15);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct rs_sbuf line = RS_SBUF_INIT;
		rs_audit_rule_format(&r[i], &line);
		cr_assert_str_eq(rs_sbuf_str(&line), want[i]);
		rs_sbuf_free(&line);
	}
}

Test(fit, aarch64_and_ppc64le_names)
{
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 0, r,
					    RS_AUDIT_MAX_RULES);

	n = rs_audit_rules_fit(r, n, MACH_AARCH64);
	cr_assert_eq(n, 15, "aarch64 has a 32-bit ABI (arm)");
	cr_assert_eq(r[1].kind, RS_RULE_CONF);
	cr_assert_eq(r[1].arch, RS_ARCH_B64);
	cr_assert_not(has_syscall(&r[1], "stat"));
	cr_assert_not(has_syscall(&r[1], "lstat"));
	cr_assert_not(has_syscall(&r[1], "open"));
	cr_assert(has_syscall(&r[1], "newfstatat"));
	cr_assert(has_syscall(&r[1], "openat"));
	cr_assert(has_syscall(&r[2], "stat64"), "arm's table has stat64");

	n = rs_audit_rules_build_set(RS_RULESET_SHIPPED, "/etc/resolv.conf", 0, r,
				     RS_AUDIT_MAX_RULES);
	n = rs_audit_rules_fit(r, n, MACH_PPC64LE);
	/* write, conf b64, dns b64 x2: no 32-bit ABI. */
	cr_assert_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		cr_assert_neq(r[i].arch, RS_ARCH_B32);
	cr_assert(has_syscall(&r[1], "fstatat64"), "ppc64's name for newfstatat");
	cr_assert_not(has_syscall(&r[1], "newfstatat"));
}

Test(shipped_file, lines_are_comments_or_rules)
{
	struct rs_sbuf out = RS_SBUF_INIT;
	const char *p;

	render_default(&out);
	cr_assert_eq(out.buf[out.len - 1], '\n');
	for (p = out.buf; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);

		cr_assert_not_null(nl);
		if (len > 0 && p[0] == '#')
			cr_assert(strncmp(p, "##", 2) == 0 && len <= 80, "%.*s", (int)len, p);
		else if (len > 0)
			cr_assert_eq(strncmp(p, "-a always,exit ", 15), 0, "%.*s", (int)len, p);
		cr_assert_null(memchr(p, '\t', len));
		p = nl + 1;
	}
	rs_sbuf_free(&out);
}

/* Each rule line through libaudit's parser, the way auditctl -R reads it
 * (arch before -S, fields in order). Only on x86_64: arch=b64 means the
 * host's own ABI. */
Test(shipped_file, rules_parse_with_libaudit)
{
	struct rs_sbuf out = RS_SBUF_INIT;
	char *save = NULL;
	unsigned rules = 0;

	if (audit_detect_machine() != MACH_86_64)
		cr_skip_test("the file's syscall names are x86_64's");
	render_default(&out);
	for (char *l = strtok_r(out.buf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		struct audit_rule_data *d;
		char *tsave = NULL, *opt;

		if (l[0] == '#')
			continue;
		d = audit_rule_create_data();
		cr_assert_not_null(d);
		_audit_elf = 0;
		_audit_syscalladded = _audit_permadded = _audit_archadded = 0;
		_audit_exeadded = _audit_filterfsadded = 0;
		opt = strtok_r(l, " ", &tsave);
		cr_assert_str_eq(opt, "-a");
		cr_assert_str_eq(strtok_r(NULL, " ", &tsave), "always,exit");
		while ((opt = strtok_r(NULL, " ", &tsave)) != NULL) {
			char *arg = strtok_r(NULL, " ", &tsave), *ssave = NULL;

			cr_assert_not_null(arg);
			/* auditctl takes keys itself, not through libaudit. */
			if (strcmp(opt, "-F") == 0 && strncmp(arg, "key=", 4) == 0) {
				cr_assert_leq(strlen(arg + 4), AUDIT_MAX_KEY_LEN);
				continue;
			}
			if (strcmp(opt, "-F") == 0) {
				cr_assert_eq(audit_rule_fieldpair_data(&d, arg, AUDIT_FILTER_EXIT),
					     0, "libaudit refuses -F %s", arg);
				continue;
			}
			cr_assert_str_eq(opt, "-S");
			for (char *sc = strtok_r(arg, ",", &ssave); sc != NULL;
			     sc = strtok_r(NULL, ",", &ssave))
				cr_assert_eq(audit_rule_syscallbyname_data(d, sc), 0,
					     "unknown syscall %s", sc);
		}
		audit_rule_free_data(d);
		rules++;
	}
	cr_assert_eq(rules, 15);
	rs_sbuf_free(&out);
}

Test(shipped_file, follow_names_target_and_links)
{
	static const char *const links[] = {"/etc/resolv.conf"};
	struct rs_audit_rules_file f = {
		.path = "/run/systemd/resolve/stub-resolv.conf",
		.given = "/etc/resolv.conf",
		.links = links,
		.n_links = 1,
		.machine = MACH_86_64,
	};
	struct rs_sbuf out = RS_SBUF_INIT;

	cr_assert_eq(rs_audit_rules_file_render(&f, &out), 0);
	cr_assert_not_null(strstr(out.buf, "## Generated with --follow: /etc/resolv.conf\n"
					   "##   -> /run/systemd/resolve/stub-resolv.conf\n"));
	cr_assert_not_null(strstr(out.buf, "before /run/systemd/resolve exists"));
	cr_assert_not_null(strstr(out.buf,
				  "-a always,exit -F path=/run/systemd/resolve/"
				  "stub-resolv.conf -F perm=wa -F key=resolvstale-rules-write\n"
				  "## The symlinks on the way to it:\n"
				  "-a always,exit -F path=/etc/resolv.conf -F perm=wa "
				  "-F key=resolvstale-rules-write\n"));
	cr_assert_not_null(strstr(out.buf, "-F path=/run/systemd/resolve/stub-resolv.conf "
					   "-F key=resolvstale-rules-conf\n"));
	cr_assert_null(strstr(out.buf, "-F path=/etc/resolv.conf -F key=resolvstale-rules-conf"),
		       "stat/open rules name the target only");
	rs_sbuf_free(&out);
}

Test(shipped_file, order_sends_first_paths_last)
{
	struct rs_sbuf out = RS_SBUF_INIT;
	const char *dns, *write, *conf;

	render_default(&out);
	dns = strstr(out.buf, "\n-a always,exit -F arch=b64 -S connect");
	write = strstr(out.buf, "\n-a always,exit -F path=");
	conf = strstr(out.buf, "-F key=resolvstale-rules-conf");
	cr_assert(dns != NULL && write != NULL && conf != NULL);
	cr_assert_lt(dns, write, "a failing path rule must not stop the send rules");
	cr_assert_lt(write, conf, "the kernel keys an event by the first matching rule");
	rs_sbuf_free(&out);
}

Test(shipped_file, rejects_paths_a_rules_file_cannot_carry)
{
	static const char *const bad[] = {"etc/resolv.conf", "/etc/resolv conf",
					  "/etc/resolv\tconf", "/etc/resolv\nconf", "/etc/\x7f"};
	char longpath[RS_AUDIT_RULES_FILE_MAX_PATH + 2];
	struct rs_sbuf out = RS_SBUF_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rs_audit_rules_file f = {.path = bad[i], .machine = MACH_86_64};
		cr_assert_eq(rs_audit_rules_file_render(&f, &out), -EINVAL, "%s", bad[i]);
	}
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	struct rs_audit_rules_file f = {.path = longpath, .machine = MACH_86_64};
	cr_assert_eq(rs_audit_rules_file_render(&f, &out), -ENAMETOOLONG);
	struct rs_audit_rules_file g = {.path = "/etc/r\xc3\xa9solv.conf", .machine = MACH_86_64};
	cr_assert_eq(rs_audit_rules_file_render(&g, &out), 0, "non-ASCII bytes are fine");
	rs_sbuf_free(&out);
}

Test(shipped_file, native_header)
{
	struct rs_audit_rules_file f = {
		.path = "/etc/resolv.conf", .machine = MACH_PPC64LE, .native = true};
	struct rs_sbuf out = RS_SBUF_INIT;

	cr_assert_eq(rs_audit_rules_file_render(&f, &out), 0);
	cr_assert_not_null(strstr(out.buf, "this host's (ppc64le); it has no 32-bit ABI"));
	cr_assert_null(strstr(out.buf, "arch=b32 -S"));
	cr_assert_not_null(strstr(out.buf, "fstatat64"));
	rs_sbuf_free(&out);
}

/* --- rule groups (what the daemon loads and removes at run time) ---------- */

Test(groups, kind_to_group_and_key)
{
	cr_assert_eq(rs_audit_rule_group(RS_RULE_WRITE), RS_AUDIT_GROUP_WRITE);
	cr_assert_eq(rs_audit_rule_group(RS_RULE_CONF), RS_AUDIT_GROUP_CONF);
	cr_assert_eq(rs_audit_rule_group(RS_RULE_DNS), RS_AUDIT_GROUP_DNS);
	cr_assert_eq(rs_audit_rule_group(RS_RULE_SOCKETCALL), RS_AUDIT_GROUP_DNS,
		     "i386's sends are sends");
	cr_assert_str_eq(rs_audit_group_key(RS_AUDIT_GROUP_WRITE), RS_AUDIT_KEY_WRITE);
	cr_assert_str_eq(rs_audit_group_key(RS_AUDIT_GROUP_CONF), RS_AUDIT_KEY_CONF);
	cr_assert_str_eq(rs_audit_group_key(RS_AUDIT_GROUP_DNS), RS_AUDIT_KEY_DNS);
	cr_assert_null(rs_audit_group_key(0));
	cr_assert_null(rs_audit_group_key(RS_AUDIT_GROUP_ALL), "one bit, one key");
	cr_assert_null(rs_audit_group_key(1u << 3));
}

/* A group is removed by its key: every live rule of a group must carry that
 * group's key, and no key may be a prefix of another (the removal goes by
 * key prefix). */
Test(groups, every_rule_carries_its_groups_key)
{
	struct rs_audit_rule r[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build("/etc/resolv.conf", 7, r, RS_AUDIT_MAX_RULES);
	const char *keys[] = {RS_AUDIT_KEY_WRITE, RS_AUDIT_KEY_CONF, RS_AUDIT_KEY_DNS};

	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(r[i].key, rs_audit_group_key(rs_audit_rule_group(r[i].kind)),
				 "rule %zu", i);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			if (i != j)
				cr_assert_neq(strncmp(keys[i], keys[j], strlen(keys[i])), 0,
					      "%s is a prefix of %s", keys[i], keys[j]);
}

/* Edge cases of rs_audit_rules_select over the live rules of a target and
 * of no target: how many, of which kinds, in build order. */
Test(groups, select_table)
{
	static const struct {
		bool target;
		unsigned groups;
		size_t n;
	} cases[] = {
		{true, RS_AUDIT_GROUP_WRITE, 1},
		{true, RS_AUDIT_GROUP_CONF, 2},
		{true, RS_AUDIT_GROUP_DNS, 12},
		{true, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF, 3},
		{true, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_DNS, 13},
		{true, RS_AUDIT_GROUP_ALL, 15},
		{true, 0, 0},
		{true, 1u << 5, 0},
		{false, RS_AUDIT_GROUP_WRITE, 0},
		{false, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF, 0},
		{false, RS_AUDIT_GROUP_ALL, 12},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct rs_audit_rule all[RS_AUDIT_MAX_RULES], sel[RS_AUDIT_MAX_RULES];
		size_t n = rs_audit_rules_build(cases[c].target ? "/etc/resolv.conf" : NULL, 7, all,
						RS_AUDIT_MAX_RULES);
		size_t k = rs_audit_rules_select(all, n, cases[c].groups, sel, RS_AUDIT_MAX_RULES);
		size_t j = 0;

		cr_assert_eq(k, cases[c].n, "case %zu: %zu rules", c, k);
		/* In build order: sel is all without the other groups' rules. */
		for (size_t i = 0; i < n; i++) {
			if ((rs_audit_rule_group(all[i].kind) & cases[c].groups) == 0)
				continue;
			cr_assert_lt(j, k, "case %zu", c);
			cr_assert_eq(memcmp(&sel[j], &all[i], sizeof(all[i])), 0,
				     "case %zu rule %zu", c, i);
			j++;
		}
		cr_assert_eq(j, k, "case %zu", c);
	}
}

Test(groups, select_write_first_and_bounded)
{
	struct rs_audit_rule all[RS_AUDIT_MAX_RULES], sel[RS_AUDIT_MAX_RULES];
	size_t n = rs_audit_rules_build("/etc/resolv.conf", 7, all, RS_AUDIT_MAX_RULES);
	size_t k = rs_audit_rules_select(all, n, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF, sel,
					 RS_AUDIT_MAX_RULES);

	cr_assert_eq(k, 3);
	cr_assert_eq(sel[0].kind, RS_RULE_WRITE, "the kernel keys an event by the first match");
	cr_assert_eq(sel[1].kind, RS_RULE_CONF);
	cr_assert_eq(sel[2].kind, RS_RULE_CONF);
	cr_assert_str_eq(sel[1].fields[0], "pid!=7");
	cr_assert_eq(rs_audit_rules_select(all, n, RS_AUDIT_GROUP_DNS, sel, 5), 5, "max holds");
	cr_assert_eq(sel[4].kind, RS_RULE_SOCKETCALL);
	cr_assert_eq(rs_audit_rules_select(all, n, RS_AUDIT_GROUP_ALL, sel, 0), 0);
	cr_assert_eq(rs_audit_rules_select(all, 0, RS_AUDIT_GROUP_ALL, sel, 5), 0);
}

Test(groups, parse_table)
{
	static const struct {
		const char *in;
		int rc;
		unsigned groups;
	} cases[] = {
		{"write", 0, RS_AUDIT_GROUP_WRITE},
		{"conf", 0, RS_AUDIT_GROUP_CONF},
		{"dns", 0, RS_AUDIT_GROUP_DNS},
		{"write,conf", 0, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF},
		{"dns,write", 0, RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_DNS},
		{"write,conf,dns", 0, RS_AUDIT_GROUP_ALL},
		{"all", 0, RS_AUDIT_GROUP_ALL},
		{"", -EINVAL, 0},
		{",", -EINVAL, 0},
		{"write,", -EINVAL, 0},
		{",write", -EINVAL, 0},
		{"write,,conf", -EINVAL, 0},
		{"write,write", -EINVAL, 0},
		{"all,dns", -EINVAL, 0},
		{"Write", -EINVAL, 0},
		{"writes", -EINVAL, 0},
		{"wri", -EINVAL, 0},
		{"write conf", -EINVAL, 0},
		{"none", 0, 0},
		{"none,write", -EINVAL, 0},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned g = 12345;
		cr_assert_eq(rs_audit_groups_parse(cases[c].in, &g), cases[c].rc, "'%s'",
			     cases[c].in);
		cr_assert_eq(g, cases[c].groups, "'%s'", cases[c].in);
	}
	cr_assert_eq(rs_audit_groups_parse(NULL, &(unsigned){0}), -EINVAL);
}

Test(groups, format)
{
	char buf[32], tiny[6];

	cr_assert_str_eq(rs_audit_groups_format(0, buf, sizeof(buf)), "none");
	cr_assert_str_eq(rs_audit_groups_format(RS_AUDIT_GROUP_ALL, buf, sizeof(buf)),
			 "write,conf,dns");
	cr_assert_str_eq(
		rs_audit_groups_format(RS_AUDIT_GROUP_DNS | RS_AUDIT_GROUP_WRITE, buf, sizeof(buf)),
		"write,dns");
	cr_assert_str_eq(rs_audit_groups_format(RS_AUDIT_GROUP_CONF | (1u << 7), buf, sizeof(buf)),
			 "conf", "unknown bits are ignored");
	cr_assert_str_eq(rs_audit_groups_format(RS_AUDIT_GROUP_ALL, tiny, sizeof(tiny)), "write",
			 "cut to the buffer");
	/* What it prints, parse reads back. */
	for (unsigned g = 0; g <= RS_AUDIT_GROUP_ALL; g++) {
		unsigned back;
		cr_assert_eq(
			rs_audit_groups_parse(rs_audit_groups_format(g, buf, sizeof(buf)), &back),
			0);
		cr_assert_eq(back, g);
	}
}
