/* SPDX-License-Identifier: GPL-2.0-only */
/* Each file of tests/unit registers its suites through one function here.
 * The declarations are weak so a suite can land before or after main.c
 * knows about it. */
#ifndef XG_TEST_SUITES_H
#define XG_TEST_SUITES_H

void add_core_suite(void) __attribute__((weak));
void add_config_suite(void) __attribute__((weak));
void add_baseline_suite(void) __attribute__((weak));
void add_detect_suite(void) __attribute__((weak));
void add_classify_suite(void) __attribute__((weak));
void add_journal_suite(void) __attribute__((weak));
void add_collector_suite(void) __attribute__((weak));
void add_planner_suite(void) __attribute__((weak));
void add_alert_payload_suite(void) __attribute__((weak));
void add_alert_route_suite(void) __attribute__((weak));
void add_alertq_suite(void) __attribute__((weak));
void add_alerter_suite(void) __attribute__((weak));
void add_pcapw_suite(void) __attribute__((weak));
void add_bgp_intent_suite(void) __attribute__((weak));
void add_escalate_suite(void) __attribute__((weak));
void add_prom_suite(void) __attribute__((weak));
void add_history_suite(void) __attribute__((weak));
void add_statuspage_suite(void) __attribute__((weak));
void add_peers_suite(void) __attribute__((weak));

#endif
