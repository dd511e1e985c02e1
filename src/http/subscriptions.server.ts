import crypto from 'node:crypto';
import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  print,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';
import type { AppConfig } from '../config/config';
import type { RequestContext, Viewer } from '../graphql/context';
import type { Services } from '../services/services';
import { rateSubject, type OperationGuard } from './query-limits.plugin';
import { TOO_MANY_CONNECTIONS, WebSocketLimiter } from './websocket.limiter';

/** How long shutdown waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 2_000;
/** How long startup waits for the Redis subscription (the server starts anyway, and logs it). */
const BUS_READY_MS = 3_000;

export interface SubscriptionServer {
  /** Apollo plugin: its drain closes the WebSocket side when Apollo stops. */
  plugin: ApolloServerPlugin<RequestContext>;
  close(): Promise<void>;
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

type ConnectionExtra = {
  viewer?: Viewer | null;
  connectionId?: string;
  /** Operations accepted on this connection and not ended yet, each with its release of the caps. */
  running?: Map<string, () => void>;
};

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the same server and path as HTTP
 * (/graphql). A connection authenticates once, in its connection_init payload
 * (`{ "Authorization": "Bearer <api key>" }`, `authorization` also accepted): no credentials
 * closes it with 4401, bad ones with 4403, each with a reason saying what to send. Every operation
 * gets its own RequestContext; errors are masked like HTTP responses (format-error.ts).
 */
export async function startSubscriptionServer(
  server: http.Server,
  schema: GraphQLSchema,
  deps: { config: AppConfig; services: Services; guard: OperationGuard; log: Logger; formatError: FormatError; contextOf: (viewer: Viewer | null) => RequestContext },
): Promise<SubscriptionServer> {
  const { config, services, guard, log, formatError, contextOf } = deps;
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: config.limits.requestBodyMaxBytes });
  wss.on('error', (err) => log.error({ err }, 'WebSocket server error'));
  const limiter = new WebSocketLimiter(config.webSocketLimits);
  // Counted before graphql-ws sees the socket (this listener is added first), so an address over
  // its cap is closed before authenticating costs anything.
  wss.on('connection', (socket, request) => {
    const { refused, release } = limiter.openFromIp(request.socket.remoteAddress ?? 'unknown');
    socket.once('close', release);
    if (refused) socket.close(TOO_MANY_CONNECTIONS, refused);
  });

  const format = (errors: readonly GraphQLError[], requestId: string): GraphQLFormattedError[] =>
    requestScope.run({ requestId, sqlCount: 0, operationName: null }, () => errors.map((e) => formatError(e.toJSON(), e)));

  /**
   * A connection's viewer is fixed when it opens (its subscriptions were authorized with it), so
   * its credentials are checked again every SUBSCRIPTION_REAUTH_INTERVAL: a revoked or expired key,
   * a deactivated user or changed privileges, categories or own-tickets restriction close it (4403); the client reconnects
   * with what it now has. A database hiccup keeps the connection (the next check decides).
   */
  const watchCredentials = (socket: WebSocket, header: string, viewer: Viewer | null) => {
    const grants = (v: Viewer | null) => JSON.stringify(v && [v.user.id, [...v.privileges].sort(), v.categoryIds, v.ownTicketsOnly]);
    const timer = setInterval(() => {
      services.auth.authenticate(header).then(
        (now) => {
          if (grants(now) !== grants(viewer)) socket.close(CloseCode.Forbidden, 'Forbidden: your access changed; reconnect');
        },
        (err: unknown) => {
          if (err instanceof AppError) socket.close(CloseCode.Forbidden, `Forbidden: ${err.message}`.slice(0, 120));
          else log.warn({ err }, 'could not check a WebSocket connection\'s credentials again');
        },
      );
    }, config.subscriptionReauthMs);
    timer.unref();
    socket.once('close', () => clearInterval(timer));
  };

  useServer<Record<string, unknown>, ConnectionExtra>(
    {
      schema,
      subscribe: subscribeSharingResults,
      // Every operation passes what an HTTP request passes, through the same OperationGuard: the
      // token limit (parser), the selection limit (before validating), validation, the depth,
      // alias, directive, page-size and cost limits, and the per-minute budget (queries and
      // mutations over the socket are charged like HTTP ones; a subscription once, when it
      // starts). Refusals are errors of that operation with the same codes as over HTTP (graphql-ws
      // would otherwise close the socket on a syntax error, and an uncoded validation error would
      // be masked as an internal one); the connection stays usable.
      onSubscribe: async (ctx, id, payload) => {
        const contextValue = contextOf(ctx.extra.viewer ?? null);
        const scope = { requestId: contextValue.requestId, sqlCount: 0, operationName: payload.operationName ?? null, clientIp: ctx.extra.request.socket.remoteAddress };
        return requestScope.run(scope, async () => {
          let document: DocumentNode;
          try {
            document = parse(payload.query, { maxTokens: config.queryLimits.maxTokens });
          } catch (err) {
            return [coded(err instanceof GraphQLError ? err : new GraphQLError(String(err)), 'GRAPHQL_PARSE_FAILED')];
          }
          const subject = rateSubject(contextValue);
          const refused = await refusal(() => guard.checkDocument(document, subject));
          if (refused) return refused;
          const errors = validate(schema, document);
          if (errors.length > 0) return errors.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED'));
          const operation = getOperationAST(document, payload.operationName);
          if (operation) {
            const over = await refusal(() => guard.admit(schema, document, operation, payload.variables ?? undefined, subject));
            if (over) return over;
          }
          // Ended (completed by the client, or the socket closed) while it was being checked.
          if (!(id in ctx.subscriptions)) return [new GraphQLError('The operation was ended before it started')];
          const running = (ctx.extra.running ??= new Map());
          const started = limiter.startOperation(ctx.extra.viewer?.user.id ?? null, running.size);
          if (typeof started !== 'function') return [new AppError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, started.message, { extensions: { limit: started.limit } })];
          running.set(id, started);
          return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
        });
      },
      // Called for every accepted operation when it ends (by the client, the server or the socket closing).
      onComplete: (ctx, id) => {
        ctx.extra.running?.get(id)?.();
        ctx.extra.running?.delete(id);
      },
      onClose: (ctx) => {
        for (const release of ctx.extra.running?.values() ?? []) release();
        ctx.extra.running?.clear();
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params.Authorization ?? params.authorization;
        const socket = ctx.extra.socket;
        if (socket.readyState !== socket.OPEN) return false; // refused by the address cap
        if (typeof header !== 'string' || header.trim() === '') {
          socket.close(CloseCode.Unauthorized, 'Unauthorized: send connectionParams {"Authorization": "Bearer <api key>"}');
          return false;
        }
        try {
          const viewer = await services.auth.authenticate(header);
          if (socket.readyState !== socket.OPEN) return false; // gone while authenticating: nothing to count
          if (viewer) {
            const { refused, release } = limiter.openForUser(viewer.user.id);
            socket.once('close', release);
            if (refused) {
              socket.close(TOO_MANY_CONNECTIONS, refused);
              return false;
            }
          }
          ctx.extra.viewer = viewer;
          ctx.extra.connectionId = crypto.randomUUID();
          watchCredentials(socket, header, viewer);
          log.debug({ connectionId: ctx.extra.connectionId, userId: viewer?.user.id }, 'subscription connection');
          return true;
        } catch (err) {
          if (!(err instanceof AppError)) log.error({ err }, 'could not authenticate a WebSocket connection');
          socket.close(CloseCode.Forbidden, err instanceof AppError ? `Forbidden: ${err.message}`.slice(0, 120) : 'Forbidden: could not check the credentials; retry');
          return false;
        }
      },
      context: (ctx): RequestContext => contextOf(ctx.extra.viewer ?? null),
      onNext: (_ctx, _id, _payload, args, result) => {
        const { errors } = result as ExecutionResult;
        if (!errors?.length) return undefined;
        return { ...result, errors: format(errors, (args.contextValue as RequestContext).requestId) } as never;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors, crypto.randomUUID()) as never,
    },
    wss,
  );

  if (!(await services.eventBus.ready(BUS_READY_MS))) {
    log.warn({ bus: services.eventBus.kind }, 'the Redis subscription is not in place yet: events from other replicas arrive once Redis answers');
  }

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const open = [...wss.clients];
      for (const client of open) client.close(1001, 'Server shutting down');
      await waitClosed(open, CLOSE_GRACE_MS);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    })());

  return {
    close,
    plugin: {
      async serverWillStart() {
        return { drainServer: close };
      },
    },
  };
}

/** Runs a check of the OperationGuard: its refusal as the operation's errors, or null when it passed. */
async function refusal(check: () => Promise<unknown>): Promise<GraphQLError[] | null> {
  try {
    await check();
    return null;
  } catch (err) {
    if (err instanceof GraphQLError) return [err];
    throw err;
  }
}

function coded(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

/**
 * Executions of one event, by operation + variables + viewer. The key is the event object itself
 * (the dispatcher hands the same object to every subscriber of the process), so an entry lives
 * exactly as long as some subscriber still has that event to send.
 */
const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();

/**
 * graphql's subscribe(), except that subscribers with the same operation, variables and viewer
 * share one execution per event: 1,000 dashboards watching one ticket cost one execution of
 * their selection per change, not 1,000 (each still gets its own message). The viewer is part of
 * the key (user, key, privileges, categories), so no result crosses to someone else.
 */
async function subscribeSharingResults(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (typeof Object(stream)[Symbol.asyncIterator] !== 'function') return stream as ExecutionResult;
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const viewer = (args.contextValue as RequestContext).viewer;
  const key = JSON.stringify([
    print(args.document),
    args.operationName ?? null,
    args.variableValues ?? null,
    viewer ? [viewer.user.id, viewer.apiKeyId, [...viewer.privileges].sort(), viewer.categoryIds, viewer.ownTicketsOnly] : null,
  ]);
  const executeFor = (payload: unknown): Promise<ExecutionResult> | ExecutionResult => {
    if (typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let byKey = sharedResults.get(payload);
    if (!byKey) sharedResults.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = execute({ ...args, rootValue: payload })));
    return result;
  };
  const done = async (): Promise<IteratorResult<ExecutionResult>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: await executeFor(r.value), done: false };
    },
    return: done,
    async throw(err: unknown) {
      await done();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

function waitClosed(sockets: WebSocket[], timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let left = sockets.filter((s) => s.readyState !== s.CLOSED).length;
    if (left === 0) return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    for (const s of sockets) {
      if (s.readyState === s.CLOSED) continue;
      s.once('close', () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}
