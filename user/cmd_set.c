// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl set: runtime settings in the config map and the port table. Every
 * value is parsed in full before anything is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "rtcfg.h"

static const char set_usage[] =
    "usage: xdpctl set KEY VALUE...\n"
    "  monitor-only on|off         count \"would drop\" instead of dropping\n"
    "  sample-rate N               1 packet in N to the top-talker maps (power of 2, 0 = off)\n"
    "  sip-udp-ports PORTS         e.g. 5060 or 5060,5080 or 5060-5062\n"
    "  sip-tcp-ports PORTS\n"
    "  sip-tls-ports PORTS\n"
    "  rtp-ports PORTS             e.g. 10000-20000\n"
    "  extra-class SLOT NAME SPEC  SLOT 0-7, SPEC e.g. udp:3478,tcp:3478-3479; SPEC 'none' clears";

/* A port list for the set command: the config's syntax, and not empty. */
static int parse_ports(const char *text, bool prefixed, struct xg_cfg_ports *udp,
		       struct xg_cfg_ports *tcp)
{
	char why[160];

	if (xg_cfg_ports_parse(text, prefixed, udp, tcp, why, sizeof(why)))
		return -1;
	return udp->n + (tcp ? tcp->n : 0) ? 0 : -1;
}

static int apply_class(const struct xg_maps *m, uint8_t svc, const struct xg_cfg_ports *udp,
		       const struct xg_cfg_ports *tcp)
{
	int i, ret = xg_port_class_clear_svc(m, svc);

	for (i = 0; !ret && i < udp->n; i++)
		ret = xg_port_class_set(m, XG_PORT_L4_UDP, udp->r[i].lo, udp->r[i].hi, svc);
	for (i = 0; !ret && i < tcp->n; i++)
		ret = xg_port_class_set(m, XG_PORT_L4_TCP, tcp->r[i].lo, tcp->r[i].hi, svc);
	return ret;
}

int cmd_set(int argc, char **argv)
{
	struct xg_cfg_ports udp = {0}, tcp = {0};
	struct xg_maps maps;
	struct xg_config cfg;
	const char *key;
	int ret;
	uint8_t svc = XG_SVC_NONE;
	uint64_t v, slot = 0;
	bool cfg_change = false;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		puts(set_usage);
		return argc < 2 ? 1 : 0;
	}
	key = argv[1];
	/* Validate completely before opening anything. */
	if (!strcmp(key, "extra-class")) {
		if (argc != 5)
			return xg_fail("set", "extra-class takes SLOT NAME SPEC");
		if (xg_parse_uint(argv[2], 0, XG_SVC_EXTRA_COUNT - 1, &slot))
			return xg_fail("set", "invalid extra-class slot '%s': 0-%d", argv[2],
				       XG_SVC_EXTRA_COUNT - 1);
		if (!*argv[3] || strlen(argv[3]) >= XG_SVC_NAME_LEN)
			return xg_fail("set", "invalid extra-class name '%s': 1-%d characters",
				       argv[3], XG_SVC_NAME_LEN - 1);
		if (strcmp(argv[4], "none") && parse_ports(argv[4], true, &udp, &tcp))
			return xg_fail(
			    "set", "invalid extra-class spec '%s': use e.g. udp:3478,tcp:5349-5350",
			    argv[4]);
		svc = (uint8_t)(XG_SVC_EXTRA0 + slot);
	} else if (argc != 3) {
		return xg_fail("set", "%s takes one value (see 'xdpctl set --help')", key);
	} else if (!strcmp(key, "monitor-only")) {
		if (strcmp(argv[2], "on") && strcmp(argv[2], "off"))
			return xg_fail("set", "invalid monitor-only value '%s': on or off",
				       argv[2]);
		cfg_change = true;
	} else if (!strcmp(key, "sample-rate")) {
		if (xg_parse_uint(argv[2], 0, 1u << 30, &v) || (v & (v - 1)))
			return xg_fail(
			    "set",
			    "invalid sample-rate '%s': a power of 2 up to 2^30, or 0 for off",
			    argv[2]);
		cfg_change = true;
	} else if (!strcmp(key, "sip-udp-ports") || !strcmp(key, "rtp-ports")) {
		svc = !strcmp(key, "rtp-ports") ? XG_SVC_RTP : XG_SVC_SIP_UDP;
		if (parse_ports(argv[2], false, &udp, NULL))
			return xg_fail("set", "invalid %s '%s': ports or ranges, e.g. 5060,5080",
				       key, argv[2]);
	} else if (!strcmp(key, "sip-tcp-ports") || !strcmp(key, "sip-tls-ports")) {
		svc = !strcmp(key, "sip-tls-ports") ? XG_SVC_SIP_TLS : XG_SVC_SIP_TCP;
		if (parse_ports(argv[2], false, &tcp, NULL))
			return xg_fail("set", "invalid %s '%s': ports or ranges, e.g. 5061", key,
				       argv[2]);
	} else {
		return xg_fail("set", "unknown key '%s' (see 'xdpctl set --help')", key);
	}

	if (xg_cli_open("set", &maps, true))
		return 1;
	ret = xg_rtcfg_read(&maps, &cfg);
	if (!ret && cfg_change) {
		if (!strcmp(key, "monitor-only")) {
			if (!strcmp(argv[2], "on"))
				cfg.flags |= XG_CFG_MONITOR_ONLY;
			else
				cfg.flags &= ~XG_CFG_MONITOR_ONLY;
		} else {
			/* v was validated as 0 or a power of two above */
			cfg.sample_shift = v ? (uint32_t)__builtin_ctzll(v) : 32;
		}
		ret = xg_rtcfg_write(&maps, &cfg);
	} else if (!ret) {
		ret = apply_class(&maps, svc, &udp, &tcp);
		if (!ret && svc == XG_SVC_RTP) {
			cfg.rtp_lo = udp.r[0].lo;
			cfg.rtp_hi = udp.r[0].hi;
			ret = xg_rtcfg_write(&maps, &cfg);
		} else if (!ret && svc >= XG_SVC_EXTRA0) {
			snprintf(cfg.svc_name[slot], XG_SVC_NAME_LEN, "%s", argv[3]);
			ret = xg_rtcfg_write(&maps, &cfg);
		}
	}
	xg_maps_close(&maps);
	if (ret)
		return xg_fail("set", "cannot update the maps: %s", strerror(-ret));
	printf("set %s\n", key);
	return 0;
}
