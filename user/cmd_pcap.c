// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl pcap list|get: the per-incident captures the controller writes,
 * checked against the sha256 it journaled when each capture was closed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "journal.h"
#include "pcapw.h"

static const char pcap_usage[] =
    "usage: xdpctl pcap list [--json] [--config FILE] [--state-dir DIR]\n"
    "       xdpctl pcap get INCIDENT -o FILE [--uncompressed] [--config FILE]\n"
    "                       [--state-dir DIR]\n"
    "\n"
    "During an incident the controller ('xdpctl run') writes the packets the XDP\n"
    "program sampled (passed and dropped alike, up to 2048 bytes each) to one\n"
    "gzip'd pcap per incident, DIR/INCIDENT.pcap.gz, starting with the packets\n"
    "kept from just before the attack (pcap.ring_packets) and stopping at\n"
    "pcap.max_packets, when the incident closes or when free space falls under\n"
    "pcap.min_free_mb. DIR is the config's pcap.dir, by default STATE_DIR/pcaps.\n"
    "When a capture is complete the controller journals its packet count and\n"
    "sha256 in STATE_DIR/incidents.jsonl (event \"pcap\"). Files older than\n"
    "pcap.max_age_days, then the oldest beyond pcap.max_total_mb, are removed.\n"
    "\n"
    "Commands:\n"
    "  list\n"
    "        One row per capture, newest first: incident, packets and sha256 (from\n"
    "        the journal, \"-\" when it has no record), why the capture stopped,\n"
    "        size and modification time (UTC).\n"
    "  get INCIDENT\n"
    "        Copies the incident's capture to FILE, gzip'd as stored or with\n"
    "        --uncompressed as a plain pcap (tcpdump -r, tshark -r, Wireshark).\n"
    "        The file's sha256 is checked first against the journal's record: a\n"
    "        mismatch means the file changed after capture, and nothing is\n"
    "        copied. FILE is written whole or not at all (through FILE.tmp).\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE   get: where to write; \"-\" is stdout (required)\n"
    "  --uncompressed      get: write a plain pcap instead of the .pcap.gz\n"
    "  --json              list: a JSON array of objects\n"
    "  --config FILE       the config (pcap.dir, state_dir); default: embedded\n"
    "                      defaults\n"
    "  --state-dir DIR     default: the config's state_dir (/var/lib/xdpguard)\n"
    "\n"
    "Timestamps in the captures are wall-clock time with microsecond precision;\n"
    "frames longer than 2048 bytes are truncated (the pcap keeps their original\n"
    "length). Captures hold SIP headers and other personal data: handle them\n"
    "accordingly.\n"
    "\n"
    "Exit status: 0 on success, 1 on an error (a missing capture, a sha256\n"
    "mismatch), 2 on bad usage.\n"
    "\n"
    "Examples:\n"
    "  xdpctl pcap list\n"
    "  xdpctl pcap get 20261122T001951Z-1 -o incident.pcap --uncompressed\n"
    "  xdpctl pcap get 20261122T001951Z-1 -o - | tshark -r - -Y sip\n";

struct pcap_opts {
	const char *config;
	const char *state_dir;
	const char *out;
	bool json;
	bool uncompressed;
	char state[XG_CFG_PATH_LEN];
	char dir[XG_CFG_PATH_LEN + 16];
};

static int load(struct pcap_opts *o)
{
	struct xg_cfg *cfg = malloc(sizeof(*cfg)); /* large: heap */
	char err[XG_ERR_LEN];
	int ret = 0;

	if (!cfg)
		return xg_fail("pcap", "out of memory");
	if (o->config ? xg_cfg_load(cfg, o->config, err, sizeof(err)) : (xg_cfg_defaults(cfg), 0)) {
		free(cfg);
		return xg_fail("pcap", "%s", err);
	}
	snprintf(o->state, sizeof(o->state), "%s", o->state_dir ? o->state_dir : cfg->state_dir);
	if (xg_pcap_dir_of(o->dir, sizeof(o->dir), cfg->pcap.dir, o->state))
		ret = xg_fail("pcap", "the capture directory under %s: name too long", o->state);
	free(cfg);
	return ret;
}

static struct json_object *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The last "pcap" record per incident: a later one (a capture rewritten
 * after a restart) replaces an earlier one. */
static int collect(struct json_object *ev, void *arg)
{
	struct json_object *by_id = arg;
	const char *event = xg_json_str(ev, "event"), *id = xg_json_str(ev, "incident");

	if (event && id && !strcmp(event, "pcap"))
		json_object_object_add(by_id, id, json_object_get(ev));
	return 0;
}

static struct json_object *read_records(const struct pcap_opts *o)
{
	struct json_object *by_id = json_object_new_object();
	char err[XG_ERR_LEN];
	int ret;

	ret = xg_journal_read(o->state, collect, by_id, err, sizeof(err));
	if (err[0])
		fprintf(stderr, "xdpctl pcap: warning: %s\n", err);
	/* list and get still work without the journal, only unverified */
	if (ret < 0)
		fprintf(stderr, "xdpctl pcap: warning: cannot read the journal in %s: %s\n",
			o->state, strerror(-ret));
	return by_id;
}

static void utc(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void human_size(uint64_t b, char *buf, size_t len)
{
	if (b < 1024)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", (double)b / 1024);
	else if (b < 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(buf, len, "%.2f GiB", (double)b / (1024.0 * 1024 * 1024));
}

/* "<id>.pcap.gz" -> "<id>" */
static void id_of(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name) - strlen(XG_PCAP_EXT);

	snprintf(buf, len, "%.*s", (int)n, name);
}

static struct json_object *copy_or_null(struct json_object *rec, const char *key)
{
	struct json_object *v = field(rec, key);

	return v ? json_object_get(v) : NULL;
}

static int do_list(const struct pcap_opts *o)
{
	struct json_object *recs, *arr = NULL;
	struct xg_pcap_file *files;
	char err[XG_ERR_LEN];
	size_t n, i;

	if (xg_pcap_scan(o->dir, &files, &n, err, sizeof(err)))
		return xg_fail("pcap", "%s", err);
	if (!n && !o->json) {
		printf("no captures in %s\n", o->dir);
		return 0;
	}
	recs = read_records(o);
	if (o->json)
		arr = json_object_new_array();
	else
		printf("%-24s %8s %-15s %10s %-20s  %s\n", "INCIDENT", "PACKETS", "STOPPED", "SIZE",
		       "MODIFIED (UTC)", "SHA256");
	for (i = n; i-- > 0;) {
		const struct xg_pcap_file *f = &files[i];
		char id[sizeof(f->name)], when[32], size[32],
		    path[sizeof(o->dir) + sizeof(f->name)];
		struct json_object *rec;

		id_of(f->name, id, sizeof(id));
		utc(f->mtime_ns, when, sizeof(when));
		rec = field(recs, id);
		if (o->json) {
			struct json_object *e = json_object_new_object();

			snprintf(path, sizeof(path), "%s/%s", o->dir, f->name);
			json_object_object_add(e, "incident", json_object_new_string(id));
			json_object_object_add(e, "path", json_object_new_string(path));
			json_object_object_add(e, "size", json_object_new_int64((int64_t)f->size));
			json_object_object_add(e, "mtime",
					       json_object_new_double((double)f->mtime_ns / 1e9));
			json_object_object_add(e, "modified", json_object_new_string(when));
			json_object_object_add(e, "journaled",
					       json_object_new_boolean(rec != NULL));
			json_object_object_add(e, "packets", copy_or_null(rec, "packets"));
			json_object_object_add(e, "sha256", copy_or_null(rec, "sha256"));
			json_object_object_add(e, "first_ts", copy_or_null(rec, "first_ts"));
			json_object_object_add(e, "last_ts", copy_or_null(rec, "last_ts"));
			json_object_object_add(e, "stopped", copy_or_null(rec, "stopped"));
			json_object_array_add(arr, e);
		} else {
			const char *sha = xg_json_str(rec, "sha256"),
				   *stopped = xg_json_str(rec, "stopped");
			struct json_object *pk = field(rec, "packets");
			char pkts[24] = "-";

			if (pk)
				snprintf(pkts, sizeof(pkts), "%lld",
					 (long long)json_object_get_int64(pk));
			human_size(f->size, size, sizeof(size));
			printf("%-24s %8s %-15s %10s %-20s  %s\n", id, pkts,
			       stopped ? stopped : "-", size, when, sha ? sha : "-");
		}
	}
	if (o->json) {
		xg_json_print(arr);
		json_object_put(arr);
	}
	json_object_put(recs);
	free(files);
	return 0;
}

static int do_get(const struct pcap_opts *o, const char *id)
{
	char path[sizeof(o->dir) + 256], err[XG_ERR_LEN], hex[65];
	struct json_object *recs, *rec;
	const char *want;
	bool to_stdout = !strcmp(o->out, "-");
	struct stat st;
	int ret;

	ret = xg_pcap_path(path, sizeof(path), o->dir, id);
	if (ret == -EINVAL) {
		fprintf(stderr,
			"xdpctl pcap: '%s' is not an incident id (no '/', no leading '.'; see "
			"'xdpctl pcap list')\n",
			id);
		return 2;
	}
	if (ret)
		return xg_fail("pcap", "%s/%s%s: name too long", o->dir, id, XG_PCAP_EXT);
	if (stat(path, &st)) {
		if (errno == ENOENT)
			return xg_fail("pcap",
				       "no capture for incident %s in %s (see 'xdpctl pcap list')",
				       id, o->dir);
		return xg_fail("pcap", "%s: %s", path, strerror(errno));
	}
	recs = read_records(o);
	rec = field(recs, id);
	want = xg_json_str(rec, "sha256");
	if (want) {
		ret = xg_sha256_file(path, hex);
		if (ret) {
			json_object_put(recs);
			return xg_fail("pcap", "%s: sha256: %s", path, strerror(-ret));
		}
		if (strcasecmp(hex, want)) {
			json_object_put(recs);
			return xg_fail("pcap",
				       "%s: sha256 %s does not match the journal's %s: the file "
				       "changed after capture; nothing copied",
				       path, hex, want);
		}
	} else {
		fprintf(stderr,
			"xdpctl pcap: warning: the journal in %s has no sha256 for incident %s; "
			"copying it unverified\n",
			o->state, id);
	}
	json_object_put(recs);
	if (xg_pcap_export(path, o->out, o->uncompressed, err, sizeof(err)))
		return xg_fail("pcap", "%s", err);
	if (!to_stdout && !stat(o->out, &st) && S_ISREG(st.st_mode))
		printf("%s: wrote %s (%s, %lld bytes)%s\n", id, o->out,
		       o->uncompressed ? "pcap" : "gzip'd pcap", (long long)st.st_size,
		       want ? ", sha256 verified against the journal" : "");
	return 0;
}

/* Options before and after the subcommand: 0 to go on, else the exit code
 * plus one (so a clean --help is 1). */
static int parse_opts(int argc, char **argv, const char *optstring, void *arg)
{
	struct pcap_opts *o = arg;
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"uncompressed", no_argument, NULL, 'u'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'u':
			o->uncompressed = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(pcap_usage, stdout);
			return 1;
		default:
			return 3;
		}
	}
	return 0;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "xdpctl pcap: %s (see 'xdpctl pcap --help')\n", msg);
	return 2;
}

int cmd_pcap(int argc, char **argv)
{
	struct pcap_opts o = {0};
	const char *sub;
	bool list;
	int ret;

	ret = xg_cli_sub(&argc, &argv, "c:s:o:ujh", parse_opts, &o, pcap_usage, &sub);
	if (ret)
		return ret - 1;
	list = !strcmp(sub, "list");
	if (!list && strcmp(sub, "get")) {
		fprintf(stderr, "xdpctl pcap: unknown command '%s' (list, get)\n", sub);
		return 2;
	}
	if (list) {
		if (optind != argc)
			return usage_error("list takes no arguments");
		if (o.out || o.uncompressed)
			return usage_error("-o and --uncompressed are for get");
	} else {
		if (optind != argc - 1)
			return usage_error(
			    "usage: xdpctl pcap get INCIDENT -o FILE [--uncompressed]");
		if (!o.out)
			return usage_error("get needs -o FILE (\"-o -\" for stdout)");
		if (!*o.out)
			return usage_error("-o: empty file name");
		if (o.json)
			return usage_error("--json is for list");
	}
	if (load(&o))
		return 1;
	return list ? do_list(&o) : do_get(&o, argv[optind]);
}
