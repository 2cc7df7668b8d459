#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Secrets end to end: who may read a password file (modes and owners, as
# root, www-data and nobody; a container's read-only secret mount), a
# password inside sendmail.conf, a hostile relay's SCRAM iteration count
# (refused at once, the fallback relay gets the message), and a process
# that holds a password: not dumpable, no core file.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
FAKESMTP=$top_builddir/tests/fakesmtp

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/fake.sh"

command -v certtool >/dev/null 2>&1 || tap_skip_all "certtool (gnutls-bin) is not installed"
[ -x "$FAKESMTP" ] || tap_bail "$FAKESMTP is missing"

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-secrets.XXXXXX") || tap_bail "mktemp failed"
T=$FAKE_DIR
waiter=
cleanup() {
	[ -n "$waiter" ] && kill "$waiter" 2>/dev/null
	fake_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# Other users run a copy of the program from here.
chmod 0755 "$T"
cp "$RELAYMAIL" "$T/relaymail" || tap_bail "cannot copy $RELAYMAIL"
RM=$T/relaymail
mkdir -m 1777 "$T/tmp"
HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TMPDIR=$T/tmp
export HOME XDG_CONFIG_HOME XDG_STATE_HOME TMPDIR
unset RELAYMAIL_CONFIG
fake_certs || tap_bail "certtool failed"

printf 'From: <s@client.test>\nSubject: secrets\n\nbody\n' >"$T/msg"

# conf NAME PORT LINE...: $T/NAME.cf (0644) relaying to [127.0.0.1]:PORT.
conf() {
	_n=$1 _p=$2
	shift 2
	{
		echo "relayhost = [127.0.0.1]:$_p"
		echo "myhostname = client.test"
		echo "dead_letter_file = $T/dead.letter"
		for _l in "$@"; do echo "$_l"; done
	} >"$T/$_n.cf"
	chmod 0644 "$T/$_n.cf"
}

# pwfile NAME MODE OWNER:GROUP: $T/NAME.pw with one entry.
pwfile() {
	printf '[127.0.0.1]:25 user1:secret1\n' >"$T/$1.pw"
	chmod "$2" "$T/$1.pw"
	chown "$3" "$T/$1.pw"
}

as_user() { # USER CMD...: run as USER with its own group only
	_u=$1
	shift
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" --clear-groups "$@"
}

# check NAME [USER]: relaymail -bv with $T/NAME.cf, as USER (else root);
# sets rc, stderr in $T/err.
check() {
	if [ -n "${2:-}" ]; then
		as_user "$2" "$RM" -bv -C "$T/$1.cf" r@dest.test </dev/null >/dev/null 2>"$T/err"
	else
		"$RM" -bv -C "$T/$1.cf" r@dest.test </dev/null >/dev/null 2>"$T/err"
	fi
	rc=$?
}

stderr_has() {
	grep -qF -- "$1" "$T/err" && return 0
	tap_diag "stderr: $(cat "$T/err")"
	return 1
}

AUTH='smtp_sasl_auth_enable = yes'

# ---- Who may read a password file, as root.

conf pw 25 "$AUTH" "smtp_sasl_password_maps = texthash:$T/pw.pw"
for case in 0600:0 0400:0 0640:0 0440:0; do
	pwfile pw "${case%%:*}" root:root
	check pw
	tap_is "$rc" 0 "root, root's ${case%%:*} password file: accepted"
done
pwfile pw 0644 root:root
check pw
tap_is "$rc" 78 "root, 0644: exit 78"
tap_ok "root, 0644: the chmod to run" \
	stderr_has "$T/pw.pw holds passwords and must not be readable by others (mode 0644); fix it with: chmod 0640 $T/pw.pw"
pwfile pw 0660 root:root
check pw
tap_is "$rc" 78 "root, 0660: exit 78"
tap_ok "root, 0660: group-writable, the chmod to run" \
	stderr_has "only its owner may write to it (mode 0660); fix it with: chmod 0640 $T/pw.pw"
tap_is "$(wc -l <"$T/err")" 1 "root, 0660: one line"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 || ! id www-data >/dev/null 2>&1; then
	tap_skip "the other users' cases" "not root, or no setpriv, or no www-data"
else
	# ---- A group shares one account: www-data reads root's 0640.
	pwfile pw 0640 root:www-data
	check pw www-data
	tap_is "$rc" 0 "www-data, root:www-data 0640: accepted"
	pwfile pw 0440 root:www-data
	check pw www-data
	tap_is "$rc" 0 "www-data, root:www-data 0440: accepted"
	pwfile pw 0640 www-data:www-data
	check pw www-data
	tap_is "$rc" 0 "www-data, its own 0640: accepted"
	pwfile pw 0640 nobody:www-data
	check pw www-data
	tap_is "$rc" 78 "www-data, nobody:www-data 0640: exit 78"
	pwfile pw 0640 www-data:www-data
	check pw
	tap_is "$rc" 78 "root, www-data's group-readable 0640: exit 78"
	tap_ok "root, www-data's group-readable 0640: the owner named, the chown to run" \
		stderr_has "which is allowed only when it belongs to root or to you (it belongs to www-data, mode 0640); fix it with: chown root $T/pw.pw"
	pwfile pw 0640 nobody:www-data
	check pw www-data
	tap_ok "www-data, somebody else's group-readable file: whom to ask for what" \
		stderr_has "is readable by its group, which is allowed only when it belongs to root or to you (it belongs to nobody, mode 0640); ask an administrator to run: chown root $T/pw.pw"
	pwfile pw 0644 root:root
	check pw www-data
	tap_is "$rc" 78 "www-data, root's 0644: exit 78"
	tap_ok "www-data, root's 0644: says who owns it and what to ask" \
		stderr_has "(mode 0644); it belongs to root: ask an administrator to run: chmod 0640 $T/pw.pw"
	pwfile pw 0644 www-data:www-data
	check pw www-data
	tap_ok "www-data, its own 0644: the chmod to run" \
		stderr_has "(mode 0644); fix it with: chmod 0640 $T/pw.pw"
	pwfile pw 0606 www-data:www-data
	check pw nobody
	tap_is "$rc" 78 "nobody, www-data's 0606: exit 78"
	tap_ok "nobody, www-data's 0606: writable by others, whom to ask" \
		stderr_has "only its owner may write to it (mode 0606); it belongs to www-data: ask them to run: chmod 0600 $T/pw.pw"

	# ---- A password in sendmail.conf itself.
	conf inl 25 "$AUTH" "smtp_sasl_password_maps = inline:{ [127.0.0.1]:25=user1:secret1 }"
	check inl www-data
	tap_is "$rc" 78 "inline: password in a 0644 sendmail.conf: exit 78"
	tap_ok "inline: password in a 0644 sendmail.conf: names the parameter and the fix" \
		stderr_has "smtp_sasl_password_maps ($T/inl.cf, line 5) holds a password in the configuration file itself: $T/inl.cf holds passwords and must not be readable by others (mode 0644); it belongs to root: ask an administrator to run: chmod 0640 $T/inl.cf"
	chown root:www-data "$T/inl.cf"
	chmod 0640 "$T/inl.cf"
	check inl www-data
	tap_is "$rc" 0 "inline: password in a root:www-data 0640 sendmail.conf: accepted"
	conf st 25 "$AUTH" "smtp_sasl_password_maps = static:user1:secret1"
	check st
	tap_is "$rc" 78 "static: password in a 0644 sendmail.conf: exit 78"
	conf env 25 "$AUTH"
	RELAYMAIL_SMTP_SASL_PASSWORD_MAPS='inline:{ [127.0.0.1]:25=user1:secret1 }'
	export RELAYMAIL_SMTP_SASL_PASSWORD_MAPS
	check env www-data
	unset RELAYMAIL_SMTP_SASL_PASSWORD_MAPS
	tap_is "$rc" 0 "inline: password from the environment: a 0644 sendmail.conf is fine"
fi

# ---- A container's secret mount: root's 0444 on a read-only tmpfs.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$T/tmp'" 2>/dev/null; then
	mkdir -p "$T/secrets"
	# In a mount namespace of its own: the mount ends with it.
	cat >"$T/ro.sh" <<EOF
mount -t tmpfs -o size=64k,mode=0755 tmpfs '$T/secrets' || exit 90
printf '[127.0.0.1]:25 user1:secret1\n' >'$T/secrets/pw'
chmod "\$1" '$T/secrets/pw'
[ "\$2" = ro ] && { mount -o remount,ro '$T/secrets' || exit 91; }
shift 2
"\$@" -bv -C '$T/ro.cf' r@dest.test </dev/null >/dev/null
EOF
	conf ro 25 "$AUTH" "smtp_sasl_password_maps = texthash:$T/secrets/pw"
	unshare -m sh "$T/ro.sh" 0444 ro "$RM" 2>"$T/err"
	tap_is "$?" 0 "root's 0444 on a read-only mount (Docker secret): accepted"
	# -bv -v goes on to try the relay (nothing listens there): not 78.
	unshare -m sh "$T/ro.sh" 0444 ro "$RM" -v 2>"$T/err"
	tap_ok "root's 0444 on a read-only mount, -bv -v: no configuration error" test "$?" != 78
	tap_ok "root's 0444 on a read-only mount: -v says why" \
		stderr_has "$T/secrets/pw holds passwords and others may read it (mode 0444), but it belongs to root on a read-only mount of its own (a container's secret): accepted"
	unshare -m sh "$T/ro.sh" 0644 ro setpriv --reuid=www-data --regid=www-data --clear-groups \
		"$RM" 2>"$T/err"
	tap_is "$?" 0 "root's 0644 on a read-only mount (Kubernetes secret), as www-data: accepted"
	unshare -m sh "$T/ro.sh" 0444 rw "$RM" 2>"$T/err"
	tap_is "$?" 78 "root's 0444 on a writable mount: refused"
	tap_ok "root's 0444 on a writable mount: the chmod to run" \
		stderr_has "(mode 0444); fix it with: chmod 0440 $T/secrets/pw"
else
	tap_skip "the read-only mount cases" "cannot make a mount namespace here"
fi

# ---- A relay that asks for 2^31-1 SCRAM iterations (RFC 5802 §9): refused
# before any hashing, and the fallback relay gets the message.
first=$(printf 'r=clientnonceservernonce,s=c2FsdHNhbHQ=,i=2147483647' | base64 -w0)
cat >"$T/scram.script" <<EOF
send 220 hostile.test ESMTP
expect EHLO
send 250-hostile.test
send 250 AUTH SCRAM-SHA-256
expect AUTH SCRAM-SHA-256
send 334 $first
expect *
send 501 5.7.0 Authentication aborted
expect QUIT
send 221 bye
eof
EOF
cat >"$T/good.script" <<'EOF'
send 220 good.test ESMTP
expect EHLO
send 250-good.test
send 250 AUTH CRAM-MD5
expect AUTH CRAM-MD5
auth CRAM-MD5 user1 secret1
expect MAIL FROM:
send 250 ok
expect RCPT TO:
send 250 ok
expect DATA
send 354 go on
data
send 250 queued
expect QUIT
send 221 bye
EOF
fake_start hostile "$T/scram.script"
hport=$fake_port
fake_start good "$T/good.script"
gport=$fake_port
printf '[127.0.0.1]:%s user1:secret1\n[127.0.0.1]:%s user1:secret1\n' "$hport" "$gport" >"$T/s.pw"
chmod 0600 "$T/s.pw"
conf scram "$hport" "$AUTH" "smtp_sasl_password_maps = texthash:$T/s.pw" \
	"smtp_tls_security_level = none" "smtp_fallback_relay = [127.0.0.1]:$gport"
t0=$(date +%s)
timeout 60 "$RM" -C "$T/scram.cf" -f s@client.test r@dest.test <"$T/msg" 2>"$T/err"
rc=$?
t1=$(date +%s)
fake_stop hostile
fake_stop good
tap_is "$rc" 0 "SCRAM i=2147483647: refused, the fallback relay took the message"
tap_ok "SCRAM i=2147483647: no hashing (done in $((t1 - t0)) s)" [ $((t1 - t0)) -le 5 ]
tap_ok "SCRAM i=2147483647: the fallback saw the message" grep -q '^# data' "$FAKE_DIR/good.tr"
tap_is "$(grep -v '^# connection' "$FAKE_DIR/hostile.tr" | cut -c1-26 | paste -sd '|')" \
	"C: EHLO client.test|C: AUTH SCRAM-SHA-256 biws|C: *|C: QUIT|# eof" \
	"SCRAM i=2147483647: no answer to the challenge: \"*\" cancels it (RFC 4954), then QUIT"

fake_start hostile "$T/scram.script"
hport2=$fake_port
conf scram1 "$fake_port" "$AUTH" "smtp_sasl_password_maps = texthash:$T/s1.pw" \
	"smtp_tls_security_level = none"
printf '[127.0.0.1]:%s user1:secret1\n' "$fake_port" >"$T/s1.pw"
chmod 0600 "$T/s1.pw"
timeout 60 "$RM" -C "$T/scram1.cf" -f s@client.test r@dest.test <"$T/msg" 2>"$T/err"
rc=$?
fake_stop hostile
tap_is "$rc" 77 "SCRAM i=2147483647, no other relay: exit 77, as for a failed AUTH"
tap_ok "SCRAM i=2147483647: one line names the relay, its count and the cap" \
	stderr_has "relay 127.0.0.1[127.0.0.1]:$hport2: the relay asked for 2147483647 SCRAM iterations; relaymail computes at most 100000 (servers use 4096)"
tap_ok "SCRAM i=2147483647, no other relay: kept in the dead letter file" \
	grep -q '^Subject: secrets' "$T/dead.letter"

# ---- A process that holds a password is not dumpable and has no core
# file: its /proc/PID files become root's (Linux), its core limit is 0.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && [ -d /proc/self ]; then
	printf '%s\n' "send 220 stall.test ESMTP" stall >"$T/stall.script"
	FAKE_TIMEOUT=30 fake_start stall "$T/stall.script"
	conf stall "$fake_port" "$AUTH" "smtp_sasl_password_maps = texthash:$T/st.pw" \
		"smtp_tls_security_level = none" "smtp_helo_timeout = 20s"
	printf '[127.0.0.1]:%s user1:secret1\n' "$fake_port" >"$T/st.pw"
	chown nobody "$T/st.pw"
	chmod 0600 "$T/st.pw"
	# setpriv itself in the background (a function would be a subshell):
	# it execs relaymail, so $! is relaymail's PID.
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		"$RM" -C "$T/stall.cf" -f s@client.test r@dest.test <"$T/msg" >/dev/null 2>&1 &
	waiter=$!
	# Wait until it talks to the relay.
	i=0
	while ! grep -q '^C: EHLO' "$FAKE_DIR/stall.tr" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	tap_is "$(stat -c %U "/proc/$waiter/status" 2>/dev/null)" root \
		"relaymail as nobody, waiting on a relay: not dumpable (/proc/PID is root's)"
	tap_ok "relaymail waiting on a relay: core file size limit 0" \
		grep -q '^Max core file size *0 *0 ' "/proc/$waiter/limits"
	kill "$waiter" 2>/dev/null
	wait "$waiter" 2>/dev/null
	waiter=
	fake_stop stall
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups sleep 5 &
	waiter=$!
	sleep 0.2
	tap_is "$(stat -c %U "/proc/$waiter/status" 2>/dev/null)" nobody \
		"control: another program as nobody is dumpable (/proc/PID is nobody's)"
	kill "$waiter" 2>/dev/null
	wait "$waiter" 2>/dev/null
	waiter=
else
	tap_skip "non-dumpable" "not root, no setpriv or no /proc"
fi

tap_done
