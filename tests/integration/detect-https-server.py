#!/usr/bin/python3
# detect-https-server.py CERT KEY — a loopback HTTPS server that stands in
# for the autoconfig servers of tests/integration/test-detect.c.
#
# Listens on 127.0.0.1 on a free port, prints the port on a line of its own,
# and serves, by the Host header (every *.example.test resolves to 127.0.0.1
# in the test):
#   autoconfig.first.example.test  /mail/config-v1.1.xml?emailaddress=ADDR
#       a document naming imap/pop/smtp.first.example.test (400 unless ADDR
#       is the address of the request's user, rosa@first.example.test)
#   second.example.test  /.well-known/autoconfig/mail/config-v1.1.xml
#       a document naming mail.second.example.test (the autoconfig. name
#       answers 404, so this is the second URL detection tries)
#   big.example.test  /.well-known/autoconfig/mail/config-v1.1.xml
#       a valid document padded to 300 KB (too big to be accepted)
#   hop.example.test  /.well-known/autoconfig/mail/config-v1.1.xml
#       302 to second.example.test's document over HTTPS (followed)
#   plain.example.test  /.well-known/autoconfig/mail/config-v1.1.xml
#       302 to second.example.test's document over HTTP (not followed)
#   anything else: 404.
# Each request is logged on stderr. It stops when stdin closes (the test ends).
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

import http.server
import ssl
import sys
import threading
import urllib.parse

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="%(domain)s">
    <domain>%(domain)s</domain>
    <displayName>%(name)s</displayName>
    <incomingServer type="imap">
      <hostname>%(imap)s</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%%EMAILADDRESS%%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>%(pop)s</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%%EMAILLOCALPART%%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>%(smtp)s</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication>
      <username>%%EMAILADDRESS%%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    def send_doc(self, body):
        data = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/xml')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        host = (self.headers.get('Host') or '').split(':')[0]
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if host == 'autoconfig.first.example.test' and url.path == '/mail/config-v1.1.xml':
            if query.get('emailaddress') != ['rosa@first.example.test']:
                self.send_error(400)
                return
            self.send_doc(DOC % {'domain': 'first.example.test', 'name': 'First',
                                 'imap': 'imap.%EMAILDOMAIN%', 'pop': 'pop.first.example.test',
                                 'smtp': 'smtp.first.example.test'})
        elif host == 'second.example.test' and \
                url.path == '/.well-known/autoconfig/mail/config-v1.1.xml':
            self.send_doc(DOC % {'domain': 'second.example.test', 'name': 'Second',
                                 'imap': 'mail.second.example.test',
                                 'pop': 'mail.second.example.test',
                                 'smtp': 'mail.second.example.test'})
        elif host == 'big.example.test' and \
                url.path == '/.well-known/autoconfig/mail/config-v1.1.xml':
            doc = DOC % {'domain': 'big.example.test', 'name': 'Big',
                         'imap': 'imap.big.example.test', 'pop': 'pop.big.example.test',
                         'smtp': 'smtp.big.example.test'}
            self.send_doc(doc + '<!-- ' + 'x' * 300000 + ' -->\n')
        elif host in ('hop.example.test', 'plain.example.test') and \
                url.path == '/.well-known/autoconfig/mail/config-v1.1.xml':
            scheme = 'https' if host == 'hop.example.test' else 'http'
            self.send_response(302)
            self.send_header('Location', '%s://second.example.test:%d%s' %
                             (scheme, self.server.server_address[1], url.path))
            self.send_header('Content-Length', '0')
            self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, fmt, *args):
        sys.stderr.write('detect-https-server: %s %s\n' % (self.headers.get('Host'), fmt % args))


def main():
    cert, key = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == '__main__':
    main()
