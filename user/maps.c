// SPDX-License-Identifier: GPL-2.0-only
#include "maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xdpguard/abi.h>

#include "xdpguard.skel.h"

/* Name and slot of every map, so open/close/borrow stay in one table. */
#define XG_MAP_LIST(X)                                                                             \
	X(xg_config, config)                                                                       \
	X(xg_stats, stats)                                                                         \
	X(xg_port_stats, port_stats)                                                               \
	X(xg_port_class, port_class)                                                               \
	X(xg_block_v4, block_v4)                                                                   \
	X(xg_block_v6, block_v6)                                                                   \
	X(xg_block_pfx_v4, block_pfx_v4)                                                           \
	X(xg_block_pfx_v6, block_pfx_v6)                                                           \
	X(xg_allow_v4, allow_v4)                                                                   \
	X(xg_allow_v6, allow_v6)                                                                   \
	X(xg_allow_pfx_v4, allow_pfx_v4)                                                           \
	X(xg_allow_pfx_v6, allow_pfx_v6)                                                           \
	X(xg_rl_v4, rl_v4)                                                                         \
	X(xg_rl_v6, rl_v6)                                                                         \
	X(xg_talkers_v4, talkers_v4)                                                               \
	X(xg_talkers_v6, talkers_v6)                                                               \
	X(xg_sport_class, sport_class)                                                             \
	X(xg_victims_v4, victims_v4)                                                               \
	X(xg_victims_v6, victims_v6)                                                               \
	X(xg_peers_v4, peers_v4)                                                                   \
	X(xg_peers_v6, peers_v6)                                                                   \
	X(xg_learn, learn)                                                                         \
	X(xg_srcbits, srcbits)                                                                     \
	X(xg_samples, samples)

const char *xg_pin_dir(void)
{
	const char *d = getenv("XDPGUARD_PIN_DIR");

	return d && *d ? d : XG_PIN_DIR;
}

static void maps_reset(struct xg_maps *m)
{
#define X(name, slot) m->slot = -1;
	XG_MAP_LIST(X)
#undef X
	m->owned = 0;
	m->port_mem = NULL;
	m->port_cpus = 0;
	m->srcbits_mem = NULL;
	m->srcbits_cpus = 0;
}

/* Maps an mmapable array of per-CPU blocks of block_words __u64s; returns
 * the number of blocks. */
static int map_blocks(int fd, size_t block_words, int prot, void **mem, size_t *blocks)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);
	void *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.max_entries % block_words || info.value_size != sizeof(__u64))
		return -EPROTO;
	p = mmap(NULL, (size_t)info.max_entries * sizeof(__u64), prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*mem = p;
	*blocks = info.max_entries / block_words;
	return 0;
}

/* The per-port counters (read-only) and the distinct-source bitmap
 * (read-write) live in our address space. */
static int map_port_stats(struct xg_maps *m)
{
	void *ports, *bits;
	int ret;

	ret = map_blocks(m->port_stats, 2 * XG_PORTS, PROT_READ, &ports, &m->port_cpus);
	if (ret)
		return ret;
	m->port_mem = ports;
	ret = map_blocks(m->srcbits, XG_SRCBITS_WORDS, PROT_READ | PROT_WRITE, &bits,
			 &m->srcbits_cpus);
	if (ret)
		return ret;
	m->srcbits_mem = bits;
	return 0;
}

int xg_maps_open_pinned(const char *dir, struct xg_maps *m, char *err, size_t errlen)
{
	char path[256];
	struct stat sb;
	__u32 zero = 0;
	struct xg_config cfg;

	maps_reset(m);
	if (stat(dir, &sb) != 0) {
		snprintf(
		    err, errlen,
		    "xdpguard is not attached: no maps pinned at %s (run 'xdpctl attach IFACE')",
		    dir);
		return -ENOENT;
	}
	m->owned = 1;
	/* The version first: maps pinned by another ABI may lack some of ours. */
	snprintf(path, sizeof(path), "%s/xg_config", dir);
	m->config = bpf_obj_get(path);
	if (m->config < 0 || bpf_map_lookup_elem(m->config, &zero, &cfg) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		xg_maps_close(m);
		return -EIO;
	}
	if (cfg.abi_version != XG_ABI_VERSION) {
		snprintf(err, errlen,
			 "maps pinned at %s are from ABI version %u, this xdpctl speaks %u "
			 "(detach every interface to replace them)",
			 dir, cfg.abi_version, XG_ABI_VERSION);
		xg_maps_close(m);
		return -EPROTO;
	}
	close(m->config);
#define X(name, slot)                                                                              \
	snprintf(path, sizeof(path), "%s/%s", dir, #name);                                         \
	m->slot = bpf_obj_get(path);                                                               \
	if (m->slot < 0) {                                                                         \
		int e = errno;                                                                     \
		snprintf(err, errlen, "cannot open pinned map %s: %s", path, strerror(e));         \
		xg_maps_close(m);                                                                  \
		return -e;                                                                         \
	}
	XG_MAP_LIST(X)
#undef X
	if (bpf_map_lookup_elem(m->config, &zero, &cfg) != 0) {
		snprintf(err, errlen, "cannot read %s/xg_config: %s", dir, strerror(errno));
		xg_maps_close(m);
		return -EIO;
	}
	if (map_port_stats(m)) {
		snprintf(err, errlen, "cannot map %s/xg_port_stats: %s", dir, strerror(errno));
		xg_maps_close(m);
		return -EIO;
	}
	if (cfg.abi_version != XG_ABI_VERSION) {
		snprintf(err, errlen,
			 "maps pinned at %s are from ABI version %u, this xdpctl speaks %u "
			 "(detach every interface to replace them)",
			 dir, cfg.abi_version, XG_ABI_VERSION);
		xg_maps_close(m);
		return -EPROTO;
	}
	return 0;
}

void xg_maps_from_skel(const struct xdpguard_bpf *skel, struct xg_maps *m)
{
#define X(name, slot) m->slot = bpf_map__fd(skel->maps.name);
	XG_MAP_LIST(X)
#undef X
	m->owned = 0;
	m->port_mem = NULL;
	m->port_cpus = 0;
	m->srcbits_mem = NULL;
	m->srcbits_cpus = 0;
	map_port_stats(m); /* without it, port counters read as zero */
}

void xg_maps_close(struct xg_maps *m)
{
	if (m->port_mem)
		munmap((void *)m->port_mem, m->port_cpus * 2 * XG_PORTS * sizeof(__u64));
	if (m->srcbits_mem)
		munmap(m->srcbits_mem, m->srcbits_cpus * XG_SRCBITS_WORDS * sizeof(__u64));
	if (m->owned) {
#define X(name, slot)                                                                              \
	if (m->slot >= 0)                                                                          \
		close(m->slot);
		XG_MAP_LIST(X)
#undef X
	}
	maps_reset(m);
}
