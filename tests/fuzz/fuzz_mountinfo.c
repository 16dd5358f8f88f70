/* libFuzzer target for rs_cgroup2_mount_find (the eBPF source reads
 * /proc/self/mountinfo to find the cgroup v2 root). Input: mountinfo text.
 * A found mount point is a NUL-terminated string that fits, never empty
 * unless the field was; the same input with a small buffer gives the same
 * answer or -ENAMETOOLONG. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/ebpf_src.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char big[4096], small[16];
	int r1 = rs_cgroup2_mount_find((const char *)data, size, big, sizeof(big));
	int r2 = rs_cgroup2_mount_find((const char *)data, size, small, sizeof(small));

	if (r1 != 0 && r1 != -ENOENT && r1 != -ENAMETOOLONG && r1 != -EINVAL)
		abort();
	if (r1 == 0 && strlen(big) >= sizeof(big))
		abort();
	if (r2 == 0 && (r1 != 0 || strcmp(big, small) != 0))
		abort();
	if (r1 == 0 && r2 != 0 && r2 != -ENAMETOOLONG)
		abort();
	return 0;
}
