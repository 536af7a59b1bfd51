/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Talking to one BGP speaker: the I/O half of an adapter (the rendering is
 * bgp_intent.c's). Blocking calls with timeouts, for the speaker's worker
 * thread only.
 *
 *   exabgp   a line to `xdpctl bgp exabgp-api` over a unix socket; ExaBGP
 *            answers "done" or "error" (api.ack), the relay passes it back
 *   gobgp    gobgp -u HOST -p PORT <rendered words>
 *   bird     the whole rule set rendered into the include file (temp file,
 *            rename), then birdc configure; the old file is put back and
 *            configured again when BIRD refuses the new one
 *   frr      vtysh [--vty_socket DIR] -c ... (RTBH only)
 *   webhook  POST of {"op","rule","intent",...} as JSON
 */
#ifndef XG_BGP_SPEAKER_H
#define XG_BGP_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_cfg.h"
#include "bgp_intent.h"

#define XG_SPK_PAYLOAD_MAX 4096
#define XG_SPK_DETAIL_MAX  512

struct xg_spk_result {
	bool ok;
	bool permanent;			  /* retrying cannot help (refused as invalid) */
	char payload[XG_SPK_PAYLOAD_MAX]; /* exactly what was sent */
	char detail[XG_SPK_DETAIL_MAX];	  /* the speaker's answer or the error */
};

/* The ExaBGP relay endpoint: a listening unix socket and the one relay
 * connected to it. */
struct xg_exa {
	int lfd, cfd;
	char path[108];
	char rbuf[512];
	size_t rlen;
};

int xg_exa_listen(struct xg_exa *e, const char *path, char *err, size_t errlen);
void xg_exa_close(struct xg_exa *e);
/* Accepts a waiting relay (replacing the old one). 1 when a new relay came
 * (ExaBGP restarted: its routes are gone, announce everything again), 0
 * otherwise. */
int xg_exa_accept(struct xg_exa *e);
bool xg_exa_connected(const struct xg_exa *e);

/* One announce or withdraw. ctx_json (may be NULL) is added to webhook
 * bodies. Not for bird. */
void xg_spk_apply(const struct xg_speaker_cfg *s, const struct xg_bgp_cfg *cfg, struct xg_exa *exa,
		  const struct xg_bgp_intent *in, bool announce, const char *owners_json,
		  struct xg_spk_result *res);

/* bird: makes the include file hold exactly rules and has BIRD load it. */
void xg_spk_bird_sync(const struct xg_speaker_cfg *s, const struct xg_bgp_intent *const *rules,
		      size_t n, struct xg_spk_result *res);

/* The speaker's BGP sessions, for the status: up is true when the speaker
 * answered and at least one session is established (exabgp: the relay is
 * connected; webhook: always). session gets a short summary. */
void xg_spk_probe(const struct xg_speaker_cfg *s, struct xg_exa *exa, bool *up, char *session,
		  size_t len);

/* The scrubbing trigger: POST context to url and/or run command with the
 * context on stdin. */
void xg_spk_scrub(const struct xg_bgp_cfg *cfg, const char *context, struct xg_spk_result *res);

#endif /* XG_BGP_SPEAKER_H */
