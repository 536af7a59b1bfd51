/* SPDX-License-Identifier: GPL-2.0-only */
/* The runtime config map (xg_config) and the port-to-service table. */
#ifndef XG_RTCFG_H
#define XG_RTCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xdpguard/abi.h>
#include "maps.h"

#define XG_DEFAULT_SIP_PORT	   5060
#define XG_DEFAULT_SIP_TLS_PORT	   5061
#define XG_DEFAULT_RTP_LO	   10000
#define XG_DEFAULT_RTP_HI	   20000
#define XG_DEFAULT_SAMPLE_SHIFT	   6	 /* 1 packet in 64 into the talker maps */
#define XG_DEFAULT_RTP_LEARN_SHIFT 6	 /* 1 valid RTP packet in 64 into xg_peers */
#define XG_DEFAULT_CLIENT_LO	   32768 /* Linux's ip_local_port_range */
#define XG_DEFAULT_CLIENT_HI	   60999
#define XG_DEFAULT_LEARN_BUDGET	   4096 /* xg_peers updates per CPU until refilled */

/* Fills xg_sport_class with the well-known reflector source ports. */
int xg_amp_ports_init(const struct xg_maps *m);

/* Sets every CPU's learning budget (xg_learn) to n updates. */
int xg_learn_refill(const struct xg_maps *m, int64_t n);

/* True when any CPU spent budget since it was refilled to n (the learning
 * maps changed); true as well when the map cannot be read. *touched_v6
 * (if not NULL) gets the updates made to xg_peers_v6 so far, summed over
 * the CPUs, or UINT64_MAX when the map cannot be read. */
bool xg_learn_used(const struct xg_maps *m, int64_t n, uint64_t *touched_v6);

int xg_rtcfg_read(const struct xg_maps *m, struct xg_config *out);
int xg_rtcfg_write(const struct xg_maps *m, const struct xg_config *cfg);

/* Writes the defaults (SIP 5060/udp+tcp, 5061/tcp TLS, RTP 10000-20000/udp)
 * when the config has never been initialised; leaves it alone otherwise. */
int xg_rtcfg_init(const struct xg_maps *m, char *err, size_t errlen);

/* Sets the service class of (l4, lo..hi); svc XG_SVC_NONE clears. */
int xg_port_class_set(const struct xg_maps *m, int l4, uint16_t lo, uint16_t hi, uint8_t svc);

/* Replaces the whole table: tbl[XG_PORT_KEY(l4, port)] = service class. */
int xg_port_class_write_all(const struct xg_maps *m, const uint8_t *tbl);

/* Clears every port of a service class (before re-assigning it). */
int xg_port_class_clear_svc(const struct xg_maps *m, uint8_t svc);

/* Reads the whole table: out[XG_PORT_KEY(l4, port)]. */
int xg_port_class_read(const struct xg_maps *m, uint8_t *out /* 2 * XG_PORTS */);

#endif
