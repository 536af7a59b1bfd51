// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl attach, detach, status. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lists.h"
#include "loader.h"
#include "names.h"
#include "preflight.h"
#include "rtcfg.h"

#define MAX_IFACES 64

static int preflight(const char *cmd)
{
	char err[XG_ERR_LEN];

	if (xg_check_privileges(err, sizeof(err)) || xg_check_kernel(err, sizeof(err)) ||
	    xg_check_bpffs(xg_pin_dir(), err, sizeof(err)))
		return xg_fail(cmd, "%s", err);
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	enum xg_mode mode = XG_MODE_AUTO;
	struct xg_attach_result res;
	char err[XG_ERR_LEN];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "native"))
				mode = XG_MODE_NATIVE;
			else if (!strcmp(optarg, "generic") || !strcmp(optarg, "skb"))
				mode = XG_MODE_GENERIC;
			else if (!strcmp(optarg, "auto"))
				mode = XG_MODE_AUTO;
			else
				return xg_fail("attach",
					       "invalid --mode '%s': use native, generic or auto",
					       optarg);
			break;
		case 'h':
			puts("usage: xdpctl attach IFACE [--mode native|generic|auto]");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return xg_fail("attach", "expected one interface name (usage: xdpctl attach IFACE "
					 "[--mode native|generic|auto])");
	if (preflight("attach"))
		return 1;
	if (xg_attach(argv[optind], mode, xg_pin_dir(), &res, err, sizeof(err)))
		return xg_fail("attach", "%s", err);
	if (res.fell_back)
		fprintf(stderr,
			"xdpctl attach: warning: %s has no native XDP support, attached in generic "
			"mode (slower; drops happen after the kernel allocates an skb)\n",
			argv[optind]);
	if (res.already)
		printf("xdpguard already attached to %s (%s mode, prog id %u)\n", argv[optind],
		       res.mode, res.prog_id);
	else
		printf("xdpguard attached to %s (%s mode, prog id %u), maps pinned at %s\n",
		       argv[optind], res.mode, res.prog_id, xg_pin_dir());
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	char err[XG_ERR_LEN];
	bool removed;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: xdpctl detach IFACE");
		return 0;
	}
	if (argc != 2)
		return xg_fail("detach",
			       "expected one interface name (usage: xdpctl detach IFACE)");
	if (preflight("detach"))
		return 1;
	if (xg_detach(argv[1], xg_pin_dir(), &removed, err, sizeof(err)))
		return xg_fail("detach", "%s", err);
	printf("xdpguard detached from %s%s\n", argv[1],
	       removed ? "; no interface left, maps unpinned" : "");
	return 0;
}

/* "5060,5080" or "10000-20000" style summary of one class in the table. */
static void class_ports(const uint8_t *tbl, int l4, uint8_t svc, char *buf, size_t len)
{
	size_t used = 0;
	int port = 0;

	buf[0] = '\0';
	while (port < XG_PORTS) {
		int lo, hi;

		if (tbl[XG_PORT_KEY(l4, port)] != svc) {
			port++;
			continue;
		}
		lo = port;
		while (port < XG_PORTS && tbl[XG_PORT_KEY(l4, port)] == svc)
			port++;
		hi = port - 1;
		if (used < len)
			used +=
			    (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", lo);
		if (hi != lo && used < len)
			used += (size_t)snprintf(buf + used, len - used, "-%d", hi);
	}
}

static void lens_text(const __u32 *lens, __u32 n, char *buf, size_t len)
{
	size_t used = 0;
	__u32 i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s/%u", i ? " " : "", lens[i]);
}

int cmd_status(int argc, char **argv)
{
	struct xg_iface ifs[MAX_IFACES];
	struct xg_maps maps;
	struct xg_config cfg;
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	uint8_t *tbl = NULL;
	char sip_udp[128], sip_tcp[128], sip_tls[128], rtp[128], bl4[96], bl6[96];
	long nblock, nallow;
	int n, i, ret = 1;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: xdpctl status [--json]");
		return 0;
	}
	if (argc > 2 || (argc == 2 && !json))
		return xg_fail("status", "unknown argument '%s' (usage: xdpctl status [--json])",
			       argv[argc - 1]);
	if (preflight("status"))
		return 1;
	n = xg_attached(ifs, MAX_IFACES);
	if (n < 0)
		return xg_fail("status", "cannot list interfaces: %s", strerror(-n));
	if (n == 0) {
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "attached", json_object_new_boolean(0));
			json_object_object_add(o, "interfaces", json_object_new_array());
			xg_json_print(o);
			json_object_put(o);
		} else {
			puts("xdpguard is not attached to any interface");
		}
		return 0;
	}
	if (xg_cli_open("status", &maps, false))
		return 1;
	tbl = malloc(2 * XG_PORTS);
	if (!tbl || xg_rtcfg_read(&maps, &cfg) || xg_port_class_read(&maps, tbl)) {
		xg_fail("status", "cannot read the config maps");
		goto out;
	}
	class_ports(tbl, XG_PORT_L4_UDP, XG_SVC_SIP_UDP, sip_udp, sizeof(sip_udp));
	class_ports(tbl, XG_PORT_L4_TCP, XG_SVC_SIP_TCP, sip_tcp, sizeof(sip_tcp));
	class_ports(tbl, XG_PORT_L4_TCP, XG_SVC_SIP_TLS, sip_tls, sizeof(sip_tls));
	class_ports(tbl, XG_PORT_L4_UDP, XG_SVC_RTP, rtp, sizeof(rtp));
	lens_text(cfg.block_v4.len, cfg.block_v4.n, bl4, sizeof(bl4));
	lens_text(cfg.block_v6.len, cfg.block_v6.n, bl6, sizeof(bl6));
	nblock = xg_list_count(&maps, XG_LIST_BLOCK);
	nallow = xg_list_count(&maps, XG_LIST_ALLOW);

	if (json) {
		struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
		struct json_object *sip = json_object_new_object();

		json_object_object_add(o, "attached", json_object_new_boolean(1));
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "name", json_object_new_string(ifs[i].name));
			json_object_object_add(e, "ifindex", json_object_new_int(ifs[i].ifindex));
			json_object_object_add(e, "mode", json_object_new_string(ifs[i].mode));
			json_object_object_add(e, "prog_id", json_object_new_int64(ifs[i].prog_id));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "interfaces", arr);
		json_object_object_add(o, "abi_version", json_object_new_int(XG_ABI_VERSION));
		json_object_object_add(o, "pin_dir", json_object_new_string(xg_pin_dir()));
		json_object_object_add(o, "monitor_only",
				       json_object_new_boolean(cfg.flags & XG_CFG_MONITOR_ONLY));
		json_object_object_add(
		    o, "sample_rate",
		    json_object_new_int64(cfg.sample_shift >= 32 ? 0 : (1LL << cfg.sample_shift)));
		json_object_object_add(o, "block_entries", json_object_new_int64(nblock));
		json_object_object_add(o, "allow_entries", json_object_new_int64(nallow));
		json_object_object_add(sip, "udp", json_object_new_string(sip_udp));
		json_object_object_add(sip, "tcp", json_object_new_string(sip_tcp));
		json_object_object_add(sip, "tls", json_object_new_string(sip_tls));
		json_object_object_add(o, "sip_ports", sip);
		json_object_object_add(o, "rtp_ports", json_object_new_string(rtp));
		{
			struct json_object *prot = json_object_new_array();
			struct json_object *amp = json_object_new_array();

			for (i = 0; i < XG_SVC_MAX; i++) {
				struct json_object *p;

				if (!(cfg.protect_mask & (1u << i)))
					continue;
				p = json_object_new_object();
				json_object_object_add(p, "service",
						       json_object_new_string(xg_svc_name(i)));
				json_object_object_add(
				    p, "source_pps", json_object_new_int64(cfg.protect_src_pps[i]));
				json_object_object_add(
				    p, "budget_pps",
				    json_object_new_int64(cfg.protect_budget_pps[i]));
				json_object_array_add(prot, p);
			}
			for (i = 1; i < XG_AMP_MAX; i++)
				if (cfg.amp_drop_mask & (1u << i))
					json_object_array_add(
					    amp, json_object_new_string(xg_amp_name(i)));
			json_object_object_add(o, "protect", prot);
			json_object_object_add(o, "reflectors_dropped", amp);
		}
		xg_json_print(o);
		json_object_put(o);
	} else {
		printf("xdpguard (ABI %d), maps pinned at %s\n", XG_ABI_VERSION, xg_pin_dir());
		printf("interfaces:\n");
		for (i = 0; i < n; i++)
			printf("  %-16s %-8s prog id %u\n", ifs[i].name, ifs[i].mode,
			       ifs[i].prog_id);
		printf("mode:       %s\n",
		       cfg.flags & XG_CFG_MONITOR_ONLY
			   ? "monitor-only (counts \"would drop\", drops nothing)"
			   : "enforcing");
		printf("blocklist:  %ld entries (prefix lengths v4: %s, v6: %s)\n", nblock,
		       *bl4 ? bl4 : "none", *bl6 ? bl6 : "none");
		printf("allowlist:  %ld entries\n", nallow);
		printf("SIP ports:  udp %s, tcp %s, tls %s\n", *sip_udp ? sip_udp : "none",
		       *sip_tcp ? sip_tcp : "none", *sip_tls ? sip_tls : "none");
		printf("RTP ports:  udp %s\n", *rtp ? rtp : "none");
		for (i = 0; i < XG_SVC_MAX; i++)
			if (cfg.protect_mask & (1u << i))
				printf(
				    "protect:    %s: %u pps per unknown source, %u pps for all of "
				    "them\n",
				    xg_svc_name(i), cfg.protect_src_pps[i],
				    cfg.protect_budget_pps[i]);
		for (i = 1; i < XG_AMP_MAX; i++)
			if (cfg.amp_drop_mask & (1u << i))
				printf(
				    "reflectors: dropping UDP from %s (class %d) to ports outside "
				    "%u-%u\n",
				    xg_amp_name(i), i, cfg.client_lo, cfg.client_hi);
		if (cfg.sample_shift >= 32)
			printf("sampling:   off\n");
		else
			printf("sampling:   1 packet in %llu to the top-talker maps\n",
			       1ULL << cfg.sample_shift);
	}
	ret = 0;
out:
	free(tbl);
	xg_maps_close(&maps);
	return ret;
}
