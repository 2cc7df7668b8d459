# SPDX-License-Identifier: GPL-3.0-or-later
# A private Postfix that takes messages from its own sendmail (pickup,
# cleanup with whatever main.cf lines it is given, qmgr, smtp) and relays
# every one to the sink of tests/lib/relay.sh, laid out as relay_start
# lays out its instance, so that relay_stop stops it. For the tests that
# compare relaymail with Postfix outside the differential harness. Source
# tests/lib/relay.sh and the sink's relay.env first.

# oracle_up DIR: main.cf lines on stdin; starts it. Status 1 (with the
# reason on stderr) when it does not start.
oracle_up() {
	_or=$1
	mkdir -p "$_or/postfix" "$_or/queue" "$_or/data" && chown postfix "$_or/data" &&
		chmod 0700 "$_or/data" && chmod 0755 "$_or" "$_or/queue" || return 1
	{
		cat <<-EOF
			compatibility_level = 3.6
			queue_directory = $_or/queue
			data_directory = $_or/data
			maillog_file_prefixes = $_or
			maillog_file = $_or/maillog
			syslog_name = oracle
			inet_interfaces = 127.0.0.1
			inet_protocols = ipv4
			alias_database =
			alias_maps =
			biff = no
			transport_maps = static:smtp:[$RELAY_HOST]:$RELAY_PLAIN_PORT
			smtp_tls_security_level = none
		EOF
		cat
	} >"$_or/postfix/main.cf"
	cat >"$_or/postfix/master.cf" <<-EOF
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		flush     unix  n       -       n       1000?   0       flush
		smtp      unix  -       -       n       -       -       smtp
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		showq     unix  n       -       n       -       -       showq
		postlog   unix-dgram n  -       n       -       1       postlogd
		proxywrite unix -       -       n       -       1       proxymap
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
	EOF
	# Files younger than a second make Postfix read them twice, slowly.
	touch -t 200001010000 "$_or/postfix"/* "$_or/postfix"
	if ! postfix -c "$_or/postfix" start >"$_or/start.log" 2>&1; then
		cat "$_or/start.log" >&2
		return 1
	fi
}

# oracle_flush DIR: asks it to try its deferred mail now.
oracle_flush() {
	postqueue -c "$1/postfix" -f >/dev/null 2>&1
}
