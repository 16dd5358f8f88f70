/* The resolver runtime of a process, and when it re-reads resolv.conf.
 *
 * Classifies a process from what /proc shows of it, never by executing,
 * loading or mapping anything of it (DESIGN.md §7): /proc/PID/maps (which
 * libc, libjvm, libcares, libnss_resolve), /proc/PID/exe (the ELF file:
 * PT_INTERP, .go.buildinfo, a musl marker, c-ares symbols), environ
 * (RES_OPTIONS, LOCALDOMAIN, GODEBUG, JAVA_TOOL_OPTIONS), cmdline (JVM
 * properties, dnsmasq flags) and a few files read through /proc/PID/root, so
 * that a container's own libc and config are the ones examined. The rules
 * come from shared/RESOLVERS.md ("Reload rules" and its prediction table).
 *
 * Two layers, as everywhere in resolvstale:
 *   - rs_runtime_classify() is a pure function over struct rs_runtime_facts
 *     (texts and values already read): unit tests and the fuzzer call it;
 *   - rs_runtime_read() fills the facts from a /proc tree (a parameter: tests
 *     point it at fixture trees) with bounded reads, then classifies.
 *
 * Some processes carry two resolvers with different rules: node (dns.lookup
 * through libc reloads, dns.resolve* through c-ares reads once), Java
 * (InetAddress through libc behind a cache, JNDI DNS contexts read once), Go
 * with cgo (its own resolver or libc's). The fingerprint cannot say which one
 * an idle process uses: it reports the default path as `primary` and the
 * other as `second`, and the verdict engine takes the worse
 * (rs_runtime_worst()) when evidence shows both in use.
 */
#ifndef RESOLVSTALE_RUNTIME_H
#define RESOLVSTALE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/elfinfo.h"
#include "resolvstale/json.h"

/* --- result ------------------------------------------------------------------- */

/* When a resolver path re-reads resolv.conf (RESOLVERS.md's prediction
 * table). */
enum rs_reload_rule {
	RS_RELOAD_UNKNOWN = 0, /* "unknown": nothing recognised */
	RS_RELOAD_ON_USE,      /* "reloads-on-use": checks the file on every lookup */
	RS_RELOAD_WITHIN,      /* "reloads-within": on a lookup at most within_s s after
				* a change (Go: 5 s, mtime only; Java: cache TTL) */
	RS_RELOAD_READS_ONCE,  /* "reads-once": at start (or object creation) only */
	RS_RELOAD_NEVER_READS, /* "never-reads": does not use resolv.conf at all */
};

enum rs_runtime_kind {
	RS_RT_UNKNOWN = 0,
	RS_RT_GLIBC,       /* "glibc" */
	RS_RT_MUSL,        /* "musl" (dynamic or static) */
	RS_RT_GO,          /* "go" */
	RS_RT_JAVA,        /* "java" (libjvm.so mapped) */
	RS_RT_NODE,        /* "node" */
	RS_RT_CARES,       /* "c-ares": libcares mapped by something other than node */
	RS_RT_DNSMASQ,     /* "dnsmasq" */
	RS_RT_NSCD,        /* "nscd" */
	RS_RT_RESOLVED,    /* "systemd-resolved" (the daemon itself) */
	RS_RT_NSS_RESOLVE, /* "nss-resolve": a client through libnss_resolve.so.2 */
	RS_RT_OWN_CONFIG,  /* "own-config": nginx, unbound, named, pdns_recursor */
};

/* The code inside a process that reads resolv.conf. */
enum rs_resolver_path {
	RS_PATH_NONE = 0,         /* "none" */
	RS_PATH_LIBC,             /* "libc": getaddrinfo & co. of glibc or musl */
	RS_PATH_GO_NATIVE,        /* "go-native": Go's own resolver */
	RS_PATH_GO_CGO,           /* "go-cgo": Go calling libc */
	RS_PATH_JAVA_INETADDRESS, /* "java-inetaddress": InetAddress cache, then libc */
	RS_PATH_JAVA_JNDI,        /* "java-jndi": JNDI DNS contexts */
	RS_PATH_NODE_LOOKUP,      /* "node-lookup": dns.lookup through libc */
	RS_PATH_CARES,            /* "c-ares": an ares channel */
	RS_PATH_DNSMASQ,          /* "dnsmasq" */
	RS_PATH_NSCD,             /* "nscd" */
	RS_PATH_RESOLVED,         /* "systemd-resolved" */
	RS_PATH_NSS_RESOLVE,      /* "nss-resolve" */
	RS_PATH_OWN_CONFIG,       /* "own-config" */
};

struct rs_runtime_path {
	enum rs_resolver_path path;
	enum rs_reload_rule rule;
	uint32_t within_s; /* RS_RELOAD_WITHIN only; else 0 */
};

/* Machine-readable remarks, bits of rs_runtime.notes. */
enum rs_runtime_note {
	RS_RTN_LIBC_DELETED = 1u << 0,       /* "libc-deleted": maps the pre-upgrade libc */
	RS_RTN_NO_RELOAD = 1u << 1,          /* "res-options-no-reload" */
	RS_RTN_RES_OPTIONS = 1u << 2,        /* "res-options": RES_OPTIONS set */
	RS_RTN_LOCALDOMAIN = 1u << 3,        /* "localdomain": LOCALDOMAIN set */
	RS_RTN_GLIBC_BUG_31476 = 1u << 4,    /* "glibc-bug-31476": a thread that fell back to
					      * single-request mode never reloads */
	RS_RTN_MTIME_ONLY = 1u << 5,         /* "mtime-only": Go misses a same-mtime replacement */
	RS_RTN_SYMLINK_MISSED = 1u << 6,     /* "symlink-repoint-missed": dnsmasq's inotify */
	RS_RTN_OTHER_RESOLV_FILE = 1u << 7,  /* "other-resolv-file": dnsmasq -r elsewhere */
	RS_RTN_SECURITY_MANAGER = 1u << 8,   /* "security-manager": JVM caches forever */
	RS_RTN_EXE_DELETED = 1u << 9,        /* "exe-deleted" */
	RS_RTN_TRUNCATED = 1u << 10,         /* "input-truncated": a /proc file was cut */
	RS_RTN_UNREADABLE = 1u << 11,        /* "input-unreadable": maps, exe, environ or
					      * cmdline could not be read */
	RS_RTN_CONFIG_UNEXAMINED = 1u << 12, /* "config-unexamined": settings in files not
					      * read (dnsmasq conf-dir, java.security.
					      * properties, JVM @argfiles) */
};
#define RS_RTN_COUNT 13

#define RS_RT_MAX_EVIDENCE 16
#define RS_RT_EVIDENCE_LEN 192
#define RS_RT_VERSION_LEN  48

struct rs_runtime {
	enum rs_runtime_kind kind;
	char version[RS_RT_VERSION_LEN]; /* glibc "2.36", Go "go1.19.8", Java "17.0.15"; or "" */
	struct rs_runtime_path primary;  /* the path a plain lookup takes */
	struct rs_runtime_path second;   /* another path the process carries, or RS_PATH_NONE */
	uint32_t notes;                  /* enum rs_runtime_note */
	/* What decided it, "source: detail" ("maps: /usr/lib/.../libc.so.6",
	 * "environ: RES_OPTIONS=no-reload"). NUL-terminated, control bytes
	 * replaced by '?', cut to RS_RT_EVIDENCE_LEN - 1 bytes; parts of them
	 * come from the process: escape them before output. */
	char evidence[RS_RT_MAX_EVIDENCE][RS_RT_EVIDENCE_LEN];
	unsigned n_evidence;
	bool evidence_truncated; /* more than RS_RT_MAX_EVIDENCE */
};

const char *rs_reload_rule_name(enum rs_reload_rule r);
const char *rs_runtime_kind_name(enum rs_runtime_kind k);
const char *rs_resolver_path_name(enum rs_resolver_path p);
const char *rs_runtime_note_name(enum rs_runtime_note n);

/* "reloads-on-use", "reloads-within:5s", ... into buf (always NUL-terminated).
 * Returns buf. */
const char *rs_runtime_path_rule(const struct rs_runtime_path *p, char *buf, size_t len);

/* The path of the two that is worse for a stale resolver: reads-once, then
 * unknown, then reloads-within (longer first), then reloads-on-use, then
 * never-reads. Returns &rt->primary when there is no second path. */
const struct rs_runtime_path *rs_runtime_worst(const struct rs_runtime *rt);

/* JSON members (no braces) for rt into j, inside an object the caller opened:
 *   "runtime":"java","runtime_version":"17.0.15",
 *   "resolver_path":"java-inetaddress","reload_rule":"reloads-within",
 *   "reload_within_s":30,
 *   "second_path":{"resolver_path":"java-jndi","reload_rule":"reads-once",
 *                  "reload_within_s":null} (or null),
 *   "notes":["..."],"evidence":["..."],"evidence_truncated":false
 * reload_within_s is null unless the rule is reloads-within. */
void rs_runtime_json(struct rs_json *j, const struct rs_runtime *rt);

/* --- facts and the pure classifier ------------------------------------- */

#define RS_RT_PATH_MAX 512 /* longer mapped paths are kept cut and never opened */

/* One file found in maps: the first mapping of it. */
struct rs_maps_file {
	bool found;
	bool deleted; /* the path ended in " (deleted)" (removed from path) */
	bool cut;     /* the path was longer than RS_RT_PATH_MAX - 1 */
	uint64_t start, end, inode;
	char path[RS_RT_PATH_MAX];
};

struct rs_maps_summary {
	struct rs_maps_file glibc;       /* libc.so.6 or libc-2.NN.so */
	struct rs_maps_file musl;        /* ld-musl-ARCH.so.1, or the .../libc.so in a
					  * *musl* directory that Debian's points to */
	struct rs_maps_file jvm;         /* libjvm.so */
	struct rs_maps_file javanet;     /* libnet.so (with libjvm: Java's networking) */
	struct rs_maps_file cares;       /* libcares.so* */
	struct rs_maps_file node;        /* libnode.so* (Debian's node) */
	struct rs_maps_file nss_resolve; /* libnss_resolve.so* */
	unsigned n_lines, n_bad_lines, n_long_lines;
};

/* Scan maps text (need not be NUL-terminated; lines over RS_RT_PATH_MAX + 128
 * bytes are counted and skipped). Pure; always fills *out. */
void rs_runtime_scan_maps(const char *maps, size_t len, struct rs_maps_summary *out);

/* Strings looked for in the read-only data of a static, non-Go executable. */
enum rs_exe_marker {
	RS_MARK_MUSL_ERRMSG = 1u << 0, /* "No error information": musl's strerror */
	RS_MARK_RESOLV_CONF = 1u << 1, /* "/etc/resolv.conf" */
	RS_MARK_ATTEMPTS = 1u << 2,    /* "attempts:": a resolv.conf option parser */
	RS_MARK_NO_RELOAD = 1u << 3,   /* "no-reload": glibc's resolver options */
	RS_MARK_GLIBC = 1u << 4,       /* "GLIBC_TUNABLES": static glibc >= 2.26 */
};
#define RS_MARK_COUNT 5
/* The needles, in the order of the bits above. */
extern const char *const rs_exe_marker_strings[RS_MARK_COUNT];

/* Everything the classifier looks at. Texts need not be NUL-terminated and
 * may be NULL with length 0 (not read). */
struct rs_runtime_facts {
	const char *maps;
	size_t maps_len;
	const char *exe; /* the /proc/PID/exe link, possibly ending " (deleted)" */
	size_t exe_len;
	const char *environ; /* NUL-separated NAME=VALUE */
	size_t environ_len;
	const char *cmdline; /* NUL-separated arguments */
	size_t cmdline_len;

	/* From the executable file (rs_elf_parse and friends). */
	bool exe_elf;        /* its ELF headers were read */
	bool exe_has_interp; /* PT_INTERP: dynamically linked */
	char exe_interp[RS_ELF_INTERP_MAX];
	struct rs_go_info go;  /* go.found: a Go binary */
	uint32_t exe_markers;  /* static non-Go exes: enum rs_exe_marker found */
	bool exe_cares_symbol; /* defines ares_library_init: c-ares built in */

	/* From the mapped glibc: bytes from "GNU C Library" on (the banner). */
	const char *libc_banner;
	size_t libc_banner_len;

	/* Files read through /proc/PID/root when the runtime needs them. */
	const char *java_release; /* JAVA_HOME/release */
	size_t java_release_len;
	const char *java_security; /* JAVA_HOME/conf/security/java.security */
	size_t java_security_len;
	const char *dnsmasq_conf; /* its main config file */
	size_t dnsmasq_conf_len;
	const char *dnsmasq_conf_path; /* NUL-terminated, NULL if none */

	uint32_t notes; /* RS_RTN_TRUNCATED / RS_RTN_UNREADABLE from the reader */
};

/* Classify. Pure, bounded work in the sizes of the inputs; always fills *out
 * completely. Returns 0 (there is no failing input). */
int rs_runtime_classify(const struct rs_runtime_facts *in, struct rs_runtime *out);

/* The dnsmasq config file the cmdline selects: the first --conf-file=PATH or
 * -C PATH (more than one is noted as RS_RTN_CONFIG_UNEXAMINED by the
 * classifier), "" when --conf-file is given without a value, else the
 * default /etc/dnsmasq.conf. Copies it into buf (NUL-terminated). Returns 0, or
 * -ENAMETOOLONG. Pure. */
int rs_runtime_dnsmasq_conf_path(const char *cmdline, size_t len, char *buf, size_t cap);

/* --- reading from /proc ------------------------------------------------- */

/* Caps of one rs_runtime_read() call, the bytes it may read at most. */
#define RS_RT_MAPS_READ_MAX (16u << 20)  /* maps read, in 64 KiB chunks */
#define RS_RT_MAPS_KEEP     (256u << 10) /* file-backed maps lines kept, one per file */
#define RS_RT_ENVIRON_MAX   (256u << 10)
#define RS_RT_CMDLINE_MAX   (256u << 10)
#define RS_RT_EXE_BUDGET    (1280u << 10) /* ELF headers, names, buildinfo, symbols */
#define RS_RT_STATIC_SEARCH (4u << 20)    /* static exes only: musl marker search */
#define RS_RT_LIBC_BUDGET   (1u << 20)    /* libc headers + .rodata search for the banner */
#define RS_RT_BANNER_MAX    256
#define RS_RT_CONFIG_MAX    (128u << 10) /* each of java.security, release, dnsmasq conf */

/* Read the facts of pid below proc_dirfd (a directory fd of /proc, or of a
 * fixture tree laid out like it: PID/maps, PID/exe, PID/environ,
 * PID/cmdline, PID/root/..., PID/map_files/...) and classify them into *out.
 *
 * Cost of one call, in bytes read (worst case in brackets):
 *   - maps: kernel-generated, typically 5-300 KiB [RS_RT_MAPS_READ_MAX];
 *   - environ and cmdline [RS_RT_ENVIRON_MAX + RS_RT_CMDLINE_MAX];
 *   - the executable: ELF headers, section names, .go.buildinfo and (node
 *     only) a hash-table symbol lookup, 3-6 KiB measured on node (98 MB),
 *     age, python3, dnsmasq and java [RS_RT_EXE_BUDGET, of which 1 MiB only
 *     to find Go's build information in a file without section headers];
 *     plus, for a static non-Go executable only, its .rodata
 *     [RS_RT_STATIC_SEARCH];
 *   - a mapped glibc: headers and its .rodata up to the banner, about 70 KiB
 *     for Debian 12's libc.so.6 [RS_RT_LIBC_BUDGET + RS_RT_BANNER_MAX];
 *   - Java (release, java.security) and dnsmasq (its config file) only
 *     [RS_RT_CONFIG_MAX each].
 * So about 80-400 KiB for a typical process, 23 MiB at most. Buffers are
 * allocated per call (maps kept: at most RS_RT_MAPS_KEEP) and freed; the
 * stack use is about 40 KiB. Nothing is cached. A cache in the caller keyed
 * by the executable's (dev, inode) must also key on the mapped libc's inode
 * and on environ and cmdline: RES_OPTIONS, GODEBUG, JVM properties and
 * dnsmasq flags change the result between processes of one executable.
 *
 * Config files are read as they are now, which may differ from what the
 * process read when it started.
 *
 * Files below PID/root are opened with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), O_NOFOLLOW for mapped files, O_NONBLOCK, and must be
 * regular files; a mapped file whose inode differs from the one maps names is
 * read through PID/map_files instead (root only), or not at all. Returns 0
 * (the process may still be classified "unknown", with RS_RTN_UNREADABLE when
 * some files could not be read), -ENOENT if the process is gone, -EINVAL for
 * a bad pid, -ENOMEM. */
int rs_runtime_read(int proc_dirfd, int32_t pid, struct rs_runtime *out);

/* A cache of what files say, for callers that fingerprint many processes:
 * the executable's ELF facts by (dev, inode, size, mtime) and a mapped
 * glibc's banner by (path, inode) in maps, 256 of each, least recently used
 * out. What depends on the process (maps, environ, cmdline, config files) is
 * read every time. With it, a host of 4000 processes of a few programs costs
 * one read of each program and libc. */
struct rs_runtime_cache;
struct rs_runtime_cache_stats {
	uint64_t exe_hits, exe_misses, libc_hits, libc_misses;
};
struct rs_runtime_cache *rs_runtime_cache_new(void);
void rs_runtime_cache_free(struct rs_runtime_cache *c);
const struct rs_runtime_cache_stats *rs_runtime_cache_stats(const struct rs_runtime_cache *c);
/* rs_runtime_read through the cache (NULL: no cache). */
int rs_runtime_read_cached(struct rs_runtime_cache *cache, int proc_dirfd, int32_t pid,
			   struct rs_runtime *out);
/* The same for the process whose /proc/PID directory is open as pid_dirfd
 * (for callers that read other facts from it too). */
int rs_runtime_read_at(struct rs_runtime_cache *cache, int pid_dirfd, struct rs_runtime *out);

#endif
