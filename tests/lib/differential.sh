# SPDX-License-Identifier: GPL-3.0-or-later
# The differential harness of the tests against Postfix (canonical.sh,
# generic.sh, headers.sh, bodychecks.sh, extract.sh, aliases.sh): each
# case's main.cf lines go (A) into a private Postfix of its own (or one
# for all cases: shared_oracle), which takes the message through its own
# sendmail (pickup and cleanup rewrite and check it, smtp(8) applies
# smtp_generic_maps and the smtp_ checks, local(8) expands aliases when
# the case routes its local domain there) and forwards it to the sink,
# and (B) into relaymail's sendmail.conf; what arrives at the sink must
# be the same. The script sets DIFF_NAME (and the DIFF_ settings below),
# sources this file, writes its cases with the functions below and ends
# with differential_run, which compares the envelope and header of each
# case (compare), or with differential_send, a comparison of its own
# (compare_outcome: what arrived, or the refusal, and the mail log
# records), then tap_done. A script may redefine message, sort_sink,
# compare and oracle_ready after sourcing this file.
# Gated by RELAYMAIL_TEST_POSTFIX=auto|yes|no; RELAY_KEEP=1 keeps the
# scratch folder.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
# Seconds for every message of every case to arrive.
: "${CANON_TIMEOUT:=40}"
# The domain of the cases' Message-IDs, by which the sink sorts them, and
# the word their Subject starts with.
: "${DIFF_DOMAIN:=canonical.test}"
: "${DIFF_SUBJECT:=canonical}"
# each: a private Postfix per case (its own main.cf lines); one: one
# Postfix and one relaymail configuration for all cases (see
# shared_oracle).
: "${DIFF_ORACLE:=each}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"

relay_gate

W=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-$DIFF_NAME.XXXXXX") || tap_bail "mktemp failed"
# The oracles' daemons read the case tables below W.
chmod 0755 "$W" || tap_bail "cannot open $W"
cleanup() {
	for _o in "$W"/o/*; do
		[ -d "$_o" ] && relay_stop "$_o"
	done
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

# Postfix's own sendmail, not whatever "sendmail" PATH finds first.
PF_SENDMAIL=$(postconf -d -h sendmail_path 2>/dev/null) && [ -x "$PF_SENDMAIL" ] ||
	tap_bail "Postfix's sendmail (postconf -d sendmail_path) not found"

mkdir -p "$W/c" "$W/o" "$W/r" "$W/got" "$W/home" && chmod 0755 "$W/c" ||
	tap_bail "cannot create folders in $W"
HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_STATE_HOME=$W/home/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
unset RELAYMAIL_CONFIG NAME

# --- How a case is written. --------------------------------------------------
# case_begin NAME DESCRIPTION, then lines (main.cf text on stdin, %C% for
# the case folder), table FILE (its text on stdin), submit (the sendmail
# arguments), headers (the message's own header fields on stdin) and
# optionally todo REASON (a known difference), todo_bytes REASON (a known
# difference in layout only), blanks REASON (a deliberate difference in
# blanks only: the bytes are compared without them), warns (the
# warnings of Postfix's cleanup and of relaymail are compared too),
# oracle_lines (main.cf text for the oracle only, %SINK% for the sink's
# smtp:[host]:port), forwarded REASON (the oracle delivers some
# recipients with local(8), which forwards through an alias and adds a
# Delivered-To of its own: only the sink's, the first, is compared) or
# once REASON (a deliberate difference: Postfix delivers the same message
# to the same address more than once, relaymail once; Postfix's copies
# are compared as one, and a TAP line checks that Postfix still does).
case_new() {
	C=$W/c/$1
	mkdir "$C" || tap_bail "case $1 defined twice"
	printf '%s\n' "$2" >"$C/desc"
	printf '%s\n' "$1" >>"$W/cases"
	: >"$C/lines"
	: >"$C/args"
	: >"$C/headers"
}
case_begin() {
	case_new "$@"
}
# shared_oracle: every case goes through one Postfix and one relaymail
# configuration (DIFF_ORACLE=one), which the lines and oracle_lines
# written right after this call make; the cases have no lines of their
# own.
shared_oracle() {
	DIFF_ORACLE=one
	C=$W/c/shared
	mkdir "$C" || tap_bail "shared_oracle called twice"
	: >"$C/lines"
}
# oracle_of NAME: the name of the oracle and relaymail configuration of
# case NAME.
oracle_of() {
	if [ "$DIFF_ORACLE" = one ]; then echo shared; else echo "$1"; fi
}
# oracle_ready NAME: called once the oracle's configuration is written,
# before it starts (a script redefines it, e.g. to build an alias table).
oracle_ready() {
	:
}
lines() {
	sed "s|%C%|$C|g" >>"$C/lines"
}
table() {
	cat >"$C/$1"
}
submit() {
	[ $# = 0 ] || printf '%s\n' "$@" >"$C/args"
}
headers() {
	cat >"$C/headers"
}
todo() {
	printf '%s\n' "$1" >"$C/todo"
}
todo_bytes() {
	printf '%s\n' "$1" >"$C/todo-bytes"
}
blanks() {
	printf '%s\n' "$1" >"$C/blanks"
}
once() {
	printf '%s\n' "$1" >"$C/once"
}
warns() {
	: >"$C/warns"
}
oracle_lines() {
	sed "s|%C%|$C|g" >>"$C/oracle-lines"
}
forwarded() {
	printf '%s\n' "$1" >"$C/forwarded"
}

# Lines both sides get, before the case's own (the last setting wins).
shared_lines() {
	cat <<-EOF
		myhostname = host.example.com
		mydomain = example.com
		alias_maps =
	EOF
}

# --- The oracles. ------------------------------------------------------------
# Three hooks a test may define anew after sourcing this file:
# oracle_route NAME and relaymail_route NAME print the lines that send
# each side's mail on (here: everything to the sink, in plaintext), and
# case_lines NAME SIDE prints the case's own lines for side A (Postfix)
# or B (relaymail).
oracle_route() {
	echo "transport_maps = static:smtp:[$RELAY_HOST]:$RELAY_PLAIN_PORT"
	echo "smtp_tls_security_level = none"
}
relaymail_route() {
	echo "relayhost = [$RELAY_HOST]:$RELAY_PLAIN_PORT"
}
case_lines() {
	cat "$W/c/$1/lines"
}

# oracle_conf NAME: the private Postfix of case NAME, laid out as
# relay_start lays out its instance, so that relay_stop stops it.
oracle_conf() {
	_o=$W/o/$1
	mkdir -p "$_o/postfix" "$_o/queue" "$_o/data" &&
		chown postfix "$_o/data" && chmod 0700 "$_o/data" &&
		chmod 0755 "$_o" "$_o/queue" || return 1
	{
		cat <<-EOF
			# Oracle of case $1 (tests/$DIFF_NAME.sh): local submission only,
			# everything, local domains included, forwarded to the sink.
			compatibility_level = 3.6
			queue_directory = $_o/queue
			data_directory = $_o/data
			maillog_file_prefixes = $_o
			maillog_file = $_o/maillog
			syslog_name = oracle-$1
			inet_interfaces = 127.0.0.1
			inet_protocols = ipv4
			alias_database =
			biff = no
		EOF
		oracle_route "$1"
		shared_lines
		case_lines "$1" A
		[ -f "$W/c/$1/oracle-lines" ] &&
			sed -e "s|%SINK%|smtp:[$RELAY_HOST]:$RELAY_PLAIN_PORT|g" \
				-e "s|%RELAY%|[$RELAY_HOST]:$RELAY_PLAIN_PORT|g" "$W/c/$1/oracle-lines"
	} >"$_o/postfix/main.cf"
	# No inet service at all: sendmail, pickup, cleanup, qmgr, smtp.
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
		local     unix  -       n       n       -       -       local
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		showq     unix  n       -       n       -       -       showq
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
		discard   unix  -       -       n       -       -       discard
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
	EOF
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$_o/postfix"/* "$_o/postfix" "$W/c/$1"/*
}

# oracle_start NAME: starts it; postfix start returns once master is up.
oracle_start() {
	_o=$W/o/$1
	if ! postfix -c "$_o/postfix" start >"$_o/start.log" 2>&1; then
		echo "$DIFF_NAME: the oracle of case $1 did not start:" >&2
		# Postfix writes fatal errors to stderr only when it is a tty.
		if command -v script >/dev/null 2>&1; then
			script -qec "postfix -c '$_o/postfix' check" /dev/null >&2
		fi
		cat "$_o/start.log" >&2
		return 1
	fi
}

# relaymail_conf NAME: the same lines for relaymail, relaying to the sink.
relaymail_conf() {
	{
		relaymail_route "$1"
		echo "dead_letter_file = $W/r/$1.dead"
		echo "maillog_file = $W/r/$1.maillog"
		shared_lines
		case_lines "$1" B
	} >"$W/r/$1.cf"
}

# message NAME PATH: the case's header, then a Subject, Date and
# Message-ID of its own (so neither side adds one), then a body.
message() {
	cat "$W/c/$1/headers"
	echo "Subject: $DIFF_SUBJECT case $1"
	echo "Date: Mon, 01 Jan 2024 12:00:00 +0000"
	echo "Message-ID: <$1.$2@$DIFF_DOMAIN>"
	echo ""
	echo "Body of $1."
}

# send NAME PATH: submits the message of case NAME, through Postfix (A) or
# relaymail (B); the exit status goes to got/NAME.PATH.rc.
send() {
	_n=$1 _p=$2
	set --
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done <"$W/c/$_n/args"
	_g=$W/got/$_n.$_p
	_of=$(oracle_of "$_n")
	message "$_n" "$_p" >"$_g.msg"
	if [ "$_p" = A ]; then
		"$PF_SENDMAIL" -C "$W/o/$_of/postfix" "$@" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	else
		# -v: the table warnings, which a send that works keeps to the
		# mail log, are on stderr too, to be compared with cleanup's.
		timeout 60 "$RELAYMAIL" -v -C "$W/r/$_of.cf" "$@" <"$_g.msg" >"$_g.out" 2>"$_g.err"
	fi
	echo $? >"$_g.rc"
}

# busy: status 0 while a message is on its way in any instance.
busy() {
	for _q in "$W"/o/*/queue "$W/sink/queue"; do
		for _d in maildrop incoming active deferred; do
			[ -d "$_q/$_d" ] || continue
			[ -n "$(find "$_q/$_d" -type f | head -n 1)" ] && return 0
		done
	done
	return 1
}

# wait_quiet SECONDS: until nothing is on its way; deferred mail is
# retried every few seconds. Status 1 on timeout.
wait_quiet() {
	_end=$(($(date +%s) + $1))
	_flush=$(($(date +%s) + 3))
	while busy; do
		_now=$(date +%s)
		[ "$_now" -ge "$_end" ] && return 1
		if [ "$_now" -ge "$_flush" ]; then
			for _o in "$W"/o/* "$W/sink"; do
				postqueue -c "$_o/postfix" -f >/dev/null 2>&1
			done
			_flush=$((_now + 3))
		fi
		sleep 0.1
	done
	return 0
}

# sort_sink: each delivered file into got/NAME.PATH/ by its Message-ID; a
# bounce (its own Message-ID, ours in the returned header) into
# got/NAME.PATH.bounce/; anything else into got/other/.
sort_sink() {
	_dom=$(printf '%s' "$DIFF_DOMAIN" | sed 's/\./\\./g')
	for _f in "$RELAY_SINK"/*; do
		[ -f "$_f" ] || continue
		_id=$(sed -n "/^\$/q; s/^Message-ID: <\([^@]*\)@$_dom>\$/\1/p" "$_f")
		if [ -z "$_id" ]; then
			_id=$(sed -n "s/^Message-ID: <\([^@]*\)@$_dom>\$/\1/p" "$_f" | head -n 1)
			_id=${_id:+$_id.bounce}
		fi
		case $_id in
		*.A | *.B | *.A.bounce | *.B.bounce) _d=$W/got/$_id ;;
		*) _d=$W/got/other ;;
		esac
		mkdir -p "$_d" && mv "$_f" "$_d/"
	done
}

# norm MODE FILE: its header as one line, fields joined by \037, Received
# dropped, the values of the time and ID fields masked. MODE bytes keeps
# each field as it arrived, folding included; MODE tokens unfolds it,
# lowercases its name and drops the white space outside quoted strings:
# the addresses, names and comments without their layout.
norm() {
	awk -v mode="$1" -v forwarded="${3:-0}" '
	function squeeze(f,   i, c, name, v, r, q, e) {
		i = index(f, ":")
		name = tolower(substr(f, 1, i - 1))
		v = substr(f, i + 1)
		r = ""
		q = e = 0
		for (i = 1; i <= length(v); i++) {
			c = substr(v, i, 1)
			if (e)
				e = 0
			else if (q && c == "\\")
				e = 1
			else if (c == "\"")
				q = !q
			else if (!q && (c == " " || c == "\t"))
				continue
			r = r c
		}
		sub(/[ \t]+$/, "", name)
		return name ":" r
	}
	function flush() {
		if (field != "")
			out = (out == "" ? "" : out "\037") \
			    (mode == "tokens" && !masked ? squeeze(field) : field)
		field = ""
	}
	/^$/ { exit }
	/^[ \t]/ {
		if (keep)
			field = field (mode == "bytes" ? "\037" : "") $0
		next
	}
	{
		flush()
		name = tolower(substr($0, 1, index($0, ":") - 1))
		sub(/[ \t]+$/, "", name)
		keep = name != "received"
		# local(8) of a forwarding oracle adds one below the sink one.
		if (name == "delivered-to" && forwarded && seen_dt++)
			keep = 0
		masked = name == "date" || name == "message-id" || name == "resent-date" ||
		    name == "resent-message-id"
		if (masked) {
			keep = 0
			field = substr($0, 1, index($0, ":")) " (not compared)"
		} else if (keep) {
			field = $0
		}
	}
	END { flush(); print out }' "$2"
}

# result NAME PATH MODE: what arrived for one side, a message a line,
# sorted; Postfix's duplicates dropped for a case marked once.
result() {
	_rc=$(cat "$W/got/$1.$2.rc" 2>/dev/null)
	if [ "$_rc" = 0 ]; then echo "submitted"; else echo "submission failed (exit $_rc)"; fi
	_fw=0
	[ -f "$W/c/$1/forwarded" ] && _fw=1
	_sort=sort
	[ "$2" = A ] && [ -f "$W/c/$1/once" ] && _sort="sort -u"
	for _f in "$W/got/$1.$2"/*; do
		[ -f "$_f" ] && norm "$3" "$_f" "$_fw"
	done | $_sort
}

# warnings NAME PATH: the rewriting warnings of one side, sorted. The
# wording differs on purpose: Postfix's queue ID and its claim "message
# not accepted" (cleanup_map11 accepts it all the same) are left out, and
# so is relaymail's naming of the address it went on with.
warnings() {
	if [ "$2" = A ]; then
		sed -n 's/^.*\/cleanup\[[0-9]*\]: warning: \([0-9A-F]*: \)\{0,1\}//p' \
			"$W/o/$(oracle_of "$1")/maillog" |
			sed 's/ -- message not accepted, try again later$//'
	else
		sed -n 's/^relaymail: warning: //p' "$W/got/$1.B.err" |
			sed 's/; using the first address, .*$//'
	fi | sort
}

# verdict NAME DESC TODOFILE SAME DETAILS...: one TAP line; TODO when the
# case has TODOFILE.
verdict() {
	_todo=
	[ -f "$W/c/$1/$3" ] && _todo=" # TODO $(cat "$W/c/$1/$3")"
	_tap_n=$((_tap_n + 1))
	if [ "$4" = 0 ]; then
		printf 'ok %d - %s: %s%s\n' "$_tap_n" "$1" "$2" "$_todo"
		return 0
	fi
	printf 'not ok %d - %s: %s%s\n' "$_tap_n" "$1" "$2" "$_todo"
	[ -n "$_todo" ] || _tap_failed=$((_tap_failed + 1))
	shift 4
	tap_diag "$@"
	return 1
}

# compare NAME: the TAP lines of one case: the same envelope and the same
# addresses, names and comments in the same fields; then the same bytes
# (failing, under the same TODO, when the first failed); then, for cases
# that warn, the same warnings.
compare() {
	_c=$W/got/cmp/$1
	_desc=$(cat "$W/c/$1/desc")
	mkdir -p "$_c"
	for _m in tokens bytes; do
		result "$1" A "$_m" | tr '\037' '\n' >"$_c/postfix.$_m"
		result "$1" B "$_m" | tr '\037' '\n' >"$_c/relaymail.$_m"
	done
	if [ -f "$W/c/$1/once" ]; then
		_all=$(for _f in "$W/got/$1.A"/*; do [ -f "$_f" ] && norm tokens "$_f"; done | sort)
		[ "$(printf '%s\n' "$_all" | sort -u | wc -l)" -lt "$(printf '%s\n' "$_all" | wc -l)" ]
		verdict "$1" "Postfix delivers a duplicate, relaymail does not ($(cat "$W/c/$1/once"))" \
			todo $? "Postfix's messages:" "$_all"
	fi
	if ! [ -d "$W/got/$1.A" ]; then
		verdict "$1" "$_desc" todo 1 "nothing arrived from Postfix; its maillog ends:" \
			"$(tail -n 5 "$W/o/$(oracle_of "$1")/maillog")"
		verdict "$1" "byte for byte" todo 1 "(nothing to compare)"
	elif ! cmp -s "$_c/postfix.tokens" "$_c/relaymail.tokens"; then
		verdict "$1" "$_desc" todo 1 "$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)" \
			"relaymail's stderr: $(head -n 5 "$W/got/$1.B.err")"
		verdict "$1" "byte for byte" todo 1 "(the addresses differ already)"
	elif [ -f "$W/c/$1/blanks" ]; then
		verdict "$1" "$_desc" todo 0
		tr -d ' \t' <"$_c/postfix.bytes" >"$_c/postfix.noblanks"
		tr -d ' \t' <"$_c/relaymail.bytes" >"$_c/relaymail.noblanks"
		cmp -s "$_c/postfix.noblanks" "$_c/relaymail.noblanks"
		verdict "$1" "byte for byte but blanks ($(cat "$W/c/$1/blanks"))" todo-bytes $? \
			"$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)"
	else
		verdict "$1" "$_desc" todo 0
		cmp -s "$_c/postfix.bytes" "$_c/relaymail.bytes"
		verdict "$1" "byte for byte" todo-bytes $? \
			"$(cd "$_c" && diff -U 1000 postfix.bytes relaymail.bytes)"
	fi
	[ -f "$W/c/$1/warns" ] || return 0
	warnings "$1" A >"$_c/postfix.warn"
	warnings "$1" B >"$_c/relaymail.warn"
	if cmp -s "$_c/postfix.warn" "$_c/relaymail.warn" && [ -s "$_c/postfix.warn" ]; then
		tap__result 0 "$1: the same warnings"
	else
		tap__result 1 "$1: the same warnings"
		tap_diag "$(cd "$_c" && diff -U 100 postfix.warn relaymail.warn)"
	fi
}

# --- Comparing outcomes. ----------------------------------------------------
# For checks that may stop a message (tests/headers.sh, tests/bodychecks.sh):
# compare_outcome NAME compares what each side did, "delivered" with each
# message as show_header or show_message (DIFF_SHOW) renders it, the
# REJECT reason ("refused: ..."; Postfix's bounce, relaymail's exit 65),
# "nothing arrived" or "not sent (exit N)"; then, for a case marked logs,
# the mail log records of the actions, and for one marked warns, the
# warnings. A case marks a deliberate difference with differs REASON
# (relaymail's outcome on stdin) and postfix_gives LINE (a line Postfix's
# outcome must hold, so the difference pinned is the one there is).
: "${DIFF_SHOW:=show_header}"
logs() {
	: >"$C/logs"
}
differs() {
	printf '%s\n' "$1" >"$C/differs"
	cat >"$C/expected"
}
postfix_gives() {
	printf '%s\n' "$1" >"$C/postfix-line"
}

# show_header FILE [WHOLE]: its header, a field a line, folding shown as
# \n, Received dropped, the values of the time and ID fields masked; with
# WHOLE 1, then "(body)" and the body as it arrived, a CR shown as \r,
# an empty line as "(empty line)".
show_header() {
	awk -v whole="${2:-0}" '
	function flush() {
		if (field != "")
			print field
		field = ""
	}
	inbody { gsub(/\r/, "\\r"); print $0 == "" ? "(empty line)" : $0; next }
	/^$/ {
		if (!whole)
			exit
		flush()
		inbody = 1
		print "(body)"
		next
	}
	/^[ \t]/ { if (keep) field = field "\\n" $0; next }
	{
		flush()
		name = tolower(substr($0, 1, index($0, ":") - 1))
		keep = name != "received"
		if (name == "date" || name == "message-id" || name == "resent-date" ||
		    name == "resent-message-id")
			field = substr($0, 1, index($0, ":")) " (not compared)"
		else if (keep)
			field = $0
	}
	END { flush() }' "$1"
}

# show_message FILE: the whole message (show_header FILE 1).
show_message() {
	show_header "$1" 1
}

# outcome NAME PATH: what one side did.
outcome() {
	_rc=$(cat "$W/got/$1.$2.rc" 2>/dev/null)
	if [ -d "$W/got/$1.$2.bounce" ]; then
		_b=$(ls "$W/got/$1.$2.bounce"/* | head -n 1)
		printf 'refused: %s %s\n' "$(sed -n 's/^Status: //p' "$_b" | head -n 1)" \
			"$(sed -n 's/^Diagnostic-Code: X-Postfix; //p' "$_b" | head -n 1)"
	elif [ "$2" = B ] && [ "$_rc" = 65 ]; then
		printf 'refused: '
		sed -n 's/^relaymail: the message was rejected by [a-z_]*: //p' \
			"$W/got/$1.B.err" | head -n 1
	elif [ "$_rc" != 0 ]; then
		echo "not sent (exit $_rc)"
	elif [ -d "$W/got/$1.$2" ]; then
		echo "delivered"
		# One message a line to sort them, the lines back after.
		for _f in "$W/got/$1.$2"/*; do
			"$DIFF_SHOW" "$_f" | tr '\n' '\037'
			echo
		done | sort | tr '\037' '\n' | sed '/^$/d'
	else
		echo "nothing arrived"
	fi
}

# records NAME PATH: the mail log records of the header and body actions,
# queue IDs and process names left out.
records() {
	if [ "$2" = A ]; then
		_l=$W/o/$(oracle_of "$1")/maillog
	else
		_l=$W/r/$(oracle_of "$1").maillog
	fi
	sed -n 's/^.*\/\(cleanup\|smtp\)\[[0-9]*\]: [0-9A-F]*: \(\(warning\|info\|reject\|strip\|replace\|prepend\|discard\|hold\|redirect\|bcc\): \(header\|body\) .*\)$/\1: \2/p' \
		"$_l" 2>/dev/null
}

# compare_outcome NAME: the TAP lines of one case.
compare_outcome() {
	_c=$W/got/cmp/$1
	_desc=$(cat "$W/c/$1/desc")
	mkdir -p "$_c"
	outcome "$1" A >"$_c/postfix"
	outcome "$1" B >"$_c/relaymail"
	if [ -f "$W/c/$1/differs" ]; then
		cmp -s "$W/c/$1/expected" "$_c/relaymail" &&
			grep -qxF -f "$W/c/$1/postfix-line" "$_c/postfix"
		_same=$?
		tap__result $_same "$1: $_desc (deliberately: $(cat "$W/c/$1/differs"))"
		[ "$_same" = 0 ] ||
			tap_diag "Postfix: $(cat "$_c/postfix")" \
				"$(cd "$_c" && diff -U 100 "$W/c/$1/expected" relaymail)"
	else
		cmp -s "$_c/postfix" "$_c/relaymail"
		_same=$?
		if [ "$_same" = 0 ] && grep -q '^nothing arrived$' "$_c/postfix"; then
			# Nothing to compare but the status: make sure the case ran.
			[ -s "$W/got/$1.A.rc" ] || _same=1
		fi
		tap__result $_same "$1: $_desc"
		[ "$_same" = 0 ] ||
			tap_diag "$(cd "$_c" && diff -U 100 postfix relaymail)" \
				"relaymail's stderr: $(head -n 5 "$W/got/$1.B.err")"
	fi
	if [ -f "$W/c/$1/logs" ]; then
		records "$1" A >"$_c/postfix.log"
		records "$1" B >"$_c/relaymail.log"
		if [ -s "$_c/postfix.log" ] && cmp -s "$_c/postfix.log" "$_c/relaymail.log"; then
			tap__result 0 "$1: the same mail log records"
		else
			tap__result 1 "$1: the same mail log records"
			tap_diag "$(cd "$_c" && diff -U 100 postfix.log relaymail.log)"
		fi
	fi
	[ -f "$W/c/$1/warns" ] || return 0
	warnings "$1" A >"$_c/postfix.warn"
	warnings "$1" B >"$_c/relaymail.warn"
	if cmp -s "$_c/postfix.warn" "$_c/relaymail.warn" && [ -s "$_c/postfix.warn" ]; then
		tap__result 0 "$1: the same warnings"
	else
		tap__result 1 "$1: the same warnings"
		tap_diag "$(cd "$_c" && diff -U 100 postfix.warn relaymail.warn)"
	fi
}

# --- Run. --------------------------------------------------------------------
# differential_send: every case through both sides, what arrived sorted.
differential_send() {
	relay_start "$W/sink" || tap_bail "the sink relay did not start"
	. "$W/sink/relay.env"

	pids=
	if [ "$DIFF_ORACLE" = one ]; then _oracles=shared; else _oracles=$(cat "$W/cases"); fi
	for name in $_oracles; do
		oracle_conf "$name" && relaymail_conf "$name" && oracle_ready "$name" ||
			tap_bail "cannot write the configuration of case $name"
		oracle_start "$name" 2>"$W/o/$name/start.err" &
		pids="$pids $!"
	done
	failed=0
	for pid in $pids; do
		wait "$pid" || failed=1
	done
	if [ "$failed" = 1 ]; then
		cat "$W"/o/*/start.err >&2
		tap_bail "an oracle Postfix did not start"
	fi

	for name in $(cat "$W/cases"); do
		send "$name" A
		send "$name" B
	done
	wait_quiet "$CANON_TIMEOUT" ||
		tap_diag "mail still on its way after ${CANON_TIMEOUT}s"
	sort_sink
	if [ -d "$W/got/other" ]; then
		tap_diag "unexpected mail in the sink:" "$(grep -h -m 3 -E '^(Subject|From|To):' \
			"$W/got/other"/* | head -n 12)"
	fi
}

# differential_run: differential_send, then the verdicts.
differential_run() {
	differential_send
	for name in $(cat "$W/cases"); do
		compare "$name"
	done

	tap_done
}
