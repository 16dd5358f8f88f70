# resolvstale: find the processes that still use a retired DNS resolver.
#
#   sudo make run     install what the daemon needs, build, watch /etc/resolv.conf
#   sudo make test    install what the build and tests need, build, run every test
#   sudo make demo    a narrated scenario in namespaces: a change, stale clients, the report
#
# Quiet by default; `make V=1` shows full commands. Build products go to build/.

VERSION_BASE := 0.1.0
VERSION = $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' | grep . || echo $(VERSION_BASE))

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
SYSTEMDDIR ?= /lib/systemd/system

BUILD := build
CC ?= gcc
PKG_CONFIG ?= pkg-config

# Debian packages: what the build and the daemon need (make deps), and what only
# the tests need (make test-deps; never installed by `make run`).
# clang, libbpf-dev and bpftool build the eBPF tripwire (src/bpf/): clang's BPF
# target compiles it, bpftool generates the skeleton that libbpf loads.
DEPS_PKGS := make gcc libc6-dev pkg-config libsqlite3-dev libaudit-dev libauparse-dev \
	clang libbpf-dev bpftool
TEST_DEPS_PKGS := libcriterion-dev libclang-rt-14-dev jq python3 util-linux mount auditd \
	dnsmasq-base bind9-dnsutils lsof musl-tools openjdk-17-jre-headless nodejs age binutils \
	procps iproute2 inotify-tools coreutils sed time sqlite3
# What `make demo` runs besides the daemon (a subset of the test packages).
DEMO_PKGS := python3 dnsmasq-base bind9-dnsutils iproute2 util-linux mount auditd procps

PKGS := sqlite3 audit auparse libbpf
# Recursive (=) so that `make deps` works before pkg-config is installed.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))

WARN := -Wall -Wextra -Werror -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wvla -Wno-unused-parameter
STD := -std=gnu11
HARDEN_CFLAGS := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now

CFLAGS ?= -O2 -g
ALL_CFLAGS = $(STD) $(WARN) $(HARDEN_CFLAGS) $(CFLAGS) -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE \
	-DRS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)

# Sanitizer build for the unit tests: abort on the first error, or a leak or an
# overflow still exits 0 (DESIGN.md §10).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS = $(STD) $(WARN) $(SAN_FLAGS) -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE -DRS_VERSION='"$(VERSION)"' \
	$(PKG_CFLAGS)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
SAN_OBJS := $(patsubst src/%.c,$(BUILD)/san/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 20

BIN := $(BUILD)/resolvstale

.PHONY: all deps test-deps test unit integration fuzz fuzz-smoke bench run install \
	uninstall clean format tools demo demo-deps

all: $(BIN)

deps:
	$(Q)APT_LABEL=deps sh src/scripts/apt-install.sh $(DEPS_PKGS)

test-deps:
	$(Q)APT_LABEL=test-deps sh src/scripts/apt-install.sh $(TEST_DEPS_PKGS)

HDRS = $(wildcard include/resolvstale/*.h src/*.h) src/bpf/tripwire.h

# --- the eBPF tripwire ------------------------------------------------------
# struct bpf_sock_addr is UAPI: no vmlinux.h, no CO-RE. Debian keeps asm/ under
# the multiarch include directory, which clang's BPF target does not search.
MULTIARCH = $(shell $(CC) -print-multiarch 2>/dev/null)
BPF_OBJ := $(BUILD)/gen/tripwire.bpf.o
SKEL := $(BUILD)/gen/tripwire.skel.h

$(BPF_OBJ): src/bpf/tripwire.bpf.c src/bpf/tripwire.h | $(BUILD)/gen
	$(call msg,BPF,$<)
	$(Q)clang -O2 -g -target bpf -Wall -Werror -I/usr/include/$(MULTIARCH) -Isrc/bpf \
		-c -o $@ $<

$(SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)bpftool gen skeleton $< name tripwire > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/ebpf_src.o $(BUILD)/san/ebpf_src.o: $(SKEL)

$(BUILD)/obj/%.o: src/%.c $(HDRS) | $(BUILD)/obj
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/%.o: src/%.c $(HDRS) | $(BUILD)/san
	$(call msg,CC-SAN,$<)
	$(Q)$(CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

$(BIN): $(LIB_OBJS) $(BUILD)/obj/main.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(SAN_OBJS) $(HDRS) tests/unit/testutil.h | $(BUILD)/tests
	$(call msg,CC-TEST,$<)
	$(Q)$(CC) $(SAN_CFLAGS) -Itests/unit -DRS_SOURCE_DIR='"$(CURDIR)"' -o $@ $< $(SAN_OBJS) $(PKG_LIBS) \
		$$($(PKG_CONFIG) --cflags --libs criterion)

$(BUILD)/tools/%: tests/tools/%.c $(LIB_OBJS) $(HDRS) | $(BUILD)/tools
	$(call msg,CC-TOOL,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS) -lresolv

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS) $(SKEL) | $(BUILD)/fuzz
	$(call msg,FUZZ,$<)
	$(Q)clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Iinclude -I$(BUILD)/gen -D_GNU_SOURCE -DRS_VERSION='"fuzz"' $(PKG_CFLAGS) -o $@ $< \
		$(LIB_SRCS) $(PKG_LIBS)

$(BUILD)/obj $(BUILD)/san $(BUILD)/tests $(BUILD)/tools $(BUILD)/fuzz $(BUILD)/gen:
	$(Q)mkdir -p $@

tools: $(TOOL_BINS)

# --- tests ------------------------------------------------------------------

test: deps test-deps
	$(Q)$(MAKE) --no-print-directory all tools $(UNIT_BINS) $(FUZZ_BINS)
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory integration
	$(Q)$(MAKE) --no-print-directory bench-smoke
	@echo "make test: all suites passed"

unit: $(UNIT_BINS)
	$(Q)sh tests/run-unit.sh $(UNIT_BINS)

integration: all tools
	$(Q)bash tests/run-integration.sh

fuzz: $(FUZZ_BINS)
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run-fuzz.sh $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)FUZZ_SECONDS=3 sh tests/run-fuzz.sh $(FUZZ_BINS)

bench: all tools
	$(Q)BENCH_SIZE=full bash tests/run-bench.sh

bench-smoke: all tools
	$(Q)BENCH_SIZE=smoke bash tests/run-bench.sh

# --- run, install -----------------------------------------------------------

run: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "resolvstale: watching /etc/resolv.conf (Ctrl-C to stop; state in /var/lib/resolvstale/state.db)"
	$(Q)exec ./$(BIN) daemon $(RUN_ARGS)

demo-deps:
	$(Q)APT_LABEL=demo-deps sh src/scripts/apt-install.sh $(DEMO_PKGS)

# Everything happens in private namespaces; the real /etc is never touched.
demo: deps demo-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash src/scripts/demo.sh

# The auditd plugin's config goes to auditd's plugins.d, inactive (the operator
# turns it on); the rules file goes to DATADIR only: the operator copies it to
# /etc/audit/rules.d/ (audit-rules/README.md). An existing plugins.d file is
# kept (the operator may have set active = yes); the new one is put beside it
# as resolvstale.conf.new, which auditd ignores (two dots in the name).
AUDITPLUGINDIR ?= /etc/audit/plugins.d
DATADIR = $(PREFIX)/share/resolvstale

install: all
	$(call msg,INSTALL,$(DESTDIR)$(BINDIR)/resolvstale)
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(DATADIR)
	$(Q)install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/resolvstale
	$(Q)sed 's|@BINDIR@|$(BINDIR)|g' src/systemd/resolvstale.service.in \
		> $(DESTDIR)$(SYSTEMDDIR)/resolvstale.service
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/resolvstale.service
	$(Q)./$(BIN) rules --print --all | cmp -s - audit-rules/40-resolvstale.rules || \
		{ echo "audit-rules/40-resolvstale.rules is stale: run" \
		  "$(BIN) rules --print --all > audit-rules/40-resolvstale.rules" >&2; exit 1; }
	$(call msg,INSTALL,$(DESTDIR)$(DATADIR)/40-resolvstale.rules)
	$(Q)install -m 0644 audit-rules/40-resolvstale.rules $(DESTDIR)$(DATADIR)/40-resolvstale.rules
	$(call msg,INSTALL,$(DESTDIR)$(AUDITPLUGINDIR)/resolvstale.conf)
	$(Q)install -d -m 0750 $(DESTDIR)$(AUDITPLUGINDIR)
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
		src/auditd/resolvstale.conf.in > $(BUILD)/resolvstale.conf
	$(Q)conf=$(DESTDIR)$(AUDITPLUGINDIR)/resolvstale.conf; \
	if [ -e $$conf ] && ! cmp -s $(BUILD)/resolvstale.conf $$conf; then \
		install -m 0640 $(BUILD)/resolvstale.conf $$conf.new; \
		echo "kept $$conf (yours); the new one is $$conf.new"; \
	else \
		install -m 0640 $(BUILD)/resolvstale.conf $$conf; \
	fi

uninstall:
	$(call msg,RM,$(DESTDIR)$(BINDIR)/resolvstale)
	$(Q)rm -f $(DESTDIR)$(BINDIR)/resolvstale $(DESTDIR)$(SYSTEMDDIR)/resolvstale.service \
		$(DESTDIR)$(AUDITPLUGINDIR)/resolvstale.conf \
		$(DESTDIR)$(AUDITPLUGINDIR)/resolvstale.conf.new \
		$(DESTDIR)$(DATADIR)/40-resolvstale.rules
	$(Q)rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@if [ -e $(DESTDIR)/etc/audit/rules.d/40-resolvstale.rules ]; then \
		echo "not removed: $(DESTDIR)/etc/audit/rules.d/40-resolvstale.rules" \
			"(yours: rm it, then augenrules --load)"; fi

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

format:
	$(Q)clang-format -i src/*.c include/resolvstale/*.h tests/unit/*.c tests/unit/*.h \
		tests/tools/*.c tests/fuzz/*.c

# Objects reached through pattern rules are not intermediate files to delete.
.SECONDARY: $(LIB_OBJS) $(SAN_OBJS)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/san/*.d)
