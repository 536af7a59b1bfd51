// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests that need no root: CIDR parsing, durations, kernel version
 * check, names, and the ABI layout against the BPF object's BTF. */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xdpguard/abi.h>

#include "cidr.h"
#include "cli.h"
#include "listfile.h"
#include "names.h"
#include "preflight.h"
#include "suites.h"
#include "xdpguard.skel.h"

static void test_cidr_v4(void)
{
	struct xg_cidr c;
	char err[256], out[64];

	CU_ASSERT_EQUAL(xg_cidr_parse("10.123.1.2", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.family, AF_INET);
	CU_ASSERT_EQUAL(c.prefixlen, 32);
	CU_ASSERT_TRUE(xg_cidr_is_host(&c));
	CU_ASSERT_EQUAL(c.addr[0], 10);
	CU_ASSERT_EQUAL(c.addr[3], 2);
	xg_cidr_format(&c, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "10.123.1.2");

	CU_ASSERT_EQUAL(xg_cidr_parse("10.123.0.0/16", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.prefixlen, 16);
	CU_ASSERT_FALSE(xg_cidr_is_host(&c));
	xg_cidr_format(&c, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "10.123.0.0/16");

	CU_ASSERT_EQUAL(xg_cidr_parse("0.0.0.0/0", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.prefixlen, 0);
	CU_ASSERT_EQUAL(xg_cidr_parse("10.1.2.3/32", &c, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(xg_cidr_is_host(&c));
}

static void test_cidr_v6(void)
{
	struct xg_cidr c;
	char err[256], out[64];

	CU_ASSERT_EQUAL(xg_cidr_parse("2001:db8::/32", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.family, AF_INET6);
	CU_ASSERT_EQUAL(c.prefixlen, 32);
	xg_cidr_format(&c, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2001:db8::/32");
	CU_ASSERT_EQUAL(xg_cidr_parse("fd00::1", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.prefixlen, 128);
	xg_cidr_format(&c, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "fd00::1");
	CU_ASSERT_EQUAL(xg_cidr_parse("fd00:0:0:1::/64", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.prefixlen, 64);
}

static void test_cidr_errors(void)
{
	static const char *bad[] = {
	    "",		  "10.0.0.256",	 "10.0.0",	 "10.0.0.0/33",
	    "10.0.0.0/",  "10.0.0.0/a",	 "10.0.0.0/-1",	 "/24",
	    "fd00::/129", "example.com", "10.0.0.0/24x", "1.2.3.4/8",
	    "fd00::1/64", " 10.0.0.1",
	};
	struct xg_cidr c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(xg_cidr_parse(bad[i], &c, err, sizeof(err)), -1);
		CU_ASSERT_TRUE(strlen(err) > 0);
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	}
	xg_cidr_parse("1.2.3.4/8", &c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "did you mean 1.0.0.0/8?"));
	CU_ASSERT_EQUAL(xg_cidr_parse(NULL, &c, err, sizeof(err)), -1);
}

static void test_cidr_contains_mask(void)
{
	struct xg_cidr net, host, other;
	uint32_t m[4];
	char err[256];

	xg_cidr_parse("10.123.1.0/24", &net, err, sizeof(err));
	xg_cidr_parse("10.123.1.77", &host, err, sizeof(err));
	xg_cidr_parse("10.123.2.1", &other, err, sizeof(err));
	CU_ASSERT_TRUE(xg_cidr_contains(&net, &host));
	CU_ASSERT_FALSE(xg_cidr_contains(&net, &other));
	CU_ASSERT_FALSE(xg_cidr_contains(&host, &net));
	xg_cidr_parse("fd00::/16", &other, err, sizeof(err));
	CU_ASSERT_FALSE(xg_cidr_contains(&other, &host));

	xg_cidr_mask_words(24, m);
	CU_ASSERT_EQUAL(m[0], htonl(0xffffff00u));
	CU_ASSERT_EQUAL(m[1], 0);
	xg_cidr_mask_words(0, m);
	CU_ASSERT_EQUAL(m[0], 0);
	xg_cidr_mask_words(72, m);
	CU_ASSERT_EQUAL(m[0], 0xffffffffu);
	CU_ASSERT_EQUAL(m[1], 0xffffffffu);
	CU_ASSERT_EQUAL(m[2], htonl(0xff000000u));
	CU_ASSERT_EQUAL(m[3], 0);
	xg_cidr_mask_words(128, m);
	CU_ASSERT_EQUAL(m[3], 0xffffffffu);
}

static void test_durations(void)
{
	uint64_t s;
	char buf[32];

	CU_ASSERT_EQUAL(xg_parse_duration("300", &s), 0);
	CU_ASSERT_EQUAL(s, 300);
	CU_ASSERT_EQUAL(xg_parse_duration("90s", &s), 0);
	CU_ASSERT_EQUAL(s, 90);
	CU_ASSERT_EQUAL(xg_parse_duration("5m", &s), 0);
	CU_ASSERT_EQUAL(s, 300);
	CU_ASSERT_EQUAL(xg_parse_duration("2h", &s), 0);
	CU_ASSERT_EQUAL(s, 7200);
	CU_ASSERT_EQUAL(xg_parse_duration("1d", &s), 0);
	CU_ASSERT_EQUAL(s, 86400);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("5x", &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("-5", &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("5mm", &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("", &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("99999999999999999999", &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_duration("999999d", &s), 0);

	CU_ASSERT_EQUAL(xg_parse_uint("42", 1, 100, &s), 0);
	CU_ASSERT_EQUAL(s, 42);
	CU_ASSERT_NOT_EQUAL(xg_parse_uint("0", 1, 100, &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_uint("101", 1, 100, &s), 0);
	CU_ASSERT_NOT_EQUAL(xg_parse_uint("4 2", 1, 100, &s), 0);

	xg_format_duration(298, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "4m58s");
	xg_format_duration(7380, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2h03m");
	xg_format_rate(12345, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "12.3k");
	xg_format_rate(2500000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2.50M");
}

static void test_kernel_release(void)
{
	CU_ASSERT_EQUAL(xg_kernel_release_ok("6.18.44-fc-v657"), 1);
	CU_ASSERT_EQUAL(xg_kernel_release_ok("5.10.0-27-amd64"), 1);
	CU_ASSERT_EQUAL(xg_kernel_release_ok("5.9.16"), 0);
	CU_ASSERT_EQUAL(xg_kernel_release_ok("4.19.0-6-amd64"), 0);
	CU_ASSERT_EQUAL(xg_kernel_release_ok("garbage"), -1);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(xg_proto_name(XG_PROTO_UDP), "udp");
	CU_ASSERT_STRING_EQUAL(xg_svc_name(XG_SVC_SIP_TLS), "sip-tls");
	CU_ASSERT_STRING_EQUAL(xg_sip_name(XG_SIP_INVITE), "INVITE");
	CU_ASSERT_STRING_EQUAL(xg_reason_name(XG_REASON_BLOCK_PREFIX), "block-prefix");
	CU_ASSERT_STRING_EQUAL(xg_tcpf_name(XG_TCPF_SYNACK), "syn-ack");
	CU_ASSERT_STRING_EQUAL(xg_proto_name(99), "?");
	CU_ASSERT_STRING_EQUAL(xg_sip_name(-1), "?");
}

static int parse_text(const char *text, struct xg_listfile_entry **v, size_t *n, char *err,
		      size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = xg_listfile_parse(f, "peers.txt", v, n, err, errlen);

	fclose(f);
	return ret;
}

static void test_listfile(void)
{
	struct xg_listfile_entry *v = NULL;
	char err[256];
	size_t n = 99;

	CU_ASSERT_EQUAL(parse_text("# header\n\n192.0.2.10   # trunk A\n  2001:db8::/32\n"
				   "198.51.100.0/28#gw\n",
				   &v, &n, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(v[0].comment, "trunk A");
	CU_ASSERT_EQUAL(v[0].line, 3);
	CU_ASSERT_EQUAL(v[1].cidr.family, AF_INET6);
	CU_ASSERT_STRING_EQUAL(v[1].comment, "");
	CU_ASSERT_EQUAL(v[2].cidr.prefixlen, 28);
	CU_ASSERT_STRING_EQUAL(v[2].comment, "gw");
	free(v);

	CU_ASSERT_EQUAL(parse_text("10.0.0.1\n10.0.0.0/8\n10.0.0.300\n", &v, &n, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "peers.txt:3: invalid CIDR"));
	CU_ASSERT_EQUAL(parse_text("10.0.0.1 trunk\n", &v, &n, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "peers.txt:1: unexpected text after '10.0.0.1'"));
	CU_ASSERT_EQUAL(parse_text("", &v, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(v);
}

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* Every struct shared with the program has the size userspace thinks it has,
 * as recorded in the BTF of the object embedded in xdpctl. */
static void test_abi_layout_matches_btf(void)
{
	struct xdpguard_bpf *skel;
	const struct btf *btf;
	static const struct {
		const char *name;
		size_t size;
	} types[] = {
	    {"xg_config", sizeof(struct xg_config)},
	    {"xg_stats", sizeof(struct xg_stats)},
	    {"xg_block", sizeof(struct xg_block)},
	    {"xg_hot", sizeof(struct xg_hot)},
	    {"xg_allow", sizeof(struct xg_allow)},
	    {"xg_ratelimit", sizeof(struct xg_ratelimit)},
	    {"xg_talker", sizeof(struct xg_talker)},
	    {"xg_v4_key", sizeof(struct xg_v4_key)},
	    {"xg_v6_key", sizeof(struct xg_v6_key)},
	    {"xg_v4_prefix_key", sizeof(struct xg_v4_prefix_key)},
	    {"xg_v6_prefix_key", sizeof(struct xg_v6_prefix_key)},
	    {"xg_port_ctr", sizeof(struct xg_port_ctr)},
	    {"xg_port_class", sizeof(struct xg_port_class)},
	    {"xg_lens_v6", sizeof(struct xg_lens_v6)},
	};
	size_t i;

	libbpf_set_print(silent);
	skel = xdpguard_bpf__open();
	CU_ASSERT_PTR_NOT_NULL_FATAL(skel);
	btf = bpf_object__btf(skel->obj);
	CU_ASSERT_PTR_NOT_NULL_FATAL(btf);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		__s32 id = btf__find_by_name_kind(btf, types[i].name, BTF_KIND_STRUCT);

		CU_ASSERT_TRUE(id > 0);
		if (id > 0)
			CU_ASSERT_EQUAL((size_t)btf__resolve_size(btf, (__u32)id), types[i].size);
	}
	CU_ASSERT_EQUAL(bpf_map__value_size(skel->maps.xg_stats), sizeof(struct xg_stats));
	CU_ASSERT_EQUAL(bpf_map__max_entries(skel->maps.xg_block_v4), XG_BLOCK_EXACT_MAX);
	CU_ASSERT_TRUE(XG_BLOCK_EXACT_MAX >= 1000000);
	xdpguard_bpf__destroy(skel);
}

void add_core_suite(void)
{
	CU_pSuite s = CU_add_suite("core", NULL, NULL);

	CU_add_test(s, "cidr ipv4", test_cidr_v4);
	CU_add_test(s, "cidr ipv6", test_cidr_v6);
	CU_add_test(s, "cidr errors are one clear line", test_cidr_errors);
	CU_add_test(s, "cidr contains and masks", test_cidr_contains_mask);
	CU_add_test(s, "durations and numbers", test_durations);
	CU_add_test(s, "kernel release check", test_kernel_release);
	CU_add_test(s, "enum names", test_names);
	CU_add_test(s, "list files", test_listfile);
	CU_add_test(s, "ABI layout matches the BPF object's BTF", test_abi_layout_matches_btf);
}
