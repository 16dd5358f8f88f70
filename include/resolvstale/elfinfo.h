/* Bounded reading of the ELF files of inspected processes.
 *
 * The executables and libraries of other processes are hostile input: a file
 * may claim any header values, point offsets past its end, chain hash tables
 * into loops, or be gigabytes long. Everything here reads through an
 * rs_elf_src, which charges every byte to a budget and is backed by a file
 * descriptor (pread; nothing is mapped, executed or loaded) or by a memory
 * buffer (unit tests, fuzzers): the same code runs on both.
 *
 * Only what resolvstale's runtime fingerprint needs is read: the program
 * headers (PT_INTERP: static or dynamic), the names and places of a few
 * sections, symbol lookups through the dynamic hash tables, bounded string
 * searches, and Go's build information (.go.buildinfo).
 */
#ifndef RESOLVSTALE_ELFINFO_H
#define RESOLVSTALE_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RS_ELF_MAX_PHNUM    128 /* program headers read; more: -ENOEXEC */
#define RS_ELF_MAX_SHNUM    512 /* section headers read; more: no sections */
#define RS_ELF_MAX_SHSTRTAB (64 * 1024)
#define RS_ELF_INTERP_MAX   256 /* bytes of the PT_INTERP path kept, with NUL */
#define RS_ELF_MAX_LOAD     16  /* PT_LOAD segments kept */
#define RS_ELF_SEARCH_CHUNK (32 * 1024)
#define RS_ELF_MAX_NEEDLE   64
#define RS_ELF_MAX_CHAIN    4096 /* hash chain entries followed in one lookup */

/* Where bytes come from, and how many more may be read. */
struct rs_elf_src {
	int fd;             /* >= 0: pread from it */
	const uint8_t *mem; /* fd < 0: this buffer of `size` bytes */
	uint64_t size;      /* file size */
	uint64_t budget;    /* bytes that may still be read */
	uint64_t used;      /* bytes read so far (reads of all kinds) */
};

/* A source over fd (not owned; size from the caller's fstat) or over
 * buf[0..len). */
void rs_elf_src_fd(struct rs_elf_src *s, int fd, uint64_t size, uint64_t budget);
void rs_elf_src_mem(struct rs_elf_src *s, const void *buf, size_t len, uint64_t budget);

/* Read exactly n bytes at off. Returns 0, -ERANGE if [off, off+n) is not
 * inside the file, -EFBIG if the budget does not cover n, -EIO on a short
 * read, or -errno from pread. */
int rs_elf_read(struct rs_elf_src *s, void *buf, size_t n, uint64_t off);

struct rs_elf_seg {
	uint64_t off, filesz, vaddr, memsz;
	uint32_t flags; /* PF_R, PF_W, PF_X */
};

struct rs_elf_sect {
	bool found;
	uint32_t type;
	uint64_t off, size, addr;
};

struct rs_elf_info {
	bool is64, big_endian;
	uint16_t type, machine;
	bool has_interp;                /* PT_INTERP: dynamically linked */
	char interp[RS_ELF_INTERP_MAX]; /* its path, cut at the first NUL or the size */
	bool has_dynamic;               /* PT_DYNAMIC (static-pie has one, without PT_INTERP) */
	struct rs_elf_seg load[RS_ELF_MAX_LOAD];
	unsigned n_load;
	bool has_sections; /* a section table with names was read */
	struct rs_elf_sect go_buildinfo, rodata, dynsym, dynstr, gnu_hash, hash;
};

/* Read the ELF header, the program headers and (if present and sane) the
 * section headers and their names. Returns 0, -ENOEXEC if this is not an ELF
 * file resolvstale can read (bad magic, class, byte order, header sizes,
 * program header table outside the file), or an error of rs_elf_read. A bad
 * section table is not an error: has_sections stays false. Reads at most
 * 64 + 128 * 56 + 512 * 64 + RS_ELF_MAX_SHSTRTAB + RS_ELF_INTERP_MAX bytes. */
int rs_elf_parse(struct rs_elf_src *s, struct rs_elf_info *out);

/* The file offset of virtual address vaddr (with len bytes available behind
 * it inside the same PT_LOAD segment's file image). Returns 0 or -ENOENT. */
int rs_elf_vaddr_to_off(const struct rs_elf_info *info, uint64_t vaddr, uint64_t len,
			uint64_t *off);

/* Find needle (1..RS_ELF_MAX_NEEDLE bytes) in the file's bytes [off, off+len)
 * (clipped to the file), reading in RS_ELF_SEARCH_CHUNK pieces. Returns 1 and
 * the offset of the first match in *at, 0 if there is none, or a negative
 * errno (-EFBIG when the budget ran out first). */
int rs_elf_search(struct rs_elf_src *s, uint64_t off, uint64_t len, const void *needle, size_t nlen,
		  uint64_t *at);

/* Look for up to 32 needles (each 1..RS_ELF_MAX_NEEDLE bytes) in one pass
 * over [off, off+len): bit i of *found is set when needles[i] occurs. Stops
 * early when all are found. Returns 0, or a negative errno (bits found before
 * the error stay set; -EFBIG when the budget ran out). */
int rs_elf_search_all(struct rs_elf_src *s, uint64_t off, uint64_t len, const char *const needles[],
		      size_t n, uint32_t *found);

/* Whether the dynamic symbol table defines name (a symbol with a section
 * index), looked up through .gnu.hash or else .hash like the dynamic loader:
 * a few small reads, whatever the size of the table. Returns 1, 0, -ENOENT
 * when the file has no hash table and dynamic symbols to look in, or a
 * negative errno. */
int rs_elf_dynsym_defined(struct rs_elf_src *s, const struct rs_elf_info *info, const char *name);

/* --- Go build information ------------------------------------------------- */

#define RS_GO_VERSION_MAX   48
#define RS_GO_MODINFO_MAX   (64 * 1024) /* bytes of module and build info read */
#define RS_GO_BUILDINFO_HDR 32

struct rs_go_info {
	bool found;          /* the "\xff Go buildinf:" magic was seen */
	bool inline_strings; /* Go >= 1.18 layout: strings follow the header */
	uint8_t ptr_size;    /* 4 or 8; 0 if the header says something else */
	bool ptr_big_endian;
	uint64_t vers_addr, mod_addr;    /* pointer layout (Go < 1.18): string headers */
	char version[RS_GO_VERSION_MAX]; /* "go1.19.8"; "" when unreadable */
	bool settings;                   /* "build\t" lines were present (Go >= 1.18) */
	int cgo;                         /* CGO_ENABLED: -1 not recorded, 0 or 1 */
	bool netgo;                      /* -tags contains netgo: Go's own resolver only */
	bool netcgo;                     /* -tags contains netcgo: cgo resolver preferred */
	char tags[96];                   /* the -tags value, cut */
};

/* Parse buf[0..len), the bytes of a .go.buildinfo section from its start.
 * With Go >= 1.18 (inline strings) this fills everything; with the pointer
 * layout it fills ptr_size, vers_addr and mod_addr for the reader to follow.
 * Returns 0, or -ENOENT if buf does not start with the magic. */
int rs_go_buildinfo_parse(const uint8_t *buf, size_t len, struct rs_go_info *out);

/* Parse Go's module and build information text ("path\t...\nbuild\tKEY=VAL\n";
 * the 16-byte sentinels around it are skipped if present) into out's
 * settings, cgo, netgo, netcgo and tags. */
void rs_go_modinfo_parse(const char *s, size_t n, struct rs_go_info *out);

/* Find and read the build information of a Go executable: the .go.buildinfo
 * section, or without section headers the magic at a 16-byte boundary in the
 * first 1 MiB of each writable PT_LOAD segment (where Go's linker puts it).
 * Returns 0 (out->found says whether it is a Go binary), or a negative errno
 * from the reads. */
int rs_go_buildinfo_read(struct rs_elf_src *s, const struct rs_elf_info *info,
			 struct rs_go_info *out);

#endif
