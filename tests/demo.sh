#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README demo: start a throwaway Postfix relay with SASL on loopback,
# send one message through it with relaymail over STARTTLS + AUTH, and show
# the SMTP dialogue and the message as delivered. Needs root, postfix,
# dovecot-core and gnutls-bin. Exit status 0 only if the message arrived.
# It runs the relaymail that "make install" put in the prefix the build
# tree was configured with (its config.status knows where), so that it
# proves the installed copy; $RELAYMAIL overrides that, and without a
# configured build tree relaymail is taken from PATH.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/relay.sh"

if [ -z "${RELAYMAIL:-}" ]; then
	if [ -x "$top_builddir/config.status" ]; then
		dirs=$(printf '%s\n' "prefix='@prefix@'" 'exec_prefix="@exec_prefix@"' \
			'sbindir="@sbindir@"' | (cd "$top_builddir" && ./config.status --file=-:-)) || {
			echo "demo: $top_builddir/config.status cannot tell the install prefix" >&2
			exit 1
		}
		eval "$dirs"
		RELAYMAIL=$sbindir/relaymail
		if [ ! -x "$RELAYMAIL" ]; then
			echo "demo: $RELAYMAIL is not there: run make install first (or set RELAYMAIL)" >&2
			exit 1
		fi
	else
		RELAYMAIL=$(command -v relaymail) || {
			echo "demo: relaymail not found; install it or set RELAYMAIL" >&2
			exit 1
		}
	fi
fi
if ! why=$(relay_available); then
	echo "demo: cannot start the test relay: $why" >&2
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-demo.XXXXXX") || exit 1
trap 'relay_stop "$dir"; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

echo "== Using $RELAYMAIL ($("$RELAYMAIL" --version 2>&1 | sed -n 1p))"
echo "== Starting a private Postfix relay (STARTTLS, SASL via Dovecot) ..."
relay_start "$dir" || exit 1
. "$dir/relay.env"
echo "   submission port $RELAY_SUBMISSION_PORT on $RELAY_HOST, login $RELAY_USER1"

# What a user writes: the Postfix parameters of any "relay through my ISP"
# guide, and a password file only its owner may read.
(umask 077 && printf '[%s]:%s %s:%s\n' "$RELAY_HOST" "$RELAY_SUBMISSION_PORT" \
	"$RELAY_USER1" "$RELAY_PASS1" >"$dir/sasl_passwd")
cat >"$dir/sendmail.conf" <<EOF
relayhost = [$RELAY_HOST]:$RELAY_SUBMISSION_PORT
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = texthash:$dir/sasl_passwd
smtp_tls_security_level = verify
smtp_tls_CAfile = $RELAY_CA
myhostname = client.test
dead_letter_file = $dir/dead.letter
EOF
echo "== Configuration ($dir/sendmail.conf):"
sed 's/^/   /' "$dir/sendmail.conf"

echo "== Sending: $RELAYMAIL -v -C sendmail.conf -f $RELAY_USER1 someone@example.test"
status=0
printf '%s\n' "From: Demo <$RELAY_USER1>" "To: <someone@example.test>" \
	"Subject: Hello from relaymail" "" \
	"This message went through a real Postfix relay over STARTTLS with AUTH." |
	HOME=$dir XDG_STATE_HOME=$dir/state "$RELAYMAIL" -v -C "$dir/sendmail.conf" \
		-f "$RELAY_USER1" someone@example.test || status=$?
echo "== relaymail exited with status $status"

if ! relay_wait_mail "$dir" 1 10; then
	echo "== No message arrived at the relay's mailbox. Relay log:" >&2
	tail -n 15 "$RELAY_MAILLOG" >&2
	exit 1
fi
echo "== Delivered (the relay added Return-Path, Delivered-To and Received):"
for f in "$RELAY_SINK"/*; do
	sed 's/^/   /' "$f"
done
echo "== Done: the message arrived."
exit 0
