// SPDX-License-Identifier: GPL-2.0-only
#include "metrics.h"

#include <string.h>

static const struct {
	const char *name;
	double floor;
} metrics[XG_M_MAX] = {
    [XG_M_PPS] = {"pps", 50000},
    [XG_M_BPS] = {"bps", 400e6},
    [XG_M_TCP_PPS] = {"tcp_pps", 20000},
    [XG_M_UDP_PPS] = {"udp_pps", 30000},
    [XG_M_ICMP_PPS] = {"icmp_pps", 2000},
    [XG_M_GRE_PPS] = {"gre_pps", 2000},
    [XG_M_ESP_PPS] = {"esp_pps", 5000},
    [XG_M_OTHER_PPS] = {"other_pps", 2000},
    [XG_M_FRAG_PPS] = {"frag_pps", 2000},
    [XG_M_SYN_PPS] = {"syn_pps", 2000},
    [XG_M_ACK_PPS] = {"ack_pps", 20000},
    [XG_M_RST_PPS] = {"rst_pps", 2000},
    [XG_M_FIN_PPS] = {"fin_pps", 2000},
    [XG_M_PSH_PPS] = {"psh_pps", 20000},
    [XG_M_XMAS_PPS] = {"xmas_pps", 200},
    [XG_M_NULL_PPS] = {"null_pps", 200},
    [XG_M_SIP_UDP_PPS] = {"sip_udp_pps", 3000},
    [XG_M_SIP_TCP_PPS] = {"sip_tcp_pps", 3000},
    [XG_M_SIP_TLS_PPS] = {"sip_tls_pps", 3000},
    [XG_M_RTP_PPS] = {"rtp_pps", 60000},
    [XG_M_SIP_REGISTER_PPS] = {"sip_register_pps", 500},
    [XG_M_SIP_INVITE_PPS] = {"sip_invite_pps", 200},
    [XG_M_SIP_OPTIONS_PPS] = {"sip_options_pps", 500},
    [XG_M_SIP_MALFORMED_PPS] = {"sip_malformed_pps", 100},
    [XG_M_RTP_INVALID_PPS] = {"rtp_invalid_pps", 1000},
    [XG_M_AMP_PPS] = {"amp_pps", 2000},
};

const char *xg_metric_name(int m)
{
	return m >= 0 && m < XG_M_MAX ? metrics[m].name : "?";
}

int xg_metric_by_name(const char *name)
{
	int m;

	for (m = 0; m < XG_M_MAX; m++)
		if (!strcmp(metrics[m].name, name))
			return m;
	return -1;
}

double xg_metric_default_floor(int m)
{
	return m >= 0 && m < XG_M_MAX ? metrics[m].floor : 0;
}
