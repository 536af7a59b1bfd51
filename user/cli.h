/* SPDX-License-Identifier: GPL-2.0-only */
/* What every xdpctl command shares: errors, option values, time, the lock. */
#ifndef XG_CLI_H
#define XG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "maps.h"

#define XG_ERR_LEN 512

/* Prints "xdpctl CMD: message" on stderr; returns 1 (the exit status). */
int xg_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses "300", "90s", "5m", "2h", "1d" into seconds. */
int xg_parse_duration(const char *text, uint64_t *out_s);

/* A point in time for --since and ?since=: "2h", "7d" ago, a Unix time,
 * or a date (YYYY-MM-DD[THH:MM:SSZ], UTC). 0, or -1 when unreadable. */
int xg_parse_since(const char *s, double *out);

/* Parses a decimal integer in [min, max]. */
int xg_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* "4m58s", "2h03m", "-" for 0. */
void xg_format_duration(uint64_t seconds, char *buf, size_t len);

/* "12.3k", "1.20M". */
void xg_format_rate(double v, char *buf, size_t len);

uint64_t xg_mono_ns(void);

/* Preflight (privileges, bpffs, kernel), the exclusive lock held until exit,
 * and the pinned maps. Prints the error itself; returns 0 or the exit code. */
int xg_cli_open(const char *cmd, struct xg_maps *maps, bool lock);

/* "xdpctl CMD [OPTIONS] SUB [OPTIONS] [ARGS]": options on both sides of
 * the subcommand. parse(argc, argv, optstring, opts) reads options with
 * getopt_long and returns 0 to go on or the exit code plus one. On 0,
 * *sub is the subcommand and (*argv)[optind..*argc) its arguments;
 * otherwise the return value is the exit code plus one (no subcommand:
 * usage on stderr, 2). */
int xg_cli_sub(int *argc, char ***argv, const char *optstring,
	       int (*parse)(int argc, char **argv, const char *optstring, void *opts), void *opts,
	       const char *usage, const char **sub);

/* A string member of a JSON object; NULL when o is NULL, or the member is
 * absent or not a string. */
const char *xg_json_str(struct json_object *o, const char *key);

/* Prints a json-c object on stdout, pretty. */
void xg_json_print(struct json_object *obj);

/* Commands, one per module; each returns the process exit code. */
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_block(int argc, char **argv);
int cmd_unblock(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_disallow(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bgp(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_incidents(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_pcap(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif
