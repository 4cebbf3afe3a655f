// A tiny real SMTP server (Node's net module, no dependencies) standing in
// for a mail provider's outgoing server: it keeps every mail Parley sends it.
// Plain SMTP only (no TLS, no AUTH) — what Parley speaks with security "none".
import net from 'node:net';

export type Captured = {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO). */
  to: string[];
  /** The message as received, dot-stuffing undone. */
  raw: string;
  /** Unfolded headers by lowercased name (the first of each name). */
  headers: Record<string, string>;
  body: string;
};

export type CaptureServer = {
  messages: Captured[];
  waitFor(pred: (m: Captured) => boolean, timeoutMs?: number): Promise<Captured>;
  stop(): Promise<void>;
};

/** Splits a message into unfolded headers and body. */
export function parse(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line)) {
      if (last) headers[last] += ' ' + line.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) { last = ''; continue; }
    const name = line.slice(0, i).trim().toLowerCase();
    if (name in headers) { last = ''; continue; } // keep the first one
    headers[name] = line.slice(i + 1).trim();
    last = name;
  }
  return { headers, body };
}

/** The address inside `<…>` of a MAIL FROM / RCPT TO line. */
const pathOf = (line: string) => (line.match(/<([^>]*)>/) ?? ['', line.replace(/^[^:]*:/, '').trim()])[1];

export class Capture implements CaptureServer {
  messages: Captured[] = [];
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  constructor(readonly port: number) {}

  async start() {
    const server = net.createServer((sock) => this.session(sock));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => { server.off('error', fail); ok(); });
    });
    this.server = server;
  }

  /** Stops listening and drops open connections; later connects are refused. */
  async stop() {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Waits until a mail matching `pred` has arrived, and returns it. */
  async waitFor(pred: (m: Captured) => boolean, timeoutMs = 20_000): Promise<Captured> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (Date.now() > until) {
        const seen = this.messages.map((m) => m.headers['subject'] ?? '(no subject)').join(' | ');
        throw new Error(`no matching mail within ${timeoutMs} ms; captured ${this.messages.length}: ${seen}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private session(sock: net.Socket) {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    sock.setEncoding('utf8'); // a decoder: multi-byte characters may span chunks
    let buf = '';
    let inData = false;
    let from = '';
    let to: string[] = [];
    const say = (s: string) => { if (!sock.destroyed) sock.write(s + '\r\n'); };
    say('220 capture.test ESMTP ready');
    sock.on('data', (chunk: string) => {
      buf += chunk;
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
          // Undo dot-stuffing: a line starting with ".." was sent for ".".
          raw = raw.replace(/^\.\./, '.').replace(/\r\n\.\./g, '\r\n.');
          inData = false;
          this.messages.push({ from, to, raw, ...parse(raw) });
          from = '';
          to = [];
          say('250 2.0.0 captured');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') sock.write('250-capture.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        else if (verb === 'HELO') say('250 capture.test');
        else if (verb === 'MAIL') { from = pathOf(line); to = []; say('250 2.1.0 OK'); }
        else if (verb === 'RCPT') { to.push(pathOf(line)); say('250 2.1.5 OK'); }
        else if (verb === 'DATA') { inData = true; say('354 end data with <CR><LF>.<CR><LF>'); }
        else if (verb === 'RSET') { from = ''; to = []; say('250 2.0.0 OK'); }
        else if (verb === 'NOOP') say('250 2.0.0 OK');
        else if (verb === 'QUIT') { say('221 2.0.0 bye'); sock.end(); return; }
        else say('502 5.5.2 command not implemented');
      }
    });
  }
}

/** Starts a capture server on 127.0.0.1:`port`. */
export async function start(port: number): Promise<Capture> {
  const c = new Capture(port);
  await c.start();
  return c;
}
