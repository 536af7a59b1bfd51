// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl: dispatches to one command module per subcommand. */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdp/libxdp.h>
#include <xdpguard/abi.h>

#include "cli.h"
#include "config.h"

#include "version.h"

static const char usage[] =
    "usage: xdpctl COMMAND [ARGS]\n"
    "\n"
    "xdpguard: DDoS protection for SIP/RTP and other edge nodes, dropping at XDP.\n"
    "\n"
    "Data plane:\n"
    "  attach IFACE [--mode native|generic|auto]\n"
    "        Attach the XDP program (through libxdp, so it coexists with other XDP\n"
    "        programs). auto tries native and falls back to generic with a warning.\n"
    "        Attaching again is a no-op. Maps are pinned under " XG_PIN_DIR ".\n"
    "  detach IFACE\n"
    "        Detach; after the last interface no program and no pin remain.\n"
    "  status [--json]\n"
    "        Interfaces, mode, list sizes, SIP/RTP ports, sampling.\n"
    "\n"
    "Lists (the allowlist always wins; single addresses and prefixes, IPv4 and IPv6):\n"
    "  block CIDR [--ttl SEC] [--rate PPS]\n"
    "  block --file FILE [--ttl SEC] [--rate PPS]\n"
    "        Drop a source, or with --rate pass at most PPS packets/s per source.\n"
    "        --ttl accepts 300, 90s, 5m, 2h, 1d; the XDP program enforces the expiry\n"
    "        itself, so blocks lapse even if no controller runs.\n"
    "  unblock CIDR\n"
    "  allow CIDR [--comment TEXT]\n"
    "  allow --file FILE\n"
    "        Never drop this source or prefix (carrier trunks, SBCs, known peers).\n"
    "        FILE: one CIDR per line, '# comment' kept; applied whole or not at all.\n"
    "  disallow CIDR\n"
    "  list block|allow [--json]\n"
    "\n"
    "Controller:\n"
    "  run [--config FILE] [--state-dir DIR] [--detach-on-exit] [IFACE...]\n"
    "        The daemon: every tick (1 s default) reads the counters, learns\n"
    "        baselines, detects and classifies attacks, journals incidents.\n"
    "  replay FILE.pcap [--config FILE] [--state-dir DIR] [--passed-pcap OUT]\n"
    "                   [--dropped-pcap OUT]\n"
    "        What xdpguard would have done with a capture: the real program and\n"
    "        controller on the capture's clock; JSON lines on stdout.\n"
    "  incidents [--json] [--since T]\n"
    "  incident show ID\n"
    "        The incident journal (STATE_DIR/incidents.jsonl).\n"
    "  peers [--json]\n"
    "        The SIP/RTP peers the controller learned: never dropped.\n"
    "  alerts status [--json]\n"
    "  alerts test SINK\n"
    "        The alert queue and its sinks (webhook, PagerDuty, Slack, Discord,\n"
    "        OpsGenie, email, syslog); send a marked test event to one.\n"
    "  bgp status|list [--json]\n"
    "  bgp announce|withdraw RULE...   bgp flush\n"
    "        BGP escalation: FlowSpec and RTBH rules through ExaBGP, GoBGP,\n"
    "        BIRD 2, FRR or a webhook; by hand, with the same safety checks.\n"
    "  pcap list [--json]\n"
    "  pcap get INCIDENT -o FILE [--uncompressed]\n"
    "        The per-incident packet captures (STATE_DIR/pcaps/INCIDENT.pcap.gz),\n"
    "        checked against the sha256 the journal recorded.\n"
    "  config check FILE\n"
    "  config show [--config FILE]\n"
    "        Validate a config file; print the effective config.\n"
    "\n"
    "Observing and tuning:\n"
    "  stats [--json] [--interval MS]\n"
    "        Rates over one second (or MS): protocols, services, SIP methods, TCP\n"
    "        flags, verdicts, drops by reason, top destination ports.\n"
    "  top [--interval MS] [--api URL] [--once | --batch N]\n"
    "        Live view (curses): rates by protocol, service and SIP method,\n"
    "        verdicts, drops, top ports and sources, the open incident and the\n"
    "        mitigation from the daemon's API (see 'xdpctl top --help').\n"
    "  set KEY VALUE        monitor-only on|off, sample-rate N, sip-udp-ports,\n"
    "                       sip-tcp-ports, sip-tls-ports, rtp-ports, extra-class\n"
    "                       (see 'xdpctl set --help')\n"
    "\n"
    "  help, --help         this text;  version, --version\n"
    "\n"
    "Environment: XDPGUARD_PIN_DIR overrides " XG_PIN_DIR "; XDPGUARD_DEBUG=1 shows\n"
    "libbpf/libxdp messages (the verifier log on a load failure).\n"
    "Exit status: 0 on success, 1 on an error (one line on stderr), 2 on bad usage.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
    {"attach", cmd_attach},
    {"detach", cmd_detach},
    {"status", cmd_status},
    {"block", cmd_block},
    {"unblock", cmd_unblock},
    {"allow", cmd_allow},
    {"disallow", cmd_disallow},
    {"list", cmd_list},
    {"stats", cmd_stats},
    {"set", cmd_set},
    {"run", cmd_run},
    {"replay", cmd_replay},
    {"incidents", cmd_incidents},
    {"incident", cmd_incident},
    {"config", cmd_config},
    {"peers", cmd_peers},
    {"alerts", cmd_alerts},
    {"bgp", cmd_bgp},
    {"pcap", cmd_pcap},
    {"top", cmd_top},
};

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int quiet_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int main(int argc, char **argv)
{
	const char *debug = getenv("XDPGUARD_DEBUG");
	size_t i;

	if (!debug || strcmp(debug, "1")) {
		libbpf_set_print(quiet_libbpf);
		libxdp_set_print(quiet_libxdp);
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("xdpctl %s (ABI %d)\n", XG_VERSION, XG_ABI_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "xdpctl: unknown command '%s' (see 'xdpctl --help')\n", argv[1]);
	return 2;
}
