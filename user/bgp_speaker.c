// SPDX-License-Identifier: GPL-2.0-only
/*
 * Speaker adapters, the I/O half (see bgp_speaker.h).
 */
#include "bgp_speaker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "alert_send.h"
#include "fsutil.h"
#include "runprog.h"

#define OUT_MAX (64 * 1024)

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of a program's output, for a one-line detail. */
static void first_lines(const char *out, char *buf, size_t len)
{
	size_t i, j = 0;

	for (i = 0; out[i] && j + 1 < len; i++)
		buf[j++] = out[i] == '\n' || out[i] == '\r' ? ' ' : out[i];
	while (j && buf[j - 1] == ' ')
		j--;
	buf[j] = '\0';
}

/* ---- the ExaBGP relay socket ---- */

int xg_exa_listen(struct xg_exa *e, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(e, 0, sizeof(*e));
	e->lfd = e->cfd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "exabgp socket %s: path too long (at most %zu bytes)", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	e->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (e->lfd < 0)
		goto fail;
	/* A stale socket of a dead controller: we hold the state lock, so it
	 * is ours to replace. */
	unlink(path);
	if (bind(e->lfd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(e->lfd, 4))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "exabgp socket %s: %s", path, strerror(errno));
	if (e->lfd >= 0)
		close(e->lfd);
	e->lfd = -1;
	return -errno;
}

void xg_exa_close(struct xg_exa *e)
{
	if (e->cfd >= 0)
		close(e->cfd);
	if (e->lfd >= 0) {
		close(e->lfd);
		unlink(e->path);
	}
	e->lfd = e->cfd = -1;
}

int xg_exa_accept(struct xg_exa *e)
{
	int fd;

	if (e->lfd < 0)
		return 0;
	fd = accept4(e->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return 0;
	if (e->cfd >= 0)
		close(e->cfd);
	e->cfd = fd;
	e->rlen = 0;
	return 1;
}

bool xg_exa_connected(const struct xg_exa *e)
{
	return e->cfd >= 0;
}

static void exa_drop(struct xg_exa *e)
{
	if (e->cfd >= 0)
		close(e->cfd);
	e->cfd = -1;
	e->rlen = 0;
}

/* Sends one command line and waits for ExaBGP's "done" or "error". */
static void exa_command(struct xg_exa *e, const char *line, int timeout_ms,
			struct xg_spk_result *res)
{
	char buf[XG_SPK_PAYLOAD_MAX + 2];
	int64_t deadline = mono_ms() + timeout_ms;
	size_t len;

	/* No accept here: a new relay is the worker's to take, since it
	 * means a resync (see bgp.c). */
	if (e->cfd < 0) {
		snprintf(res->detail, sizeof(res->detail),
			 "no ExaBGP relay connected on %s (is ExaBGP running with "
			 "`xdpctl bgp exabgp-api` as its process?)",
			 e->path);
		return;
	}
	len = (size_t)snprintf(buf, sizeof(buf), "%s\n", line);
	if (send(e->cfd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(res->detail, sizeof(res->detail), "ExaBGP relay: %s", strerror(errno));
		exa_drop(e);
		return;
	}
	for (;;) {
		char *nl = memchr(e->rbuf, '\n', e->rlen);
		struct pollfd p = {.fd = e->cfd, .events = POLLIN};
		int left = (int)(deadline - mono_ms());
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - e->rbuf);
			char word[64];

			snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), e->rbuf);
			memmove(e->rbuf, nl + 1, e->rlen - n - 1);
			e->rlen -= n + 1;
			if (!strcmp(word, "done")) {
				res->ok = true;
				snprintf(res->detail, sizeof(res->detail), "done");
				return;
			}
			if (!strcmp(word, "error")) {
				res->permanent = true;
				snprintf(res->detail, sizeof(res->detail),
					 "ExaBGP answered error (see its log)");
				return;
			}
			continue; /* anything else ExaBGP says is not our answer */
		}
		if (left <= 0) {
			snprintf(res->detail, sizeof(res->detail),
				 "ExaBGP did not acknowledge within %d ms (exabgp.api.ack on?)",
				 timeout_ms);
			/* a late answer would pair with the next command */
			exa_drop(e);
			return;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		if (e->rlen == sizeof(e->rbuf))
			e->rlen = 0; /* a line this long is not an answer */
		r = read(e->cfd, e->rbuf + e->rlen, sizeof(e->rbuf) - e->rlen);
		if (r <= 0) {
			snprintf(res->detail, sizeof(res->detail),
				 "ExaBGP relay went away before answering");
			exa_drop(e);
			return;
		}
		e->rlen += (size_t)r;
	}
}

/* ---- programs ---- */

/* Runs argv; ok on exit 0 and no error marker in the output. */
static void run_program(char *const argv[], int timeout_ms, const char *const *bad_markers,
			struct xg_spk_result *res)
{
	char *out = malloc(OUT_MAX);
	int status = 0, r, i;

	xg_spawn_format(argv, res->payload, sizeof(res->payload));
	if (!out) {
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return;
	}
	r = xg_spawn(argv, NULL, timeout_ms, out, OUT_MAX, &status);
	if (r == -ENOENT) {
		snprintf(res->detail, sizeof(res->detail), "%s: not found", argv[0]);
	} else if (r == -ETIMEDOUT) {
		snprintf(res->detail, sizeof(res->detail), "%s: no answer within %d ms", argv[0],
			 timeout_ms);
	} else if (r) {
		snprintf(res->detail, sizeof(res->detail), "%s: %s", argv[0], strerror(-r));
	} else {
		first_lines(out, res->detail, sizeof(res->detail));
		res->ok = status == 0;
		for (i = 0; res->ok && bad_markers && bad_markers[i]; i++)
			if (strstr(out, bad_markers[i]))
				res->ok = false;
		if (!res->ok && !res->detail[0])
			snprintf(res->detail, sizeof(res->detail), "%s: exit status %d", argv[0],
				 status);
	}
	free(out);
}

/* "HOST:PORT" into gobgp's -u and -p. */
static int split_target(const char *target, char *host, size_t hlen, char *port, size_t plen)
{
	const char *c = strrchr(target, ':');

	if (!c || c == target || !c[1])
		return -EINVAL;
	if (target[0] == '[' && c[-1] == ']')
		snprintf(host, hlen, "%.*s", (int)(c - target - 2), target + 1);
	else
		snprintf(host, hlen, "%.*s", (int)(c - target), target);
	snprintf(port, plen, "%s", c + 1);
	return 0;
}

static void gobgp_apply(const struct xg_speaker_cfg *s, const struct xg_bgp_cfg *cfg,
			const struct xg_bgp_intent *in, bool announce, struct xg_spk_result *res)
{
	char *argv[XG_BGP_ARGV_MAX + 6], *rendered[XG_BGP_ARGV_MAX], store[2048], host[128],
	    port[16];
	const char *nh = in->dst.family == AF_INET6 ? cfg->next_hop_v6 : cfg->next_hop_v4;
	static const char *const bad[] = {"rpc error", NULL};
	int n, i, k = 0;

	if (split_target(s->target, host, sizeof(host), port, sizeof(port))) {
		res->permanent = true;
		snprintf(res->detail, sizeof(res->detail), "bad target %s", s->target);
		return;
	}
	n = xg_bgp_render_gobgp(in, announce, nh, rendered, store, sizeof(store));
	if (n < 0) {
		res->permanent = true;
		snprintf(res->detail, sizeof(res->detail), "cannot render for gobgp: %s",
			 strerror(-n));
		return;
	}
	argv[k++] = (char *)s->program;
	argv[k++] = "-u";
	argv[k++] = host;
	argv[k++] = "-p";
	argv[k++] = port;
	for (i = 0; i < n; i++)
		argv[k++] = rendered[i];
	argv[k] = NULL;
	run_program(argv, (int)s->timeout_ms, bad, res);
}

static void frr_apply(const struct xg_speaker_cfg *s, const struct xg_bgp_intent *in, bool announce,
		      struct xg_spk_result *res)
{
	char *argv[XG_BGP_ARGV_MAX + 4], *rendered[XG_BGP_ARGV_MAX], store[2048];
	/* vtysh exits 0 on many refused lines; these mark them */
	static const char *const bad[] = {"% Unknown command",	  "% Invalid",	 "% Ambiguous",
					  "% Command incomplete", "% Malformed", NULL};
	int n, i, k = 0;

	n = xg_bgp_render_frr(in, announce, s->asn, rendered, store, sizeof(store));
	if (n < 0) {
		res->permanent = true;
		snprintf(res->detail, sizeof(res->detail), "cannot render for FRR: %s",
			 n == -EOPNOTSUPP ? "FRR cannot originate FlowSpec" : strerror(-n));
		return;
	}
	argv[k++] = (char *)s->program;
	if (s->socket[0]) {
		argv[k++] = "--vty_socket";
		argv[k++] = (char *)s->socket;
	}
	for (i = 0; i < n; i++)
		argv[k++] = rendered[i];
	argv[k] = NULL;
	run_program(argv, (int)s->timeout_ms, bad, res);
	/* a withdraw of what FRR no longer has (a retry after a lost answer,
	 * a flush after an FRR restart) has done its job */
	if (!res->ok && !announce && strstr(res->detail, "Can't find"))
		res->ok = true;
}

static void webhook_post(const char *url, uint32_t timeout_ms, const char *body,
			 struct xg_spk_result *res)
{
	static const char *const headers[] = {"Content-Type: application/json"};
	struct xg_http_req req = {.url = url,
				  .body = body,
				  .body_len = strlen(body),
				  .headers = headers,
				  .n_headers = 1,
				  .timeout_ms = timeout_ms};
	struct xg_http_result hr;

	snprintf(res->payload, sizeof(res->payload), "%s", body);
	xg_send_http(&req, &hr);
	res->ok = hr.outcome == XG_SEND_DELIVERED;
	res->permanent = hr.outcome == XG_SEND_PERMANENT;
	if (res->ok)
		snprintf(res->detail, sizeof(res->detail), "HTTP %ld", hr.status);
	else
		snprintf(res->detail, sizeof(res->detail), "%s", hr.error);
}

void xg_spk_apply(const struct xg_speaker_cfg *s, const struct xg_bgp_cfg *cfg, struct xg_exa *exa,
		  const struct xg_bgp_intent *in, bool announce, const char *owners_json,
		  struct xg_spk_result *res)
{
	const char *nh = in->dst.family == AF_INET6 ? cfg->next_hop_v6 : cfg->next_hop_v4;
	int n;

	memset(res, 0, sizeof(*res));
	switch (s->type) {
	case XG_SPK_EXABGP:
		n = xg_bgp_render_exabgp(in, announce, nh, res->payload, sizeof(res->payload));
		if (n < 0) {
			res->permanent = true;
			snprintf(res->detail, sizeof(res->detail), "cannot render for ExaBGP: %s",
				 strerror(-n));
			return;
		}
		exa_command(exa, res->payload, (int)s->timeout_ms, res);
		return;
	case XG_SPK_GOBGP:
		gobgp_apply(s, cfg, in, announce, res);
		return;
	case XG_SPK_FRR:
		frr_apply(s, in, announce, res);
		return;
	case XG_SPK_WEBHOOK: {
		struct json_object *o = json_object_new_object(), *ij = xg_bgp_intent_to_json(in),
				   *ow = owners_json ? json_tokener_parse(owners_json) : NULL;

		json_object_object_add(o, "op",
				       json_object_new_string(announce ? "announce" : "withdraw"));
		json_object_object_add(o, "intent", ij);
		if (ow)
			json_object_object_add(o, "owners", ow);
		json_object_object_add(o, "next_hop", json_object_new_string(nh));
		webhook_post(s->url, s->timeout_ms,
			     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE),
			     res);
		json_object_put(o);
		return;
	}
	case XG_SPK_BIRD:
		break;
	}
	res->permanent = true;
	snprintf(res->detail, sizeof(res->detail), "not a per-rule speaker");
}

/* ---- BIRD ---- */

static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[XG_BGP_PATH_MAX + 16];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		xg_fsync_dir_of(path);
	return ret;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static void birdc_configure(const struct xg_speaker_cfg *s, struct xg_spk_result *res)
{
	char *argv[] = {(char *)s->program, "-s", (char *)s->socket, "configure", NULL};
	/* birdc prints the parse error and exits 0 */
	static const char *const bad[] = {"error", "Error", "syntax", NULL};
	char payload[sizeof(res->payload)];

	snprintf(payload, sizeof(payload), "%s", res->payload);
	run_program(argv, (int)s->timeout_ms, bad, res);
	if (res->ok && !strstr(res->detail, "Reconfigur")) {
		res->ok = false;
		if (!res->detail[0])
			snprintf(res->detail, sizeof(res->detail), "birdc said nothing");
	}
	snprintf(res->payload, sizeof(res->payload), "%s", payload);
}

void xg_spk_bird_sync(const struct xg_speaker_cfg *s, const struct xg_bgp_intent *const *rules,
		      size_t n, struct xg_spk_result *res)
{
	struct xg_bird_names names = {s->prefix, s->flow4_table, s->flow6_table, s->rtbh4_table,
				      s->rtbh6_table};
	size_t cap = 4096 + n * 1024, old_len = 0;
	char *text = malloc(cap), *old;
	int len, r;

	memset(res, 0, sizeof(*res));
	if (!text) {
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return;
	}
	len = xg_bgp_render_bird(rules, n, &names, text, cap);
	if (len < 0) {
		res->permanent = true;
		snprintf(res->detail, sizeof(res->detail), "cannot render for BIRD: %s",
			 strerror(-len));
		free(text);
		return;
	}
	/* the payload in the journal: the file's rule lines, cut to fit */
	snprintf(res->payload, sizeof(res->payload), "%s", text);
	old = read_all(s->include, &old_len);
	r = write_file(s->include, text, (size_t)len);
	free(text);
	if (r) {
		snprintf(res->detail, sizeof(res->detail), "cannot write %s: %s", s->include,
			 strerror(-r));
		free(old);
		return;
	}
	birdc_configure(s, res);
	if (!res->ok) {
		char why[401];
		struct xg_spk_result back;

		/* Put the last good file back so BIRD keeps what it had and a
		 * later configure (by anyone) does not trip over ours. */
		snprintf(why, sizeof(why), "%.400s", res->detail);
		write_file(s->include, old ? old : "", old ? old_len : 0);
		memset(&back, 0, sizeof(back));
		birdc_configure(s, &back);
		snprintf(res->detail, sizeof(res->detail),
			 "BIRD refused the new rules (%.400s); %s", why,
			 back.ok ? "rolled back" : "rollback also failed");
		/* BIRD answered and took the old file back: it is the new one
		 * it refuses, and sending it again will not change its mind. A
		 * BIRD that did not answer at all is worth retrying. */
		res->permanent = back.ok;
	}
	free(old);
}

/* ---- health ---- */

static void probe_program(char *const argv[], int timeout_ms, char *out, size_t outlen, bool *ran)
{
	int status = 0;

	*ran = !xg_spawn(argv, NULL, timeout_ms, out, outlen, &status) && status == 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

void xg_spk_probe(const struct xg_speaker_cfg *s, struct xg_exa *exa, bool *up, char *session,
		  size_t len)
{
	char *out = malloc(OUT_MAX), host[128], port[16];
	bool ran = false;
	size_t est, all;

	*up = false;
	if (!out) {
		snprintf(session, len, "unknown");
		return;
	}
	out[0] = '\0';
	switch (s->type) {
	case XG_SPK_EXABGP:
		*up = xg_exa_connected(exa);
		snprintf(session, len, *up ? "relay connected" : "no relay connected");
		break;
	case XG_SPK_GOBGP: {
		char *argv[] = {(char *)s->program, "-u", host, "-p", port, "neighbor", "-j", NULL};

		if (split_target(s->target, host, sizeof(host), port, sizeof(port)))
			break;
		probe_program(argv, (int)s->timeout_ms, out, OUT_MAX, &ran);
		if (!ran) {
			snprintf(session, len, "gobgpd not answering on %s", s->target);
			break;
		}
		/* gobgp -j: each neighbor has "session_state": 6 when established */
		all = count(out, "\"session_state\"");
		est = count(out, "\"session_state\":6");
		*up = est > 0;
		snprintf(session, len, "%zu of %zu neighbors established", est, all);
		break;
	}
	case XG_SPK_BIRD: {
		char *argv[] = {(char *)s->program, "-s", (char *)s->socket, "show",
				"protocols",	    NULL};

		probe_program(argv, (int)s->timeout_ms, out, OUT_MAX, &ran);
		if (!ran) {
			snprintf(session, len, "BIRD not answering on %s", s->socket);
			break;
		}
		est = count(out, "Established");
		*up = est > 0;
		snprintf(session, len, "%zu BGP sessions established", est);
		break;
	}
	case XG_SPK_FRR: {
		char *argv[8];
		int k = 0;

		argv[k++] = (char *)s->program;
		if (s->socket[0]) {
			argv[k++] = "--vty_socket";
			argv[k++] = (char *)s->socket;
		}
		argv[k++] = "-c";
		argv[k++] = "show bgp summary json";
		argv[k] = NULL;
		probe_program(argv, (int)s->timeout_ms, out, OUT_MAX, &ran);
		if (!ran) {
			snprintf(session, len, "FRR not answering");
			break;
		}
		est = count(out, "\"state\":\"Established\"");
		*up = est > 0;
		snprintf(session, len, "%zu BGP sessions established", est);
		break;
	}
	case XG_SPK_WEBHOOK:
		*up = true;
		snprintf(session, len, "webhook (no session)");
		break;
	}
	free(out);
}

/* ---- scrubbing ---- */

void xg_spk_scrub(const struct xg_bgp_cfg *cfg, const char *context, struct xg_spk_result *res)
{
	struct xg_spk_result hook = {0}, cmd = {0};
	bool want_hook = cfg->scrub_url[0], want_cmd = cfg->n_scrub_args > 0;

	memset(res, 0, sizeof(*res));
	if (want_hook)
		webhook_post(cfg->scrub_url, 10000, context, &hook);
	if (want_cmd) {
		char *argv[XG_BGP_ARGS_MAX + 1], *out = malloc(OUT_MAX);
		int i, status = 0, r;

		for (i = 0; i < cfg->n_scrub_args; i++)
			argv[i] = (char *)cfg->scrub_command[i];
		argv[i] = NULL;
		xg_spawn_format(argv, cmd.payload, sizeof(cmd.payload));
		r = out ? xg_spawn(argv, context, 30000, out, OUT_MAX, &status) : -ENOMEM;
		cmd.ok = !r && status == 0;
		if (r)
			snprintf(cmd.detail, sizeof(cmd.detail), "%s", strerror(-r));
		else
			snprintf(cmd.detail, sizeof(cmd.detail), "exit status %d", status);
		free(out);
	}
	res->ok = (!want_hook || hook.ok) && (!want_cmd || cmd.ok);
	res->permanent = hook.permanent;
	snprintf(res->payload, sizeof(res->payload), "%s", want_cmd ? cmd.payload : hook.payload);
	snprintf(res->detail, sizeof(res->detail), "%s%.240s%s%s%.200s",
		 want_hook ? "webhook: " : "", want_hook ? hook.detail : "",
		 want_hook && want_cmd ? "; " : "", want_cmd ? "command: " : "",
		 want_cmd ? cmd.detail : "");
}
