#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Load and faults against the real Postfix relay (issue 10): 1,000
# messages from 50 concurrent invocations arrive exactly once; the same
# burst with the relay stopped in the middle and started again loses
# nothing (each invocation exits 0 or 75, what failed is in the dead
# letter file, --resend sends it, and a message arrives twice only where
# relaymail warned that the relay may already have had it); a read error
# on stdin is exit 74 with nothing sent; a full disk while spooling is 74
# with a clear message, never a truncated delivery.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
# Invocations at once, and messages each.
: "${LOAD_WORKERS:=50}"
: "${LOAD_EACH:=20}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"

client_start load
conf_submission sub "maillog_file = $T/maillog"
total=$((LOAD_WORKERS * LOAD_EACH))

# worker RUN W PAUSE: LOAD_EACH messages, one after the other, PAUSE
# seconds apart; "ID STATUS" lines in $T/res.RUN.W, the stderr of a send
# that printed anything in $T/err.ID.
worker() {
	_i=1
	while [ "$_i" -le "$LOAD_EACH" ]; do
		_id="$1-w$2-m$_i"
		printf 'From: <%s>\nTo: <sink@dest.test>\nSubject: %s\nMessage-ID: <%s@load.test>\n\nLoad test body %s.\n' \
			"$RELAY_USER1" "$_id" "$_id" "$_id" |
			timeout 120 "$RELAYMAIL" -C "$T/sub.cf" -f "$RELAY_USER1" sink@dest.test \
				2>"$T/err.$_id"
		_rc=$?
		echo "$_id $_rc" >>"$T/res.$1.$2"
		[ -s "$T/err.$_id" ] || rm -f "$T/err.$_id"
		[ "$3" != 0 ] && sleep "$3"
		_i=$((_i + 1))
	done
}

# burst RUN PAUSE: LOAD_WORKERS workers at once; returns when all ended.
burst() {
	_w=1
	_pids=
	while [ "$_w" -le "$LOAD_WORKERS" ]; do
		worker "$1" "$_w" "$2" &
		_pids="$_pids $!"
		_w=$((_w + 1))
	done
	for _p in $_pids; do wait "$_p"; done
}

# ids DIR: the Message-ID of each message in DIR, one a line.
ids() {
	for _f in "$1"/*; do
		[ -f "$_f" ] && sed -n '/^$/q; s/^Message-ID: <\(.*\)@load.test>$/\1/p' "$_f"
	done
}

# copies DIR: "ID QUEUE-ID" for each message in DIR, where QUEUE-ID is
# the one the relay gave it (its own Received header, the first). Two
# copies with one queue ID are the relay's own doing: Postfix delivers a
# message again when it was stopped between the delivery and the removal
# of its queue file. Only copies the relay received twice are relaymail's.
copies() {
	for _f in "$1"/*; do
		[ -f "$_f" ] && awk '
			/^$/ { exit }
			/^[ \t]/ { if (inrcv) rcv = rcv " " $0; next }
			{ inrcv = 0 }
			/^Received:/ && rcv == "" { inrcv = 1; rcv = $0; next }
			/^Message-ID: </ { id = $2; sub(/^</, "", id); sub(/@load\.test>$/, "", id) }
			END {
				qid = "?"
				if (match(rcv, / id [0-9A-Za-z]+/))
					qid = substr(rcv, RSTART + 4, RLENGTH - 4)
				print id, qid
			}' "$_f"
	done
}

# ---- 1,000 messages, 50 at once. -----------------------------------------
t0=$(date +%s)
burst a 0
t1=$(date +%s)
tap_is "$(cat "$T"/res.a.* | grep -c ' 0$')" "$total" \
	"$LOAD_WORKERS invocations at once: all $total sends exit 0"
relay_wait_mail "$scratch" "$total" 180
d=$(take "$total")
ids "$d" | sort >"$T/a.ids"
tap_is "$(wc -l <"$T/a.ids")" "$total" "all $total messages arrived"
tap_is "$(uniq -d "$T/a.ids" | wc -l)" 0 "... each exactly once"
tap_diag "burst of $total messages, $LOAD_WORKERS at once: $((t1 - t0)) s"
# The log: whole lines only, written by 50 processes into one file.
whole='^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [^ ]+ relaymail/(pickup|cleanup|qmgr|smtp)\[[0-9]+\]: [^ ].*$'
tap_is "$(grep -Evc "$whole" "$T/maillog")" 0 "the mail log holds whole lines only"
tap_is "$(grep -c ' status=sent ' "$T/maillog")" "$total" "the mail log has one status=sent per message"
tap_is "$(grep -c ': removed$' "$T/maillog")" "$total" "... and one removed per message"
rm -rf "$d"

# ---- The same with the relay stopped and started again. ------------------
burst b 0.1 &
bp=$!
sleep 1
relay__kill "$(relay__alive "$scratch/queue/pid/master.pid")" "postfix master"
sleep 1.5
relay__postfix_start "$scratch" || tap_bail "the relay did not start again"
wait "$bp"
tap_is "$(cat "$T"/res.b.* | awk '$2 != 0 && $2 != 75' | wc -l)" 0 \
	"relay stopped in the middle: every invocation exits 0 or 75"
failed=$(cat "$T"/res.b.* | awk '$2 == 75' | wc -l)
tap_ok "relay stopped in the middle: some sends failed (the stop came in time)" \
	test "$failed" -gt 0
tap_is "$(grep -c '^From ' "$T/dead.letter" 2>/dev/null || echo 0)" "$failed" \
	"every failed message is in the dead letter file"
timeout 300 "$RELAYMAIL" -C "$T/sub.cf" --resend >"$T/out" 2>"$T/err"
tap_is "$?" 0 "--resend sends them all" || tap_diag "$(tail -n 5 "$T/err")"
relay_wait_mail "$scratch" "$total" 180
d=$(take "$total")
copies "$d" | sort >"$T/b.copies"
cut -d' ' -f1 "$T/b.copies" >"$T/b.ids"
tap_is "$(sort -u "$T/b.ids" | wc -l)" "$total" "every message arrived"
# A duplicate is allowed only where relaymail said it may happen; a copy
# the relay delivered twice from one queue file is not one.
warned=$(grep -l 'may have been delivered' "$T"/err.b-* 2>/dev/null | sed 's/.*err\.//' | sort)
dups=$(sort -u "$T/b.copies" | cut -d' ' -f1 | uniq -d)
redone=$(uniq -d "$T/b.copies" | cut -d' ' -f1)
unwarned=$(for id in $dups; do echo "$warned" | grep -qx "$id" || echo "$id"; done)
tap_is "$unwarned" "" "a message arrives twice only where relaymail warned" ||
	for id in $unwarned; do
		tap_diag "$id: relay queue IDs $(grep "^$id " "$T/b.copies" | cut -d' ' -f2 | tr '\n' ' ')" \
			"exit $(cat "$T"/res.b.* | awk -v id="$id" '$1 == id { print $2 }')" \
			"$(cat "$T/err.$id" 2>/dev/null)"
	done
tap_is "$(grep -c ' ?$' "$T/b.copies")" 0 "each copy names the relay's queue ID"
tap_diag "relay stopped in the middle: $failed of $total failed and were sent again;" \
	"$(echo "$dups" | grep -c .) arrived twice after a warning;" \
	"$(echo "$redone" | grep -c .) were delivered twice by the relay itself"
rm -rf "$d"

# ---- Local faults: nothing is sent. ---------------------------------------
conf_plain plain
printf 'Subject: read error\n\nx\n' >"$T/small"
timeout 60 "$RELAYMAIL" -C "$T/plain.cf" -f "$RELAY_USER1" sink@dest.test <"$T" >"$T/out" 2>"$T/err"
tap_is "$?" 74 "a read error on stdin: exit 74"
tap_ok "a read error on stdin: stderr says so" grep -q 'cannot read the message' "$T/err"
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
	mkdir -p "$T/full"
	head -c 3000000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$T/big.body"
	{ printf 'Subject: full disk\n\n'; cat "$T/big.body"; } >"$T/big"
	unshare -m sh -c "mount -t tmpfs -o size=512k none '$T/full' &&
		TMPDIR='$T/full' timeout 60 '$RELAYMAIL' -C '$T/plain.cf' -f '$RELAY_USER1' \
		sink@dest.test <'$T/big'" >"$T/out" 2>"$T/err"
	rc=$?
	case $rc in 74 | 75) tap__result 0 "a full disk while spooling: exit 74 or 75" ;;
	*) tap__result 1 "a full disk while spooling: exit 74 or 75 (got $rc)"
		tap_diag "$(cat "$T/err")" ;;
	esac
	tap_ok "a full disk while spooling: stderr names it" grep -q 'No space left' "$T/err"
	tap_is "$(nothing_arrives 1)" 0 "a full disk while spooling: nothing is sent"
else
	tap_skip "a full disk while spooling" "unshare -m is not allowed here"
fi
tap_done
