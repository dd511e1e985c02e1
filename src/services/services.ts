import { JwtVerifier } from './jwt.verifier';
import { IdempotencyService } from './idempotency.service';
import type { AppConfig } from '../config/config';
import type { Background } from '../common/background';
import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import { createMailTransport, type MailTransport } from '../mail/mail-transport';
import { SearchIndex } from '../search/search-index';
import { createFileStorage } from '../storage/create-file-storage';
import { ApiKeyService } from './api-key.service';
import { AuthService } from './auth.service';
import { ChangeService } from './change.service';
import { FileService } from './file.service';
import { LabelService } from './label.service';
import { MetadataService } from './metadata.service';
import { NotificationService } from './notification.service';
import { OutboxService } from './outbox.service';
import { SavedSearchService } from './saved-search.service';
import { SlaService } from './sla.service';
import { WebhookService } from './webhook.service';
import { createTicketStreamBus, type TicketStreamBus } from './ticket-stream.bus';
import { TicketStreamService } from './ticket-stream.service';
import { TicketInputValidator } from './ticket-input.validator';
import { TicketService } from './ticket.service';
import { TicketWorkflowService } from './ticket-workflow.service';
import { UserService } from './user.service';
import { EventService } from './event.service';
import { JobService } from './job.service';
import { TicketOriginService } from './ticket-origin.service';
import { LocalJobRunner } from '../jobs/local-job.runner';
import { HttpJobRunner } from '../jobs/http-job.runner';

/** The application's services, built once per process and reached from the request context. */
export interface Services {
  tickets: TicketService;
  changes: ChangeService;
  users: UserService;
  apiKeys: ApiKeyService;
  auth: AuthService;
  labels: LabelService;
  savedSearches: SavedSearchService;
  files: FileService;
  outbox: OutboxService;
  notifications: NotificationService;
  mailTransport: MailTransport;
  workflow: TicketWorkflowService;
  metadata: MetadataService;
  sla: SlaService;
  webhooks: WebhookService;
  events: EventService;
  jobs: JobService;
  origins: TicketOriginService;
  localRunner: LocalJobRunner;
  idempotency: IdempotencyService;
  /** Subscriptions and the change stream; eventBus carries committed writes to every replica. */
  ticketStream: TicketStreamService;
  eventBus: TicketStreamBus;
}

export function createServices(db: Database, config: AppConfig, log: Logger, background: Background): Services {
  const searchIndex = new SearchIndex(db.dialect);
  const outbox = new OutboxService(db, config.mail);
  const mailTransport = createMailTransport(config.mail);
  const webhooks = new WebhookService(db);
  const eventBus = createTicketStreamBus(config, log);
  const ticketStream = new TicketStreamService(db, eventBus, config.limits, background, log);
  const notifications = new NotificationService(db, outbox, mailTransport, config.publicUrl, log, webhooks, ticketStream);
  const changes: ChangeService = new ChangeService(db, config.limits, () => tickets, searchIndex, notifications);
  const files: FileService = new FileService(db, config.files, config.publicUrl, createFileStorage(config.files.storage), changes, () => tickets, log);
  const sla = new SlaService(db);
  const tickets: TicketService = new TicketService(db, config.limits, new TicketInputValidator(config.limits), changes, searchIndex, files, notifications, config.workflow, sla);
  const labels = new LabelService(db);
  const events = new EventService(db, config.jobs, () => tickets, changes, log);
  const jobs = new JobService(db, config.jobs, config.limits, changes, files, events, () => tickets, log);
  const localRunner = new LocalJobRunner(config.jobs, (f) => files.storage.open(f.storageKey), () => jobs, background, log);
  jobs.useRunners(localRunner, new HttpJobRunner(config.publicUrl, (f) => files.url(f), () => jobs));
  const services: Services = {
    events,
    jobs,
    origins: new TicketOriginService(db, tickets, jobs, () => services, log),
    localRunner,
    ticketStream,
    eventBus,
    webhooks,
    sla,
    metadata: new MetadataService(db, labels, config.workflow),
    workflow: new TicketWorkflowService(db, tickets, changes, notifications),
    tickets,
    changes,
    users: new UserService(db, config.limits),
    apiKeys: new ApiKeyService(db),
    auth: new AuthService(db, log, config.adminApiKey, config.jwt ? new JwtVerifier(config.jwt, log) : null),
    labels,
    savedSearches: new SavedSearchService(db, tickets),
    files,
    outbox,
    notifications,
    mailTransport,
    idempotency: new IdempotencyService(db, log),
  };
  return services;
}
