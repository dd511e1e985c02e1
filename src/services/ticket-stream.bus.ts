import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from '../common/logger';

/**
 * What a committed write announces about one ticket: which history entries it wrote (inclusive id
 * ranges; empty when it wrote none) and whether the ticket became visible as a new non-draft ticket
 * (created open, or a draft published). Deliberately small: every replica loads the data itself,
 * once per event, and applies each subscriber's authorization to what it loaded.
 */
export interface TicketStreamMessage {
  ticketId: number;
  ranges: [number, number][];
  opened: boolean;
}

export type TicketEventListener = (messages: TicketStreamMessage[]) => void;

/** Carries committed-write announcements to every replica's subscription dispatcher. */
export interface TicketStreamBus {
  readonly kind: 'in-process' | 'redis';
  publish(messages: TicketStreamMessage[]): void;
  /** The only listener: this process's dispatcher. */
  listen(listener: TicketEventListener): void;
  /** Resolves once the bus receives what others publish (the Redis subscription is in place), or after timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The default: one process, so an announcement is just a function call (on a later tick, never inside the writer's). */
export class InProcessTicketStreamBus implements TicketStreamBus {
  readonly kind = 'in-process' as const;
  private listener: TicketEventListener | null = null;

  publish(messages: TicketStreamMessage[]): void {
    const listener = this.listener;
    if (listener && messages.length > 0) setImmediate(() => listener(messages));
  }

  listen(listener: TicketEventListener): void {
    this.listener = listener;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.listener = null;
  }
}

interface WireMessage {
  /** The publishing process, so it skips its own messages (it delivered them locally already). */
  o: string;
  m: [ticketId: number, ranges: [number, number][], opened: 0 | 1][];
}

const LOG_EVERY_MS = 30_000;

/**
 * Replicas: local subscribers are served directly (so they keep working while Redis is down), and
 * the same messages go to one Redis channel that every replica subscribes to. One publisher and
 * one subscriber connection per process; ioredis reconnects and re-subscribes by itself. Redis
 * being down never fails or slows a write: publishing does not queue offline, and a failure is
 * logged (at most every 30 s) and dropped. Replicas that missed events catch up with ticketChangeStream.
 */
export class RedisTicketStreamBus implements TicketStreamBus {
  readonly kind = 'redis' as const;
  private readonly origin = crypto.randomUUID();
  private readonly channel: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly subscribed: Promise<boolean>;
  private listener: TicketEventListener | null = null;
  private lastComplaint = 0;
  private closed = false;

  constructor(url: string, prefix: string, private readonly log: Logger) {
    this.channel = `${prefix}ticket-events`;
    const common = { connectionName: 'ticket-gateway', lazyConnect: false, disconnectTimeout: 200, retryStrategy: (n: number) => Math.min(100 * n, 2_000) };
    this.pub = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.sub = new Redis(url, { ...common, maxRetriesPerRequest: null });
    for (const [role, conn] of [['publisher', this.pub], ['subscriber', this.sub]] as const) {
      conn.on('error', (err: Error) => this.complain(err, `Redis ${role} connection error`));
    }
    this.sub.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.receive(raw);
    });
    this.subscribed = this.sub.subscribe(this.channel).then(
      () => true,
      (err: unknown) => {
        if (!this.closed) this.complain(err, 'could not subscribe to the Redis channel');
        return false;
      },
    );
  }

  publish(messages: TicketStreamMessage[]): void {
    if (messages.length === 0) return;
    const listener = this.listener;
    if (listener) setImmediate(() => listener(messages));
    const wire: WireMessage = { o: this.origin, m: messages.map((m) => [m.ticketId, m.ranges, m.opened ? 1 : 0]) };
    this.pub.publish(this.channel, JSON.stringify(wire)).catch((err: unknown) => this.complain(err, 'could not publish ticket events to Redis; other replicas miss them'));
  }

  listen(listener: TicketEventListener): void {
    this.listener = listener;
  }

  ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    return Promise.race([this.subscribed, timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener = null;
    await Promise.all([this.pub, this.sub].map((conn) => (conn.status === 'ready' ? conn.quit().then(() => undefined, () => conn.disconnect()) : conn.disconnect())));
  }

  private receive(raw: string): void {
    let wire: WireMessage;
    try {
      wire = JSON.parse(raw) as WireMessage;
    } catch {
      return; // not ours
    }
    if (wire.o === this.origin || !Array.isArray(wire.m) || !this.listener) return;
    const messages: TicketStreamMessage[] = [];
    for (const item of wire.m) {
      if (!Array.isArray(item) || !Number.isSafeInteger(item[0]) || !Array.isArray(item[1])) continue;
      const ranges = item[1].filter((r): r is [number, number] => Array.isArray(r) && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]));
      messages.push({ ticketId: item[0], ranges, opened: item[2] === 1 });
    }
    if (messages.length > 0) this.listener(messages);
  }

  private complain(err: unknown, message: string): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastComplaint < LOG_EVERY_MS) return;
    this.lastComplaint = now;
    this.log.warn({ err }, message);
  }
}

export function createTicketStreamBus(config: { redisUrl: string | null; redisPrefix: string }, log: Logger): TicketStreamBus {
  return config.redisUrl ? new RedisTicketStreamBus(config.redisUrl, config.redisPrefix, log) : new InProcessTicketStreamBus();
}
