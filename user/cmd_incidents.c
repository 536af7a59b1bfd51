// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl incidents and xdpctl incident show: read the journal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "journal.h"

/* The latest state of each incident, in order of first appearance. */
struct incident_list {
	struct json_object **v;
	size_t n, cap;
	double since;
	const char *only_id;
};

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static double num_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static int collect(struct json_object *ev, void *arg)
{
	struct incident_list *l = arg;
	const char *id = str_of(ev, "id");
	size_t i;

	if (strncmp(str_of(ev, "event"), "incident_", 9))
		return 0; /* mitigation decisions are journaled too; not incidents */
	if (l->only_id && strcmp(id, l->only_id))
		return 0;
	for (i = 0; i < l->n; i++) {
		if (!strcmp(str_of(l->v[i], "id"), id)) {
			json_object_put(l->v[i]);
			l->v[i] = json_object_get(ev);
			return 0;
		}
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct json_object **nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = json_object_get(ev);
	return 0;
}

static int read_list(const char *cmd, const char *state_dir, struct incident_list *l)
{
	char err[XG_ERR_LEN];
	int ret = xg_journal_read(state_dir, collect, l, err, sizeof(err));

	if (err[0])
		fprintf(stderr, "xdpctl %s: warning: %s\n", cmd, err);
	if (ret < 0)
		return xg_fail(cmd, "cannot read the journal in %s: %s", state_dir, strerror(-ret));
	return 0;
}

static void free_list(struct incident_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_put(l->v[i]);
	free(l->v);
}

static const char *state_dir_of(const char *config, const char *state_dir, char *buf, size_t len)
{
	struct xg_cfg cfg;
	char err[XG_ERR_LEN];

	if (state_dir)
		return state_dir;
	if (config ? xg_cfg_load(&cfg, config, err, sizeof(err)) : (xg_cfg_defaults(&cfg), 0)) {
		xg_fail("incidents", "%s", err);
		return NULL;
	}
	snprintf(buf, len, "%s", cfg.state_dir);
	return buf;
}

int cmd_incidents(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"since", required_argument, NULL, 's'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct incident_list l = {0};
	const char *sd = NULL, *config = NULL;
	char buf[4096];
	bool json = false;
	size_t i;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "js:d:c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 's':
			if (xg_parse_since(optarg, &l.since))
				return xg_fail("incidents",
					       "invalid --since '%s': use 2h, 7d, 2026-11-21 or "
					       "2026-11-21T10:00:00Z",
					       optarg);
			break;
		case 'd':
			sd = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			puts("usage: xdpctl incidents [--json] [--since T] [--state-dir DIR] "
			     "[--config FILE]\n"
			     "Lists incidents from the journal, oldest first, each in its latest "
			     "state.\nT is a time ago (2h, 7d) or a date (2026-11-21, "
			     "2026-11-21T10:00:00Z).");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return xg_fail("incidents", "unexpected argument '%s'", argv[optind]);
	sd = state_dir_of(config, sd, buf, sizeof(buf));
	if (!sd || read_list("incidents", sd, &l))
		return 1;
	if (json) {
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < l.n; i++)
			if (num_of(l.v[i], "start") >= l.since)
				json_object_array_add(arr, json_object_get(l.v[i]));
		xg_json_print(arr);
		json_object_put(arr);
	} else {
		printf("%-24s %-20s %-22s %-9s %-10s %5s %12s %s\n", "ID", "START (UTC)", "FAMILY",
		       "SERVICE", "STATE", "CONF", "PEAK PPS", "DURATION");
		for (i = 0; i < l.n; i++) {
			struct json_object *o = l.v[i];
			bool closed = !strcmp(str_of(o, "event"), "incident_close");
			char fam[64], dur[32];

			if (num_of(o, "start") < l.since)
				continue;
			snprintf(fam, sizeof(fam), "%s%s%s", str_of(o, "family"),
				 *str_of(o, "subtype") ? "/" : "", str_of(o, "subtype"));
			if (closed)
				xg_format_duration((uint64_t)num_of(o, "duration_s"), dur,
						   sizeof(dur));
			else
				snprintf(dur, sizeof(dur), "-");
			printf("%-24s %-20s %-22s %-9s %-10s %5.0f %12.0f %s\n", str_of(o, "id"),
			       str_of(o, "start_utc"), fam, str_of(o, "service"),
			       closed ? "closed" : "open", num_of(o, "confidence"),
			       num_of(o, "peak_pps"), dur);
		}
		if (!l.n)
			printf("(no incidents)\n");
	}
	free_list(&l);
	return 0;
}

int cmd_incident(int argc, char **argv)
{
	struct incident_list l = {0};
	const char *sd = NULL, *id = NULL;
	char buf[4096];
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: xdpctl incident show ID [--state-dir DIR]\n"
			     "Prints the incident's latest state as JSON: classification, "
			     "evidence, peaks, metrics, destinations.");
			return 0;
		}
	}
	if (argc < 3 || strcmp(argv[1], "show"))
		return xg_fail("incident", "usage: xdpctl incident show ID [--state-dir DIR]");
	id = argv[2];
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			sd = argv[++i];
		else
			return xg_fail("incident", "unexpected argument '%s'", argv[i]);
	}
	sd = state_dir_of(NULL, sd, buf, sizeof(buf));
	l.only_id = id;
	if (!sd || read_list("incident", sd, &l))
		return 1;
	if (!l.n) {
		free_list(&l);
		return xg_fail("incident", "no incident '%s' in %s", id, sd);
	}
	xg_json_print(l.v[0]);
	free_list(&l);
	return 0;
}
