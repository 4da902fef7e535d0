#!/usr/bin/python3
# tests/common/fake-smtp.py — a scripted SMTP server for the faults a real one won't make.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Listens on 127.0.0.1 and a free port (or --port N), prints that port on stdout as one line,
# then serves one connection after another, in the clear (no TLS at all), until
# its standard input closes (the test that started it exited or closed the pipe).
# Every line the client sends is appended to --log (one per line, as received,
# without CRLF; the message data as "DATA-BYTES n" instead of its lines).
#
# Behaviour:
#   EHLO offers PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, SIZE and AUTH PLAIN
#     LOGIN; --no-starttls leaves STARTTLS out (it is offered by default, and
#     answered "454 4.7.0 TLS not available" since this server has no TLS);
#     --no-smtputf8 leaves SMTPUTF8 out (offered by default).
#   AUTH PLAIN/LOGIN accept --user / --password (fake@example.test / fake-secret);
#     --auth "LOGIN" offers only the mechanisms given. --no-ehlo answers EHLO with
#     "502 5.5.2" (a server from before RFC 1869), so only HELO works.
#   RCPT TO:<ADDRESS> answers "550 5.1.1 <ADDRESS>: Recipient address rejected:
#     User unknown" for each --reject ADDRESS, "452 4.2.2 Mailbox full" for each
#     --full ADDRESS, 250 otherwise.
#   DATA answers 354 when some recipient was accepted, else "554 5.5.1 No valid
#     recipients"; after the data, 250, or the next unused --data-reply (one per
#     message, across connections: "--data-reply '451 4.3.0 Try later'
#     --data-reply '554 5.7.1 Rejected'" refuses the first message for now, the
#     second for good, and takes the rest). --drop-in-data N closes the
#     connection in the middle of the data of the first N messages.

import argparse
import base64
import socket
import sys
import threading


def main():
  p = argparse.ArgumentParser()
  p.add_argument('--log', required=True)
  p.add_argument('--user', default='fake@example.test')
  p.add_argument('--password', default='fake-secret')
  p.add_argument('--no-starttls', action='store_true')
  p.add_argument('--no-smtputf8', action='store_true')
  p.add_argument('--reject', action='append', default=[])
  p.add_argument('--full', action='append', default=[])
  p.add_argument('--data-reply', action='append', default=[])
  p.add_argument('--drop-in-data', type=int, default=0)
  p.add_argument('--port', type=int, default=0)
  p.add_argument('--auth', default='PLAIN LOGIN')
  p.add_argument('--no-ehlo', action='store_true')
  args = p.parse_args()
  args.data_count = 0

  listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  listener.bind(('127.0.0.1', args.port))
  listener.listen(8)
  print(listener.getsockname()[1], flush=True)

  def watch_stdin():
    sys.stdin.read()
    listener.close()
    import os
    os._exit(0)

  threading.Thread(target=watch_stdin, daemon=True).start()

  log = open(args.log, 'a', encoding='utf-8', errors='replace')

  def note(line):
    log.write(line + '\n')
    log.flush()

  while True:
    try:
      conn, _ = listener.accept()
    except OSError:
      return
    try:
      serve(conn.makefile('rb'), conn, args, note)
    except (OSError, ValueError):
      pass
    finally:
      conn.close()


def serve(reader, conn, args, note):
  def send(text):
    conn.sendall(text.encode() + b'\r\n')

  def readline():
    line = reader.readline()
    if not line:
      raise ValueError('closed')
    return line.rstrip(b'\r\n').decode('utf-8', 'replace')

  send('220 fake.example.test ESMTP Buzon fake')
  accepted = 0
  while True:
    line = readline()
    note(line)
    verb = line.split(' ', 1)[0].upper()
    if verb == 'EHLO' and args.no_ehlo:
      send('502 5.5.2 Error: command not recognized')
    elif verb == 'EHLO':
      ext = ['fake.example.test', 'PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES', 'SIZE 1000000']
      if not args.no_starttls:
        ext.append('STARTTLS')
      if not args.no_smtputf8:
        ext.append('SMTPUTF8')
      ext.append('AUTH ' + args.auth)
      for i, e in enumerate(ext):
        send(('250 ' if i == len(ext) - 1 else '250-') + e)
    elif verb == 'HELO':
      send('250 fake.example.test')
    elif verb == 'STARTTLS':
      send('454 4.7.0 TLS not available')
    elif verb == 'AUTH':
      words = line.split(' ')
      mech = words[1].upper() if len(words) > 1 else ''
      if mech not in args.auth.upper().split():
        send('504 5.5.4 Unrecognized authentication type')
        continue
      if mech == 'PLAIN':
        blob = words[2] if len(words) > 2 else None
        if blob is None:
          send('334 ')
          blob = readline()
          note(blob)
        parts = base64.b64decode(blob).split(b'\0')
        ok = len(parts) == 3 and parts[1].decode() == args.user and \
          parts[2].decode() == args.password
      elif mech == 'LOGIN':
        send('334 VXNlcm5hbWU6')
        user = base64.b64decode(readline()).decode()
        send('334 UGFzc3dvcmQ6')
        password = base64.b64decode(readline()).decode()
        ok = user == args.user and password == args.password
      else:
        send('504 5.5.4 Unrecognized authentication type')
        continue
      send('235 2.7.0 Authentication successful' if ok else
           '535 5.7.8 Error: authentication failed')
    elif verb == 'MAIL':
      accepted = 0
      send('250 2.1.0 Ok')
    elif verb == 'RCPT':
      address = line[line.find('<') + 1:line.rfind('>')]
      if address in args.reject:
        send(f'550 5.1.1 <{address}>: Recipient address rejected: User unknown')
      elif address in args.full:
        send(f'452 4.2.2 <{address}>: Mailbox full')
      else:
        accepted += 1
        send('250 2.1.5 Ok')
    elif verb == 'DATA':
      if accepted == 0:
        send('554 5.5.1 Error: no valid recipients')
        continue
      send('354 End data with <CR><LF>.<CR><LF>')
      args.data_count += 1
      if args.data_count <= args.drop_in_data:
        reader.readline()
        note('DROPPED-IN-DATA')
        raise ValueError('dropped on purpose')
      size = 0
      while True:
        raw = reader.readline()
        if not raw:
          raise ValueError('closed')
        if raw == b'.\r\n':
          break
        size += len(raw)
      note(f'DATA-BYTES {size}')
      if args.data_count <= len(args.data_reply):
        send(args.data_reply[args.data_count - 1])
      else:
        send(f'250 2.0.0 Ok: queued as FAKE{args.data_count}')
    elif verb == 'RSET':
      accepted = 0
      send('250 2.0.0 Ok')
    elif verb == 'NOOP':
      send('250 2.0.0 Ok')
    elif verb == 'QUIT':
      send('221 2.0.0 Bye')
      return
    else:
      send('502 5.5.2 Error: command not recognized')


if __name__ == '__main__':
  main()
