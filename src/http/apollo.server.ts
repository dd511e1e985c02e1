import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { AppConfig } from '../config/config';
import type { AppMetrics } from '../common/metrics';
import { requestScope } from '../common/request-scope';
import type { RequestContext } from '../graphql/context';
import type { createFormatError } from './format-error';
import { authStatusPlugin } from './auth-status.plugin';
import { compiledExecutionPlugin } from './compiled-execution.plugin';
import { DocumentStore } from './document-store';
import { productionHardeningPlugin } from './production-hardening.plugin';
import { queryLimitsPlugin, type OperationGuard } from './query-limits.plugin';

/** Apollo Server for /graphql over HTTP, with the limits, error shaping and hardening this API promises. */
export function createApolloServer(deps: {
  schema: GraphQLSchema;
  httpServer: http.Server;
  config: AppConfig;
  metrics: AppMetrics;
  formatError: ReturnType<typeof createFormatError>;
  /** The limits and budget, shared with the WebSocket side. */
  guard: OperationGuard;
  /** Drains the WebSocket server with the HTTP one. */
  subscriptionsPlugin: ApolloServerPlugin<RequestContext>;
}): ApolloServer<RequestContext> {
  const { config, metrics, formatError } = deps;
  return new ApolloServer<RequestContext>({
    schema: deps.schema,
    introspection: true,
    // main.ts owns SIGTERM/SIGINT (drain, workers, pool). Apollo's own handler (on outside NODE_ENV=test)
    // stopped Apollo and re-raised the signal, which main.ts took for a second signal: exit 1 undrained.
    stopOnTerminationSignals: false,
    documentStore: new DocumentStore(1000),
    allowBatchedHttpRequests: false,
    // Apollo's default, stated because uploads and GET depend on it: a request a browser could send
    // cross-site without a preflight (text/plain, form posts, plain GET) is refused.
    csrfPrevention: true,
    // The token limit lives in the parser, so an over-long document is a 400 before any work is done.
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const out = formatError(formatted, error);
      metrics.recordError(out.extensions?.code);
      return out;
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer, stopGracePeriodMillis: config.queryLimits.shutdownGraceMs }),
      deps.subscriptionsPlugin,
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // Federated tracing (ftv1) is for Apollo Studio, which this service does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      operationNamePlugin,
      ...(config.nodeEnv === 'production' ? [productionHardeningPlugin()] : []),
      queryLimitsPlugin(deps.guard, config),
      authStatusPlugin(),
      // Last: every other plugin has seen the operation before a compiled query answers it.
      ...(config.compileAfterUses > 0 ? [compiledExecutionPlugin(deps.schema, config.compileAfterUses, metrics)] : []),
    ],
  });
}

/** Records the operation name in the request scope for logs and metrics. */
const operationNamePlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName }) {
        const scope = requestScope.getStore();
        if (!scope) return;
        scope.operationName = operationName ?? null;
        scope.span?.updateName(`graphql ${operationName ?? 'anonymous'}`);
      },
    };
  },
};
