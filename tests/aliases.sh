#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Alias expansion, differential, with Postfix's local(8) as the oracle:
# the same aliases(5) file in a private Postfix (its own sendmail,
# cleanup, local and smtp forwarding to the sink of tests/lib/relay.sh)
# and in relaymail. What arrives at the sink must be the same; where
# local(8) bounces ("alias database loop" past its nesting limit),
# relaymail must refuse with exit 78 and keep the message. The cases:
# the nesting limit (a chain of 25 aliases, of 26), doubling chains of
# 24 and 40 levels (linear time), duplicates. The harness is
# tests/lib/differential.sh, with one oracle for all cases. Gated by
# RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the scratch
# folder.
: "${CANON_TIMEOUT:=${ALIASES_TIMEOUT:-40}}"
DIFF_NAME=aliases DIFF_DOMAIN=aliases.test
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/differential.sh"

command -v postalias >/dev/null 2>&1 || tap_bail "postalias not found"

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

# One Postfix for every case: local(8) expands the aliases of
# host.example.com, the rest goes to the sink through relayhost.
shared_oracle
lines <<EOF
smtp_tls_security_level = none
mydestination = host.example.com
alias_maps = hash:$W/aliases
EOF
oracle_lines <<EOF
transport_maps =
alias_database = hash:$W/aliases
relayhost = %RELAY%
EOF
oracle_ready() {
	postalias -c "$W/o/$1/postfix" "$W/aliases" || return 1
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$W/o/$1/postfix"/* "$W/o/$1/postfix" "$W/aliases" \
		"$W/aliases.db"
}

# case RECIPIENT DESCRIPTION (it starts with "bounce" where local(8)
# bounces): a message for RECIPIENT@host.example.com.
case_alias() {
	case_new "$1" "$2"
	submit -i -f joe@example.org "$1@host.example.com"
}
case_alias c25_0 "a chain of 25 aliases reaches its address"
case_alias c26_0 "bounce the 26th alias of a chain is an alias loop"
case_alias d24_0 "a doubling chain of 24 aliases, delivered once"
case_alias d40_0 "bounce the 40-level doubling chain stops at the 26th alias"
case_alias dup "duplicates are delivered once"

# message NAME PATH: a Subject and Message-ID of its own, no Date.
message() {
	printf 'Subject: aliases case %s\nMessage-ID: <%s.%s@aliases.test>\n\nBody.\n' \
		"$1" "$1" "$2"
}

rcpts() {
	_r=$(for _f in "$W/got/$1.$2"/*; do
		[ -f "$_f" ] && sed -n '/^$/q; s/^X-Original-To: //p' "$_f"
	done | sort | tr '\n' ' ' | sed 's/ $//')
	echo "${_r:-none}"
}

# --- Run. ----------------------------------------------------------------------
differential_send

for name in $(cat "$W/cases"); do
	desc=$(cat "$W/c/$name/desc")
	_a=$(rcpts "$name" A) _b=$(rcpts "$name" B)
	_rcb=$(cat "$W/got/$name.B.rc")
	case $desc in
	bounce\ *)
		desc=${desc#bounce }
		# The 26th alias, PREFIX25, is the one local(8) refuses.
		grep "orig_to=<$name@host\.example\.com>" "$W/o/shared/maillog" |
			grep -q "status=bounced (alias database loop for ${name%0}25)" &&
			[ "$_a" = none ] && [ "$_rcb" = 78 ] && [ "$_b" = none ] &&
			grep -q "^Message-ID: <$name\.B@aliases\.test>" "$W/r/shared.dead"
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
done

tap_done
