import type { MailConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { OutboxKind } from '../entities/outbox-message.entity';
import type { RequestContexts } from '../graphql/request-context';
import type { MailNotifier } from './mail-notifier';

/**
 * The daily overdue notices: once a day, at OVERDUE_TIME (server time), as part of an outbox
 * round. Every replica may run it: the notices are deduplicated per ticket and day in the outbox.
 */
export class OverdueScan {
  private doneFor: string | null = null;

  constructor(
    private readonly mail: MailNotifier,
    private readonly contexts: RequestContexts,
    private readonly config: MailConfig,
    private readonly log: Logger,
  ) {}

  async run(now: Date): Promise<void> {
    const day = now.toDateString();
    const { hour, minute } = this.config.overdueTime;
    if (this.doneFor === day || now.getHours() * 60 + now.getMinutes() < hour * 60 + minute) return;
    const queued = await this.mail.queueOverdue(this.contexts.system('overdue notices'), now);
    this.doneFor = day;
    if (queued) this.log.info({ queued, kind: OutboxKind.TICKET_OVERDUE }, 'overdue notices queued');
  }
}
