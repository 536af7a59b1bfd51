# SPDX-License-Identifier: GPL-2.0-only
# xdpguard build. `make` builds everything into build/, `make check` runs
# every test layer, `make deps` installs the Debian/Ubuntu packages needed.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# `make V=1` shows the commands.
V ?= 0
ifeq ($(V),0)
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
msg =
endif

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
XG_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -I$(BUILD) -Iuser -Itools/lib
LIBS := $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf -lelf -lz) \
	$(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -lpcap -lz -lm -lcrypto -lcurl \
	$(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) \
	$(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(BPF_ARCH) $(WARN) -Wno-unused-function \
	-Iinclude -Ibpf -I/usr/include/$(ARCH_TRIPLET)

BPF_HDRS := $(wildcard bpf/*.h) include/xdpguard/abi.h
BPF_OBJ := $(BUILD)/xdpguard.bpf.o
SKEL := $(BUILD)/xdpguard.skel.h

# Userspace modules: xdpctl.c dispatches, the rest are libraries.
LIB_SRCS := $(filter-out user/xdpctl.c,$(wildcard user/*.c))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
PKT_OBJ := $(BUILD)/tools/lib/pkt.o

UNIT_SRCS := $(wildcard tests/unit/*.c)
BPFTEST_SRCS := $(wildcard tests/bpf/*.c)
BENCH_BPF := $(BUILD)/bench_drop.bpf.o $(BUILD)/bench_hashdrop.bpf.o

# Tools: the flood generator (tools/trafgen) and the capture generator.
TRAFGEN_BPF := $(BUILD)/xg_trafgen.bpf.o
TRAFGEN_SKEL := $(BUILD)/xg_trafgen.skel.h
TRAFGEN_PASS := $(BUILD)/xg_pass.bpf.o
TRAFGEN := $(BUILD)/xg-trafgen
PCAPGEN := $(BUILD)/xg-pcapgen

.PHONY: all deps demo check check-unit check-bpf check-integration check-replay check-trafgen check-alerts check-bgp check-http check-top \
	check-format format bench install clean check-fuzz check-vm check-vm-full

all: $(BUILD)/xdpctl $(BUILD)/test_unit $(BUILD)/test_bpf $(BUILD)/prog_cost $(BUILD)/insert_rate \
	$(BUILD)/planner_bench \
	$(BUILD)/alert_bench $(BENCH_BPF) \
	$(TRAFGEN) $(TRAFGEN_PASS) $(PCAPGEN) $(BUILD)/alert_send_probe $(BUILD)/prom_sample

deps:
	@tools/deps.sh

$(BUILD) $(BUILD)/user $(BUILD)/tools/lib:
	@mkdir -p $@

$(BPF_OBJ): bpf/xdpguard.bpf.c $(BPF_HDRS) | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xdpguard_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/bench_%.bpf.o: tools/bench/bench_%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/user/%.o: user/%.c $(wildcard user/*.h) include/xdpguard/abi.h $(SKEL) | $(BUILD)/user
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) -c $< -o $@

$(PKT_OBJ): tools/lib/pkt.c tools/lib/pkt.h | $(BUILD)/tools/lib
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) -c $< -o $@

$(BUILD)/xdpctl: user/xdpctl.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/test_unit: $(UNIT_SRCS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) -Itests $^ -o $@ $(LIBS) -lcunit

$(BUILD)/test_bpf: $(BPFTEST_SRCS) $(LIB_OBJS) $(PKT_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) -Itests $^ -o $@ $(LIBS) -lcunit

$(BUILD)/insert_rate: tools/bench/insert_rate.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/planner_bench: tools/bench/planner.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/alert_bench: tools/bench/alerts.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/alert_send_probe: tools/alert_send_probe.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

# The exposition of a synthetic state: build/prom_sample | promtool check metrics
$(BUILD)/prom_sample: tools/prom_sample.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/prog_cost: tools/bench/prog_cost.c $(LIB_OBJS) $(PKT_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ $(LIBS)

$(TRAFGEN_BPF): tools/trafgen/xg_trafgen.bpf.c tools/trafgen/xg_trafgen.h | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TRAFGEN_SKEL): $(TRAFGEN_BPF)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xg_trafgen_bpf > $@.tmp && mv $@.tmp $@

$(TRAFGEN_PASS): tools/trafgen/xg_pass.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TRAFGEN): tools/trafgen/xg-trafgen.c tools/trafgen/xg_trafgen.h $(TRAFGEN_SKEL) $(PKT_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $< $(PKT_OBJ) -o $@ $(LIBS) -lpthread

$(PCAPGEN): tools/pcapgen/pcapgen.c $(PKT_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XG_CFLAGS) $^ -o $@ -lpcap

# The README's first command: a live demo in throw-away namespaces.
demo: deps $(BUILD)/xdpctl $(TRAFGEN)
	tools/demo.sh $(BUILD)/xdpctl

check: deps all check-format check-unit check-bpf check-trafgen check-integration check-replay \
	check-alerts check-bgp check-http check-top check-fuzz check-vm

check-unit: $(BUILD)/test_unit
	$(BUILD)/test_unit

check-bpf: $(BUILD)/test_bpf
	$(BUILD)/test_bpf

check-integration: $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/run.sh $(BUILD)/xdpctl
	tests/integration/controller.sh $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/pcap.sh $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/kamailio.sh $(BUILD)/xdpctl $(TRAFGEN)

# Alert transports against local receivers on 127.0.0.1, then the whole
# path from a live incident to every sink type, outage and kill -9 included.
check-alerts: $(BUILD)/alert_send_probe $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/alert_send.sh $(BUILD)/alert_send_probe
	tests/integration/alerts.sh $(BUILD)/xdpctl $(TRAFGEN)

# BGP escalation against real speakers in namespaces: the lab itself
# (ExaBGP into GoBGP, BIRD 2 and FRR), then xdpctl driving each of them.
check-bgp: $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/bgp_lab_selftest.sh
	tests/integration/bgp.sh $(BUILD)/xdpctl $(TRAFGEN)

# The HTTP server of xdpctl run: the API against schemas, auth and refusals,
# a real Prometheus scraping a live flood, headless Chromium on /status.
check-http: $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/http.sh $(BUILD)/xdpctl $(TRAFGEN)

# xdpctl top in tmux against a daemon and a flood in namespaces, its batch
# frames, and the Grafana dashboard's metric names against obs.h.
check-top: $(BUILD)/xdpctl $(TRAFGEN)
	tests/integration/top.sh $(BUILD)/xdpctl $(TRAFGEN)

# libFuzzer targets with ASan and UBSan (tests/fuzz), 10 s each from the
# committed seeds; 'make fuzz' builds them, tests/fuzz/run.sh 600 runs longer.
check-fuzz: fuzz
	tests/fuzz/run.sh 10 $(BUILD)

# The BPF suite and the namespace integration suite inside a VM on another
# kernel (Debian 12's 6.1; the host's own when /boot has it), booted by
# tools/vmtest/vmtest; skipped when qemu is absent (about 2 minutes under
# TCG). check-vm-full adds Debian's 6.12.
VM_CHECK = if command -v qemu-system-x86_64 >/dev/null 2>&1 || command -v vng >/dev/null 2>&1; \
	then tools/vmtest/vmtest --all; \
	else echo "check-vm: skipped: qemu-system-x86_64 not installed (make deps installs it)"; fi

check-vm: $(BUILD)/test_bpf $(BUILD)/xdpctl $(TRAFGEN)
	@export VMTEST_KERNELS="host debian"; $(VM_CHECK)

check-vm-full: $(BUILD)/test_bpf $(BUILD)/xdpctl $(TRAFGEN)
	@$(VM_CHECK)

check-replay: $(BUILD)/xdpctl $(PCAPGEN)
	tests/replay/run.sh $(BUILD)/xdpctl $(PCAPGEN)

# Needs root: network namespaces, a veth pair, XDP on the receiver.
check-trafgen: $(TRAFGEN) $(TRAFGEN_PASS) $(BENCH_BPF)
	tools/trafgen/selftest.sh $(BUILD)

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find bpf user include tools tests -name '*.[ch]')

check-format:
	@bad=$$(for f in $(FORMAT_SRCS); do clang-format --dry-run --Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "format: not clang-formatted: $$bad (run 'make format')"; exit 1; fi; \
	echo "format: all sources clang-formatted"

format:
	clang-format -i $(FORMAT_SRCS)

# make bench: the full run (about 12 minutes); make bench QUICK=1: a short
# run of every benchmark (under 2 minutes here).
BENCH_Q = $(if $(QUICK),--quick)

bench: all
	tools/bench/all.sh $(BENCH_Q) $(BUILD)

install: $(BUILD)/xdpctl
	install -D -m 0755 $(BUILD)/xdpctl $(DESTDIR)$(PREFIX)/sbin/xdpctl

clean:
	rm -rf $(BUILD)

include tests/fuzz/fuzz.mk
