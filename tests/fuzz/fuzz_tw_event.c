/* libFuzzer target for rs_tw_event_convert: the tripwire's ring-buffer
 * records are kernel memory, but a record of another size or layout (a
 * skeleton/daemon mismatch, a kernel bug) must be refused, never read past.
 * Input: the record's bytes (any length). A converted event has a pid, a
 * count >= 1 for sends, a NUL-terminated path for writes, and the comm fits
 * its buffer (NULL when the record has none). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/bpf/tripwire.h"
#include "resolvstale/ebpf_src.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The ring buffer hands a pointer to at least size bytes; copy so that
	 * a read past size is a fault ASan sees. */
	uint8_t *copy = malloc(size ? size : 1);
	struct rs_event ev;
	char comm[8];
	int r;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (size < sizeof(struct rs_tw_event)) {
		/* Too short: must be refused without reading it. */
		r = rs_tw_event_convert((const struct rs_tw_event *)copy, size, 1, 1, &ev, comm,
					sizeof(comm));
		if (r == 0)
			abort();
		free(copy);
		return 0;
	}
	r = rs_tw_event_convert((const struct rs_tw_event *)copy, size, 5000000000LL,
				1700000000000000000LL, &ev, comm, sizeof(comm));
	if (r == 0) {
		if (ev.proc.pid <= 0 || (ev.proc.comm != NULL && (ev.proc.comm[0] == 0 ||
						  strlen(ev.proc.comm) >= sizeof(comm))))
			abort();
		if (ev.type == RS_EV_DNS_SEND && (ev.u.dns.count < 1 || ev.u.dns.syscall == NULL))
			abort();
		if (ev.type == RS_EV_CONFIG_WRITE &&
		    (ev.u.config.path == NULL || strlen(ev.u.config.path) >= RS_TW_PATH_MAX))
			abort();
	}
	free(copy);
	return 0;
}
