#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The sendmail, mailq and newaliases links of "make install" and "make
# uninstall":  install-links.sh install|uninstall DESTDIR SBINDIR NAME...
# Only relaymail's own link (a symbolic link to relaymail) is ever replaced
# or removed. Anything else under one of the NAMEs, such as another mail
# system's sendmail, stops "make install" before it makes a single link,
# with a message saying what is there and how to go on; "make uninstall"
# leaves it where it is and says so. LN_S is configure's link command.
set -u

mode=$1
destdir=$2
sbindir=$3
shift 3
dir=$destdir$sbindir
me="relaymail: make $mode"

# ours PATH: status 0 when PATH is relaymail's own link.
ours() {
	if [ -L "$1" ]; then
		case $(readlink "$1") in
		relaymail | ./relaymail | "$sbindir/relaymail") return 0 ;;
		esac
		return 1
	fi
	# A hard link, where configure found no symbolic links (LN_S is ln).
	[ -f "$1" ] && [ -f "$dir/relaymail" ] && [ "$1" -ef "$dir/relaymail" ]
}

# owner NAME: the Debian package that owns SBINDIR/NAME, when the
# installation is into the real file system (no DESTDIR) and dpkg knows it.
owner() {
	[ -z "$destdir" ] && command -v dpkg-query >/dev/null 2>&1 || return 0
	dpkg-query -S "$sbindir/$1" 2>/dev/null | sed -n '1s/:.*//p'
}

# what PATH NAME: what PATH is, and which package it comes from.
what() {
	if [ -L "$1" ]; then
		printf 'a symbolic link to %s' "$(readlink "$1")"
	elif [ -d "$1" ]; then
		printf 'a directory'
	elif [ -f "$1" ] && [ -x "$1" ]; then
		printf 'another program'
	else
		printf 'a file that is not relaymail'
	fi
	_pkg=$(owner "$2")
	[ -z "$_pkg" ] || printf ', from the Debian package %s' "$_pkg"
}

case $mode in
install)
	foreign=""
	for name in "$@"; do
		f=$dir/$name
		if { [ -e "$f" ] || [ -L "$f" ]; } && ! ours "$f"; then
			printf '%s: %s is not relaymail'\''s: it is %s.\n' \
				"$me" "$f" "$(what "$f" "$name")" >&2
			foreign="$foreign $name"
		fi
	done
	if [ -n "$foreign" ]; then
		packages=$(for name in $foreign; do owner "$name"; done | sort -u |
			tr '\n' ' ' | sed 's/ *$//')
		cat >&2 <<EOF
$me: stopped before making the sendmail, mailq and newaliases
  links; nothing was replaced. relaymail itself is installed as
  $dir/relaymail.
  To make relaymail the system's sendmail, remove the other mail system
  ${packages:+(Debian: apt-get remove $packages) }and run "make install" again.
  To keep the other one, run configure again with --disable-sendmail-links
  or with another --prefix (the default is /usr/local), then "make install".
  README, "Becoming the system's sendmail", tells more.
EOF
		exit 1
	fi
	cd "$dir" || exit 1
	for name in "$@"; do
		rm -f "$name" && ${LN_S:-ln -s} relaymail "$name" || exit 1
	done
	;;
uninstall)
	[ -d "$dir" ] || exit 0
	for name in "$@"; do
		f=$dir/$name
		if ours "$f"; then
			rm -f "$f" || exit 1
		elif [ -e "$f" ] || [ -L "$f" ]; then
			printf '%s: left %s alone: it is not relaymail'\''s (it is %s).\n' \
				"$me" "$f" "$(what "$f" "$name")" >&2
		fi
	done
	;;
*)
	echo "usage: install-links.sh install|uninstall DESTDIR SBINDIR NAME..." >&2
	exit 2
	;;
esac
exit 0
