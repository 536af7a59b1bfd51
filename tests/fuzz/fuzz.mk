# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets for everything that parses outside input (tests/fuzz).
# Included by the top-level Makefile after its own rules; `make fuzz` builds
# $(BUILD)/fuzz/fuzz_<target>, tests/fuzz/run.sh [SECONDS] runs them.
#
# Everything here is built with clang, libFuzzer, ASan and UBSan (UB is
# fatal). The userspace modules (user/*.c but xdpctl.c) are compiled again
# with the same instrumentation into one archive, so each target links only
# the modules it reaches. libFuzzer comes with clang's runtime libraries
# (Debian: libclang-rt-dev).

# Included anywhere, this file must not become the default goal.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := fuzz_config fuzz_cidr fuzz_replay fuzz_alert fuzz_alertq fuzz_bgp
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE \
	-Iinclude -I$(BUILD) -Iuser -Itools/lib
# The project's code is built without -Werror here: a warning only clang
# gives must not hide a crash. The harnesses are ours and stay clean.
FUZZ_LIB_WARN := -Wall -Wextra
FUZZ_HARNESS_WARN := -Wall -Wextra -Werror
FUZZ_LIBS = $(or $(LIBS),-lxdp -lbpf -lelf -lz -ljson-c -lpcap -lm -lcrypto -lcurl) -lpthread

FUZZ_LIB_SRCS := $(filter-out user/xdpctl.c,$(wildcard user/*.c))
FUZZ_LIB_OBJS := $(patsubst user/%.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB := $(FUZZ_DIR)/libxg-fuzz.a

# replay: the frame conversion xdpctl replay does, once user/ exports it
# (see tests/fuzz/fuzz_replay.c); -u pulls its module from the archive
# (a weak reference alone does not).
FUZZ_LDFLAGS_fuzz_replay := $(if $(shell grep -ls '^int xg_replay_to_ethernet' user/*.c),\
	-u xg_replay_to_ethernet)

.PHONY: fuzz fuzz-clean

fuzz: $(FUZZ_BINS)

$(FUZZ_DIR) $(FUZZ_DIR)/obj:
	@mkdir -p $@

# Some modules include the BPF skeleton: the normal build generates it.
$(FUZZ_DIR)/obj/%.o: user/%.c $(wildcard user/*.h) include/xdpguard/abi.h \
		$(BUILD)/xdpguard.skel.h | $(FUZZ_DIR)/obj
	@printf '  %-6s %s\n' FUZZCC $<
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@printf '  %-6s %s\n' AR $@
	@rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_LIB) | $(FUZZ_DIR)
	@printf '  %-6s %s\n' FUZZLD $@
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_HARNESS_WARN) -fsanitize=fuzzer $< $(FUZZ_LIB) \
		$(FUZZ_LDFLAGS_fuzz_$*) -o $@ $(FUZZ_LIBS)

fuzz-clean:
	rm -rf $(FUZZ_DIR)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
