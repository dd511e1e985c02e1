import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { Gauge } from 'prom-client';
import type { AppMetrics } from '../common/metrics';
import type { Services } from '../services/services';

/**
 * GET /metrics in Prometheus text format: the app's request, error, SQL and DataLoader series
 * (AppMetrics) plus gauges read at scrape time. Gauges that need the database are read then, so
 * a scrape costs one grouped query and nothing is computed between scrapes. With METRICS_TOKEN set,
 * only a scraper sending it as a bearer token is answered (the series name operations and volumes).
 */
export function metricsRouter(services: Services, metrics: AppMetrics, token: string | null = null): Router {
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
  const expected = token === null ? null : digest(token);
  router.get('/metrics', async (req: Request, res: Response) => {
    if (expected !== null) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
      // Both sides hashed to the same length, so the comparison takes the same time whatever is sent.
      if (given === undefined || !crypto.timingSafeEqual(expected, digest(given))) {
        res.status(401).setHeader('WWW-Authenticate', 'Bearer');
        res.json({ errors: [{ message: 'Send Authorization: Bearer <METRICS_TOKEN> to read /metrics', extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
    }
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}

function digest(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}
