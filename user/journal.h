/* SPDX-License-Identifier: GPL-2.0-only */
/* The incident journal: JSON lines in STATE_DIR/incidents.jsonl, one per
 * event (open, update, close), fsync'd on open and close so a kill -9 loses
 * no acknowledged incident. */
#ifndef XG_JOURNAL_H
#define XG_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "detect.h"

#define XG_JOURNAL_FILE "incidents.jsonl"

/* The incident as a JSON object (also the replay and API format). */
struct json_object *xg_incident_to_json(const struct xg_incident *inc, const char *event);

/* Appends one event line; fsync'd when sync is set. */
int xg_journal_append(const char *state_dir, const struct xg_incident *inc, const char *event,
		      bool sync, char *err, size_t errlen);

/* Appends any event object as one line (mitigation decisions). */
int xg_journal_append_json(const char *state_dir, struct json_object *obj, bool sync, char *err,
			   size_t errlen);

/* Calls cb with every line's object, oldest first; a line that does not
 * parse is reported through err and skipped (a torn last line after a
 * crash). Returns 0, or the first non-zero cb value. */
int xg_journal_read(const char *state_dir, int (*cb)(struct json_object *event, void *arg),
		    void *arg, char *err, size_t errlen);

#endif
