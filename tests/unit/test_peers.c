// SPDX-License-Identifier: GPL-2.0-only
/* The learned-peer store on disk: what xg_peers_save writes is JSON that
 * xg_peers_load reads back to the same peers. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "peers.h"
#include "suites.h"
#include "testutil.h"
#include "tmpdir.h"

static void test_peers_round_trip(void)
{
	struct xg_peers p, q;
	struct json_object *o, *arr, *v, *e;
	char dir[64], in[96], out[96], err[256];
	struct xg_cidr a;
	FILE *f;

	xg_test_tmpdir(dir, sizeof(dir), "peers");
	snprintf(in, sizeof(in), "%s/in.json", dir);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	f = fopen(in, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":1,\"peers\":["
	      "{\"addr\":\"10.123.5.1\",\"reason\":\"sip\",\"first_ns\":11,\"last_ns\":22},"
	      "{\"addr\":\"fd00:123::5\",\"reason\":\"rtp\",\"first_ns\":33,\"last_ns\":44},"
	      "{\"addr\":\"10.123.5.0/24\",\"reason\":\"sip\"},"
	      "{\"addr\":\"not an address\"}]}",
	      f);
	fclose(f);

	xg_peers_init(&p);
	CU_ASSERT_EQUAL_FATAL(xg_peers_load(&p, in, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.known, 2); /* a prefix and garbage are skipped */
	CU_ASSERT_EQUAL_FATAL(xg_peers_save(&p, out, err, sizeof(err)), 0);

	/* one peer a line, the layout the loader reads a line at a time */
	f = fopen(out, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	{
		char line[512];
		int lines = 0;

		while (fgets(line, sizeof(line), f))
			lines++;
		CU_ASSERT_EQUAL(lines, 4);
	}
	fclose(f);
	o = json_object_from_file(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "format", &v) && json_object_get_int(v) == 1);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "peers", &arr));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(arr), 2);
	e = json_object_array_get_idx(arr, 1);
	CU_ASSERT_TRUE(json_object_object_get_ex(e, "addr", &v) &&
		       !strcmp(json_object_get_string(v), "fd00:123::5"));
	CU_ASSERT_TRUE(json_object_object_get_ex(e, "reason", &v) &&
		       !strcmp(json_object_get_string(v), "rtp"));
	CU_ASSERT_TRUE(json_object_object_get_ex(e, "first_ns", &v) &&
		       json_object_get_int64(v) == 33);
	CU_ASSERT_TRUE(json_object_object_get_ex(e, "last_ns", &v) &&
		       json_object_get_int64(v) == 44);
	json_object_put(o);

	xg_peers_init(&q);
	CU_ASSERT_EQUAL_FATAL(xg_peers_load(&q, out, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(q.known, 2);
	a = xg_test_cidr("10.123.5.1");
	CU_ASSERT_TRUE(xg_peers_is_known(&q, &a));
	a = xg_test_cidr("fd00:123::5");
	CU_ASSERT_TRUE(xg_peers_is_known(&q, &a));
	a = xg_test_cidr("10.123.5.2");
	CU_ASSERT_FALSE(xg_peers_is_known(&q, &a));
	xg_peers_free(&q);

	/* cut short after a good line: an error, and nothing kept */
	f = fopen(in, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":1,\"peers\":[\n{\"addr\":\"10.123.5.9\",\"reason\":\"sip\"},\n", f);
	fclose(f);
	xg_peers_init(&q);
	CU_ASSERT_EQUAL(xg_peers_load(&q, in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "in.json"));
	CU_ASSERT_EQUAL(q.known, 0);
	a = xg_test_cidr("10.123.5.9");
	CU_ASSERT_FALSE(xg_peers_is_known(&q, &a));
	xg_peers_free(&q);

	/* no peers: still a valid file */
	xg_peers_free(&p);
	xg_peers_init(&p);
	CU_ASSERT_EQUAL_FATAL(xg_peers_save(&p, out, err, sizeof(err)), 0);
	o = json_object_from_file(out);
	CU_ASSERT_TRUE(o && json_object_object_get_ex(o, "peers", &arr) &&
		       json_object_array_length(arr) == 0);
	json_object_put(o);
	xg_peers_free(&p);
	xg_test_rm_rf(dir);
}

void add_peers_suite(void)
{
	CU_pSuite s = CU_add_suite("peers", NULL, NULL);

	CU_add_test(s, "save and load: JSON round trip, bad entries skipped",
		    test_peers_round_trip);
}
