// SPDX-License-Identifier: GPL-2.0-only
#include "cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int xg_cidr_maxlen(const struct xg_cidr *c)
{
	return c->family == AF_INET ? 32 : 128;
}

bool xg_cidr_is_host(const struct xg_cidr *c)
{
	return c->prefixlen == xg_cidr_maxlen(c);
}

void xg_cidr_mask_words(unsigned int prefixlen, uint32_t mask[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		int bits = (int)prefixlen - 32 * i;

		if (bits >= 32)
			mask[i] = 0xffffffffu;
		else if (bits <= 0)
			mask[i] = 0;
		else
			mask[i] = htonl(0xffffffffu << (32 - bits));
	}
}

/* Bytes of addr that fall under the mask of prefixlen; host bits zero? */
static bool host_bits_zero(const uint8_t *addr, unsigned int prefixlen, unsigned int maxlen)
{
	unsigned int bit;

	for (bit = prefixlen; bit < maxlen; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void apply_mask(uint8_t *addr, unsigned int prefixlen, unsigned int maxlen)
{
	unsigned int bit;

	for (bit = prefixlen; bit < maxlen; bit++)
		addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
}

int xg_cidr_parse(const char *text, struct xg_cidr *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;
	unsigned int maxlen;

	memset(out, 0, sizeof(*out));
	if (!text || !*text) {
		snprintf(err, errlen, "empty address");
		return -1;
	}
	slash = strchr(text, '/');
	alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof(buf)) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address or CIDR", text);
		return -1;
	}
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address or CIDR", text);
		return -1;
	}
	maxlen = xg_cidr_maxlen(out);
	out->prefixlen = maxlen;
	if (slash) {
		const char *p = slash + 1;
		char *endp;
		unsigned long len;

		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "'%s': prefix length must be a number 0-%u", text,
				 maxlen);
			return -1;
		}
		errno = 0;
		len = strtoul(p, &endp, 10);
		if (errno || *endp || len > maxlen) {
			snprintf(err, errlen, "'%s': prefix length must be a number 0-%u", text,
				 maxlen);
			return -1;
		}
		out->prefixlen = (unsigned int)len;
	}
	if (!host_bits_zero(out->addr, out->prefixlen, maxlen)) {
		struct xg_cidr fixed = *out;
		char hint[INET6_ADDRSTRLEN + 8];

		apply_mask(fixed.addr, fixed.prefixlen, maxlen);
		xg_cidr_format(&fixed, hint, sizeof(hint));
		snprintf(err, errlen, "'%s' has host bits set (did you mean %s?)", text, hint);
		return -1;
	}
	return 0;
}

void xg_cidr_format(const struct xg_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, a, sizeof(a))) {
		snprintf(buf, len, "?");
		return;
	}
	if (xg_cidr_is_host(c))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, c->prefixlen);
}

bool xg_cidr_contains(const struct xg_cidr *outer, const struct xg_cidr *inner)
{
	uint8_t masked[16];

	if (outer->family != inner->family || inner->prefixlen < outer->prefixlen)
		return false;
	memcpy(masked, inner->addr, 16);
	apply_mask(masked, outer->prefixlen, xg_cidr_maxlen(outer));
	return memcmp(masked, outer->addr, xg_cidr_maxlen(outer) / 8) == 0;
}
