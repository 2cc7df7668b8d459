#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Alias expansion, differential, with Postfix's local(8) as the oracle:
# the same aliases(5) file in a private Postfix (its own sendmail,
# cleanup, local and smtp forwarding to the sink of tests/lib/relay.sh)
# and in relaymail. What arrives at the sink must be the same; where
# local(8) bounces ("alias database loop" past its nesting limit),
# relaymail must refuse with exit 78 and keep the message. The cases:
# the nesting limit (a chain of 25 aliases, of 26), doubling chains of
# 24 and 40 levels (linear time), duplicates. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch
# folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${ALIASES_TIMEOUT:=40}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-aliases.XXXXXX") || tap_bail "mktemp failed"
chmod 0755 "$W" || tap_bail "cannot open $W"
cleanup() {
	[ -d "$W/o" ] && relay_stop "$W/o"
	relay_stop "$W/sink"
	if [ "${RELAY_KEEP:-0}" = 1 ]; then
		echo "# kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"
command -v postalias >/dev/null 2>&1 || tap_bail "postalias not found"
mkdir -p "$W/got" "$W/home" || tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG

# chain PREFIX N LAST: PREFIX0 -> PREFIX1 -> ... -> PREFIX(N-1) -> LAST,
# N aliases.
chain() {
	_i=0
	while [ "$_i" -lt $(($2 - 1)) ]; do
		echo "$1$_i: $1$((_i + 1))"
		_i=$((_i + 1))
	done
	echo "$1$(($2 - 1)): $3"
}

# doubling PREFIX N LAST: "PREFIX0: PREFIX1, PREFIX1" ... N + 1 aliases,
# 2^N paths to LAST.
doubling() {
	_i=0
	while [ "$_i" -lt "$2" ]; do
		echo "$1$_i: $1$((_i + 1)), $1$((_i + 1))"
		_i=$((_i + 1))
	done
	echo "$1$2: $3"
}

{
	chain c25_ 25 far25@example.org
	chain c26_ 26 far26@example.org
	doubling d24_ 23 fard24@example.org
	doubling d40_ 40 fard40@example.org
	echo "dup: x@example.org, dupb, X@example.org, dupb"
	echo "dupb: x@example.org, y@example.org"
} >"$W/aliases"
chmod 0644 "$W/aliases"

# case RECIPIENT DESCRIPTION [bounce]
printf '%s\n' \
	"c25_0 a chain of 25 aliases reaches its address" \
	"c26_0 bounce the 26th alias of a chain is an alias loop" \
	"d24_0 a doubling chain of 24 aliases, delivered once" \
	"d40_0 bounce the 40-level doubling chain stops at the 26th alias" \
	"dup duplicates are delivered once" >"$W/cases"

# --- The oracle and the sink. --------------------------------------------------
oracle_conf() {
	_o=$W/o
	mkdir -p "$_o/postfix" "$_o/queue" "$_o/data" &&
		chown postfix "$_o/data" && chmod 0700 "$_o/data" &&
		chmod 0755 "$_o" "$_o/queue" || return 1
	cat >"$_o/postfix/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $_o/queue
		data_directory = $_o/data
		maillog_file_prefixes = $_o
		maillog_file = $_o/maillog
		syslog_name = oracle-aliases
		inet_interfaces = 127.0.0.1
		inet_protocols = ipv4
		myhostname = host.example.com
		mydomain = example.com
		mydestination = host.example.com
		alias_maps = hash:$W/aliases
		alias_database = hash:$W/aliases
		relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT
		smtp_tls_security_level = none
		biff = no
	EOF
	cat >"$_o/postfix/master.cf" <<-EOF
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		flush     unix  n       -       n       1000?   0       flush
		smtp      unix  -       -       n       -       -       smtp
		relay     unix  -       -       n       -       -       smtp
		local     unix  -       n       n       -       -       local
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		showq     unix  n       -       n       -       -       showq
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	postalias -c "$_o/postfix" "$W/aliases" || return 1
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$_o/postfix"/* "$_o/postfix" "$W/aliases" "$W/aliases.db"
}

relaymail_conf() {
	cat >"$W/relaymail.cf" <<-EOF
		relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT
		smtp_tls_security_level = none
		dead_letter_file = $W/dead.letter
		myhostname = host.example.com
		mydomain = example.com
		mydestination = host.example.com
		alias_maps = hash:$W/aliases
	EOF
}

# send NAME PATH: the message for NAME@host.example.com through Postfix
# (A) or relaymail (B); the exit status in got/NAME.PATH.rc.
send() {
	_g=$W/got/$1.$2
	printf 'Subject: aliases case %s\nMessage-ID: <%s.%s@aliases.test>\n\nBody.\n' \
		"$1" "$1" "$2" >"$_g.msg"
	if [ "$2" = A ]; then
		"$PF_SENDMAIL" -C "$W/o/postfix" -i -f joe@example.org "$1@host.example.com" \
			<"$_g.msg" >"$_g.out" 2>"$_g.err"
	else
		timeout 60 "$RELAYMAIL" -C "$W/relaymail.cf" -i -f joe@example.org \
			"$1@host.example.com" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	fi
	echo $? >"$_g.rc"
}

busy() {
	for _q in "$W/o/queue" "$W/sink/queue"; do
		for _d in maildrop incoming active deferred; do
			[ -d "$_q/$_d" ] || continue
			[ -n "$(find "$_q/$_d" -type f | head -n 1)" ] && return 0
		done
	done
	return 1
}

wait_quiet() {
	_end=$(($(date +%s) + $1))
	_flush=$(($(date +%s) + 3))
	while busy; do
		_now=$(date +%s)
		[ "$_now" -ge "$_end" ] && return 1
		if [ "$_now" -ge "$_flush" ]; then
			postqueue -c "$W/o/postfix" -f >/dev/null 2>&1
			postqueue -c "$W/sink/postfix" -f >/dev/null 2>&1
			_flush=$((_now + 3))
		fi
		sleep 0.1
	done
	return 0
}

# sort_sink: each delivered file into got/NAME.PATH/ by its Message-ID;
# Postfix's bounces (to joe@example.org) into got/bounces/.
sort_sink() {
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n '/^$/q; s/^Message-ID: <\([^@]*\)@aliases\.test>$/\1/p' "$_f")
		case $_id in
		*.A | *.B) _d=$W/got/$_id ;;
		*) _d=$W/got/bounces ;;
		esac
		mkdir -p "$_d" && mv "$_f" "$_d/"
	done
}

rcpts() {
	_r=$(for _f in "$W/got/$1.$2"/*; do
		[ -f "$_f" ] && sed -n '/^$/q; s/^X-Original-To: //p' "$_f"
	done | sort | tr '\n' ' ' | sed 's/ $//')
	echo "${_r:-none}"
}

# --- Run. ----------------------------------------------------------------------
relay_start "$W/sink" || tap_bail "the sink relay did not start"
. "$W/sink/relay.env"
oracle_conf && relaymail_conf || tap_bail "cannot write the configurations"
postfix -c "$W/o/postfix" start >"$W/o/start.log" 2>&1 ||
	tap_bail "the oracle Postfix did not start: $(cat "$W/o/start.log")"

while read -r name desc; do
	send "$name" A
	send "$name" B
done <"$W/cases"
wait_quiet "$ALIASES_TIMEOUT" || tap_diag "mail still on its way after ${ALIASES_TIMEOUT}s"
sort_sink

while read -r name desc; do
	_a=$(rcpts "$name" A) _b=$(rcpts "$name" B)
	_rcb=$(cat "$W/got/$name.B.rc")
	case $desc in
	bounce\ *)
		desc=${desc#bounce }
		# The 26th alias, PREFIX25, is the one local(8) refuses.
		grep "orig_to=<$name@host\.example\.com>" "$W/o/maillog" |
			grep -q "status=bounced (alias database loop for ${name%0}25)" &&
			[ "$_a" = none ] && [ "$_rcb" = 78 ] && [ "$_b" = none ] &&
			grep -q "^Message-ID: <$name\.B@aliases\.test>" "$W/dead.letter"
		tap__result $? "$name: $desc: Postfix bounces, relaymail exits 78, message kept" ||
			tap_diag "Postfix: to $_a" "relaymail: exit $_rcb, to $_b" \
				"relaymail's stderr: $(head -n 2 "$W/got/$name.B.err")"
		;;
	*)
		[ "$_rcb" = 0 ] && [ "$_a" = "$_b" ] && [ "$_a" != none ]
		tap__result $? "$name: $desc: the same recipients as Postfix ($_a)" ||
			tap_diag "Postfix: to $_a" "relaymail: exit $_rcb, to $_b" \
				"relaymail's stderr: $(head -n 2 "$W/got/$name.B.err")"
		;;
	esac
done <"$W/cases"

tap_done
