// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl set: runtime settings in the config map and the port table. Every
 * value is parsed in full before anything is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rtcfg.h"

#define MAX_RANGES 32

struct port_range {
	int l4;
	uint16_t lo, hi;
};

static const char set_usage[] =
    "usage: xdpctl set KEY VALUE...\n"
    "  monitor-only on|off         count \"would drop\" instead of dropping\n"
    "  sample-rate N               1 packet in N to the top-talker maps (power of 2, 0 = off)\n"
    "  sip-udp-ports PORTS         e.g. 5060 or 5060,5080 or 5060-5062\n"
    "  sip-tcp-ports PORTS\n"
    "  sip-tls-ports PORTS\n"
    "  rtp-ports PORTS             e.g. 10000-20000\n"
    "  extra-class SLOT NAME SPEC  SLOT 0-7, SPEC e.g. udp:3478,tcp:3478-3479; SPEC 'none' clears";

/* Parses "5060,5080-5082" (with a fixed l4) or "udp:3478,tcp:5349" (l4 < 0). */
static int parse_ports(const char *text, int l4, struct port_range *out, int *n)
{
	char buf[512], *save = NULL, *tok;

	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash;
		uint64_t lo, hi;
		int this_l4 = l4;

		if (*n == MAX_RANGES)
			return -1;
		if (l4 < 0) {
			if (!strncmp(tok, "udp:", 4))
				this_l4 = XG_PORT_L4_UDP;
			else if (!strncmp(tok, "tcp:", 4))
				this_l4 = XG_PORT_L4_TCP;
			else
				return -1;
			tok += 4;
		}
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (xg_parse_uint(tok, 1, 65535, &lo))
			return -1;
		hi = lo;
		if (dash && (xg_parse_uint(dash + 1, lo, 65535, &hi)))
			return -1;
		out[(*n)++] = (struct port_range){this_l4, (uint16_t)lo, (uint16_t)hi};
	}
	return *n ? 0 : -1;
}

static int apply_class(const struct xg_maps *m, uint8_t svc, const struct port_range *r, int n)
{
	int i, ret = xg_port_class_clear_svc(m, svc);

	for (i = 0; !ret && i < n; i++)
		ret = xg_port_class_set(m, r[i].l4, r[i].lo, r[i].hi, svc);
	return ret;
}

int cmd_set(int argc, char **argv)
{
	struct port_range ranges[MAX_RANGES];
	struct xg_maps maps;
	struct xg_config cfg;
	const char *key;
	int n = 0, ret;
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
		if (strcmp(argv[4], "none") && parse_ports(argv[4], -1, ranges, &n))
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
		if (parse_ports(argv[2], XG_PORT_L4_UDP, ranges, &n))
			return xg_fail("set", "invalid %s '%s': ports or ranges, e.g. 5060,5080",
				       key, argv[2]);
	} else if (!strcmp(key, "sip-tcp-ports") || !strcmp(key, "sip-tls-ports")) {
		svc = !strcmp(key, "sip-tls-ports") ? XG_SVC_SIP_TLS : XG_SVC_SIP_TCP;
		if (parse_ports(argv[2], XG_PORT_L4_TCP, ranges, &n))
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
		ret = apply_class(&maps, svc, ranges, n);
		if (!ret && svc == XG_SVC_RTP) {
			cfg.rtp_lo = ranges[0].lo;
			cfg.rtp_hi = ranges[0].hi;
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
