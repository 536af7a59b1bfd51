// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config: the daemon's configuration file (user/config.c), the one
 * input an operator writes by hand.
 *
 * Invariants:
 * - an error is one line, "fuzz.json:..." (the file's name first), and
 *   leaves the defaults in cfg;
 * - a success leaves err empty, and what `xdpctl config show` prints
 *   (xg_cfg_to_json, secrets masked) parses again: a round trip;
 * - showing that second parse prints the same text again (show is a fixed
 *   point: nothing drifts, nothing is lost a second time).
 * An input with a NUL byte cannot reach xg_cfg_parse() (a C string); it
 * goes through xg_cfg_load() on a memfd instead, which must refuse it.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_util.h"

#define ERR_LEN 512 /* XG_ERR_LEN, what xdpctl passes */
#define SHOW_FLAGS                                                                                 \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static void check_error(const char *err, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	FZ_CHECK(err[0], "a failed parse left err empty");
	FZ_CHECK(!strncmp(err, name, n) && err[n] == ':', "error does not start with '%s:': %s",
		 name, err);
	for (p = err; *p; p++)
		FZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f,
			 "error is not one printable line (byte 0x%02x at %zu): %s",
			 (unsigned char)*p, (size_t)(p - err), err);
}

/* cfg holds the defaults after a failed parse. */
static void check_defaults(const struct xg_cfg *cfg)
{
	static struct json_object *def;
	struct json_object *got;

	if (!def) {
		struct xg_cfg *d = malloc(sizeof(*d));

		if (!d)
			abort();
		xg_cfg_defaults(d);
		def = xg_cfg_to_json(d);
		free(d);
	}
	got = xg_cfg_to_json(cfg);
	FZ_CHECK(json_object_equal(got, def), "a failed parse left a non-default cfg");
	json_object_put(got);
}

static void load_from_memfd(const uint8_t *data, size_t size)
{
	char path[64], err[ERR_LEN];
	struct xg_cfg *cfg = malloc(sizeof(*cfg));
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	int r;

	if (!cfg || fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = xg_cfg_load(cfg, path, err, sizeof(err));
	FZ_CHECK(r == -1, "xg_cfg_load() accepted a file with a NUL byte");
	check_error(err, path);
	check_defaults(cfg);
	close(fd);
	free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERR_LEN], err2[ERR_LEN];
	struct xg_cfg *cfg, *cfg2;
	struct json_object *shown, *shown2;
	const char *text1;
	char *text, *copy1;
	int r;

	if (memchr(data, '\0', size)) {
		load_from_memfd(data, size);
		return 0;
	}
	text = fz_strdup(data, size);
	cfg = malloc(sizeof(*cfg));
	cfg2 = malloc(sizeof(*cfg2));
	if (!cfg || !cfg2)
		abort();
	memset(err, 'x', sizeof(err));
	r = xg_cfg_parse(cfg, text, "fuzz.json", err, sizeof(err));
	FZ_CHECK(r == 0 || r == -1, "xg_cfg_parse() returned %d", r);
	FZ_CHECK(memchr(err, '\0', sizeof(err)), "err is not NUL-terminated");
	if (r) {
		check_error(err, "fuzz.json");
		check_defaults(cfg);
		goto out;
	}
	FZ_CHECK(!err[0], "a successful parse left a message: %s", err);

	/* `xdpctl config show` output must be a valid config file. */
	shown = xg_cfg_to_json(cfg);
	FZ_CHECK(shown, "xg_cfg_to_json() returned NULL");
	text1 = json_object_to_json_string_ext(shown, SHOW_FLAGS);
	copy1 = strdup(text1);
	if (!copy1)
		abort();
	r = xg_cfg_parse(cfg2, copy1, "show.json", err2, sizeof(err2));
	FZ_CHECK(r == 0,
		 "config show output does not parse back: %s\n--- input ---\n%s\n"
		 "--- shown ---\n%s",
		 err2, text, copy1);
	shown2 = xg_cfg_to_json(cfg2);
	FZ_CHECK(!strcmp(copy1, json_object_to_json_string_ext(shown2, SHOW_FLAGS)),
		 "config show is not a fixed point\n--- first ---\n%s\n--- second ---\n%s", copy1,
		 json_object_to_json_string_ext(shown2, SHOW_FLAGS));
	json_object_put(shown2);
	json_object_put(shown);
	free(copy1);
out:
	free(cfg2);
	free(cfg);
	free(text);
	return 0;
}
