// SPDX-License-Identifier: GPL-2.0-only
/*
 * alert_send_probe: one delivery attempt through alert_send, for the
 * integration test (tests/integration/alert_send.sh) and for an operator
 * checking a sink by hand. Prints one JSON line:
 *   {"status":N,"outcome":"delivered|retry|permanent","retry_after_s":N,"error":"..."}
 * Exit status 0 when delivered, 1 otherwise, 2 on a usage error.
 *
 *   alert_send_probe http URL BODYFILE [HEADER...]
 *   alert_send_probe smtp URL FROM TO MSGFILE
 *   alert_send_probe syslog TARGET LINE
 *   alert_send_probe backoff ATTEMPT JITTER RETRY_AFTER   (prints ns)
 *
 * XG_PROBE_INSECURE=1 skips TLS verification (a test's self-signed peer).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "alert_send.h"

static int usage(void)
{
	fprintf(stderr, "usage: alert_send_probe http URL BODYFILE [HEADER...]\n"
			"       alert_send_probe smtp URL FROM TO MSGFILE\n"
			"       alert_send_probe syslog TARGET LINE\n"
			"       alert_send_probe backoff ATTEMPT JITTER RETRY_AFTER\n");
	return 2;
}

/* The whole file, NUL-terminated (the length excludes the NUL). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int print_result(const struct xg_http_result *res)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return 1;
	json_object_object_add(o, "status", json_object_new_int64(res->status));
	json_object_object_add(o, "outcome",
			       json_object_new_string(xg_send_outcome_name(res->outcome)));
	json_object_object_add(o, "retry_after_s",
			       json_object_new_int64((int64_t)res->retry_after_s));
	json_object_object_add(o, "error", json_object_new_string(res->error));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return res->outcome == XG_SEND_DELIVERED ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct xg_http_result res;
	bool insecure;
	char *data;
	size_t len = 0;
	int rc;

	if (argc < 2)
		return usage();
	insecure = getenv("XG_PROBE_INSECURE") && !strcmp(getenv("XG_PROBE_INSECURE"), "1");
	if (!strcmp(argv[1], "backoff")) {
		if (argc != 5)
			return usage();
		printf("%" PRIu64 "\n",
		       xg_send_backoff_ns((unsigned)strtoul(argv[2], NULL, 10),
					  strtod(argv[3], NULL), strtoull(argv[4], NULL, 10)));
		return 0;
	}
	if (!strcmp(argv[1], "syslog")) {
		if (argc != 4)
			return usage();
		xg_send_syslog(argv[2], argv[3], &res);
		return print_result(&res);
	}
	if (xg_send_init()) {
		fprintf(stderr, "alert_send_probe: curl_global_init failed\n");
		return 1;
	}
	if (!strcmp(argv[1], "http") && argc >= 4) {
		struct xg_http_req req = {0};

		data = slurp(argv[3], &len);
		if (!data) {
			fprintf(stderr, "alert_send_probe: %s: %s\n", argv[3], strerror(errno));
			xg_send_cleanup();
			return 2;
		}
		req.url = argv[2];
		req.body = data;
		req.body_len = len;
		req.headers = (const char *const *)(argv + 4);
		req.n_headers = (size_t)(argc - 4);
		req.connect_timeout_ms = 2000;
		req.timeout_ms = 5000;
		req.insecure = insecure;
		xg_send_http(&req, &res);
	} else if (!strcmp(argv[1], "smtp") && argc == 6) {
		struct xg_smtp_req req = {0};
		const char *rcpt[1] = {argv[4]};

		data = slurp(argv[5], &len);
		if (!data) {
			fprintf(stderr, "alert_send_probe: %s: %s\n", argv[5], strerror(errno));
			xg_send_cleanup();
			return 2;
		}
		req.url = argv[2];
		req.from = argv[3];
		req.rcpt = rcpt;
		req.n_rcpt = 1;
		req.message = data;
		req.message_len = len;
		req.connect_timeout_ms = 2000;
		req.timeout_ms = 5000;
		req.insecure = insecure;
		xg_send_smtp(&req, &res);
	} else {
		xg_send_cleanup();
		return usage();
	}
	rc = print_result(&res);
	free(data);
	xg_send_cleanup();
	return rc;
}
