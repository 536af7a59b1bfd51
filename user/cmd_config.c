// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl config: check a configuration file, show the effective one. Reads
 * files only, so neither needs root nor touches the maps. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const char config_usage[] =
    "usage: xdpctl config check FILE\n"
    "       xdpctl config show [--config FILE]\n"
    "\n"
    "The configuration of the controller ('xdpctl run --config FILE'): one JSON\n"
    "object whose keys override embedded defaults, so every key is optional and\n"
    "'{}' is a complete file. Every key, its type, default and range are in\n"
    "config/README.md; config/xdpguard.json is a complete example.\n"
    "\n"
    "Commands:\n"
    "  check FILE\n"
    "        Read FILE and check every key: unknown keys (anywhere), duplicate keys,\n"
    "        wrong types, values out of range, bad port lists, ports claimed by two\n"
    "        service classes, and JSON syntax. Prints 'FILE: ok' and exits 0, or\n"
    "        prints the first problem as one line on stderr and exits 1:\n"
    "            FILE:LINE: KEY.PATH: reason\n"
    "        e.g. 'xdpguard.json:12: baseline.window: must be an integer 10-3600,\n"
    "        got 5'; for a JSON syntax error, 'FILE:LINE: invalid JSON: reason'.\n"
    "  show [--config FILE]\n"
    "        Print the effective configuration as JSON, every key present: the\n"
    "        defaults, with FILE's values over them when --config is given. The\n"
    "        output is itself a valid configuration file.\n"
    "\n"
    "Options:\n"
    "  --config FILE, --config=FILE\n"
    "        (show) the file to apply over the defaults.\n"
    "  -h, --help\n"
    "        This text.\n"
    "\n"
    "Neither command needs root or touches the XDP program or its maps; 'check'\n"
    "is safe to run before 'systemctl reload xdpguard'. Files over 1 MiB are\n"
    "refused.\n"
    "\n"
    "Exit status: 0 on success, 1 when the file is unreadable or invalid, 2 on bad\n"
    "usage.\n"
    "\n"
    "Examples:\n"
    "  xdpctl config check /etc/xdpguard/xdpguard.json\n"
    "  xdpctl config show > /etc/xdpguard/xdpguard.json   # start from the defaults\n"
    "  xdpctl config show --config /etc/xdpguard/xdpguard.json\n";

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("xdpctl config: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see 'xdpctl config --help')\n", stderr);
	return 2;
}

/* stdout may be a full disk or a closed pipe: say so rather than exit 0. */
static int flush_stdout(void)
{
	if (fflush(stdout) || ferror(stdout))
		return xg_fail("config", "cannot write to stdout");
	return 0;
}

static int config_check(int argc, char **argv)
{
	char err[1024];
	struct xg_cfg cfg;

	if (argc == 2 && is_help(argv[1])) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (argc != 2)
		return usage_error("%s", "check takes one FILE");
	if (xg_cfg_load(&cfg, argv[1], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: ok\n", argv[1]);
	return flush_stdout();
}

static int config_show(int argc, char **argv)
{
	const char *file = NULL;
	struct json_object *obj;
	char err[1024];
	struct xg_cfg cfg;
	int i;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(config_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--config")) {
			if (++i == argc)
				return usage_error("%s", "--config needs a FILE");
			file = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			file = argv[i] + 9;
		} else {
			return usage_error("unexpected argument '%s'", argv[i]);
		}
	}
	if (file) {
		if (xg_cfg_load(&cfg, file, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	} else {
		xg_cfg_defaults(&cfg);
	}
	obj = xg_cfg_to_json(&cfg);
	if (!obj)
		return xg_fail("config", "out of memory");
	xg_json_print(obj);
	json_object_put(obj);
	return flush_stdout();
}

int cmd_config(int argc, char **argv)
{
	if (argc < 2) {
		fputs(config_usage, stderr);
		return 2;
	}
	if (is_help(argv[1])) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "check"))
		return config_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return config_show(argc - 1, argv + 1);
	return usage_error("unknown subcommand '%s'", argv[1]);
}
