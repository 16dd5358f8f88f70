/* Small hash functions for the in-memory tables. */
#ifndef RESOLVSTALE_HASH_H
#define RESOLVSTALE_HASH_H

#include <stdint.h>

/* The 64-bit finaliser of MurmurHash3: every input bit affects every output
 * bit, so that (pid, starttime) keys spread over a power-of-two table. */
static inline uint64_t rs_hash_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* FNV-1a of a string (NULL hashes like ""). */
static inline uint64_t rs_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; s != NULL && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

#endif
