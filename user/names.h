/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the ABI enums, as printed by xdpctl and in JSON. */
#ifndef XG_NAMES_H
#define XG_NAMES_H

const char *xg_proto_name(int proto);
const char *xg_svc_name(int svc); /* extra classes: "extra0".. */
const char *xg_tcpf_name(int f);
const char *xg_sip_name(int m);
const char *xg_reason_name(int r);
const char *xg_malformed_name(int m);
const char *xg_origin_name(int o);
const char *xg_action_name(int a);
const char *xg_why_name(int w);
const char *xg_amp_name(int a);

#endif
