/* libFuzzer target for the ELF reader behind the runtime fingerprint: the
 * input is a file. rs_elf_parse(), then everything rs_runtime_read() does
 * with an executable or a libc (Go build information, marker searches,
 * dynamic symbol lookups), plus the Go parsers on the raw bytes. Checks that
 * every read stays inside the file and the budget. Built by `make
 * build/fuzz/fuzz_elfinfo`, run by tests/run-fuzz.sh on a copy of
 * tests/fuzz/corpus/elfinfo/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/elfinfo.h"
#include "resolvstale/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_elfinfo: invariant failed: %s (%s:%d)\n", #cond,     \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define BUDGET (1u << 20)

static void check_go(const struct rs_go_info *go)
{
	CHECK(strnlen(go->version, sizeof(go->version)) < sizeof(go->version));
	for (const char *p = go->version; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
	CHECK(strnlen(go->tags, sizeof(go->tags)) < sizeof(go->tags));
	CHECK(go->cgo >= -1 && go->cgo <= 1);
}

static void check_sect(const struct rs_elf_sect *s, size_t size)
{
	if (s->found)
		CHECK(s->off <= size && s->size <= size - s->off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the file's end. */
	uint8_t *buf = malloc(size ? size : 1);
	static const char *const names[] = {"ares_library_init", "getaddrinfo", "a", "main"};
	struct rs_elf_src src;
	struct rs_elf_info info;
	struct rs_go_info go;
	uint64_t off, at;
	uint32_t found;
	int r;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);

	rs_go_buildinfo_parse(buf, size, &go);
	check_go(&go);
	memset(&go, 0, sizeof(go));
	go.cgo = -1;
	rs_go_modinfo_parse((const char *)buf, size, &go);
	check_go(&go);

	rs_elf_src_mem(&src, buf, size, BUDGET);
	r = rs_elf_parse(&src, &info);
	CHECK(src.used <= BUDGET && src.used + src.budget == BUDGET);
	if (r < 0)
		goto out;
	CHECK(strnlen(info.interp, sizeof(info.interp)) < sizeof(info.interp));
	CHECK(info.n_load <= RS_ELF_MAX_LOAD);
	for (unsigned i = 0; i < info.n_load; i++)
		CHECK(info.load[i].off <= size && info.load[i].filesz <= size - info.load[i].off);
	check_sect(&info.go_buildinfo, size);
	check_sect(&info.rodata, size);
	check_sect(&info.dynsym, size);
	check_sect(&info.dynstr, size);
	check_sect(&info.gnu_hash, size);
	check_sect(&info.hash, size);

	rs_go_buildinfo_read(&src, &info, &go);
	check_go(&go);
	if (info.rodata.found)
		rs_elf_search_all(&src, info.rodata.off, info.rodata.size, rs_exe_marker_strings,
				  RS_MARK_COUNT, &found);
	else
		rs_elf_search_all(&src, 0, size, rs_exe_marker_strings, RS_MARK_COUNT, &found);
	CHECK((found >> RS_MARK_COUNT) == 0);
	if (rs_elf_search(&src, 0, size, "GNU C Library", 13, &at) == 1)
		CHECK(at + 13 <= size && memcmp(buf + at, "GNU C Library", 13) == 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = rs_elf_dynsym_defined(&src, &info, names[i]);
		CHECK(r <= 1);
	}
	for (unsigned i = 0; i < info.n_load; i++)
		if (rs_elf_vaddr_to_off(&info, info.load[i].vaddr, 1, &off) == 0)
			CHECK(off < size);
	CHECK(src.used <= BUDGET && src.used + src.budget == BUDGET);
out:
	free(buf);
	return 0;
}
