#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): time relaymail and, when installed, msmtp sending
# the same 1 KB message over STARTTLS + AUTH PLAIN to the private Postfix
# relay, and relaymail's peak memory for a 1 KB and a 100 MB message.
# Prints figures; asserts nothing. Run as root: tests/bench.sh [COUNT]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
RELAYMAIL=${RELAYMAIL:-$top_builddir/relaymail}
count=${1:-20}
. "$top_srcdir/tests/lib/relay.sh"

scratch=$(mktemp -d) || exit 1
# The relay needs every folder above it searchable: it runs in the
# mktemp folder itself (relay_start opens it to 0755), our files below.
trap 'relay_stop "$scratch" >/dev/null 2>&1; rm -rf "$scratch"' EXIT INT TERM
relay_start "$scratch" || exit 1
. "$scratch/relay.env"
T=$scratch/bench
mkdir -m 700 "$T"

(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_USER1" "$RELAY_PASS1" >"$T/pw")
cat >"$T/relaymail.cf" <<CONF
relayhost = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = texthash:$T/pw
smtp_sasl_mechanism_filter = plain
smtp_tls_security_level = verify
smtp_tls_CAfile = $RELAY_CA
myhostname = client.test
dead_letter_file = $T/dead.letter
CONF
cat >"$T/msmtprc" <<CONF
account default
host $RELAY_HOST
port $RELAY_SUBMISSION_PORT
tls on
tls_starttls on
tls_trust_file $RELAY_CA
auth plain
user $RELAY_USER1
password $RELAY_PASS1
from $RELAY_USER1
CONF
chmod 600 "$T/msmtprc"

{
	echo "From: <$RELAY_USER1>"
	echo "To: <bench@dest.test>"
	echo "Subject: benchmark"
	echo
	i=0
	while [ $i -lt 16 ]; do
		echo "0123456789 0123456789 0123456789 0123456789 0123456789 012345"
		i=$((i + 1))
	done
} >"$T/1k"

now_ms() { date +%s%3N; }

run() { # label command...
	label=$1
	shift
	"$@" <"$T/1k" >/dev/null 2>&1 || { echo "$label: failed"; return; }
	start=$(now_ms)
	i=0
	while [ $i -lt "$count" ]; do
		"$@" <"$T/1k" >/dev/null 2>&1 || echo "$label: run $i failed"
		i=$((i + 1))
	done
	end=$(now_ms)
	echo "$label: $(( (end - start) / count )) ms per 1 KB message (mean of $count)"
}

run relaymail "$RELAYMAIL" -C "$T/relaymail.cf" -f "$RELAY_USER1" bench@dest.test
if command -v msmtp >/dev/null 2>&1; then
	run msmtp msmtp -C "$T/msmtprc" bench@dest.test
else
	echo "msmtp: not installed (apt-get install msmtp to compare)"
fi

if [ -x /usr/bin/time ]; then
	rss() { # file: peak RSS in KiB of relaymail sending it
		/usr/bin/time -f %M "$RELAYMAIL" -C "$T/relaymail.cf" -f "$RELAY_USER1" \
			bench@dest.test <"$1" 2>&1 >/dev/null | tail -n 1
	}
	{ cat "$T/1k"; head -c 104857600 /dev/zero | tr '\0' 'x' | fold -w 76; } >"$T/100m"
	echo "relaymail peak RSS: $(rss "$T/1k") KiB for 1 KB, $(rss "$T/100m") KiB for 100 MB"
else
	echo "peak RSS: install GNU time (package time) to measure"
fi
