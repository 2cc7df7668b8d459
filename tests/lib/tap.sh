# SPDX-License-Identifier: GPL-3.0-or-later
# TAP for shell tests (POSIX sh): source it, report with tap_ok/tap_is,
# end with tap_done, which prints the plan and sets the exit status.

_tap_n=0
_tap_failed=0

# tap__result STATUS DESC: one "ok"/"not ok" line; returns STATUS.
tap__result() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
		return 0
	fi
	printf 'not ok %d - %s\n' "$_tap_n" "$2"
	_tap_failed=$((_tap_failed + 1))
	return 1
}

# tap_diag TEXT...: each line of TEXT as a "# " comment.
tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# tap_ok DESC CMD...: passes when CMD succeeds.
tap_ok() {
	_tap_desc=$1
	shift
	"$@"
	tap__result $? "$_tap_desc"
}

# tap_is GOT WANT DESC: passes when the two strings are equal.
tap_is() {
	if [ "$1" = "$2" ]; then
		tap__result 0 "$3"
		return 0
	fi
	tap__result 1 "$3"
	tap_diag "     got: '$1'" "expected: '$2'"
	return 1
}

# tap_skip DESC REASON: a check that could not run here.
tap_skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"
}

# tap_skip_all REASON: the whole test cannot run here; exits 0.
tap_skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

# tap_bail REASON: stops the test as a failure.
tap_bail() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

# tap_done: prints the plan; exits 1 when a check failed, else 0.
tap_done() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" = 0 ] || tap_diag "$_tap_failed of $_tap_n checks failed"
	[ "$_tap_failed" = 0 ]
	exit $?
}
