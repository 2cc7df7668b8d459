#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# "make install" and "make uninstall" into a scratch DESTDIR: the
# sendmail, mailq and newaliases links are made and replaced when they are
# relaymail's own; another mail system's sendmail (a program or a symbolic
# link) stops the install with a message, untouched and with no link made;
# uninstall removes only relaymail's links. The example configuration is
# installed where both man pages say, naming the configuration folder they
# name. Needs a build configured with the sendmail links (the default).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${MAKE:=make}"
. "$top_srcdir/tests/lib/tap.sh"

grep -q '^install-exec-hook:' "$top_builddir/Makefile" ||
	tap_skip_all "configured with --disable-sendmail-links"
T=$(mktemp -d "${TMPDIR:-/tmp}/relaymail-install.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
D=$T/dest

# mk TARGET: make TARGET into $D; its output goes to $T/out, the status
# to $st.
mk() {
	st=0
	$MAKE -C "$top_builddir" "$1" DESTDIR="$D" >"$T/out" 2>&1 || st=$?
}

# links DIR: "name:target" for each of the three names, "name:-" when it
# is missing, "name:file" when it is not a symbolic link.
links() {
	for n in sendmail mailq newaliases; do
		if [ -L "$1/$n" ]; then
			printf '%s:%s ' "$n" "$(readlink "$1/$n")"
		elif [ -e "$1/$n" ]; then
			printf '%s:file ' "$n"
		else
			printf '%s:- ' "$n"
		fi
	done
}
own="sendmail:relaymail mailq:relaymail newaliases:relaymail "

# 1. Into an empty DESTDIR.
mk install
tap_is "$st" 0 "make install into an empty DESTDIR succeeds" || tap_diag "$(tail -n 20 "$T/out")"
prog=$(find "$D" -name relaymail -type f | head -n 1)
[ -n "$prog" ] || tap_bail "make install put no relaymail under $D"
S=$(dirname "$prog")
tap_is "$(links "$S")" "$own" "sendmail, mailq and newaliases are links to relaymail"

# 2. Again, over its own links (one made by hand with an absolute path).
rm -f "$S/mailq" && ln -s "${S#"$D"}/relaymail" "$S/mailq"
mk install
tap_is "$st" 0 "make install over relaymail's own links succeeds" || tap_diag "$(tail -n 20 "$T/out")"
tap_is "$(links "$S")" "$own" "relaymail's own links are replaced"

# The example configuration, where the FILES sections say it is.
example=$(find "$D" -name sendmail.conf.example -type f | head -n 1)
tap_ok "make install installs sendmail.conf.example" test -n "$example"
where=${example#"$D"}
for page in relaymail.8 sendmail.conf.5; do
	tap_ok "$page names $where" grep -q "^\.I \\\\%$where\$" "$top_builddir/doc/$page"
done
conf=$(sed -n 's/^\.I \\%\(.*\/relaymail\/sendmail\.conf\)$/\1/p' "$top_builddir/doc/sendmail.conf.5" | head -n 1)
tap_ok "the installed example says to copy it to $conf" grep -q "^# Copy to $conf " "$example"
guide=$(find "$D" -name guide.ja.md -type f | head -n 1)
tap_is "${guide#"$D"}" "$(dirname "$where")/guide.ja.md" "the Japanese guide is installed beside it"

# 3. Uninstall removes relaymail and its links.
mk uninstall
tap_is "$st" 0 "make uninstall succeeds"
tap_is "$(links "$S")" "sendmail:- mailq:- newaliases:- " "make uninstall removes relaymail's links"
tap_ok "make uninstall removes relaymail" test ! -e "$S/relaymail"

# 4. Another mail system's sendmail program is in the way.
mkdir -p "$S"
printf '#!/bin/sh\necho "I am another MTA"\n' >"$S/sendmail"
chmod 755 "$S/sendmail"
cp -p "$S/sendmail" "$T/sendmail.orig"
mk install
tap_ok "make install stops when sendmail is another program" test "$st" != 0
tap_ok "the message names the file and says it is not relaymail's" \
	grep -q "relaymail: make install: $S/sendmail is not relaymail's: it is another program" "$T/out"
tap_ok "the message says how to proceed" grep -q -- "--disable-sendmail-links" "$T/out"
tap_ok "the other sendmail is left as it was" cmp -s "$S/sendmail" "$T/sendmail.orig"
tap_is "$(links "$S")" "sendmail:file mailq:- newaliases:- " "no link was made"

# 5. Another mail system's sendmail link is in the way.
rm -f "$S/sendmail" && ln -s exim4 "$S/sendmail"
mk install
tap_ok "make install stops when sendmail is a link to another program" test "$st" != 0
tap_ok "the message says where the link points" \
	grep -q "$S/sendmail is not relaymail's: it is a symbolic link to exim4" "$T/out"
tap_is "$(links "$S")" "sendmail:exim4 mailq:- newaliases:- " "the link is left as it was, and no link was made"

# 6. Uninstall beside another mail system's sendmail.
cp -p "$T/sendmail.orig" "$S/sendmail.new" && mv -f "$S/sendmail.new" "$S/sendmail"
ln -s relaymail "$S/mailq"
ln -s relaymail "$S/newaliases"
mk uninstall
tap_is "$st" 0 "make uninstall succeeds beside another sendmail"
tap_ok "the other sendmail is left as it was" cmp -s "$S/sendmail" "$T/sendmail.orig"
tap_is "$(links "$S")" "sendmail:file mailq:- newaliases:- " "only relaymail's links are removed"
tap_ok "make uninstall says it left the other sendmail alone" \
	grep -q "relaymail: make uninstall: left $S/sendmail alone: it is not relaymail's" "$T/out"

tap_done
