# SPDX-License-Identifier: GPL-3.0-or-later
# -bs against the real Postfix relay, with the real callers: a scripted
# SMTP client, Symfony Mailer's sendmail transport and PHP mail().
TESTS += tests/bs.sh
EXTRA_DIST += tests/bs.sh tests/bs/chat.php tests/bs/symfony.php
