// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl peers: the peers the controller learned (STATE_DIR/peers.json). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "fsutil.h"

#define PEERS_FILE_MAX (64u << 20)

static void when(double ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1e9);
	struct tm tm;

	if (ns <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cmd_peers(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *state_dir = NULL, *config = NULL;
	struct json_object *o = NULL, *arr;
	char path[4096], err[XG_ERR_LEN], *text = NULL;
	struct xg_cfg cfg;
	bool json = false;
	size_t i, n;
	int ch, ret;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jd:c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			puts("usage: xdpctl peers [--json] [--state-dir DIR] [--config FILE]\n"
			     "Lists the SIP and RTP peers the controller learned in peacetime: "
			     "never\n"
			     "dropped while known, forgotten after mitigation.peer_idle_s of "
			     "silence.\n"
			     "The controller saves the list when it learns a peer and every "
			     "minute.");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return xg_fail("peers", "unexpected argument '%s'", argv[optind]);
	if (!state_dir) {
		if (config ? xg_cfg_load(&cfg, config, err, sizeof(err))
			   : (xg_cfg_defaults(&cfg), 0))
			return xg_fail("peers", "%s", err);
		state_dir = cfg.state_dir;
	}
	snprintf(path, sizeof(path), "%s/peers.json", state_dir);
	ret = xg_read_file(path, PEERS_FILE_MAX, &text, NULL, err, sizeof(err));
	if (ret == -ENOENT) {
		if (json)
			puts("[]");
		else
			printf("no learned peers yet (%s does not exist)\n", path);
		return 0;
	}
	if (ret)
		return xg_fail("peers", "%s", err);
	o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_object_get_ex(o, "peers", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(o);
		return xg_fail("peers", "%s is not an xdpguard peers file", path);
	}
	if (json) {
		xg_json_print(arr);
		json_object_put(o);
		return 0;
	}
	n = json_object_array_length(arr);
	printf("%-40s %-6s %-20s %-20s %10s %10s\n", "PEER", "REASON", "FIRST SEEN (UTC)",
	       "LAST SEEN (UTC)", "SIP OK", "RTP OK");
	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i), *v;
		char first[32], last[32];
		const char *addr = "", *reason = "";
		double f = 0, l = 0, sip = 0, rtp = 0;

		if (json_object_object_get_ex(p, "addr", &v))
			addr = json_object_get_string(v);
		if (json_object_object_get_ex(p, "reason", &v))
			reason = json_object_get_string(v);
		if (json_object_object_get_ex(p, "first_ns", &v))
			f = json_object_get_double(v);
		if (json_object_object_get_ex(p, "last_ns", &v))
			l = json_object_get_double(v);
		if (json_object_object_get_ex(p, "sip_ok", &v))
			sip = json_object_get_double(v);
		if (json_object_object_get_ex(p, "rtp_ok", &v))
			rtp = json_object_get_double(v);
		when(f, first, sizeof(first));
		when(l, last, sizeof(last));
		printf("%-40s %-6s %-20s %-20s %10.0f %10.0f\n", addr, reason, first, last, sip,
		       rtp);
	}
	if (!n)
		printf("(no learned peers)\n");
	json_object_put(o);
	return 0;
}
