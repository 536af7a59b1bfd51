// SPDX-License-Identifier: GPL-2.0-only
#include "mapwalk.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int xg_map_walk(int fd, size_t key_size, size_t value_size, size_t chunk, bool drain, xg_map_cb cb,
		void *arg)
{
	uint8_t *keys = malloc(chunk * key_size);
	uint8_t *vals = malloc(chunk * value_size);
	uint8_t token[32]; /* a hash map's batch token is its bucket index */
	void *in = NULL;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 i, count = (__u32)chunk;
		int r =
		    drain ? bpf_map_lookup_and_delete_batch(fd, in, token, keys, vals, &count, NULL)
			  : bpf_map_lookup_batch(fd, in, token, keys, vals, &count, NULL);
		int e = errno;

		if (r && e != ENOENT) {
			ret = -e;
			break;
		}
		for (i = 0; i < count && !ret; i++)
			ret = cb(keys + i * key_size, vals + i * value_size, arg);
		if (ret || r)
			break;
		in = token;
	}
out:
	free(keys);
	free(vals);
	return ret;
}
