<?php
// SPDX-License-Identifier: GPL-3.0-or-later
// Symfony Mailer's own sendmail transport, as Symfony and Laravel use it:
// COMMAND holds " -bs", so the transport speaks SMTP to the command's
// stdin and stdout. Sends COUNT messages from SENDER through one transport
// and prints "sent N" after each.
// Usage: php symfony.php COMMAND SENDER COUNT

require_once 'Symfony/Component/Mailer/autoload.php';

use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport\SendmailTransport;
use Symfony\Component\Mime\Email;

[, $command, $sender, $count] = $argv;
$mailer = new Mailer(new SendmailTransport($command));
for ($i = 1; $i <= (int)$count; $i++) {
    $email = (new Email())
        ->from($sender)
        ->to("symfony$i@dest.test")
        ->subject("Symfony message $i")
        ->text("Symfony body $i.\n.a line with a leading dot\n");
    $mailer->send($email);
    echo "sent $i\n";
}
