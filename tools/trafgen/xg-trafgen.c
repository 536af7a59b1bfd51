// SPDX-License-Identifier: GPL-2.0-only
/*
 * xg-trafgen: a packet flood generator for xdpguard's tests and benchmarks.
 *
 * It builds one template frame (tools/lib/pkt.c), loads a tiny XDP program
 * (xg_trafgen.bpf.c, embedded as a skeleton) and runs it with
 * BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: the kernel hands the
 * program copies of the template in batches, the program optionally
 * rewrites the source address, TTL and source port of each copy, and
 * redirects it out of --dev. No socket, no skb on the sending side: one
 * core sends millions of frames per second.
 *
 * Every run is bounded: --count or --duration (or both; whichever comes
 * first) is required, --duration is capped at 600 s and --count at 10^10.
 * --pps paces the test-run calls against the clock. Nothing is pinned and
 * nothing is attached: the program and its map go away with the process,
 * so the tool needs no bpffs and works under `nsenter --net=...`.
 *
 * veth (measured on 6.18): a frame redirected into a veth device goes
 * through its ndo_xdp_xmit straight into the PEER's receive ring, which
 * exists only while the peer has NAPI: a native-mode XDP program attached
 * to the peer (`ip link set dev PEER xdpdrv ...`, or xdpguard), or GRO
 * enabled on it (`ethtool -K PEER gro on`; off by default). The peer must
 * also be up. Generic XDP (xdpgeneric) on the peer, or any XDP program on
 * the sending end, does not count. Otherwise every redirect fails and the
 * frames vanish without a trace in the interface counters, so the tool
 * compares the device's tx counter with what it sent and warns.
 *
 * The peer's NAPI runs in the softirq that follows each batch on the
 * sending CPU, so one thread seldom overruns the peer's 256-frame ring.
 * Threads on several CPUs share one ring unless the pair has as many
 * queues (numtxqueues/numrxqueues), and then lose many frames.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"
#include "xg_trafgen.h"
#include "xg_trafgen.skel.h"

#define MAX_DURATION 600.0
#define MAX_COUNT    10000000000ULL
#define MAX_THREADS  64
#define MAX_BATCH    256 /* the kernel's TEST_XDP_MAX_BATCH */
/*
 * A test-run call with repeat > 1 puts the program into the kernel's XDP
 * dispatcher and takes it out again at the end, two synchronize_rcu() that
 * cost ~25 ms of sleep per call on a 2-vCPU VM whatever the repeat; a call
 * with repeat 1 skips that and costs ~7 us. So at full speed each call is
 * sized to last ~CALL_TARGET_NS (the overhead is then ~7%), from the
 * kernel's own per-frame time; with --duration the last call is cut to end
 * on time. --pps up to PACE_SINGLE_MAX per thread sends one frame per call,
 * each at its due time (smooth; ~7 us of CPU per frame); above it, one call
 * per PACE_SLICE_NS with every frame due by its end (bursts of pps/20
 * frames at full speed, 20 times a second).
 */
#define CALL_FIRST	65536
#define CALL_TARGET_NS	400000000ULL
#define PACE_SINGLE_MAX 20000
#define PACE_SLICE_NS	50000000ULL
#define SLEEP_MAX_NS	100000000ULL
#define TCP_SYN		0x02

static const char usage_text[] =
    "usage: xg-trafgen --dev IFACE --dst-mac MAC --dst IP [--src IP] [options]\n"
    "\n"
    "Sends a flood of one template frame out of IFACE at up to tens of Mpps, from\n"
    "an XDP program run with BPF_PROG_TEST_RUN (live frames). Run it inside the\n"
    "sender's network namespace: nsenter --net=/run/netns/NS xg-trafgen ...\n"
    "\n"
    "  --dev IFACE          interface to send from (required)\n"
    "  --dst-mac MAC        receiver's MAC, aa:bb:cc:dd:ee:ff (required)\n"
    "  --src-mac MAC        default: IFACE's own MAC\n"
    "  --src IP             source address (required unless --random-src)\n"
    "  --dst IP             destination address (required); IPv4 or IPv6\n"
    "  --ipv6               insist on IPv6 --src/--dst\n"
    "  --proto P            udp (default), tcp-syn or icmp (echo request)\n"
    "  --dport N            default 5060 (10000 with --payload rtp)\n"
    "  --sport N            default 5060 for SIP, 20000 for RTP, else 40000\n"
    "  --payload P          UDP: sip-invite, sip-register, sip-options, rtp, zero\n"
    "                       (default) or random; TCP/ICMP: zero or random. random\n"
    "                       bytes are drawn once: every frame carries the same ones\n"
    "  --size BYTES         Ethernet frame size without FCS, 60..1514 and at most\n"
    "                       the MTU + 14 (default: 64, or what the headers need;\n"
    "                       rtp: 214, a 20 ms G.711 packet). Not with SIP payloads\n"
    "  --random-src CIDR    a random source in CIDR for every frame (e.g.\n"
    "                       10.123.128.0/17); same family as --dst. Headers only:\n"
    "                       a SIP payload still names --src (or the CIDR base)\n"
    "  --sources N          cycle through N sources: --src, --src + 1, ... (IPv6:\n"
    "                       counting in the last 32 bits)\n"
    "  --random-ttl         a random TTL / hop limit (1..255) for every frame\n"
    "  --random-sport       a random UDP/TCP source port (1024..65535) per frame\n"
    "  --pps RATE           pace to RATE frames/s (k, M suffixes); default: full speed.\n"
    "                       Up to 20k/s per thread frames go one by one, evenly\n"
    "                       spaced; above, in bursts of RATE/20 every 50 ms\n"
    "  --count N            stop after N frames (at most 10^10)\n"
    "  --duration SEC       stop after SEC seconds (at most 600)\n"
    "                       at least one of --count and --duration is required;\n"
    "                       the first one reached ends the run\n"
    "  --threads N          sending threads, one per CPU (default 1)\n"
    "  --batch N            frames per kernel batch, 1..256 (default 64; over 128\n"
    "                       can overrun a veth peer's ring)\n"
    "  --json               print the result as one JSON object\n"
    "  -h, --help           this text\n"
    "\n"
    "Output: \"sent N packets in T s (R pps)\": N frames handed to the driver. It\n"
    "then reads IFACE's tx counters and warns if fewer frames left than were sent.\n"
    "\n"
    "veth: frames redirected into a veth are delivered only if the PEER (receiving)\n"
    "end is up and has a native XDP program attached (xdpdrv: xdpguard, or any\n"
    "XDP_PASS program) or GRO enabled (ethtool -K PEER gro on). Generic XDP on the\n"
    "peer, or XDP on the sending end, does not count. Without either every frame\n"
    "is dropped, and the tool says so. The peer's NAPI runs on the sending CPU, so\n"
    "one thread seldom overruns its 256-frame ring; for --threads N give the pair\n"
    "N queues (ip link add A numtxqueues N numrxqueues N type veth peer name B\n"
    "numtxqueues N numrxqueues N), or the threads share one ring and lose frames.\n"
    "\n"
    "Nothing is pinned or attached; bpffs is not needed. Needs root (CAP_BPF and\n"
    "CAP_NET_ADMIN) and Linux 5.18 or newer. XDPGUARD_DEBUG=1 shows libbpf's log.\n";

struct opts {
	const char *dev;
	uint8_t dst_mac[6], src_mac[6];
	bool have_dst_mac, have_src_mac;
	const char *src, *dst;
	bool ipv6;
	uint8_t proto;
	int dport, sport; /* -1: default */
	const char *payload;
	long size; /* -1: default */
	bool random_src;
	uint8_t rs_addr[16];
	int rs_plen, rs_family;
	uint64_t sources; /* 0: off */
	bool random_ttl, random_sport;
	uint64_t pps;	/* 0: full speed */
	uint64_t count; /* 0: unbounded (then duration bounds) */
	double duration;
	int threads, batch;
	bool json;
};

struct worker {
	pthread_t tid;
	int prog_fd, cpu;
	const uint8_t *frame;
	uint32_t frame_len;
	uint64_t count; /* 0: no count limit */
	uint64_t pps;	/* this thread's share; 0: full speed */
	int batch;
	bool started;
	uint64_t start_ns, deadline_ns;
	uint64_t n_fast;      /* full speed: frames per call */
	double frame_ns;      /* estimated ns per frame in a call */
	uint64_t overhead_ns; /* estimated fixed cost of a call */
	uint64_t sent;
	int err; /* errno of a failed test run, or 0 */
};

static atomic_bool stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, true);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xg-trafgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static bool debug_on(void)
{
	const char *d = getenv("XDPGUARD_DEBUG");

	return d && *d && strcmp(d, "0");
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!debug_on())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Sleeps until `when` (monotonic ns), in slices so a signal is noticed. */
static void sleep_until(uint64_t when)
{
	uint64_t now;

	while (!atomic_load(&stop_flag) && (now = now_ns()) < when) {
		uint64_t d = when - now < SLEEP_MAX_NS ? when - now : SLEEP_MAX_NS;
		struct timespec ts = {.tv_sec = (time_t)(d / 1000000000ULL),
				      .tv_nsec = (long)(d % 1000000000ULL)};

		nanosleep(&ts, NULL);
	}
}

/* An unsigned integer, the whole string, within [lo, hi]; with `suffix`,
 * k/K, m/M and g/G multiply by 10^3, 10^6, 10^9. */
static uint64_t parse_u64(const char *opt, const char *text, uint64_t lo, uint64_t hi, bool suffix)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	errno = 0;
	if (!*text || *text == '-' || *text == '+')
		fail("%s: '%s' is not a number", opt, text);
	v = strtoull(text, &end, 10);
	if (suffix && *end && !end[1]) {
		switch (*end) {
		case 'k':
		case 'K':
			mul = 1000;
			end++;
			break;
		case 'm':
		case 'M':
			mul = 1000000;
			end++;
			break;
		case 'g':
		case 'G':
			mul = 1000000000;
			end++;
			break;
		}
	}
	if (errno || end == text || *end)
		fail("%s: '%s' is not a number", opt, text);
	if (v > hi / mul || v * mul < lo || v * mul > hi)
		fail("%s: %s is out of range (%llu..%llu)", opt, text, (unsigned long long)lo,
		     (unsigned long long)hi);
	return v * mul;
}

static void parse_mac(const char *opt, const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(text) != 17)
		fail("%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", opt, text);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

/* CIDR text into address and prefix length; host bits must be clear. */
static int parse_cidr(const char *text, uint8_t addr[16], int *plen, int *family)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	int bits, i;
	long n;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = 0;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = 6;
	else
		return -1;
	bits = *family == 4 ? 32 : 128;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || n < 0 || n > bits)
		return -1;
	*plen = (int)n;
	for (i = (int)n; i < bits; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return -2;
	return 0;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		O_DEV = 256,
		O_DST_MAC,
		O_SRC_MAC,
		O_SRC,
		O_DST,
		O_IPV6,
		O_PROTO,
		O_DPORT,
		O_SPORT,
		O_PAYLOAD,
		O_SIZE,
		O_RANDOM_SRC,
		O_SOURCES,
		O_RANDOM_TTL,
		O_RANDOM_SPORT,
		O_PPS,
		O_COUNT,
		O_DURATION,
		O_THREADS,
		O_BATCH,
		O_JSON,
	};
	static const struct option lopts[] = {
	    {"dev", required_argument, NULL, O_DEV},
	    {"dst-mac", required_argument, NULL, O_DST_MAC},
	    {"src-mac", required_argument, NULL, O_SRC_MAC},
	    {"src", required_argument, NULL, O_SRC},
	    {"dst", required_argument, NULL, O_DST},
	    {"ipv6", no_argument, NULL, O_IPV6},
	    {"proto", required_argument, NULL, O_PROTO},
	    {"dport", required_argument, NULL, O_DPORT},
	    {"sport", required_argument, NULL, O_SPORT},
	    {"payload", required_argument, NULL, O_PAYLOAD},
	    {"size", required_argument, NULL, O_SIZE},
	    {"random-src", required_argument, NULL, O_RANDOM_SRC},
	    {"sources", required_argument, NULL, O_SOURCES},
	    {"random-ttl", no_argument, NULL, O_RANDOM_TTL},
	    {"random-sport", no_argument, NULL, O_RANDOM_SPORT},
	    {"pps", required_argument, NULL, O_PPS},
	    {"count", required_argument, NULL, O_COUNT},
	    {"duration", required_argument, NULL, O_DURATION},
	    {"threads", required_argument, NULL, O_THREADS},
	    {"batch", required_argument, NULL, O_BATCH},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool have_duration = false;
	char *end;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->proto = IPPROTO_UDP;
	o->dport = o->sport = -1;
	o->size = -1;
	o->threads = 1;
	o->batch = 64;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (c) {
		case O_DEV:
			o->dev = optarg;
			break;
		case O_DST_MAC:
			parse_mac("--dst-mac", optarg, o->dst_mac);
			o->have_dst_mac = true;
			break;
		case O_SRC_MAC:
			parse_mac("--src-mac", optarg, o->src_mac);
			o->have_src_mac = true;
			break;
		case O_SRC:
			o->src = optarg;
			break;
		case O_DST:
			o->dst = optarg;
			break;
		case O_IPV6:
			o->ipv6 = true;
			break;
		case O_PROTO:
			if (!strcmp(optarg, "udp"))
				o->proto = IPPROTO_UDP;
			else if (!strcmp(optarg, "tcp-syn"))
				o->proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "icmp"))
				o->proto = IPPROTO_ICMP;
			else
				fail("--proto: '%s' is not udp, tcp-syn or icmp", optarg);
			break;
		case O_DPORT:
			o->dport = (int)parse_u64("--dport", optarg, 1, 65535, false);
			break;
		case O_SPORT:
			o->sport = (int)parse_u64("--sport", optarg, 1, 65535, false);
			break;
		case O_PAYLOAD:
			if (strcmp(optarg, "sip-invite") && strcmp(optarg, "sip-register") &&
			    strcmp(optarg, "sip-options") && strcmp(optarg, "rtp") &&
			    strcmp(optarg, "zero") && strcmp(optarg, "random"))
				fail(
				    "--payload: '%s' is not sip-invite, sip-register, sip-options, "
				    "rtp, zero or random",
				    optarg);
			o->payload = optarg;
			break;
		case O_SIZE:
			o->size = (long)parse_u64("--size", optarg, 60, 1514, false);
			break;
		case O_RANDOM_SRC:
			r = parse_cidr(optarg, o->rs_addr, &o->rs_plen, &o->rs_family);
			if (r == -2)
				fail("--random-src: '%s' has host bits set", optarg);
			if (r)
				fail("--random-src: '%s' is not a CIDR (e.g. 10.123.128.0/17)",
				     optarg);
			o->random_src = true;
			break;
		case O_SOURCES:
			o->sources = parse_u64("--sources", optarg, 1, UINT32_MAX, false);
			break;
		case O_RANDOM_TTL:
			o->random_ttl = true;
			break;
		case O_RANDOM_SPORT:
			o->random_sport = true;
			break;
		case O_PPS:
			o->pps = parse_u64("--pps", optarg, 1, 1000000000, true);
			break;
		case O_COUNT:
			o->count = parse_u64("--count", optarg, 1, MAX_COUNT, false);
			break;
		case O_DURATION:
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->duration > 0))
				fail("--duration: '%s' is not a positive number of seconds",
				     optarg);
			if (o->duration > MAX_DURATION)
				fail("--duration: %s is over the %.0f s limit", optarg,
				     MAX_DURATION);
			have_duration = true;
			break;
		case O_THREADS:
			o->threads = (int)parse_u64("--threads", optarg, 1, MAX_THREADS, false);
			break;
		case O_BATCH:
			o->batch = (int)parse_u64("--batch", optarg, 1, MAX_BATCH, false);
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			fail("%s needs a value (see --help)", argv[optind - 1]);
			break;
		default:
			fail("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		fail("unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->dev)
		fail("--dev IFACE is required");
	if (!o->have_dst_mac)
		fail("--dst-mac MAC is required (the receiver's MAC)");
	if (!o->dst)
		fail("--dst IP is required");
	if (!o->src && !o->random_src)
		fail("--src IP is required (or --random-src CIDR)");
	if (!o->count && !have_duration)
		fail("--count N or --duration SEC is required: every run is bounded");
	if (o->random_src && o->sources)
		fail("--random-src and --sources do not go together");
	if (o->proto == IPPROTO_ICMP && o->random_sport)
		fail("--random-sport needs --proto udp or tcp-syn");
	if (o->proto == IPPROTO_ICMP && (o->dport >= 0 || o->sport >= 0))
		fail("--dport/--sport need --proto udp or tcp-syn");
	if (o->payload && o->proto != IPPROTO_UDP && strcmp(o->payload, "zero") &&
	    strcmp(o->payload, "random"))
		fail("--payload %s needs --proto udp", o->payload);
	if (o->payload && !strncmp(o->payload, "sip-", 4) && o->size >= 0)
		fail("--size does not apply to SIP payloads (their size is the message's)");
}

/* Reads the interface's MAC, MTU and flags; fails with one line. */
static void probe_dev(const char *dev, uint8_t mac[6], bool want_mac, int *mtu)
{
	struct ifreq ifr;
	int fd;

	if (strlen(dev) >= IFNAMSIZ)
		fail("--dev: '%s' is too long for an interface name", dev);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail("--dev: no interface '%s' in this network namespace", dev);
	if (!(ifr.ifr_flags & IFF_UP))
		fail("--dev: interface '%s' is down", dev);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		fail("--dev %s: cannot read the MTU: %s", dev, strerror(errno));
	*mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		fail("--dev %s: cannot read the MAC address: %s", dev, strerror(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		fail("--dev: '%s' is not an Ethernet interface", dev);
	if (want_mac)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

struct dev_stats {
	uint64_t tx_packets, tx_dropped, tx_errors;
	bool ok;
};

/* The interface's 64-bit counters over rtnetlink (sysfs would show the
 * namespace that mounted /sys, not ours). */
static struct dev_stats read_dev_stats(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
	    .nh = {.nlmsg_len = sizeof(req),
		   .nlmsg_type = RTM_GETLINK,
		   .nlmsg_flags = NLM_F_REQUEST,
		   .nlmsg_seq = 1},
	    .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex},
	};
	struct dev_stats st = {0};
	char buf[16384];
	struct nlmsghdr *nh;
	struct rtattr *rta;
	ssize_t n;
	int fd, len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return st;
	if (send(fd, &req, sizeof(req), 0) < 0)
		goto out;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		goto out;
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (unsigned int)n) || nh->nlmsg_type != RTM_NEWLINK)
		goto out;
	len = (int)IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		struct rtnl_link_stats64 s64;

		if (rta->rta_type != IFLA_STATS64 || RTA_PAYLOAD(rta) < sizeof(s64))
			continue;
		memcpy(&s64, RTA_DATA(rta), sizeof(s64));
		st.tx_packets = s64.tx_packets;
		st.tx_dropped = s64.tx_dropped;
		st.tx_errors = s64.tx_errors;
		st.ok = true;
	}
out:
	close(fd);
	return st;
}

/* The counters once the last frames have left: the peer's NAPI may still be
 * draining its ring when the test run returns. Waits at most 200 ms. */
static struct dev_stats settle_dev_stats(int ifindex, struct dev_stats before, uint64_t total)
{
	struct dev_stats st = read_dev_stats(ifindex), prev;
	struct timespec ts = {.tv_nsec = 10000000};
	int i;

	for (i = 0; i < 20 && st.ok && before.ok && st.tx_packets - before.tx_packets < total;
	     i++) {
		prev = st;
		nanosleep(&ts, NULL);
		st = read_dev_stats(ifindex);
		if (i >= 3 && st.tx_packets == prev.tx_packets)
			break;
	}
	return st;
}

/* The template frame; fills the program's rodata from it. */
static size_t build_frame(const struct opts *o, int mtu, uint8_t *frame, size_t cap,
			  struct xg_trafgen_bpf__rodata *ro)
{
	static uint8_t payload[PKT_MAX];
	static const uint8_t syn_opts[12] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
	const char *pl = o->payload ? o->payload : "zero";
	struct pkt_spec s;
	size_t hdr, len, plen = 0, l4off, csoff;
	int family;
	uint32_t rnd;

	pkt_spec_init(&s);
	if (pkt_set_addr(&s, 0, o->dst))
		fail("--dst: '%s' is not an IP address", o->dst);
	family = s.family;
	if (o->src) {
		if (pkt_set_addr(&s, 1, o->src))
			fail("--src: '%s' is not an IP address", o->src);
		if (s.family != family)
			fail("--src %s and --dst %s are not the same family", o->src, o->dst);
	} else {
		memcpy(s.src, o->rs_addr, 16); /* the template starts at the base */
	}
	if (o->random_src && o->rs_family != family)
		fail("--random-src: the prefix and --dst %s are not the same family", o->dst);
	s.family = family;
	if (o->ipv6 && family != 6)
		fail("--ipv6 needs IPv6 addresses in --src and --dst");
	s.proto = o->proto == IPPROTO_ICMP && family == 6 ? IPPROTO_ICMPV6 : o->proto;
	getrandom(&rnd, sizeof(rnd), 0);

	if (!strncmp(pl, "sip-", 4)) {
		s.sport = (uint16_t)(o->sport >= 0 ? o->sport : 5060);
		s.dport = (uint16_t)(o->dport >= 0 ? o->dport : 5060);
	} else if (!strcmp(pl, "rtp")) {
		s.sport = (uint16_t)(o->sport >= 0 ? o->sport : 20000);
		s.dport = (uint16_t)(o->dport >= 0 ? o->dport : 10000);
	} else {
		s.sport = (uint16_t)(o->sport >= 0 ? o->sport : 40000);
		s.dport = (uint16_t)(o->dport >= 0 ? o->dport : 5060);
	}
	if (s.proto == IPPROTO_TCP) {
		s.tcp_flags = TCP_SYN;
		s.tcp_opt = syn_opts; /* MSS 1460, SACK permitted, window scale 7 */
		s.tcp_opt_len = sizeof(syn_opts);
		s.tcp_seq = rnd;
		s.tcp_win = 64240;
		s.set |= PKT_SET_TCP_SEQ | PKT_SET_TCP_WIN | PKT_SET_IP_DF;
	}
	s.ip_id = (uint16_t)(rnd >> 16);
	s.set |= PKT_SET_IP_ID;

	l4off = XG_TG_ETH_LEN + (family == 6 ? XG_TG_IP6_LEN : XG_TG_IP4_LEN);
	hdr = l4off + (s.proto == IPPROTO_TCP ? 20 + s.tcp_opt_len : 8);
	if (!strncmp(pl, "sip-", 4)) {
		const char *m = !strcmp(pl, "sip-invite")     ? "INVITE"
				: !strcmp(pl, "sip-register") ? "REGISTER"
							      : "OPTIONS";

		plen = pkt_sip_request(&s, m, rnd, (char *)payload, sizeof(payload));
		if (!plen)
			fail("cannot build the SIP %s message", m);
	} else {
		long want = o->size >= 0	 ? o->size
			    : !strcmp(pl, "rtp") ? (long)hdr + 172
			    : (long)hdr > 64	 ? (long)hdr
						 : 64;

		if (want < (long)hdr + (!strcmp(pl, "rtp") ? 12 : 0))
			fail("--size %ld is too small: the headers%s take %zu bytes", want,
			     !strcmp(pl, "rtp") ? " and the RTP header" : "",
			     hdr + (!strcmp(pl, "rtp") ? 12 : 0));
		plen = (size_t)want - hdr;
		if (!strcmp(pl, "rtp"))
			pkt_rtp(payload, sizeof(payload), plen, 0, (uint16_t)rnd, rnd * 160,
				rnd ^ 0x5eed5eed);
		else if (!strcmp(pl, "random"))
			getrandom(payload, plen, 0);
		else
			memset(payload, 0, plen);
	}
	s.payload = payload;
	s.payload_len = plen;
	if (hdr + plen > (size_t)mtu + XG_TG_ETH_LEN)
		fail("--dev %s: a %zu-byte frame is over the MTU (%d)", o->dev, hdr + plen, mtu);
	len = pkt_build(&s, frame, cap);
	if (!len)
		fail("cannot build a %zu-byte frame", hdr + plen);
	pkt_set_macs(frame, o->dst_mac, o->src_mac);

	/* What the program needs to rewrite it (see xg_trafgen.bpf.c). */
	csoff = s.proto == IPPROTO_UDP ? 6 : s.proto == IPPROTO_TCP ? 16 : 2;
	ro->tg_l4_csum_off = (uint32_t)csoff;
	if (family == 6) {
		memcpy(ro->tg_tpl_src, frame + XG_TG_ETH_LEN + 8, 16);
		ro->tg_flags |= XG_TG_IPV6 | XG_TG_L4_PSEUDO;
	} else {
		memcpy(ro->tg_tpl_src, frame + XG_TG_ETH_LEN + 12, 4);
		memcpy(&ro->tg_tpl_ip_csum, frame + XG_TG_ETH_LEN + 10, 2);
		memcpy(&ro->tg_tpl_ttl_word, frame + XG_TG_ETH_LEN + 8, 2);
		if (s.proto != IPPROTO_ICMP)
			ro->tg_flags |= XG_TG_L4_PSEUDO;
	}
	memcpy(&ro->tg_tpl_l4_csum, frame + l4off + csoff, 2);
	memcpy(&ro->tg_tpl_sport, frame + l4off, 2);
	if (s.proto == IPPROTO_UDP || s.proto == IPPROTO_TCP)
		ro->tg_flags |= XG_TG_L4_PORTS;
	return len;
}

/* Random or sequential sources: base and mask into rodata. */
static void setup_sources(const struct opts *o, int family, struct xg_trafgen_bpf__rodata *ro)
{
	int i;

	if (o->random_src) {
		uint8_t mask[16] = {0};
		int bits = family == 6 ? 128 : 32;

		for (i = o->rs_plen; i < bits; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		memcpy(ro->tg_src_base, o->rs_addr, (size_t)bits / 8);
		memcpy(ro->tg_src_mask, mask, (size_t)bits / 8);
		ro->tg_flags |= XG_TG_RAND_SRC;
	} else if (o->sources > 1) {
		uint32_t last;

		memcpy(ro->tg_src_base, ro->tg_tpl_src, sizeof(ro->tg_src_base));
		last = ntohl(family == 6 ? ro->tg_src_base[3] : ro->tg_src_base[0]);
		if ((uint64_t)last + o->sources - 1 > UINT32_MAX)
			fail("--sources %llu: %s + %llu runs past the end of the address space",
			     (unsigned long long)o->sources, o->src,
			     (unsigned long long)o->sources - 1);
		ro->tg_nsources = (uint32_t)o->sources;
		ro->tg_flags |= XG_TG_SEQ_SRC;
	}
}

/* The due time of frame i at w->pps frames per second. */
static uint64_t due_ns(const struct worker *w, uint64_t i)
{
	return w->start_ns + (uint64_t)((double)i * 1e9 / (double)w->pps);
}

/* Plans the next test-run call (see the comment at CALL_TARGET_NS): returns
 * how many frames it sends, 0 to end the run, and sets *due to when it
 * should start (0: now). */
static uint64_t plan_call(struct worker *w, uint64_t *due)
{
	uint64_t n = w->count ? w->count - w->sent : UINT32_MAX, now, left, cap;

	*due = 0;
	if (!n)
		return 0;
	if (w->pps) {
		*due = due_ns(w, w->sent);
		if (w->deadline_ns && *due >= w->deadline_ns)
			return 0;
		if (w->pps <= PACE_SINGLE_MAX)
			return 1;
		/* Every frame due by the end of the next slice (a late call
		 * catches up), none due after the deadline. */
		now = now_ns();
		if (*due < now)
			*due = now;
		left = *due + PACE_SLICE_NS - w->start_ns;
		if (w->deadline_ns && left > w->deadline_ns - w->start_ns)
			left = w->deadline_ns - w->start_ns;
		cap = (uint64_t)((double)left * (double)w->pps / 1e9);
		if (cap <= w->sent)
			return 1;
		cap -= w->sent;
		if (n > cap)
			n = cap;
		/* A sender slower than the rate stays behind its schedule: the
		 * deadline below, not the schedule, ends its run. */
	}
	if (n > w->n_fast)
		n = w->n_fast;
	if (!w->deadline_ns)
		return n;
	now = now_ns();
	if (now >= w->deadline_ns)
		return 0;
	left = w->deadline_ns - now;
	/* A call costs overhead + n * per frame: end a little early rather
	 * than overshoot by a whole overhead (but always make one call). */
	if (left <= w->overhead_ns)
		return w->sent ? 0 : n;
	if ((double)n * w->frame_ns > (double)(left - w->overhead_ns))
		n = (uint64_t)((double)(left - w->overhead_ns) / w->frame_ns);
	return n ? n : 1;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = w->frame, .data_size_in = w->frame_len,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = (uint32_t)w->batch);
	uint64_t n, due, t0, wall, fixed;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	w->n_fast = CALL_FIRST;
	w->frame_ns = 30;
	w->overhead_ns = 30000000;
	while (!atomic_load(&stop_flag)) {
		n = plan_call(w, &due);
		if (!n)
			break;
		if (due) {
			sleep_until(due);
			if (atomic_load(&stop_flag))
				break;
		}
		t.repeat = (uint32_t)n;
		t0 = now_ns();
		if (bpf_prog_test_run_opts(w->prog_fd, &t)) {
			w->err = errno;
			atomic_store(&stop_flag, true);
			break;
		}
		wall = now_ns() - t0;
		w->sent += n;
		if (n < 2)
			continue;
		/* t.duration: the kernel's mean ns per frame, truncated. */
		w->frame_ns = (double)t.duration + 0.5;
		fixed = (uint64_t)((double)n * w->frame_ns);
		w->overhead_ns = wall > fixed ? wall - fixed : 0;
		w->n_fast = (uint64_t)((double)CALL_TARGET_NS / w->frame_ns);
		if (w->n_fast < CALL_FIRST)
			w->n_fast = CALL_FIRST;
		if (w->n_fast > UINT32_MAX)
			w->n_fast = UINT32_MAX;
	}
	/* Paced: the run lasts until the next frame would be due, so the
	 * reported rate is the configured one. */
	if (w->pps && w->sent && !atomic_load(&stop_flag)) {
		due = due_ns(w, w->sent);
		sleep_until(w->deadline_ns && due > w->deadline_ns ? w->deadline_ns : due);
	}
	return NULL;
}

/* Prints s as a JSON string (interface names may hold quotes). */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* CPUs this process may run on, in order; returns how many. */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

static const char *test_run_error(int err)
{
	switch (err) {
	case EINVAL:
		return "the kernel rejected the live-frames test run (needs Linux 5.18+)";
	case EPERM:
	case EACCES:
		return "not permitted (needs root, or CAP_BPF and CAP_NET_ADMIN)";
	default:
		return strerror(err);
	}
}

int main(int argc, char **argv)
{
	static uint8_t frame[PKT_MAX];
	struct worker workers[MAX_THREADS];
	struct xg_trafgen_bpf *skel;
	struct dev_stats before, after;
	struct sigaction sa;
	sigset_t sigs;
	struct opts o;
	uint64_t start, end, total = 0, tx = 0;
	int cpus[MAX_THREADS], ncpu, ifindex, mtu, family, err = 0, i;
	size_t len;
	double secs, rate;

	parse_args(argc, argv, &o);
	ifindex = (int)if_nametoindex(o.dev);
	if (!ifindex)
		fail("--dev: no interface '%s' in this network namespace", o.dev);
	probe_dev(o.dev, o.src_mac, !o.have_src_mac, &mtu);

	libbpf_set_print(libbpf_log);
	skel = xg_trafgen_bpf__open();
	if (!skel)
		fail("cannot open the BPF program: %s", strerror(errno));
	skel->rodata->tg_ifindex = (uint32_t)ifindex;
	skel->rodata->tg_nsources = 1;
	len = build_frame(&o, mtu, frame, sizeof(frame), skel->rodata);
	family = skel->rodata->tg_flags & XG_TG_IPV6 ? 6 : 4;
	setup_sources(&o, family, skel->rodata);
	if (o.random_ttl)
		skel->rodata->tg_flags |= XG_TG_RAND_TTL;
	if (o.random_sport)
		skel->rodata->tg_flags |= XG_TG_RAND_SPORT;
	err = xg_trafgen_bpf__load(skel);
	if (err == -EPERM || err == -EACCES)
		fail("cannot load the BPF program: needs root (CAP_BPF and CAP_NET_ADMIN)");
	if (err)
		fail("cannot load the BPF program: %s (XDPGUARD_DEBUG=1 shows why)",
		     strerror(-err));

	/* SIGINT/SIGTERM reach only this thread: a signal pending on a sender
	 * would abort its test run (EINTR) and lose the count of that call.
	 * The senders see stop_flag and finish the call they are in. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	ncpu = allowed_cpus(cpus, MAX_THREADS);
	before = read_dev_stats(ifindex);
	start = now_ns();
	for (i = 0; i < o.threads; i++) {
		struct worker *w = &workers[i];

		memset(w, 0, sizeof(*w));
		w->prog_fd = bpf_program__fd(skel->progs.xg_trafgen);
		w->cpu = ncpu ? cpus[i % ncpu] : -1;
		w->frame = frame;
		w->frame_len = (uint32_t)len;
		w->batch = o.batch;
		w->count = o.count ? o.count / (uint64_t)o.threads +
					 ((uint64_t)i < o.count % (uint64_t)o.threads)
				   : 0;
		w->pps = o.pps ? o.pps / (uint64_t)o.threads +
				     ((uint64_t)i < o.pps % (uint64_t)o.threads)
			       : 0;
		w->start_ns = start;
		w->deadline_ns = o.duration > 0 ? start + (uint64_t)(o.duration * 1e9) : 0;
		if (o.count && !w->count)
			continue; /* more threads than frames */
		if (o.pps && !w->pps)
			continue;
		if (pthread_create(&w->tid, NULL, worker_run, w))
			fail("cannot start sending thread %d", i);
		w->started = true;
	}
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	for (i = 0; i < o.threads; i++) {
		struct worker *w = &workers[i];

		if (!w->started)
			continue;
		pthread_join(w->tid, NULL);
		total += w->sent;
		if (w->err && !err)
			err = w->err;
	}
	end = now_ns();
	after = settle_dev_stats(ifindex, before, total);
	xg_trafgen_bpf__destroy(skel);

	if (err && !total)
		fail("BPF_PROG_TEST_RUN: %s", test_run_error(err));
	secs = (double)(end - start) / 1e9;
	rate = secs > 0 ? (double)total / secs : 0;
	if (before.ok && after.ok)
		tx = after.tx_packets - before.tx_packets;
	if (o.json) {
		printf("{\"sent\":%llu,\"seconds\":%.6f,\"pps\":%.0f,\"bits_per_sec\":%.0f,"
		       "\"frame_bytes\":%zu,\"threads\":%d,\"dev\":",
		       (unsigned long long)total, secs, rate, rate * (double)len * 8, len,
		       o.threads);
		json_string(o.dev);
		if (before.ok && after.ok)
			printf(",\"dev_tx_packets\":%llu,\"dev_tx_dropped\":%llu",
			       (unsigned long long)tx,
			       (unsigned long long)(after.tx_dropped - before.tx_dropped));
		printf("}\n");
	} else {
		printf("sent %llu packets in %.3f s (%.0f pps)\n", (unsigned long long)total, secs,
		       rate);
	}
	fflush(stdout);
	/* The device counters include whatever else the stack sent meanwhile,
	 * so this only catches frames lost in bulk. */
	if (before.ok && after.ok && tx < total / 2)
		fprintf(stderr,
			"xg-trafgen: warning: %s transmitted only %llu of %llu frames: on a veth "
			"pair the peer needs an XDP program or GRO (see --help)\n",
			o.dev, (unsigned long long)tx, (unsigned long long)total);
	else if (before.ok && after.ok && tx < total)
		fprintf(stderr,
			"xg-trafgen: warning: %s transmitted %llu of %llu frames: the receiver "
			"dropped the rest (too slow? fewer --threads or a smaller --batch)\n",
			o.dev, (unsigned long long)tx, (unsigned long long)total);
	if (err)
		fail("BPF_PROG_TEST_RUN stopped early: %s", test_run_error(err));
	return 0;
}
