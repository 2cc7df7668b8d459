#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test: it asserts no timing). Starts the private Postfix
# + Dovecot relay of the tests (tests/lib/relay.sh), configures relaymail
# and msmtp the same way (STARTTLS on the submission port, AUTH PLAIN, the
# same CA file), alternates them in one run and prints medians, the worst
# case and the command that reproduces each figure:
#   1 KB: 40 sequential sends each, wall and CPU (median, max, stalls:
#         sends slower than the fastest by 30 ms or more);
#   40 MB: wall, CPU and peak RSS; peak RSS for 1 KB, 10 MB and 100 MB;
#   -bs: one session of 50 messages against 50 invocations;
#   1,000 recipients.
# Usage (as root, from a build tree):
#   [BENCH_SENDS=N] tests/bench.sh [--smoke] [--keep]
# BENCH_SENDS: how many 1 KB sends each (default 40). The CPU ratio of
# single sends scatters by a few hundredths between runs; its quartiles
# are printed with it, and more sends narrow them.
# --smoke: a few seconds, small counts and sizes (CI runs this after make
# check; it fails only when a send fails). --keep: leave the relay and the
# files running and in place, so that the printed commands can be rerun.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
RELAYMAIL=${RELAYMAIL:-$top_builddir/relaymail}
RUNSTAT=${RUNSTAT:-$top_builddir/tests/runstat}
MSMTP=${MSMTP:-msmtp}

smoke=0 keep=0
for a in "$@"; do
	case $a in
	--smoke) smoke=1 ;;
	--keep) keep=1 ;;
	*)
		echo "usage: tests/bench.sh [--smoke] [--keep]" >&2
		exit 64
		;;
	esac
done
if [ "$smoke" = 1 ]; then
	SENDS=3 BIG_RUNS=1 BIG_MB=1 RSS_MB="2" BS_N=5 BS_RUNS=1 RCPT_N=50 RCPT_RUNS=1
else
	SENDS=${BENCH_SENDS:-40} BIG_RUNS=3 BIG_MB=40 RSS_MB="10 100" BS_N=50 BS_RUNS=3 RCPT_N=1000 RCPT_RUNS=3
fi

[ -x "$RELAYMAIL" ] || {
	echo "bench: $RELAYMAIL is missing (run make)" >&2
	exit 1
}
if [ ! -x "$RUNSTAT" ]; then
	make -C "$top_builddir" tests/runstat >/dev/null 2>&1 || {
		echo "bench: $RUNSTAT is missing (make -C $top_builddir tests/runstat)" >&2
		exit 1
	}
fi
have_msmtp=1
command -v "$MSMTP" >/dev/null 2>&1 || have_msmtp=0

. "$top_srcdir/tests/lib/relay.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-bench.XXXXXX") || exit 1
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "kept: $scratch (stop the relay with: . $top_srcdir/tests/lib/relay.sh &&" \
			"relay_stop $scratch)"
		return
	fi
	relay_stop "$scratch" >/dev/null 2>&1
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
relay_start "$scratch" || exit 1
. "$scratch/relay.env"
T=$scratch/bench
mkdir -m 700 "$T" || exit 1
failed=0

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
message_size_limit = 0
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

header() { printf 'From: <%s>\nTo: <bench@dest.test>\nSubject: benchmark\n\n' "$RELAY_USER1"; }
line="0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 012345"
{
	header
	i=0
	while [ $i -lt 13 ]; do
		echo "$line"
		i=$((i + 1))
	done
} >"$T/1k"
mkmsg() { # MB: $T/MBm, a message of about MB megabytes
	[ -f "$T/$1m" ] || {
		header
		head -c $(($1 * 1048576)) /dev/zero | tr '\0' x | fold -w 76
	} >"$T/$1m"
}

RM="$RELAYMAIL -C $T/relaymail.cf -f $RELAY_USER1"
MS="$MSMTP -C $T/msmtprc"

# run NAME FILE CMD...: CMD with FILE on stdin under runstat; appends
# "WALL USER SYS RSS" (microseconds, KiB) to $T/NAME.
run() {
	_n=$1 _in=$2
	shift 2
	if "$RUNSTAT" "$T/last" "$@" <"$_in" >/dev/null 2>"$T/err"; then
		cat "$T/last" >>"$T/$_n"
	else
		echo "bench: $_n failed: $* <$_in: $(head -n 3 "$T/err")" >&2
		failed=1
	fi
}

# col FILE N: column N of FILE, sorted.
col() { awk -v c="$2" '{ print $c }' "$1" | sort -n; }
median() { awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
cpu() { awk '{ print $2 + $3 }' "$1" | sort -n; }
# wall_med NAME, cpu_med NAME, wall_max NAME, rss_max NAME
wall_med() { col "$T/$1" 1 | median; }
wall_max() { col "$T/$1" 1 | tail -n 1; }
cpu_med() { cpu "$T/$1" | median; }
# cpu_q NAME Q: the CPU time at quartile Q (1 or 3) of NAME's sends
cpu_q() { cpu "$T/$1" | awk -v q="$2" '{ v[NR] = $1 } END { i = int(NR * q / 4); if (i < 1) i = 1; print NR ? v[i] : 0 }'; }
rss_max() { col "$T/$1" 4 | tail -n 1; }
# stalls NAME: sends slower than the fastest by 30 ms or more
stalls() { col "$T/$1" 1 | awk 'NR == 1 { min = $1 } $1 - min >= 30000 { n++ } END { print n + 0 }'; }
# worst NAME: which run was slowest (1-based)
worst() { awk '$1 > m { m = $1; w = NR } END { print w + 0 }' "$T/$1"; }

tools="relaymail"
[ "$have_msmtp" = 1 ] && tools="relaymail msmtp"
cmd_of() { if [ "$1" = relaymail ]; then echo "$RM bench@dest.test"; else echo "$MS bench@dest.test"; fi; }

echo "$("$RELAYMAIL" --version 2>/dev/null | head -n 1) against Postfix" \
	"$(postconf -d mail_version 2>/dev/null | sed 's/.*= //'), STARTTLS + AUTH PLAIN" \
	"on 127.0.0.1:$RELAY_SUBMISSION_PORT; $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
# Wall times follow the machine's load: say what it was.
loadavg() { cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown; }
echo "load average at the start: $(loadavg)"
[ "$have_msmtp" = 1 ] || echo "msmtp: not installed (apt-get install msmtp to compare)"
[ "$smoke" = 1 ] && echo "smoke mode: counts and sizes too small for figures"

# ---- 1 KB, sequential sends, alternating.
for t in $tools; do $(cmd_of $t) <"$T/1k" >/dev/null 2>&1; done # warm the caches
i=0
while [ $i -lt "$SENDS" ]; do
	# shellcheck disable=SC2046
	for t in $tools; do run "1k.$t" "$T/1k" $(cmd_of $t); done
	i=$((i + 1))
done
echo
echo "1 KB message, $SENDS sequential sends each:"
for t in $tools; do
	[ -s "$T/1k.$t" ] || continue
	printf '  %-9s wall median %s, max %s (send %s), %s over the fastest + 30 ms; CPU median %s; peak RSS %s KiB\n' \
		"$t" "$(ms "$(wall_med 1k.$t)")" "$(ms "$(wall_max 1k.$t)")" "$(worst 1k.$t)" \
		"$(stalls 1k.$t)" "$(ms "$(cpu_med 1k.$t)")" "$(rss_max 1k.$t)"
done
if [ -s "$T/1k.msmtp" ] && [ -s "$T/1k.relaymail" ]; then
	echo "  relaymail/msmtp: wall $(ratio "$(wall_med 1k.relaymail)" "$(wall_med 1k.msmtp)")," \
		"CPU $(ratio "$(cpu_med 1k.relaymail)" "$(cpu_med 1k.msmtp)")" \
		"(quartiles: $(ratio "$(cpu_q 1k.relaymail 1)" "$(cpu_q 1k.msmtp 1)")," \
		"$(ratio "$(cpu_q 1k.relaymail 3)" "$(cpu_q 1k.msmtp 3)"))"
fi
for t in $tools; do echo "  reproduce ($t): $(cmd_of $t) <$T/1k"; done

# ---- Big messages: wall, CPU, RSS.
mkmsg "$BIG_MB"
i=0
while [ $i -lt "$BIG_RUNS" ]; do
	# shellcheck disable=SC2046
	for t in $tools; do run "big.$t" "$T/${BIG_MB}m" $(cmd_of $t); done
	i=$((i + 1))
done
echo
echo "$BIG_MB MB message, $BIG_RUNS sends each:"
for t in $tools; do
	[ -s "$T/big.$t" ] || continue
	printf '  %-9s wall median %s, max %s; CPU median %s; peak RSS %s KiB\n' "$t" \
		"$(ms "$(wall_med big.$t)")" "$(ms "$(wall_max big.$t)")" \
		"$(ms "$(cpu_med big.$t)")" "$(rss_max big.$t)"
done
if [ -s "$T/big.msmtp" ] && [ -s "$T/big.relaymail" ]; then
	echo "  relaymail/msmtp: wall $(ratio "$(wall_med big.relaymail)" "$(wall_med big.msmtp)")," \
		"CPU $(ratio "$(cpu_med big.relaymail)" "$(cpu_med big.msmtp)")"
fi
for t in $tools; do echo "  reproduce ($t): $(cmd_of $t) <$T/${BIG_MB}m"; done

# ---- Peak RSS by size.
echo
printf 'peak RSS (KiB):'
for mb in $RSS_MB; do
	mkmsg "$mb"
	# shellcheck disable=SC2046
	for t in $tools; do run "rss$mb.$t" "$T/${mb}m" $(cmd_of $t); done
done
for t in $tools; do
	printf '\n  %-9s 1 KB %s' "$t" "$(rss_max 1k.$t)"
	[ -s "$T/big.$t" ] && printf ', %s MB %s' "$BIG_MB" "$(rss_max big.$t)"
	for mb in $RSS_MB; do
		[ -s "$T/rss$mb.$t" ] && printf ', %s MB %s' "$mb" "$(rss_max rss$mb.$t)"
	done
done
echo
for mb in $RSS_MB; do echo "  reproduce: $(cmd_of relaymail) <$T/${mb}m"; done

# ---- -bs: one session of BS_N messages against BS_N invocations.
{
	printf 'EHLO client.test\r\n'
	i=0
	while [ $i -lt "$BS_N" ]; do
		printf 'MAIL FROM:<%s>\r\nRCPT TO:<bench@dest.test>\r\nDATA\r\n' "$RELAY_USER1"
		sed 's/$/\r/' "$T/1k"
		printf '.\r\n'
		i=$((i + 1))
	done
	printf 'QUIT\r\n'
} >"$T/bs.in"
cat >"$T/invocations.sh" <<EOF
i=0
while [ \$i -lt $BS_N ]; do
	$RM bench@dest.test <$T/1k || exit 1
	i=\$((i + 1))
done
EOF
i=0
while [ $i -lt "$BS_RUNS" ]; do
	run bs "$T/bs.in" "$RELAYMAIL" -bs -C "$T/relaymail.cf"
	run inv /dev/null sh "$T/invocations.sh"
	i=$((i + 1))
done
echo
echo "-bs, one session of $BS_N messages against $BS_N invocations ($BS_RUNS runs each):"
echo "  session wall median $(ms "$(wall_med bs)"), max $(ms "$(wall_max bs)");" \
	"invocations wall median $(ms "$(wall_med inv)"), max $(ms "$(wall_max inv)");" \
	"session/invocations $(ratio "$(wall_med bs)" "$(wall_med inv)")"
echo "  reproduce: $RELAYMAIL -bs -C $T/relaymail.cf <$T/bs.in; sh $T/invocations.sh"

# ---- Many recipients.
i=1
: >"$T/rcpts"
while [ $i -le "$RCPT_N" ]; do
	echo "r$i@dest.test" >>"$T/rcpts"
	i=$((i + 1))
done
i=0
while [ $i -lt "$RCPT_RUNS" ]; do
	# shellcheck disable=SC2046
	run rcpt.relaymail "$T/1k" $RM $(cat "$T/rcpts")
	# shellcheck disable=SC2046
	[ "$have_msmtp" = 1 ] && run rcpt.msmtp "$T/1k" $MS $(cat "$T/rcpts")
	i=$((i + 1))
done
echo
echo "1 KB message to $RCPT_N recipients, $RCPT_RUNS sends each:"
for t in $tools; do
	[ -s "$T/rcpt.$t" ] || continue
	printf '  %-9s wall median %s, max %s; CPU median %s\n' "$t" "$(ms "$(wall_med rcpt.$t)")" \
		"$(ms "$(wall_max rcpt.$t)")" "$(ms "$(cpu_med rcpt.$t)")"
done
echo "  reproduce: $RM \$(cat $T/rcpts) <$T/1k"

echo
echo "load average at the end: $(loadavg)"
[ "$failed" = 0 ] || echo "bench: some sends failed (see above)" >&2
exit "$failed"
