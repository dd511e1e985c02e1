import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';
import type { AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/context';
import { countSelections, measureOperation } from '../graphql/query-limits';
import { RATE_WINDOW_MS, windowStartOf, type RateLimitStore } from './rate-limit.store';

/** Returned in extensions.cost of every executed (or rate-limited) operation. */
export interface CostReport {
  /** Cost points of this operation (at least 1: every request spends something). */
  requested: number;
  /** Most points one operation may cost (MAX_QUERY_COST). */
  limit: number;
  /** Points per minute for this key/user/IP (RATE_LIMIT_COST_PER_MINUTE); absent when rate limiting is off. */
  perMinute?: number;
  /** Points left in the current minute after this operation. */
  remaining?: number;
  /** When the current minute's budget starts over (ISO time). */
  resetAt?: string;
}

const MAX_VARIABLES_DEPTH = 64;

/** Nesting depth of a JSON value, counting no further than `stop`. */
function jsonDepth(value: unknown, stop: number, depth = 0): number {
  if (depth >= stop || value === null || typeof value !== 'object') return depth;
  let max = depth + 1;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    max = Math.max(max, jsonDepth(v, stop, depth + 1));
    if (max >= stop) break;
  }
  return max;
}

/**
 * Who pays for a request: its user, whichever key or JWT it comes with (a budget per key would let
 * a user multiply their budget by issuing keys), else the client address.
 */
export function rateSubject(ctx: RequestContext): string {
  if (ctx.viewer) return `user:${ctx.viewer.user.id}`;
  return `ip:${requestScope.getStore()?.clientIp ?? 'unknown'}`;
}

/**
 * The per-operation limits (variables nesting, depth, aliases, directives, page sizes, cost),
 * checked before execution over HTTP and over WebSocket alike. Returns the operation's cost;
 * throws an AppError naming the limit.
 */
export function enforceOperationLimits(config: AppConfig, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): number {
  const limits = config.queryLimits;
  // graphql-js coerces variables recursively: thousands of nested levels overflowed the stack
  // into a 500 (found by fuzzing). No input type here needs more than a few levels.
  const variablesDepth = jsonDepth(variables, MAX_VARIABLES_DEPTH + 1);
  if (variablesDepth > MAX_VARIABLES_DEPTH) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `Variables are nested more than ${MAX_VARIABLES_DEPTH} levels deep`, { status: 400 });
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  const m = measureOperation(schema, operation, fragments, variables, {
    pageSizeDefault: config.limits.pageSizeDefault,
    pageSizeMax: config.limits.pageSizeMax,
  });
  if (m.depth > limits.maxDepth) {
    throw new AppError(ErrorCode.QUERY_TOO_DEEP, `The query is nested ${m.depth} levels deep; the limit is ${limits.maxDepth}`, { extensions: { depth: m.depth, limit: limits.maxDepth } });
  }
  if (m.aliases > limits.maxAliases) {
    throw new AppError(ErrorCode.TOO_MANY_ALIASES, `The query uses ${m.aliases} aliases; the limit is ${limits.maxAliases}`, { extensions: { aliases: m.aliases, limit: limits.maxAliases } });
  }
  if (m.directives > limits.maxDirectives) {
    throw new AppError(ErrorCode.TOO_MANY_DIRECTIVES, `The query uses ${m.directives} directives; the limit is ${limits.maxDirectives}`, { extensions: { directives: m.directives, limit: limits.maxDirectives } });
  }
  if (m.pageSizeProblems.length > 0) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, m.pageSizeProblems.join('; '), { status: 400 });
  }
  const requested = Math.max(1, m.cost);
  if (requested > limits.maxCost) {
    const shown = Number.isFinite(requested) ? String(requested) : 'unbounded';
    throw new AppError(ErrorCode.QUERY_TOO_COSTLY, `The query costs ${shown} points; the limit is ${limits.maxCost} (each connection costs its page size: ask for smaller pages or fewer nested connections)`, {
      extensions: { cost: Number.isFinite(requested) ? requested : -1, limit: limits.maxCost },
    });
  }
  return requested;
}

/**
 * The checks every operation passes before it runs, over HTTP (queryLimitsPlugin) and over
 * WebSocket (subscriptions.server.ts) alike, so neither transport is a way around the other's
 * limits: the selection count right after parsing (before validation, whose cost grows faster
 * than the document), then the per-operation limits and the per-minute budget. Refusals are
 * charged too (the selections counted, or 1 point for a limit refusal): a client that only sends
 * refused documents still spends its budget.
 */
/** Documents whose selection counts are remembered (a few MB at most: documents are token-limited). */
const COUNTED_DOCUMENTS = 500;

export class OperationGuard {
  private readonly limits: AppConfig['queryLimits'];
  /** Selection counts of recent documents by their text (oldest dropped first). */
  private readonly counted = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly store: RateLimitStore | null,
    private readonly log: Logger,
  ) {
    this.limits = config.queryLimits;
  }

  /**
   * Over HTTP, from the request's context function: Apollo offers no hook between parsing and
   * validating that may refuse a request (an error thrown in validationDidStart is a 500), while a
   * context function's AppError is the answer with its status. So the document is parsed here
   * too (linear, bounded by the token limit; a document that does not parse is left to Apollo's
   * parser and its error) and counted. A batch or a missing query is left to Apollo as well.
   */
  async checkQuery(query: unknown, subject: string): Promise<void> {
    if (typeof query !== 'string') return;
    // Clients send the same few documents again and again: those are counted once, not parsed twice per request.
    let selections = this.counted.get(query);
    if (selections === undefined) {
      try {
        selections = countSelections(parse(query, { maxTokens: this.limits.maxTokens, noLocation: true }));
      } catch {
        return;
      }
      if (this.counted.size >= COUNTED_DOCUMENTS) this.counted.delete(this.counted.keys().next().value as string);
      this.counted.set(query, selections);
    }
    await this.refuseOverSelections(selections, subject);
  }

  /** Right after parsing: refuses a document with more than MAX_QUERY_SELECTIONS selections, charging them. */
  async checkDocument(document: DocumentNode, subject: string): Promise<void> {
    await this.refuseOverSelections(countSelections(document), subject);
  }

  private async refuseOverSelections(selections: number, subject: string): Promise<void> {
    const limit = this.limits.maxSelections;
    if (selections <= limit) return;
    await this.charge(subject, selections);
    throw new AppError(
      ErrorCode.TOO_MANY_SELECTIONS,
      `The document has ${selections} selections (fields, fragment spreads, inline fragments); the limit is ${limit} (MAX_QUERY_SELECTIONS)`,
      { extensions: { selections, limit, charged: selections } },
    );
  }

  /**
   * After validation: the per-operation limits (enforceOperationLimits), then the operation's cost
   * charged to `subject`. Returns the cost report; throws an AppError naming the refused limit
   * (with `report`, when given, filled in as far as it got).
   */
  async admit(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, subject: string, report: CostReport = { requested: 0, limit: this.limits.maxCost }): Promise<CostReport> {
    let requested: number;
    try {
      requested = enforceOperationLimits(this.config, schema, document, operation, variables);
    } catch (err) {
      const cost = err instanceof AppError && err.extensions.code === ErrorCode.QUERY_TOO_COSTLY ? (err.extensions.cost as number) : undefined;
      if (cost !== undefined) report.requested = cost;
      await this.charge(subject, 1);
      throw err;
    }
    report.requested = requested;
    await this.charge(subject, requested, report);
    return report;
  }

  /**
   * Adds points to the subject's minute (and what is left of it to `report`); RATE_LIMITED (with
   * Retry-After) once it is spent. Nothing when rate limiting is off.
   */
  private async charge(subject: string, points: number, report?: CostReport): Promise<void> {
    const perMinute = this.limits.rateLimitPerMinute;
    if (!this.store || perMinute === 0) return;
    const now = Date.now();
    const windowStart = windowStartOf(now);
    let total: number;
    try {
      total = await this.store.charge(subject, points, windowStart);
    } catch (err) {
      this.log.error({ err, store: this.store.kind }, 'rate-limit store unavailable');
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The service is unavailable; retry shortly');
    }
    const resetAt = windowStart + RATE_WINDOW_MS;
    if (report) Object.assign(report, { perMinute, remaining: Math.max(0, perMinute - total), resetAt: new Date(resetAt).toISOString() });
    if (total > perMinute) {
      const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
      throw new AppError(ErrorCode.RATE_LIMITED, `Rate limit exceeded: ${perMinute} cost points per minute; retry after ${retryAfter} s`, {
        headers: new Map([['retry-after', String(retryAfter)]]),
        extensions: { retryAfter },
      });
    }
  }
}

/**
 * Over HTTP (the selection limit is checked before, in the context function: OperationGuard.checkQuery):
 * refuses, before execution and with HTTP 400, operations over the depth, alias, directive, page size and cost limits, then
 * charges the operation's cost to its subject's per-minute budget (429 RATE_LIMITED with
 * Retry-After when spent), all through the OperationGuard the WebSocket side uses too. The token
 * limit is the parser's (parseOptions.maxTokens).
 */
export function queryLimitsPlugin(guard: OperationGuard, config: AppConfig): ApolloServerPlugin<RequestContext> {
  const limits = config.queryLimits;
  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          if (!operation) return; // Apollo has already refused a document without the named operation
          report = { requested: 0, limit: limits.maxCost };
          try {
            await guard.admit(schema, document, operation, request.variables, rateSubject(contextValue), report);
          } catch (err) {
            // A limit refusal reports only what it measured; a rate-limit refusal the whole report.
            if (report.requested === 0) report = undefined;
            throw err;
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (report) result.extensions = { ...result.extensions, cost: report };
          // An operation that failed because the database is unreachable, with nothing to show for
          // it, is a 503 (retry later), not a 200 with errors.
          const data = result.data as Record<string, unknown> | null | undefined;
          const empty = !data || Object.values(data).every((v) => v === null);
          if (empty && result.errors?.some((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        },
      };
    },
  };
}
