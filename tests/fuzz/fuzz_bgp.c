// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_bgp: BGP rules as operators type them (`xdpctl bgp announce RULE...`,
 * the spool requests, rules.json after a restart).
 *
 *   xg_bgp_intent_parse       the canonical text
 *   xg_bgp_intent_parse_argv  the same split into words
 *   xg_bgp_intent_format      and back
 *   every renderer            ExaBGP, gobgp, BIRD, FRR, JSON
 *   xg_esc_admit              the safety checks
 *
 * An accepted rule must validate, print back as text that parses to the
 * same rule, and render for every speaker (FRR refuses FlowSpec, nothing
 * else may fail); a refused one must say why.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bgp_cfg.h"
#include "bgp_intent.h"
#include "escalate.h"
#include "fuzz_util.h"

#define MAX_WORDS 64

static void check_renders(const struct xg_bgp_intent *in, const char *text)
{
	static const struct xg_bird_names names = {"xg", "flowtab4", "flowtab6", "master4",
						   "master6"};
	const char *nh = in->dst.family == 10 ? "100::1" : "192.0.2.1";
	char buf[8192], store[4096], *argv[XG_BGP_ARGV_MAX];
	const struct xg_bgp_intent *one = in;
	struct json_object *j;
	int r;

	r = xg_bgp_render_exabgp(in, true, nh, buf, sizeof(buf));
	FZ_CHECK(r > 0 && !strchr(buf, '\n'), "exabgp announce of '%s': %d", text, r);
	r = xg_bgp_render_exabgp(in, false, nh, buf, sizeof(buf));
	FZ_CHECK(r > 0 && !strchr(buf, '\n'), "exabgp withdraw of '%s': %d", text, r);
	r = xg_bgp_render_gobgp(in, true, nh, argv, store, sizeof(store));
	FZ_CHECK(r > 0 && !argv[r], "gobgp announce of '%s': %d", text, r);
	r = xg_bgp_render_gobgp(in, false, nh, argv, store, sizeof(store));
	FZ_CHECK(r > 0 && !argv[r], "gobgp withdraw of '%s': %d", text, r);
	r = xg_bgp_render_frr(in, true, 65001, argv, store, sizeof(store));
	FZ_CHECK(in->kind == XG_BGP_FLOWSPEC ? r == -EOPNOTSUPP : r > 0, "frr of '%s': %d", text,
		 r);
	r = xg_bgp_render_bird(&one, 1, &names, buf, sizeof(buf));
	FZ_CHECK(r > 0 && (size_t)r < sizeof(buf), "bird of '%s': %d", text, r);
	j = xg_bgp_intent_to_json(in);
	FZ_CHECK(j != NULL, "no JSON for '%s'", text);
	json_object_put(j);
}

static void fuzz_text(const char *s, const struct xg_bgp_cfg *cfg)
{
	struct xg_bgp_intent in, back;
	char err[512], text[XG_BGP_TEXT_MAX], text2[XG_BGP_TEXT_MAX], why[512];
	int len;

	memset(err, 0, sizeof(err));
	if (xg_bgp_intent_parse(s, &in, err, sizeof(err))) {
		FZ_CHECK(err[0], "'%s' refused without a reason", s);
		return;
	}
	FZ_CHECK(!xg_bgp_intent_validate(&in, err, sizeof(err)), "'%s' parses but is invalid: %s",
		 s, err);
	len = xg_bgp_intent_format(&in, text, sizeof(text));
	FZ_CHECK(len > 0 && (size_t)len < sizeof(text), "'%s' formats to %d", s, len);
	FZ_CHECK(!xg_bgp_intent_parse(text, &back, err, sizeof(err)),
		 "'%s' formats as '%s', which does not parse: %s", s, text, err);
	FZ_CHECK(xg_bgp_intent_equal(&in, &back), "'%s' -> '%s' reads back as another rule", s,
		 text);
	FZ_CHECK(xg_bgp_intent_format(&back, text2, sizeof(text2)) == len && !strcmp(text, text2),
		 "'%s' is not canonical: '%s'", text, text2);
	check_renders(&in, text);
	if (xg_esc_admit(cfg, &in, why, sizeof(why)))
		FZ_CHECK(why[0], "'%s' refused by the safety checks without a reason", text);
}

/* The same input as argv words (split on spaces), as the CLI passes it. */
static void fuzz_argv(char *s)
{
	char *words[MAX_WORDS], *save = NULL, *w, err[512];
	struct xg_bgp_intent in;
	int n = 0;

	for (w = strtok_r(s, " ", &save); w && n < MAX_WORDS; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (xg_bgp_intent_parse_argv(n, words, &in, err, sizeof(err)))
		return;
	FZ_CHECK(!xg_bgp_intent_validate(&in, err, sizeof(err)),
		 "argv parse gave an invalid rule: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xg_bgp_cfg cfg;
	static bool init;
	char *s = fz_strdup(data, size);

	if (!init) {
		xg_bgp_cfg_defaults(&cfg);
		init = true;
	}
	fuzz_text(s, &cfg);
	fuzz_argv(s);
	free(s);
	return 0;
}
