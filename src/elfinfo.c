/* Bounded reading of the ELF files of inspected processes (see elfinfo.h). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/elfinfo.h"

void rs_elf_src_fd(struct rs_elf_src *s, int fd, uint64_t size, uint64_t budget)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->size = size;
	s->budget = budget;
}

void rs_elf_src_mem(struct rs_elf_src *s, const void *buf, size_t len, uint64_t budget)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->mem = buf;
	s->size = len;
	s->budget = budget;
}

int rs_elf_read(struct rs_elf_src *s, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	if (off > s->size || n > s->size - off)
		return -ERANGE;
	if (n > s->budget)
		return -EFBIG;
	s->budget -= n;
	s->used += n;
	if (s->fd < 0) {
		if (n > 0)
			memcpy(buf, s->mem + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO; /* the file shrank under us */
		got += (size_t)r;
	}
	return 0;
}

/* --- integers in the file's byte order ------------------------------------ */

static uint16_t get16(const struct rs_elf_info *e, const uint8_t *p)
{
	return e->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32(const struct rs_elf_info *e, const uint8_t *p)
{
	if (e->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const struct rs_elf_info *e, const uint8_t *p)
{
	if (e->big_endian)
		return (uint64_t)get32(e, p) << 32 | get32(e, p + 4);
	return (uint64_t)get32(e, p + 4) << 32 | get32(e, p);
}

/* An address-sized field (ElfN_Addr, ElfN_Off, 64-bit Xword). */
static uint64_t getaddr(const struct rs_elf_info *e, const uint8_t *p)
{
	return e->is64 ? get64(e, p) : get32(e, p);
}

/* --- headers ----------------------------------------------------------------- */

static void note_phdr(struct rs_elf_src *s, struct rs_elf_info *out, const uint8_t *ph)
{
	uint32_t type = get32(out, ph);
	struct rs_elf_seg seg;

	if (out->is64) {
		seg.flags = get32(out, ph + 4);
		seg.off = get64(out, ph + 8);
		seg.vaddr = get64(out, ph + 16);
		seg.filesz = get64(out, ph + 32);
		seg.memsz = get64(out, ph + 40);
	} else {
		seg.off = get32(out, ph + 4);
		seg.vaddr = get32(out, ph + 8);
		seg.filesz = get32(out, ph + 16);
		seg.memsz = get32(out, ph + 20);
		seg.flags = get32(out, ph + 24);
	}
	if (type == PT_INTERP) {
		size_t n = seg.filesz < RS_ELF_INTERP_MAX - 1 ? (size_t)seg.filesz
							      : RS_ELF_INTERP_MAX - 1;
		out->has_interp = true;
		out->interp[0] = '\0';
		if (rs_elf_read(s, out->interp, n, seg.off) == 0) {
			out->interp[n] = '\0';
			out->interp[strnlen(out->interp, n)] = '\0';
		} else {
			out->interp[0] = '\0';
		}
	} else if (type == PT_DYNAMIC) {
		out->has_dynamic = true;
	} else if (type == PT_LOAD && out->n_load < RS_ELF_MAX_LOAD && seg.off <= s->size &&
		   seg.filesz <= s->size - seg.off) {
		out->load[out->n_load++] = seg;
	}
}

static bool name_is(const char *names, size_t n_names, uint32_t at, const char *want)
{
	size_t k = strlen(want) + 1;

	return at < n_names && n_names - at >= k && memcmp(names + at, want, k) == 0;
}

/* Read the section headers and their names; failures leave has_sections
 * false, they do not make the file unreadable. */
static int read_sections(struct rs_elf_src *s, struct rs_elf_info *out, uint64_t shoff,
			 uint32_t shnum, uint32_t shstrndx, size_t shentsize)
{
	uint8_t *shdrs = NULL;
	char *names = NULL;
	uint64_t str_off, str_size;
	const uint8_t *sh;
	int r = 0;

	if (shnum == 0 || shnum > RS_ELF_MAX_SHNUM || shstrndx >= shnum)
		return 0;
	shdrs = malloc((size_t)shnum * shentsize);
	if (shdrs == NULL)
		return -ENOMEM;
	r = rs_elf_read(s, shdrs, (size_t)shnum * shentsize, shoff);
	if (r < 0)
		goto out;
	sh = shdrs + (size_t)shstrndx * shentsize;
	str_off = out->is64 ? get64(out, sh + 24) : get32(out, sh + 16);
	str_size = out->is64 ? get64(out, sh + 32) : get32(out, sh + 20);
	if (str_size == 0 || str_size > RS_ELF_MAX_SHSTRTAB)
		goto out;
	names = malloc((size_t)str_size);
	if (names == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = rs_elf_read(s, names, (size_t)str_size, str_off);
	if (r < 0)
		goto out;
	for (uint32_t i = 1; i < shnum; i++) {
		const uint8_t *h = shdrs + (size_t)i * shentsize;
		uint32_t name = get32(out, h), type = get32(out, h + 4);
		struct rs_elf_sect sect, *want = NULL;

		if (type == SHT_NOBITS)
			continue;
		sect.found = true;
		sect.type = type;
		sect.addr = out->is64 ? get64(out, h + 16) : get32(out, h + 12);
		sect.off = out->is64 ? get64(out, h + 24) : get32(out, h + 16);
		sect.size = out->is64 ? get64(out, h + 32) : get32(out, h + 20);
		if (sect.off > s->size || sect.size > s->size - sect.off)
			continue; /* claims bytes the file does not have */
		if (name_is(names, (size_t)str_size, name, ".go.buildinfo"))
			want = &out->go_buildinfo;
		else if (name_is(names, (size_t)str_size, name, ".rodata"))
			want = &out->rodata;
		else if (type == SHT_DYNSYM)
			want = &out->dynsym;
		else if (type == SHT_GNU_HASH)
			want = &out->gnu_hash;
		else if (type == SHT_HASH)
			want = &out->hash;
		else if (type == SHT_STRTAB && name_is(names, (size_t)str_size, name, ".dynstr"))
			want = &out->dynstr;
		if (want != NULL && !want->found)
			*want = sect;
	}
	out->has_sections = true;
out:
	free(names);
	free(shdrs);
	/* A section table we cannot read is no reason to give up on the file;
	 * running out of budget or memory is. */
	return r == -EFBIG || r == -ENOMEM ? r : 0;
}

int rs_elf_parse(struct rs_elf_src *s, struct rs_elf_info *out)
{
	uint8_t eh[64], ph[RS_ELF_MAX_PHNUM * sizeof(Elf64_Phdr)];
	uint64_t phoff, shoff;
	uint32_t phnum, shnum, shstrndx;
	size_t phentsize, shentsize, want_ph, want_sh;
	int r;

	memset(out, 0, sizeof(*out));
	if (s->size < EI_NIDENT)
		return -ENOEXEC;
	r = rs_elf_read(s, eh, s->size < sizeof(eh) ? (size_t)s->size : sizeof(eh), 0);
	if (r < 0)
		return r;
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (eh[EI_CLASS] == ELFCLASS64)
		out->is64 = true;
	else if (eh[EI_CLASS] != ELFCLASS32)
		return -ENOEXEC;
	if (eh[EI_DATA] == ELFDATA2MSB)
		out->big_endian = true;
	else if (eh[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (s->size < (out->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -ENOEXEC;
	out->type = get16(out, eh + 16);
	out->machine = get16(out, eh + 18);
	if (out->is64) {
		phoff = get64(out, eh + 32);
		shoff = get64(out, eh + 40);
		phentsize = get16(out, eh + 54);
		phnum = get16(out, eh + 56);
		shentsize = get16(out, eh + 58);
		shnum = get16(out, eh + 60);
		shstrndx = get16(out, eh + 62);
		want_ph = sizeof(Elf64_Phdr);
		want_sh = sizeof(Elf64_Shdr);
	} else {
		phoff = get32(out, eh + 28);
		shoff = get32(out, eh + 32);
		phentsize = get16(out, eh + 42);
		phnum = get16(out, eh + 44);
		shentsize = get16(out, eh + 46);
		shnum = get16(out, eh + 48);
		shstrndx = get16(out, eh + 50);
		want_ph = sizeof(Elf32_Phdr);
		want_sh = sizeof(Elf32_Shdr);
	}
	if (phnum > 0) {
		if (phentsize != want_ph || phnum > RS_ELF_MAX_PHNUM)
			return -ENOEXEC;
		r = rs_elf_read(s, ph, phnum * phentsize, phoff);
		if (r == -ERANGE)
			return -ENOEXEC;
		if (r < 0)
			return r;
		for (uint32_t i = 0; i < phnum; i++)
			note_phdr(s, out, ph + (size_t)i * phentsize);
	}
	if (shoff != 0 && shentsize == want_sh) {
		/* Extended numbering: the real counts live in section header 0. */
		if (shnum == 0 || shstrndx == SHN_XINDEX) {
			uint8_t sh0[sizeof(Elf64_Shdr)];

			if (rs_elf_read(s, sh0, shentsize, shoff) == 0) {
				if (shnum == 0)
					shnum = (uint32_t)(out->is64 ? get64(out, sh0 + 32)
								     : get32(out, sh0 + 20));
				if (shstrndx == SHN_XINDEX)
					shstrndx = get32(out, sh0 + (out->is64 ? 40 : 24));
			}
		}
		r = read_sections(s, out, shoff, shnum, shstrndx, shentsize);
		if (r < 0)
			return r;
	}
	return 0;
}

int rs_elf_vaddr_to_off(const struct rs_elf_info *info, uint64_t vaddr, uint64_t len, uint64_t *off)
{
	for (unsigned i = 0; i < info->n_load; i++) {
		const struct rs_elf_seg *g = &info->load[i];

		if (vaddr >= g->vaddr && vaddr - g->vaddr < g->filesz &&
		    len <= g->filesz - (vaddr - g->vaddr)) {
			*off = g->off + (vaddr - g->vaddr);
			return 0;
		}
	}
	return -ENOENT;
}

/* --- searching --------------------------------------------------------------- */

int rs_elf_search(struct rs_elf_src *s, uint64_t off, uint64_t len, const void *needle, size_t nlen,
		  uint64_t *at)
{
	uint8_t buf[RS_ELF_SEARCH_CHUNK];
	uint64_t end, pos;

	if (nlen == 0 || nlen > RS_ELF_MAX_NEEDLE)
		return -EINVAL;
	if (off >= s->size)
		return 0;
	end = len > s->size - off ? s->size : off + len;
	pos = off;
	while (end - pos >= nlen) {
		size_t n = end - pos > sizeof(buf) ? sizeof(buf) : (size_t)(end - pos);
		const uint8_t *hit;
		int r = rs_elf_read(s, buf, n, pos);

		if (r < 0)
			return r;
		hit = memmem(buf, n, needle, nlen);
		if (hit != NULL) {
			*at = pos + (uint64_t)(hit - buf);
			return 1;
		}
		if (pos + n >= end)
			break;
		/* Overlap so that a match across two chunks is seen. */
		pos += n - (nlen - 1);
	}
	return 0;
}

int rs_elf_search_all(struct rs_elf_src *s, uint64_t off, uint64_t len, const char *const needles[],
		      size_t n, uint32_t *found)
{
	uint8_t buf[RS_ELF_SEARCH_CHUNK];
	size_t lens[32], maxlen = 0;
	uint32_t all;
	uint64_t end, pos;

	*found = 0;
	if (n == 0 || n > 32)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		lens[i] = strlen(needles[i]);
		if (lens[i] == 0 || lens[i] > RS_ELF_MAX_NEEDLE)
			return -EINVAL;
		if (lens[i] > maxlen)
			maxlen = lens[i];
	}
	all = n == 32 ? UINT32_MAX : (1u << n) - 1;
	if (off >= s->size)
		return 0;
	end = len > s->size - off ? s->size : off + len;
	pos = off;
	while (pos < end) {
		size_t k = end - pos > sizeof(buf) ? sizeof(buf) : (size_t)(end - pos);
		int r = rs_elf_read(s, buf, k, pos);

		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (!(*found & (1u << i)) && memmem(buf, k, needles[i], lens[i]) != NULL)
				*found |= 1u << i;
		if (*found == all || pos + k >= end || k < maxlen)
			break;
		pos += k - (maxlen - 1);
	}
	return 0;
}

/* --- dynamic symbols ------------------------------------------------------- */

/* Whether symbol idx is name and defined. 1, 0, or a negative errno. */
static int sym_matches(struct rs_elf_src *s, const struct rs_elf_info *info, uint64_t idx,
		       const char *name)
{
	size_t entsize = info->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	size_t k = strlen(name) + 1;
	uint8_t sym[sizeof(Elf64_Sym)];
	char str[RS_ELF_MAX_NEEDLE + 1];
	uint32_t st_name;
	uint16_t shndx;
	int r;

	if (idx >= info->dynsym.size / entsize)
		return -ERANGE;
	r = rs_elf_read(s, sym, entsize, info->dynsym.off + idx * entsize);
	if (r < 0)
		return r;
	st_name = get32(info, sym);
	shndx = get16(info, sym + (info->is64 ? 6 : 14));
	if (st_name >= info->dynstr.size || info->dynstr.size - st_name < k)
		return 0;
	r = rs_elf_read(s, str, k, info->dynstr.off + st_name);
	if (r < 0)
		return r;
	return memcmp(str, name, k) == 0 && shndx != SHN_UNDEF;
}

static int lookup_gnu(struct rs_elf_src *s, const struct rs_elf_info *info, const char *name)
{
	const struct rs_elf_sect *t = &info->gnu_hash;
	unsigned wbits = info->is64 ? 64 : 32, wsize = info->is64 ? 8 : 4;
	uint8_t hdr[16], w[8], b[4];
	uint32_t nbuckets, symoffset, bloom_size, bloom_shift, h = 5381, bucket;
	uint64_t word, mask, chain_off;
	int r;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	if (t->size < sizeof(hdr))
		return -ERANGE;
	r = rs_elf_read(s, hdr, sizeof(hdr), t->off);
	if (r < 0)
		return r;
	nbuckets = get32(info, hdr);
	symoffset = get32(info, hdr + 4);
	bloom_size = get32(info, hdr + 8);
	bloom_shift = get32(info, hdr + 12);
	if (nbuckets == 0 || bloom_size == 0)
		return 0;
	if ((uint64_t)bloom_size * wsize + (uint64_t)nbuckets * 4 > t->size - sizeof(hdr))
		return -ERANGE;
	r = rs_elf_read(s, w, wsize, t->off + 16 + (uint64_t)((h / wbits) % bloom_size) * wsize);
	if (r < 0)
		return r;
	word = getaddr(info, w);
	mask = (1ULL << (h % wbits)) | (1ULL << ((h >> (bloom_shift % 32)) % wbits));
	if ((word & mask) != mask)
		return 0;
	r = rs_elf_read(s, b, 4,
			t->off + 16 + (uint64_t)bloom_size * wsize + (h % nbuckets) * 4ULL);
	if (r < 0)
		return r;
	bucket = get32(info, b);
	if (bucket == 0 || bucket < symoffset)
		return 0;
	chain_off = t->off + 16 + (uint64_t)bloom_size * wsize + (uint64_t)nbuckets * 4;
	for (uint64_t i = bucket, n = 0; n < RS_ELF_MAX_CHAIN; i++, n++) {
		uint64_t at = chain_off + (i - symoffset) * 4;
		uint32_t ch;

		if (at < t->off || at + 4 > t->off + t->size)
			return 0;
		r = rs_elf_read(s, b, 4, at);
		if (r < 0)
			return r;
		ch = get32(info, b);
		if ((ch | 1) == (h | 1)) {
			r = sym_matches(s, info, i, name);
			if (r != 0)
				return r;
		}
		if (ch & 1)
			return 0;
	}
	return 0;
}

static int lookup_sysv(struct rs_elf_src *s, const struct rs_elf_info *info, const char *name)
{
	const struct rs_elf_sect *t = &info->hash;
	uint8_t hdr[8], b[4];
	uint32_t nbucket, nchain, h = 0, i;
	int r;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		uint32_t g;

		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	if (t->size < sizeof(hdr))
		return -ERANGE;
	r = rs_elf_read(s, hdr, sizeof(hdr), t->off);
	if (r < 0)
		return r;
	nbucket = get32(info, hdr);
	nchain = get32(info, hdr + 4);
	if (nbucket == 0 || 8 + ((uint64_t)nbucket + nchain) * 4 > t->size)
		return 0;
	r = rs_elf_read(s, b, 4, t->off + 8 + (uint64_t)(h % nbucket) * 4);
	if (r < 0)
		return r;
	i = get32(info, b);
	for (unsigned n = 0; i != STN_UNDEF && n < RS_ELF_MAX_CHAIN; n++) {
		if (i >= nchain)
			return 0;
		r = sym_matches(s, info, i, name);
		if (r != 0)
			return r;
		r = rs_elf_read(s, b, 4, t->off + 8 + (uint64_t)nbucket * 4 + (uint64_t)i * 4);
		if (r < 0)
			return r;
		i = get32(info, b);
	}
	return 0;
}

int rs_elf_dynsym_defined(struct rs_elf_src *s, const struct rs_elf_info *info, const char *name)
{
	int r;

	if (strlen(name) == 0 || strlen(name) > RS_ELF_MAX_NEEDLE)
		return -EINVAL;
	if (!info->dynsym.found || !info->dynstr.found)
		return -ENOENT;
	if (info->gnu_hash.found) {
		r = lookup_gnu(s, info, name);
		return r == -ERANGE ? 0 : r;
	}
	if (info->hash.found) {
		r = lookup_sysv(s, info, name);
		return r == -ERANGE ? 0 : r;
	}
	return -ENOENT;
}

/* --- Go build information ----------------------------------------------- */

static const char go_magic[] = "\xff Go buildinf:";
#define GO_MAGIC_LEN 14

/* Copy s[0..n) into dst (cap bytes with NUL), bytes outside printable ASCII
 * replaced by '?': a version string is shown to people. */
static void copy_clean(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[n] = '\0';
}

/* Go's uvarint. Returns bytes used, 0 if malformed or cut. */
static size_t uvarint(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
		shift += 7;
	}
	return 0;
}

static bool tag_in(const char *tags, size_t n, const char *tag)
{
	size_t k = strlen(tag), i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && tags[j] != ',' && tags[j] != ' ')
			j++;
		if (j - i == k && memcmp(tags + i, tag, k) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

void rs_go_modinfo_parse(const char *s, size_t n, struct rs_go_info *out)
{
	const char *p, *end;

	/* Go wraps the text in two 16-byte sentinels; the one at the end
	 * follows a newline. */
	if (n >= 33 && s[n - 17] == '\n') {
		s += 16;
		n -= 32;
	}
	p = s;
	end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ln = (size_t)(le - p);

		if (ln > 6 && memcmp(p, "build\t", 6) == 0) {
			const char *kv = p + 6, *eq = memchr(kv, '=', (size_t)(le - kv));

			out->settings = true;
			if (eq != NULL) {
				size_t kn = (size_t)(eq - kv), vn = (size_t)(le - eq - 1);
				const char *v = eq + 1;

				/* Values with spaces or quotes are quoted. */
				if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
					v++;
					vn -= 2;
				}
				if (kn == 11 && memcmp(kv, "CGO_ENABLED", 11) == 0) {
					if (vn == 1 && (v[0] == '0' || v[0] == '1'))
						out->cgo = v[0] - '0';
				} else if (kn == 5 && memcmp(kv, "-tags", 5) == 0) {
					copy_clean(out->tags, sizeof(out->tags), v, vn);
					out->netgo = tag_in(v, vn, "netgo");
					out->netcgo = tag_in(v, vn, "netcgo");
				}
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

int rs_go_buildinfo_parse(const uint8_t *buf, size_t len, struct rs_go_info *out)
{
	memset(out, 0, sizeof(*out));
	out->cgo = -1;
	if (len < GO_MAGIC_LEN || memcmp(buf, go_magic, GO_MAGIC_LEN) != 0)
		return -ENOENT;
	out->found = true;
	if (len < RS_GO_BUILDINFO_HDR)
		return 0;
	/* Only the two pointer sizes Go has: the reader sizes buffers by it. */
	out->ptr_size = buf[14] == 4 || buf[14] == 8 ? buf[14] : 0;
	out->ptr_big_endian = buf[15] & 1;
	if (buf[15] & 2) {
		const uint8_t *p = buf + RS_GO_BUILDINFO_HDR, *end = buf + len;
		uint64_t n;
		size_t k;

		out->inline_strings = true;
		k = uvarint(p, (size_t)(end - p), &n);
		if (k == 0 || n > (uint64_t)(end - p - (ptrdiff_t)k))
			return 0;
		copy_clean(out->version, sizeof(out->version), (const char *)p + k, (size_t)n);
		p += k + n;
		k = uvarint(p, (size_t)(end - p), &n);
		if (k == 0 || n > (uint64_t)(end - p - (ptrdiff_t)k))
			return 0;
		rs_go_modinfo_parse((const char *)p + k, (size_t)n, out);
		return 0;
	}
	if (out->ptr_size != 0) {
		struct rs_elf_info order = {.big_endian = out->ptr_big_endian};

		if (out->ptr_size == 8) {
			out->vers_addr = get64(&order, buf + 16);
			out->mod_addr = get64(&order, buf + 24);
		} else {
			out->vers_addr = get32(&order, buf + 16);
			out->mod_addr = get32(&order, buf + 20);
		}
	}
	return 0;
}

/* Pointer layout: addr points to a Go string header {data, len}. Reads the
 * string into buf (at most cap bytes); returns its length or a negative
 * errno. */
static ssize_t read_go_string(struct rs_elf_src *s, const struct rs_elf_info *info,
			      const struct rs_go_info *go, uint64_t addr, char *buf, size_t cap)
{
	struct rs_elf_info order = {.big_endian = go->ptr_big_endian};
	uint8_t hdr[16];
	uint64_t off, data, n;
	int r;

	if (go->ptr_size != 4 && go->ptr_size != 8)
		return -EINVAL;

	if (rs_elf_vaddr_to_off(info, addr, 2u * go->ptr_size, &off) < 0)
		return -ENOENT;
	r = rs_elf_read(s, hdr, 2u * go->ptr_size, off);
	if (r < 0)
		return r;
	if (go->ptr_size == 8) {
		data = get64(&order, hdr);
		n = get64(&order, hdr + 8);
	} else {
		data = get32(&order, hdr);
		n = get32(&order, hdr + 4);
	}
	if (n > cap)
		n = cap;
	if (rs_elf_vaddr_to_off(info, data, n, &off) < 0)
		return -ENOENT;
	r = rs_elf_read(s, buf, (size_t)n, off);
	return r < 0 ? r : (ssize_t)n;
}

/* Parse the build information at file offset off (up to len bytes). */
static int read_at(struct rs_elf_src *s, const struct rs_elf_info *info, uint64_t off, uint64_t len,
		   struct rs_go_info *out)
{
	const size_t cap = RS_GO_BUILDINFO_HDR + 16 + RS_GO_MODINFO_MAX;
	char *buf;
	size_t n;
	ssize_t k;
	int r;

	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = s->size - off;
	n = len > cap ? cap : (size_t)len;
	buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	r = rs_elf_read(s, buf, n, off);
	if (r < 0)
		goto out;
	if (rs_go_buildinfo_parse((const uint8_t *)buf, n, out) < 0 || out->inline_strings ||
	    out->ptr_size == 0)
		goto out;
	/* Go < 1.18: follow the pointers (the version, then the module text,
	 * which has no build settings in those versions). */
	k = read_go_string(s, info, out, out->vers_addr, buf, sizeof(out->version) - 1);
	if (k > 0)
		copy_clean(out->version, sizeof(out->version), buf, (size_t)k);
	k = read_go_string(s, info, out, out->mod_addr, buf, RS_GO_MODINFO_MAX);
	if (k > 0)
		rs_go_modinfo_parse(buf, (size_t)k, out);
out:
	free(buf);
	return r == -EFBIG || r == -ENOMEM ? r : 0;
}

int rs_go_buildinfo_read(struct rs_elf_src *s, const struct rs_elf_info *info,
			 struct rs_go_info *out)
{
	memset(out, 0, sizeof(*out));
	out->cgo = -1;
	if (info->go_buildinfo.found)
		return read_at(s, info, info->go_buildinfo.off, info->go_buildinfo.size, out);
	if (info->has_sections)
		return 0; /* sections, but no .go.buildinfo: not Go */
	for (unsigned i = 0; i < info->n_load; i++) {
		const struct rs_elf_seg *g = &info->load[i];
		uint64_t from = g->off, at;
		uint64_t limit = g->filesz < (1u << 20) ? g->filesz : (1u << 20);

		if (!(g->flags & PF_W))
			continue;
		while (from < g->off + limit) {
			int r = rs_elf_search(s, from, g->off + limit - from, go_magic,
					      GO_MAGIC_LEN, &at);
			if (r <= 0) {
				if (r < 0)
					return r;
				break;
			}
			if ((g->vaddr + (at - g->off)) % 16 == 0)
				return read_at(s, info, at, g->off + g->filesz - at, out);
			from = at + 1;
		}
	}
	return 0;
}
