// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl block, unblock, allow, disallow, list. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "listfile.h"
#include "lists.h"
#include "names.h"

/* Reads a list file completely; prints the error itself. */
static int read_listfile(const char *cmd, const char *path, struct xg_listfile_entry **v, size_t *n)
{
	char err[XG_ERR_LEN];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret;

	if (!f)
		return xg_fail(cmd, "cannot open %s: %s", path, strerror(errno));
	ret = xg_listfile_parse(f, path, v, n, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret)
		return xg_fail(cmd, "%s", err);
	if (*n == 0)
		return xg_fail(cmd, "%s: no entries", path);
	return 0;
}

/* Applies a whole file as one change: all entries or none. */
static int add_file(const char *cmd, enum xg_list list, const char *path,
		    const struct xg_block_spec *spec)
{
	size_t vs = list == XG_LIST_BLOCK ? sizeof(struct xg_block) : sizeof(struct xg_allow);
	struct xg_listfile_entry *v = NULL;
	struct xg_cidr *cidrs = NULL;
	char err[XG_ERR_LEN];
	uint8_t *vals = NULL;
	struct xg_maps maps;
	uint64_t now = xg_mono_ns();
	size_t n, i;
	int ret = 1;

	if (read_listfile(cmd, path, &v, &n))
		return 1;
	cidrs = calloc(n, sizeof(*cidrs));
	vals = calloc(n, vs);
	if (!cidrs || !vals) {
		xg_fail(cmd, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		cidrs[i] = v[i].cidr;
		if (list == XG_LIST_BLOCK) {
			struct xg_block *b = (struct xg_block *)(vals + i * vs);

			b->created_ns = now;
			b->expires_ns = spec->ttl_s ? now + spec->ttl_s * 1000000000ULL : 0;
			b->rate_pps = spec->rate_pps;
			b->action = spec->rate_pps ? XG_ACTION_RATELIMIT : XG_ACTION_DROP;
			b->origin = spec->origin;
		} else {
			struct xg_allow *a = (struct xg_allow *)(vals + i * vs);

			a->created_ns = now;
			memcpy(a->comment, v[i].comment, sizeof(a->comment));
		}
	}
	if (xg_cli_open(cmd, &maps, true))
		goto out;
	if (xg_list_add_many(&maps, list, cidrs, vals, n, err, sizeof(err)))
		xg_fail(cmd, "%s: %s (nothing was changed)", path, err);
	else
		ret = 0;
	xg_maps_close(&maps);
	if (!ret)
		printf("%s %zu entries from %s\n",
		       list == XG_LIST_BLOCK ? (spec->rate_pps ? "rate-limited" : "blocked")
					     : "allowlisted",
		       n, path);
out:
	free(v);
	free(cidrs);
	free(vals);
	return ret;
}

static int parse_cidr(const char *cmd, const char *text, struct xg_cidr *c)
{
	char err[XG_ERR_LEN];

	if (xg_cidr_parse(text, c, err, sizeof(err)))
		return xg_fail(cmd, "invalid CIDR: %s", err);
	return 0;
}

int cmd_block(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ttl", required_argument, NULL, 't'},
	    {"rate", required_argument, NULL, 'r'},
	    {"file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct xg_block_spec spec = {.origin = XG_ORIGIN_MANUAL};
	const char *file = NULL;
	char err[XG_ERR_LEN], text[64], ttl[32];
	struct xg_maps maps;
	struct xg_cidr cidr;
	uint64_t v;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:r:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 't':
			if (xg_parse_duration(optarg, &spec.ttl_s) || spec.ttl_s == 0)
				return xg_fail("block",
					       "invalid --ttl '%s': use seconds or 90s, 5m, 2h, 1d "
					       "(omit --ttl for no expiry)",
					       optarg);
			break;
		case 'r':
			if (xg_parse_uint(optarg, 1, 100000000, &v))
				return xg_fail(
				    "block", "invalid --rate '%s': packets per second, 1-100000000",
				    optarg);
			spec.rate_pps = (uint32_t)v;
			break;
		case 'h':
			puts("usage: xdpctl block CIDR [--ttl SEC] [--rate PPS]\n"
			     "       xdpctl block --file FILE [--ttl SEC] [--rate PPS]\n"
			     "FILE has one CIDR per line, '#' comments; it is applied whole or not "
			     "at all.");
			return 0;
		default:
			return 2;
		}
	}
	if (file && optind == argc)
		return add_file("block", XG_LIST_BLOCK, file, &spec);
	if (optind != argc - 1 || file)
		return xg_fail("block", "expected one CIDR (usage: xdpctl block CIDR [--ttl SEC] "
					"[--rate PPS])");
	if (parse_cidr("block", argv[optind], &cidr))
		return 1;
	if (xg_cli_open("block", &maps, true))
		return 1;
	xg_block_reap(&maps, xg_mono_ns());
	ret = xg_block_add(&maps, &cidr, &spec, xg_mono_ns(), err, sizeof(err));
	xg_maps_close(&maps);
	if (ret)
		return xg_fail("block", "%s", err);
	xg_cidr_format(&cidr, text, sizeof(text));
	xg_format_duration(spec.ttl_s, ttl, sizeof(ttl));
	if (spec.rate_pps)
		printf("rate-limiting %s to %u pps per source%s%s\n", text, spec.rate_pps,
		       spec.ttl_s ? " for " : "", spec.ttl_s ? ttl : "");
	else
		printf("blocked %s%s%s\n", text, spec.ttl_s ? " for " : "", spec.ttl_s ? ttl : "");
	return 0;
}

static int del_cmd(const char *cmd, enum xg_list list, int argc, char **argv)
{
	char err[XG_ERR_LEN], text[64];
	struct xg_maps maps;
	struct xg_cidr cidr;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: xdpctl %s CIDR\n", cmd);
		return 0;
	}
	if (argc != 2)
		return xg_fail(cmd, "expected one CIDR (usage: xdpctl %s CIDR)", cmd);
	if (parse_cidr(cmd, argv[1], &cidr))
		return 1;
	if (xg_cli_open(cmd, &maps, true))
		return 1;
	ret = xg_list_del(&maps, list, &cidr, err, sizeof(err));
	xg_maps_close(&maps);
	if (ret)
		return xg_fail(cmd, "%s", err);
	xg_cidr_format(&cidr, text, sizeof(text));
	printf("removed %s from the %s\n", text, list == XG_LIST_BLOCK ? "blocklist" : "allowlist");
	return 0;
}

int cmd_unblock(int argc, char **argv)
{
	return del_cmd("unblock", XG_LIST_BLOCK, argc, argv);
}

int cmd_disallow(int argc, char **argv)
{
	return del_cmd("disallow", XG_LIST_ALLOW, argc, argv);
}

int cmd_allow(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"comment", required_argument, NULL, 'c'},
	    {"file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *comment = NULL, *file = NULL;
	char err[XG_ERR_LEN], text[64];
	struct xg_maps maps;
	struct xg_cidr cidr;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'c':
			comment = optarg;
			break;
		case 'h':
			puts("usage: xdpctl allow CIDR [--comment TEXT]\n"
			     "       xdpctl allow --file FILE\n"
			     "FILE has one CIDR per line; the '# comment' on a line becomes the "
			     "entry's\n"
			     "comment. The file is applied whole or not at all.");
			return 0;
		default:
			return 2;
		}
	}
	if (file && optind == argc && !comment)
		return add_file("allow", XG_LIST_ALLOW, file, NULL);
	if (optind != argc - 1 || file)
		return xg_fail("allow",
			       "expected one CIDR (usage: xdpctl allow CIDR [--comment TEXT])");
	if (parse_cidr("allow", argv[optind], &cidr))
		return 1;
	if (comment && strlen(comment) >= XG_COMMENT_LEN)
		return xg_fail("allow", "--comment is longer than %d characters",
			       XG_COMMENT_LEN - 1);
	if (xg_cli_open("allow", &maps, true))
		return 1;
	ret = xg_allow_add(&maps, &cidr, comment, xg_mono_ns(), err, sizeof(err));
	xg_maps_close(&maps);
	if (ret)
		return xg_fail("allow", "%s", err);
	xg_cidr_format(&cidr, text, sizeof(text));
	printf("allowlisted %s: never dropped\n", text);
	return 0;
}

struct list_out {
	bool json;
	uint64_t now;
	struct json_object *arr;
	long n;
};

static int print_entry(const struct xg_entry *e, void *arg)
{
	struct list_out *o = arg;
	char cidr[64], ttl[32], age[32];
	uint64_t created = e->list == XG_LIST_BLOCK ? e->block.created_ns : e->allow.created_ns;
	uint64_t age_s = o->now > created ? (o->now - created) / 1000000000ULL : 0;
	bool expired = false;
	uint64_t left = 0;

	xg_cidr_format(&e->cidr, cidr, sizeof(cidr));
	xg_format_duration(age_s, age, sizeof(age));
	if (e->list == XG_LIST_BLOCK && e->block.expires_ns) {
		expired = e->block.expires_ns <= o->now;
		left = expired ? 0 : (e->block.expires_ns - o->now + 999999999ULL) / 1000000000ULL;
	}
	o->n++;
	if (o->json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "cidr", json_object_new_string(cidr));
		json_object_object_add(j, "age_s", json_object_new_int64((int64_t)age_s));
		if (e->list == XG_LIST_BLOCK) {
			json_object_object_add(
			    j, "action", json_object_new_string(xg_action_name(e->block.action)));
			if (e->block.action == XG_ACTION_RATELIMIT)
				json_object_object_add(j, "rate_pps",
						       json_object_new_int64(e->block.rate_pps));
			json_object_object_add(
			    j, "ttl_left_s",
			    e->block.expires_ns ? json_object_new_int64((int64_t)left) : NULL);
			json_object_object_add(j, "expired", json_object_new_boolean(expired));
			json_object_object_add(j, "hits",
					       json_object_new_int64((int64_t)e->block.hits));
			json_object_object_add(
			    j, "origin", json_object_new_string(xg_origin_name(e->block.origin)));
			json_object_object_add(j, "incident",
					       json_object_new_int64(e->block.incident));
			json_object_object_add(j, "reason",
					       json_object_new_string(xg_why_name(e->block.why)));
		} else {
			json_object_object_add(
			    j, "origin", json_object_new_string(xg_origin_name(e->allow.origin)));
			json_object_object_add(j, "hits",
					       json_object_new_int64((int64_t)e->allow.hits));
			json_object_object_add(j, "comment",
					       json_object_new_string(e->allow.comment));
		}
		json_object_array_add(o->arr, j);
		return 0;
	}
	if (e->list == XG_LIST_BLOCK) {
		char action[32], incident[16];

		if (e->block.action == XG_ACTION_RATELIMIT)
			snprintf(action, sizeof(action), "ratelimit %u/s", e->block.rate_pps);
		else
			snprintf(action, sizeof(action), "drop");
		if (!e->block.expires_ns)
			snprintf(ttl, sizeof(ttl), "never");
		else if (expired)
			snprintf(ttl, sizeof(ttl), "expired");
		else
			xg_format_duration(left, ttl, sizeof(ttl));
		snprintf(incident, sizeof(incident), e->block.incident ? "%u" : "-",
			 e->block.incident);
		printf("%-43s %-18s %-9s %12llu  %-10s %-14s %-8s %s\n", cidr, action, ttl,
		       (unsigned long long)e->block.hits, xg_origin_name(e->block.origin),
		       xg_why_name(e->block.why), incident, age);
	} else {
		printf("%-43s %12llu  %-8s %-8s %s\n", cidr, (unsigned long long)e->allow.hits,
		       xg_origin_name(e->allow.origin), age, e->allow.comment);
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list_out o = {0};
	enum xg_list list;
	struct xg_maps maps;
	const char *which = NULL;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			o.json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: xdpctl list block|allow [--json]");
			return 0;
		} else if (!which)
			which = argv[i];
		else
			return xg_fail("list", "unexpected argument '%s'", argv[i]);
	}
	if (!which)
		return xg_fail("list", "which list? (usage: xdpctl list block|allow [--json])");
	if (!strcmp(which, "block") || !strcmp(which, "blocklist"))
		list = XG_LIST_BLOCK;
	else if (!strcmp(which, "allow") || !strcmp(which, "allowlist"))
		list = XG_LIST_ALLOW;
	else
		return xg_fail("list", "unknown list '%s': use block or allow", which);
	if (xg_cli_open("list", &maps, false))
		return 1;
	o.now = xg_mono_ns();
	if (o.json)
		o.arr = json_object_new_array();
	else if (list == XG_LIST_BLOCK)
		printf("%-43s %-18s %-9s %12s  %-10s %-14s %-8s %s\n", "CIDR", "ACTION", "TTL-LEFT",
		       "HITS", "ORIGIN", "REASON", "INCIDENT", "AGE");
	else
		printf("%-43s %12s  %-8s %-8s %s\n", "CIDR", "HITS", "ORIGIN", "AGE", "COMMENT");
	ret = xg_list_walk(&maps, list, print_entry, &o);
	xg_maps_close(&maps);
	if (ret) {
		json_object_put(o.arr);
		return xg_fail("list", "cannot read the %s: %s",
			       list == XG_LIST_BLOCK ? "blocklist" : "allowlist", strerror(-ret));
	}
	if (o.json) {
		xg_json_print(o.arr);
		json_object_put(o.arr);
	} else if (o.n == 0) {
		printf("(empty)\n");
	}
	return 0;
}
