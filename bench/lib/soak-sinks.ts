import http from 'node:http';
import { SMTPServer } from 'smtp-server';

/** One delivery as a receiver saw it: the sender's stable id for it, and when it arrived. */
export interface Receipt {
  id: string;
  /** Seconds since the soak started. */
  t: number;
  kind: string;
}

/** Receipts by id: a list per id, so a delivery made twice shows up as two. */
export class ReceiptLog {
  readonly byId = new Map<string, Receipt[]>();
  total = 0;

  constructor(private readonly soakStart: number) {}

  add(id: string, kind: string): void {
    const receipt = { id, kind, t: (Date.now() - this.soakStart) / 1000 };
    const list = this.byId.get(id);
    if (list) list.push(receipt);
    else this.byId.set(id, [receipt]);
    this.total++;
  }

  /** Ids received more than once. */
  duplicates(): Receipt[][] {
    return [...this.byId.values()].filter((l) => l.length > 1);
  }
}

/**
 * A real SMTP server on loopback (smtp-server) that records each message by its Message-ID, which
 * the gateway keeps the same across retries of one outbox row (`<outbox.<row>.<ticket>@...>`).
 */
export async function startSmtpSink(log: ReceiptLog): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 50,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 64 * 1024) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const headers = head.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const messageId = /^message-id:\s*(\S+)/im.exec(headers)?.[1] ?? 'missing-message-id';
        const subject = /^subject:\s*(.*)$/im.exec(headers)?.[1] ?? '';
        log.add(messageId, /Created/.test(subject) ? 'created' : /Updated/.test(subject) ? 'updated' : 'other');
        callback();
      });
    },
  });
  // A client killed mid-session (kill -9 of a replica) resets its connection: expected here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A webhook endpoint that records each delivery by its X-Webhook-Delivery id (the same on every retry). */
export async function startWebhookReceiver(log: ReceiptLog): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      log.add(String(req.headers['x-webhook-delivery'] ?? 'missing-delivery-id'), String(req.headers['x-webhook-event'] ?? ''));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/tickets`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
