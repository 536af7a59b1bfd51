// SPDX-License-Identifier: GPL-2.0-only
#include "rtcfg.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xg_rtcfg_read(const struct xg_maps *m, struct xg_config *out)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->config, &zero, out) ? -errno : 0;
}

int xg_rtcfg_write(const struct xg_maps *m, const struct xg_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(m->config, &zero, cfg, BPF_ANY) ? -errno : 0;
}

/* Writes n consecutive class entries with one batch call. */
static int port_class_write(const struct xg_maps *m, __u32 first, __u32 n, uint8_t svc)
{
	__u32 *keys = calloc(n, sizeof(*keys));
	struct xg_port_class *vals = calloc(n, sizeof(*vals));
	__u32 i, count = n;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		keys[i] = first + i;
		vals[i].svc = svc;
	}
	if (bpf_map_update_batch(m->port_class, keys, vals, &count, NULL)) {
		/* Kernels without batch ops on arrays: one at a time. */
		for (i = 0; i < n; i++) {
			if (bpf_map_update_elem(m->port_class, &keys[i], &vals[i], BPF_ANY)) {
				ret = -errno;
				break;
			}
		}
	}
out:
	free(keys);
	free(vals);
	return ret;
}

int xg_port_class_write_all(const struct xg_maps *m, const uint8_t *tbl)
{
	__u32 *keys = calloc(2 * XG_PORTS, sizeof(*keys));
	struct xg_port_class *vals = calloc(2 * XG_PORTS, sizeof(*vals));
	__u32 i, count = 2 * XG_PORTS;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 2 * XG_PORTS; i++) {
		keys[i] = i;
		vals[i].svc = tbl[i];
	}
	if (bpf_map_update_batch(m->port_class, keys, vals, &count, NULL))
		ret = -errno;
out:
	free(keys);
	free(vals);
	return ret;
}

int xg_port_class_set(const struct xg_maps *m, int l4, uint16_t lo, uint16_t hi, uint8_t svc)
{
	if (lo > hi || (l4 != XG_PORT_L4_TCP && l4 != XG_PORT_L4_UDP) || svc >= XG_SVC_MAX)
		return -EINVAL;
	return port_class_write(m, XG_PORT_KEY(l4, lo), (__u32)hi - lo + 1, svc);
}

int xg_port_class_read(const struct xg_maps *m, uint8_t *out)
{
	__u32 *keys = calloc(2 * XG_PORTS, sizeof(*keys));
	struct xg_port_class *vals = calloc(2 * XG_PORTS, sizeof(*vals));
	__u32 i, count = 2 * XG_PORTS, token;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_batch(m->port_class, NULL, &token, keys, vals, &count, NULL) &&
	    errno != ENOENT) {
		ret = -errno;
		goto out;
	}
	memset(out, 0, 2 * XG_PORTS);
	for (i = 0; i < count; i++)
		if (keys[i] < 2 * XG_PORTS)
			out[keys[i]] = vals[i].svc;
out:
	free(keys);
	free(vals);
	return ret;
}

int xg_port_class_clear_svc(const struct xg_maps *m, uint8_t svc)
{
	uint8_t *tbl = malloc(2 * XG_PORTS);
	__u32 key;
	int ret;

	if (!tbl)
		return -ENOMEM;
	ret = xg_port_class_read(m, tbl);
	for (key = 0; !ret && key < 2 * XG_PORTS; key++) {
		if (tbl[key] == svc)
			ret = port_class_write(m, key, 1, XG_SVC_NONE);
	}
	free(tbl);
	return ret;
}

/* Well-known reflector source ports (UDP) and their classes. */
static const struct {
	uint16_t port;
	uint8_t amp;
} amp_ports[] = {
    {19, XG_AMP_CHARGEN},  {53, XG_AMP_DNS},	      {111, XG_AMP_PORTMAP}, {123, XG_AMP_NTP},
    {137, XG_AMP_NETBIOS}, {161, XG_AMP_SNMP},	      {389, XG_AMP_CLDAP},   {520, XG_AMP_RIP},
    {1900, XG_AMP_SSDP},   {3283, XG_AMP_ARD},	      {3702, XG_AMP_WSD},    {5353, XG_AMP_MDNS},
    {10001, XG_AMP_UBNT},  {11211, XG_AMP_MEMCACHED},
};

int xg_amp_ports_init(const struct xg_maps *m)
{
	size_t i;

	for (i = 0; i < sizeof(amp_ports) / sizeof(amp_ports[0]); i++) {
		__u32 key = amp_ports[i].port;
		struct xg_sport_class v = {.amp = amp_ports[i].amp};

		if (bpf_map_update_elem(m->sport_class, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int xg_learn_refill(const struct xg_maps *m, int64_t n)
{
	int ncpu = libbpf_num_possible_cpus(), i, ret = 0;
	struct xg_learn *v;
	__u32 zero = 0;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* Keep the skipped counters: read, then write back with new budgets. */
	if (bpf_map_lookup_elem(m->learn, &zero, v))
		ret = -errno;
	for (i = 0; !ret && i < ncpu; i++)
		v[i].budget = n;
	if (!ret && bpf_map_update_elem(m->learn, &zero, v, BPF_ANY))
		ret = -errno;
	free(v);
	return ret;
}

bool xg_learn_used(const struct xg_maps *m, int64_t n, uint64_t *touched_v6)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t v6 = UINT64_MAX;
	struct xg_learn *v;
	__u32 zero = 0;
	bool used = true;

	if (touched_v6)
		*touched_v6 = v6;
	if (ncpu <= 0)
		return true;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v && !bpf_map_lookup_elem(m->learn, &zero, v)) {
		used = false;
		for (i = 0, v6 = 0; i < ncpu; i++) {
			used |= v[i].budget != n;
			v6 += v[i].touched_v6;
		}
		if (touched_v6)
			*touched_v6 = v6;
	}
	free(v);
	return used;
}

int xg_rtcfg_init(const struct xg_maps *m, char *err, size_t errlen)
{
	struct xg_config cfg;
	int ret;

	ret = xg_rtcfg_read(m, &cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s", strerror(-ret));
		return ret;
	}
	if (cfg.abi_version == XG_ABI_VERSION)
		return 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.sample_shift = XG_DEFAULT_SAMPLE_SHIFT;
	cfg.rtp_learn_shift = XG_DEFAULT_RTP_LEARN_SHIFT;
	cfg.pcap_shift = XG_PCAP_SHIFT_OFF; /* the controller turns it on */
	cfg.ncpus = (__u32)libbpf_num_possible_cpus();
	cfg.client_lo = XG_DEFAULT_CLIENT_LO;
	cfg.client_hi = XG_DEFAULT_CLIENT_HI;
	cfg.rtp_lo = XG_DEFAULT_RTP_LO;
	cfg.rtp_hi = XG_DEFAULT_RTP_HI;
	ret = xg_port_class_set(m, XG_PORT_L4_UDP, XG_DEFAULT_SIP_PORT, XG_DEFAULT_SIP_PORT,
				XG_SVC_SIP_UDP);
	if (!ret)
		ret = xg_port_class_set(m, XG_PORT_L4_TCP, XG_DEFAULT_SIP_PORT, XG_DEFAULT_SIP_PORT,
					XG_SVC_SIP_TCP);
	if (!ret)
		ret = xg_port_class_set(m, XG_PORT_L4_TCP, XG_DEFAULT_SIP_TLS_PORT,
					XG_DEFAULT_SIP_TLS_PORT, XG_SVC_SIP_TLS);
	if (!ret)
		ret = xg_port_class_set(m, XG_PORT_L4_UDP, XG_DEFAULT_RTP_LO, XG_DEFAULT_RTP_HI,
					XG_SVC_RTP);
	if (!ret)
		ret = xg_amp_ports_init(m);
	if (!ret)
		ret = xg_learn_refill(m, XG_DEFAULT_LEARN_BUDGET);
	/* The version goes in last: a half-initialised config is redone. */
	if (!ret) {
		cfg.abi_version = XG_ABI_VERSION;
		ret = xg_rtcfg_write(m, &cfg);
	}
	if (ret)
		snprintf(err, errlen, "cannot initialise the runtime config: %s", strerror(-ret));
	return ret;
}
