/* SPDX-License-Identifier: GPL-2.0-only */
/* CIDR parsing and formatting for IPv4 and IPv6. Pure functions. */
#ifndef XG_CIDR_H
#define XG_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xg_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned int prefixlen;
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/* Parses "10.0.0.1", "10.0.0.0/24", "2001:db8::/32". Host bits must be zero.
 * On error returns -1 and writes a one-line reason into err. */
int xg_cidr_parse(const char *text, struct xg_cidr *out, char *err, size_t errlen);

/* "10.0.0.0/24"; a full-length prefix prints as a bare address. */
void xg_cidr_format(const struct xg_cidr *c, char *buf, size_t len);

/* Address bits in the family: 32 or 128. */
unsigned int xg_cidr_maxlen(const struct xg_cidr *c);

bool xg_cidr_is_host(const struct xg_cidr *c);

/* True when inner lies entirely within outer. */
bool xg_cidr_contains(const struct xg_cidr *outer, const struct xg_cidr *inner);

/* Netmask for a prefix length as 4 network-order words (IPv4 uses word 0). */
void xg_cidr_mask_words(unsigned int prefixlen, uint32_t mask[4]);

#endif /* XG_CIDR_H */
