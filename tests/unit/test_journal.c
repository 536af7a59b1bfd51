// SPDX-License-Identifier: GPL-2.0-only
/* The incident journal: append, read back, survive a torn last line. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "suites.h"

struct seen {
	int n;
	char ids[8][40];
	char events[8][24];
};

static int count_cb(struct json_object *ev, void *arg)
{
	struct seen *s = arg;
	struct json_object *v;

	if (s->n < 8) {
		if (json_object_object_get_ex(ev, "id", &v))
			snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(ev, "event", &v))
			snprintf(s->events[s->n], sizeof(s->events[0]), "%s",
				 json_object_get_string(v));
	}
	s->n++;
	return 0;
}

static void test_journal_roundtrip(void)
{
	char dir[] = "/tmp/xg-journal-XXXXXX", path[256], err[256];
	struct xg_incident inc;
	struct seen s = {0};
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	memset(&inc, 0, sizeof(inc));
	snprintf(inc.id, sizeof(inc.id), "20261121T220000Z-1");
	snprintf(inc.cls.family, sizeof(inc.cls.family), "udp_flood");
	inc.start_ns = 1763762400ULL * 1000000000ULL;
	inc.last_ns = inc.start_ns;
	inc.fired = 1ULL << XG_M_UDP_PPS;
	CU_ASSERT_EQUAL(xg_journal_append(dir, &inc, "incident_open", true, err, sizeof(err)), 0);
	inc.end_ns = inc.start_ns + 30ULL * 1000000000ULL;
	CU_ASSERT_EQUAL(xg_journal_append(dir, &inc, "incident_close", true, err, sizeof(err)), 0);

	/* A crash mid-write leaves a torn line: it is skipped and reported. */
	snprintf(path, sizeof(path), "%s/%s", dir, XG_JOURNAL_FILE);
	f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"event\":\"incident_op", f);
	fclose(f);

	CU_ASSERT_EQUAL(xg_journal_read(dir, count_cb, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.ids[0], "20261121T220000Z-1");
	CU_ASSERT_STRING_EQUAL(s.events[0], "incident_open");
	CU_ASSERT_STRING_EQUAL(s.events[1], "incident_close");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3: not a JSON object"));
	unlink(path);
	rmdir(dir);
}

static void test_journal_json(void)
{
	struct xg_incident inc;
	struct json_object *o, *v;

	memset(&inc, 0, sizeof(inc));
	snprintf(inc.id, sizeof(inc.id), "x-2");
	snprintf(inc.cls.family, sizeof(inc.cls.family), "sip_register_flood");
	snprintf(inc.cls.service, sizeof(inc.cls.service), "sip-udp");
	inc.cls.confidence = 90;
	inc.cls.n_evidence = 1;
	snprintf(inc.cls.evidence[0], sizeof(inc.cls.evidence[0]), "REGISTER 10x");
	inc.fired = (1ULL << XG_M_SIP_REGISTER_PPS) | (1ULL << XG_M_SIP_UDP_PPS);
	inc.peak_metric[XG_M_SIP_REGISTER_PPS] = 5000;
	inc.start_ns = 1000000000ULL;
	inc.end_ns = 11000000000ULL;
	o = xg_incident_to_json(&inc, "incident_close");
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "metrics", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "duration_s", &v));
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(v), 10.0, 1e-9);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "peak_metrics", &v));
	CU_ASSERT_TRUE(json_object_object_get_ex(v, "sip_register_pps", &v));
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "evidence", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 0)),
			       "REGISTER 10x");
	json_object_put(o);
}

void add_journal_suite(void)
{
	CU_pSuite s = CU_add_suite("journal", NULL, NULL);

	CU_add_test(s, "append, read back, torn last line skipped", test_journal_roundtrip);
	CU_add_test(s, "incident JSON", test_journal_json);
}
