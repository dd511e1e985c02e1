import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import type { TelemetryConfig } from '../config/config';
import type { Logger } from './logger';

/** A span the request middleware keeps, renamed once the GraphQL operation is known. */
export interface RequestSpan {
  updateName(name: string): void;
  setAttribute(key: string, value: string | number | boolean): void;
}

/**
 * OpenTelemetry tracing, optional: with no OTEL_EXPORTER_OTLP_ENDPOINT every method just runs its
 * function, and the SDK is never loaded (start-up and memory do not pay for it). With an endpoint,
 * spans go to <endpoint>/v1/traces as OTLP/HTTP JSON through a batching processor.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` in a child span of the current one. */
  span<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` (the rest of an HTTP request) in a new root span; `end` finishes it. */
  request<T>(name: string, attributes: Attributes, fn: (span: RequestSpan, end: (attributes: Attributes, error?: boolean) => void) => T): T;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: RequestSpan = { updateName() {}, setAttribute() {} };

export const NO_TRACING: Tracing = {
  enabled: false,
  span: (_name, _attributes, fn) => fn(),
  request: (_name, _attributes, fn) => fn(NOOP_SPAN, () => undefined),
  shutdown: async () => undefined,
};

export function createTracing(config: TelemetryConfig, log: Logger): Tracing {
  if (!config.otlpEndpoint) return NO_TRACING;
  // Loaded here, not at the top: only processes that trace pay for the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  /* eslint-enable @typescript-eslint/no-require-imports */

  // The exporter is typed against @opentelemetry/sdk-trace, the provider against its own copy of
  // sdk-trace-base; the span shape they exchange is the same.
  const exporter = new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }) as unknown as import('@opentelemetry/sdk-trace-node').SpanExporter;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  // Installs the AsyncLocalStorage context manager that parents spans across awaits. A second app
  // in the same process (tests) finds it installed already; its spans still come from its own
  // provider below, never from the global one.
  provider.register();
  const tracer: Tracer = provider.getTracer('ticket-gateway');
  log.info({ endpoint: config.otlpEndpoint }, 'OpenTelemetry tracing on');

  const finish = (span: Span, error: boolean) => {
    if (error) span.setStatus({ code: api.SpanStatusCode.ERROR });
    span.end();
  };
  return {
    enabled: true,
    span: (name, attributes, fn) =>
      tracer.startActiveSpan(name, { attributes }, async (span) => {
        try {
          const result = await fn();
          finish(span, false);
          return result;
        } catch (err) {
          finish(span, true);
          throw err;
        }
      }),
    request: (name, attributes, fn) => {
      const span = tracer.startSpan(name, { root: true, kind: api.SpanKind.SERVER, attributes });
      let ended = false;
      const end = (more: Attributes, error = false) => {
        if (ended) return;
        ended = true;
        span.setAttributes(more);
        finish(span, error);
      };
      return api.context.with(api.trace.setSpan(api.context.active(), span), () => fn(span, end));
    },
    shutdown: () => provider.shutdown().catch((err: unknown) => log.warn({ err }, 'could not flush traces')),
  };
}
