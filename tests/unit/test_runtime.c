/* The resolver runtime fingerprint: rs_runtime_classify() on facts captured
 * from real processes of a Debian 12 machine (tests/fixtures/runtime/, made
 * by capture.sh there), on hand-made and hostile facts; the ELF reader on a
 * real static musl binary and on ELF files built here; rs_runtime_read() on
 * /proc-like fixture trees built in a temporary directory.
 * tests/integration/runtime_real.sh checks the same on live processes. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/elfinfo.h"
#include "resolvstale/json.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sbuf.h"
#include "testutil.h"

/* --- fixtures ---------------------------------------------------------------- */

static void *owned[32];
static size_t n_owned;
static char tmpdir[64];

static void *keep(void *p)
{
	cr_assert_lt(n_owned, sizeof(owned) / sizeof(owned[0]));
	owned[n_owned++] = p;
	return p;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void release_all(void)
{
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	n_owned = 0;
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

TestSuite(runtime_real, .fini = release_all);
TestSuite(runtime_facts, .fini = release_all);
TestSuite(runtime_hostile, .fini = release_all);
TestSuite(runtime_output, .fini = release_all);
TestSuite(elfinfo, .fini = release_all);
TestSuite(runtime_read, .fini = release_all);

static const char *load(const char *rel, size_t *len)
{
	return keep(rs_test_fixture(rel, len));
}

/* maps, environ, cmdline and exe of tests/fixtures/runtime/NAME/. */
static void load_process(const char *name, struct rs_runtime_facts *f)
{
	char rel[128];

	memset(f, 0, sizeof(*f));
	snprintf(rel, sizeof(rel), "runtime/%s/maps", name);
	f->maps = load(rel, &f->maps_len);
	snprintf(rel, sizeof(rel), "runtime/%s/environ", name);
	f->environ = load(rel, &f->environ_len);
	snprintf(rel, sizeof(rel), "runtime/%s/cmdline", name);
	f->cmdline = load(rel, &f->cmdline_len);
	snprintf(rel, sizeof(rel), "runtime/%s/exe", name);
	f->exe = load(rel, &f->exe_len);
	f->go.cgo = -1;
}

static void with_banner(struct rs_runtime_facts *f)
{
	f->libc_banner = load("runtime/libc-banner", &f->libc_banner_len);
}

static void set_text(const char **p, size_t *len, const char *s, size_t n)
{
	*p = s;
	*len = n;
}
#define SET(f, field, lit) set_text(&(f).field, &(f).field##_len, lit, sizeof(lit) - 1)

static bool has_evidence(const struct rs_runtime *rt, const char *want)
{
	for (unsigned i = 0; i < rt->n_evidence; i++)
		if (strcmp(rt->evidence[i], want) == 0)
			return true;
	return false;
}

static void dump(const struct rs_runtime *rt)
{
	for (unsigned i = 0; i < rt->n_evidence; i++)
		fprintf(stderr, "  evidence[%u] %s\n", i, rt->evidence[i]);
}

#define assert_evidence(rt, s)                                                                     \
	do {                                                                                       \
		if (!has_evidence(rt, s))                                                          \
			dump(rt);                                                                  \
		cr_assert(has_evidence(rt, s), "missing evidence: %s", s);                         \
	} while (0)

static void assert_path(const struct rs_runtime_path *p, enum rs_resolver_path path,
			enum rs_reload_rule rule, uint32_t within)
{
	cr_assert_eq(p->path, path, "path %s", rs_resolver_path_name(p->path));
	cr_assert_eq(p->rule, rule, "rule %s", rs_reload_rule_name(p->rule));
	cr_assert_eq(p->within_s, within);
}

static struct rs_runtime rt;

/* --- real processes (captured) ------------------------------------------------ */

Test(runtime_real, python3_is_glibc_with_version_from_banner)
{
	struct rs_runtime_facts f;

	load_process("python3", &f);
	with_banner(&f);
	cr_assert_eq(rs_runtime_classify(&f, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	cr_assert_str_eq(rt.version, "2.36");
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.second.path, RS_PATH_NONE);
	cr_assert_eq(rt.notes, 0);
	cr_assert_eq(rt.n_evidence, 2);
	cr_assert_str_eq(rt.evidence[0], "maps: /usr/lib/x86_64-linux-gnu/libc.so.6");
	cr_assert_str_eq(rt.evidence[1], "libc: GNU C Library (Debian GLIBC 2.36-9+deb12u14) "
					 "stable release version 2.36.");
}

Test(runtime_real, python3_without_banner_still_reloads)
{
	struct rs_runtime_facts f;

	load_process("python3", &f);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	cr_assert_str_eq(rt.version, "");
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.n_evidence, 1);
}

Test(runtime_real, res_options_no_reload_reads_once)
{
	struct rs_runtime_facts f;

	load_process("sleep-no-reload", &f);
	with_banner(&f);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rt.notes, RS_RTN_NO_RELOAD | RS_RTN_RES_OPTIONS | RS_RTN_LOCALDOMAIN);
	assert_evidence(&rt, "environ: RES_OPTIONS=ndots:2 no-reload");
	assert_evidence(&rt, "environ: RES_OPTIONS no-reload: glibc never re-reads resolv.conf");
	assert_evidence(&rt, "environ: LOCALDOMAIN=example.test");
}

Test(runtime_real, musl_dynamic_through_debian_loader_name)
{
	struct rs_runtime_facts f;

	load_process("musl-dynamic", &f);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_MUSL);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.n_evidence, 1);
	cr_assert_str_eq(rt.evidence[0], "maps: /usr/lib/x86_64-linux-musl/libc.so");
}

Test(runtime_real, musl_static_from_error_table)
{
	struct rs_runtime_facts f;

	load_process("musl-static", &f);
	f.exe_elf = true;
	f.exe_markers = RS_MARK_MUSL_ERRMSG | RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_MUSL);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_str_eq(rt.evidence[0], "exe: static (no PT_INTERP) and contains \"No error "
					 "information\" (musl)");
}

Test(runtime_real, musl_static_without_markers_is_unknown)
{
	struct rs_runtime_facts f;

	load_process("musl-static", &f);
	f.exe_elf = true;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_UNKNOWN);
	assert_path(&rt.primary, RS_PATH_NONE, RS_RELOAD_UNKNOWN, 0);
	cr_assert_str_eq(rt.evidence[0], "exe: /tmp/tmp.MMmyyy4Mip/gai-musl-static: static, no "
					 "resolver marker found");
}

Test(runtime_real, java17_ttl_option_before_main_class_counts)
{
	static const char release[] = "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n";
	struct rs_runtime_facts f;

	load_process("java17", &f);
	with_banner(&f);
	SET(f, java_release, release);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_JAVA);
	cr_assert_str_eq(rt.version, "17.0.15");
	/* the -Dsun.net.inetaddr.ttl=99 after the main class is the program's */
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, 7);
	assert_path(&rt.second, RS_PATH_JAVA_JNDI, RS_RELOAD_READS_ONCE, 0);
	cr_assert_str_eq(rt.evidence[0],
			 "maps: /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so");
	/* libnet.so is loaded on the first network use: this JVM made none */
	cr_assert_str_eq(rt.evidence[1], "release: JAVA_VERSION=\"17.0.15\"");
	cr_assert_str_eq(rt.evidence[2], "options: -Dsun.net.inetaddr.ttl=7");
	cr_assert_str_eq(rt.evidence[3],
			 "java: InetAddress caches positive answers 7 s, then asks libc");
	cr_assert_eq(rs_runtime_worst(&rt), &rt.second);
}

Test(runtime_real, java17_security_file_wins_over_system_property)
{
	static const char sec[] = "# networkaddress.cache.ttl=-1\n"
				  "networkaddress.cache.ttl = 0\n";
	struct rs_runtime_facts f;

	load_process("java17", &f);
	SET(f, java_security, sec);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_ON_USE, 0);
	assert_evidence(&rt, "java.security: networkaddress.cache.ttl = 0");
	assert_evidence(&rt, "java: InetAddress cache off: every lookup goes to libc");
}

Test(runtime_real, java17_security_manager_from_tool_options_caches_forever)
{
	static const char env[] = "PATH=/bin\0JAVA_TOOL_OPTIONS=-Xss1m -Djava.security.manager";
	static const char cmd[] = "java\0-cp\0/x\0Main";
	struct rs_runtime_facts f;

	load_process("java17", &f);
	SET(f, environ, env);
	SET(f, cmdline, cmd);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rt.notes, RS_RTN_SECURITY_MANAGER);
	assert_evidence(&rt, "options: -Djava.security.manager");
	assert_evidence(&rt, "java: InetAddress caches positive answers forever");
}

Test(runtime_real, node20_carries_cares_inside)
{
	struct rs_runtime_facts f;

	load_process("node20", &f);
	with_banner(&f);
	f.exe_cares_symbol = true;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_NODE);
	assert_path(&rt.primary, RS_PATH_NODE_LOOKUP, RS_RELOAD_ON_USE, 0);
	assert_path(&rt.second, RS_PATH_CARES, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rs_runtime_worst(&rt), &rt.second);
	cr_assert_str_eq(rt.evidence[0], "exe: /usr/bin/node");
	cr_assert_str_eq(rt.evidence[1], "exe: defines ares_library_init (c-ares built in)");
	assert_evidence(&rt, "maps: /usr/lib/x86_64-linux-gnu/libc.so.6");
}

Test(runtime_real, node18_debian_maps_libcares)
{
	struct rs_runtime_facts f;

	load_process("node18-debian", &f);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_NODE);
	assert_path(&rt.second, RS_PATH_CARES, RS_RELOAD_READS_ONCE, 0);
	cr_assert_str_eq(rt.evidence[0], "exe: /tmp/rt-node18/root/usr/bin/node");
	cr_assert_str_eq(rt.evidence[1],
			 "maps: /tmp/rt-node18/root/usr/lib/x86_64-linux-gnu/libnode.so.108");
	cr_assert_str_eq(rt.evidence[2],
			 "maps: /usr/lib/x86_64-linux-gnu/libcares.so.2.5.1 (c-ares)");
}

Test(runtime_real, go_age_godebug_netdns_go_is_native_only)
{
	struct rs_runtime_facts f;
	size_t n;
	const char *bi;

	load_process("go-age", &f);
	bi = load("runtime/go-age.buildinfo", &n);
	cr_assert_eq(rs_go_buildinfo_parse((const uint8_t *)bi, n, &f.go), 0);
	f.exe_elf = f.exe_has_interp = true;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GO);
	cr_assert_str_eq(rt.version, "go1.19.8");
	assert_path(&rt.primary, RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	cr_assert_eq(rt.second.path, RS_PATH_NONE);
	cr_assert_eq(rt.notes, RS_RTN_MTIME_ONLY);
	cr_assert_str_eq(rt.evidence[0], "exe: .go.buildinfo go1.19.8");
	cr_assert_str_eq(rt.evidence[1], "exe: build CGO_ENABLED=1");
	cr_assert_str_eq(rt.evidence[2], "environ: GODEBUG netdns=go+1");
	cr_assert_str_eq(rt.evidence[3], "go: GODEBUG netdns=go: Go's own resolver only");
}

Test(runtime_real, go_age_default_has_cgo_second_path)
{
	static const char env[] = "PATH=/bin\0GODEBUG=http2client=0";
	struct rs_runtime_facts f;
	size_t n;
	const char *bi;

	load_process("go-age", &f);
	SET(f, environ, env);
	bi = load("runtime/go-age.buildinfo", &n);
	rs_go_buildinfo_parse((const uint8_t *)bi, n, &f.go);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	assert_path(&rt.second, RS_PATH_GO_CGO, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rs_runtime_worst(&rt), &rt.primary);
}

Test(runtime_real, go_res_options_forces_cgo_and_no_reload_applies)
{
	static const char env[] = "RES_OPTIONS=no-reload";
	struct rs_runtime_facts f;
	size_t n;
	const char *bi;

	load_process("go-age", &f);
	SET(f, environ, env);
	bi = load("runtime/go-age.buildinfo", &n);
	rs_go_buildinfo_parse((const uint8_t *)bi, n, &f.go);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_GO_CGO, RS_RELOAD_READS_ONCE, 0);
	assert_path(&rt.second, RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	cr_assert_eq(rt.notes, RS_RTN_MTIME_ONLY | RS_RTN_RES_OPTIONS | RS_RTN_NO_RELOAD);
	assert_evidence(&rt, "go: lookups go through libc (cgo): RES_OPTIONS, LOCALDOMAIN or "
			     "HOSTALIASES set");
}

Test(runtime_real, dnsmasq_no_poll_reads_once)
{
	struct rs_runtime_facts f;

	load_process("dnsmasq-no-poll", &f);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_DNSMASQ);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rt.notes, 0);
	cr_assert_eq(rt.n_evidence, 4);
	cr_assert_str_eq(rt.evidence[0], "exe: /usr/sbin/dnsmasq");
	cr_assert_str_eq(rt.evidence[1], "cmdline: --no-poll");
	cr_assert_str_eq(rt.evidence[2], "cmdline: resolv-file /etc/resolv.conf");
	cr_assert_str_eq(rt.evidence[3],
			 "dnsmasq: no-poll: reads the resolv file at start and on SIGHUP only");
}

/* --- hand-made facts: every rule and runtime ----------------------------------- */

#define LIBC_LINE                                                                                  \
	"7f0000000000-7f0000028000 r--p 00000000 fe:00 1096049                    "                \
	"/usr/lib/x86_64-linux-gnu/libc.so.6\n"

Test(runtime_facts, deleted_libc_is_noted)
{
	static const char maps[] = "7f0000000000-7f0000028000 r--p 00000000 fe:00 1096049    "
				   "/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)\n";
	struct rs_runtime_facts f = {0};

	SET(f, maps, maps);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.notes, RS_RTN_LIBC_DELETED);
	cr_assert_str_eq(rt.evidence[0], "maps: /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted): "
					 "runs the libc that was replaced on disk");
}

Test(runtime_facts, old_glibc_reads_once_and_newer_name_reloads)
{
	static const char old[] = "00400000-00401000 r-xp 00000000 08:01 42 /lib/libc-2.24.so\n";
	static const char mid[] = "00400000-00401000 r-xp 00000000 08:01 42 /lib/libc-2.31.so\n";
	struct rs_runtime_facts f = {0};

	SET(f, maps, old);
	rs_runtime_classify(&f, &rt);
	cr_assert_str_eq(rt.version, "2.24");
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_READS_ONCE, 0);
	assert_evidence(&rt, "maps: glibc 2.24 from the file name");
	assert_evidence(&rt, "glibc 2.24 < 2.26: re-reads resolv.conf only when the program "
			     "calls res_init()");
	SET(f, maps, mid);
	rs_runtime_classify(&f, &rt);
	cr_assert_str_eq(rt.version, "2.31");
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
}

Test(runtime_facts, debian_glibc_without_bug_31476_fix_is_noted)
{
	static const char old[] = "GNU C Library (Debian GLIBC 2.36-9+deb12u8) stable release "
				  "version 2.36.\nCopyright";
	static const char first[] = "GNU C Library (Debian GLIBC 2.36-9) stable release version "
				    "2.36.\n";
	static const char fixed[] = "GNU C Library (Debian GLIBC 2.36-9+deb12u10) stable release "
				    "version 2.36.\n";
	struct rs_runtime_facts f = {0};

	SET(f, maps, LIBC_LINE);
	SET(f, libc_banner, old);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.notes, RS_RTN_GLIBC_BUG_31476);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	SET(f, libc_banner, first);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.notes, RS_RTN_GLIBC_BUG_31476);
	SET(f, libc_banner, fixed);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.notes, 0);
	cr_assert_str_eq(rt.version, "2.36");
}

Test(runtime_facts, cares_library_without_node)
{
	static const char maps[] = LIBC_LINE "7f1000000000-7f1000008000 r--p 00000000 fe:00 77 "
					     "/usr/lib/x86_64-linux-gnu/libcares.so.2.5.1\n";
	static const char exe[] = "/usr/bin/curl";
	struct rs_runtime_facts f = {0};

	SET(f, maps, maps);
	SET(f, exe, exe);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_CARES);
	assert_path(&rt.primary, RS_PATH_CARES, RS_RELOAD_READS_ONCE, 0);
	assert_path(&rt.second, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_str_eq(rt.evidence[0], "maps: /usr/lib/x86_64-linux-gnu/libcares.so.2.5.1");
}

Test(runtime_facts, nss_resolve_client)
{
	static const char maps[] = LIBC_LINE "7f1000000000-7f1000008000 r--p 00000000 fe:00 78 "
					     "/usr/lib/x86_64-linux-gnu/libnss_resolve.so.2\n";
	struct rs_runtime_facts f = {0};

	SET(f, maps, maps);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_NSS_RESOLVE);
	assert_path(&rt.primary, RS_PATH_NSS_RESOLVE, RS_RELOAD_ON_USE, 0);
	assert_path(&rt.second, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
}

Test(runtime_facts, daemons_known_by_exe)
{
	static const struct {
		const char *exe;
		enum rs_runtime_kind kind;
		enum rs_resolver_path path;
		enum rs_reload_rule rule;
	} cases[] = {
		{"/usr/sbin/nscd", RS_RT_NSCD, RS_PATH_NSCD, RS_RELOAD_ON_USE},
		{"/usr/lib/systemd/systemd-resolved", RS_RT_RESOLVED, RS_PATH_RESOLVED,
		 RS_RELOAD_ON_USE},
		{"/usr/sbin/nginx", RS_RT_OWN_CONFIG, RS_PATH_OWN_CONFIG, RS_RELOAD_NEVER_READS},
		{"/usr/sbin/unbound", RS_RT_OWN_CONFIG, RS_PATH_OWN_CONFIG, RS_RELOAD_NEVER_READS},
		{"/usr/sbin/named", RS_RT_OWN_CONFIG, RS_PATH_OWN_CONFIG, RS_RELOAD_NEVER_READS},
		{"/usr/sbin/pdns_recursor", RS_RT_OWN_CONFIG, RS_PATH_OWN_CONFIG,
		 RS_RELOAD_NEVER_READS},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rs_runtime_facts f = {0};

		SET(f, maps, LIBC_LINE);
		f.exe = cases[i].exe;
		f.exe_len = strlen(cases[i].exe);
		rs_runtime_classify(&f, &rt);
		cr_assert_eq(rt.kind, cases[i].kind, "%s", cases[i].exe);
		assert_path(&rt.primary, cases[i].path, cases[i].rule, 0);
		cr_assert_eq(rt.second.path, RS_PATH_NONE);
	}
}

Test(runtime_facts, dnsmasq_flags)
{
	static const char nr[] = "dnsmasq\0-k\0-nR";
	static const char dflt[] = "dnsmasq\0-k\0--conf-file=/dev/null";
	static const char other[] = "dnsmasq\0-r\0/run/dnsmasq/resolv.conf\0-7\0/etc/dnsmasq.d";
	static const char empty[] = "dnsmasq\0--resolv-file";
	static const char exe[] = "/usr/sbin/dnsmasq (deleted)";
	struct rs_runtime_facts f = {0};

	SET(f, exe, exe);
	SET(f, cmdline, nr);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_DNSMASQ);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_NEVER_READS, 0);
	cr_assert_eq(rt.notes, RS_RTN_EXE_DELETED);
	cr_assert_str_eq(rt.evidence[0], "exe: /usr/sbin/dnsmasq");
	cr_assert_str_eq(rt.evidence[1], "cmdline: -nR");
	cr_assert_str_eq(
		rt.evidence[2],
		"dnsmasq: no resolv file: upstream servers come from its own configuration");

	SET(f, cmdline, dflt);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.notes, RS_RTN_EXE_DELETED | RS_RTN_SYMLINK_MISSED);

	SET(f, cmdline, other);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.notes, RS_RTN_EXE_DELETED | RS_RTN_SYMLINK_MISSED |
				       RS_RTN_OTHER_RESOLV_FILE | RS_RTN_CONFIG_UNEXAMINED);
	assert_evidence(&rt, "cmdline: resolv-file /run/dnsmasq/resolv.conf");

	SET(f, cmdline, empty);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_NEVER_READS, 0);
	assert_evidence(&rt, "cmdline: resolv-file without a name: no resolv file");
}

Test(runtime_facts, dnsmasq_config_file_options)
{
	static const char conf[] = "# no-resolv\n  no-poll  \r\nresolv-file=/run/up.conf\n"
				   "conf-dir=/etc/dnsmasq.d\n";
	static const char conf2[] = "server=9.9.9.9\nno-resolv\n";
	static const char exe[] = "/usr/sbin/dnsmasq";
	static const char cmd[] = "dnsmasq";
	struct rs_runtime_facts f = {0};

	SET(f, exe, exe);
	SET(f, cmdline, cmd);
	SET(f, dnsmasq_conf, conf);
	f.dnsmasq_conf_path = "/etc/dnsmasq.conf";
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rt.notes, RS_RTN_OTHER_RESOLV_FILE | RS_RTN_CONFIG_UNEXAMINED);
	assert_evidence(&rt, "conf /etc/dnsmasq.conf: no-poll");
	assert_evidence(&rt, "conf /etc/dnsmasq.conf: resolv-file=/run/up.conf");
	SET(f, dnsmasq_conf, conf2);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_NEVER_READS, 0);
	assert_evidence(&rt, "conf /etc/dnsmasq.conf: no-resolv");
}

Test(runtime_facts, dnsmasq_conf_path_from_cmdline)
{
	static const char none[] = "dnsmasq\0-k";
	static const char sep[] = "dnsmasq\0-kC\0/etc/x.conf";
	static const char glued[] = "dnsmasq\0-C/etc/y.conf\0-C\0/etc/z.conf";
	static const char lng[] = "dnsmasq\0--conf-file=/etc/w.conf";
	static const char bare[] = "dnsmasq\0--conf-file";
	char buf[64];

	cr_assert_eq(rs_runtime_dnsmasq_conf_path(none, sizeof(none) - 1, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/etc/dnsmasq.conf");
	rs_runtime_dnsmasq_conf_path(sep, sizeof(sep) - 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/etc/x.conf");
	rs_runtime_dnsmasq_conf_path(glued, sizeof(glued) - 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/etc/y.conf");
	rs_runtime_dnsmasq_conf_path(lng, sizeof(lng) - 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "/etc/w.conf");
	rs_runtime_dnsmasq_conf_path(bare, sizeof(bare) - 1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	cr_assert_eq(rs_runtime_dnsmasq_conf_path(lng, sizeof(lng) - 1, buf, 5), -ENAMETOOLONG);
	cr_assert_eq(rs_runtime_dnsmasq_conf_path(NULL, 0, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/etc/dnsmasq.conf");
}

Test(runtime_facts, go_netgo_ignores_godebug_cgo)
{
	static const char mod[] = "path\tx\nbuild\t-tags=osusergo,netgo\nbuild\tCGO_ENABLED=1\n";
	static const char env[] = "GODEBUG=netdns=cgo\0RES_OPTIONS=no-reload";
	struct rs_runtime_facts f = {0};

	f.go.found = true;
	f.go.cgo = -1;
	strcpy(f.go.version, "go1.21.0");
	rs_go_modinfo_parse(mod, sizeof(mod) - 1, &f.go);
	cr_assert(f.go.netgo);
	cr_assert_str_eq(f.go.tags, "osusergo,netgo");
	SET(f, maps, LIBC_LINE);
	SET(f, environ, env);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	cr_assert_eq(rt.second.path, RS_PATH_NONE);
	assert_evidence(&rt, "exe: build -tags=osusergo,netgo");
	assert_evidence(&rt, "go: no cgo resolver in this binary: Go's own resolver only");
}

Test(runtime_facts, go_without_settings_has_cgo_if_libc_mapped)
{
	struct rs_runtime_facts f = {0};

	f.go.found = true;
	f.go.cgo = -1;
	strcpy(f.go.version, "go1.16.15");
	rs_runtime_classify(&f, &rt);
	cr_assert_str_eq(rt.version, "go1.16.15");
	cr_assert_eq(rt.second.path, RS_PATH_NONE); /* static: no libc */
	SET(f, maps, LIBC_LINE);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.second, RS_PATH_GO_CGO, RS_RELOAD_ON_USE, 0);
}

Test(runtime_facts, java_ttl_values)
{
	static const char jvm[] = LIBC_LINE "7f2000000000-7f2000100000 r-xp 00000000 fe:00 9 "
					    "/opt/jdk/lib/server/libjvm.so\n";
	static const char hex[] = "java\0-Dsun.net.inetaddr.ttl=0x10\0Main";
	static const char neg[] = "java\0-Dsun.net.inetaddr.ttl=-1\0Main";
	static const char bad[] = "java\0-Dsun.net.inetaddr.ttl=ten\0Main";
	static const char dflt[] = "java\0-Djava.security.manager=allow\0-jar\0app.jar\0"
				   "-Djava.security.manager";
	static const char nadd[] = "java\0-Dnetworkaddress.cache.ttl=0\0@args\0Main";
	struct rs_runtime_facts f = {0};

	SET(f, maps, jvm);
	SET(f, cmdline, hex);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, 16);
	SET(f, cmdline, neg);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
	SET(f, cmdline, bad);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, 30);
	assert_evidence(&rt, "options: -Dsun.net.inetaddr.ttl=ten: not a number, ignored");
	SET(f, cmdline, dflt);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, 30);
	cr_assert_eq(rt.notes, 0);
	SET(f, cmdline, nadd);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_WITHIN, 30);
	cr_assert_eq(rt.notes, RS_RTN_CONFIG_UNEXAMINED);
	assert_evidence(&rt, "options: -Dnetworkaddress.cache.ttl=0: a security property; as -D "
			     "it is ignored");
}

Test(runtime_facts, java_behind_no_reload_libc_is_worse_of_both)
{
	static const char jvm[] = LIBC_LINE "7f2000000000-7f2000100000 r-xp 00000000 fe:00 9 "
					    "/opt/jdk/lib/server/libjvm.so\n";
	static const char env[] = "RES_OPTIONS=no-reload";
	struct rs_runtime_facts f = {0};

	SET(f, maps, jvm);
	SET(f, environ, env);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
}

Test(runtime_facts, node_behind_no_reload_libc)
{
	static const char env[] = "RES_OPTIONS=rotate\tno-reloadx";
	static const char exe[] = "/usr/local/bin/nodejs";
	struct rs_runtime_facts f = {0};

	SET(f, maps, LIBC_LINE);
	SET(f, environ, env);
	SET(f, exe, exe);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_NODE);
	assert_path(&rt.primary, RS_PATH_NODE_LOOKUP, RS_RELOAD_READS_ONCE, 0);
	cr_assert_eq(rs_runtime_worst(&rt), &rt.primary);
}

Test(runtime_facts, static_glibc_and_musl_resolver_strings)
{
	static const char exe[] = "/usr/local/bin/tool";
	struct rs_runtime_facts f = {0};

	SET(f, exe, exe);
	f.exe_elf = true;
	f.exe_markers = RS_MARK_GLIBC | RS_MARK_NO_RELOAD | RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	f.exe_markers = RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_MUSL);
	cr_assert_str_eq(rt.evidence[0],
			 "exe: static (no PT_INTERP); its resolv.conf parser "
			 "knows \"attempts:\" but not glibc's \"no-reload\" (musl)");
	f.exe_markers = RS_MARK_RESOLV_CONF; /* hickory, dnspython...: unknown */
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_UNKNOWN);
}

Test(runtime_facts, loader_names_libc_when_maps_unreadable)
{
	static const char exe[] = "/usr/bin/app";
	struct rs_runtime_facts f = {0};

	SET(f, exe, exe);
	f.exe_elf = f.exe_has_interp = true;
	strcpy(f.exe_interp, "/lib/ld-musl-x86_64.so.1");
	f.notes = RS_RTN_UNREADABLE;
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_MUSL);
	cr_assert_eq(rt.notes, RS_RTN_UNREADABLE);
	strcpy(f.exe_interp, "/lib64/ld-linux-x86-64.so.2");
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	cr_assert_str_eq(rt.evidence[0], "exe: PT_INTERP /lib64/ld-linux-x86-64.so.2 (glibc's "
					 "loader; maps unreadable)");
}

Test(runtime_facts, kernel_thread_is_unknown)
{
	struct rs_runtime_facts f = {0};

	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_UNKNOWN);
	assert_path(&rt.primary, RS_PATH_NONE, RS_RELOAD_UNKNOWN, 0);
	cr_assert_eq(rt.n_evidence, 1);
	cr_assert_str_eq(rt.evidence[0],
			 "exe: none or unreadable (kernel thread, or no permission)");
}

/* --- hostile input -------------------------------------------------------------- */

Test(runtime_hostile, huge_line_nul_bytes_and_missing_fields_in_maps)
{
	size_t big = 100000, n = 0;
	char *maps = keep(malloc(big + 1024));
	struct rs_maps_summary ms;
	static const char tail[] =
		"\n7f-8f r-xp\n"
		"zz-8f r-xp 00000000 fe:00 1 /lib/libc.so.6\n"
		"7f00-8f00 r-xp 00000000 fe:00 1\0 /lib/x86_64-linux-gnu/libc.so.6\n"
		"7f00-8f00 r-xp 00000000 fe:00 99999999999999999999999 /lib/libc.so.6\n"
		"7f00-8f00 r-xp 00000000 fe:00 5 [heap]\n"
		"\n\n"
		"7f10-7f20 r--p 00000000 fe:00 1096049 /usr/lib/x86_64-linux-gnu/libc.so.6";

	memcpy(maps, "00400000-00401000 r-xp 00000000 08:01 1 /", 41);
	n = 41;
	memset(maps + n, 'a', big);
	n += big;
	memcpy(maps + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	rs_runtime_scan_maps(maps, n, &ms);
	cr_assert_eq(ms.n_lines, 7);
	cr_assert_eq(ms.n_long_lines, 1);
	cr_assert_eq(ms.n_bad_lines, 4);
	cr_assert(ms.glibc.found);
	cr_assert_eq(ms.glibc.start, 0x7f10);
	cr_assert_eq(ms.glibc.end, 0x7f20);
	cr_assert_eq(ms.glibc.inode, 1096049);
	cr_assert_str_eq(ms.glibc.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

Test(runtime_hostile, long_path_is_cut_and_flagged)
{
	char maps[1200];
	struct rs_maps_summary ms;
	int n = snprintf(maps, sizeof(maps), "1000-2000 r-xp 00000000 fe:00 3 /");

	memset(maps + n, 'd', 560);
	memcpy(maps + n + 560, "/libc.so.6\n", 11);
	rs_runtime_scan_maps(maps, (size_t)n + 571, &ms);
	cr_assert(ms.glibc.found);
	cr_assert(ms.glibc.cut);
	cr_assert_eq(strlen(ms.glibc.path), RS_RT_PATH_MAX - 1);
}

Test(runtime_hostile, environ_lookalikes_and_first_wins)
{
	static const char env[] = "RES_OPTIONSX=no-reload\0RES_OPTIONS\0xRES_OPTIONS=no-reload\0"
				  "RES_OPTIONS=ndots:1 xno-reload\0RES_OPTIONS=no-reload";
	struct rs_runtime_facts f = {0};

	SET(f, maps, LIBC_LINE);
	SET(f, environ, env);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.notes, RS_RTN_RES_OPTIONS);
	assert_evidence(&rt, "environ: RES_OPTIONS=ndots:1 xno-reload");
}

Test(runtime_hostile, environ_without_final_nul)
{
	static const char env[] = {'A', '=', '1', '\0', 'R', 'E', 'S', '_', 'O', 'P', 'T', 'I', 'O',
				   'N', 'S', '=', 'n',  'o', '-', 'r', 'e', 'l', 'o', 'a', 'd'};
	struct rs_runtime_facts f = {0};

	SET(f, maps, LIBC_LINE);
	f.environ = env;
	f.environ_len = sizeof(env);
	rs_runtime_classify(&f, &rt);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_READS_ONCE, 0);
}

Test(runtime_hostile, control_bytes_in_evidence_are_replaced)
{
	static const char exe[] = "/tmp/\x1b[31mx\n/dnsmasq";
	struct rs_runtime_facts f = {0};

	SET(f, exe, exe);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.kind, RS_RT_DNSMASQ);
	cr_assert_str_eq(rt.evidence[0], "exe: /tmp/?[31mx?/dnsmasq");
}

Test(runtime_hostile, long_values_are_cut)
{
	char env[600];
	struct rs_runtime_facts f = {0};

	memcpy(env, "RES_OPTIONS=", 12);
	memset(env + 12, 'o', sizeof(env) - 12);
	SET(f, maps, LIBC_LINE);
	f.environ = env;
	f.environ_len = sizeof(env);
	rs_runtime_classify(&f, &rt);
	/* "environ: RES_OPTIONS=" and 100 bytes of the value */
	cr_assert_eq(strlen(rt.evidence[1]), 21 + 100);
	for (unsigned i = 0; i < rt.n_evidence; i++)
		cr_assert_lt(strlen(rt.evidence[i]), RS_RT_EVIDENCE_LEN);
}

Test(runtime_hostile, evidence_count_is_bounded)
{
	static const char jvm[] = "7f2000000000-7f2000100000 r-xp 00000000 fe:00 9 "
				  "/opt/jdk/lib/server/libjvm.so\n"
				  "7f3000000000-7f3000100000 r-xp 00000000 fe:00 10 "
				  "/opt/jdk/lib/libnet.so\n" LIBC_LINE;
	static const char env[] = "RES_OPTIONS=no-reload\0LOCALDOMAIN=x\0"
				  "JAVA_TOOL_OPTIONS=-Djava.security.manager "
				  "-Dnetworkaddress.cache.ttl=1 -Djava.security.properties=/p "
				  "-Dsun.net.inetaddr.ttl=z";
	static const char cmd[] = "java\0@argfile\0Main";
	static const char rel[] = "JAVA_VERSION=\"17\"\n";
	static const char sec[] = "networkaddress.cache.ttl=5\n";
	/* a banner no glibc writes: old version and a Debian 12 package */
	static const char banner[] = "GNU C Library (Debian GLIBC 2.36-9) stable release version "
				     "2.24.\n";
	struct rs_runtime_facts f = {0};

	SET(f, maps, jvm);
	SET(f, environ, env);
	SET(f, cmdline, cmd);
	SET(f, java_release, rel);
	SET(f, java_security, sec);
	SET(f, libc_banner, banner);
	rs_runtime_classify(&f, &rt);
	cr_assert_eq(rt.n_evidence, RS_RT_MAX_EVIDENCE);
	cr_assert(rt.evidence_truncated);
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
}

Test(runtime_hostile, garbage_buildinfo)
{
	static const uint8_t varint_overflow[] = "\xff Go buildinf:\x08\x02"
						 "0123456789abcdef"
						 "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
	static const uint8_t too_long[] = "\xff Go buildinf:\x08\x02"
					  "0123456789abcdef"
					  "\x7f"
					  "go1";
	static const uint8_t short_hdr[] = "\xff Go buildinf:\x08";
	struct rs_go_info go;

	cr_assert_eq(rs_go_buildinfo_parse((const uint8_t *)"x", 1, &go), -ENOENT);
	cr_assert_not(go.found);
	cr_assert_eq(rs_go_buildinfo_parse(varint_overflow, sizeof(varint_overflow) - 1, &go), 0);
	cr_assert(go.found);
	cr_assert_str_eq(go.version, "");
	cr_assert_eq(rs_go_buildinfo_parse(too_long, sizeof(too_long) - 1, &go), 0);
	cr_assert_str_eq(go.version, "");
	cr_assert_eq(rs_go_buildinfo_parse(short_hdr, sizeof(short_hdr) - 1, &go), 0);
	cr_assert(go.found);
	cr_assert_eq(go.cgo, -1);
}

Test(runtime_hostile, modinfo_settings)
{
	/* Go wraps the text in 16-byte sentinels */
	static const char mod[] =
		"0w\xaf\x0c\x92t\x08\x02"
		"A\xe1\xc1\x07\xe6\xd6\x18\xe6"
		"path\tx\nbuild\t-tags=\"netcgo osusergo\"\nbuild\tCGO_ENABLED=0\n"
		"build\tCGO_ENABLED=7\n"
		"\xf9"
		"2C1\x86\x18 r\x00\x82"
		"B\x10"
		"A\x16\xd8\xf2";
	struct rs_go_info go = {.cgo = -1};

	rs_go_modinfo_parse(mod, sizeof(mod) - 1, &go);
	cr_assert(go.settings);
	cr_assert_eq(go.cgo, 0); /* 7 is not a value Go writes */
	cr_assert(go.netcgo);
	cr_assert_not(go.netgo);
	cr_assert_str_eq(go.tags, "netcgo osusergo");
}

/* --- names, worst path, JSON ---------------------------------------------- */

Test(runtime_output, names)
{
	char buf[32];
	struct rs_runtime_path p = {RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5};

	cr_assert_str_eq(rs_reload_rule_name(RS_RELOAD_UNKNOWN), "unknown");
	cr_assert_str_eq(rs_reload_rule_name(RS_RELOAD_ON_USE), "reloads-on-use");
	cr_assert_str_eq(rs_reload_rule_name(RS_RELOAD_WITHIN), "reloads-within");
	cr_assert_str_eq(rs_reload_rule_name(RS_RELOAD_READS_ONCE), "reads-once");
	cr_assert_str_eq(rs_reload_rule_name(RS_RELOAD_NEVER_READS), "never-reads");
	cr_assert_str_eq(rs_reload_rule_name((enum rs_reload_rule)99), "unknown");
	cr_assert_str_eq(rs_runtime_path_rule(&p, buf, sizeof(buf)), "reloads-within:5s");
	p.rule = RS_RELOAD_READS_ONCE;
	cr_assert_str_eq(rs_runtime_path_rule(&p, buf, sizeof(buf)), "reads-once");
	cr_assert_str_eq(rs_runtime_path_rule(&p, buf, 5), "read");
	cr_assert_str_eq(rs_runtime_kind_name(RS_RT_NSS_RESOLVE), "nss-resolve");
	cr_assert_str_eq(rs_runtime_kind_name(RS_RT_CARES), "c-ares");
	cr_assert_str_eq(rs_resolver_path_name(RS_PATH_JAVA_JNDI), "java-jndi");
	cr_assert_str_eq(rs_runtime_note_name(RS_RTN_SYMLINK_MISSED), "symlink-repoint-missed");
	for (unsigned i = 0; i < RS_RTN_COUNT; i++)
		cr_assert_str_neq(rs_runtime_note_name((enum rs_runtime_note)(1u << i)), "unknown");
	cr_assert_str_eq(rs_runtime_note_name((enum rs_runtime_note)(1u << RS_RTN_COUNT)),
			 "unknown");
}

Test(runtime_output, worst_order)
{
	struct rs_runtime r = {0};
	const enum rs_reload_rule order[] = {RS_RELOAD_NEVER_READS, RS_RELOAD_ON_USE,
					     RS_RELOAD_WITHIN, RS_RELOAD_UNKNOWN,
					     RS_RELOAD_READS_ONCE};

	r.primary.path = RS_PATH_LIBC;
	cr_assert_eq(rs_runtime_worst(&r), &r.primary);
	r.second.path = RS_PATH_CARES;
	for (size_t a = 0; a < 5; a++) {
		for (size_t b = 0; b < 5; b++) {
			r.primary.rule = order[a];
			r.second.rule = order[b];
			r.primary.within_s = r.second.within_s = 30;
			cr_assert_eq(rs_runtime_worst(&r), b > a ? &r.second : &r.primary);
		}
	}
	r.primary.rule = r.second.rule = RS_RELOAD_WITHIN;
	r.primary.within_s = 5;
	r.second.within_s = 30;
	cr_assert_eq(rs_runtime_worst(&r), &r.second);
}

Test(runtime_output, json_members)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_runtime_facts f = {0};
	static const char env[] = "RES_OPTIONS=no-reload\"\x01";
	static const char exe[] = "/usr/bin/node";
	struct rs_json j;

	SET(f, maps, LIBC_LINE);
	SET(f, environ, env);
	SET(f, exe, exe);
	rs_runtime_classify(&f, &rt);
	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_runtime_json(&j, &rt);
	rs_json_obj_end(&j);
	cr_assert_str_eq(
		rs_sbuf_str(&sb),
		"{\"runtime\":\"node\",\"runtime_version\":null,\"resolver_path\":\"node-lookup\","
		"\"reload_rule\":\"reads-once\",\"reload_within_s\":null,\"second_path\":{"
		"\"resolver_path\":\"c-ares\",\"reload_rule\":\"reads-once\",\"reload_within_s\":"
		"null},\"notes\":[\"res-options-no-reload\",\"res-options\"],\"evidence\":["
		"\"exe: /usr/bin/node\",\"node: dns.lookup goes through libc; dns.resolve* and "
		"dns.Resolver use c-ares channels that read resolv.conf once\","
		"\"maps: /usr/lib/x86_64-linux-gnu/libc.so.6\","
		"\"environ: RES_OPTIONS=no-reload\\\"?\","
		"\"environ: RES_OPTIONS no-reload: glibc never re-reads resolv.conf\"],"
		"\"evidence_truncated\":false}");
	rs_sbuf_free(&sb);
}

Test(runtime_output, json_within)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;
	struct rs_runtime r = {0};

	r.kind = RS_RT_GO;
	strcpy(r.version, "go1.22.1");
	r.primary = (struct rs_runtime_path){RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5};
	r.notes = RS_RTN_MTIME_ONLY;
	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_runtime_json(&j, &r);
	rs_json_obj_end(&j);
	cr_assert_str_eq(rs_sbuf_str(&sb),
			 "{\"runtime\":\"go\",\"runtime_version\":\"go1.22.1\",\"resolver_path\":"
			 "\"go-native\",\"reload_rule\":\"reloads-within\",\"reload_within_s\":5,"
			 "\"second_path\":null,\"notes\":[\"mtime-only\"],\"evidence\":[],"
			 "\"evidence_truncated\":false}");
	rs_sbuf_free(&sb);
}

/* --- ELF files built here ------------------------------------------------- */

/* A little-endian ELF64 file: headers, then read-only data from 0x200, a
 * writable area at RW_OFF (vaddr == file offset everywhere), section names
 * and section headers at the end. */
#define RW_OFF 0x2000

struct elf_spec {
	const char *interp;
	const void *rodata;
	size_t rodata_len;
	const void *rw; /* placed at RW_OFF; .go.buildinfo when go is set */
	size_t rw_len;
	bool go;
	const char *const *syms; /* dynamic symbols: "name" defined, "-name" undefined */
	bool sysv_hash;
	bool no_sections;
};

struct elf_out {
	uint8_t *buf;
	size_t len;
};

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static size_t put(uint8_t *buf, size_t at, const void *p, size_t n)
{
	memcpy(buf + at, p, n);
	return at + n;
}

static size_t align(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static void build_elf(const struct elf_spec *sp, struct elf_out *o)
{
	enum { CAP = 64 * 1024 };
	uint8_t *b = keep(calloc(1, CAP));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr ph[4];
	Elf64_Shdr sh[9];
	char shstr[256] = "";
	size_t at = 0x200, nph = 0, nsh = 1, shlen = 1, nsyms = 0;
	size_t interp_off = 0, ro_off = 0, dynsym_off = 0, dynstr_off = 0, hash_off = 0;
	size_t dynsym_len = 0, dynstr_len = 0, hash_len = 0;

	memset(ph, 0, sizeof(ph));
	memset(sh, 0, sizeof(sh));
	if (sp->interp) {
		interp_off = at;
		at = put(b, at, sp->interp, strlen(sp->interp) + 1);
	}
	if (sp->rodata) {
		ro_off = at = align(at, 32);
		at = put(b, at, sp->rodata, sp->rodata_len);
	}
	if (sp->syms) {
		uint8_t strtab[512] = {0};
		size_t sl = 1;

		while (sp->syms[nsyms])
			nsyms++;
		dynsym_off = at = align(at, 8);
		at += sizeof(Elf64_Sym); /* symbol 0 */
		for (size_t i = 0; i < nsyms; i++) {
			const char *name = sp->syms[i] + (sp->syms[i][0] == '-');
			Elf64_Sym s = {0};

			s.st_name = (uint32_t)sl;
			s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
			s.st_shndx = sp->syms[i][0] == '-' ? SHN_UNDEF : 1;
			memcpy(b + at, &s, sizeof(s));
			at += sizeof(s);
			memcpy(strtab + sl, name, strlen(name) + 1);
			sl += strlen(name) + 1;
		}
		dynsym_len = at - dynsym_off;
		dynstr_off = at;
		at = put(b, at, strtab, sl);
		dynstr_len = sl;
		hash_off = at = align(at, 8);
		if (sp->sysv_hash) {
			/* one bucket holding the last symbol, each chaining to the one before */
			uint32_t hdr[2] = {1, (uint32_t)nsyms + 1}, bucket = (uint32_t)nsyms;

			at = put(b, at, hdr, sizeof(hdr));
			at = put(b, at, &bucket, 4);
			for (uint32_t i = 0; i <= nsyms; i++) {
				uint32_t next = i == 0 ? 0 : i - 1;
				at = put(b, at, &next, 4);
			}
		} else {
			uint32_t hdr[4] = {1, 1, 1, 6}, bucket = nsyms ? 1 : 0;
			uint64_t bloom = ~0ULL;

			at = put(b, at, hdr, sizeof(hdr));
			at = put(b, at, &bloom, 8);
			at = put(b, at, &bucket, 4);
			for (size_t i = 0; i < nsyms; i++) {
				const char *name = sp->syms[i] + (sp->syms[i][0] == '-');
				uint32_t h = gnu_hash(name) & ~1u;

				if (i == nsyms - 1)
					h |= 1;
				at = put(b, at, &h, 4);
			}
		}
		hash_len = at - hash_off;
	}
	cr_assert_leq(at, RW_OFF);
	at = RW_OFF;
	if (sp->rw)
		at = put(b, at, sp->rw, sp->rw_len);
	at = align(at, 8);

	/* program headers */
	if (sp->interp) {
		ph[nph].p_type = PT_INTERP;
		ph[nph].p_offset = ph[nph].p_vaddr = interp_off;
		ph[nph].p_filesz = ph[nph].p_memsz = strlen(sp->interp) + 1;
		ph[nph++].p_flags = PF_R;
	}
	ph[nph].p_type = PT_LOAD;
	ph[nph].p_filesz = ph[nph].p_memsz = RW_OFF;
	ph[nph++].p_flags = PF_R | PF_X;
	ph[nph].p_type = PT_LOAD;
	ph[nph].p_offset = ph[nph].p_vaddr = RW_OFF;
	ph[nph].p_filesz = ph[nph].p_memsz = at - RW_OFF;
	ph[nph++].p_flags = PF_R | PF_W;
	if (sp->syms) {
		ph[nph].p_type = PT_DYNAMIC;
		ph[nph].p_offset = ph[nph].p_vaddr = RW_OFF;
		ph[nph++].p_flags = PF_R | PF_W;
	}
	memcpy(b + sizeof(Elf64_Ehdr), ph, nph * sizeof(Elf64_Phdr));

#define SECTION(nm, ty, off, sz)                                                                   \
	do {                                                                                       \
		sh[nsh].sh_name = (uint32_t)shlen;                                                 \
		memcpy(shstr + shlen, nm, strlen(nm) + 1);                                         \
		shlen += strlen(nm) + 1;                                                           \
		sh[nsh].sh_type = ty;                                                              \
		sh[nsh].sh_offset = sh[nsh].sh_addr = off;                                         \
		sh[nsh].sh_size = sz;                                                              \
		nsh++;                                                                             \
	} while (0)
	if (!sp->no_sections) {
		if (sp->rodata)
			SECTION(".rodata", SHT_PROGBITS, ro_off, sp->rodata_len);
		if (sp->syms) {
			SECTION(".dynsym", SHT_DYNSYM, dynsym_off, dynsym_len);
			SECTION(".dynstr", SHT_STRTAB, dynstr_off, dynstr_len);
			SECTION(sp->sysv_hash ? ".hash" : ".gnu.hash",
				sp->sysv_hash ? SHT_HASH : SHT_GNU_HASH, hash_off, hash_len);
		}
		if (sp->rw && sp->go)
			SECTION(".go.buildinfo", SHT_PROGBITS, RW_OFF, sp->rw_len);
		else if (sp->rw)
			SECTION(".data", SHT_PROGBITS, RW_OFF, sp->rw_len);
		SECTION(".shstrtab", SHT_STRTAB, at, 0);
		sh[nsh - 1].sh_size = shlen + 1;
		at = put(b, at, shstr, shlen + 1);
		at = align(at, 8);
		memcpy(b + at, sh, nsh * sizeof(Elf64_Shdr));
		eh->e_shoff = at;
		eh->e_shnum = (uint16_t)nsh;
		eh->e_shstrndx = (uint16_t)(nsh - 1);
		eh->e_shentsize = sizeof(Elf64_Shdr);
		at += nsh * sizeof(Elf64_Shdr);
	}
#undef SECTION
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)nph;
	o->buf = b;
	o->len = at;
}

/* Go >= 1.18 build information with inline strings. */
static size_t go_inline_blob(uint8_t *out, const char *version, const char *mod)
{
	size_t at = 0, vl = strlen(version), ml = strlen(mod);

	memcpy(out, "\xff Go buildinf:", 14);
	out[14] = 8;
	out[15] = 2;
	memset(out + 16, 0, 16);
	at = 32;
	out[at++] = (uint8_t)vl;
	memcpy(out + at, version, vl);
	at += vl;
	out[at++] = (uint8_t)(ml | 0x80); /* two-byte uvarint */
	out[at++] = (uint8_t)(ml >> 7);
	memcpy(out + at, mod, ml);
	return at + ml;
}

Test(elfinfo, real_static_musl_binary)
{
	size_t n;
	const char *elf = load("runtime/gai-musl-static.elf", &n);
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;
	uint32_t found;

	rs_elf_src_mem(&src, elf, n, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert(info.is64);
	cr_assert_not(info.big_endian);
	cr_assert_eq(info.machine, EM_X86_64);
	cr_assert_not(info.has_interp);
	cr_assert(info.has_sections);
	cr_assert(info.rodata.found);
	cr_assert_eq(info.rodata.off, 0x9000);
	cr_assert_eq(info.rodata.size, 0x38c);
	cr_assert_eq(rs_go_buildinfo_read(&src, &info, &go), 0);
	cr_assert_not(go.found);
	cr_assert_eq(rs_elf_search_all(&src, info.rodata.off, info.rodata.size,
				       rs_exe_marker_strings, RS_MARK_COUNT, &found),
		     0);
	cr_assert_eq(found, RS_MARK_RESOLV_CONF | RS_MARK_ATTEMPTS);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "getaddrinfo"), -ENOENT);
}

Test(elfinfo, go_buildinfo_section_inline)
{
	uint8_t blob[256];
	static const char mod[] = "path\tex\nbuild\tCGO_ENABLED=0\nbuild\t-tags=netgo\n";
	struct elf_spec sp = {.interp = NULL, .go = true};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;

	sp.rw = blob;
	sp.rw_len = go_inline_blob(blob, "go1.22.5", mod);
	build_elf(&sp, &o);
	rs_elf_src_mem(&src, o.buf, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert(info.go_buildinfo.found);
	cr_assert_eq(info.go_buildinfo.off, RW_OFF);
	cr_assert_eq(rs_go_buildinfo_read(&src, &info, &go), 0);
	cr_assert(go.found);
	cr_assert(go.inline_strings);
	cr_assert_str_eq(go.version, "go1.22.5");
	cr_assert_eq(go.cgo, 0);
	cr_assert(go.netgo);
}

Test(elfinfo, go_buildinfo_without_section_headers)
{
	uint8_t blob[256];
	struct elf_spec sp = {.go = true, .no_sections = true};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;

	sp.rw = blob;
	sp.rw_len = go_inline_blob(blob, "go1.20", "build\tCGO_ENABLED=1\n");
	build_elf(&sp, &o);
	rs_elf_src_mem(&src, o.buf, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_not(info.has_sections);
	cr_assert_eq(info.n_load, 2);
	cr_assert_eq(rs_go_buildinfo_read(&src, &info, &go), 0);
	cr_assert(go.found);
	cr_assert_str_eq(go.version, "go1.20");
	cr_assert_eq(go.cgo, 1);
}

Test(elfinfo, go_buildinfo_pointer_layout)
{
	/* Go < 1.18: the header points to string headers {data, len}. */
	uint8_t blob[0x80] = {0};
	uint64_t v;
	struct elf_spec sp = {.go = true};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;

	memcpy(blob, "\xff Go buildinf:", 14);
	blob[14] = 8;
	blob[15] = 0;
	v = RW_OFF + 0x20;
	memcpy(blob + 16, &v, 8); /* version string header */
	v = RW_OFF + 0x30;
	memcpy(blob + 24, &v, 8); /* module string header */
	v = RW_OFF + 0x40;
	memcpy(blob + 0x20, &v, 8);
	v = 9;
	memcpy(blob + 0x28, &v, 8);
	v = RW_OFF + 0x50;
	memcpy(blob + 0x30, &v, 8);
	v = 9;
	memcpy(blob + 0x38, &v, 8);
	memcpy(blob + 0x40, "go1.16.15", 9);
	memcpy(blob + 0x50, "path\tabc\n", 9);
	sp.rw = blob;
	sp.rw_len = sizeof(blob);
	build_elf(&sp, &o);
	rs_elf_src_mem(&src, o.buf, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_eq(rs_go_buildinfo_read(&src, &info, &go), 0);
	cr_assert(go.found);
	cr_assert_not(go.inline_strings);
	cr_assert_str_eq(go.version, "go1.16.15");
	cr_assert_not(go.settings);
	cr_assert_eq(go.cgo, -1);
}

Test(elfinfo, go_buildinfo_odd_pointer_size)
{
	/* Found by fuzz_elfinfo: a pointer size of 10 made the reader copy 20
	 * bytes into a 16-byte string header. */
	uint8_t blob[0x40] = {0};
	struct elf_spec sp = {.go = true};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;

	memcpy(blob, "\xff Go buildinf:", 14);
	blob[14] = 10;
	memset(blob + 16, 0x20, 16);
	sp.rw = blob;
	sp.rw_len = sizeof(blob);
	build_elf(&sp, &o);
	rs_elf_src_mem(&src, o.buf, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_eq(rs_go_buildinfo_read(&src, &info, &go), 0);
	cr_assert(go.found);
	cr_assert_eq(go.ptr_size, 0);
	cr_assert_str_eq(go.version, "");
}

Test(elfinfo, dynamic_symbols_gnu_and_sysv_hash)
{
	static const char *const syms[] = {"-getaddrinfo", "ares_init", "ares_library_init",
					   "napi_create_object", NULL};
	struct elf_spec sp = {.interp = "/lib64/ld-linux-x86-64.so.2", .syms = syms};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;

	for (int sysv = 0; sysv < 2; sysv++) {
		sp.sysv_hash = sysv;
		build_elf(&sp, &o);
		rs_elf_src_mem(&src, o.buf, o.len, 1 << 20);
		cr_assert_eq(rs_elf_parse(&src, &info), 0);
		cr_assert(info.has_interp);
		cr_assert_str_eq(info.interp, "/lib64/ld-linux-x86-64.so.2");
		cr_assert(info.has_dynamic);
		cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "ares_library_init"), 1, "sysv %d",
			     sysv);
		cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "napi_create_object"), 1);
		cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "getaddrinfo"), 0); /* undefined */
		cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "ares_library_cleanup"), 0);
		cr_assert_eq(rs_elf_dynsym_defined(&src, &info, ""), -EINVAL);
	}
}

Test(elfinfo, real_libc_symbols_through_bloom_filter)
{
	int fd = open("/usr/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY | O_CLOEXEC);
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct stat st;

	if (fd < 0)
		cr_skip_test("no /usr/lib/x86_64-linux-gnu/libc.so.6 on this machine");
	cr_assert_eq(fstat(fd, &st), 0);
	rs_elf_src_fd(&src, fd, (uint64_t)st.st_size, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert(info.gnu_hash.found);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "getaddrinfo"), 1);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "__res_ninit"), 1);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "ares_library_init"), 0);
	cr_assert_lt(src.used, 64 * 1024); /* headers and a few lookups, not the table */
	close(fd);
}

Test(elfinfo, hostile_headers)
{
	static const char *const syms[] = {"ares_library_init", NULL};
	struct elf_spec sp = {.rodata = "No error information", .rodata_len = 20, .syms = syms};
	struct elf_out o;
	struct rs_elf_src src;
	struct rs_elf_info info;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	uint8_t *copy;

	build_elf(&sp, &o);
	copy = keep(malloc(o.len));
	eh = (Elf64_Ehdr *)copy;
	/* truncated */
	rs_elf_src_mem(&src, o.buf, 10, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), -ENOEXEC);
	/* not ELF */
	memset(copy, 'M', 64);
	rs_elf_src_mem(&src, copy, 64, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), -ENOEXEC);
	/* too many program headers */
	memcpy(copy, o.buf, o.len);
	eh->e_phnum = 1000;
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), -ENOEXEC);
	/* program headers past the end */
	memcpy(copy, o.buf, o.len);
	eh->e_phoff = UINT64_MAX - 8;
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), -ENOEXEC);
	/* section table past the end: no sections, not an error */
	memcpy(copy, o.buf, o.len);
	eh->e_shoff = o.len + 4096;
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_not(info.has_sections);
	/* names index out of range */
	memcpy(copy, o.buf, o.len);
	eh->e_shstrndx = 400;
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_not(info.has_sections);
	/* a section claiming bytes past the end is skipped */
	memcpy(copy, o.buf, o.len);
	sh = (Elf64_Shdr *)(copy + eh->e_shoff);
	sh[1].sh_size = UINT64_MAX - 1; /* .rodata */
	sh[4].sh_offset = UINT64_MAX;   /* .gnu.hash */
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_not(info.rodata.found);
	cr_assert_not(info.gnu_hash.found);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "ares_library_init"), -ENOENT);
	/* a hash table whose sizes lie */
	memcpy(copy, o.buf, o.len);
	*(uint32_t *)(copy + sh[4].sh_offset) = 0xffffffff; /* nbuckets */
	rs_elf_src_mem(&src, copy, o.len, 1 << 20);
	cr_assert_eq(rs_elf_parse(&src, &info), 0);
	cr_assert_eq(rs_elf_dynsym_defined(&src, &info, "ares_library_init"), 0);
}

Test(elfinfo, budget_and_search_edges)
{
	uint8_t data[100000];
	struct rs_elf_src src;
	uint64_t at;
	uint32_t found;
	static const char *const n2[] = {"needle", "absent"};

	memset(data, 'x', sizeof(data));
	/* across the boundary of the first two chunks */
	memcpy(data + RS_ELF_SEARCH_CHUNK - 3, "needle", 6);
	rs_elf_src_mem(&src, data, sizeof(data), 1 << 20);
	cr_assert_eq(rs_elf_search(&src, 0, sizeof(data), "needle", 6, &at), 1);
	cr_assert_eq(at, RS_ELF_SEARCH_CHUNK - 3);
	cr_assert_eq(rs_elf_search_all(&src, 0, sizeof(data), n2, 2, &found), 0);
	cr_assert_eq(found, 1);
	cr_assert_eq(rs_elf_search(&src, 0, sizeof(data), "absent", 6, &at), 0);
	cr_assert_eq(rs_elf_search(&src, sizeof(data) + 1, 10, "x", 1, &at), 0);
	cr_assert_eq(rs_elf_search(&src, 0, 10, "", 0, &at), -EINVAL);
	rs_elf_src_mem(&src, data, sizeof(data), 1000);
	cr_assert_eq(rs_elf_search(&src, 0, sizeof(data), "absent", 6, &at), -EFBIG);
	cr_assert_eq(src.used, 0);
	cr_assert_eq(rs_elf_read(&src, data, 10, UINT64_MAX - 5), -ERANGE);
}

/* --- rs_runtime_read on fixture trees ----------------------------------------- */

static int proc_fd = -1;

static void mkdirs(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (p = path + strlen(tmpdir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void write_file(const char *rel, const void *data, size_t n)
{
	char path[512], dir[512], *slash;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		mkdirs(dir);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	fp = fopen(path, "wb");
	cr_assert_not_null(fp, "%s", path);
	cr_assert_eq(fwrite(data, 1, n, fp), n);
	fclose(fp);
}

/* tmpdir/rel, in one of two static buffers. */
static const char *tpath(const char *rel)
{
	static char bufs[2][600];
	static int i;

	i = !i;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", tmpdir, rel);
	return bufs[i];
}

static uint64_t inode_of(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	cr_assert_eq(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void make_tree(void)
{
	strcpy(tmpdir, "/tmp/rs-runtime-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	proc_fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(proc_fd, 0);
}

/* A process 100 running exe (a file of its tree) with maps listing libc with
 * the right inode, plus extra maps lines. */
static void make_process(const char *exe_rel, const void *exe, size_t exe_len,
			 const char *extra_maps, const char *env, size_t env_len, const char *cmd,
			 size_t cmd_len)
{
	static const char banner[] =
		"\x7f\x45garbage\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) "
		"stable release version 2.36.\nCopyright (C) 2022\n";
	struct elf_spec sp = {.rodata = banner, .rodata_len = sizeof(banner) - 1};
	struct elf_out libc;
	char maps[2048], rel[256];
	uint64_t ino;

	mkdirs("100/root/usr/lib/x86_64-linux-gnu");
	build_elf(&sp, &libc);
	write_file("100/root/usr/lib/x86_64-linux-gnu/libc.so.6", libc.buf, libc.len);
	snprintf(rel, sizeof(rel), "100/%s", exe_rel);
	write_file(rel, exe, exe_len);
	ino = inode_of("100/root/usr/lib/x86_64-linux-gnu/libc.so.6");
	snprintf(maps, sizeof(maps),
		 "55d000000000-55d000001000 r--p 00000000 fe:00 12 /%s\n"
		 "7f0000000000-7f0000028000 r--p 00000000 fe:00 %llu "
		 "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
		 "7f0000028000-7f000002a000 r-xp 00028000 fe:00 %llu "
		 "/usr/lib/x86_64-linux-gnu/libc.so.6\n%s",
		 exe_rel, (unsigned long long)ino, (unsigned long long)ino,
		 extra_maps ? extra_maps : "");
	write_file("100/maps", maps, strlen(maps));
	write_file("100/environ", env, env_len);
	write_file("100/cmdline", cmd, cmd_len);
	cr_assert_eq(symlink(exe_rel, tpath("100/exe")), 0); /* relative: inside the tree */
}

static const struct elf_out *dynamic_exe(void)
{
	static struct elf_out o;
	struct elf_spec sp = {.interp = "/lib64/ld-linux-x86-64.so.2"};

	build_elf(&sp, &o);
	return &o;
}

Test(runtime_read, glibc_process_banner_through_root)
{
	const struct elf_out *exe;

	make_tree();
	exe = dynamic_exe();
	make_process("root/usr/bin/python3", exe->buf, exe->len, NULL, "LANG=C", 7, "python3", 8);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	cr_assert_str_eq(rt.version, "2.36");
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_eq(rt.notes, 0);
	cr_assert_str_eq(rt.evidence[1], "libc: GNU C Library (Debian GLIBC 2.36-9+deb12u14) "
					 "stable release version 2.36.");
	close(proc_fd);
}

Test(runtime_read, inode_mismatch_is_not_read_and_map_files_is)
{
	const struct elf_out *exe;

	make_tree();
	exe = dynamic_exe();
	make_process("root/usr/bin/app", exe->buf, exe->len, NULL, "", 0, "app", 4);
	/* another file where maps points: the banner is not read */
	cr_assert_eq(rename(tpath("100/root/usr/lib/x86_64-linux-gnu/libc.so.6"),
			    tpath("100/root/usr/lib/x86_64-linux-gnu/libc.so.6.old")),
		     0);
	write_file("100/root/usr/lib/x86_64-linux-gnu/libc.so.6", "x", 1);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_GLIBC);
	cr_assert_str_eq(rt.version, "");
	/* the mapping itself (map_files) is */
	mkdirs("100/map_files");
	cr_assert_eq(link(tpath("100/root/usr/lib/x86_64-linux-gnu/libc.so.6.old"),
			  tpath("100/map_files/7f0000000000-7f0000028000")),
		     0);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_str_eq(rt.version, "2.36");
	close(proc_fd);
}

Test(runtime_read, static_musl_exe)
{
	size_t n;
	const char *elf = load("runtime/gai-musl-static.elf", &n);
	char maps[128];

	make_tree();
	mkdirs("100/root/bin");
	write_file("100/root/bin/gai", elf, n);
	snprintf(maps, sizeof(maps), "00400000-00401000 r--p 00000000 fe:00 1 /bin/gai\n");
	write_file("100/maps", maps, strlen(maps));
	write_file("100/environ", "", 0);
	write_file("100/cmdline", "gai", 4);
	cr_assert_eq(symlink("root/bin/gai", tpath("100/exe")), 0);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_MUSL);
	assert_path(&rt.primary, RS_PATH_LIBC, RS_RELOAD_ON_USE, 0);
	cr_assert_str_eq(rt.evidence[0],
			 "exe: static (no PT_INTERP); its resolv.conf parser "
			 "knows \"attempts:\" but not glibc's \"no-reload\" (musl)");
	close(proc_fd);
}

Test(runtime_read, go_exe_and_no_reload_environ)
{
	uint8_t blob[256];
	struct elf_spec sp = {.interp = "/lib64/ld-linux-x86-64.so.2", .go = true};
	struct elf_out o;
	static const char env[] = "HOME=/\0RES_OPTIONS=no-reload";

	make_tree();
	sp.rw = blob;
	sp.rw_len = go_inline_blob(blob, "go1.19.8", "build\tCGO_ENABLED=1\n");
	build_elf(&sp, &o);
	make_process("root/usr/bin/gosvc", o.buf, o.len, NULL, env, sizeof(env), "gosvc", 6);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_GO);
	cr_assert_str_eq(rt.version, "go1.19.8");
	assert_path(&rt.primary, RS_PATH_GO_CGO, RS_RELOAD_READS_ONCE, 0);
	assert_path(&rt.second, RS_PATH_GO_NATIVE, RS_RELOAD_WITHIN, 5);
	close(proc_fd);
}

Test(runtime_read, node_exe_defining_cares_symbols)
{
	static const char *const syms[] = {"ares_library_init", NULL};
	struct elf_spec sp = {.interp = "/lib64/ld-linux-x86-64.so.2", .syms = syms};
	struct elf_out o;

	make_tree();
	build_elf(&sp, &o);
	make_process("root/usr/bin/node", o.buf, o.len, NULL, "", 0, "node", 5);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_NODE);
	assert_evidence(&rt, "exe: defines ares_library_init (c-ares built in)");
	close(proc_fd);
}

Test(runtime_read, dnsmasq_conf_symlink_resolves_inside_root)
{
	static const char cmd[] = "dnsmasq\0-k";
	const struct elf_out *exe;

	make_tree();
	exe = dynamic_exe();
	make_process("root/usr/sbin/dnsmasq", exe->buf, exe->len, NULL, "", 0, cmd, sizeof(cmd));
	mkdirs("100/root/etc");
	mkdirs("100/root/srv");
	write_file("100/root/srv/real.conf", "no-poll\n", 8);
	/* absolute: must resolve inside the process's root, not ours */
	cr_assert_eq(symlink("/srv/real.conf", tpath("100/root/etc/dnsmasq.conf")), 0);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_DNSMASQ);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_READS_ONCE, 0);
	assert_evidence(&rt, "conf /etc/dnsmasq.conf: no-poll");
	close(proc_fd);
}

Test(runtime_read, fifo_config_is_not_read)
{
	static const char cmd[] = "dnsmasq\0--conf-file=/etc/fifo";
	const struct elf_out *exe;

	make_tree();
	exe = dynamic_exe();
	make_process("root/usr/sbin/dnsmasq", exe->buf, exe->len, NULL, "", 0, cmd, sizeof(cmd));
	mkdirs("100/root/etc");
	cr_assert_eq(mkfifo(tpath("100/root/etc/fifo"), 0600), 0);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	assert_path(&rt.primary, RS_PATH_DNSMASQ, RS_RELOAD_ON_USE, 0);
	close(proc_fd);
}

Test(runtime_read, java_home_files)
{
	static const char jvm_fmt[] = "7f2000000000-7f2000100000 r-xp 00000000 fe:00 9 "
				      "/usr/lib/jvm/jdk/lib/server/libjvm.so\n";
	static const char cmd[] = "java\0Main";
	const struct elf_out *exe;

	make_tree();
	exe = dynamic_exe();
	make_process("root/usr/lib/jvm/jdk/bin/java", exe->buf, exe->len, jvm_fmt, "", 0, cmd,
		     sizeof(cmd));
	mkdirs("100/root/usr/lib/jvm/jdk/conf/security");
	write_file("100/root/usr/lib/jvm/jdk/release", "JAVA_VERSION=\"21.0.3\"\n", 22);
	write_file("100/root/usr/lib/jvm/jdk/conf/security/java.security",
		   "networkaddress.cache.ttl=-1\n", 28);
	cr_assert_eq(rs_runtime_read(proc_fd, 100, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_JAVA);
	cr_assert_str_eq(rt.version, "21.0.3");
	assert_path(&rt.primary, RS_PATH_JAVA_INETADDRESS, RS_RELOAD_READS_ONCE, 0);
	assert_evidence(&rt, "java.security: networkaddress.cache.ttl=-1");
	close(proc_fd);
}

Test(runtime_read, missing_files_and_bad_pids)
{
	make_tree();
	cr_assert_eq(rs_runtime_read(proc_fd, 4242, &rt), -ENOENT);
	cr_assert_eq(rs_runtime_read(proc_fd, 0, &rt), -EINVAL);
	cr_assert_eq(rs_runtime_read(proc_fd, -5, &rt), -EINVAL);
	/* maps and nothing else, like a kernel thread: no exe, no environ */
	mkdirs("101");
	write_file("101/maps", "", 0);
	cr_assert_eq(rs_runtime_read(proc_fd, 101, &rt), 0);
	cr_assert_eq(rt.kind, RS_RT_UNKNOWN);
	cr_assert_eq(rt.notes, 0);
	cr_assert_str_eq(rt.evidence[0],
			 "exe: none or unreadable (kernel thread, or no permission)");
	close(proc_fd);
}
