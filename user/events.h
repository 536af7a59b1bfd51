/* SPDX-License-Identifier: GPL-2.0-only */
/* Where the controller's events go: the daemon logs them, replay prints
 * them. obj is borrowed for the call. */
#ifndef XG_EVENTS_H
#define XG_EVENTS_H

#include <stdint.h>
#include <json-c/json.h>

struct xg_event_sink {
	void (*emit)(void *arg, const char *event, uint64_t ts_ns, struct json_object *obj);
	void *arg;
};

#endif
