# SPDX-License-Identifier: GPL-3.0-or-later
# A private Postfix relay with Dovecot SASL on free loopback ports, for the
# integration tests and the README demo. Source this file (POSIX sh, dash
# works), then: relay_start DIR; . DIR/relay.env; ...; relay_stop DIR.
# Everything lives under DIR; /etc/postfix and /etc/dovecot are only read.
# Needs root, postfix, dovecot, certtool, perl (readiness probes) and
# gnutls-cli (the SMTPS probe); relay_available says what is missing.
# RELAY_EXTRA_MASTER, when set, names a file of master.cf lines added to
# the instance (services of the caller's; relay_start does not probe them).

# Postfix and Dovecot live in sbin, which a test's PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
case ":$PATH:" in *:/sbin:*) ;; *) PATH=$PATH:/sbin ;; esac

# Seconds to wait for each daemon to come up or go away.
: "${RELAY_START_TIMEOUT:=20}"
: "${RELAY_STOP_TIMEOUT:=10}"
# The user who owns the sink and whose uid the virtual agent delivers as.
: "${RELAY_SINK_USER:=postfix}"

relay__err() {
	printf 'relay: %s\n' "$*" >&2
}

# relay_available: status 0 when a relay can run here; otherwise prints
# the reason on stdout and returns 1.
relay_available() {
	if [ "$(id -u)" != 0 ]; then
		echo "the test relay needs root (Postfix and Dovecot are started as root)"
		return 1
	fi
	for _rl_c in postfix postconf postqueue dovecot certtool gnutls-cli perl; do
		if ! command -v "$_rl_c" >/dev/null 2>&1; then
			echo "$_rl_c not found (Debian: apt-get install postfix dovecot-core gnutls-bin perl)"
			return 1
		fi
	done
	for _rl_u in postfix dovecot dovenull "$RELAY_SINK_USER"; do
		if ! id "$_rl_u" >/dev/null 2>&1; then
			echo "system user $_rl_u does not exist"
			return 1
		fi
	done
	return 0
}

# relay_gate: the auto/yes/no switch RELAYMAIL_TEST_POSTFIX for TAP tests.
# Returns when the relay should run; otherwise ends the test: "no", or
# "auto" (the default) with the relay unavailable, print a TAP skip plan and
# exit 0; "yes" with the relay unavailable bails out and exits 1.
relay_gate() {
	case ${RELAYMAIL_TEST_POSTFIX:-auto} in
	no)
		echo "1..0 # SKIP RELAYMAIL_TEST_POSTFIX=no"
		exit 0
		;;
	yes | auto) ;;
	*)
		echo "Bail out! RELAYMAIL_TEST_POSTFIX must be auto, yes or no"
		exit 1
		;;
	esac
	if _rl_why=$(relay_available); then
		return 0
	fi
	if [ "${RELAYMAIL_TEST_POSTFIX:-auto}" = yes ]; then
		echo "Bail out! RELAYMAIL_TEST_POSTFIX=yes but $_rl_why"
		exit 1
	fi
	echo "1..0 # SKIP $_rl_why"
	exit 0
}

# relay__freeport N: N distinct free loopback ports, one per line, from
# tests/freeport; falls back to perl when the helper is not built.
relay__freeport() {
	for _rl_fp in "${RELAY_FREEPORT:-}" "${top_builddir:+$top_builddir/tests/freeport}" \
		"${top_srcdir:+$top_srcdir/tests/freeport}"; do
		if [ -n "$_rl_fp" ] && [ -x "$_rl_fp" ]; then
			"$_rl_fp" "$1"
			return
		fi
	done
	perl -MIO::Socket::INET -e '
		my @s;
		for (1 .. $ARGV[0]) {
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => 0, Proto => "tcp") or die "bind: $!\n";
			push @s, $s;
		}
		print $_->sockport, "\n" for @s;' "$1"
}

# relay__q VALUE: VALUE quoted for sh.
relay__q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# relay__probe PORT [tls CAFILE]: status 0 when PORT answers "220 ".
relay__probe() {
	if [ "${2:-}" = tls ]; then
		# gnutls-cli prints what the server sends; QUIT ends the session.
		printf 'QUIT\r\n' | timeout 3 gnutls-cli --x509cafile="$3" \
			--port="$1" localhost 2>/dev/null | grep -q '^220 '
		return
	fi
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
			PeerPort => $ARGV[0], Timeout => 2) or exit 1;
		local $SIG{ALRM} = sub { exit 2 };
		alarm 3;
		my $l = <$s>;
		print $s "QUIT\r\n";
		exit(defined $l && $l =~ /^220 / ? 0 : 3);' "$1"
}

# relay__running PID: status 0 while PID runs. A zombie counts as gone:
# daemons are reparented to PID 1, which in a container may be slow to reap.
relay__running() {
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		# The state follows the parenthesised command name.
		case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in
		Z* | X* | '') return 1 ;;
		esac
	fi
	return 0
}

# relay__alive PIDFILE: prints the PID in PIDFILE when that process runs.
relay__alive() {
	[ -s "$1" ] || return 1
	_rl_pid=$(tr -dc 0-9 <"$1")
	[ -n "$_rl_pid" ] && relay__running "$_rl_pid" && echo "$_rl_pid"
}

# relay__wait_gone PID SECONDS: waits until PID exits; status 1 on timeout.
relay__wait_gone() {
	_rl_end=$(($(date +%s) + $2))
	while relay__running "$1"; do
		[ "$(date +%s)" -ge "$_rl_end" ] && return 1
		sleep 0.05
	done
	return 0
}

# relay__kill PID NAME: SIGTERM, a bounded wait, then SIGKILL. Both
# daemons lead their own process group; signalling the group spares Dovecot
# a second of waiting for its children.
relay__kill() {
	_rl_target=$1
	if [ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ]; then
		_rl_target=-$1
	fi
	kill -TERM "$_rl_target" 2>/dev/null
	relay__wait_gone "$1" "$RELAY_STOP_TIMEOUT" && return 0
	kill -KILL "$_rl_target" 2>/dev/null
	relay__wait_gone "$1" 2 && return 0
	relay__err "$2 (pid $1) does not stop"
	return 1
}

# relay__certs DIR: a private CA, a server certificate for localhost and
# 127.0.0.1, an expired one, and a second CA with a certificate of its own.
relay__certs() {
	_rl_t=$1/tls
	mkdir -p "$_rl_t" && chmod 0755 "$_rl_t" || return 1
	cat >"$_rl_t/ca.tmpl" <<-EOF
		cn = "relaymail test CA"
		organization = "relaymail tests"
		serial = 1
		expiration_days = 30
		ca
		cert_signing_key
		crl_signing_key
	EOF
	cat >"$_rl_t/other-ca.tmpl" <<-EOF
		cn = "relaymail unrelated test CA"
		organization = "somebody else"
		serial = 1
		expiration_days = 30
		ca
		cert_signing_key
	EOF
	cat >"$_rl_t/server.tmpl" <<-EOF
		cn = "localhost"
		organization = "relaymail tests"
		serial = 2
		expiration_days = 30
		dns_name = "localhost"
		ip_address = "127.0.0.1"
		tls_www_server
		signing_key
		encryption_key
	EOF
	cat >"$_rl_t/expired.tmpl" <<-EOF
		cn = "localhost"
		organization = "relaymail tests"
		serial = 3
		activation_date = "2020-01-01 00:00:00"
		expiration_date = "2020-02-01 00:00:00"
		dns_name = "localhost"
		ip_address = "127.0.0.1"
		tls_www_server
		signing_key
		encryption_key
	EOF
	cp "$_rl_t/server.tmpl" "$_rl_t/other-server.tmpl" &&
		sed -i 's/^serial = 2/serial = 4/' "$_rl_t/other-server.tmpl" || return 1
	{
		certtool --generate-privkey --key-type=ecdsa --outfile "$_rl_t/ca-key.pem" &&
			certtool --generate-self-signed --load-privkey "$_rl_t/ca-key.pem" \
				--template "$_rl_t/ca.tmpl" --outfile "$_rl_t/ca.pem" &&
			certtool --generate-privkey --key-type=ecdsa --outfile "$_rl_t/other-ca-key.pem" &&
			certtool --generate-self-signed --load-privkey "$_rl_t/other-ca-key.pem" \
				--template "$_rl_t/other-ca.tmpl" --outfile "$_rl_t/other-ca.pem" &&
			certtool --generate-privkey --key-type=rsa --bits=2048 \
				--outfile "$_rl_t/server-key.pem" &&
			certtool --generate-certificate --load-privkey "$_rl_t/server-key.pem" \
				--load-ca-certificate "$_rl_t/ca.pem" --load-ca-privkey "$_rl_t/ca-key.pem" \
				--template "$_rl_t/server.tmpl" --outfile "$_rl_t/server.pem" &&
			certtool --generate-certificate --load-privkey "$_rl_t/server-key.pem" \
				--load-ca-certificate "$_rl_t/ca.pem" --load-ca-privkey "$_rl_t/ca-key.pem" \
				--template "$_rl_t/expired.tmpl" --outfile "$_rl_t/expired.pem" &&
			certtool --generate-certificate --load-privkey "$_rl_t/server-key.pem" \
				--load-ca-certificate "$_rl_t/other-ca.pem" \
				--load-ca-privkey "$_rl_t/other-ca-key.pem" \
				--template "$_rl_t/other-server.tmpl" --outfile "$_rl_t/other-server.pem"
	} >"$_rl_t/certtool.log" 2>&1 || {
		relay__err "certtool failed; see $_rl_t/certtool.log:"
		tail -n 5 "$_rl_t/certtool.log" >&2
		return 1
	}
	chmod 0600 "$_rl_t"/*-key.pem
}

# relay__dovecot DIR: an auth-only Dovecot whose client socket Postfix's
# smtpd can reach; waits for the socket.
relay__dovecot() {
	_rl_d=$1/dovecot
	mkdir -p "$_rl_d/run" "$_rl_d/state" && chmod 0755 "$_rl_d" || return 1
	cat >"$_rl_d/passwd" <<-EOF
		$RELAY_USER1:{PLAIN}$RELAY_PASS1
		$RELAY_USER2:{PLAIN}$RELAY_PASS2
		$RELAY_SLOW_USER:{SCRAM-SHA-256}200000,hQX1HULutRiiKOEmBqvdow==,p57ZfXnLhcjwFUxY1PoTzXkxkdjppXTbQFjc8hxNjrs=,Tus1TKoTh6xA2k9jbEBGvoSpOHIkXXtCDJqJQAigrPs=
	EOF
	chgrp dovecot "$_rl_d/passwd" && chmod 0640 "$_rl_d/passwd" || return 1
	cat >"$_rl_d/dovecot.conf" <<-EOF
		# Auth only: Postfix asks this instance about SASL logins.
		protocols = none
		listen = 127.0.0.1
		base_dir = $_rl_d/run
		state_dir = $_rl_d/state
		instance_name = relaytest-$$
		log_path = $_rl_d/dovecot.log
		ssl = no
		disable_plaintext_auth = no
		auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
		passdb {
		  driver = passwd-file
		  args = scheme=PLAIN $_rl_d/passwd
		}
		userdb {
		  driver = static
		  args = uid=nobody gid=nogroup home=/nonexistent
		}
		service auth {
		  unix_listener $_rl_d/auth-postfix {
		    mode = 0660
		    user = postfix
		    group = postfix
		  }
		}
	EOF
	if ! dovecot -c "$_rl_d/dovecot.conf" >"$_rl_d/start.log" 2>&1; then
		relay__err "dovecot did not start:"
		cat "$_rl_d/start.log" >&2
		return 1
	fi
	_rl_end=$(($(date +%s) + RELAY_START_TIMEOUT))
	until [ -S "$_rl_d/auth-postfix" ]; do
		if [ "$(date +%s)" -ge "$_rl_end" ]; then
			relay__err "no Dovecot auth socket after ${RELAY_START_TIMEOUT}s; dovecot.log ends:"
			tail -n 10 "$_rl_d/dovecot.log" >&2
			return 1
		fi
		sleep 0.05
	done
}

# relay__postfix_conf DIR: main.cf and master.cf of the private instance.
relay__postfix_conf() {
	_rl_p=$1/postfix
	mkdir -p "$_rl_p" "$1/queue" "$1/data" "$1/sink/sink/new" "$1/sink/sink/cur" \
		"$1/sink/sink/tmp" || return 1
	chown "$RELAY_SINK_USER" "$1/data" "$1/sink" "$1/sink/sink" \
		"$1/sink/sink/new" "$1/sink/sink/cur" "$1/sink/sink/tmp" &&
		chmod 0755 "$1/queue" "$1/sink" "$1/sink/sink" "$1/sink/sink/new" &&
		chmod 0700 "$1/data" || return 1
	printf '%s\n' "/./ OK" >"$_rl_p/virtual_domains"
	printf '%s\n' "/./ sink/" >"$_rl_p/virtual_mailboxes"
	# An ISP that lets each login send only as itself.
	printf '%s %s\n' "$RELAY_USER1" "$RELAY_USER1" "$RELAY_USER2" "$RELAY_USER2" \
		>"$_rl_p/sender_logins"
	_rl_uid=$(id -u "$RELAY_SINK_USER") && _rl_gid=$(id -g "$RELAY_SINK_USER") || return 1
	cat >"$_rl_p/main.cf" <<-EOF
		# Private test relay; see tests/lib/relay.sh.
		compatibility_level = 3.6
		queue_directory = $1/queue
		data_directory = $1/data
		maillog_file_prefixes = $1
		maillog_file = $1/maillog
		syslog_name = relaytest
		myhostname = relay.test
		mydomain = relay.test
		myorigin = relay.test
		inet_interfaces = 127.0.0.1
		inet_protocols = ipv4
		mynetworks_style = host
		mydestination =
		relay_domains =
		alias_maps =
		alias_database =
		local_recipient_maps =
		biff = no
		smtpd_banner = \$myhostname ESMTP relaymail test relay
		smtpd_peername_lookup = no
		# Headers arrive exactly as sent: no rewriting, nothing added.
		local_header_rewrite_clients =
		message_size_limit = 200000000
		mailbox_size_limit = 0
		# Nothing ever leaves the machine.
		default_transport = error:test relay delivers locally only
		relay_transport = error:test relay delivers locally only
		# The sink: every address is a mailbox in one Maildir.
		virtual_mailbox_domains = regexp:$_rl_p/virtual_domains
		virtual_mailbox_maps = regexp:$_rl_p/virtual_mailboxes
		virtual_mailbox_base = $1/sink
		virtual_mailbox_limit = 0
		virtual_minimum_uid = 1
		virtual_uid_maps = static:$_rl_uid
		virtual_gid_maps = static:$_rl_gid
		smtpd_tls_cert_file = $1/tls/server.pem
		smtpd_tls_key_file = $1/tls/server-key.pem
		smtpd_tls_loglevel = 1
		smtpd_tls_received_header = yes
		smtpd_sasl_type = dovecot
		smtpd_sasl_path = $1/dovecot/auth-postfix
		smtpd_sender_login_maps = texthash:$_rl_p/sender_logins
	EOF
	cat >"$_rl_p/master.cf" <<-EOF
		# service type  private unpriv  chroot  wakeup  maxproc command
		$RELAY_HOST:$RELAY_SUBMISSION_PORT inet n - n - - smtpd
		  -o syslog_name=relaytest/submission
		  -o smtpd_tls_security_level=encrypt
		  -o smtpd_sasl_auth_enable=yes
		  -o smtpd_tls_auth_only=yes
		  -o smtpd_relay_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject
		$RELAY_HOST:$RELAY_SMTPS_PORT inet n - n - - smtpd
		  -o syslog_name=relaytest/smtps
		  -o smtpd_tls_wrappermode=yes
		  -o smtpd_tls_security_level=encrypt
		  -o smtpd_sasl_auth_enable=yes
		  -o smtpd_tls_auth_only=yes
		  -o smtpd_relay_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject
		# TEST ONLY: no TLS, no AUTH, accepts anything from 127.0.0.1.
		$RELAY_HOST:$RELAY_PLAIN_PORT inet n - n - - smtpd
		  -o syslog_name=relaytest/plain
		  -o smtpd_tls_security_level=none
		  -o smtpd_sasl_auth_enable=no
		  -o smtpd_relay_restrictions=permit_mynetworks,reject
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		proxywrite unix -       -       n       -       1       proxymap
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		virtual   unix  -       n       n       -       -       virtual
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# More services of the caller's (RELAY_EXTRA_MASTER names a file of
	# master.cf lines), e.g. smtpd ports that each behave their own way.
	if [ -n "${RELAY_EXTRA_MASTER:-}" ]; then
		cat "$RELAY_EXTRA_MASTER" >>"$_rl_p/master.cf" || return 1
	fi
	# Postfix rereads a table or main.cf every 0.3 s until it is at least
	# a second old (it might be half-written): that costs 2 s per start.
	touch -t 200001010000 "$_rl_p"/* "$_rl_p"
}

# relay__env DIR: writes DIR/relay.env, sourceable by sh.
relay__env() {
	{
		echo "# The test relay in $1; written by relay_start."
		for _rl_v in RELAY_DIR RELAY_HOST RELAY_SUBMISSION_PORT RELAY_SMTPS_PORT \
			RELAY_PLAIN_PORT RELAY_CA RELAY_OTHER_CA RELAY_SERVER_CERT \
			RELAY_SERVER_KEY RELAY_EXPIRED_CERT RELAY_OTHER_CERT \
			RELAY_USER1 RELAY_PASS1 RELAY_USER2 RELAY_PASS2 RELAY_SLOW_USER RELAY_SINK \
			RELAY_MAILLOG RELAY_POSTFIX_CONF; do
			eval "_rl_val=\$$_rl_v"
			echo "$_rl_v=$(relay__q "$_rl_val")"
		done
	} >"$1/relay.env"
}

# relay_start DIR: creates DIR and starts Dovecot and Postfix there, then
# writes DIR/relay.env. Non-zero with a message on stderr on failure, and
# then nothing it started is left running.
relay_start() {
	if [ -z "${1:-}" ]; then
		relay__err "usage: relay_start DIR"
		return 64
	fi
	if _rl_why=$(relay_available); then :; else
		relay__err "$_rl_why"
		return 1
	fi
	mkdir -p "$1" || return 1
	RELAY_DIR=$(cd "$1" && pwd) || return 1
	# Postfix's and Dovecot's users must reach their files below DIR.
	chmod 0755 "$RELAY_DIR" || return 1
	RELAY_HOST=127.0.0.1
	_rl_ports=$(relay__freeport 3) || {
		relay__err "cannot find free ports"
		return 1
	}
	set -- "$RELAY_DIR" $_rl_ports
	RELAY_SUBMISSION_PORT=$2
	RELAY_SMTPS_PORT=$3
	RELAY_PLAIN_PORT=$4
	set -- "$RELAY_DIR"
	RELAY_USER1=user@isp.test
	RELAY_PASS1=pass-user1
	RELAY_USER2=backup@isp2.test
	RELAY_PASS2=pass-user2
	# A login stored as SCRAM-SHA-256 with 200,000 iterations, over what
	# relaymail computes: its SCRAM challenge is refused (keys made by
	# doveadm pw for "secret3" with 4096, the count raised).
	RELAY_SLOW_USER=slow@isp.test
	RELAY_CA=$1/tls/ca.pem
	RELAY_OTHER_CA=$1/tls/other-ca.pem
	RELAY_SERVER_CERT=$1/tls/server.pem
	RELAY_SERVER_KEY=$1/tls/server-key.pem
	RELAY_EXPIRED_CERT=$1/tls/expired.pem
	RELAY_OTHER_CERT=$1/tls/other-server.pem
	RELAY_SINK=$1/sink/sink/new
	RELAY_MAILLOG=$1/maillog
	RELAY_POSTFIX_CONF=$1/postfix

	if relay__certs "$1" && relay__postfix_conf "$1" && relay__dovecot "$1" &&
		relay__postfix_start "$1"; then
		relay__env "$1"
		return 0
	fi
	relay_stop "$1"
	return 1
}

# relay__postfix_start DIR: starts the instance and waits for a greeting on
# every port.
relay__postfix_start() {
	if ! postfix -c "$1/postfix" start >"$1/postfix-start.log" 2>&1; then
		relay__err "postfix did not start:"
		# Postfix writes fatal errors to stderr only when it is a tty.
		if command -v script >/dev/null 2>&1; then
			script -qec "postfix -c '$1/postfix' check" /dev/null >&2
		fi
		cat "$1/postfix-start.log" >&2
		tail -n 10 "$1/maillog" >&2 2>/dev/null
		return 1
	fi
	# One deadline for all ports: a probe itself may take seconds.
	_rl_end=$(($(date +%s) + RELAY_START_TIMEOUT))
	for _rl_probe in "$RELAY_SUBMISSION_PORT" "$RELAY_PLAIN_PORT" \
		"$RELAY_SMTPS_PORT tls $RELAY_CA"; do
		# shellcheck disable=SC2086 # $_rl_probe is PORT [tls CAFILE] on purpose
		until relay__probe $_rl_probe; do
			if [ "$(date +%s)" -ge "$_rl_end" ]; then
				relay__err "no SMTP greeting on port ${_rl_probe%% *} after ${RELAY_START_TIMEOUT}s; maillog ends:"
				tail -n 15 "$1/maillog" >&2 2>/dev/null
				return 1
			fi
			sleep 0.1
		done
	done
}

# relay_stop DIR: stops the Postfix and Dovecot of DIR. Safe to call twice
# and after a half-way start; the files stay (the caller removes DIR).
# "postfix stop" is what the manual says, but its script polls once a
# second; signalling the master directly is the same SIGTERM without the
# wait. RELAY_STOP_GRACEFUL=1 uses "postfix stop" anyway.
relay_stop() {
	[ -n "${1:-}" ] && [ -d "$1" ] || return 0
	_rl_rc=0
	if _rl_pid=$(relay__alive "$1/queue/pid/master.pid"); then
		if [ "${RELAY_STOP_GRACEFUL:-0}" = 1 ]; then
			postfix -c "$1/postfix" stop >/dev/null 2>&1
		fi
		relay__kill "$_rl_pid" "postfix master" || _rl_rc=1
	fi
	if _rl_pid=$(relay__alive "$1/dovecot/run/master.pid"); then
		relay__kill "$_rl_pid" dovecot || _rl_rc=1
	fi
	return "$_rl_rc"
}

# relay_count DIR: the number of messages in the sink.
relay_count() {
	_rl_n=0
	for _rl_f in "$1"/sink/sink/new/*; do
		[ -f "$_rl_f" ] && _rl_n=$((_rl_n + 1))
	done
	echo "$_rl_n"
}

# relay_wait_mail DIR COUNT TIMEOUT: waits until the sink holds at least
# COUNT messages; status 1 after TIMEOUT seconds.
relay_wait_mail() {
	_rl_end=$(($(date +%s) + ${3:-10}))
	until [ "$(relay_count "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -ge "$_rl_end" ] && return 1
		sleep 0.05
	done
	return 0
}

# relay_flush DIR: asks Postfix to retry everything deferred now.
relay_flush() {
	postqueue -c "$1/postfix" -f
}
