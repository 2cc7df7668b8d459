#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# smtp_sasl_auth_cache_name against the real Postfix + Dovecot relay: a
# password the relay refused (535) is recorded and not offered again by
# the next runs (the relay sees one failed login, not one a run, as an
# ISP counts them before it locks the account); each run still fails
# with the relay's reply, keeps the message and names the file to fix;
# a corrected password goes through at once and clears the entry; the
# entry expires after smtp_sasl_auth_cache_time; with
# smtp_sasl_auth_soft_bounce the cached refusal is temporary; the next
# relay is still tried; a file that is not relaymail's is left alone;
# Postfix itself, with the same lines, logs the same delivery statuses.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"
. "$top_srcdir/tests/lib/oracle.sh"

client_start authcache
cache=$T/sasl_auth_cache
# The Postfix oracle below is stopped with the relay, also on a failure.
trap '[ -d "$scratch/oracle" ] && relay_stop "$scratch/oracle"; client__cleanup' EXIT

# Dovecot delays the logins of an address after each failure (2 s, then
# 4, 8, up to 15, past Postfix's 10 s wait for it); each part below comes
# from its own loopback address ($bind).
bind=127.0.0.1

# cf NAME PASSWORD LINE...: $T/NAME.cf, the submission port with AUTH as
# user1 and PASSWORD, the cache at $cache as a pasted main.cf names it.
cf() {
	_n=$1 _pw=$2
	shift 2
	conf_submission "$_n" "smtp_sasl_auth_cache_name = proxy:btree:$cache" \
		"maillog_file = $T/maillog" "smtp_bind_address = $bind" "$@"
	(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
		"$RELAY_USER1" "$_pw" >"$T/$_n.pw")
}

n=0
# run CONF: one message through CONF; $rc, stderr in $T/err.
run() {
	n=$((n + 1))
	printf 'From: <%s>\nSubject: cache %s\nMessage-ID: <cache-%s@client.test>\n\nbody\n' \
		"$RELAY_USER1" "$n" "$n" |
		timeout 60 "$RELAYMAIL" -C "$T/$1.cf" -f "$RELAY_USER1" sink@dest.test \
			>"$T/out" 2>"$T/err"
	rc=$?
}

# Failed logins the relay saw (Postfix logs each), and this relay's
# sessions that sent no AUTH at all.
failures() { grep -c 'relaytest/submission/smtpd.*SASL [A-Z0-9-]* authentication failed' "$RELAY_MAILLOG"; }
noauth() { grep 'relaytest/submission/smtpd.*disconnect from' "$RELAY_MAILLOG" | grep -vc ' auth='; }
# wait_count FUNCTION N: until FUNCTION prints N (the relay logs late).
wait_count() {
	_end=$(($(date +%s) + 10))
	until [ "$($1)" -ge "$2" ] || [ "$(date +%s)" -ge "$_end" ]; do sleep 0.05; done
	$1
}
entries() { grep -vc '^#' "$cache" 2>/dev/null; }

# ---- A wrong password: refused once, then not offered again. ------------
cf wrong not-the-password
f0=$(failures)
run wrong
tap_is "$rc" 77 "wrong password: exit 77"
tap_ok "wrong password: the relay's 535 on stderr" grep -q ': 535 5.7.8 ' "$T/err"
tap_ok "wrong password: the hint says the refusal is recorded, and where" \
	grep -qF "it is not offered again: $cache (smtp_sasl_auth_cache_name) records the refusal" "$T/err"
tap_is "$(wait_count failures $((f0 + 1)))" $((f0 + 1)) "wrong password: the relay saw one failed login"
tap_ok "the cache file is created, mode 0600" test "$(stat -c %a "$cache" 2>/dev/null)" = 600
tap_ok "it holds the relay host, the user and the reply" \
	grep -q "^$RELAY_HOST	$RELAY_USER1	[0-9]*	[^	]*	[^	]*	5\.7\.8	535 5\.7\.8 " "$cache"
tap_ok "... and not the password" sh -c '! grep -q "not-the-password" "$1"' - "$cache"

a0=$(noauth)
for i in 1 2 3 4 5; do
	run wrong
	echo "$rc" >>"$T/rcs"
done
tap_is "$(sort -u "$T/rcs")" 77 "five more runs with the same password: exit 77 each"
tap_ok "... stderr says the login was refused before and not offered again" \
	grep -q "refused the login of $RELAY_USER1 [0-9]* s ago, and its password has not changed; it was not offered again: 535 5.7.8 " "$T/err"
tap_ok "... the hint names the password entry and the cache file" \
	grep -qF "or delete the relay's line from $cache (smtp_sasl_auth_cache_name) to offer it again" "$T/err"
tap_is "$(wait_count noauth $((a0 + 5)))" $((a0 + 5)) "... five sessions without AUTH"
tap_is "$(failures)" $((f0 + 1)) "... and still one failed login at the relay"
tap_is "$(grep -c '^From ' "$T/dead.letter")" 6 "all six messages are in the dead letter file"
tap_is "$(grep -c 'status=bounced (SASL \[CACHED\] authentication failed; server 127.0.0.1 said: 535 5.7.8 ' "$T/maillog")" 5 \
	"the mail log: Postfix's SASL [CACHED] line for each of the five"

# ---- smtp_sasl_auth_soft_bounce: the cached refusal is temporary. -------
cf soft not-the-password "smtp_sasl_auth_soft_bounce = yes"
run soft
tap_is "$rc" 75 "smtp_sasl_auth_soft_bounce = yes: the cached refusal exits 75"
tap_ok "... the log's DSN is 4.7.8" grep -q 'dsn=4\.7\.8, status=deferred (SASL \[CACHED\]' "$T/maillog"

# ---- The next relay is still tried (the relay's plain port, no AUTH). ---
cf fallback not-the-password "smtp_fallback_relay = [$RELAY_HOST]:$RELAY_PLAIN_PORT" \
	"smtp_tls_policy_maps = inline:{ [$RELAY_HOST]:$RELAY_PLAIN_PORT=none }"
nothing_arrives 0 >/dev/null
run fallback
tap_is "$rc" 0 "a cached refusal at the relayhost: the fallback relay takes the message"
tap_is "$(count "$(take 1)")" 1 "... and it arrives"

# ---- The password corrected: offered at once, and the entry goes. ------
cf right "$RELAY_PASS1"
run right
tap_is "$rc" 0 "the password corrected: delivered at once"
tap_is "$(entries)" 0 "... and the cache entry is removed"
tap_is "$(count "$(take 1)")" 1 "... the message arrived"

# ---- smtp_sasl_auth_cache_time: an old refusal is tried again. ----------
bind=127.0.0.2
cf short not-the-password "smtp_sasl_auth_cache_time = 1s"
f1=$(failures)
run short
tap_is "$(entries)" 1 "a new refusal is recorded"
sleep 2
run short
tap_is "$rc" 77 "after smtp_sasl_auth_cache_time: refused again"
tap_ok "... by the relay, not the cache" sh -c '! grep -q "it was not offered again" "$1"' - "$T/err"
tap_is "$(wait_count failures $((f1 + 2)))" $((f1 + 2)) "... which saw a second failed login"
tap_is "$(entries)" 1 "... recorded again, one entry"

# ---- A file that is not relaymail's, and a path that cannot be written. -
bind=127.0.0.3
rm -f "$cache"
printf '\0\0\0\0\1\0\0\0b1\5\0' >"$cache"
cp "$cache" "$T/cache.orig"
f2=$(failures)
run wrong
tap_is "$rc" 77 "a Postfix database at the path: the login is tried, and refused"
tap_ok "... a warning names the file and leaves it alone" \
	grep -qF "$cache is not a relaymail SASL authentication cache (a Postfix database?); it is left alone" "$T/err"
tap_ok "... the file is unchanged" cmp -s "$cache" "$T/cache.orig"
tap_is "$(wait_count failures $((f2 + 1)))" $((f2 + 1)) "... the relay saw the login"
conf_submission nodir "smtp_sasl_auth_cache_name = $T/no/such/dir/cache" "smtp_bind_address = $bind"
run nodir
tap_is "$rc" 0 "a cache in a missing folder and a good password: delivered, silently"
tap_is "$(cat "$T/err")" "" "... nothing on stderr"
take 1 >/dev/null
cf nodirbad not-the-password
sed -i "s|^smtp_sasl_auth_cache_name = .*|smtp_sasl_auth_cache_name = $T/no/such/dir/cache|" "$T/nodirbad.cf"
run nodirbad
tap_is "$rc" 77 "a cache that cannot be created and a wrong password: exit 77"
tap_ok "... a warning says the next run will try again" \
	grep -q "cannot open the SASL authentication cache $T/no/such/dir/cache: No such file or directory (smtp_sasl_auth_cache_name); the next run will try this login again" "$T/err"

# ---- Against Postfix: the same wrong password twice through a private
# Postfix with smtp_sasl_auth_cache_name (its proxywrite service) and
# through relaymail, smtp_sasl_auth_soft_bounce = yes as Postfix's
# default: the same delivery status for the refusal, then for the cached
# one, and one failed login at the relay from each.
bind=127.0.0.5
rm -f "$cache"
O=$scratch/oracle
oracle_up "$O" <<EOF || tap_bail "the Postfix oracle did not start"
transport_maps = static:smtp:[$RELAY_HOST]:$RELAY_SUBMISSION_PORT
smtp_bind_address = 127.0.0.6
smtp_tls_security_level = verify
smtp_tls_CAfile = $RELAY_CA
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = inline:{ [$RELAY_HOST]:$RELAY_SUBMISSION_PORT=$RELAY_USER1:not-the-password }
smtp_sasl_tls_security_options = noanonymous
smtp_sasl_auth_cache_name = proxy:btree:$O/data/sasl_auth_cache
EOF
# status LOG N: "dsn=..., status=... (...)" of the Nth delivery record.
status() {
	grep ' to=<sink@dest.test>, relay=.* status=' "$1" 2>/dev/null |
		sed -n "$2"'{s/.*\(dsn=.*\)$/\1/p;}'
}
wait_status() {
	_end=$(($(date +%s) + 20))
	until [ -n "$(status "$1" "$2")" ] || [ "$(date +%s)" -ge "$_end" ]; do sleep 0.1; done
}
cf diff not-the-password "smtp_sasl_auth_soft_bounce = yes"
rm -f "$T/maillog"
f4=$(failures)
for i in 1 2; do
	printf 'Subject: oracle %s\n\nbody\n' "$i" |
		/usr/sbin/sendmail -C "$O/postfix" -f "$RELAY_USER1" sink@dest.test 2>/dev/null
	wait_status "$O/maillog" "$i"
	run diff
done
tap_is "$(status "$T/maillog" 1)" "$(status "$O/maillog" 1)" \
	"Postfix and relaymail: the same status for the refusal"
tap_diag "Postfix: $(status "$O/maillog" 1)"
tap_is "$(status "$T/maillog" 2)" "$(status "$O/maillog" 2)" \
	"Postfix and relaymail: the same status for the cached refusal"
tap_diag "Postfix: $(status "$O/maillog" 2)"
tap_is "$(wait_count failures $((f4 + 2)))" $((f4 + 2)) \
	"Postfix and relaymail: one failed login at the relay each"
relay_stop "$O"

# ---- Without the parameter: no file, every run offers the password. -----
bind=127.0.0.4
rm -f "$cache"
conf_submission plain "smtp_bind_address = $bind"
(umask 077 && printf '[%s]:%s %s:wrong\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" "$RELAY_USER1" >"$T/plain.pw")
f3=$(failures)
run plain
run plain
tap_is "$(wait_count failures $((f3 + 2)))" $((f3 + 2)) "without smtp_sasl_auth_cache_name: each run logs in"
tap_ok "... and no cache file appears" test ! -e "$cache"
tap_done
