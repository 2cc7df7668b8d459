# Fuzz targets, one per parser of hostile input (fuzz/fuzz-NAME.c), with
# their seed corpora in fuzz/corpus/NAME/. Every build links each target
# with fuzz/replay.c into fuzz/replay-NAME, a test that runs it over every
# seed (so `make check`, the ASan+UBSan build and valgrind replay the
# corpora); ./configure --enable-fuzzing (clang) also links each one with
# libFuzzer into fuzz/fuzz-NAME. README.md, Fuzzing, says how to run them.
fuzz_common = fuzz/fuzz.c fuzz/fuzz.h
fuzz_replay = $(fuzz_common) fuzz/replay.c

fuzz_replays = \
	fuzz/replay-reply \
	fuzz/replay-caps \
	fuzz/replay-session \
	fuzz/replay-server \
	fuzz/replay-intake \
	fuzz/replay-envelope \
	fuzz/replay-address \
	fuzz/replay-rewrite \
	fuzz/replay-config \
	fuzz/replay-expand \
	fuzz/replay-table-regexp \
	fuzz/replay-table-pcre \
	fuzz/replay-table-text \
	fuzz/replay-table-inline \
	fuzz/replay-alias \
	fuzz/replay-dns \
	fuzz/replay-sasl \
	fuzz/replay-milter \
	fuzz/replay-authcache

check_PROGRAMS += $(fuzz_replays)
TESTS += $(fuzz_replays)

fuzz_replay_reply_SOURCES = fuzz/fuzz-reply.c $(fuzz_replay)
fuzz_replay_reply_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_caps_SOURCES = fuzz/fuzz-caps.c $(fuzz_replay)
fuzz_replay_caps_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_session_SOURCES = fuzz/fuzz-session.c $(fuzz_replay)
fuzz_replay_session_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_server_SOURCES = fuzz/fuzz-server.c $(fuzz_replay)
fuzz_replay_server_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_intake_SOURCES = fuzz/fuzz-intake.c $(fuzz_replay)
fuzz_replay_intake_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_envelope_SOURCES = fuzz/fuzz-envelope.c $(fuzz_replay)
fuzz_replay_envelope_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_address_SOURCES = fuzz/fuzz-address.c $(fuzz_replay)
fuzz_replay_address_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_rewrite_SOURCES = fuzz/fuzz-rewrite.c $(fuzz_replay)
fuzz_replay_rewrite_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_config_SOURCES = fuzz/fuzz-config.c $(fuzz_replay)
fuzz_replay_config_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_expand_SOURCES = fuzz/fuzz-expand.c $(fuzz_replay)
fuzz_replay_expand_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_table_regexp_SOURCES = fuzz/fuzz-table-regexp.c $(fuzz_replay)
fuzz_replay_table_regexp_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_table_pcre_SOURCES = fuzz/fuzz-table-pcre.c $(fuzz_replay)
fuzz_replay_table_pcre_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_table_text_SOURCES = fuzz/fuzz-table-text.c $(fuzz_replay)
fuzz_replay_table_text_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_table_inline_SOURCES = fuzz/fuzz-table-inline.c $(fuzz_replay)
fuzz_replay_table_inline_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_alias_SOURCES = fuzz/fuzz-alias.c $(fuzz_replay)
fuzz_replay_alias_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_dns_SOURCES = fuzz/fuzz-dns.c tests/unit/dns_ref.c $(fuzz_replay)
fuzz_replay_dns_LDADD = $(RELAYMAIL_LIBS) $(RESOLV_REF_LIBS)
fuzz_replay_sasl_SOURCES = fuzz/fuzz-sasl.c $(fuzz_replay)
fuzz_replay_sasl_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_milter_SOURCES = fuzz/fuzz-milter.c $(fuzz_replay)
fuzz_replay_milter_LDADD = $(RELAYMAIL_LIBS)
fuzz_replay_authcache_SOURCES = fuzz/fuzz-authcache.c $(fuzz_replay)
fuzz_replay_authcache_LDADD = $(RELAYMAIL_LIBS)

# The seeds, and reproducers of bugs found and not yet fixed (fuzz/known:
# not replayed, see fuzz/known/README).
EXTRA_DIST += fuzz/corpus fuzz/known

if FUZZING
noinst_PROGRAMS = \
	fuzz/fuzz-reply \
	fuzz/fuzz-caps \
	fuzz/fuzz-session \
	fuzz/fuzz-server \
	fuzz/fuzz-intake \
	fuzz/fuzz-envelope \
	fuzz/fuzz-address \
	fuzz/fuzz-rewrite \
	fuzz/fuzz-config \
	fuzz/fuzz-expand \
	fuzz/fuzz-table-regexp \
	fuzz/fuzz-table-pcre \
	fuzz/fuzz-table-text \
	fuzz/fuzz-table-inline \
	fuzz/fuzz-alias \
	fuzz/fuzz-dns \
	fuzz/fuzz-sasl \
	fuzz/fuzz-milter \
	fuzz/fuzz-authcache
fuzz_fuzz_reply_SOURCES = fuzz/fuzz-reply.c $(fuzz_common)
fuzz_fuzz_reply_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_reply_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_caps_SOURCES = fuzz/fuzz-caps.c $(fuzz_common)
fuzz_fuzz_caps_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_caps_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_session_SOURCES = fuzz/fuzz-session.c $(fuzz_common)
fuzz_fuzz_session_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_session_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_server_SOURCES = fuzz/fuzz-server.c $(fuzz_common)
fuzz_fuzz_server_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_server_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_intake_SOURCES = fuzz/fuzz-intake.c $(fuzz_common)
fuzz_fuzz_intake_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_intake_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_envelope_SOURCES = fuzz/fuzz-envelope.c $(fuzz_common)
fuzz_fuzz_envelope_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_envelope_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_address_SOURCES = fuzz/fuzz-address.c $(fuzz_common)
fuzz_fuzz_address_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_address_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_rewrite_SOURCES = fuzz/fuzz-rewrite.c $(fuzz_common)
fuzz_fuzz_rewrite_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_rewrite_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_config_SOURCES = fuzz/fuzz-config.c $(fuzz_common)
fuzz_fuzz_config_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_config_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_expand_SOURCES = fuzz/fuzz-expand.c $(fuzz_common)
fuzz_fuzz_expand_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_expand_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_table_regexp_SOURCES = fuzz/fuzz-table-regexp.c $(fuzz_common)
fuzz_fuzz_table_regexp_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_table_regexp_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_table_pcre_SOURCES = fuzz/fuzz-table-pcre.c $(fuzz_common)
fuzz_fuzz_table_pcre_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_table_pcre_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_table_text_SOURCES = fuzz/fuzz-table-text.c $(fuzz_common)
fuzz_fuzz_table_text_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_table_text_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_table_inline_SOURCES = fuzz/fuzz-table-inline.c $(fuzz_common)
fuzz_fuzz_table_inline_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_table_inline_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_alias_SOURCES = fuzz/fuzz-alias.c $(fuzz_common)
fuzz_fuzz_alias_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_alias_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_dns_SOURCES = fuzz/fuzz-dns.c tests/unit/dns_ref.c $(fuzz_common)
fuzz_fuzz_dns_LDADD = $(RELAYMAIL_LIBS) $(RESOLV_REF_LIBS)
fuzz_fuzz_dns_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_sasl_SOURCES = fuzz/fuzz-sasl.c $(fuzz_common)
fuzz_fuzz_sasl_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_sasl_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_milter_SOURCES = fuzz/fuzz-milter.c $(fuzz_common)
fuzz_fuzz_milter_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_milter_LDFLAGS = $(FUZZ_LDFLAGS)
fuzz_fuzz_authcache_SOURCES = fuzz/fuzz-authcache.c $(fuzz_common)
fuzz_fuzz_authcache_LDADD = $(RELAYMAIL_LIBS)
fuzz_fuzz_authcache_LDFLAGS = $(FUZZ_LDFLAGS)
endif
