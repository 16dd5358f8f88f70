/* libFuzzer target for the runtime classifier: rs_runtime_classify() on facts
 * cut from the input, rs_runtime_json() and rs_runtime_dnsmasq_conf_path() on
 * the result, with the invariants callers rely on. Built by `make
 * build/fuzz/fuzz_runtime`, run by tests/run-fuzz.sh on a copy of
 * tests/fuzz/corpus/runtime/.
 *
 * Input: parts separated by the 4 bytes "\n--\n":
 *   0 flags (byte 0: exe_elf, exe_has_interp, exe_cares_symbol, go.found,
 *     go.netgo, go.netcgo, RS_RTN_TRUNCATED, RS_RTN_UNREADABLE; byte 1:
 *     exe_markers; byte 2: go.cgo + 1)
 *   1 maps  2 exe  3 environ  4 cmdline  5 libc banner  6 java release
 *   7 java.security  8 dnsmasq conf  9 Go modinfo text  10 PT_INTERP path
 *   11 Go version
 * Each part is copied into a buffer of its exact size, so that reading past
 * its end is caught by ASan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/json.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_runtime: invariant failed: %s (%s:%d)\n", #cond,     \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define NPARTS 12

static struct rs_runtime rt, again;

static bool clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void check_path(const struct rs_runtime_path *p)
{
	char buf[48];

	CHECK(strcmp(rs_reload_rule_name(p->rule), "unknown") != 0 || p->rule == RS_RELOAD_UNKNOWN);
	CHECK(strcmp(rs_resolver_path_name(p->path), "none") != 0 || p->path == RS_PATH_NONE);
	CHECK(p->rule == RS_RELOAD_WITHIN || p->within_s == 0);
	rs_runtime_path_rule(p, buf, sizeof(buf));
	CHECK(strlen(buf) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n--\n";
	char *part[NPARTS] = {0};
	size_t len[NPARTS] = {0}, at = 0, k = 0;
	struct rs_runtime_facts f;
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;
	char conf[RS_RT_PATH_MAX];
	const struct rs_runtime_path *w;

	while (k < NPARTS) {
		const uint8_t *end = at < size ? memmem(data + at, size - at, sep, 4) : NULL;
		size_t n = end ? (size_t)(end - (data + at)) : size - (at < size ? at : size);

		part[k] = malloc(n ? n : 1);
		if (part[k] == NULL)
			goto out;
		if (n)
			memcpy(part[k], data + at, n);
		len[k++] = n;
		if (end == NULL)
			break;
		at += n + 4;
	}

	memset(&f, 0, sizeof(f));
	if (len[0] > 0) {
		uint8_t b = (uint8_t)part[0][0];

		f.exe_elf = b & 1;
		f.exe_has_interp = b & 2;
		f.exe_cares_symbol = b & 4;
		f.go.found = b & 8;
		f.go.netgo = b & 16;
		f.go.netcgo = b & 32;
		f.notes = (b & 64 ? RS_RTN_TRUNCATED : 0) | (b & 128 ? RS_RTN_UNREADABLE : 0);
	}
	f.exe_markers = len[0] > 1 ? (uint8_t)part[0][1] : 0;
	f.go.cgo = len[0] > 2 ? (int)((uint8_t)part[0][2] % 3) - 1 : -1;
	f.maps = part[1];
	f.maps_len = len[1];
	f.exe = part[2];
	f.exe_len = len[2];
	f.environ = part[3];
	f.environ_len = len[3];
	f.cmdline = part[4];
	f.cmdline_len = len[4];
	f.libc_banner = part[5];
	f.libc_banner_len = len[5];
	f.java_release = part[6];
	f.java_release_len = len[6];
	f.java_security = part[7];
	f.java_security_len = len[7];
	f.dnsmasq_conf = part[8];
	f.dnsmasq_conf_len = len[8];
	f.dnsmasq_conf_path = "/etc/dnsmasq.conf";
	if (part[9] != NULL)
		rs_go_modinfo_parse(part[9], len[9], &f.go);
	if (part[10] != NULL) {
		size_t n = len[10] < sizeof(f.exe_interp) - 1 ? len[10] : sizeof(f.exe_interp) - 1;

		memcpy(f.exe_interp, part[10], n);
	}
	if (part[11] != NULL) {
		size_t n = len[11] < sizeof(f.go.version) - 1 ? len[11] : sizeof(f.go.version) - 1;

		memcpy(f.go.version, part[11], n);
		f.go.version[strnlen(f.go.version, n)] = '\0';
	}

	CHECK(rs_runtime_classify(&f, &rt) == 0);
	CHECK(strcmp(rs_runtime_kind_name(rt.kind), "unknown") != 0 || rt.kind == RS_RT_UNKNOWN);
	check_path(&rt.primary);
	if (rt.second.path == RS_PATH_NONE)
		CHECK(rt.second.rule == RS_RELOAD_UNKNOWN && rt.second.within_s == 0);
	else
		check_path(&rt.second);
	CHECK(rt.kind != RS_RT_UNKNOWN || rt.primary.rule == RS_RELOAD_UNKNOWN);
	CHECK(rt.n_evidence <= RS_RT_MAX_EVIDENCE);
	CHECK(rt.n_evidence >= 1);
	CHECK(!rt.evidence_truncated || rt.n_evidence == RS_RT_MAX_EVIDENCE);
	for (unsigned i = 0; i < rt.n_evidence; i++)
		CHECK(clean(rt.evidence[i], RS_RT_EVIDENCE_LEN));
	CHECK(clean(rt.version, sizeof(rt.version)));
	CHECK(strchr(rt.version, ' ') == NULL);
	CHECK((rt.notes >> RS_RTN_COUNT) == 0);
	w = rs_runtime_worst(&rt);
	CHECK(w == &rt.primary || w == &rt.second);

	/* Pure: the same facts give the same result, byte for byte. */
	CHECK(rs_runtime_classify(&f, &again) == 0);
	CHECK(memcmp(&rt, &again, sizeof(rt)) == 0);

	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_runtime_json(&j, &rt);
	rs_json_obj_end(&j);
	CHECK(!rs_sbuf_failed(&sb));
	CHECK(strlen(rs_sbuf_str(&sb)) == sb.len);
	CHECK(sb.len >= 2 && rs_sbuf_str(&sb)[0] == '{' && rs_sbuf_str(&sb)[sb.len - 1] == '}');

	if (rs_runtime_dnsmasq_conf_path(f.cmdline, f.cmdline_len, conf, sizeof(conf)) == 0)
		CHECK(strlen(conf) < sizeof(conf));
out:
	rs_sbuf_free(&sb);
	for (size_t i = 0; i < NPARTS; i++)
		free(part[i]);
	return 0;
}
