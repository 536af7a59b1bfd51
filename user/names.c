// SPDX-License-Identifier: GPL-2.0-only
#include "names.h"

#include <xdpguard/abi.h>

#define NAME_AT(tbl, i) ((i) >= 0 && (unsigned)(i) < sizeof(tbl) / sizeof(tbl[0]) ? tbl[i] : "?")

static const char *const proto_names[XG_PROTO_MAX] = {
    [XG_PROTO_TCP] = "tcp",	  [XG_PROTO_UDP] = "udp",      [XG_PROTO_ICMP] = "icmp",
    [XG_PROTO_ICMPV6] = "icmpv6", [XG_PROTO_GRE] = "gre",      [XG_PROTO_ESP] = "esp",
    [XG_PROTO_OTHER] = "other",	  [XG_PROTO_NONIP] = "non-ip",
};

static const char *const svc_names[XG_SVC_MAX] = {
    [XG_SVC_NONE] = "none",	  [XG_SVC_SIP_UDP] = "sip-udp", [XG_SVC_SIP_TCP] = "sip-tcp",
    [XG_SVC_SIP_TLS] = "sip-tls", [XG_SVC_RTP] = "rtp",		[XG_SVC_EXTRA0] = "extra0",
    [XG_SVC_EXTRA1] = "extra1",	  [XG_SVC_EXTRA2] = "extra2",	[XG_SVC_EXTRA3] = "extra3",
    [XG_SVC_EXTRA4] = "extra4",	  [XG_SVC_EXTRA5] = "extra5",	[XG_SVC_EXTRA6] = "extra6",
    [XG_SVC_EXTRA7] = "extra7",
};

static const char *const tcpf_names[XG_TCPF_MAX] = {
    [XG_TCPF_SYN] = "syn", [XG_TCPF_SYNACK] = "syn-ack", [XG_TCPF_RST] = "rst",
    [XG_TCPF_FIN] = "fin", [XG_TCPF_PSH] = "psh",	 [XG_TCPF_URG] = "urg",
    [XG_TCPF_ACK] = "ack", [XG_TCPF_NONE] = "none",	 [XG_TCPF_XMAS] = "xmas",
};

static const char *const sip_names[XG_SIP_MAX] = {
    [XG_SIP_REGISTER] = "REGISTER",
    [XG_SIP_INVITE] = "INVITE",
    [XG_SIP_OPTIONS] = "OPTIONS",
    [XG_SIP_ACK] = "ACK",
    [XG_SIP_BYE] = "BYE",
    [XG_SIP_CANCEL] = "CANCEL",
    [XG_SIP_SUBSCRIBE] = "SUBSCRIBE",
    [XG_SIP_NOTIFY] = "NOTIFY",
    [XG_SIP_MESSAGE] = "MESSAGE",
    [XG_SIP_OTHER] = "other-method",
    [XG_SIP_RESPONSE] = "response",
    [XG_SIP_KEEPALIVE] = "keepalive",
    [XG_SIP_CONTINUATION] = "tcp-continuation",
    [XG_SIP_MALFORMED] = "malformed",
};

static const char *const reason_names[XG_REASON_MAX] = {
    [XG_REASON_NONE] = "none",
    [XG_REASON_BLOCK] = "block",
    [XG_REASON_BLOCK_PREFIX] = "block-prefix",
    [XG_REASON_RATELIMIT] = "ratelimit",
    [XG_REASON_PROTECT] = "protect",
    [XG_REASON_AMP] = "amplification",
};

static const char *const malformed_names[XG_MAL_MAX] = {
    [XG_MAL_ETH] = "eth",   [XG_MAL_VLAN] = "vlan",	    [XG_MAL_IPV4] = "ipv4",
    [XG_MAL_IPV6] = "ipv6", [XG_MAL_IPV6_EXT] = "ipv6-ext", [XG_MAL_L4] = "l4",
};

static const char *const origin_names[] = {
    [XG_ORIGIN_MANUAL] = "manual",   [XG_ORIGIN_CONTROLLER] = "controller", [XG_ORIGIN_API] = "api",
    [XG_ORIGIN_LEARNED] = "learned", [XG_ORIGIN_CONFIG] = "config",
};

static const char *const why_names[] = {
    [XG_WHY_MANUAL] = "manual",
    [XG_WHY_TOP_SOURCE] = "top-source",
    [XG_WHY_AGGREGATE] = "aggregate",
    [XG_WHY_SOFT] = "soft-allowlist",
};

static const char *const action_names[] = {
    [XG_ACTION_DROP] = "drop",
    [XG_ACTION_RATELIMIT] = "ratelimit",
};

const char *xg_proto_name(int i)
{
	return NAME_AT(proto_names, i);
}

const char *xg_svc_name(int i)
{
	return NAME_AT(svc_names, i);
}

const char *xg_tcpf_name(int i)
{
	return NAME_AT(tcpf_names, i);
}

const char *xg_sip_name(int i)
{
	return NAME_AT(sip_names, i);
}

const char *xg_reason_name(int i)
{
	return NAME_AT(reason_names, i);
}

const char *xg_malformed_name(int i)
{
	return NAME_AT(malformed_names, i);
}

const char *xg_origin_name(int i)
{
	return NAME_AT(origin_names, i);
}

static const char *const amp_names[XG_AMP_MAX] = {
    [XG_AMP_NONE] = "none",	  [XG_AMP_CHARGEN] = "chargen", [XG_AMP_DNS] = "dns",
    [XG_AMP_PORTMAP] = "portmap", [XG_AMP_NTP] = "ntp",		[XG_AMP_NETBIOS] = "netbios",
    [XG_AMP_SNMP] = "snmp",	  [XG_AMP_CLDAP] = "cldap",	[XG_AMP_RIP] = "rip",
    [XG_AMP_SSDP] = "ssdp",	  [XG_AMP_ARD] = "ard",		[XG_AMP_WSD] = "wsd",
    [XG_AMP_MDNS] = "mdns",	  [XG_AMP_UBNT] = "ubnt",	[XG_AMP_MEMCACHED] = "memcached",
    [XG_AMP_OTHER] = "other",
};

const char *xg_amp_name(int i)
{
	return NAME_AT(amp_names, i);
}

const char *xg_why_name(int i)
{
	return NAME_AT(why_names, i);
}

const char *xg_action_name(int i)
{
	return NAME_AT(action_names, i);
}
