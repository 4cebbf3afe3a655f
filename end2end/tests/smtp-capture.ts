// A tiny real SMTP server (Node's net module) standing in for a mail
// provider's outgoing server: it keeps every mail Parley sends it.
import net from 'node:net';

export type Captured = { from: string; to: string[]; raw: string; headers: Record<string, string>; body: string };

function parse(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && last) { headers[last] += ' ' + line.trim(); continue; }
    const i = line.indexOf(':');
    if (i > 0) { last = line.slice(0, i).toLowerCase(); if (!(last in headers)) headers[last] = line.slice(i + 1).trim(); else last = ''; }
  }
  return { headers, body };
}

export class Capture {
  messages: Captured[] = [];
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  constructor(readonly port: number) {}

  async start() {
    this.server = net.createServer((sock) => this.session(sock));
    await new Promise<void>((ok, fail) => { this.server!.once('error', fail); this.server!.listen(this.port, '127.0.0.1', () => ok()); });
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
    this.server = null;
  }

  /** Waits until a mail matching `pred` arrives. */
  async waitFor(pred: (m: Captured) => boolean, timeoutMs = 20_000): Promise<Captured> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`no matching mail among ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private session(sock: net.Socket) {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let inData = false;
    let from = '';
    let to: string[] = [];
    const say = (s: string) => sock.write(s + '\r\n');
    say('220 capture.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          let raw: string;
          if (buf.startsWith('.\r\n')) { raw = ''; buf = buf.slice(3); }
          else {
            const end = buf.indexOf('\r\n.\r\n');
            if (end < 0) return;
            raw = buf.slice(0, end + 2);
            buf = buf.slice(end + 5);
          }
          raw = raw.replace(/^\.\./, '.').replace(/\r\n\.\./g, '\r\n.');
          inData = false;
          this.messages.push({ from, to, raw, ...parse(raw) });
          say('250 2.0.0 captured');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { sock.write('250-capture.test\r\n250 8BITMIME\r\n'); }
        else if (verb === 'HELO') say('250 capture.test');
        else if (verb === 'MAIL') { from = (line.match(/<([^>]*)>/) ?? ['', ''])[1]; to = []; say('250 OK'); }
        else if (verb === 'RCPT') { to.push((line.match(/<([^>]*)>/) ?? ['', ''])[1]); say('250 OK'); }
        else if (verb === 'DATA') { inData = true; say('354 go ahead'); }
        else if (verb === 'RSET' || verb === 'NOOP') say('250 OK');
        else if (verb === 'QUIT') { say('221 bye'); sock.end(); return; }
        else say('502 not implemented');
      }
    });
  }
}
