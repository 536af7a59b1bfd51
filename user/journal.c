// SPDX-License-Identifier: GPL-2.0-only
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

#define LINE_MAX_LEN (1 << 20)

static struct json_object *time_json(uint64_t ns)
{
	return json_object_new_double((double)ns / 1e9);
}

static void iso_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct json_object *xg_incident_to_json(const struct xg_incident *inc, const char *event)
{
	struct json_object *o = json_object_new_object(), *fired = json_object_new_array();
	struct json_object *ev = json_object_new_array(), *vict = json_object_new_array();
	struct json_object *peaks = json_object_new_object();
	char when[32];
	int i;

	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "id", json_object_new_string(inc->id));
	json_object_object_add(o, "seq", json_object_new_int64((int64_t)inc->seq));
	json_object_object_add(o, "family", json_object_new_string(inc->cls.family));
	json_object_object_add(o, "subtype", json_object_new_string(inc->cls.subtype));
	json_object_object_add(o, "service", json_object_new_string(inc->cls.service));
	json_object_object_add(o, "confidence", json_object_new_int(inc->cls.confidence));
	json_object_object_add(o, "spoofed", json_object_new_boolean(inc->cls.spoofed));
	json_object_object_add(o, "botnet", json_object_new_boolean(inc->cls.botnet));
	json_object_object_add(o, "learning", json_object_new_boolean(inc->learning));
	json_object_object_add(o, "start", time_json(inc->start_ns));
	iso_time(inc->start_ns, when, sizeof(when));
	json_object_object_add(o, "start_utc", json_object_new_string(when));
	if (inc->end_ns) {
		json_object_object_add(o, "end", time_json(inc->end_ns));
		iso_time(inc->end_ns, when, sizeof(when));
		json_object_object_add(o, "end_utc", json_object_new_string(when));
		json_object_object_add(
		    o, "duration_s",
		    json_object_new_double((double)(inc->end_ns - inc->start_ns) / 1e9));
	}
	json_object_object_add(o, "peak_pps", json_object_new_double(inc->peak_pps));
	json_object_object_add(o, "peak_bps", json_object_new_double(inc->peak_bps));
	for (i = 0; i < XG_M_MAX; i++) {
		if (!(inc->fired & (1ULL << i)))
			continue;
		json_object_array_add(fired, json_object_new_string(xg_metric_name(i)));
		json_object_object_add(peaks, xg_metric_name(i),
				       json_object_new_double(inc->peak_metric[i]));
	}
	json_object_object_add(o, "metrics", fired);
	json_object_object_add(o, "peak_metrics", peaks);
	for (i = 0; i < inc->n_victims; i++) {
		char a[64];

		xg_cidr_format(&inc->victims[i], a, sizeof(a));
		json_object_array_add(vict, json_object_new_string(a));
	}
	json_object_object_add(o, "destinations", vict);
	for (i = 0; i < inc->cls.n_evidence; i++)
		json_object_array_add(ev, json_object_new_string(inc->cls.evidence[i]));
	json_object_object_add(o, "evidence", ev);
	return o;
}

int xg_journal_append(const char *state_dir, const struct xg_incident *inc, const char *event,
		      bool sync, char *err, size_t errlen)
{
	struct json_object *o = xg_incident_to_json(inc, event);
	int ret;

	json_object_object_add(o, "logged", time_json(inc->last_ns));
	ret = xg_journal_append_json(state_dir, o, sync, err, errlen);
	json_object_put(o);
	return ret;
}

int xg_journal_append_json(const char *state_dir, struct json_object *o, bool sync, char *err,
			   size_t errlen)
{
	char path[4096];
	const char *line;
	size_t len;
	int fd, ret = 0;

	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(line);
	snprintf(path, sizeof(path), "%s/%s", state_dir, XG_JOURNAL_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		goto out;
	}
	/* One write per line: O_APPEND keeps lines whole between writers. */
	{
		char *buf = malloc(len + 1);

		if (!buf) {
			ret = -ENOMEM;
		} else {
			memcpy(buf, line, len);
			buf[len] = '\n';
			if (write(fd, buf, len + 1) != (ssize_t)(len + 1))
				ret = -EIO;
			free(buf);
		}
	}
	if (!ret && sync && fsync(fd))
		ret = -errno;
	close(fd);
	if (ret)
		snprintf(err, errlen, "cannot append to %s: %s", path, strerror(-ret));
out:
	return ret;
}

int xg_journal_read(const char *state_dir, int (*cb)(struct json_object *event, void *arg),
		    void *arg, char *err, size_t errlen)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned int lineno = 0;
	FILE *f;
	int ret = 0;

	err[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", state_dir, XG_JOURNAL_FILE);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		struct json_object *o;

		lineno++;
		if (n > LINE_MAX_LEN || n <= 1)
			continue;
		o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object)) {
			/* A torn last line after a crash is skipped, and said. */
			snprintf(err, errlen, "%s:%u: not a JSON object, skipped", path, lineno);
			json_object_put(o);
			continue;
		}
		ret = cb(o, arg);
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return ret;
}
