import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server on loopback that keeps what it receives. stop() and start() again on the
 * same port simulate an outage; recipients matching `refuse` get a permanent 550 at RCPT.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  port = 0;
  private server: SMTPServer | null = null;

  constructor(private readonly refuse: RegExp = /^bounce/) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // stop() is an outage: connections the gateway's pool keeps open are cut at once.
      closeTimeout: 50,
      onRcptTo: (address, _session, cb) => {
        if (this.refuse.test(address.address)) {
          const err = new Error('No such user') as Error & { responseCode: number };
          err.responseCode = 550;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), mail });
            cb();
          })
          .catch(cb);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => {
        this.port = (this.server!.server.address() as { port: number }).port;
        // A client that goes away mid-session resets its connection; that is the client's business.
        this.server!.on('error', () => undefined);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails whose subject matches, polling until `count` arrived (or the timeout). */
  async waitFor(subject: RegExp, count = 1, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter((r) => subject.test(r.mail.subject ?? ''));
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
