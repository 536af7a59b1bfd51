/* SPDX-License-Identifier: GPL-2.0-only */
/* File descriptors of the program's maps, from pins or from a skeleton. */
#ifndef XG_MAPS_H_USER
#define XG_MAPS_H_USER

#include <stddef.h>
#include <linux/types.h>

struct xdpguard_bpf;

struct xg_maps {
	int config;
	int stats;
	int port_stats;
	int port_class;
	int block_v4;
	int block_v6;
	int block_pfx_v4;
	int block_pfx_v6;
	int allow_v4;
	int allow_v6;
	int allow_pfx_v4;
	int allow_pfx_v6;
	int rl_v4;
	int rl_v6;
	int talkers_v4;
	int talkers_v6;
	int sport_class;
	int victims_v4;
	int victims_v6;
	int peers_v4;
	int peers_v6;
	int learn;
	int samples; /* ring buffer of struct xg_sample */
	int srcbits;
	int owned; /* close the fds in xg_maps_close */
	/* xg_port_stats mmapped: port_cpus blocks of 2 * XG_PORTS counters */
	const __u64 *port_mem;
	size_t port_cpus;
	/* xg_srcbits mmapped read-write: the controller clears it each tick */
	__u64 *srcbits_mem;
	size_t srcbits_cpus; /* close the fds in xg_maps_close */
};

/* The pin directory: $XDPGUARD_PIN_DIR or XG_PIN_DIR. */
const char *xg_pin_dir(void);

/* Opens every pinned map under dir. Fails with a one-line reason if the
 * maps are missing (not attached) or from another ABI version. */
int xg_maps_open_pinned(const char *dir, struct xg_maps *m, char *err, size_t errlen);

/* Borrows the fds of a loaded skeleton (tests, replay). */
void xg_maps_from_skel(const struct xdpguard_bpf *skel, struct xg_maps *m);

void xg_maps_close(struct xg_maps *m);

#endif
