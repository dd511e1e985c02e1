import { Router, type Request, type Response } from 'express';
import { Gauge } from 'prom-client';
import type { AppMetrics } from '../common/metrics';
import type { Services } from '../services/services';

/**
 * GET /metrics in Prometheus text format: the app's request, error, SQL and DataLoader series
 * (AppMetrics) plus gauges read at scrape time. Gauges that need the database are read then, so
 * a scrape costs one grouped query and nothing is computed between scrapes.
 */
export function metricsRouter(services: Services, metrics: AppMetrics): Router {
  const registry = metrics.registry;
  const outbox = new Gauge({
    name: 'tg_outbox_messages',
    help: 'Outbox rows (mail and other side effects) by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const c = await services.outbox.counts();
      this.set({ status: 'pending' }, c.pending);
      this.set({ status: 'sending' }, c.sending);
      this.set({ status: 'failed' }, c.failed);
      this.set({ status: 'sent' }, c.sent);
      oldest.set(c.oldestPendingAt ? Math.max(0, (Date.now() - c.oldestPendingAt.getTime()) / 1000) : 0);
    },
  });
  const oldest = new Gauge({ name: 'tg_outbox_oldest_pending_age_seconds', help: 'Age of the oldest pending outbox row (0 when none)', registers: [registry] });
  void outbox;
  new Gauge({
    name: 'tg_subscriptions',
    help: 'GraphQL subscriptions open in this process',
    registers: [registry],
    collect() {
      this.set(services.ticketStream.subscriberCount);
    },
  });

  const router = Router();
  router.get('/metrics', async (_req: Request, res: Response) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
