import crypto from 'node:crypto';
import { LessThan } from 'typeorm';
import type { Database } from '../db/database';
import type { Logger } from '../common/logger';
import { refusal, refused, UserErrorCode, type Result } from '../common/result';
import { IdempotencyKey } from '../entities/idempotency-key.entity';
import type { RequestContext } from '../graphql/context';
import { requireViewer } from './access';

/** How long a clientMutationId is remembered. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
const MAX_ID_LENGTH = 100;

/**
 * Idempotent mutations: a client that retries `ticketCreate` (and the like) with the same
 * `clientMutationId` and the same input within 24 h gets the first result back and nothing is
 * written again; the same id with a different input is the refusal IDEMPOTENCY_KEY_REUSED.
 * Keys are per user and per mutation, so two users (or two mutations) never collide.
 *
 * Call pattern, in a service method (see TicketService.create, CommentService.add, FileService.upload):
 *
 *   return this.idempotency.execute<{ ticketId: number }, Ticket>(ctx, {
 *     operation: 'ticketCreate',
 *     clientMutationId: input.clientMutationId,
 *     input: { ...the input, without clientMutationId and in a JSON-able form },
 *     apply: async (record) => {
 *       ...validate (refusals are not remembered: a corrected retry may reuse the id)...
 *       const ticket = await this.db.transaction(ctx, async (tx) => {
 *         ...writes...
 *         await record(tx, { ticketId: ticket.id });   // in the SAME transaction as the writes
 *       });
 *       return ok(ticket);
 *     },
 *     replay: async ({ ticketId }) => ok(await this.finder.byId(ctx, ticketId)),
 *   });
 *
 * Why the record is written with the mutation: a crash leaves both or neither, never a ticket
 * without its record (a retry would create a second) or a record without its ticket.
 *
 * Concurrent retries with the same id: both may pass the first lookup, but the unique key
 * (user, operation, clientMutationId) lets only one transaction commit its record. The other's
 * insert fails (on MySQL it first waits for the winner's commit), its whole transaction rolls back,
 * and it answers with the winner's result as a normal retry would. So the loser waits and replays;
 * the client never sees a CONFLICT for what is, to it, one request.
 *
 * A replay returns the objects the first call produced as they are now (by reference), not a
 * stored copy of the first response: what a client retrieving "the ticket I created" wants.
 */
export class IdempotencyService {
  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async execute<R, T>(
    ctx: RequestContext,
    spec: {
      operation: string;
      clientMutationId: string | null | undefined;
      /** Where clientMutationId sits in the mutation's arguments, for refusals. */
      field?: string[];
      input: unknown;
      apply: (record: (tx: RequestContext, result: R) => Promise<void>) => Promise<Result<T>>;
      replay: (result: R) => Promise<Result<T>>;
    },
  ): Promise<Result<T>> {
    const field = spec.field ?? ['input', 'clientMutationId'];
    const clientMutationId = spec.clientMutationId ?? null;
    if (clientMutationId === null) return spec.apply(async () => undefined);
    if (clientMutationId.length === 0 || clientMutationId.length > MAX_ID_LENGTH) {
      return refused(refusal(field, UserErrorCode.INVALID, `clientMutationId must be 1-${MAX_ID_LENGTH} characters`));
    }
    const userId = requireViewer(ctx).user.id;
    const inputHash = hashInput(spec.input);
    const key = { userId, operation: spec.operation, clientMutationId };

    const earlier = await this.find(ctx, key);
    if (earlier) return this.answer(earlier, inputHash, clientMutationId, field, spec.replay);

    try {
      return await spec.apply(async (tx, result) => {
        await this.db.em(tx).insert(IdempotencyKey, { ...key, inputHash, result: JSON.stringify(result), createdAt: new Date() });
      });
    } catch (err) {
      // Lost a race with a concurrent retry: its record is committed now (ours rolled back with our writes).
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.find(ctx, key);
      if (!winner) throw err;
      this.log.info({ operation: spec.operation, userId }, 'concurrent retry of an idempotent mutation answered with the first result');
      return this.answer(winner, inputHash, clientMutationId, field, spec.replay);
    }
  }

  /** Deletes records past retention; returns how many. Runs as a background task (app.ts) and is safe on every replica. */
  async sweep(now = new Date()): Promise<number> {
    const result = await this.db.manager.delete(IdempotencyKey, { createdAt: LessThan(new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS)) });
    return result.affected ?? 0;
  }

  /** The live record for a key; an expired one is removed so the id can start afresh. */
  private async find(ctx: RequestContext, key: { userId: number; operation: string; clientMutationId: string }): Promise<IdempotencyKey | null> {
    const row = await this.db.em(ctx).findOneBy(IdempotencyKey, key);
    if (row && row.createdAt.getTime() <= Date.now() - IDEMPOTENCY_RETENTION_MS) {
      await this.db.em(ctx).delete(IdempotencyKey, { id: row.id });
      return null;
    }
    return row;
  }

  private async answer<R, T>(row: IdempotencyKey, inputHash: string, clientMutationId: string, field: string[], replay: (result: R) => Promise<Result<T>>): Promise<Result<T>> {
    if (row.inputHash !== inputHash) {
      return refused(
        refusal(field, UserErrorCode.IDEMPOTENCY_KEY_REUSED, `clientMutationId "${clientMutationId}" was already used with a different input in the last 24 hours; use a new id for a new request`),
      );
    }
    return replay(JSON.parse(row.result) as R);
  }
}

/** SHA-256 of the input as canonical JSON (object keys sorted), so key order in the request does not matter. */
export function hashInput(input: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(input)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
