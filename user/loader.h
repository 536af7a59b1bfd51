/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading the embedded XDP object and attaching it through libxdp. */
#ifndef XG_LOADER_H
#define XG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdpguard_bpf;

enum xg_mode {
	XG_MODE_AUTO, /* native, falling back to generic with a warning */
	XG_MODE_NATIVE,
	XG_MODE_GENERIC,
};

/* Opens and loads the skeleton without pinning anything (tests, replay,
 * benchmarks): private maps, nothing attached. */
struct xdpguard_bpf *xg_skel_load_private(char *err, size_t errlen);

struct xg_attach_result {
	bool already;	/* was attached before: nothing changed */
	bool fell_back; /* auto mode used generic XDP */
	char mode[8];	/* "native" or "generic" (or "hw") */
	uint32_t prog_id;
};

/* Attaches to ifname, reusing the maps pinned under pin_dir (created on first
 * attach). Idempotent. */
int xg_attach(const char *ifname, enum xg_mode mode, const char *pin_dir,
	      struct xg_attach_result *res, char *err, size_t errlen);

/* Detaches from ifname; when no interface is left, removes the pins. */
int xg_detach(const char *ifname, const char *pin_dir, bool *removed_pins, char *err,
	      size_t errlen);

struct xg_iface {
	char name[16];
	int ifindex;
	char mode[8];
	uint32_t prog_id;
};

/* Lists the interfaces where the xdpguard program is attached. */
int xg_attached(struct xg_iface *out, int max);

#endif
