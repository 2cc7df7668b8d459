#!/usr/bin/perl
# SPDX-License-Identifier: GPL-3.0-or-later
# smtptap: a recording TCP relay for the tests, between an SMTP client and
# a server on loopback, so that a test sees how the client wrote its
# commands (one per write, or pipelined in one).
#
#   perl smtptap.pl DIR LISTEN:TARGET...
#
# For each pair it listens on 127.0.0.1:LISTEN and passes each connection
# on to 127.0.0.1:TARGET, both ways, unchanged. What the client sends goes
# to DIR/LISTEN.tr as fakesmtp writes it: "# connection N", then "C: LINE"
# for a line that began a read and "C+ LINE" for one that came in the same
# read (bytes after STARTTLS are TLS records, not lines). DIR/ready is
# written once every port listens. It runs until killed, or 300 s.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($dir, @pairs) = @ARGV;
die "usage: smtptap.pl DIR LISTEN:TARGET...\n" unless defined $dir && @pairs;

my $sel = IO::Select->new;
my (%target, %peer, %log, %count);
for my $pair (@pairs) {
	my ($listen, $to) = $pair =~ /^(\d+):(\d+)$/ or die "smtptap: bad pair $pair\n";
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $listen,
		Proto => 'tcp', Listen => 16, ReuseAddr => 1)
	    or die "smtptap: cannot listen on $listen: $!\n";
	$target{$s} = [$listen, $to];
	$sel->add($s);
}
open(my $ready, '>', "$dir/ready") or die "smtptap: $dir/ready: $!\n";
close $ready;

$SIG{ALRM} = sub { exit 2 };
alarm 300;

# Sockets by name, so that one closed in the middle of a round is not
# freed while the round still holds it.
my %open;

sub drop {
	my ($s) = @_;
	for my $x ($s, $peer{$s}) {
		next unless defined $x && $open{$x};
		$sel->remove($x);
		delete $log{$x};
		delete $open{$x};
		close $x;
	}
}

while (1) {
	my @ready = $sel->can_read;
	for my $s (@ready) {
		if (my $t = $target{$s}) {
			my $c = $s->accept or next;
			my $u = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
				PeerPort => $t->[1], Proto => 'tcp') or do { close $c; next };
			open(my $fh, '>>', "$dir/$t->[0].tr") or die "smtptap: $!\n";
			$fh->autoflush(1);
			printf $fh "# connection %d\n", ++$count{$t->[0]};
			@peer{$c, $u} = ($u, $c);
			@open{$c, $u} = ($c, $u);
			$log{$c} = $fh;
			$sel->add($c, $u);
			next;
		}
		next unless $open{$s};
		my $n = sysread($s, my $buf, 65536);
		if (!$n) {
			drop($s);
			next;
		}
		if (my $fh = $log{$s}) {
			my $first = 1;
			for my $line (split /\r?\n/, $buf) {
				print $fh ($first ? 'C: ' : 'C+ '), $line, "\n";
				$first = 0;
			}
		}
		my $off = 0;
		while ($off < $n) {
			my $w = syswrite($peer{$s}, $buf, $n - $off, $off);
			last unless $w;
			$off += $w;
		}
	}
}
