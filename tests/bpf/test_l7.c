// SPDX-License-Identifier: GPL-2.0-only
/* Payload inspection: the SIP start-line classifier on the SIP ports and the
 * RFC 7983 check (RTP/RTCP, STUN, DTLS) on the RTP range. */
#include <netinet/in.h>
#include <string.h>

#include "harness.h"

#define NONE	 (-1) /* nothing counted in sip[] */
#define ACK_FLAG 0x10
#define PSH_ACK	 0x18

/*
 * Sends payload to port 5060 over transport ("UDP" or "TCP"), optionally
 * over IPv6, and checks that exactly sip[want] was counted (or nothing when
 * want is NONE). trim, when non-zero, is the frame length to send instead of
 * the builder's (which pads to the 60-byte Ethernet minimum, as on the wire).
 */
static void sip_check_at(const char *transport, int v6, uint16_t dport, uint8_t tcp_flags,
			 const void *payload, size_t len, size_t trim, int want, const char *file,
			 int line)
{
	bool tcp = strcmp(transport, "TCP") == 0;
	uint8_t proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;
	int m;

	if (v6)
		spec_v6(&s, "fd00:123:1::2", proto, dport);
	else
		spec_v4(&s, "10.123.1.2", proto, dport);
	s.tcp_flags = tcp_flags;
	spec_payload(&s, payload, len);
	n = build_at(&s, buf, sizeof(buf), file, line);
	if (trim)
		n = trim;
	expect_eq_at((uint64_t)xdp_run_at(buf, n, file, line), XDP_PASS, "verdict", file, line);
	stats_get(&st);
	for (m = 0; m < XG_SIP_SLOTS; m++) {
		uint64_t w = m == want ? 1 : 0;

		if (st.sip[m] != w)
			check_at(false, file, line, "sip[%d] == %llu (got %llu; frame %zu bytes)",
				 m, (unsigned long long)w, (unsigned long long)st.sip[m], n);
	}
	check_at(true, file, line, "sip[] counters");
}

#define SIP_CHECK(tr, payload, len, want)                                                          \
	sip_check_at((tr), 0, 5060, strcmp((tr), "TCP") ? 0 : PSH_ACK, (payload), (len), 0,        \
		     (want), __FILE__, __LINE__)

static void sip_method(const char *transport, const char *method, int want, const char *file,
		       int line)
{
	bool tcp = strcmp(transport, "TCP") == 0;
	struct xg_stats st;
	char msg[1024];

	sip_request(msg, sizeof(msg), method, transport);
	sip_check_at(transport, 0, 5060, tcp ? PSH_ACK : 0, msg, strlen(msg), 0, want, file, line);
	stats_get(&st);
	expect_eq_at(st.svc[tcp ? XG_SVC_SIP_TCP : XG_SVC_SIP_UDP].packets, 1, "svc", file, line);
}

#define SIP_METHOD_TESTS(name, method, want)                                                       \
	static void test_udp_##name(void)                                                          \
	{                                                                                          \
		sip_method("UDP", method, want, __FILE__, __LINE__);                               \
	}                                                                                          \
	static void test_tcp_##name(void)                                                          \
	{                                                                                          \
		sip_method("TCP", method, want, __FILE__, __LINE__);                               \
	}

SIP_METHOD_TESTS(register, "REGISTER", XG_SIP_REGISTER)
SIP_METHOD_TESTS(invite, "INVITE", XG_SIP_INVITE)
SIP_METHOD_TESTS(options, "OPTIONS", XG_SIP_OPTIONS)
SIP_METHOD_TESTS(ack, "ACK", XG_SIP_ACK)
SIP_METHOD_TESTS(bye, "BYE", XG_SIP_BYE)
SIP_METHOD_TESTS(cancel, "CANCEL", XG_SIP_CANCEL)
SIP_METHOD_TESTS(subscribe, "SUBSCRIBE", XG_SIP_SUBSCRIBE)
SIP_METHOD_TESTS(notify, "NOTIFY", XG_SIP_NOTIFY)
SIP_METHOD_TESTS(message, "MESSAGE", XG_SIP_MESSAGE)
SIP_METHOD_TESTS(publish, "PUBLISH", XG_SIP_OTHER)
SIP_METHOD_TESTS(info, "INFO", XG_SIP_OTHER)

static void test_udp_response(void)
{
	char msg[1024];

	sip_response(msg, sizeof(msg), "UDP");
	SIP_CHECK("UDP", msg, strlen(msg), XG_SIP_RESPONSE);
}

static void test_tcp_response(void)
{
	char msg[1024];

	sip_response(msg, sizeof(msg), "TCP");
	SIP_CHECK("TCP", msg, strlen(msg), XG_SIP_RESPONSE);
}

static void test_udp_keepalive(void)
{
	SIP_CHECK("UDP", "\r\n\r\n", 4, XG_SIP_KEEPALIVE);
}

static void test_tcp_keepalive(void)
{
	SIP_CHECK("TCP", "\r\n\r\n", 4, XG_SIP_KEEPALIVE);
}

static void test_udp_single_crlf(void)
{
	/* The RFC 5626 pong is a single CRLF. */
	sip_check_at("UDP", 1, 5060, 0, "\r\n", 2, 0, XG_SIP_KEEPALIVE, __FILE__, __LINE__);
}

static const uint8_t binary[48] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0xff, 0xfe,
				   0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0};

static void test_udp_binary(void)
{
	SIP_CHECK("UDP", binary, sizeof(binary), XG_SIP_MALFORMED);
}

static void test_udp_http(void)
{
	/* A token, then a space: indistinguishable from an unknown method. */
	static const char get[] = "GET / HTTP/1.1\r\nHost: pbx.example.net\r\n\r\n";

	SIP_CHECK("UDP", get, sizeof(get) - 1, XG_SIP_OTHER);
}

static void test_udp_short_token(void)
{
	/* Fewer than 3 token characters before the space is not a method. */
	static const char two[] = "XY sip:bob@pbx.example.net SIP/2.0\r\n";

	SIP_CHECK("UDP", two, sizeof(two) - 1, XG_SIP_MALFORMED);
}

static void test_udp_short_datagram(void)
{
	/* Under XG_SIP_PEEK bytes and not a keep-alive (IPv6: no padding). */
	sip_check_at("UDP", 1, 5060, 0, "OPTIONS", 7, 0, XG_SIP_MALFORMED, __FILE__, __LINE__);
}

static void test_udp_empty_v6(void)
{
	sip_check_at("UDP", 1, 5060, 0, NULL, 0, 0, NONE, __FILE__, __LINE__);
}

static void test_udp_empty_wire(void)
{
	/* An empty IPv4 datagram as it arrives from the wire: 42 bytes padded
	 * to 60. The padding is not a SIP message. */
	sip_check_at("UDP", 0, 5060, 0, NULL, 0, 0, NONE, __FILE__, __LINE__);
}

static void test_tcp_continuation(void)
{
	static const char sdp[] = "v=0\r\n"
				  "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
				  "s=-\r\n"
				  "c=IN IP4 192.0.2.10\r\n"
				  "t=0 0\r\n"
				  "m=audio 49170 RTP/AVP 0\r\n"
				  "a=rtpmap:0 PCMU/8000\r\n";
	static const char header[] = "Content-Type: application/sdp\r\nContent-Length: 142\r\n\r\n";

	SIP_CHECK("TCP", sdp, sizeof(sdp) - 1, XG_SIP_CONTINUATION);
	fx_setup(); /* fresh counters for the second segment */
	SIP_CHECK("TCP", header, sizeof(header) - 1, XG_SIP_CONTINUATION);
}

static void test_tcp_binary(void)
{
	SIP_CHECK("TCP", binary, sizeof(binary), XG_SIP_CONTINUATION);
}

static void test_tcp_short_segment(void)
{
	sip_check_at("TCP", 1, 5060, PSH_ACK, "BYE", 3, 0, XG_SIP_CONTINUATION, __FILE__, __LINE__);
}

static void test_tcp_bare_ack_v6(void)
{
	/* 74-byte frame: nothing after the TCP header. */
	sip_check_at("TCP", 1, 5060, ACK_FLAG, NULL, 0, 0, NONE, __FILE__, __LINE__);
}

static void test_tcp_bare_ack_exact(void)
{
	/* 54-byte IPv4 frame, as a host hands it to its own stack. */
	sip_check_at("TCP", 0, 5060, ACK_FLAG, NULL, 0, 14 + 20 + 20, NONE, __FILE__, __LINE__);
}

static void test_tcp_bare_ack_wire(void)
{
	/* The same ACK as it arrives from the wire: padded to 60 bytes. The
	 * six padding bytes are not TCP payload. */
	sip_check_at("TCP", 0, 5060, ACK_FLAG, NULL, 0, 0, NONE, __FILE__, __LINE__);
}

static void test_tcp_syn_not_counted(void)
{
	sip_check_at("TCP", 1, 5060, 0x02, NULL, 0, 0, NONE, __FILE__, __LINE__);
}

static void test_sip_ipv6_tcp(void)
{
	char msg[1024];

	sip_request(msg, sizeof(msg), "INVITE", "TCP");
	sip_check_at("TCP", 1, 5060, PSH_ACK, msg, strlen(msg), 0, XG_SIP_INVITE, __FILE__,
		     __LINE__);
}

static void test_udp_5061_not_parsed(void)
{
	struct xg_stats st;
	char msg[1024];

	sip_request(msg, sizeof(msg), "INVITE", "UDP");
	sip_check_at("UDP", 0, 5061, 0, msg, strlen(msg), 0, NONE, __FILE__, __LINE__);
	stats_get(&st);
	EXPECT_EQ(st.svc[XG_SVC_SIP_TLS].packets, 0);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5061), 1);
}

static void test_tls_5061(void)
{
	/* A TLS ClientHello record header and the start of the handshake. */
	static const uint8_t hello[32] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4,
					  0x03, 0x03, 'I',  'N',  'V',	'I',  'T',  'E',  ' '};
	struct xg_stats st;

	sip_check_at("TCP", 0, 5061, PSH_ACK, hello, sizeof(hello), 0, NONE, __FILE__, __LINE__);
	stats_get(&st);
	EXPECT_EQ(st.svc[XG_SVC_SIP_TLS].packets, 1);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5061), 1);
}

/* RTP range: sends payload to dport and checks rtp_invalid. */
static void rtp_check_at(int v6, uint8_t proto, uint16_t dport, const void *payload, size_t len,
			 size_t trim, uint64_t want_invalid, const char *file, int line)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	if (v6)
		spec_v6(&s, "fd00:123:1::2", proto, dport);
	else
		spec_v4(&s, "10.123.1.2", proto, dport);
	spec_payload(&s, payload, len);
	n = build_at(&s, buf, sizeof(buf), file, line);
	if (trim)
		n = trim;
	expect_eq_at((uint64_t)xdp_run_at(buf, n, file, line), XDP_PASS, "verdict", file, line);
	stats_get(&st);
	check_at(st.rtp_invalid == want_invalid, file, line,
		 "rtp_invalid == %llu (got %llu; frame %zu bytes)",
		 (unsigned long long)want_invalid, (unsigned long long)st.rtp_invalid, n);
	expect_eq_at(st.svc[XG_SVC_RTP].packets,
		     proto == IPPROTO_UDP && dport >= 10000 && dport <= 20000, "svc[RTP]", file,
		     line);
	expect_eq_at(SUM(st.sip), 0, "no SIP on RTP ports", file, line);
}

#define RTP_CHECK(payload, len, want)                                                              \
	rtp_check_at(0, IPPROTO_UDP, 16000, (payload), (len), 0, (want), __FILE__, __LINE__)

/* RTP v2, PCMU, seq 0x1234, ts, SSRC, then 160 bytes of audio. */
static uint8_t rtp_pcmu[12 + 160] = {0x80, 0x00, 0x12, 0x34, 0x00, 0x01,
				     0xe2, 0x40, 0xde, 0xad, 0xbe, 0xef};

static void test_rtp_v2(void)
{
	RTP_CHECK(rtp_pcmu, sizeof(rtp_pcmu), 0);
}

static void test_rtp_v2_v6(void)
{
	rtp_check_at(1, IPPROTO_UDP, 10002, rtp_pcmu, sizeof(rtp_pcmu), 0, 0, __FILE__, __LINE__);
}

static void test_rtp_marker_padding(void)
{
	uint8_t p[12 + 20];

	memcpy(p, rtp_pcmu, sizeof(p));
	p[0] = 0xbf; /* V=2, P, X, CC=15: the top of the range */
	p[1] = 0x80 | 111;
	RTP_CHECK(p, sizeof(p), 0);
}

static void test_rtcp(void)
{
	/* RTCP sender report (PT 200), 28 bytes. */
	static const uint8_t sr[28] = {0x80, 0xc8, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef};

	RTP_CHECK(sr, sizeof(sr), 0);
}

static void test_rtp_zero(void)
{
	static const uint8_t zero[12];

	RTP_CHECK(zero, sizeof(zero), 1);
}

static void test_rtp_bad_version(void)
{
	uint8_t p[12 + 20];

	memcpy(p, rtp_pcmu, sizeof(p));
	p[0] = 0x40; /* version 1 */
	RTP_CHECK(p, sizeof(p), 1);
	fx_setup();
	p[0] = 0xc0; /* version 3 */
	RTP_CHECK(p, sizeof(p), 1);
}

static void test_rtp_range_bounds(void)
{
	static const uint8_t zero[12];

	/* The bounds are RTP; one outside is not checked at all. */
	rtp_check_at(0, IPPROTO_UDP, 10000, rtp_pcmu, sizeof(rtp_pcmu), 0, 0, __FILE__, __LINE__);
	fx_setup();
	rtp_check_at(0, IPPROTO_UDP, 20000, rtp_pcmu, sizeof(rtp_pcmu), 0, 0, __FILE__, __LINE__);
	fx_setup();
	rtp_check_at(0, IPPROTO_UDP, 9999, zero, sizeof(zero), 0, 0, __FILE__, __LINE__);
	fx_setup();
	rtp_check_at(0, IPPROTO_UDP, 20001, zero, sizeof(zero), 0, 0, __FILE__, __LINE__);
	fx_setup();
	rtp_check_at(0, IPPROTO_UDP, 10000, zero, sizeof(zero), 0, 1, __FILE__, __LINE__);
}

static void test_rtp_over_tcp_unchecked(void)
{
	static const uint8_t zero[12];

	rtp_check_at(0, IPPROTO_TCP, 16000, zero, sizeof(zero), 0, 0, __FILE__, __LINE__);
}

/* STUN binding request: type 0x0001, length 0, magic cookie, transaction id. */
static const uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 0x63, 0xc7,
				 0x11, 0x7e, 0x07, 0x14, 0x27, 0x8f, 0x5d, 0xed, 0x32, 0x21};

static void test_stun(void)
{
	RTP_CHECK(stun, sizeof(stun), 0);
}

static void test_stun_response_v6(void)
{
	uint8_t p[32];

	memset(p, 0, sizeof(p));
	memcpy(p, stun, sizeof(stun));
	p[0] = 0x01; /* binding success response */
	p[3] = 12;
	rtp_check_at(1, IPPROTO_UDP, 19999, p, sizeof(p), 0, 0, __FILE__, __LINE__);
}

static void test_stun_no_cookie(void)
{
	uint8_t p[20];

	memcpy(p, stun, sizeof(p));
	p[4] = 0; /* RFC 3489 style: no magic cookie */
	RTP_CHECK(p, sizeof(p), 1);
}

static void test_stun_truncated(void)
{
	/* 16 of the 20 header bytes, in an exact-length IPv6 frame. */
	rtp_check_at(1, IPPROTO_UDP, 16000, stun, 16, 0, 1, __FILE__, __LINE__);
}

static void test_dtls(void)
{
	/* DTLS 1.2 handshake record: type 22, version fe fd, epoch, seq, len. */
	static const uint8_t dtls12[25] = {0x16, 0xfe, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x00, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00};
	uint8_t dtls10[25];

	RTP_CHECK(dtls12, sizeof(dtls12), 0);
	fx_setup();
	memcpy(dtls10, dtls12, sizeof(dtls10));
	dtls10[0] = 0x17; /* application data */
	dtls10[2] = 0xff; /* DTLS 1.0 */
	RTP_CHECK(dtls10, sizeof(dtls10), 0);
}

static void test_tls_not_dtls(void)
{
	static const uint8_t tls[16] = {0x16, 0x03, 0x01, 0x00, 0x0c};

	RTP_CHECK(tls, sizeof(tls), 1);
}

static void test_rtp_short_exact(void)
{
	/* 8 payload bytes with an RTP v2 first byte: under the 12-byte header.
	 * IPv6 frames are never padded; the IPv4 one is sent unpadded. */
	rtp_check_at(1, IPPROTO_UDP, 16000, rtp_pcmu, 8, 0, 1, __FILE__, __LINE__);
	fx_setup();
	rtp_check_at(0, IPPROTO_UDP, 16000, rtp_pcmu, 8, 14 + 20 + 8 + 8, 1, __FILE__, __LINE__);
}

static void test_rtp_empty(void)
{
	rtp_check_at(1, IPPROTO_UDP, 16000, NULL, 0, 0, 1, __FILE__, __LINE__);
}

static void test_rtp_short_wire(void)
{
	/* The same 8-byte datagram over IPv4 as it arrives from the wire,
	 * padded to 60 bytes: the padding is not RTP header. */
	rtp_check_at(0, IPPROTO_UDP, 16000, rtp_pcmu, 8, 0, 1, __FILE__, __LINE__);
}

#define T(name, fn)                                                                                \
	{                                                                                          \
		name, fn                                                                           \
	}

static const struct fx_test tests[] = {
    T("SIP/UDP REGISTER", test_udp_register),
    T("SIP/TCP REGISTER", test_tcp_register),
    T("SIP/UDP INVITE", test_udp_invite),
    T("SIP/TCP INVITE", test_tcp_invite),
    T("SIP/UDP OPTIONS", test_udp_options),
    T("SIP/TCP OPTIONS", test_tcp_options),
    T("SIP/UDP ACK", test_udp_ack),
    T("SIP/TCP ACK", test_tcp_ack),
    T("SIP/UDP BYE", test_udp_bye),
    T("SIP/TCP BYE", test_tcp_bye),
    T("SIP/UDP CANCEL", test_udp_cancel),
    T("SIP/TCP CANCEL", test_tcp_cancel),
    T("SIP/UDP SUBSCRIBE", test_udp_subscribe),
    T("SIP/TCP SUBSCRIBE", test_tcp_subscribe),
    T("SIP/UDP NOTIFY", test_udp_notify),
    T("SIP/TCP NOTIFY", test_tcp_notify),
    T("SIP/UDP MESSAGE", test_udp_message),
    T("SIP/TCP MESSAGE", test_tcp_message),
    T("SIP/UDP PUBLISH: other method", test_udp_publish),
    T("SIP/TCP PUBLISH: other method", test_tcp_publish),
    T("SIP/UDP INFO: other method", test_udp_info),
    T("SIP/TCP INFO: other method", test_tcp_info),
    T("SIP/UDP 200 OK: response", test_udp_response),
    T("SIP/TCP 200 OK: response", test_tcp_response),
    T("SIP/UDP CRLFCRLF keep-alive", test_udp_keepalive),
    T("SIP/TCP CRLFCRLF keep-alive", test_tcp_keepalive),
    T("SIP/UDP CRLF pong (IPv6)", test_udp_single_crlf),
    T("SIP/UDP random binary: malformed", test_udp_binary),
    T("SIP/UDP HTTP request: other method", test_udp_http),
    T("SIP/UDP 2-letter token: malformed", test_udp_short_token),
    T("SIP/UDP 7-byte datagram: malformed", test_udp_short_datagram),
    T("SIP/UDP empty datagram (IPv6): not counted", test_udp_empty_v6),
    T("SIP/UDP empty datagram, 60-byte wire frame: not counted", test_udp_empty_wire),
    T("SIP/TCP SDP body: continuation", test_tcp_continuation),
    T("SIP/TCP binary: continuation", test_tcp_binary),
    T("SIP/TCP 3-byte segment: continuation", test_tcp_short_segment),
    T("SIP/TCP bare ACK, IPv6: not counted", test_tcp_bare_ack_v6),
    T("SIP/TCP bare ACK, 54-byte IPv4 frame: not counted", test_tcp_bare_ack_exact),
    T("SIP/TCP bare ACK, 60-byte wire frame: not counted", test_tcp_bare_ack_wire),
    T("SIP/TCP SYN: not counted", test_tcp_syn_not_counted),
    T("SIP/TCP INVITE over IPv6", test_sip_ipv6_tcp),
    T("UDP 5061: not SIP-parsed, no service", test_udp_5061_not_parsed),
    T("TCP 5061: SIP-TLS, not SIP-parsed", test_tls_5061),
    T("RTP v2 PCMU: valid", test_rtp_v2),
    T("RTP v2 over IPv6: valid", test_rtp_v2_v6),
    T("RTP v2 with P, X, CC, marker: valid", test_rtp_marker_padding),
    T("RTCP sender report: valid", test_rtcp),
    T("12 zero bytes: invalid", test_rtp_zero),
    T("RTP version 1 and 3: invalid", test_rtp_bad_version),
    T("RTP range bounds 10000 and 20000", test_rtp_range_bounds),
    T("TCP in the RTP range: not checked", test_rtp_over_tcp_unchecked),
    T("STUN binding request: valid", test_stun),
    T("STUN success response (IPv6): valid", test_stun_response_v6),
    T("STUN without magic cookie: invalid", test_stun_no_cookie),
    T("STUN header cut at 16 bytes: invalid", test_stun_truncated),
    T("DTLS 1.2 / 1.0 records: valid", test_dtls),
    T("TLS (not DTLS) record: invalid", test_tls_not_dtls),
    T("payload under 12 bytes, exact frame: invalid", test_rtp_short_exact),
    T("empty datagram on an RTP port: invalid", test_rtp_empty),
    T("payload under 12 bytes, 60-byte wire frame: invalid", test_rtp_short_wire),
    {NULL, NULL},
};

int register_l7_tests(void)
{
	return fx_add_suite("sip-rtp", tests);
}
