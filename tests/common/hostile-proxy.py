#!/usr/bin/python3
# tests/common/hostile-proxy.py — a TCP proxy in front of a real mail server that misbehaves.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Listens on 127.0.0.1 and a free port, prints that port on stdout as one line,
# and forwards each connection to --upstream HOST:PORT (only loopback addresses
# are accepted), in the clear: the upstream must be a clear port (IMAP 143, POP3
# 110, SMTP 587 of build-aux/test-servers started with --allow-plaintext), so
# the proxy sees the protocol. It runs until its standard input closes.
#
# The real server does the talking; the proxy changes what the client gets, as
# a broken or hostile server would, chosen with --behaviour:
#   pass            forward everything unchanged (the control case)
#   drop-at:N       close both sides once N bytes went to the client
#   garbage         answer the client with non-protocol bytes instead of the greeting
#   bye-in-fetch    at the first untagged FETCH the server sends, send "* BYE" instead
#                   and close
#   huge-literal    at the first FETCH with a literal, announce a 2 GiB literal
#                   instead, then send slowly and never finish
#   long-line       at the first FETCH, send 10 MB without a line end, then wait
#   slow:N          send the server's first N bytes one every 50 ms, then the rest
#   strip-starttls  remove STARTTLS from every capability list the server sends
#   interleave      inside every FETCH response, before each "* N FETCH" line, slip in
#                   the mailbox's "* M EXISTS" again, and after it "* N FETCH (FLAGS
#                   (…))" with the flags that line gave: untagged data a server may
#                   send at any time (RFC 3501 §7), true, so nothing must change
# Every line the client sends is logged to --log (one per line; literals and long
# lines cut), so a test can check what the client did, such as that it never sent
# a password where TLS was required.

import argparse
import re
import socket
import sys
import threading
import time


def main():
  p = argparse.ArgumentParser()
  p.add_argument('--upstream', required=True)
  p.add_argument('--behaviour', default='pass')
  p.add_argument('--log', required=True)
  args = p.parse_args()

  host, port = args.upstream.rsplit(':', 1)
  if host not in ('127.0.0.1', 'localhost', '::1'):
    sys.exit('hostile-proxy: only loopback upstreams')
  upstream = (host, int(port))

  listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  listener.bind(('127.0.0.1', 0))
  listener.listen(8)
  print(listener.getsockname()[1], flush=True)

  log = open(args.log, 'a', encoding='utf-8', errors='replace')
  log_lock = threading.Lock()

  def note(line):
    with log_lock:
      log.write(line[:200] + '\n')
      log.flush()

  def watch_stdin():
    sys.stdin.read()
    import os
    os._exit(0)

  threading.Thread(target=watch_stdin, daemon=True).start()

  while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn, upstream, args.behaviour, note),
                     daemon=True).start()


def close_both(a, b):
  for s in (a, b):
    try:
      s.shutdown(socket.SHUT_RDWR)
    except OSError:
      pass
    try:
      s.close()
    except OSError:
      pass


def client_to_server(client, server, note):
  buffer = b''
  try:
    while True:
      data = client.recv(65536)
      if not data:
        break
      buffer += data
      while b'\n' in buffer:
        line, buffer = buffer.split(b'\n', 1)
        note('C: ' + line.rstrip(b'\r').decode('utf-8', 'replace'))
      if len(buffer) > 4096:
        note('C: ' + buffer[:100].decode('utf-8', 'replace') + '…')
        buffer = b''
      server.sendall(data)
  except OSError:
    pass
  close_both(client, server)


STARTTLS = re.compile(rb' STARTTLS| STLS', re.I)
FETCH_LINE = re.compile(rb'^\* (\d+) FETCH ', re.I)
EXISTS_LINE = re.compile(rb'^\* (\d+) EXISTS', re.I)
FLAGS_ITEM = re.compile(rb'FLAGS \(([^)]*)\)', re.I)


def serve(client, upstream, behaviour, note):
  try:
    server = socket.create_connection(upstream, timeout=10)
    server.settimeout(None)
  except OSError:
    client.close()
    return

  if behaviour == 'garbage':
    client.sendall(b'\x00\xff\xfeHELLO?? \x1b[31m not a mail server \x07\r\n\x00\x00')
    time.sleep(0.5)
    close_both(client, server)
    return

  threading.Thread(target=client_to_server, args=(client, server, note), daemon=True).start()

  limit = None
  if behaviour.startswith('drop-at:'):
    limit = int(behaviour.split(':', 1)[1])

  sent = 0
  pending = b''
  exists = None
  try:
    while True:
      data = server.recv(65536)
      if not data:
        break

      if behaviour == 'pass':
        client.sendall(data)
        continue

      if limit is not None:
        take = data[:max(limit - sent, 0)]
        client.sendall(take)
        sent += len(take)
        if sent >= limit:
          note('PROXY: dropped after %d bytes' % sent)
          break
        continue

      if behaviour.startswith('slow:'):
        slow = int(behaviour.split(':', 1)[1])
        for i in range(len(data)):
          client.sendall(data[i:i + 1])
          sent += 1
          if sent < slow:
            time.sleep(0.05)
          else:
            client.sendall(data[i + 1:])
            behaviour = 'pass'
            break
        continue

      # The line-based behaviours look at whole lines.
      pending += data
      lines = pending.split(b'\n')
      pending = lines.pop()
      out = []
      for raw in lines:
        line = raw + b'\n'
        if behaviour == 'strip-starttls' and (b'CAPABILITY' in line.upper() or
                                              line.upper().startswith(b'250')):
          line = STARTTLS.sub(b'', line)
          if line.upper().strip() in (b'250-', b'250'):
            continue
        elif behaviour == 'bye-in-fetch' and FETCH_LINE.match(line):
          client.sendall(b''.join(out) + b'* BYE Internal error occurred. Refer to server log\r\n')
          note('PROXY: BYE in FETCH')
          raise StopIteration
        elif behaviour == 'huge-literal' and FETCH_LINE.match(line) and line.rstrip().endswith(b'}'):
          number = FETCH_LINE.match(line).group(1)
          client.sendall(b''.join(out) + b'* ' + number + b' FETCH (UID 1 BODY[] {2147483648}\r\n')
          note('PROXY: 2 GiB literal')
          for _ in range(200):
            client.sendall(b'x' * 1024)
            time.sleep(0.05)
          raise StopIteration
        elif behaviour == 'long-line' and FETCH_LINE.match(line):
          client.sendall(b''.join(out))
          note('PROXY: 10 MB line')
          chunk = b'y' * 65536
          for _ in range(160):
            client.sendall(chunk)
          time.sleep(30)
          raise StopIteration
        elif behaviour == 'interleave' and EXISTS_LINE.match(line):
          exists = EXISTS_LINE.match(line).group(1)
        elif behaviour == 'interleave' and FETCH_LINE.match(line) and exists is not None:
          number = FETCH_LINE.match(line).group(1)
          flags = FLAGS_ITEM.search(line)
          out.append(b'* ' + exists + b' EXISTS\r\n')
          out.append(line)
          # Only after a line that is complete in itself (no literal follows).
          if flags is not None and not line.rstrip().endswith(b'}'):
            out.append(b'* ' + number + b' FETCH (FLAGS (' + flags.group(1) + b'))\r\n')
          continue
        out.append(line)
      if out:
        client.sendall(b''.join(out))
  except (OSError, StopIteration):
    pass
  close_both(client, server)


if __name__ == '__main__':
  main()
