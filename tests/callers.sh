#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Real callers against the real Postfix relay: git send-email sending a
# three-patch series through --sendmail-cmd, cron's exact argv, and a
# 100 MB message that arrives intact while relaymail's peak RSS stays
# within a few MiB of a 1 KB message's. Gated by RELAYMAIL_TEST_POSTFIX.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYMAIL:=$top_builddir/relaymail}"
: "${MAXRSS:=$top_builddir/tests/maxrss}"
# Size of the big message in MiB, and the allowed RSS growth in KiB.
: "${CALLERS_BIG_MB:=100}"
: "${CALLERS_RSS_SLACK_KB:=4096}"

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/relay.sh"
. "$top_srcdir/tests/lib/client.sh"

client_start callers
conf_submission sub
conf_plain plain "message_size_limit = 0"

# --- git send-email: a three-patch series. --------------------------------
# "-h" exits 129 after the usage text, which names the options.
if git send-email -h 2>&1 | grep -q -- --sendmail-cmd; then
	repo=$T/repo
	git init -q "$repo" &&
		git -C "$repo" config user.name "Patch Author" &&
		git -C "$repo" config user.email "$RELAY_USER1" &&
		for i in 1 2 3; do
			echo "change $i" >>"$repo/file.txt" &&
				git -C "$repo" add file.txt &&
				git -C "$repo" commit -q -m "relaymail series part $i" || exit 1
		done &&
		git -C "$repo" format-patch -q -o "$T/patches" --root HEAD ||
		tap_bail "cannot make the patch series"
	# send-email runs the command through the shell with -i and the
	# recipients appended, plus -f from --envelope-sender.
	git -C "$repo" send-email --quiet --confirm=never --suppress-cc=all \
		--no-validate --from="Patch Author <$RELAY_USER1>" \
		--envelope-sender="$RELAY_USER1" --to=list@dest.test \
		--sendmail-cmd="'$RELAYMAIL' -C '$T/sub.cf'" \
		"$T"/patches/*.patch </dev/null >"$T/git.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || tap_diag "git send-email failed:" "$(tail -n 20 "$T/git.out")"
	tap_is "$rc" 0 "git send-email --sendmail-cmd: exit 0"
	d=$(take 3)
	tap_is "$(count "$d")" 3 "git send-email: three messages arrived"
	tap_is "$(field Subject "$d" | tr -s ' ')" \
		"[PATCH 1/3] relaymail series part 1 [PATCH 2/3] relaymail series part 2 [PATCH 3/3] relaymail series part 3" \
		"git send-email: the three subjects"
	tap_is "$(field Return-Path "$d")" "<$RELAY_USER1> <$RELAY_USER1> <$RELAY_USER1>" \
		"git send-email: the envelope sender from --envelope-sender"
	tap_is "$(field Delivered-To "$d")" "list@dest.test list@dest.test list@dest.test" \
		"git send-email: the recipient"
	apply_series() { # DIR: git am of the three delivered messages, in order
		git init -q "$T/apply" && git -C "$T/apply" config user.name t &&
			git -C "$T/apply" config user.email t@t.test || return 1
		for _n in 1 2 3; do
			_f=$(grep -l "^Subject: \[PATCH $_n/3\]" "$1"/*) &&
				git -C "$T/apply" am -q "$_f" || return 1
		done
		[ "$(tr '\n' ' ' <"$T/apply/file.txt")" = "change 1 change 2 change 3 " ]
	}
	tap_ok "git send-email: the delivered patches apply with git am" apply_series "$d"
else
	tap_skip "git send-email" "git send-email is not installed (Debian: git-email)"
fi

# --- cron: its exact argv, to root qualified with myorigin. --------------
{
	echo "From: root (Cron Daemon)"
	echo "To: root"
	echo "Subject: Cron <root@client> /usr/local/bin/nightly"
	echo "MIME-Version: 1.0"
	echo "Content-Type: text/plain; charset=UTF-8"
	echo "Content-Transfer-Encoding: 8bit"
	echo "X-Cron-Env: <SHELL=/bin/sh>"
	echo ""
	printf 'nightly: 3 files r\303\251sum\303\251d\n'
	echo "."
	echo "done"
} >"$T/cron"
send plain -FCronDaemon -i -B8BITMIME -oem root <"$T/cron"
diag_failure
tap_is "$rc" 0 "cron's argv (-FCronDaemon -i -B8BITMIME -oem root): exit 0"
d=$(take 1)
tap_is "$(field Delivered-To "$d")" "root@dest.test" "cron: root qualified with myorigin"
tap_is "$(field Subject "$d")" "Cron <root@client> /usr/local/bin/nightly" "cron: subject"
tap_is "$(body "$d"/*)" "$(body "$T/cron")" \
	"cron: -i keeps the lone dot, the 8-bit text arrives as it was"

# --- 100 MB: intact, and memory flat. ------------------------------------
rss_of() { # CONF MESSAGE ARGS...: relaymail under maxrss; sets rc and $T/rss
	_rc=$1 _rm=$2
	shift 2
	"$MAXRSS" "$T/rss" "$RELAYMAIL" -C "$T/$_rc.cf" "$@" <"$_rm" >"$T/out" 2>"$T/err"
	rc=$?
}
if [ -x "$MAXRSS" ]; then
	message "$T/small" "small"
	awk 'BEGIN { for (i = 0; i < 16; i++) printf "%063d\n", i }' >>"$T/small"
	rss_of plain "$T/small" -f sender@dest.test small@dest.test
	small_kb=$(cat "$T/rss")
	d=$(take 1)
	tap_is "$rc/$(count "$d")" 0/1 "1 KB message: delivered"

	message "$T/big" "big"
	awk -v mb="$CALLERS_BIG_MB" 'BEGIN {
		line = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/0123456789ABCDEFG"
		n = mb * 1024 * 1024 / 81
		for (i = 0; i < n; i++) printf "%s\n", line
	}' >>"$T/big"
	tap_diag "big message: $(wc -c <"$T/big" | tr -d ' ') bytes"
	rss_of plain "$T/big" -f sender@dest.test big@dest.test
	big_kb=$(cat "$T/rss")
	[ "$rc" = 0 ] || tap_diag "relaymail exited $rc:" "$(head -n 5 "$T/err")"
	d=$(RELAY_MAIL_TIMEOUT=120 take 1)
	tap_is "$rc/$(count "$d")" 0/1 "${CALLERS_BIG_MB} MB message: delivered"
	sent=$(sha256sum <"$T/big" | cut -d' ' -f1)
	got=$(as_sent "$d"/* | sha256sum | cut -d' ' -f1)
	tap_is "$got" "$sent" "${CALLERS_BIG_MB} MB message: arrives intact (sha256)"
	tap_diag "peak RSS: 1 KB message ${small_kb} KiB, ${CALLERS_BIG_MB} MB message ${big_kb} KiB"
	tap_ok "peak RSS of the ${CALLERS_BIG_MB} MB message within ${CALLERS_RSS_SLACK_KB} KiB of the 1 KB one" \
		test "$big_kb" -le "$((small_kb + CALLERS_RSS_SLACK_KB))"
	rm -f "$T/big" "$d"/*
else
	tap_skip "100 MB message with flat memory" "no $MAXRSS"
fi

tap_done
