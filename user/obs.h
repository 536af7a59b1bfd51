/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the controller shows the outside world: the HTTP thread's /metrics,
 * /api/v1 and /status, and `xdpctl top`. The tick thread fills one struct
 * xg_obs per tick and publishes it (xg_obs_publish: a copy under a mutex);
 * the HTTP thread takes a copy (xg_obs_get) and renders from that, so a
 * scrape never holds up a tick and a tick never waits for a scrape.
 *
 * The counters are the XDP program's own totals (one program and one set of
 * maps serves every attached interface, so they are per node; the
 * interfaces are listed, not a label). Rates, thresholds and baselines are
 * the last tick's.
 *
 * Prometheus metric names (prom.c renders them; config/grafana-xdpguard.json
 * and `xdpctl top` use the same):
 *
 *   xdpguard_build_info{version}                          gauge 1
 *   xdpguard_up                                           gauge 1
 *   xdpguard_learning                                     gauge 0/1
 *   xdpguard_monitor_only                                 gauge 0/1
 *   xdpguard_packets_total{proto}                         counter
 *   xdpguard_bytes_total{proto}                           counter
 *   xdpguard_service_packets_total{service}               counter
 *   xdpguard_service_bytes_total{service}                 counter
 *   xdpguard_sip_requests_total{method}                   counter
 *   xdpguard_sip_malformed_packets_total                  counter
 *   xdpguard_rtp_invalid_packets_total                    counter
 *   xdpguard_malformed_packets_total{layer}               counter
 *   xdpguard_verdict_packets_total{verdict}               counter
 *   xdpguard_dropped_packets_total{reason}                counter
 *   xdpguard_would_drop_packets_total{reason}             counter
 *   xdpguard_allowed_packets_total                        counter (preserved peers)
 *   xdpguard_tcp_flag_packets_total{flag}                 counter
 *   xdpguard_port_packets_total{proto,port}               counter: watched ports
 *                                                         and the top N only
 *   xdpguard_rate{metric}                                 gauge, per second
 *   xdpguard_threshold{metric}                            gauge
 *   xdpguard_baseline{metric}                             gauge (the window's p99)
 *   xdpguard_incident_open                                gauge 0/1
 *   xdpguard_incidents_total                              counter (opened since start)
 *   xdpguard_escalation_level                             gauge 0-5
 *   xdpguard_blocks_active                                gauge
 *   xdpguard_allowlist_entries                            gauge
 *   xdpguard_peers_learned                                gauge
 *   xdpguard_bgp_rules_active                             gauge
 *   xdpguard_alert_queue_depth                            gauge
 *   xdpguard_capture_samples_total / _lost_total          counter
 *   xdpguard_tick_duration_seconds                        histogram
 *
 * Label values come from fixed tables (names.c), the configured watched
 * ports and the top N ports (http.top_ports), so the series count is
 * bounded: documented in README.
 */
#ifndef XG_OBS_H
#define XG_OBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "counters.h"
#include "detect.h"
#include "snapshot.h"

/* Tick duration histogram bucket upper bounds, seconds; +Inf is implied. */
#define XG_OBS_TICK_BUCKETS 10
extern const double xg_obs_tick_le[XG_OBS_TICK_BUCKETS];

struct xg_obs_tick_hist {
	uint64_t count[XG_OBS_TICK_BUCKETS]; /* cumulative: ticks <= le[i] */
	uint64_t total;			     /* all ticks (the +Inf bucket) */
	double sum_s;
};

/* Cumulative packets to one destination port. */
struct xg_obs_port {
	uint8_t l4; /* XG_PORT_L4_TCP or XG_PORT_L4_UDP */
	uint16_t port;
	uint64_t packets;
};

/* The watched ports (32 + 32) and the last tick's top ports (16). */
#define XG_OBS_PORTS_MAX 96

/* The kernel's cumulative counters, without the 128k per-port counters:
 * only the ports a scrape shows are copied (the whole table would be a
 * megabyte copied twice a tick). */
struct xg_obs_totals {
	struct xg_stats st;
	int n_ports;
	struct xg_obs_port ports[XG_OBS_PORTS_MAX];
};

struct xg_obs {
	uint64_t ts_ns;	   /* CLOCK_REALTIME at the end of the tick */
	uint64_t start_ns; /* when the controller started */
	uint64_t seq;	   /* ticks published */
	char node[64];	   /* alerts.node, else the host name */
	int n_ifaces;
	char ifaces[XG_CFG_MAX_IFACES][16];
	uint32_t tick_ms;
	bool learning;
	bool monitor_only;

	struct xg_obs_totals totals; /* cumulative kernel counters */
	bool have_snap;
	struct xg_snapshot snap;   /* the last tick's rates */
	double thr[XG_M_MAX];	   /* the last tick's thresholds */
	double baseline[XG_M_MAX]; /* the baseline window's p99 per metric */
	uint16_t watched_udp[32];  /* watched ports, for per-port series */
	uint16_t watched_tcp[32];
	int n_watched_udp, n_watched_tcp;

	bool incident_open;
	struct xg_incident inc; /* the open one, when incident_open */
	uint64_t incidents_total;
	int esc_level; /* enum xg_bgp_level of the open incident, 0 none */

	size_t blocks_active;
	size_t allow_entries;
	size_t peers_learned;
	size_t bgp_rules;
	size_t alert_queue_depth;

	struct xg_obs_tick_hist tick;
};

/* The published copy and its lock; one per controller. */
struct xg_obs_board {
	pthread_mutex_t lock;
	struct xg_obs cur;
	bool valid;
};

void xg_obs_board_init(struct xg_obs_board *b);
void xg_obs_board_destroy(struct xg_obs_board *b);
/* Copies o in (tick thread). */
void xg_obs_publish(struct xg_obs_board *b, const struct xg_obs *o);
/* Copies the last published state out; false when nothing was published. */
bool xg_obs_get(struct xg_obs_board *b, struct xg_obs *out);

/* The cumulative packets of a port in o->totals (0 when not copied);
 * xg_obs_port_set adds or replaces one (false when the list is full). */
uint64_t xg_obs_port_total(const struct xg_obs *o, int l4, uint16_t port);
bool xg_obs_port_set(struct xg_obs *o, int l4, uint16_t port, uint64_t packets);

/* Adds one tick's duration to the histogram. */
void xg_obs_tick_add(struct xg_obs_tick_hist *h, double seconds);

#endif /* XG_OBS_H */
