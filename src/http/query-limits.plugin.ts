import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';
import type { AppConfig } from '../config/config';
import type { RequestContext } from '../graphql/context';
import { measureOperation } from '../graphql/query-limits';
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
 * Refuses, before execution and with HTTP 400, operations over the depth, alias, directive, page
 * size and cost limits, then charges the operation's cost to its subject's per-minute budget
 * (429 RATE_LIMITED with Retry-After when spent). The token limit is the parser's (parseOptions.maxTokens).
 */
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

export function queryLimitsPlugin(config: AppConfig, store: RateLimitStore | null, log: Logger): ApolloServerPlugin<RequestContext> {
  const limits = config.queryLimits;
  const perMinute = limits.rateLimitPerMinute;
  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          if (!operation) return; // Apollo has already refused a document without the named operation
          let requested: number;
          try {
            requested = enforceOperationLimits(config, schema, document, operation, request.variables);
          } catch (err) {
            const cost = err instanceof AppError && err.extensions.code === ErrorCode.QUERY_TOO_COSTLY ? (err.extensions.cost as number) : undefined;
            if (cost !== undefined) report = { requested: cost, limit: limits.maxCost };
            throw err;
          }
          report = { requested, limit: limits.maxCost };
          if (!store || perMinute === 0) return;

          const now = Date.now();
          const windowStart = windowStartOf(now);
          let total: number;
          try {
            total = await store.charge(rateSubject(contextValue), requested, windowStart);
          } catch (err) {
            log.error({ err, store: store.kind }, 'rate-limit store unavailable');
            throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The service is unavailable; retry shortly');
          }
          const resetAt = windowStart + RATE_WINDOW_MS;
          Object.assign(report, { perMinute, remaining: Math.max(0, perMinute - total), resetAt: new Date(resetAt).toISOString() });
          if (total > perMinute) {
            const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
            throw new AppError(ErrorCode.RATE_LIMITED, `Rate limit exceeded: ${perMinute} cost points per minute; retry after ${retryAfter} s`, {
              headers: new Map([['retry-after', String(retryAfter)]]),
              extensions: { retryAfter },
            });
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
