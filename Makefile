# recd: the one Makefile.  Objects go to $(B) so that the plain, ASan and
# TSan builds live side by side (build/, build/asan/, build/tsan/).

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share
# Service files: systemd units (system and user), sysusers.d, and the
# launchd agent with the log directory it names (macOS).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMDUSERUNITDIR ?= $(PREFIX)/lib/systemd/user
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
LAUNCHDDIR ?= $(PREFIX)/share/recd/launchd
LOGDIR	?= $(PREFIX)/var/log
DESTDIR	?=
CFLAGS	?= -O2 -g
LDFLAGS	?=
B	?= build
SAN	?=
# libsystemd: auto (when pkg-config finds it), 1 (required) or 0 (never).
SYSTEMD	?= auto

WARN	= -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	  -Wstrict-prototypes -Wpointer-arith -Wundef -Wvla
DEFS	= -D_DEFAULT_SOURCE

ifeq ($(SAN),asan)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
endif
ifeq ($(SAN),tsan)
SANFLAGS = -fsanitize=thread -fno-omit-frame-pointer
endif

ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# Libraries come through pkg-config, evaluated only when a rule needs them
# (so that "make deps" can install them first in the same run).
PKG	= pkg-config
CJSON_CFLAGS = $(shell $(PKG) --cflags libcjson)
CJSON_LIBS = $(shell $(PKG) --libs libcjson)
JACK_CFLAGS = $(shell $(PKG) --cflags jack)
JACK_LIBS = $(shell $(PKG) --libs jack)
UV_CFLAGS = $(shell $(PKG) --cflags libuv)
UV_LIBS	= $(shell $(PKG) --libs libuv)
CMOCKA_CFLAGS = $(shell $(PKG) --cflags cmocka)
CMOCKA_LIBS = $(shell $(PKG) --libs cmocka)
SNDFILE_CFLAGS = $(shell $(PKG) --cflags sndfile)
SNDFILE_LIBS = $(shell $(PKG) --libs sndfile)
LWS_CFLAGS = $(shell $(PKG) --cflags libwebsockets)
LWS_LIBS = $(shell $(PKG) --libs libwebsockets)
FLAC_CFLAGS = $(shell $(PKG) --cflags flac)
FLAC_LIBS = $(shell $(PKG) --libs flac)
OPUS_CFLAGS = $(shell $(PKG) --cflags libopusenc ogg)
OPUS_LIBS = $(shell $(PKG) --libs libopusenc ogg)
MPG123_CFLAGS = $(shell $(PKG) --cflags libmpg123)
MPG123_LIBS = $(shell $(PKG) --libs libmpg123)
MD_LIBS	= $(shell $(PKG) --libs libmd)
EBUR128_CFLAGS = $(shell $(PKG) --cflags libebur128)
EBUR128_LIBS = $(shell $(PKG) --libs libebur128)

# What was asked for, before auto is resolved: make deps installs
# libsystemd-dev unless SYSTEMD=0, even where pkg-config is not there yet.
WANT_SYSTEMD := $(SYSTEMD)
ifeq ($(SYSTEMD),auto)
override SYSTEMD := $(shell $(PKG) --exists libsystemd 2>/dev/null && echo 1 || echo 0)
endif
ifeq ($(SYSTEMD),1)
SD_CFLAGS = -DHAVE_SYSTEMD $(shell $(PKG) --cflags libsystemd)
SD_LIBS	= $(shell $(PKG) --libs libsystemd)
endif

# Each directory compiles with only the include paths it may use
# (../shared/STYLE.md section 2); tests/check-deps.sh catches the rest.
CF_common   = -Icommon
CF_protocol = -Icommon -Iprotocol $(CJSON_CFLAGS)
CF_daemon   = -Icommon -Iprotocol -Idaemon $(CJSON_CFLAGS) $(JACK_CFLAGS) \
	      $(UV_CFLAGS)
CF_ctl      = -Icommon -Iprotocol -Ictl $(CJSON_CFLAGS) $(LWS_CFLAGS)
CF_tests    = -Icommon -Iprotocol -Ictl -Itests/unit $(CJSON_CFLAGS) \
	      $(CMOCKA_CFLAGS) $(SNDFILE_CFLAGS)

# conv is one module in several files: the vector paths are apart.
# wav is one module in four files, one a layer (wav_priv.h).
WAV_OBJ    = $(B)/common/wav.o $(B)/common/wav_hdr.o $(B)/common/wav_io.o \
	     $(B)/common/wav_repair.o $(B)/common/ixml.o
# The format interface and its backends (fmt.h).
FMT_OBJ    = $(B)/common/fmt.o $(WAV_OBJ) $(B)/common/flac.o \
	     $(B)/common/oggopus.o $(B)/common/mp3.o
# What the backends link with: the reference encoders, libFLAC,
# libopusenc (with libogg, which reads pages back for repair) and LAME
# (with libmpg123, which finds the frames for repair); libmd's MD5 for
# the WAV files' MD5 chunk.
FMT_LIBS   = $(FLAC_LIBS) $(OPUS_LIBS) -lmp3lame $(MPG123_LIBS) $(MD_LIBS)
CONV_OBJ   = $(B)/common/conv.o $(B)/common/conv_sse2.o \
	     $(B)/common/conv_avx2.o
COMMON_OBJ = $(B)/common/ring.o $(B)/common/ring_rt.o $(CONV_OBJ) \
	     $(FMT_OBJ) $(CFG_OBJ) $(B)/common/log.o
CFG_OBJ    = $(B)/common/cfg.o $(B)/common/cfg_check.o \
	     $(B)/common/cfg_print.o
# cfgout reads the outputs' JSON objects, with cJSON: protocol/.
PROTO_OBJ  = $(B)/protocol/cfgjson.o $(B)/protocol/cfgout.o \
	     $(B)/protocol/proto.o
WRITER_OBJ = $(B)/daemon/writer.o $(B)/daemon/writer_ctl.o $(B)/daemon/writer_ev.o \
	     $(B)/daemon/writer_files.o $(B)/daemon/writer_levels.o \
	     $(B)/daemon/writer_out.o $(B)/daemon/writer_dg.o \
	     $(B)/daemon/writer_pause.o \
	     $(B)/daemon/writer_take.o $(B)/daemon/take.o
DAEMON_OBJ = $(B)/daemon/main.o $(B)/daemon/cap.o $(B)/daemon/cap_rt.o \
	     $(WRITER_OBJ) $(B)/daemon/ctlsrv.o $(B)/daemon/notify.o \
	     $(B)/daemon/hooks.o $(B)/daemon/retain.o $(B)/daemon/flush.o \
	     $(B)/daemon/live.o $(B)/daemon/alarm.o $(B)/daemon/repair.o \
	     $(B)/daemon/cmd.o $(B)/daemon/status.o $(B)/daemon/event.o \
	     $(B)/daemon/jackconn.o $(B)/daemon/clock.o $(B)/daemon/gate.o \
	     $(B)/daemon/hist.o $(B)/daemon/fsutil.o \
	     $(B)/daemon/diskw.o $(B)/daemon/fileset.o $(B)/daemon/loud.o \
	     $(B)/daemon/manifest.o

CTL_OBJ    = $(B)/ctl/recctl.o $(B)/ctl/meter.o $(B)/ctl/conn.o \
	     $(B)/ctl/show.o $(B)/ctl/metrics.o

UNIT_TESTS = $(B)/tests/test_ring $(B)/tests/test_conv $(B)/tests/test_wav \
	     $(B)/tests/test_cfg $(B)/tests/test_cfg_out $(B)/tests/test_cfgjson \
	     $(B)/tests/test_proto \
	     $(B)/tests/test_meter $(B)/tests/test_hooks $(B)/tests/test_retain \
	     $(B)/tests/test_flush $(B)/tests/test_live $(B)/tests/test_take $(B)/tests/test_alarm \
	     $(B)/tests/test_webauth $(B)/tests/test_clock \
	     $(B)/tests/test_gate $(B)/tests/test_hist $(B)/tests/test_diskw \
	     $(B)/tests/test_dg \
	     $(B)/tests/test_fmt \
	     $(B)/tests/test_ixml $(B)/tests/test_loud $(B)/tests/test_manifest

.PHONY: FORCE all deps build-one check check-one check-unit check-integration check-rt \
	check-deps check-service check-nosd check-fuzz fuzz asan tsan \
	bench run install clean docs soak

all: $(B)/recd $(B)/recctl $(B)/recweb

$(B)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_common) -c $< -o $@
$(B)/common/flac.o: CF_common += $(FLAC_CFLAGS)
$(B)/common/oggopus.o: CF_common += $(OPUS_CFLAGS)
$(B)/common/mp3.o: CF_common += $(MPG123_CFLAGS)

$(B)/protocol/%.o: protocol/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_protocol) -c $< -o $@

$(B)/daemon/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_daemon) $(SD_CFLAGS) -c $< -o $@

$(B)/ctl/%.o: ctl/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_ctl) -c $< -o $@

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_tests) -c $< -o $@

$(B)/tests/%.o: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_tests) $(JACK_CFLAGS) -c $< -o $@

# Bench programs may see daemon/ headers: they drive the writer offline.
$(B)/tests/%.o: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CF_tests) -Idaemon $(JACK_CFLAGS) -c $< -o $@

# notify.o (the only user of libsystemd) and recd are rebuilt when SYSTEMD
# changes: the stamp is rewritten only when its value differs.
$(B)/systemd.stamp: FORCE
	@mkdir -p $(@D)
	@echo "$(SYSTEMD)" | cmp -s - $@ || echo "$(SYSTEMD)" >$@
$(B)/daemon/notify.o: $(B)/systemd.stamp
# libebur128 measures loudness; only loud.c uses it.
$(B)/daemon/loud.o: CF_daemon += $(EBUR128_CFLAGS)
FORCE:

$(B)/recd: $(DAEMON_OBJ) $(PROTO_OBJ) $(COMMON_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JACK_LIBS) $(UV_LIBS) $(CJSON_LIBS) \
	    $(SD_LIBS) $(FMT_LIBS) $(EBUR128_LIBS) -lm -lpthread

$(B)/recctl: $(CTL_OBJ) $(B)/protocol/proto.o $(CFG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CJSON_LIBS) -lm

# recweb: the page's bridge; libwebsockets does its HTTP and WebSocket.
WEB_OBJ    = $(B)/ctl/recweb.o $(B)/ctl/webhttp.o $(B)/ctl/webws.o \
	     $(B)/ctl/webrecd.o $(B)/ctl/webauth.o $(B)/ctl/metrics.o \
	     $(B)/ctl/show.o
# Where the installed page is (recweb --www overrides it): recweb.o is
# rebuilt when DATADIR changes (make install PREFIX=/usr after make).
$(B)/ctl/recweb.o: CFLAGS += -DRECWEB_WWW='"$(DATADIR)/recd/www"'
$(B)/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo "$(DATADIR)" | cmp -s - $@ || echo "$(DATADIR)" >$@
$(B)/ctl/recweb.o: $(B)/datadir.stamp
$(B)/recweb: $(WEB_OBJ) $(B)/protocol/proto.o $(CFG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LWS_LIBS) $(CJSON_LIBS) -lm

# Unit tests link only their module and what it may depend on.
$(B)/tests/test_ring: $(B)/tests/test_ring.o $(B)/common/ring.o $(B)/common/ring_rt.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lpthread
$(B)/tests/test_conv: $(B)/tests/test_conv.o $(CONV_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SNDFILE_LIBS) -lm
$(B)/tests/test_fmt: $(B)/tests/test_fmt.o $(FMT_OBJ) $(CONV_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SNDFILE_LIBS) \
	    $(FMT_LIBS) -lm
$(B)/tests/test_manifest: $(B)/tests/test_manifest.o $(B)/daemon/manifest.o \
    $(B)/common/log.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(UV_LIBS) $(MD_LIBS)
$(B)/tests/test_ixml: $(B)/tests/test_ixml.o $(FMT_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(FMT_LIBS) -lm
$(B)/tests/test_wav: $(B)/tests/test_wav.o $(FMT_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SNDFILE_LIBS) \
	    $(FMT_LIBS) -lm
$(B)/tests/test_cfg: $(B)/tests/test_cfg.o $(CFG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm
$(B)/tests/test_cfg_out: $(B)/tests/test_cfg_out.o $(B)/protocol/cfgout.o \
    $(B)/protocol/cfgjson.o $(B)/protocol/proto.o $(CFG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CJSON_LIBS) -lm
$(B)/tests/test_cfgjson: $(B)/tests/test_cfgjson.o $(B)/protocol/cfgjson.o \
    $(B)/protocol/cfgout.o $(B)/protocol/proto.o $(CFG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CJSON_LIBS) -lm
$(B)/tests/test_proto: $(B)/tests/test_proto.o $(B)/protocol/proto.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CJSON_LIBS) -lm
$(B)/tests/test_meter: $(B)/tests/test_meter.o $(B)/ctl/meter.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm
# daemon/ modules' tests also see daemon/ and libuv.
$(B)/tests/test_hooks.o: CF_tests += -Idaemon $(UV_CFLAGS)
$(B)/tests/test_hooks: $(B)/tests/test_hooks.o $(B)/daemon/hooks.o \
    $(B)/common/log.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(UV_LIBS)
$(B)/tests/test_retain.o: CF_tests += -Idaemon
$(B)/tests/test_manifest.o: CF_tests += -Idaemon $(UV_CFLAGS)
$(B)/tests/test_retain: $(B)/tests/test_retain.o $(B)/daemon/retain.o \
    $(B)/common/log.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(B)/tests/test_flush.o: CF_tests += -Idaemon
$(B)/tests/test_flush: $(B)/tests/test_flush.o $(B)/daemon/flush.o \
    $(B)/daemon/fileset.o $(B)/daemon/fsutil.o $(B)/daemon/retain.o $(FMT_OBJ) $(B)/common/log.o \
    $(B)/daemon/loud.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(FMT_LIBS) $(EBUR128_LIBS) \
	    -lm -lpthread

$(B)/tests/test_live.o: CF_tests += -Idaemon
$(B)/tests/test_live: $(B)/tests/test_live.o $(B)/daemon/live.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

$(B)/tests/test_webauth.o: CF_tests += $(LWS_CFLAGS)
$(B)/tests/test_webauth: $(B)/tests/test_webauth.o $(B)/ctl/webauth.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LWS_LIBS)
$(B)/tests/test_take.o: CF_tests += -Idaemon
$(B)/tests/test_take: $(B)/tests/test_take.o $(B)/daemon/take.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(B)/tests/test_gate.o: CF_tests += -Idaemon
$(B)/tests/test_gate: $(B)/tests/test_gate.o $(B)/daemon/gate.o $(B)/daemon/hist.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm
$(B)/tests/test_hist.o: CF_tests += -Idaemon
$(B)/tests/test_hist: $(B)/tests/test_hist.o $(B)/daemon/hist.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(B)/tests/test_dg.o: CF_tests += -Idaemon -Iprotocol
$(B)/tests/test_dg: $(B)/tests/test_dg.o $(B)/daemon/writer_dg.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(MD_LIBS)
$(B)/tests/test_diskw.o: CF_tests += -Idaemon
$(B)/tests/test_diskw: $(B)/tests/test_diskw.o $(B)/daemon/diskw.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(B)/tests/test_clock.o: CF_tests += -Idaemon
$(B)/tests/test_clock: $(B)/tests/test_clock.o $(B)/daemon/clock.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm
$(B)/tests/test_loud.o: CF_tests += -Idaemon
$(B)/tests/test_loud: $(B)/tests/test_loud.o $(B)/daemon/loud.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(EBUR128_LIBS) -lm
$(B)/tests/test_alarm.o: CF_tests += -Idaemon
$(B)/tests/test_alarm: $(B)/tests/test_alarm.o $(B)/daemon/alarm.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# Fuzz targets (libFuzzer, clang): make fuzz runs each for FUZZ_SECONDS;
# make check runs each for a few seconds.  Inputs that crashed once are
# kept in tests/fuzz/regress_NAME/ and replayed every time.
FUZZ_SECONDS ?= 60
FUZZ_CC	= clang
FUZZ_FLAGS = -std=c11 -g -O1 -D_DEFAULT_SOURCE \
	     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS	= build/fuzz/fuzz_proto build/fuzz/fuzz_cfg build/fuzz/fuzz_repair
build/fuzz/fuzz_proto: tests/fuzz/fuzz_proto.c protocol/proto.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icommon -Iprotocol $(CJSON_CFLAGS) -o $@ $^ \
	    $(CJSON_LIBS) -lm
build/fuzz/fuzz_cfg: tests/fuzz/fuzz_cfg.c protocol/cfgjson.c protocol/proto.c \
    protocol/cfgout.c common/cfg.c common/cfg_check.c common/cfg_print.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icommon -Iprotocol $(CJSON_CFLAGS) -o $@ $^ \
	    $(CJSON_LIBS) -lm
build/fuzz/fuzz_repair: tests/fuzz/fuzz_repair.c common/wav.c common/wav_hdr.c \
    common/wav_io.c common/wav_repair.c common/fmt.c common/flac.c \
    common/oggopus.c common/mp3.c common/ixml.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icommon $(FLAC_CFLAGS) $(OPUS_CFLAGS) \
	    $(MPG123_CFLAGS) \
	    -o $@ $^ $(FMT_LIBS) -lm

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); \
	    mkdir -p build/fuzz/corpus_$$n; \
	    dirs=; for d in tests/fuzz/seed_$$n tests/fuzz/regress_$$n; do \
		[ -d $$d ] && dirs="$$dirs $$d"; done; \
	    $$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus_$$n \
		$$dirs || exit 1; done

check-fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); \
	    RUN_NAME=$$n tests/run-sh.sh fuzz $(RESULTS) tests/fuzz/run.sh \
		$$f 5; done

# Test tools: the signal generator client and the take verifier.
TOOLS = $(B)/tests/siggen $(B)/tests/verify $(B)/tests/sfcheck \
	$(B)/tests/sockc $(B)/tests/notifyd $(B)/tests/chunk
$(B)/tests/siggen: $(B)/tests/siggen.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JACK_LIBS)
$(B)/tests/verify: $(B)/tests/verify.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
$(B)/tests/sfcheck: $(B)/tests/sfcheck.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SNDFILE_LIBS)
$(B)/tests/sockc: $(B)/tests/sockc.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/notifyd: $(B)/tests/notifyd.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(B)/tests/chunk: $(B)/tests/chunk.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^
# Test-only: an LD_PRELOAD guard of the process callback (no sanitizer:
# it replaces malloc).
$(B)/tests/rtguard.so: tests/tools/rtguard.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared $(JACK_CFLAGS) \
	    -o $@ $< -ldl

# Test-only: an LD_PRELOAD log of what fsync/fdatasync made durable.
$(B)/tests/syncspy.so: tests/tools/syncspy.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

# Test-only: an LD_PRELOAD slow disk for one directory.
$(B)/tests/slowio.so: tests/tools/slowio.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

# The floors under every recorder in the side-by-side runs: libjack's
# cost of a client that only copies its ports, libFLAC's of an encode in
# memory.
$(B)/tests/jack_null: $(B)/tests/jack_null.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JACK_LIBS) -lpthread
$(B)/tests/flac_floor.o: CF_tests += $(FLAC_CFLAGS)
$(B)/tests/flac_floor: $(B)/tests/flac_floor.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FLAC_LIBS)

$(B)/tests/bench_conv: $(B)/tests/bench_conv.o $(CONV_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm
# The real writer and callback, with cap_offline.o in place of cap.o and
# libjack: no server needed.
$(B)/tests/bench_writer: $(B)/tests/bench_writer.o $(B)/tests/cap_offline.o \
    $(WRITER_OBJ) $(B)/daemon/flush.o $(B)/daemon/retain.o \
    $(B)/daemon/clock.o $(B)/daemon/gate.o $(B)/daemon/hist.o $(B)/daemon/fsutil.o \
    $(B)/daemon/diskw.o $(B)/daemon/fileset.o $(B)/daemon/cap_rt.o $(B)/common/ring.o $(B)/common/ring_rt.o \
    $(B)/daemon/loud.o $(CONV_OBJ) $(FMT_OBJ) $(PROTO_OBJ) $(CFG_OBJ) \
    $(B)/common/log.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(FMT_LIBS) $(EBUR128_LIBS) \
	    $(CJSON_LIBS) -lm -lpthread

# Debian packages: what builds recd, then what the tests and benchmarks use.
DEB_BUILD = make gcc pkg-config libjack-jackd2-dev libuv1-dev libcjson-dev \
	    libcmocka-dev libwebsockets-dev libflac-dev libopusenc-dev \
	    libogg-dev libmp3lame-dev libmpg123-dev libmd-dev libebur128-dev
DEB_SYSTEMD = libsystemd-dev
DEB_TEST  = jackd2 sox ffmpeg libsndfile1-dev clang libclang-rt-dev \
	    jack-capture ecasound procps binutils tmux systemd \
	    libxml2-utils groff-base man-db pipewire pipewire-jack pipewire-bin \
	    prometheus curl nodejs chromium flac opus-tools \
	    mpg123 libsox-fmt-mp3 mediainfo python3
deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	    echo "deps: no dpkg here; install the libraries in README.md by hand"; \
	    exit 0; fi; \
	want="$(DEB_BUILD) $(DEB_TEST)"; \
	[ "$(WANT_SYSTEMD)" = 0 ] || want="$$want $(DEB_SYSTEMD)"; \
	missing=; for p in $$want; do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	[ -n "$$missing" ] || exit 0; \
	echo "deps: installing$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "deps: missing packages need root: sudo make deps"; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && \
	apt-get install -y -qq --no-install-recommends $$missing

# One build variant's tests; results are appended to build/results.
RESULTS = build/results
# Conversion runs on one thread: TSan has nothing to find in test_conv,
# which took 10 s under it; plain and ASan run it.
UNIT_SKIP_tsan = $(B)/tests/test_conv
check-unit: $(UNIT_TESTS) $(B)/recd $(B)/recctl
	@tests/run-unit.sh "$(SAN)" $(RESULTS) \
	    $(filter-out $(UNIT_SKIP_$(SAN)),$(UNIT_TESTS))
	@for t in $(notdir $(UNIT_SKIP_$(SAN))); do \
	    echo "SKIP $(SAN):$$t" >>$(RESULTS); \
	    echo "$(SAN) $$t: skipped: one thread, nothing for TSan;" \
	        "plain and ASan run it (time budget)"; done
	@tests/run-sh.sh "$(SAN)" $(RESULTS) tests/unit/test_docs.sh $(B)/recd

check-rt: $(B)/common/ring_rt.o $(B)/daemon/cap_rt.o
	@tests/run-sh.sh "" $(RESULTS) tests/check-rt.sh $(filter %_rt.o,$^)

check-deps:
	@tests/run-sh.sh "" $(RESULTS) tests/check-deps.sh

# The service files and the install: units through systemd-analyze
# verify, the launchd agent against the plist grammar, the installed tree,
# the man pages through groff -ww and man -l.  Once, on the plain build.
check-service: $(B)/recd $(B)/recctl
	@for t in units plist install man; do \
	    tests/run-sh.sh "" $(RESULTS) tests/unit/test_$$t.sh $(B); done

# recd without libsystemd (make SYSTEMD=0) builds, passes the unit tests
# and sends nothing to a service manager.
check-nosd:
	@$(MAKE) --no-print-directory B=build/nosd SYSTEMD=0 build/nosd/recd \
	    build/nosd/recctl
	@$(MAKE) --no-print-directory B=build SAN= CC=cc $(PLAIN_TOOLS)
	@B=build/nosd tests/run-sh.sh nosd $(RESULTS) \
	    tests/integration/test_notify.sh

# Integration tests run recd from this variant's build against a real
# jackd; the test tools always come from the plain build.
PLAIN_TOOLS = build/tests/siggen build/tests/verify build/tests/sfcheck \
	      build/tests/sockc build/tests/rtguard.so build/tests/notifyd \
	      build/tests/syncspy.so build/tests/slowio.so build/tests/chunk
check-integration: $(B)/recd $(B)/recctl $(B)/recweb
	@$(MAKE) --no-print-directory B=build SAN= CC=cc $(PLAIN_TOOLS) \
	    $(NPM_STAMP)
	@for t in tests/integration/test_*.sh; do \
	    B=$(B) SAN=$(SAN) tests/run-sh.sh "$(SAN)" $(RESULTS) $$t; done

check-one: check-unit check-integration

# The web tests' client and browser driver, from npm at the versions the
# lock file names; offline, the web tests say they are skipped.
NPM_STAMP = tests/web/node_modules/.installed
$(NPM_STAMP): tests/web/package.json tests/web/package-lock.json
	@cd tests/web && if npm ci --no-audit --no-fund --loglevel=error; \
	then touch node_modules/.installed; else echo "npm ci failed:" \
	    "the web tests will be skipped"; fi

check:
	@$(MAKE) --no-print-directory deps
	@mkdir -p build && rm -f $(RESULTS)
	@$(MAKE) --no-print-directory -j2 build-one $(PLAIN_TOOLS) $(FUZZERS)
	@$(MAKE) --no-print-directory check-one check-rt check-deps check-fuzz \
	    check-service check-nosd
	@$(MAKE) --no-print-directory -j2 build-one B=build/asan SAN=asan CC=clang
	@$(MAKE) --no-print-directory check-one B=build/asan SAN=asan CC=clang
	@$(MAKE) --no-print-directory -j2 build-one B=build/tsan SAN=tsan CC=clang
	@$(MAKE) --no-print-directory check-one B=build/tsan SAN=tsan CC=clang
	@tests/summary.sh $(RESULTS)

# Every binary a pass's tests run, built first on both cores; the tests
# themselves run one at a time (they share the machine with jackd).
build-one: $(UNIT_TESTS) $(B)/recd $(B)/recctl $(B)/recweb

asan:
	@mkdir -p build && rm -f $(RESULTS)
	@$(MAKE) --no-print-directory -j2 build-one B=build/asan SAN=asan CC=clang
	@$(MAKE) --no-print-directory check-one B=build/asan SAN=asan CC=clang
	@tests/summary.sh $(RESULTS)

tsan:
	@mkdir -p build && rm -f $(RESULTS)
	@$(MAKE) --no-print-directory -j2 build-one B=build/tsan SAN=tsan CC=clang
	@$(MAKE) --no-print-directory check-one B=build/tsan SAN=tsan CC=clang
	@tests/summary.sh $(RESULTS)

# An hour of recording (SOAK_SECONDS), 8 channels, 10 s files, a meter
# client: gaps (must be 0), memory growth, file count.  Not in check.
SOAK_SECONDS ?= 3600
soak: $(B)/recd $(B)/recctl
	@$(MAKE) --no-print-directory B=build SAN= CC=cc $(PLAIN_TOOLS)
	@B=$(B) SOAK_SECONDS=$(SOAK_SECONDS) tests/soak/soak.sh

# Figures, not tests: each with its baseline measured in the same run.
# tests/bench/run.sh says which knobs (BENCH_SECONDS, BENCH_MB, ...).
bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(B)/recd $(B)/tests/bench_conv \
	    $(B)/tests/bench_writer $(B)/tests/jack_null \
	    $(B)/tests/flac_floor build/tests/siggen
	@tests/bench/run.sh $(B)

# Records into ./recordings, on a private JACK server with a test signal
# when none runs (tests/tools/run.sh); Ctrl-C stops it.
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(B)/tests/siggen
	@tests/tools/run.sh $(B)

# The README's option table is generated from the option table in
# common/cfg.c; tests/unit/test_docs.sh fails when the two differ.
docs: $(B)/recd
	@tests/tools/gen-docs.sh $(B)/recd

# Units and the agent name the installed paths; they are made from their
# .in templates on every install, so that they follow PREFIX and the rest.
SUBST	= sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOGDIR@|$(LOGDIR)|g'
install: $(B)/recd $(B)/recctl $(B)/recweb
	@mkdir -p $(B)/dist/user
	$(SUBST) systemd/recd.service.in >$(B)/dist/recd.service
	$(SUBST) systemd/user/recd.service.in >$(B)/dist/user/recd.service
	$(SUBST) systemd/recweb.service.in >$(B)/dist/recweb.service
	$(SUBST) launchd/org.recd.recd.plist.in >$(B)/dist/org.recd.recd.plist
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/recd $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSTEMDUSERUNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(LAUNCHDDIR) \
	    $(DESTDIR)$(DATADIR)/recd/www
	install -m 755 $(B)/recd $(DESTDIR)$(SBINDIR)/recd
	install -m 755 $(B)/recctl $(DESTDIR)$(BINDIR)/recctl
	install -m 755 $(B)/recweb $(DESTDIR)$(BINDIR)/recweb
	install -m 644 ctl/www/index.html ctl/www/app.js ctl/www/style.css \
	    $(DESTDIR)$(DATADIR)/recd/www
	@# A configuration someone edited is never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/recd/recd.json ]; then \
	    echo "install: $(DESTDIR)$(SYSCONFDIR)/recd/recd.json exists;" \
		"kept (the default is etc/recd.json)"; \
	else echo "install -m 644 etc/recd.json" \
		"$(DESTDIR)$(SYSCONFDIR)/recd/recd.json"; \
	    install -m 644 etc/recd.json \
		$(DESTDIR)$(SYSCONFDIR)/recd/recd.json; fi
	install -m 644 daemon/recd.8 $(DESTDIR)$(MANDIR)/man8/recd.8
	install -m 644 ctl/recctl.1 $(DESTDIR)$(MANDIR)/man1/recctl.1
	install -m 644 ctl/recweb.1 $(DESTDIR)$(MANDIR)/man1/recweb.1
	install -m 644 etc/recd.json.5 $(DESTDIR)$(MANDIR)/man5/recd.json.5
	install -m 644 $(B)/dist/recd.service systemd/recd.socket \
	    $(B)/dist/recweb.service \
	    $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 644 $(B)/dist/user/recd.service systemd/user/recd.socket \
	    $(DESTDIR)$(SYSTEMDUSERUNITDIR)
	install -m 644 systemd/recd.sysusers $(DESTDIR)$(SYSUSERSDIR)/recd.conf
	install -m 644 $(B)/dist/org.recd.recd.plist $(DESTDIR)$(LAUNCHDDIR)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
