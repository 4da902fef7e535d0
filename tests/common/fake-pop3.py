#!/usr/bin/python3
# tests/common/fake-pop3.py — a scripted POP3 server for Buzón's tests.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Dovecot (build-aux/test-servers) is the real server the POP3 code is tested
# against; this one adds what a real server will not do on request: no UIDL, no
# TOP, no CAPA (a bare RFC 1939 server), a connection dropped right after a
# DELE, malformed replies, slow replies. Python 3 standard library only; it
# listens on 127.0.0.1 and nowhere else. tests/common/buzon-test-fake-pop3.h
# starts it from C.
#
# Usage:
#   fake-pop3.py (--messages DIR | --maildir DIR) --port-file FILE [--port PORT]
#                [--tls CERT KEY | --stls CERT KEY] [--user U] [--password P]
#                [--apop] [--no-uidl] [--no-top] [--no-capa]
#                [--drop-after-dele [N]] [--garbage WHAT] [--slow MS]
#                [--log FILE] [--parent-pid PID]
#
# The mailbox: --messages DIR serves DIR's *.eml files, in the order of their
# names; a file's UIDL is its name without ".eml" when that is a valid UIDL
# (1 to 70 characters 0x21-0x7E, RFC 1939 7), else the SHA-1 of the name.
# --maildir DIR serves a Maildir's new/ and cur/ files, in the order of their
# names; UIDL is the name up to its ":" (or its SHA-1 when not valid). The
# directory is read again at each login, so a test may add files between
# sessions. Line ends are sent as CRLF (bare LF becomes CRLF, a missing final
# line end is added); sizes (STAT, LIST) count those bytes before
# dot-stuffing. DELE only marks a message: the files are removed at QUIT
# (RFC 1939 6, UPDATE state); a connection that ends otherwise removes
# nothing; RSET unmarks. One session at a time holds the mailbox: a login
# while another session has it gets "-ERR [IN-USE] ..." (RFC 2449).
#
# Logins: USER/PASS, AUTH PLAIN (RFC 5034, with or without an initial
# response) and, with --apop, APOP; one user, --user (default
# fake@example.test) with --password (default fake-secret). A failed login
# gets "-ERR [AUTH] ...".
#
# Security: plain TCP by default, with no STLS: the client under test must
# be told to use no security (loopback only, for the fake only). --tls CERT KEY:
# implicit TLS (like port 995) with that certificate, for example the one of
# a test-servers instance (its servers.json has cert_file and key_file).
# --stls CERT KEY: plain, with STLS (RFC 2595) offered in CAPA.
#
# Behaviours:
#   --apop               the greeting ends in an APOP timestamp <...>
#   --no-uidl            UIDL gets -ERR and CAPA does not list it
#   --no-top             TOP gets -ERR and CAPA does not list it
#   --no-capa            CAPA gets -ERR (an RFC 1939-only server)
#   --drop-after-dele N  the connection is closed right after the reply to the
#                        N-th DELE of a session (default 1): no QUIT, no UPDATE
#   --garbage WHAT       one kind of malformed server output:
#       greeting  an IMAP greeting instead of "+OK"; then closes at the first command
#       stat      STAT says "+OK many octets"
#       list      LIST's lines are not "number size"
#       uidl      UIDL's lines lack the unique id
#       retr      RETR sends "+OK", then 1 MiB without a line end, then closes
#       status    after login every reply is "OK" (neither "+OK" nor "-ERR")
#   --slow MS            waits MS milliseconds before each reply
#
# --port-file FILE: the port is written there (decimal, a line end; written
# atomically) once the server listens, so a test waits for the file.
# --log FILE: JSON Lines, one object per event: {session, event: "connect" |
# "command" (with line) | "update" (with deleted, the file names) | "close"}.
# --parent-pid PID: the server exits when PID does (tests pass their own).
# SIGTERM stops it at once.

import argparse
import base64
import hashlib
import json
import os
import re
import socket
import socketserver
import ssl
import sys
import threading
import time

HOST = '127.0.0.1'
MAX_COMMAND = 4096
DEFAULT_USER = 'fake@example.test'
DEFAULT_PASSWORD = 'fake-secret'
UIDL_RE = re.compile(rb'[\x21-\x7e]{1,70}')


class Message:
  def __init__(self, name, path, uidl):
    self.name = name
    self.path = path
    self.uidl = uidl
    with open(path, 'rb') as f:
      data = f.read()
    data = re.sub(rb'\r?\n', b'\r\n', data)
    if data and not data.endswith(b'\r\n'):
      data += b'\r\n'
    self.data = data
    self.size = len(data)
    self.deleted = False


def valid_uidl(text):
  raw = text.encode('utf-8', 'surrogateescape')
  if UIDL_RE.fullmatch(raw):
    return text
  return hashlib.sha1(raw).hexdigest()


def load_mailbox(opts):
  out = []
  if opts.messages:
    for name in sorted(os.listdir(opts.messages)):
      path = os.path.join(opts.messages, name)
      if name.endswith('.eml') and os.path.isfile(path):
        out.append(Message(name, path, valid_uidl(name[:-4])))
  else:
    entries = []
    for sub in ('new', 'cur'):
      d = os.path.join(opts.maildir, sub)
      if os.path.isdir(d):
        entries += [(name, os.path.join(d, name)) for name in os.listdir(d)
                    if not name.startswith('.')]
    for name, path in sorted(entries):
      out.append(Message(name, path, valid_uidl(name.split(':', 1)[0])))
  return out


def dot_stuff(data):
  """RFC 1939 3: a line that begins with "." gets one more."""
  return re.sub(rb'(^|\r\n)\.', rb'\1..', data)


class Log:
  def __init__(self, path):
    self.lock = threading.Lock()
    self.file = open(path, 'a', encoding='utf-8') if path else None

  def write(self, session, event, **fields):
    if self.file is None:
      return
    record = {'time': round(time.time(), 3), 'session': session, 'event': event}
    record.update(fields)
    with self.lock:
      self.file.write(json.dumps(record, ensure_ascii=False) + '\n')
      self.file.flush()


class State:
  opts = None
  log = None
  tls_context = None
  lock = threading.Lock()
  holder = None          # the session that holds the mailbox
  sessions = 0


class Closed(Exception):
  """The session ends now (the client left, or a behaviour drops it)."""


class Session(socketserver.BaseRequestHandler):
  def setup(self):
    with State.lock:
      State.sessions += 1
      self.id = State.sessions
    self.opts = State.opts
    self.sock = self.request
    self.tls = False
    self.state = 'authorization'
    self.user = None
    self.messages = []
    self.deles = 0
    self.timestamp = None
    State.log.write(self.id, 'connect')

  def handle(self):
    try:
      if self.opts.tls:
        self.sock = State.tls_context.wrap_socket(self.sock, server_side=True)
        self.tls = True
      self.rfile = self.sock.makefile('rb')
      self.greet()
      while True:
        line = self.rfile.readline(MAX_COMMAND + 1)
        if not line:
          break
        if len(line) > MAX_COMMAND and not line.endswith(b'\n'):
          self.reply('-ERR line too long')
          break
        text = line.rstrip(b'\r\n').decode('utf-8', 'replace')
        State.log.write(self.id, 'command', line=text)
        if not self.dispatch(text):
          break
    except (Closed, OSError, ssl.SSLError):
      pass
    finally:
      self.release()
      State.log.write(self.id, 'close')

  # -- Output --------------------------------------------------------------

  def send(self, data):
    if self.opts.slow:
      time.sleep(self.opts.slow / 1000)
    self.sock.sendall(data)

  def reply(self, line):
    self.send(line.encode('utf-8') + b'\r\n')

  def reply_multiline(self, first, body):
    """A multi-line reply: BODY (CRLF lines) dot-stuffed, then "."."""
    self.send(first.encode('utf-8') + b'\r\n' + dot_stuff(body) + b'.\r\n')

  def ok(self, text=''):
    if self.opts.garbage == 'status' and self.state == 'transaction':
      self.reply('OK ' + text)
    else:
      self.reply('+OK' + (' ' + text if text else ''))

  def greet(self):
    if self.opts.garbage == 'greeting':
      self.reply('* OK [CAPABILITY IMAP4rev1] this is not a POP3 server')
      self.rfile.readline(MAX_COMMAND)
      raise Closed()
    greeting = '+OK Buzon fake POP3 server ready'
    if self.opts.apop:
      self.timestamp = f'<{os.getpid()}.{self.id}.{int(time.time())}@fake-pop3.example.test>'
      greeting += ' ' + self.timestamp
    self.reply(greeting)

  # -- Commands ------------------------------------------------------------

  def dispatch(self, text):
    """Handles one command; False ends the session."""
    verb, _, arg = text.partition(' ')
    verb = verb.upper()
    if verb == 'QUIT':
      self.quit()
      return False
    if verb == 'CAPA':
      self.capa()
      return True
    if self.state == 'authorization':
      handler = {'USER': self.cmd_user, 'PASS': self.cmd_pass, 'APOP': self.cmd_apop,
                 'AUTH': self.cmd_auth, 'STLS': self.cmd_stls}.get(verb)
    else:
      handler = {'STAT': self.cmd_stat, 'LIST': self.cmd_list, 'RETR': self.cmd_retr,
                 'DELE': self.cmd_dele, 'NOOP': self.cmd_noop, 'RSET': self.cmd_rset,
                 'TOP': self.cmd_top, 'UIDL': self.cmd_uidl}.get(verb)
    if handler is None:
      self.reply('-ERR unknown command')
      return True
    handler(arg)
    return True

  def capa(self):
    if self.opts.no_capa:
      self.reply('-ERR unknown command')
      return
    lines = []
    if not self.opts.no_top:
      lines.append('TOP')
    if not self.opts.no_uidl:
      lines.append('UIDL')
    lines += ['RESP-CODES', 'PIPELINING']
    if self.state == 'authorization':
      lines += ['USER', 'SASL PLAIN']
      if self.opts.stls and not self.tls:
        lines.append('STLS')
    lines.append('IMPLEMENTATION Buzon-fake-pop3')
    self.reply_multiline('+OK capability list follows',
                         b''.join(line.encode() + b'\r\n' for line in lines))

  def cmd_stls(self, arg):
    if not self.opts.stls or self.tls:
      self.reply('-ERR unknown command')
      return
    self.reply('+OK begin TLS negotiation')
    self.sock = State.tls_context.wrap_socket(self.sock, server_side=True)
    self.tls = True
    self.rfile = self.sock.makefile('rb')

  def cmd_user(self, arg):
    if not arg:
      self.reply('-ERR USER needs a name')
      return
    self.user = arg
    self.reply('+OK')

  def cmd_pass(self, arg):
    if self.user is None:
      self.reply('-ERR USER first')
      return
    user, self.user = self.user, None
    self.login(user, arg)

  def cmd_apop(self, arg):
    if not self.opts.apop:
      self.reply('-ERR unknown command')
      return
    name, _, digest = arg.partition(' ')
    expected = hashlib.md5((self.timestamp + self.opts.password).encode('utf-8')).hexdigest()
    self.login(name, None if digest.lower() == expected else '', apop=True)

  def cmd_auth(self, arg):
    mechanism, _, initial = arg.partition(' ')
    if mechanism.upper() != 'PLAIN':
      self.reply('-ERR unsupported SASL mechanism')
      return
    if not initial:
      self.reply('+ ')
      initial = self.rfile.readline(MAX_COMMAND).rstrip(b'\r\n').decode('ascii', 'replace')
      State.log.write(self.id, 'command', line=initial)
    if initial == '*':
      self.reply('-ERR authentication cancelled')
      return
    try:
      _, user, password = base64.b64decode(initial, validate=True).split(b'\0')
      user, password = user.decode('utf-8'), password.decode('utf-8')
    except (ValueError, UnicodeDecodeError):
      self.reply('-ERR invalid SASL response')
      return
    self.login(user, password)

  def login(self, user, password, apop=False):
    """PASSWORD None means an APOP digest that matched."""
    good = user == self.opts.user and (password is None if apop else
                                       password == self.opts.password)
    if not good:
      self.reply('-ERR [AUTH] invalid user name or password')
      return
    with State.lock:
      if State.holder is not None:
        self.reply('-ERR [IN-USE] the mailbox is in use by another session')
        return
      State.holder = self.id
    try:
      self.messages = load_mailbox(self.opts)
    except OSError as e:
      self.release()
      self.reply(f'-ERR [SYS/TEMP] cannot read the mailbox: {e}')
      return
    self.state = 'transaction'
    count, size = self.stat()
    self.reply(f'+OK {count} messages ({size} octets)')

  def release(self):
    with State.lock:
      if State.holder == self.id:
        State.holder = None

  def stat(self):
    live = [m for m in self.messages if not m.deleted]
    return len(live), sum(m.size for m in live)

  def message(self, arg):
    """The message numbered ARG, or None after an -ERR reply."""
    try:
      number = int(arg)
    except ValueError:
      number = 0
    if not 1 <= number <= len(self.messages):
      self.reply('-ERR no such message')
      return None
    msg = self.messages[number - 1]
    if msg.deleted:
      self.reply('-ERR message already deleted')
      return None
    return msg

  def listing(self, arg, value, garbage):
    if arg:
      msg = self.message(arg)
      if msg is not None:
        self.ok(f'{arg.strip()} {value(msg)}')
      return
    if self.opts.garbage == garbage:
      self.reply_multiline('+OK', b'one two\r\n\x00\xff\xfe\r\n' if garbage == 'list' else
                           b''.join(f'{i}\r\n'.encode() for i in range(1, len(self.messages) + 1)))
      return
    body = b''.join(f'{i} {value(m)}\r\n'.encode() for i, m in enumerate(self.messages, 1)
                    if not m.deleted)
    count, size = self.stat()
    if self.opts.garbage == 'status':
      self.reply_multiline('OK', body)
    else:
      self.reply_multiline(f'+OK {count} messages ({size} octets)', body)

  def cmd_stat(self, arg):
    if self.opts.garbage == 'stat':
      self.reply('+OK many octets')
      return
    count, size = self.stat()
    self.ok(f'{count} {size}')

  def cmd_list(self, arg):
    self.listing(arg, lambda m: m.size, 'list')

  def cmd_uidl(self, arg):
    if self.opts.no_uidl:
      self.reply('-ERR unknown command')
      return
    self.listing(arg, lambda m: m.uidl, 'uidl')

  def cmd_retr(self, arg):
    msg = self.message(arg)
    if msg is None:
      return
    if self.opts.garbage == 'retr':
      self.send(b'+OK\r\n' + b'x' * (1 << 20))
      raise Closed()
    self.reply_multiline('OK' if self.opts.garbage == 'status' else f'+OK {msg.size} octets',
                         msg.data)

  def cmd_top(self, arg):
    if self.opts.no_top:
      self.reply('-ERR unknown command')
      return
    number, _, lines = arg.partition(' ')
    try:
      count = int(lines)
    except ValueError:
      count = -1
    if count < 0:
      self.reply('-ERR TOP needs a message number and a line count')
      return
    msg = self.message(number)
    if msg is None:
      return
    end = msg.data.find(b'\r\n\r\n')
    if end < 0:
      head, body = msg.data, b''
    else:
      head, body = msg.data[:end + 4], msg.data[end + 4:]
    body_lines = body.split(b'\r\n')[:-1]
    top = head + b''.join(line + b'\r\n' for line in body_lines[:count])
    self.reply_multiline('OK' if self.opts.garbage == 'status' else '+OK', top)

  def cmd_dele(self, arg):
    msg = self.message(arg)
    if msg is None:
      return
    msg.deleted = True
    self.deles += 1
    self.ok(f'message {arg.strip()} deleted')
    if self.opts.drop_after_dele and self.deles >= self.opts.drop_after_dele:
      try:
        self.sock.shutdown(socket.SHUT_RDWR)
      except OSError:
        pass
      raise Closed()

  def cmd_noop(self, arg):
    self.ok()

  def cmd_rset(self, arg):
    for m in self.messages:
      m.deleted = False
    count, size = self.stat()
    self.ok(f'{count} messages ({size} octets)')

  def quit(self):
    if self.state != 'transaction':
      self.reply('+OK bye')
      return
    deleted, failed = [], []
    for m in self.messages:
      if m.deleted:
        try:
          os.unlink(m.path)
          deleted.append(m.name)
        except OSError:
          failed.append(m.name)
    State.log.write(self.id, 'update', deleted=deleted)
    self.release()
    if failed:
      self.reply(f'-ERR [SYS/TEMP] {len(failed)} deleted messages not removed')
    else:
      self.reply(f'+OK bye ({len(deleted)} messages deleted)')


class Server(socketserver.ThreadingTCPServer):
  daemon_threads = True
  allow_reuse_address = True


def pid_alive(pid):
  try:
    with open(f'/proc/{pid}/stat', 'rb') as f:
      stat = f.read()
  except OSError:
    return False
  return stat[stat.rindex(b')') + 2:][:1] not in (b'Z', b'X')


def watch_parent(pid):
  while pid_alive(pid):
    time.sleep(0.2)
  os._exit(0)


def write_port(path, port):
  tmp = f'{path}.tmp{os.getpid()}'
  with open(tmp, 'w', encoding='ascii') as f:
    f.write(f'{port}\n')
  os.replace(tmp, path)


def parse_args(argv):
  p = argparse.ArgumentParser(prog='fake-pop3.py',
                              description='A scripted POP3 server on 127.0.0.1 for tests; '
                                          'see the header of this script.')
  source = p.add_mutually_exclusive_group(required=True)
  source.add_argument('--messages', metavar='DIR', help='serve the *.eml files of DIR')
  source.add_argument('--maildir', metavar='DIR', help='serve the Maildir DIR')
  p.add_argument('--port-file', required=True, metavar='FILE')
  p.add_argument('--port', type=int, default=0)
  security = p.add_mutually_exclusive_group()
  security.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'), help='implicit TLS')
  security.add_argument('--stls', nargs=2, metavar=('CERT', 'KEY'), help='offer STLS')
  p.add_argument('--user', default=DEFAULT_USER)
  p.add_argument('--password', default=DEFAULT_PASSWORD)
  p.add_argument('--apop', action='store_true')
  p.add_argument('--no-uidl', action='store_true')
  p.add_argument('--no-top', action='store_true')
  p.add_argument('--no-capa', action='store_true')
  p.add_argument('--drop-after-dele', type=int, nargs='?', const=1, default=0, metavar='N')
  p.add_argument('--garbage', choices=('greeting', 'stat', 'list', 'uidl', 'retr', 'status'))
  p.add_argument('--slow', type=int, default=0, metavar='MS')
  p.add_argument('--log', metavar='FILE')
  p.add_argument('--parent-pid', type=int)
  return p.parse_args(argv)


def main(argv):
  opts = parse_args(argv)
  State.opts = opts
  State.log = Log(opts.log)
  cert = opts.tls or opts.stls
  if cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert[0], cert[1])
    State.tls_context = ctx
  if opts.parent_pid:
    threading.Thread(target=watch_parent, args=(opts.parent_pid,), daemon=True).start()
  server = Server((HOST, opts.port), Session)
  write_port(opts.port_file, server.server_address[1])
  try:
    server.serve_forever(poll_interval=0.2)
  except KeyboardInterrupt:
    pass
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv[1:]))
