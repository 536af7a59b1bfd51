// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF test layer: runs crafted packets through the XDP program with
 * BPF_PROG_TEST_RUN and checks verdicts and counters. Needs root (or
 * CAP_BPF + CAP_NET_ADMIN); nothing is pinned or attached.
 */
#include <stdio.h>

#include "harness.h"
#include "preflight.h"

int main(void)
{
	unsigned int run, failed;
	char err[512] = "";

	/* Fail early, with one line, when the program cannot be loaded at all
	 * (not root, no BPF, verifier rejection). */
	if (xg_check_privileges(err, sizeof(err)) || fx_load(err, sizeof(err))) {
		fprintf(stderr, "bpf: cannot run the BPF tests: %s\n", err);
		return 1;
	}
	fx_unload();

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "bpf: cannot initialise CUnit: %s\n", CU_get_error_msg());
		return 1;
	}
	if (register_parse_tests() || register_list_tests() || register_counter_tests() ||
	    register_l7_tests() || register_learn_tests() || register_sample_tests() ||
	    register_hot_tests()) {
		fprintf(stderr, "bpf: cannot register the tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();

	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	if (CU_get_number_of_suites_failed())
		fprintf(stderr, "bpf: %u suite(s) could not be set up\n",
			CU_get_number_of_suites_failed());
	printf("\nbpf: %u passed, %u failed\n", run - failed, failed);
	failed += CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
