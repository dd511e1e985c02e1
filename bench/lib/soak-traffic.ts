import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { multipartBody } from '../../test/helpers/multipart';
import type { SoakServer } from './soak-fleet';

/** One request as the client saw it. */
export interface Outcome {
  op: string;
  server: string;
  /** Seconds since the soak started, when the answer (or the failure) came. */
  t: number;
  ms: number;
  /** HTTP status, or 0 when no HTTP answer came (refused, reset, timed out). */
  status: number;
  /** extensions.code of the first GraphQL error, or the network error's code. */
  code: string | null;
}

/** A write the client made with a clientMutationId: retried until acknowledged, so it must exist exactly once. */
interface IdempotentWrite {
  clientMutationId: string;
  token: string;
  acked: boolean;
  /** When it was acknowledged (soak seconds). */
  ackedAt: number | null;
  /** What the acknowledgement returned (ticket, change or job id). */
  id: string | null;
}

export interface CreateWrite extends IdempotentWrite {
  withFile: boolean;
}

export interface CommentWrite extends IdempotentWrite {
  ticketId: string;
}

export interface JobWrite extends IdempotentWrite {
  ticketId: string;
  runMs: number;
  exitCode: number;
}

/** A ticket a client owns: only its owner edits `server`, so the last settled edit is what must be stored. */
interface OwnedTicket {
  id: string;
  /** The last `server` value known to be committed, and an edit whose fate is unknown (cut off by a fault). */
  settled: string | null;
  uncertain: string | null;
  ticketEventId: string | null;
}

export interface Ledger {
  creates: CreateWrite[];
  comments: CommentWrite[];
  jobs: JobWrite[];
  /** Final `server` of each owned ticket, as the ledger knows it. */
  updates: { ticketId: string; expected: string | null; uncertain: string | null }[];
  updatesAcked: number;
  conflicts: number;
}

/** A subscriber's view: when it was connected and which history entries it received, in order. */
export interface SubscriberLog {
  name: string;
  server: string;
  intervals: { from: number; to: number | null }[];
  received: { changeId: string; t: number }[];
  errors: string[];
}

const CREATE = `mutation SoakCreate($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number version } userErrors { code message } } }`;
const COMMENT = `mutation SoakComment($input: CommentAddInput!) { commentAdd(input: $input) { change { id } userErrors { code message } } }`;
const READ_VERSION = `query SoakVersion($id: ID!) { ticket(id: $id) { version server } }`;
const UPDATE = `mutation SoakUpdate($id: ID!, $input: TicketUpdateInput!) { ticketUpdate(id: $id, input: $input) { ticket { version server } userErrors { code message } } }`;
const SEARCH = `query SoakSearch($q: String!) { tickets(query: $q, first: 10) { totalCount edges { node { number subject } } } }`;
const READ = `query SoakRead($id: ID!) { ticket(id: $id) { subject version server files { filename size } jobs(first: 5) { totalCount edges { node { status code } } }
  changes(last: 20) { totalCount edges { node { type body author { username } } } } } }`;
const EVENT_ADD = `mutation SoakEventAdd($t: ID!, $e: String!) { ticketEventAdd(ticketId: $t, input: { eventId: $e }) { ticketEvent { id } userErrors { code message } } }`;
const RUN = `mutation SoakRun($id: ID!, $input: TicketEventRunInput) { ticketEventRun(id: $id, input: $input) { job { id } userErrors { code message } } }`;
const CHANGED = `subscription SoakChanged { ticketChanged { change { id } } }`;

type Body = { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };

/**
 * The soak's clients: several loops, each with its own user and API key, doing what ops people and
 * scripts do (create with files, comment, edit with expectedVersion, search, read, run events),
 * spread over the replicas. Every write carries what makes it checkable at the end: a unique token,
 * and a clientMutationId it is retried with until acknowledged when a fault cuts it off.
 */
export class Traffic {
  readonly outcomes: Outcome[] = [];
  readonly ledger: Ledger = { creates: [], comments: [], jobs: [], updates: [], updatesAcked: 0, conflicts: 0 };
  readonly subscribers: SubscriberLog[] = [];
  private readonly owned = new Map<number, OwnedTicket[]>();
  private readonly ticketPool: string[] = [];
  private next = 0;
  private stopping = false;
  private readonly wsClients: Client[] = [];

  constructor(
    private readonly servers: SoakServer[],
    private readonly keys: string[],
    private readonly eventId: string,
    private readonly soakStart: number,
  ) {}

  private now(): number {
    return (Date.now() - this.soakStart) / 1000;
  }

  /** Round robin over the replicas, like a load balancer without health checks. */
  private pick(): SoakServer {
    return this.servers[this.next++ % this.servers.length];
  }

  private async call(op: string, key: string, query: string, variables: Record<string, unknown>, file?: { name: string; content: Buffer; path: string }): Promise<Body | null> {
    const server = this.pick();
    const started = performance.now();
    let status = 0;
    let code: string | null = null;
    let body: Body | null = null;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      let payload: Buffer | string;
      if (file) {
        const mp = multipartBody(query, variables, [{ path: file.path, filename: file.name, type: 'application/octet-stream', content: file.content }]);
        headers['content-type'] = `multipart/form-data; boundary=${mp.boundary}`;
        headers['apollo-require-preflight'] = 'true';
        payload = mp.body;
      } else {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify({ query, variables });
      }
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(30_000) });
      status = res.status;
      const text = await res.text();
      try {
        body = JSON.parse(text) as Body;
      } catch {
        body = null;
      }
      code = body?.errors?.[0]?.extensions?.code ?? null;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      code = cause?.code ?? (err as Error).name;
    }
    this.outcomes.push({ op, server: server.name, t: this.now(), ms: performance.now() - started, status, code });
    if (status === 0 || status >= 500) await sleep(300); // a client backs off from a replica that is down
    return status === 200 && body?.data ? body : null;
  }

  /** Runs `clients` loops until `until` (epoch ms); subscribers run alongside. */
  async run(until: number): Promise<void> {
    await Promise.all(this.keys.map((key, i) => this.loop(i, key, until)));
  }

  stop(): void {
    this.stopping = true;
  }

  private async loop(client: number, key: string, until: number): Promise<void> {
    this.owned.set(client, []);
    while (Date.now() < until && !this.stopping) {
      await this.retryUnacknowledged(client, key);
      const r = Math.random();
      if (r < 0.2 || this.ticketPool.length < 5) await this.create(client, key);
      else if (r < 0.48) await this.comment(client, key);
      else if (r < 0.62) await this.update(client, key);
      else if (r < 0.78) await this.search(key);
      else if (r < 0.92) await this.read(key);
      else await this.runJob(client, key);
      // People and scripts pause between requests: about 60 requests/s from the six clients together.
      await sleep(40 + Math.floor(Math.random() * 100));
    }
  }

  // ---- operations ----

  private async create(client: number, key: string, retry?: CreateWrite): Promise<void> {
    const write: CreateWrite = retry ?? { clientMutationId: `create-${client}-${crypto.randomUUID()}`, token: token(), acked: false, ackedAt: null, id: null, withFile: Math.random() < 0.3 };
    if (!retry) this.ledger.creates.push(write);
    const input = {
      subject: `soak ${write.token}`,
      body: `Created by the soak run, client ${client}.`,
      tags: ['soak'],
      notify: [`watcher-${client}@example.com`],
      clientMutationId: write.clientMutationId,
      ...(write.withFile ? { files: [null] } : {}),
    };
    const file = write.withFile ? { name: `evidence-${write.token}.bin`, content: fileContent(write.token), path: 'variables.input.files.0' } : undefined;
    const body = await this.call('create', key, CREATE, { input }, file);
    const ticket = body?.data?.ticketCreate?.ticket as { id: string } | undefined;
    if (!ticket) return;
    write.acked = true;
    write.ackedAt = this.now();
    write.id = ticket.id;
    this.ticketPool.push(ticket.id);
    const owned: OwnedTicket = { id: ticket.id, settled: null, uncertain: null, ticketEventId: null };
    this.owned.get(client)!.push(owned);
  }

  private async comment(client: number, key: string, retry?: CommentWrite): Promise<void> {
    const ticketId = retry?.ticketId ?? this.ticketPool[Math.floor(Math.random() * this.ticketPool.length)];
    const write: CommentWrite = retry ?? { clientMutationId: `comment-${client}-${crypto.randomUUID()}`, token: token(), acked: false, ackedAt: null, id: null, ticketId };
    if (!retry) this.ledger.comments.push(write);
    const body = await this.call('comment', key, COMMENT, { input: { ticketId, body: `comment ${write.token} from client ${client}`, clientMutationId: write.clientMutationId } });
    const change = body?.data?.commentAdd?.change as { id: string } | undefined;
    if (!change) return;
    write.acked = true;
    write.ackedAt = this.now();
    write.id = change.id;
  }

  /** Read the version, then edit with expectedVersion (someone else's comment in between is a CONFLICT, as it should be). */
  private async update(client: number, key: string): Promise<void> {
    const mine = this.owned.get(client)!;
    if (mine.length === 0) return this.create(client, key);
    const ticket = mine[Math.floor(Math.random() * mine.length)];
    const current = await this.call('read-version', key, READ_VERSION, { id: ticket.id });
    const stored = current?.data?.ticket as { version: number; server: string | null } | undefined;
    if (!stored) return;
    this.settle(ticket, stored.server);
    if (ticket.uncertain !== null) return; // still unknown: decide on a later read
    const value = `srv-${token()}`;
    const body = await this.call('update', key, UPDATE, { id: ticket.id, input: { server: value, expectedVersion: stored.version } });
    if (!body) {
      ticket.uncertain = value; // cut off: committed or not, a later read tells
      return;
    }
    const payload = body.data?.ticketUpdate as { ticket: { server: string } | null; userErrors: { code: string }[] } | undefined;
    if (payload?.ticket) {
      ticket.settled = value;
      this.ledger.updatesAcked++;
    } else if (payload?.userErrors.some((e) => e.code === 'CONFLICT')) this.ledger.conflicts++;
  }

  /** What a read says about an edit whose fate was unknown. */
  private settle(ticket: OwnedTicket, server: string | null): void {
    if (ticket.uncertain === null) return;
    if (server === ticket.uncertain) ticket.settled = server;
    ticket.uncertain = null;
  }

  private async search(key: string): Promise<void> {
    const known = this.ledger.creates.filter((c) => c.acked);
    const q = Math.random() < 0.5 || known.length === 0 ? 'tags:soak status:open' : known[Math.floor(Math.random() * known.length)].token;
    await this.call('search', key, SEARCH, { q });
  }

  private async read(key: string): Promise<void> {
    if (this.ticketPool.length === 0) return;
    await this.call('read', key, READ, { id: this.ticketPool[Math.floor(Math.random() * this.ticketPool.length)] });
  }

  /** Runs the soak event on an owned ticket: 3.5-6 s, longer than REQUEST_TIMEOUT, with a chosen exit code. */
  private async runJob(client: number, key: string, retry?: JobWrite): Promise<void> {
    const mine = this.owned.get(client)!;
    const ticket = retry ? mine.find((t) => t.id === retry.ticketId) : mine[Math.floor(Math.random() * mine.length)];
    if (!ticket) return;
    if (!ticket.ticketEventId) {
      const added = await this.call('event-add', key, EVENT_ADD, { t: ticket.id, e: this.eventId });
      ticket.ticketEventId = (added?.data?.ticketEventAdd?.ticketEvent as { id: string } | undefined)?.id ?? null;
      if (!ticket.ticketEventId) return;
    }
    const write: JobWrite = retry ?? {
      clientMutationId: `job-${client}-${crypto.randomUUID()}`, token: token(), acked: false, ackedAt: null, id: null, ticketId: ticket.id,
      runMs: 3500 + Math.floor(Math.random() * 2500), exitCode: [0, 0, 0, 1, 3][Math.floor(Math.random() * 5)],
    };
    if (!retry) this.ledger.jobs.push(write);
    const body = await this.call('job-run', key, RUN, { id: ticket.ticketEventId, input: { clientMutationId: write.clientMutationId, params: { token: write.token, ms: write.runMs, code: write.exitCode } } });
    const job = body?.data?.ticketEventRun?.job as { id: string } | undefined;
    if (!job) return;
    write.acked = true;
    write.ackedAt = this.now();
    write.id = job.id;
  }

  /** A write cut off by a fault is sent again with its clientMutationId: done once, whatever happened the first time. */
  private async retryUnacknowledged(client: number, key: string): Promise<void> {
    const prefix = (kind: string) => `${kind}-${client}-`;
    const create = this.ledger.creates.find((w) => !w.acked && w.clientMutationId.startsWith(prefix('create')));
    if (create) return this.create(client, key, create);
    const comment = this.ledger.comments.find((w) => !w.acked && w.clientMutationId.startsWith(prefix('comment')));
    if (comment) return this.comment(client, key, comment);
    const job = this.ledger.jobs.find((w) => !w.acked && w.clientMutationId.startsWith(prefix('job')));
    if (job) return this.runJob(client, key, job);
  }

  /** After the traffic: every cut-off write is retried until acknowledged (or `until`), every unknown edit read. */
  async settleAll(until: number): Promise<void> {
    this.stopping = false;
    await Promise.all(
      this.keys.map(async (key, client) => {
        while (Date.now() < until) {
          const before = this.unacknowledged();
          if (before === 0) break;
          await this.retryUnacknowledged(client, key);
          if (this.unacknowledged() === before) await sleep(200);
        }
        for (const ticket of this.owned.get(client) ?? []) {
          if (ticket.uncertain === null) continue;
          const current = await this.call('read-version', key, READ_VERSION, { id: ticket.id });
          const stored = current?.data?.ticket as { server: string | null } | undefined;
          if (stored) this.settle(ticket, stored.server);
        }
      }),
    );
    this.ledger.updates = [...this.owned.values()].flat().map((t) => ({ ticketId: t.id, expected: t.settled, uncertain: t.uncertain }));
  }

  unacknowledged(): number {
    return [...this.ledger.creates, ...this.ledger.comments, ...this.ledger.jobs].filter((w) => !w.acked).length;
  }

  // ---- subscriptions ----

  /**
   * A graphql-ws subscriber on one replica, to every history entry (ticketChanged with no query).
   * When its replica goes away it connects again once it is back, as a client with retries would.
   */
  subscribe(name: string, server: SoakServer, key: string): void {
    const log: SubscriberLog = { name, server: server.name, intervals: [], received: [], errors: [] };
    this.subscribers.push(log);
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${key}` },
      retryAttempts: Infinity,
      retryWait: () => sleep(250),
      shouldRetry: () => true,
      lazy: false,
      on: {
        connected: () => log.intervals.push({ from: this.now(), to: null }),
        closed: () => {
          const open = log.intervals.at(-1);
          if (open && open.to === null) open.to = this.now();
        },
      },
    });
    this.wsClients.push(client);
    const listen = () =>
      client.subscribe<{ ticketChanged: { change: { id: string } } }>(
        { query: CHANGED },
        {
          next: (m) => {
            const id = m.data?.ticketChanged?.change?.id;
            if (id) log.received.push({ changeId: id, t: this.now() });
            else log.errors.push(JSON.stringify(m.errors ?? m).slice(0, 300));
          },
          error: (err) => {
            log.errors.push(String((err as Error)?.message ?? JSON.stringify(err)).slice(0, 300));
            if (!this.stopping) setTimeout(listen, 250); // a subscription-level error ends it: subscribe again
          },
          complete: () => undefined,
        },
      );
    listen();
  }

  /** Connected now, and since when. */
  async closeSubscribers(): Promise<void> {
    this.stopping = true;
    const now = this.now();
    for (const s of this.subscribers) {
      const open = s.intervals.at(-1);
      if (open && open.to === null) open.to = now;
    }
    await Promise.all(this.wsClients.map((c) => c.dispose()));
  }
}

function token(): string {
  return `tk${crypto.randomBytes(6).toString('hex')}`;
}

/** A file whose bytes depend on its token, so the check can tell it is the right one. */
export function fileContent(tok: string): Buffer {
  return Buffer.concat([Buffer.from(`${tok}\n`), crypto.createHash('sha256').update(tok).digest(), Buffer.alloc(20_000, tok.charCodeAt(2))]);
}
