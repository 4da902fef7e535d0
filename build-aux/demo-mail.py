#!/usr/bin/python3
# build-aux/demo-mail.py — the sample mail of the demo accounts.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/test-servers (start --demo, seed-demo) imports this module and APPENDs
# what messages() returns over IMAP. The output is a pure function of the address
# and the "today" the dates are relative to, so a fixed --demo-date gives
# byte-identical mail (reproducible screenshots). Attachments are real files,
# generated here: a one-page PDF, PNG images, a CSV.
#
#   demo@example.test      "Marta Ríos", an IMAP account: INBOX, Trabajo, Viajes,
#                          Facturas and Facturas/<year>, Sent, Drafts, Trash, Junk;
#                          a ten-message thread across INBOX and Sent, HTML
#                          newsletters with remote images, attachments, RFC 2047
#                          headers, read and unread, flagged, answered.
#   demo-pop@example.test  "Carlos Vidal", a POP3 account: everything in INBOX.
#
# Run it directly to look at the messages:
#   build-aux/demo-mail.py OUTDIR [--date YYYY-MM-DD]   writes OUTDIR/<address>/*.eml

import datetime
import email.policy
import email.utils
import struct
import sys
import zlib
from email.message import EmailMessage
from typing import NamedTuple, Tuple

MADRID = datetime.timezone(datetime.timedelta(hours=1))
LISBON = datetime.timezone.utc
BERLIN = datetime.timezone(datetime.timedelta(hours=1))
BANGALORE = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
NEW_YORK = datetime.timezone(datetime.timedelta(hours=-5))

DEMO = 'demo@example.test'
DEMO_POP = 'demo-pop@example.test'
MARTA = 'Marta Ríos <demo@example.test>'
CARLOS = 'Carlos Vidal <demo-pop@example.test>'

JAVIER = 'Javier Ortega <javier.ortega@estudio-ortega.example>'
LUCIA = 'Lucía Paredes <lucia.paredes@estudio-ortega.example>'
TOMAS = 'Tomás Ruiz <tomas@ruiz-sistemas.example>'
PRIYA = 'Priya Natarajan <priya@northwind-design.example>'

POLICY = email.policy.SMTP.clone(max_line_length=78)


class Item(NamedTuple):
  folder: Tuple[str, ...]
  flags: Tuple[str, ...]
  date: datetime.datetime
  data: bytes


# ---------------------------------------------------------------------------
# Generated attachments

def make_png(width, height, pixel):
  """A truecolour PNG; pixel(x, y) returns (r, g, b)."""
  def chunk(kind, payload):
    return (struct.pack('>I', len(payload)) + kind + payload +
            struct.pack('>I', zlib.crc32(kind + payload) & 0xffffffff))
  rows = bytearray()
  for y in range(height):
    rows.append(0)
    for x in range(width):
      rows.extend(pixel(x, y))
  return (b'\x89PNG\r\n\x1a\n' +
          chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
          chunk(b'IDAT', zlib.compress(bytes(rows), 9)) +
          chunk(b'IEND', b''))


def make_pdf(title, lines):
  """A valid one-page PDF (Helvetica, WinAnsi text)."""
  def esc(text):
    raw = text.encode('cp1252', 'replace')
    return raw.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)')
  content = bytearray(b'BT /F1 16 Tf 56 780 Td (' + esc(title) + b') Tj ET\n')
  y = 744
  for line in lines:
    content += b'BT /F1 11 Tf 56 %d Td (' % y + esc(line) + b') Tj ET\n'
    y -= 17
  objects = [
    b'<< /Type /Catalog /Pages 2 0 R >>',
    b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
    b'/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    b'<< /Length %d >>\nstream\n' % len(content) + bytes(content) + b'endstream',
  ]
  out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
  offsets = []
  for number, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b'%d 0 obj\n' % number + body + b'\nendobj\n'
  xref = len(out)
  out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
  for offset in offsets:
    out += b'%010d 00000 n \n' % offset
  out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (
    len(objects) + 1, xref)
  return bytes(out)


def kitchen_plan_png():
  def pixel(x, y):
    if x < 4 or y < 4 or x >= 236 or y >= 156:
      return (60, 60, 70)
    if 20 <= x < 220 and 20 <= y < 44:
      return (196, 164, 132)        # worktop
    if 150 <= x < 210 and 80 <= y < 140:
      return (150, 190, 210)        # island
    return (245, 242, 235)
  return make_png(240, 160, pixel)


def sunset_png(seed):
  def pixel(x, y):
    if y > 70 + (x * seed) % 7:
      return (40 + y // 4, 70 + y // 5, 110 + x // 6)   # sea
    return (255, 150 + y, 80 + (x + seed * 11) % 60)     # sky
  return make_png(160, 120, pixel)


# ---------------------------------------------------------------------------
# Message building

class Builder:
  def __init__(self, today):
    self.today = today
    self.items = []

  def at(self, days_ago, hhmm, tz=MADRID):
    day = self.today - datetime.timedelta(days=days_ago)
    hour, minute = (int(v) for v in hhmm.split(':'))
    second = (hour * 37 + minute * 11) % 60
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)

  def msgid(self, local, domain):
    return f'<{self.today:%Y%m%d}.{local}@{domain}>'

  def add(self, folder, flags, *, sender, to, subject, when, text, msgid, cc=None, html=None,
          attachments=(), in_reply_to=None, references=(), headers=(), cte=None):
    msg = EmailMessage(policy=POLICY)
    msg['From'] = sender
    msg['To'] = to
    if cc:
      msg['Cc'] = cc
    msg['Subject'] = subject
    msg['Date'] = email.utils.format_datetime(when)
    msg['Message-ID'] = msgid
    if in_reply_to:
      msg['In-Reply-To'] = in_reply_to
    if references:
      msg['References'] = ' '.join(references)
    for name, value in headers:
      msg[name] = value
    msg['MIME-Version'] = '1.0'
    if cte:
      msg.set_content(text, cte=cte)
    else:
      msg.set_content(text)
    if html is not None:
      msg.add_alternative(html, subtype='html')
    for filename, maintype, subtype, data in attachments:
      if maintype == 'text':
        msg.add_attachment(data.decode('utf-8'), subtype=subtype, filename=filename)
      else:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    counter = 0
    for part in msg.walk():
      if part is not msg:
        del part['MIME-Version']     # add_attachment() repeats it in every part
      if part.is_multipart():
        counter += 1
        part.set_boundary(f'=_buzon_demo_{counter}_{msgid.strip("<>").split("@")[0]}')
    data = msg.as_bytes(policy=POLICY)
    self.items.append(Item(tuple(folder), tuple(flags), when, data))
    return msgid


SEEN = ('\\Seen',)
SEEN_FLAGGED = ('\\Seen', '\\Flagged')
SEEN_ANSWERED = ('\\Seen', '\\Answered')
UNSEEN = ()
FLAGGED = ('\\Flagged',)


# ---------------------------------------------------------------------------
# demo@example.test

def _office_thread(b):
  """Ten messages: choosing POP3 or IMAP for the office's new mail provider."""
  subject = 'Cambiamos de proveedor de correo: ¿POP3 o IMAP?'
  re_subject = 'Re: ' + subject
  office = f'{MARTA}, {LUCIA}, {TOMAS}'
  refs = []

  def post(folder, flags, sender, to, when, text, cc=None, local=None):
    mid = b.msgid(local, sender.split('@')[1].rstrip('>'))
    b.add(folder, flags, sender=sender, to=to, cc=cc,
          subject=subject if not refs else re_subject, when=when, text=text, msgid=mid,
          in_reply_to=refs[-1] if refs else None, references=list(refs))
    refs.append(mid)

  post(('INBOX',), SEEN, JAVIER, office, b.at(12, '09:12'), local='correo-1', text="""\
Hola a todos:

A final de mes dejamos el proveedor de correo de siempre y pasamos al nuevo
(el contrato ya está firmado). Tomás se encarga de la migración, pero antes
tenemos que decidir cómo configuramos el correo en los ordenadores y en los
móviles: el proveedor nos pregunta si queremos POP3 o IMAP.

Yo no tengo ni idea de la diferencia. ¿Alguien me lo explica en cristiano?

Un saludo,
Javier
""")
  post(('INBOX',), SEEN, TOMAS, office, b.at(12, '10:47'), cc=JAVIER, local='correo-2', text="""\
Buenos días, Javier:

Te lo resumo en dos líneas:

- POP3 descarga el correo del servidor a UN ordenador y, normalmente, lo
  borra del servidor. Lo que bajas queda en ese equipo y en ningún otro.
- IMAP deja el correo en el servidor y cada dispositivo ve lo mismo: si lees
  un mensaje en el móvil, aparece leído en el portátil; las carpetas también
  se sincronizan.

Para una oficina donde cada uno mira el correo en dos o tres sitios, IMAP es
lo razonable. POP3 tiene sentido cuando solo hay un equipo o cuando el
servidor tiene muy poco espacio.

Tomás
""")
  post(('INBOX',), SEEN, LUCIA, office, b.at(11, '08:31'), local='correo-3', text="""\
¡Ahora lo entiendo todo! El mes pasado me desaparecían los correos del móvil
y creía que se me había roto algo. Resulta que el ordenador de recepción
tenía la cuenta en POP3 y se los llevaba todos antes de que yo los viera.

Voto IMAP, por favor.

Lucía
""")
  post(('INBOX',), SEEN, PRIYA, f'{JAVIER}, {MARTA}', b.at(11, '15:05', BANGALORE),
       cc=f'{LUCIA}, {TOMAS}', local='mail-4', text="""\
Hi all,

Sorry for writing in English, my Spanish is not up to this yet :)

+1 for IMAP from our side. We share project folders with you, and with IMAP
a message filed into "Northwind" on one laptop is in that folder everywhere.
Most clients also keep the connection open (IDLE), so new mail shows up
within seconds instead of on the next poll.

One practical question: will the old messages be moved to the new server,
or do we start from an empty inbox?

Best,
Priya
""")
  post(('Sent',), SEEN, MARTA, f'{JAVIER}, {LUCIA}, {TOMAS}', b.at(11, '17:22'),
       cc=PRIYA, local='correo-5', text="""\
Hola:

Propongo lo siguiente:

1. IMAP en todos los portátiles y móviles.
2. En el ordenador de recepción, POP3 pero con la opción de dejar una copia
   en el servidor durante 14 días, porque ahí solo queremos el archivo local
   de albaranes y no queremos que se lleve el correo de nadie.
3. Antes de cortar, Tomás copia las carpetas antiguas al servidor nuevo, así
   Priya y el resto no empezamos de cero.

¿Os parece bien?

Marta
""")
  post(('INBOX',), SEEN, JAVIER, f'{MARTA}, {LUCIA}, {TOMAS}', b.at(10, '09:02'),
       cc=PRIYA, local='correo-6', text="""\
Me parece perfecto, Marta. Adelante con eso.

Tomás, ¿cuándo podrías hacerlo? Lo ideal sería un viernes por la tarde para
no interrumpir a nadie.

Javier
""")
  post(('INBOX',), SEEN, TOMAS, f'{JAVIER}, {MARTA}, {LUCIA}', b.at(10, '11:40'),
       cc=PRIYA, local='correo-7', text="""\
El viernes 27 a partir de las 15:00 me viene bien.

Durante una hora más o menos puede que el correo nuevo tarde en llegar; no se
pierde nada, el servidor antiguo lo sigue aceptando hasta que cambie los
registros DNS. El lunes paso por cada puesto a revisar la configuración.

Una cosa importante: las contraseñas nuevas os las daré en persona, no por
correo.

Tomás
""")
  post(('INBOX',), SEEN, PRIYA, f'{TOMAS}, {MARTA}', b.at(10, '13:18', BANGALORE),
       cc=f'{JAVIER}, {LUCIA}', local='mail-8', text="""\
Friday works for us too. Thanks Tomás, and thanks Marta for the clear plan.

Priya
""")
  post(('Sent',), SEEN, MARTA, f'{TOMAS}, {PRIYA}', b.at(10, '16:55'),
       cc=f'{JAVIER}, {LUCIA}', local='correo-9', text="""\
Perfecto. Dejo apuntado en el calendario compartido «Migración del correo»
el viernes de 15:00 a 17:00.

Marta
""")
  post(('INBOX',), SEEN_FLAGGED, LUCIA, f'{MARTA}, {TOMAS}', b.at(9, '10:03'),
       cc=JAVIER, local='correo-10', text="""\
Una última duda: ¿el móvil de la empresa también lo cambiamos ese día? Lo
tengo yo y no quiero quedarme sin correo el fin de semana.

Lucía
""")


NEWSLETTER_HTML = """\
<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Boletín de marzo</title></head>
<body style="margin:0;background:#eef2ee;font-family:Georgia,serif;color:#233">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#fff">
<tr><td><img src="https://img.montana-alta.example/boletin/2026-03/cabecera.jpg"
  width="600" height="180" alt="Club de Montaña Alta" style="display:block"></td></tr>
<tr><td style="padding:24px 32px">
<h1 style="font-size:24px;margin:0 0 12px">Travesía por la Sierra de Gredos</h1>
<p>Del 18 al 20 de abril recorremos la circular de la Laguna Grande con noche en el
refugio Elola. Nivel medio: unas seis horas de marcha al día y 900 metros de
desnivel acumulado.</p>
<p><a href="https://www.montana-alta.example/salidas/gredos" style="color:#2a6f4e">Ver la
ficha de la salida y apuntarse</a></p>
<img src="https://img.montana-alta.example/boletin/2026-03/laguna-grande.jpg"
  width="536" height="300" alt="La Laguna Grande de Gredos al amanecer">
<h2 style="font-size:19px;margin:24px 0 8px">Taller de orientación con mapa y brújula</h2>
<p>Sábado 5, en el parque de El Retiro. Trae brújula si tienes; si no, te
prestamos una. Plazas limitadas a veinte personas.</p>
<h2 style="font-size:19px;margin:24px 0 8px">Cuotas</h2>
<p>Recuerda que la cuota anual incluye el seguro federativo. Si todavía no la
has renovado, puedes hacerlo desde tu área de socio.</p>
</td></tr>
<tr><td style="padding:16px 32px;font-size:12px;color:#667;background:#f6f8f6">
Recibes este boletín porque eres socia del Club de Montaña Alta.
<a href="https://www.montana-alta.example/baja?u=demo">Darse de baja</a>
<img src="https://stats.montana-alta.example/open.gif?c=2026-03&amp;u=5f2a"
  width="1" height="1" alt="">
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""

NEWSLETTER_TEXT = """\
CLUB DE MONTAÑA ALTA — Boletín de marzo

Travesía por la Sierra de Gredos
Del 18 al 20 de abril recorremos la circular de la Laguna Grande con noche en el
refugio Elola. Nivel medio: unas seis horas de marcha al día y 900 metros de
desnivel acumulado.
Ficha y inscripción: https://www.montana-alta.example/salidas/gredos

Taller de orientación con mapa y brújula
Sábado 5, en el parque de El Retiro. Plazas limitadas a veinte personas.

Darse de baja: https://www.montana-alta.example/baja?u=demo
"""

DIGEST_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>The Open Source Digest</title></head>
<body style="font-family:-apple-system,Segoe UI,sans-serif;max-width:640px;margin:auto;color:#222">
<p style="text-align:center"><img src="https://cdn.opensource-digest.example/logo-wide.png"
  width="320" height="64" alt="The Open Source Digest"></p>
<h1 style="font-size:22px">This week: list views, a new IMAP library, and slow CI</h1>
<h2 style="font-size:17px">Scrolling a hundred thousand rows</h2>
<p>A walkthrough of how GTK 4 list views recycle row widgets, and why a list model
that loads rows lazily by position makes a huge mailbox open as fast as a small
one. <a href="https://opensource-digest.example/r/list-views">Read more</a></p>
<h2 style="font-size:17px">A tiny IMAP library with no sockets inside</h2>
<p>The parser takes bytes and returns responses; the session does the I/O. The
author argues this is the only way to fuzz a protocol parser properly.
<a href="https://opensource-digest.example/r/imap-parser">Read more</a></p>
<h2 style="font-size:17px">Your CI is slow because of your caches</h2>
<p>Three measurements, one surprising result.
<a href="https://opensource-digest.example/r/ci-caches">Read more</a></p>
<p style="font-size:12px;color:#777">You are receiving this because you subscribed at
opensource-digest.example. <a href="https://opensource-digest.example/unsubscribe?id=88c1">
Unsubscribe</a>.<img src="https://t.opensource-digest.example/o/88c1.gif"
  width="1" height="1" alt=""></p>
</body>
</html>
"""

DIGEST_TEXT = """\
THE OPEN SOURCE DIGEST

This week: list views, a new IMAP library, and slow CI

* Scrolling a hundred thousand rows
  https://opensource-digest.example/r/list-views
* A tiny IMAP library with no sockets inside
  https://opensource-digest.example/r/imap-parser
* Your CI is slow because of your caches
  https://opensource-digest.example/r/ci-caches

Unsubscribe: https://opensource-digest.example/unsubscribe?id=88c1
"""

BOOKING_HTML = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"></head>
<body style="font-family:Arial,sans-serif;color:#1b2a3a">
<img src="https://www.aerobrisa.example/email/header-booking.png" width="600" height="90"
  alt="AeroBrisa">
<h1 style="font-size:20px">Your trip to Lisbon is confirmed</h1>
<table cellpadding="6" style="border-collapse:collapse">
<tr><td><b>Booking reference</b></td><td>QX7T4M</td></tr>
<tr><td><b>Passenger</b></td><td>Marta Ríos</td></tr>
<tr><td><b>Outbound</b></td><td>AB 3321, Madrid (MAD) 07:40 → Lisbon (LIS) 08:05</td></tr>
<tr><td><b>Return</b></td><td>AB 3328, Lisbon (LIS) 19:55 → Madrid (MAD) 22:15</td></tr>
<tr><td><b>Baggage</b></td><td>1 cabin bag (10 kg)</td></tr>
</table>
<p>Online check-in opens 48 hours before departure.
<a href="https://www.aerobrisa.example/manage?ref=QX7T4M">Manage your booking</a></p>
</body></html>
"""


def _demo_imap(b):
  year = str(b.today.year)
  _office_thread(b)

  b.add(('INBOX',), SEEN, sender='The Open Source Digest <digest@opensource-digest.example>',
        to=MARTA, subject='This week: GTK 4 list views, a socket-free IMAP library, and slow CI',
        when=b.at(6, '07:00', NEW_YORK), text=DIGEST_TEXT, html=DIGEST_HTML,
        msgid=b.msgid('digest-212', 'opensource-digest.example'),
        headers=[('List-Unsubscribe', '<https://opensource-digest.example/unsubscribe?id=88c1>'),
                 ('List-Id', 'The Open Source Digest <digest.opensource-digest.example>')])

  hannah = b.add(('INBOX',), SEEN_ANSWERED,
                 sender='Hannah Becker <hannah.becker@mailbox.example>', to=MARTA,
                 subject='Lunch next Thursday?', when=b.at(5, '12:14', BERLIN),
                 msgid=b.msgid('lunch', 'mailbox.example'), text="""\
Hi Marta,

I'm in Madrid for the conference next week and I'd love to catch up. Are you
free for lunch on Thursday? Anywhere near Atocha works for me, I have a train
at 16:30.

Hannah
""")
  b.add(('Sent',), SEEN, sender=MARTA, to='Hannah Becker <hannah.becker@mailbox.example>',
        subject='Re: Lunch next Thursday?', when=b.at(5, '13:02'),
        msgid=b.msgid('re-lunch', 'example.test'), in_reply_to=hannah, references=[hannah],
        text="""\
Hi Hannah,

Thursday is perfect! There's a small place on Calle de Atocha that does a great
menú del día, about five minutes from the station. Shall we say 13:30?

> I'm in Madrid for the conference next week and I'd love to catch up. Are you
> free for lunch on Thursday?

See you soon,
Marta
""")

  b.add(('INBOX',), SEEN, sender='Banco Ficticio <avisos@banco-ficticio.example>', to=MARTA,
        subject='Nuevo inicio de sesión en tu banca online', when=b.at(8, '21:37'),
        msgid=b.msgid('aviso-sesion', 'banco-ficticio.example'), text="""\
Hola, Marta:

Hemos detectado un inicio de sesión en tu banca online desde un dispositivo
nuevo (Firefox en Linux, Madrid) el día de hoy a las 21:35.

Si has sido tú, no tienes que hacer nada. Si no lo reconoces, llama al
900 000 000 y bloquearemos el acceso.

Nunca te pediremos tus claves por correo electrónico.

Banco Ficticio
""")

  b.add(('INBOX',), ('\\Flagged',),
        sender='Reformas Hermanos Gil <presupuestos@reformas-gil.example>', to=MARTA,
        subject=f'Presupuesto reforma de la cocina (n.º {year}-118)', when=b.at(3, '18:20'),
        msgid=b.msgid('presupuesto-118', 'reformas-gil.example'), text="""\
Buenas tardes, Marta:

Como quedamos tras la visita del martes, le adjuntamos el presupuesto de la
reforma de la cocina y el plano con la distribución que hablamos (isla de
60 × 120 cm junto a la ventana).

El presupuesto es válido durante 30 días. Si le parece bien, podríamos empezar
la segunda quincena del mes que viene; la obra dura unas tres semanas.

Cualquier duda, estamos a su disposición.

Un saludo,
Ramón Gil
Reformas Hermanos Gil · 910 000 118
""", attachments=[
          (f'presupuesto-{year}-118.pdf', 'application', 'pdf', make_pdf(
            f'Presupuesto n.º {year}-118 — Reforma de cocina', [
              'Cliente: Marta Ríos',
              'Demolición y retirada de escombros ............ 1.150,00 €',
              'Fontanería y electricidad ....................... 2.480,00 €',
              'Muebles de cocina y encimera de cuarzo ..... 7.900,00 €',
              'Isla central (60 × 120 cm) ........................ 1.320,00 €',
              'Alicatado y suelo porcelánico .................. 2.760,00 €',
              'Total (IVA incluido) ............................... 15.610,00 €',
              '',
              'Validez: 30 días. Plazo de ejecución: tres semanas.',
            ])),
          ('plano-cocina.png', 'image', 'png', kitchen_plan_png()),
        ])

  b.add(('INBOX',), UNSEEN, sender='Club de Montaña Alta <boletin@montana-alta.example>',
        to=MARTA,
        subject='Boletín de marzo: travesía por Gredos y taller de orientación',
        when=b.at(2, '10:00'), text=NEWSLETTER_TEXT, html=NEWSLETTER_HTML,
        msgid=b.msgid('boletin-marzo', 'montana-alta.example'),
        headers=[('List-Unsubscribe', '<https://www.montana-alta.example/baja?u=demo>'),
                 ('List-Id', 'Boletín del club <boletin.montana-alta.example>')])

  b.add(('INBOX',), UNSEEN, sender='José Ángel Muñoz <joseangel.munoz@correo.example>',
        to=MARTA, subject='¿Quedamos el sábado? ☕ Cafetería «La Única»',
        when=b.at(1, '19:46'), msgid=b.msgid('sabado', 'correo.example'), cte='8bit', text="""\
¡Hola, Marta!

¿Qué tal va todo? Hace siglos que no nos vemos. Este sábado bajo a Madrid y
había pensado en tomar algo en La Única, la cafetería de la esquina de
Ibiza con Narváez, sobre las once y media. ¿Te viene bien?

Si viene Íñigo, mejor: tengo que devolverle la tienda de campaña.

Un abrazo,
José Ángel
""")

  b.add(('INBOX',), UNSEEN, sender='Paquetería Rápida <seguimiento@paqueteria-rapida.example>',
        to=MARTA, subject='Tu pedido llega mañana entre las 9:00 y las 14:00',
        when=b.at(0, '07:05'), msgid=b.msgid('envio-77120', 'paqueteria-rapida.example'),
        text="""\
Hola, Marta:

Tu envío 77120-ES sale hoy de nuestro centro de Coslada y llegará mañana entre
las 9:00 y las 14:00.

Si no vas a estar en casa, puedes elegir otro día o un punto de recogida:
https://www.paqueteria-rapida.example/envios/77120-ES

Paquetería Rápida
""")

  b.add(('INBOX',), UNSEEN, sender=LUCIA, to=MARTA,
        subject='Fotos de la cena del viernes', when=b.at(0, '07:58'),
        msgid=b.msgid('fotos-cena', 'estudio-ortega.example'), text="""\
¡Buenos días!

Te paso las dos fotos que salieron bien de la cena del viernes; las demás están
todas movidas, culpa del camarero :)

Lucía
""", attachments=[('atardecer-terraza.png', 'image', 'png', sunset_png(3)),
                  ('brindis.png', 'image', 'png', sunset_png(5))])

  # Trabajo
  b.add(('Trabajo',), SEEN, sender=TOMAS, to=MARTA,
        subject='Acceso a la VPN: nuevas credenciales', when=b.at(30, '09:30'),
        msgid=b.msgid('vpn', 'ruiz-sistemas.example'), text="""\
Hola, Marta:

He renovado el certificado de la VPN de la oficina. Tu usuario sigue siendo el
mismo; la contraseña nueva te la doy en mano el lunes.

Para instalar el perfil nuevo: Ajustes → Red → VPN → Importar, y eliges el
archivo que te dejo en la carpeta compartida «Sistemas».

Tomás
""")
  b.add(('Trabajo',), SEEN, sender=JAVIER, to=f'{MARTA}, {LUCIA}',
        subject='Calendario de vacaciones de Semana Santa', when=b.at(25, '16:10'),
        msgid=b.msgid('vacaciones', 'estudio-ortega.example'), text="""\
Hola:

Para organizarnos, decidme antes del viernes qué días de Semana Santa os
queréis coger. La oficina cierra el jueves y el viernes santo; el resto de la
semana necesitamos al menos a una persona.

Javier
""")
  b.add(('Trabajo',), SEEN, sender=LUCIA, to=MARTA, cc=JAVIER,
        subject='Informe mensual de soporte — febrero', when=b.at(20, '12:45'),
        msgid=b.msgid('informe-febrero', 'estudio-ortega.example'), text="""\
Hola, Marta:

Te adjunto el resumen de incidencias de febrero. Bajan las de impresoras (por
fin) y suben las de correo, casi todas del móvil de recepción: justo lo que
arreglaremos con el cambio de proveedor.

Lucía
""", attachments=[('soporte-febrero.csv', 'text', 'csv', (
          'categoría,abiertas,cerradas,tiempo medio (h)\r\n'
          'correo,14,13,3.5\r\n'
          'impresoras,4,4,1.2\r\n'
          'portátiles,6,5,6.0\r\n'
          'VPN,2,2,0.8\r\n').encode('utf-8'))])
  b.add(('Trabajo',), SEEN_FLAGGED, sender=PRIYA, to=MARTA,
        subject='Code review: retry logic in the sync queue', when=b.at(15, '14:02', BANGALORE),
        msgid=b.msgid('review-retry', 'northwind-design.example'), text="""\
Hi Marta,

I went through the retry changes. Two things before we merge:

1. The backoff starts at 30 seconds even for a dropped connection. For a laptop
   waking up from suspend that feels long; could the first retry be immediate?
2. When the server says the folder no longer exists, we retry forever. That
   one should stop and tell the user instead.

Everything else looks good to me. Nice work on the tests.

Priya
""")

  # Viajes
  b.add(('Viajes',), SEEN_FLAGGED, sender='AeroBrisa <reservas@aerobrisa.example>', to=MARTA,
        subject='Your booking confirmation: Madrid → Lisbon (QX7T4M)', when=b.at(18, '22:41'),
        msgid=b.msgid('booking-QX7T4M', 'aerobrisa.example'), html=BOOKING_HTML, text="""\
Your trip to Lisbon is confirmed.

Booking reference: QX7T4M
Passenger: Marta Ríos
Outbound: AB 3321, Madrid (MAD) 07:40 -> Lisbon (LIS) 08:05
Return:   AB 3328, Lisbon (LIS) 19:55 -> Madrid (MAD) 22:15
Baggage:  1 cabin bag (10 kg)

Online check-in opens 48 hours before departure.
Manage your booking: https://www.aerobrisa.example/manage?ref=QX7T4M
""")
  b.add(('Viajes',), SEEN,
        sender='Hotel Miradouro do Porto <reservas@hotel-miradouro.example>', to=MARTA,
        subject='Confirmación de reserva — Hotel Miradouro (Lisboa)',
        when=b.at(17, '10:15', LISBON),
        msgid=b.msgid('reserva-2231', 'hotel-miradouro.example'), text="""\
Estimada Sra. Ríos:

Le confirmamos su reserva:

  Habitación doble con vistas al río
  Entrada: jueves, a partir de las 14:00
  Salida: domingo, hasta las 12:00
  Desayuno incluido

El hotel está a diez minutos a pie de la estación de Cais do Sodré. Si llega
antes de la hora de entrada, puede dejar el equipaje en recepción.

Atentamente,
Recepción — Hotel Miradouro
""")
  b.add(('Viajes',), SEEN, sender=LUCIA, to=MARTA, subject='Lo de Oporto en tren',
        when=b.at(16, '20:30'), msgid=b.msgid('oporto', 'estudio-ortega.example'), text="""\
Ya que vas a Lisboa: si tienes un día libre, el tren a Oporto tarda unas tres
horas y sale casi cada hora desde Santa Apolónia. Merece muchísimo la pena.
Cómete una francesinha a mi salud.

Lucía
""")

  # Facturas and Facturas/<year>
  b.add(('Facturas',), SEEN, sender='Seguros La Previsora <recibos@laprevisora.example>',
        to=MARTA, subject='Recibo del seguro del hogar', when=b.at(35, '08:00'),
        msgid=b.msgid('recibo-hogar', 'laprevisora.example'), text="""\
Estimada clienta:

Le informamos de que el día 5 se cargará en su cuenta el recibo anual del
seguro del hogar, por importe de 214,60 €.

Seguros La Previsora
""")
  b.add(('Facturas', year), SEEN, sender='Telecom Meseta <facturas@telecom-meseta.example>',
        to=MARTA, subject=f'Factura n.º {year}-0142: fibra y móvil', when=b.at(22, '06:30'),
        msgid=b.msgid('factura-0142', 'telecom-meseta.example'), text=f"""\
Hola, Marta:

Ya tienes disponible tu factura n.º {year}-0142 por importe de 52,40 €
(fibra 600 Mb + dos líneas móviles). Te la adjuntamos en PDF.

Se cargará en tu cuenta en los próximos días.

Telecom Meseta
""", attachments=[(f'factura-{year}-0142.pdf', 'application', 'pdf', make_pdf(
          f'Telecom Meseta — Factura n.º {year}-0142', [
            'Titular: Marta Ríos',
            'Fibra 600 Mb ........................................ 30,00 €',
            'Línea móvil 1 (20 GB) ............................. 9,90 €',
            'Línea móvil 2 (5 GB) ............................... 3,40 €',
            'IVA (21 %) ............................................ 9,10 €',
            'Total .................................................... 52,40 €',
          ]))])
  b.add(('Facturas', year), SEEN, sender='CloudHost Billing <billing@cloudhost.example>',
        to=MARTA, subject='Your CloudHost invoice is ready', when=b.at(21, '01:12', NEW_YORK),
        msgid=b.msgid('invoice-55810', 'cloudhost.example'), text="""\
Hello Marta,

Your invoice #55810 for 12.00 USD (Small VPS, 1 month) is attached. The amount
will be charged to the card ending in 4242.

Thanks for using CloudHost.
""", attachments=[('cloudhost-invoice-55810.pdf', 'application', 'pdf', make_pdf(
          'CloudHost - Invoice #55810', [
            'Customer: Marta Rios',
            'Small VPS (1 vCPU, 2 GB RAM), 1 month ........ 12.00 USD',
            'Total ................................................. 12.00 USD',
          ]))])
  b.add(('Facturas', year), UNSEEN,
        sender='Energía Solana <clientes@energia-solana.example>', to=MARTA,
        subject='Tu factura de electricidad: 48,73 €', when=b.at(4, '09:15'),
        msgid=b.msgid('luz-0213', 'energia-solana.example'), text="""\
Hola, Marta:

Tu factura de electricidad del último bimestre es de 48,73 €. Has consumido
un 12 % menos que en el mismo periodo del año pasado.

Puedes descargarla desde tu área de cliente.

Energía Solana
""")

  # Drafts, Trash, Junk
  b.add(('Drafts',), ('\\Seen', '\\Draft'), sender=MARTA,
        to='Comunidad de propietarios <junta@comunidad-narvaez12.example>',
        subject='Propuesta para la próxima junta', when=b.at(1, '23:10'),
        msgid=b.msgid('borrador-junta', 'example.test'), text="""\
Hola a todos:

Para la próxima junta me gustaría proponer que revisemos el presupuesto del
ascensor y que

""")
  b.add(('Trash',), SEEN, sender='Cursos Ya <promo@cursos-ya.example>', to=MARTA,
        subject='Últimos días: 40 % de descuento en todos los cursos', when=b.at(7, '11:00'),
        msgid=b.msgid('promo-40', 'cursos-ya.example'), text="""\
Solo hasta el domingo: 40 % de descuento en todos nuestros cursos en línea.
""")
  b.add(('Junk',), UNSEEN, sender='Premios Oficiales <premios@ganador-seguro.example>',
        to=MARTA, subject='¡¡Enhorabuena!! Ha sido seleccionada para un teléfono gratis',
        when=b.at(2, '03:33'), msgid=b.msgid('premio', 'ganador-seguro.example'), text="""\
Estimado usuario, ha sido seleccionado. Pulse aquí para reclamar su premio
antes de 24 horas: http://ganador-seguro.example/reclamar
""")


# ---------------------------------------------------------------------------
# demo-pop@example.test

def _demo_pop(b):
  inbox = ('INBOX',)
  b.add(inbox, (), sender='Soporte de Correo <soporte@example.test>', to=CARLOS,
        subject='Bienvenido a tu buzón', when=b.at(10, '09:00'),
        msgid=b.msgid('bienvenida', 'example.test'), text="""\
Hola, Carlos:

Tu buzón ya está activo. Unos consejos para empezar:

- Si usas POP3, el programa de correo descarga los mensajes a tu ordenador.
  Puedes dejar una copia en el servidor unos días, para verlos también desde
  el móvil, o borrarlos al descargarlos para no llenar el buzón.
- Si los mensajes desaparecen de la bandeja de entrada del móvil, es que otro
  dispositivo los está descargando por POP3 y borrándolos del servidor.
- Usa siempre conexiones cifradas: puerto 995 para POP3 y 465 o 587 para
  enviar.

El equipo de soporte
""")
  b.add(inbox, (), sender='Asociación de Vecinos El Pilar <junta@avv-elpilar.example>',
        to=CARLOS, subject='Acta de la reunión de marzo', when=b.at(7, '20:15'),
        msgid=b.msgid('acta-marzo', 'avv-elpilar.example'), text="""\
Buenas noches:

Os adjuntamos el acta de la última reunión. Los puntos principales fueron el
arreglo de la fuente de la plaza y las fiestas de junio.

La junta
""", attachments=[('acta-reunion-marzo.pdf', 'application', 'pdf', make_pdf(
          'Asociación de Vecinos El Pilar — Acta', [
            'Asistentes: 23 socios.',
            '1. Fuente de la plaza: el Ayuntamiento la arreglará en mayo.',
            '2. Fiestas de junio: se forma una comisión de cinco personas.',
            '3. Ruegos y preguntas: más bancos a la sombra en el parque.',
          ]))])
  b.add(inbox, (), sender='Carmen Fernández Núñez <tia.carmen@correo.example>', to=CARLOS,
        subject='La receta de la fabada, como te prometí', when=b.at(5, '17:40'),
        msgid=b.msgid('fabada', 'correo.example'), cte='8bit', text="""\
Querido Carlos:

Aquí tienes la receta de la abuela, tal cual la tengo apuntada:

- Medio kilo de fabes, en remojo desde la noche anterior.
- Un chorizo, una morcilla asturiana y un trozo de panceta.
- Una pizca de azafrán.

Todo al fuego con agua fría que lo cubra. Cuando empiece a hervir, se
«asusta» con un chorrito de agua fría, dos o tres veces. Luego, a fuego muy
lento dos horas y media, sin remover: solo mover la cazuela.

Ya me contarás qué tal te sale.

Besos,
tu tía Carmen
""")
  b.add(inbox, (), sender='Librería El Faro <pedidos@libreria-elfaro.example>', to=CARLOS,
        subject='Your order #A-20931 has shipped', when=b.at(3, '11:25', NEW_YORK),
        msgid=b.msgid('order-A-20931', 'libreria-elfaro.example'),
        html="""\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"></head>
<body style="font-family:Verdana,sans-serif">
<img src="https://www.libreria-elfaro.example/img/mail-logo.png" width="200" height="60"
  alt="El Faro">
<p>Good news! Your order <b>#A-20931</b> is on its way:</p>
<ul><li>“The Art of the Long Walk” (paperback)</li><li>Pocket notebook, lined</li></ul>
<p><a href="https://www.libreria-elfaro.example/track/A-20931">Track your parcel</a></p>
</body></html>
""", text="""\
Good news! Your order #A-20931 is on its way:

- "The Art of the Long Walk" (paperback)
- Pocket notebook, lined

Track your parcel: https://www.libreria-elfaro.example/track/A-20931
""")
  b.add(inbox, (), sender='Dani Vidal <dani.vidal@correo.example>', to=CARLOS,
        subject='Fotos del partido', when=b.at(2, '21:05'),
        msgid=b.msgid('partido', 'correo.example'), text="""\
¡Qué partidazo! Te mando la foto del equipo. A ver si el domingo que viene
ganamos también.

Dani
""", attachments=[('equipo.png', 'image', 'png', sunset_png(7))])
  b.add(inbox, (), sender='Dani Vidal <dani.vidal@correo.example>', to=CARLOS,
        subject='¿Mañana a las 18:00 en el polideportivo?', when=b.at(1, '13:50'),
        msgid=b.msgid('polideportivo', 'correo.example'), text="""\
Confirmo pista para mañana a las 18:00. Trae tú el balón, que el mío está
pinchado.
""")
  b.add(inbox, (), sender='PhotoShare <no-reply@photoshare.example>', to=CARLOS,
        subject='Weekly summary: 3 new comments on your photos', when=b.at(0, '06:00', NEW_YORK),
        msgid=b.msgid('weekly', 'photoshare.example'), text="""\
Hi Carlos,

Your photos got 3 new comments this week:

- "Great light!" on Sunset at the harbour
- "Where is this?" on Sunset at the harbour
- "Congrats to the team" on Match day

See them at https://photoshare.example/you
""")


# ---------------------------------------------------------------------------

def folders(address, today):
  """Folders to create, as paths (join them with the server's delimiter)."""
  if address == DEMO:
    return [('Trabajo',), ('Viajes',), ('Facturas',), ('Facturas', str(today.year))]
  return []


def messages(address, today):
  """The messages of ADDRESS, oldest first within each folder."""
  b = Builder(today)
  if address == DEMO:
    _demo_imap(b)
  elif address == DEMO_POP:
    _demo_pop(b)
  return sorted(b.items, key=lambda item: (item.folder, item.date))


def main(argv):
  import os
  if not argv or argv[0].startswith('-'):
    sys.stderr.write('usage: demo-mail.py OUTDIR [--date YYYY-MM-DD]\n')
    return 2
  today = datetime.date.today()
  if len(argv) >= 3 and argv[1] == '--date':
    today = datetime.date.fromisoformat(argv[2])
  for address in (DEMO, DEMO_POP):
    out = os.path.join(argv[0], address)
    os.makedirs(out, exist_ok=True)
    for n, item in enumerate(messages(address, today), 1):
      name = f'{n:02d}-{"_".join(item.folder)}.eml'
      with open(os.path.join(out, name), 'wb') as f:
        f.write(item.data)
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv[1:]))
