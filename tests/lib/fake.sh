# SPDX-License-Identifier: GPL-3.0-or-later
# Shell helpers around tests/fakesmtp (POSIX sh): test certificates made
# with certtool, fake servers started on kernel-chosen loopback ports and
# always stopped by PID, and relaymail runs that record the exit status
# and the elapsed time. Source tests/lib/tap.sh first; set FAKE_DIR (the
# scratch folder) and FAKESMTP (the program).

_fake_pids=

# fake_certs: $FAKE_DIR/tls with a CA (ca.pem), a server certificate for
# localhost, 127.0.0.1 and ::1 (good.pem), one from an unrelated CA
# (unknown.pem), one for another name (wrongname.pem), an expired one
# (expired.pem), one for mx.localhost (sub.pem); all share key.pem.
fake_certs() {
	_t=$FAKE_DIR/tls
	mkdir -p "$_t" || return 1
	_fake_tmpl() { # NAME CN SERIAL EXTRA...
		_f=$_t/$1.tmpl
		printf 'cn = "%s"\norganization = "relaymail fake tests"\nserial = %s\n' "$2" "$3" >"$_f"
		shift 3
		for _l in "$@"; do printf '%s\n' "$_l" >>"$_f"; done
	}
	_fake_tmpl ca "relaymail fake CA" 1 "expiration_days = 30" ca cert_signing_key
	_fake_tmpl other-ca "somebody else's CA" 1 "expiration_days = 30" ca cert_signing_key
	_srv='tls_www_server signing_key encryption_key'
	# shellcheck disable=SC2086
	{
		_fake_tmpl good localhost 2 "expiration_days = 30" 'dns_name = "localhost"' \
			'ip_address = "127.0.0.1"' 'ip_address = "::1"' $_srv
		_fake_tmpl unknown localhost 3 "expiration_days = 30" 'dns_name = "localhost"' \
			'ip_address = "127.0.0.1"' $_srv
		_fake_tmpl wrongname wrong.example 4 "expiration_days = 30" \
			'dns_name = "wrong.example"' $_srv
		_fake_tmpl expired localhost 5 'activation_date = "2020-01-01 00:00:00"' \
			'expiration_date = "2020-02-01 00:00:00"' 'dns_name = "localhost"' \
			'ip_address = "127.0.0.1"' $_srv
		_fake_tmpl sub mx.localhost 6 "expiration_days = 30" 'dns_name = "mx.localhost"' $_srv
	}
	{
		certtool --generate-privkey --key-type=ecdsa --outfile "$_t/ca-key.pem" &&
			certtool --generate-self-signed --load-privkey "$_t/ca-key.pem" \
				--template "$_t/ca.tmpl" --outfile "$_t/ca.pem" &&
			certtool --generate-privkey --key-type=ecdsa --outfile "$_t/other-ca-key.pem" &&
			certtool --generate-self-signed --load-privkey "$_t/other-ca-key.pem" \
				--template "$_t/other-ca.tmpl" --outfile "$_t/other-ca.pem" &&
			certtool --generate-privkey --key-type=ecdsa --outfile "$_t/key.pem" &&
			for _c in good wrongname expired sub; do
				certtool --generate-certificate --load-privkey "$_t/key.pem" \
					--load-ca-certificate "$_t/ca.pem" \
					--load-ca-privkey "$_t/ca-key.pem" \
					--template "$_t/$_c.tmpl" --outfile "$_t/$_c.pem" || exit 1
			done &&
			certtool --generate-certificate --load-privkey "$_t/key.pem" \
				--load-ca-certificate "$_t/other-ca.pem" \
				--load-ca-privkey "$_t/other-ca-key.pem" \
				--template "$_t/unknown.tmpl" --outfile "$_t/unknown.pem"
	} >"$_t/certtool.log" 2>&1
}

# fake_start NAME SCRIPT [CERT]: fakesmtp serving SCRIPT (a file) with
# certificate CERT (good, unknown, ...); transcript $FAKE_DIR/NAME.tr.
# Sets fake_port and records the PID for fake_stop_all.
fake_start() {
	_n=$1 _s=$2 _c=${3:-good}
	rm -f "$FAKE_DIR/$_n.port" "$FAKE_DIR/$_n.tr" "$FAKE_DIR/$_n.status"
	"$FAKESMTP" --script "$_s" --transcript "$FAKE_DIR/$_n.tr" \
		--port-file "$FAKE_DIR/$_n.port" --status-file "$FAKE_DIR/$_n.status" \
		--cert "$FAKE_DIR/tls/$_c.pem" --key "$FAKE_DIR/tls/key.pem" \
		--timeout "${FAKE_TIMEOUT:-20}" 2>>"$FAKE_DIR/$_n.err" &
	_fake_pids="$_fake_pids $!"
	eval "fake_pid_$_n=$!"
	fake__wait_port "$FAKE_DIR/$_n.port"
}

# fake_start_backlog NAME: a port whose accept queue is full.
fake_start_backlog() {
	rm -f "$FAKE_DIR/$1.port"
	"$FAKESMTP" --full-backlog --port-file "$FAKE_DIR/$1.port" --timeout 20 &
	_fake_pids="$_fake_pids $!"
	eval "fake_pid_$1=$!"
	fake__wait_port "$FAKE_DIR/$1.port"
}

fake__wait_port() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -gt 100 ] && tap_bail "fakesmtp did not start ($1)"
		sleep 0.05
	done
	fake_port=$(cat "$1")
}

# fake_status NAME: waits (at most 10 s) for the server to finish its
# script and prints its exit status, or "running".
fake_status() {
	_i=0
	while [ ! -f "$FAKE_DIR/$1.status" ] && [ "$_i" -lt 200 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
	cat "$FAKE_DIR/$1.status" 2>/dev/null || echo running
}

# fake_stop NAME: stops that server (by PID) if it still runs.
fake_stop() {
	eval "_p=\${fake_pid_$1:-}"
	[ -n "$_p" ] || return 0
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	eval "fake_pid_$1="
}

# fake_stop_all: every server this test started (trap on EXIT).
fake_stop_all() {
	for _p in $_fake_pids; do
		kill "$_p" 2>/dev/null
	done
	for _p in $_fake_pids; do wait "$_p" 2>/dev/null; done
	_fake_pids=
}

# fake_transcript NAME: the transcript, every line.
fake_transcript() {
	cat "$FAKE_DIR/$1.tr" 2>/dev/null
}
