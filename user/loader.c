// SPDX-License-Identifier: GPL-2.0-only
#include "loader.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xdp/libxdp.h>
#include <xdpguard/abi.h>

#include "maps.h"
#include "rtcfg.h"
#include "xdpguard.skel.h"

#define DEBUG_HINT " (set XDPGUARD_DEBUG=1 for libbpf's log)"

/* Sizes what depends on the machine before the object is loaded. */
static int size_maps(struct xdpguard_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu <= 0)
		return -EINVAL;
	if (bpf_map__set_max_entries(skel->maps.xg_port_stats, (__u32)ncpu * 2 * XG_PORTS))
		return -EINVAL;
	return bpf_map__set_max_entries(skel->maps.xg_srcbits, (__u32)ncpu * XG_SRCBITS_WORDS);
}

struct xdpguard_bpf *xg_skel_load_private(char *err, size_t errlen)
{
	struct xdpguard_bpf *skel = xdpguard_bpf__open();
	struct bpf_map *map;
	int ret;

	if (!skel) {
		snprintf(err, errlen, "cannot open the embedded BPF object: %s", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map (map, skel->obj) {
		bpf_map__set_pin_path(map, NULL);
	}
	ret = size_maps(skel);
	if (!ret)
		ret = xdpguard_bpf__load(skel);
	if (ret) {
		snprintf(err, errlen, "cannot load the XDP program: %s" DEBUG_HINT, strerror(-ret));
		xdpguard_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static const char *mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "?";
	}
}

/* Finds our program on ifindex; returns it (owned by *mp_out) or NULL. */
static struct xdp_program *find_ours(int ifindex, struct xdp_multiprog **mp_out)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;

	*mp_out = NULL;
	if (!mp || libxdp_get_error(mp))
		return NULL;
	*mp_out = mp;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), XG_PROG_NAME) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), XG_PROG_NAME))
			return p;
	return NULL;
}

int xg_attached(struct xg_iface *out, int max)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && n < max; i++) {
		struct xdp_multiprog *mp;
		struct xdp_program *p = find_ours((int)i->if_index, &mp);

		if (p) {
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", i->if_name);
			out[n].ifindex = (int)i->if_index;
			snprintf(out[n].mode, sizeof(out[n].mode), "%s",
				 mode_name(xdp_multiprog__attach_mode(mp)));
			out[n].prog_id = xdp_program__id(p);
			n++;
		}
		if (mp)
			xdp_multiprog__close(mp);
	}
	if_freenameindex(ifs);
	return n;
}

static int resolve_ifindex(const char *ifname, char *err, size_t errlen)
{
	unsigned int ifindex;

	if (strlen(ifname) >= IF_NAMESIZE) {
		snprintf(err, errlen, "interface name '%s' is longer than %d characters", ifname,
			 IF_NAMESIZE - 1);
		return -EINVAL;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		snprintf(err, errlen, "no such interface '%s'", ifname);
		return -ENODEV;
	}
	return (int)ifindex;
}

static int try_attach(struct xdp_program *prog, int ifindex, enum xdp_attach_mode mode)
{
	return xdp_program__attach(prog, ifindex, mode, 0);
}

int xg_attach(const char *ifname, enum xg_mode mode, const char *pin_dir,
	      struct xg_attach_result *res, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .pin_root_path = pin_dir);
	struct xdpguard_bpf *skel = NULL;
	struct xdp_program *prog = NULL, *ours;
	struct xdp_multiprog *mp;
	struct xg_maps maps;
	int ifindex, ret;
	char lerr[256];

	memset(res, 0, sizeof(*res));
	ifindex = resolve_ifindex(ifname, err, errlen);
	if (ifindex < 0)
		return ifindex;

	ours = find_ours(ifindex, &mp);
	if (ours) {
		res->already = true;
		res->prog_id = xdp_program__id(ours);
		snprintf(res->mode, sizeof(res->mode), "%s",
			 mode_name(xdp_multiprog__attach_mode(mp)));
		xdp_multiprog__close(mp);
		return 0;
	}
	if (mp)
		xdp_multiprog__close(mp);

	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", pin_dir, strerror(errno));
		return -errno;
	}
	skel = xdpguard_bpf__open_opts(&oopts);
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the embedded BPF object: %s", strerror(-ret));
		goto out;
	}
	ret = size_maps(skel);
	if (ret) {
		snprintf(err, errlen, "cannot size the maps: %s", strerror(-ret));
		goto out;
	}
	{
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = skel->obj,
				    .prog_name = XG_PROG_NAME);
		prog = xdp_program__create(&xopts);
	}
	ret = (int)libxdp_get_error(prog);
	if (ret) {
		prog = NULL;
		snprintf(err, errlen, "cannot prepare the XDP program: %s", strerror(-ret));
		goto out;
	}

	switch (mode) {
	case XG_MODE_NATIVE:
		ret = try_attach(prog, ifindex, XDP_MODE_NATIVE);
		break;
	case XG_MODE_GENERIC:
		ret = try_attach(prog, ifindex, XDP_MODE_SKB);
		break;
	default:
		ret = try_attach(prog, ifindex, XDP_MODE_NATIVE);
		if (ret && ret != -EEXIST && ret != -EACCES && ret != -EPERM) {
			ret = try_attach(prog, ifindex, XDP_MODE_SKB);
			res->fell_back = ret == 0;
		}
		break;
	}
	if (ret) {
		libxdp_strerror(ret, lerr, sizeof(lerr));
		snprintf(err, errlen, "cannot attach to %s in %s mode: %s" DEBUG_HINT, ifname,
			 mode == XG_MODE_GENERIC ? "generic" : "native", lerr);
		goto out;
	}

	xg_maps_from_skel(skel, &maps);
	ret = xg_rtcfg_init(&maps, err, errlen);
	xg_maps_close(&maps); /* unmaps; the fds belong to the skeleton */
	if (ret) {
		xdp_program__detach(prog, ifindex, XDP_MODE_UNSPEC, 0);
		goto out;
	}
	res->prog_id = xdp_program__id(prog);
	ours = find_ours(ifindex, &mp);
	snprintf(res->mode, sizeof(res->mode), "%s",
		 mp ? mode_name(xdp_multiprog__attach_mode(mp)) : "?");
	if (ours)
		res->prog_id = xdp_program__id(ours);
	if (mp)
		xdp_multiprog__close(mp);
out:
	if (prog)
		xdp_program__close(prog);
	if (skel)
		xdpguard_bpf__destroy(skel);
	return ret;
}

/* Removes every pin under dir, then dir itself. */
static int remove_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && !ret)
			ret = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !ret)
		ret = -errno;
	return ret;
}

int xg_detach(const char *ifname, const char *pin_dir, bool *removed_pins, char *err, size_t errlen)
{
	struct xdp_multiprog *mp;
	struct xdp_program *ours;
	struct xg_iface left[1];
	int ifindex, ret;
	char lerr[256];

	*removed_pins = false;
	ifindex = resolve_ifindex(ifname, err, errlen);
	if (ifindex < 0)
		return ifindex;
	ours = find_ours(ifindex, &mp);
	if (!ours) {
		if (mp)
			xdp_multiprog__close(mp);
		snprintf(err, errlen, "xdpguard is not attached to %s", ifname);
		return -ENOENT;
	}
	ret = xdp_program__detach(ours, ifindex, xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	if (ret) {
		libxdp_strerror(ret, lerr, sizeof(lerr));
		snprintf(err, errlen, "cannot detach from %s: %s", ifname, lerr);
		return ret;
	}
	if (xg_attached(left, 1) == 0) {
		ret = remove_pins(pin_dir);
		if (ret) {
			snprintf(err, errlen, "detached, but cannot remove the pins in %s: %s",
				 pin_dir, strerror(-ret));
			return ret;
		}
		*removed_pins = true;
	}
	return 0;
}
