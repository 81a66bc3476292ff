# SPDX-License-Identifier: GPL-3.0-or-later
# hestia-apid: build, test, demo, bench, install.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd reads /usr/local/lib/systemd/system as well as /lib/systemd/system.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR	?=

CXX	?= g++
PKGS	 = libevent libevent_pthreads libevent_openssl jansson libargon2 \
	   sqlite3 openssl libcrypt
TEST_PKGS = cmocka

ifeq ($(SANITIZE),1)
BUILD	?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
else
BUILD	?= build
SANFLAGS =
endif

# The project's own flags always apply; CPPFLAGS, CXXFLAGS and LDFLAGS
# from the environment or the command line (Debian's hardening flags, say)
# come after them and never replace them.
OPT	?= -O2
CXXFLAGS ?= $(OPT) -g
APID_CXXFLAGS = -std=c++17 -fno-exceptions -fno-rtti \
	    -Wall -Wextra -Werror -Wno-missing-field-initializers \
	    -D_GNU_SOURCE -DAPID_SYSCONFDIR='"$(SYSCONFDIR)"' \
	    -iquote include -iquote $(BUILD)/gen $(SANFLAGS)
ALL_CXXFLAGS = $(APID_CXXFLAGS) $(CPPFLAGS) $(CXXFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

PROGS	 = hestia-apid hestia-apictl
MAINS	 = src/apid.cc src/apictl.cc
LIB_SRCS = $(filter-out $(MAINS), $(wildcard src/*.cc))
LIB_OBJS = $(LIB_SRCS:src/%.cc=$(BUILD)/obj/%.o) $(BUILD)/obj/schema_sql.o \
	   $(BUILD)/obj/openapi_json.o
LIB	 = $(BUILD)/libapid.a
SQL	 = $(sort $(wildcard sql/*.sql))

UNIT_SRCS = $(wildcard tests/unit/test_*.cc)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.cc=$(BUILD)/tests/%)
BENCH_BINS = $(patsubst bench/%.cc,$(BUILD)/bench/%,$(wildcard bench/*.cc))

.PHONY: all deps check unit regress compat demo bench install clean fuzz \
	soak deb

all: $(PROGS:%=$(BUILD)/%)

# libFuzzer targets, tests/fuzz/fuzz_*.cc, built by clang with the sources
# (and the silent mock logger) into build-fuzz/; "make fuzz" runs each for
# FUZZ_SECONDS on a copy of its seeds, tests/fuzz/corpus/NAME. Pick some
# with FUZZ_TARGETS="acl config".
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
FUZZ_BUILD = build-fuzz
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined \
	     -fno-sanitize-recover=undefined -std=c++17 -fno-exceptions \
	     -fno-rtti -g -O1 -D_GNU_SOURCE -iquote include -Wall -Wextra \
	     -Wno-missing-field-initializers -Wno-string-concatenation
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.cc)
FUZZ_TARGETS ?= $(FUZZ_SRCS:tests/fuzz/fuzz_%.cc=%)
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
.PHONY: fuzz-build fuzz-clean

fuzz:
	@sh tools/deps.sh fuzz
	$(MAKE) fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: src/%.cc $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The compiled-in SQL and OpenAPI text too: a target that reaches db.cc
# (the audit writer does) needs them to link.
$(FUZZ_BUILD)/gen/schema_sql.cc: $(SQL) tools/embed-sql.sh
	@mkdir -p $(@D)
	sh tools/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(FUZZ_BUILD)/gen/openapi_json.cc: api/openapi.json tools/embed-file.sh
	@mkdir -p $(@D)
	sh tools/embed-file.sh openapi_json api/openapi.json > $@.tmp && \
	    mv $@.tmp $@

$(FUZZ_BUILD)/obj/%.o: $(FUZZ_BUILD)/gen/%.cc
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libapid.a: $(LIB_SRCS:src/%.cc=$(FUZZ_BUILD)/obj/%.o) \
    $(FUZZ_BUILD)/obj/schema_sql.o $(FUZZ_BUILD)/obj/openapi_json.o
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.cc $(wildcard tests/fuzz/*.h) \
    tests/unit/mock_log.cc $(FUZZ_BUILD)/libapid.a
	$(FUZZ_CXX) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< \
	    tests/unit/mock_log.cc $(FUZZ_BUILD)/libapid.a $(PKG_LIBS)

clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)

# SYSCONFDIR is compiled in (the default configuration path): a build
# with another one recompiles. The stamp changes only when it does.
.PHONY: FORCE
$(BUILD)/gen/sysconfdir: FORCE
	@mkdir -p $(@D)
	@echo '$(SYSCONFDIR)' | cmp -s - $@ || echo '$(SYSCONFDIR)' > $@

$(BUILD)/obj/%.o: src/%.cc $(wildcard include/*.h) $(BUILD)/gen/sysconfdir
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The SQL files are compiled in, so the binary never looks for them on disk.
$(BUILD)/gen/schema_sql.cc: $(SQL) tools/embed-sql.sh
	@mkdir -p $(@D)
	sh tools/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/schema_sql.o: $(BUILD)/gen/schema_sql.cc
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

# So is the description of the JSON API served at /api/v1/openapi.json.
$(BUILD)/gen/openapi_json.cc: api/openapi.json tools/embed-file.sh
	@mkdir -p $(@D)
	sh tools/embed-file.sh openapi_json api/openapi.json > $@.tmp && \
	    mv $@.tmp $@

$(BUILD)/obj/openapi_json.o: $(BUILD)/gen/openapi_json.cc
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/hestia-apid: $(BUILD)/obj/apid.o $(LIB)
	$(CXX) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/hestia-apictl: $(BUILD)/obj/apictl.o $(LIB)
	$(CXX) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests link the mock logger first, so log.o is never pulled from the
# archive; a test may define any other symbol itself as a link-time mock.
$(BUILD)/tests/%: tests/unit/%.cc tests/unit/mock_log.cc $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) $(ALL_LDFLAGS) -o $@ \
	    $< tests/unit/mock_log.cc $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/bench/%: bench/%.cc $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

deps:
	@sh tools/deps.sh

check: deps
	$(MAKE) all $(UNIT_BINS)
	$(MAKE) unit regress compat

unit: $(UNIT_BINS)
	@sh tests/unit/run.sh $(UNIT_BINS)

regress: all
	@BUILD=$(BUILD) sh tests/regress/run.sh

compat: all
	@BUILD=$(BUILD) sh tests/compat/run.sh

# exec: make's child is the demo itself, which exits 0 on Ctrl-C; a shell
# between them would die of the SIGINT and make would report it.
demo: deps
	$(MAKE) all
	@BUILD=$(BUILD) exec sh examples/demo.sh

# The daemon under load and faults for SOAK_SECONDS, then checked.
SOAK_SECONDS ?= 60
soak: deps
	$(MAKE) all
	@BUILD=$(BUILD) SOAK_SECONDS=$(SOAK_SECONDS) sh tests/soak/soak.sh

bench: deps
	$(MAKE) all $(BENCH_BINS)
	@BUILD=$(BUILD) sh bench/all.sh run spawn memory verify auth acl

# init/ and man/ name the paths of the defaults (PREFIX=/usr/local,
# SYSCONFDIR=/etc); their copies get this install's paths. Files an admin
# edits (the configuration, the fail2ban jail) are kept when present.
INSTALL_SED = sed -e 's|/usr/local/sbin/hestia-apid|$(SBINDIR)/hestia-apid|g' \
	    -e 's|/etc/hestia-apid/|$(SYSCONFDIR)/hestia-apid/|g' \
	    -e 's|/etc/default/hestia-apid|$(SYSCONFDIR)/default/hestia-apid|g'
ETC	= $(DESTDIR)$(SYSCONFDIR)
F2B	= $(ETC)/fail2ban

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(ETC)/hestia-apid \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(ETC)/init.d $(ETC)/logrotate.d \
	    $(F2B)/filter.d $(F2B)/jail.d
	install -m 0755 $(BUILD)/hestia-apid $(BUILD)/hestia-apictl \
	    $(DESTDIR)$(SBINDIR)
	$(INSTALL_SED) tools/hestia-apid-switch \
	    > $(DESTDIR)$(SBINDIR)/hestia-apid-switch
	chmod 0755 $(DESTDIR)$(SBINDIR)/hestia-apid-switch
	for f in hestia-apid.8 hestia-apictl.8 hestia-apid.conf.5 \
	    hestia-apid-switch.8; do \
	    $(INSTALL_SED) man/$$f > $(DESTDIR)$(MANDIR)/man$${f##*.}/$$f && \
	    chmod 0644 $(DESTDIR)$(MANDIR)/man$${f##*.}/$$f || exit 1; \
	done
	$(INSTALL_SED) init/hestia-apid.service \
	    > $(DESTDIR)$(SYSTEMDUNITDIR)/hestia-apid.service
	$(INSTALL_SED) init/hestia-apid.socket \
	    > $(DESTDIR)$(SYSTEMDUNITDIR)/hestia-apid.socket
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/hestia-apid.service \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/hestia-apid.socket
	$(INSTALL_SED) init/hestia-apid.init > $(ETC)/init.d/hestia-apid
	chmod 0755 $(ETC)/init.d/hestia-apid
	$(INSTALL_SED) init/hestia-apid.logrotate > $(ETC)/logrotate.d/hestia-apid
	install -m 0644 init/fail2ban/filter.d/hestia-apid.conf $(F2B)/filter.d
	test -e $(F2B)/jail.d/hestia-apid.conf || \
	    install -m 0644 init/fail2ban/jail.d/hestia-apid.conf $(F2B)/jail.d
	test -e $(ETC)/hestia-apid/hestia-apid.conf || { \
	    $(INSTALL_SED) init/hestia-apid.conf \
	    > $(ETC)/hestia-apid/hestia-apid.conf && \
	    chmod 0640 $(ETC)/hestia-apid/hestia-apid.conf; }
# The USER of the shipped configuration; a package makes it itself.
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
	    id -u hestia-apid >/dev/null 2>&1 || \
	    useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin hestia-apid; \
	fi

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# (debian/), then checked by lintian: build-deb/hestia-apid_VERSION_ARCH.deb,
# with build.log and lintian.txt beside it.
deb:
	@sh tools/deps.sh deb
	@sh tools/deb.sh build-deb

clean:
	rm -rf build build-san build-deb
