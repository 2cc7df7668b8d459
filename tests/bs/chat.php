<?php
// SPDX-License-Identifier: GPL-3.0-or-later
// A scripted SMTP client for "relaymail -bs": runs the command given after
// the script name and follows the script, printing every reply line it
// reads, then "exit N". Script lines: "> TEXT" queues TEXT and CRLF,
// ">file PATH" queues the bytes of PATH, "< [N]" writes what is queued in
// one write and reads N replies (default 1). A reply line that does not
// end in CRLF is printed with " [no CR]".
// Usage: php chat.php SCRIPT COMMAND [ARG...]

const REPLY_TIMEOUT = 60;

function fail(string $why): void
{
    fwrite(STDERR, "chat.php: $why\n");
    echo "chat failed: $why\n";
    exit(1);
}

function read_line($out): string
{
    $r = [$out];
    $w = $e = null;
    if (stream_select($r, $w, $e, REPLY_TIMEOUT) !== 1) {
        fail('no reply within ' . REPLY_TIMEOUT . ' s');
    }
    $line = fgets($out);
    if ($line === false) {
        fail('end of output while waiting for a reply');
    }
    return $line;
}

// One whole reply: lines until one with a space after the code.
function read_reply($out): void
{
    do {
        $line = read_line($out);
        if (substr($line, -2) === "\r\n") {
            $text = substr($line, 0, -2);
        } else {
            $text = rtrim($line, "\n") . ' [no CR]';
        }
        echo $text, "\n";
    } while (strlen($line) > 3 && $line[3] === '-');
}

if ($argc < 3) {
    fail('usage: php chat.php SCRIPT COMMAND [ARG...]');
}
$script = file($argv[1], FILE_IGNORE_NEW_LINES);
if ($script === false) {
    fail("cannot read $argv[1]");
}
$proc = proc_open(array_slice($argv, 2), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'],
    2 => STDERR], $pipes);
if ($proc === false) {
    fail('cannot start ' . $argv[2]);
}
[$in, $out] = $pipes;
$queued = '';
foreach ($script as $step) {
    if (strncmp($step, '> ', 2) === 0) {
        $queued .= substr($step, 2) . "\r\n";
    } elseif (strncmp($step, '>file ', 6) === 0) {
        $bytes = file_get_contents(substr($step, 6));
        if ($bytes === false) {
            fail('cannot read ' . substr($step, 6));
        }
        $queued .= $bytes;
    } elseif ($step === '<' || strncmp($step, '< ', 2) === 0) {
        if ($queued !== '' && fwrite($in, $queued) !== strlen($queued)) {
            fail('cannot write to the command');
        }
        fflush($in);
        $queued = '';
        $n = $step === '<' ? 1 : (int)substr($step, 2);
        for ($i = 0; $i < $n; $i++) {
            read_reply($out);
        }
    } elseif ($step !== '') {
        fail("bad script line: $step");
    }
}
fclose($in);
$rest = stream_get_contents($out);
if ($rest !== '') {
    echo 'after the script: ', json_encode($rest), "\n";
}
fclose($out);
echo 'exit ', proc_close($proc), "\n";
