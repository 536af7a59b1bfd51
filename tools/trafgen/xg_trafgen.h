/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the trafgen XDP program and xg-trafgen: what the program does to
 * each frame before it redirects it. Set in the skeleton's rodata before the
 * load, so the verifier prunes every path that is switched off. */
#ifndef XG_TRAFGEN_H
#define XG_TRAFGEN_H

#define XG_TG_RAND_SRC	 (1u << 0) /* random source inside base/prefix */
#define XG_TG_SEQ_SRC	 (1u << 1) /* sources base, base+1, ... base+N-1, again */
#define XG_TG_RAND_TTL	 (1u << 2) /* random TTL / hop limit, 1..255 */
#define XG_TG_RAND_SPORT (1u << 3) /* random UDP/TCP source port, 1024..65535 */
#define XG_TG_IPV6	 (1u << 4) /* the template is IPv6, else IPv4 */
#define XG_TG_L4_PSEUDO	 (1u << 5) /* the L4 checksum covers the addresses (UDP, TCP, ICMPv6) */
#define XG_TG_L4_PORTS	 (1u << 6) /* the L4 header starts with ports (UDP, TCP) */

/* Frame layout the program rewrites: untagged Ethernet, IPv4 without options
 * or IPv6 without extension headers, the L4 header right after. */
#define XG_TG_ETH_LEN 14
#define XG_TG_IP4_LEN 20
#define XG_TG_IP6_LEN 40

#endif /* XG_TRAFGEN_H */
