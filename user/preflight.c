// SPDX-License-Identifier: GPL-2.0-only
#include "preflight.h"

#include <errno.h>
#include <libgen.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CAP_NET_ADMIN_BIT 12
#define CAP_SYS_ADMIN_BIT 21
#define CAP_BPF_BIT	  39

static int effective_caps(unsigned long long *caps)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", caps) == 1) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int xg_check_privileges(char *err, size_t errlen)
{
	unsigned long long caps = 0;
	int bpf_ok, net_ok;

	if (geteuid() == 0)
		return 0;
	if (effective_caps(&caps) == 0) {
		bpf_ok = (caps >> CAP_BPF_BIT & 1) || (caps >> CAP_SYS_ADMIN_BIT & 1);
		net_ok = caps >> CAP_NET_ADMIN_BIT & 1;
		if (bpf_ok && net_ok)
			return 0;
	}
	snprintf(err, errlen, "permission denied: run as root or with CAP_BPF and CAP_NET_ADMIN");
	return -EPERM;
}

int xg_check_bpffs(const char *pin_dir, char *err, size_t errlen)
{
	char buf[256];
	struct statfs st;
	char *parent;

	snprintf(buf, sizeof(buf), "%s", pin_dir);
	parent = dirname(buf);
	if (statfs(parent, &st) != 0 || st.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen, "no BPF filesystem at %s (mount it: mount -t bpf bpf %s)",
			 parent, parent);
		return -ENOENT;
	}
	return 0;
}

int xg_kernel_release_ok(const char *release)
{
	unsigned int major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return -1;
	if (major != XG_MIN_KERNEL_MAJOR)
		return major > XG_MIN_KERNEL_MAJOR;
	return minor >= XG_MIN_KERNEL_MINOR;
}

int xg_check_kernel(char *err, size_t errlen)
{
	const char *fake = getenv("XDPGUARD_FAKE_KERNEL"); /* for the tests of this check */
	struct utsname u;
	const char *rel;

	if (uname(&u) != 0)
		return 0;
	rel = fake && *fake ? fake : u.release;
	if (xg_kernel_release_ok(rel) == 0) {
		snprintf(err, errlen, "kernel %s is too old: xdpguard needs Linux %d.%d or newer",
			 rel, XG_MIN_KERNEL_MAJOR, XG_MIN_KERNEL_MINOR);
		return -ENOTSUP;
	}
	return 0;
}
