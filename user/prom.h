/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Prometheus exposition (text format 0.0.4) of the controller's
 * published state: the metric names and labels listed in obs.h. Pure.
 */
#ifndef XG_PROM_H
#define XG_PROM_H

#include <stddef.h>

#include "obs.h"

/* At most this many series (lines that are not comments) in one
 * exposition, whatever the traffic: the breakdown is in prom.c. */
#define XG_PROM_MAX_SERIES 271

/* Renders o into a malloc'd, NUL-terminated buffer (*out, *len without the
 * NUL). Per-port series: the watched ports plus the top_ports busiest of
 * the last tick (0-64; the tick keeps XG_TOP_PORTS of them), each once.
 * Returns 0 or -ENOMEM. */
int xg_prom_render(const struct xg_obs *o, int top_ports, char **out, size_t *len);

/* s as a label value: backslash, double quote and newline escaped, like
 * snprintf (the length needed is returned; out is truncated to fit and
 * NUL-terminated). What the exposition uses for every label value. */
size_t xg_prom_escape_label(const char *s, char *out, size_t outlen);

#endif /* XG_PROM_H */
