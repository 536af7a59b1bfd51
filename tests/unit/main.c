// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: no root, no kernel, no timing. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "suites.h"

int main(void)
{
	void (*const suites[])(void) = {
	    add_core_suite,	   add_config_suite,	 add_baseline_suite,	  add_detect_suite,
	    add_classify_suite,	   add_journal_suite,	 add_collector_suite,	  add_planner_suite,
	    add_alert_route_suite, add_alertq_suite,	 add_alert_payload_suite, add_alerter_suite,
	    add_pcapw_suite,	   add_bgp_intent_suite, add_escalate_suite,	  add_prom_suite,
	    add_history_suite,	   add_statuspage_suite, add_peers_suite,
	};
	unsigned int run, failed, i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i])
			suites[i]();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	printf("unit: %u passed, %u failed\n", run - failed, failed);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
