import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../config/config';
import { PermanentDeliveryError } from '../common/errors';

export interface OutgoingMail {
  /** Stable per outbox row, so a mail re-sent after a crash is recognisably the same mail. */
  messageId: string;
  to: string[];
  /** Copy recipients (forwards). */
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Files sent along (forwards), read when the mail is built. */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export interface SendResult {
  accepted: string[];
  /** Recipients the server refused permanently. */
  rejected: string[];
}

/** The mail server refused permanently (5xx): retrying would not help. `rejected`: refused recipients. */
export class PermanentMailError extends PermanentDeliveryError {
  constructor(message: string, readonly rejected: string[]) {
    super(message);
  }
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise .eml files under MAIL_DIR, so nothing is silently dropped. */
export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl ? new SmtpTransport(config) : new FileTransport(config);
}

class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(private readonly config: MailConfig) {
    // Pooled: a few connections kept open and reused, instead of a connection (and TLS handshake) per
    // mail. nodemailer takes pool options from the URL's query, which the operator may set too.
    const url = new URL(config.smtpUrl!);
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
    if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', '4');
    this.transporter = nodemailer.createTransport(url.toString(), { from: config.from });
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    try {
      const info = await this.transporter.sendMail({ ...message(this.config, mail) });
      return { accepted: info.accepted.map(address), rejected: info.rejected.map(address) };
    } catch (err) {
      const e = err as Error & { responseCode?: number; rejected?: unknown[] };
      if (e.responseCode && e.responseCode >= 500 && e.responseCode < 600) {
        throw new PermanentMailError(e.message, (e.rejected ?? []).map((r) => address(r as string)));
      }
      throw err;
    }
  }

  close(): void {
    this.transporter.close();
  }
}

class FileTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(private readonly config: MailConfig) {
    fs.mkdirSync(config.dir, { recursive: true });
    this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const info = await this.transporter.sendMail(message(this.config, mail));
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^A-Za-z0-9.-]/g, '')}.eml`;
    // Written under a temporary name and renamed, so a reader never sees half a mail.
    const file = path.join(this.config.dir, name);
    await fs.promises.writeFile(`${file}.partial`, info.message as Buffer);
    await fs.promises.rename(`${file}.partial`, file);
    return { accepted: mail.to, rejected: [] };
  }

  close(): void {
    this.transporter.close();
  }
}

function message(config: MailConfig, mail: OutgoingMail) {
  return {
    from: config.from,
    to: mail.to,
    ...(mail.cc?.length ? { cc: mail.cc } : {}),
    ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
    // nodemailer encodes header values; stripping line breaks as well keeps user text in its header.
    subject: mail.subject.replace(/[\r\n]+/g, ' '),
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: { 'Auto-Submitted': 'auto-generated', ...mail.headers },
  };
}

function address(a: string | { address: string }): string {
  return (typeof a === 'string' ? a : a.address).toLowerCase();
}
