/* SPDX-License-Identifier: GPL-2.0-only */
/* Every map of the XDP program, in one place. All are pinned by name under
 * XG_PIN_DIR so xdpctl, the controller and bpftool share them. */
#ifndef XG_MAPS_H
#define XG_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_pkt.h"

#define XG_PINNED __uint(pinning, LIBBPF_PIN_BY_NAME)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_config);
	XG_PINNED;
} xg_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_stats);
	XG_PINNED;
} xg_stats SEC(".maps");

/* Per-port counters, one block of 2 * XG_PORTS per CPU in a plain array
 * that userspace mmaps: a per-CPU array would cost a 13 ms batch read per
 * tick, this costs a memory scan. The loader sizes it to the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_PORTS); /* x CPUs, set before load */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xg_port_ctr);
	XG_PINNED;
} xg_port_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_PORTS);
	__type(key, __u32);
	__type(value, struct xg_port_class);
	XG_PINNED;
} xg_port_class SEC(".maps");

/* Exact entries are allocated on insert: a node with a few blocks should not
 * carry the memory of a million. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_BLOCK_EXACT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_block);
	XG_PINNED;
} xg_block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_BLOCK_EXACT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_block);
	XG_PINNED;
} xg_block_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_BLOCK_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v4_prefix_key);
	__type(value, struct xg_block);
	XG_PINNED;
} xg_block_pfx_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_BLOCK_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v6_prefix_key);
	__type(value, struct xg_block);
	XG_PINNED;
} xg_block_pfx_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_ALLOW_EXACT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_allow);
	XG_PINNED;
} xg_allow_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_ALLOW_EXACT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_allow);
	XG_PINNED;
} xg_allow_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_ALLOW_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v4_prefix_key);
	__type(value, struct xg_allow);
	XG_PINNED;
} xg_allow_pfx_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_ALLOW_PREFIX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_v6_prefix_key);
	__type(value, struct xg_allow);
	XG_PINNED;
} xg_allow_pfx_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_RATELIMIT_MAX);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_ratelimit);
	XG_PINNED;
} xg_rl_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_RATELIMIT_MAX);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_ratelimit);
	XG_PINNED;
} xg_rl_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_TALKERS_MAX);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_talker);
	XG_PINNED;
} xg_talkers_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_TALKERS_MAX);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_talker);
	XG_PINNED;
} xg_talkers_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_PORTS);
	__type(key, __u32);
	__type(value, struct xg_sport_class);
	XG_PINNED;
} xg_sport_class SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_VICTIMS_MAX);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_talker);
	XG_PINNED;
} xg_victims_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_VICTIMS_MAX);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_talker);
	XG_PINNED;
} xg_victims_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_PEERS_MAX);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_peer);
	XG_PINNED;
} xg_peers_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_PEERS_MAX);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_peer);
	XG_PINNED;
} xg_peers_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_learn);
	XG_PINNED;
} xg_learn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_SRCBITS_WORDS); /* x CPUs, set before load */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	XG_PINNED;
} xg_srcbits SEC(".maps");

/* Protect mode: per-source buckets of unknown sources, and the per-CPU
 * aggregate budget of each service. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_RATELIMIT_MAX);
	__type(key, struct xg_v4_key);
	__type(value, struct xg_ratelimit);
	XG_PINNED;
} xg_prot_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_RATELIMIT_MAX);
	__type(key, struct xg_v6_key);
	__type(value, struct xg_ratelimit);
	XG_PINNED;
} xg_prot_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_SVC_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_budget);
	XG_PINNED;
} xg_budget SEC(".maps");

/* Sampled packets for the incident captures (struct xg_sample records). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XG_SAMPLES_BYTES);
	XG_PINNED;
} xg_samples SEC(".maps");

/* A sample is built here, then copied into xg_samples at its own length
 * (a ring reservation must have a constant size). Private, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_sample);
} xg_sample_buf SEC(".maps");

/* Blocked IPv4 sources seen recently on this CPU, for the drop fast path
 * (xg_hot.h). Private, per CPU, direct-mapped by a hash of the source. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_hot);
} xg_hot SEC(".maps");

/* The packet being processed, per CPU and private to the program: lets the
 * parsing past L3 and the prefix probes be global functions, verified once,
 * that still see the whole parse result. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_pkt);
} xg_scratch SEC(".maps");

#endif /* XG_MAPS_H */
