import type { AppConfig } from '../config/config';
import type { Background } from '../common/background';
import type { Logger } from '../common/logger';
import { OutboundPolicy } from '../common/outbound-url';
import type { Database } from '../db/database';
import { RunnerKind } from '../entities/job.enums';
import type { RequestContexts } from '../graphql/request-context';
import { HttpJobRunner } from '../jobs/http-job.runner';
import { LocalJobRunner } from '../jobs/local-job.runner';
import { createMailTransport, type MailTransport } from '../mail/mail-transport';
import { SearchIndex } from '../search/search-index';
import { createFileStorage } from '../storage/create-file-storage';
import { OutboxWorker } from '../workers/outbox.worker';
import { ApiKeyService } from './api-key.service';
import { AuthService } from './auth.service';
import { ChangeService } from './change.service';
import { CommentService } from './comment.service';
import { CustomFieldService } from './custom-field.service';
import { EventService } from './event.service';
import { JobTicketHandler } from './job-ticket.handler';
import { FileLinks } from './file-links';
import { FileService } from './file.service';
import { FileStore } from './file-store';
import { FileSweeper } from './file-sweeper';
import { HistoryWriter } from './history-writer';
import { IdempotencyService } from './idempotency.service';
import { JobDispatcher } from './job-dispatcher';
import { JobService } from './job.service';
import { JobStateMachine } from './job-state';
import { JwtVerifier } from './jwt.verifier';
import { LabelService } from './label.service';
import { MailDeliveryHandler } from './mail-delivery.handler';
import { MailNotifier } from './mail-notifier';
import { MetadataService } from './metadata.service';
import { OutboxService } from './outbox.service';
import { OverdueScan } from './overdue-scan';
import { SavedSearchService } from './saved-search.service';
import { SlaService } from './sla.service';
import { RequesterResolver } from './requester-resolver';
import { TicketEventService } from './ticket-event.service';
import { TicketFinder } from './ticket-finder';
import { TicketInputValidator } from './ticket-input.validator';
import { TicketLinks } from './ticket-links';
import { TicketOriginService } from './ticket-origin.service';
import { TicketQueryService } from './ticket-query.service';
import { RequestedTicketsService } from './requested-tickets.service';
import { createTicketStreamBus, type TicketStreamBus } from './ticket-stream.bus';
import { TicketStreamDispatcher } from './ticket-stream.dispatcher';
import { TicketStreamPublisher } from './ticket-stream.publisher';
import { TicketStreamService } from './ticket-stream.service';
import { TicketWorkflowService } from './ticket-workflow.service';
import { TicketForwardService } from './ticket-forward.service';
import { TicketService } from './ticket.service';
import { UserService } from './user.service';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';
import { WebhookNotifier } from './webhook-notifier';
import { WebhookService } from './webhook.service';

/** Everything the server is made of, built once per process by createServices. */
export interface Services {
  tickets: TicketService;
  ticketQueries: TicketQueryService;
  /** User.requestedTickets, batched across users. */
  requestedTickets: RequestedTicketsService;
  finder: TicketFinder;
  changes: ChangeService;
  /** Writes the audit trail (and, through its listeners, the side effects of every write). */
  history: HistoryWriter;
  comments: CommentService;
  workflow: TicketWorkflowService;
  forwards: TicketForwardService;
  files: FileService;
  fileStore: FileStore;
  fileLinks: FileLinks;
  fileSweeper: FileSweeper;
  users: UserService;
  apiKeys: ApiKeyService;
  auth: AuthService;
  labels: LabelService;
  savedSearches: SavedSearchService;
  sla: SlaService;
  metadata: MetadataService;
  events: EventService;
  ticketEvents: TicketEventService;
  jobs: JobService;
  jobState: JobStateMachine;
  localRunner: LocalJobRunner;
  origins: TicketOriginService;
  webhooks: WebhookService;
  mail: MailNotifier;
  mailTransport: MailTransport;
  outbox: OutboxService;
  outboxWorker: OutboxWorker;
  idempotency: IdempotencyService;
  /** Subscriptions and the change stream; eventBus carries committed writes to every replica. */
  ticketStream: TicketStreamService;
  eventBus: TicketStreamBus;
  /** Custom field definitions (kept in memory) and tickets' values of them. */
  customFields: CustomFieldService;
}

/**
 * The composition root: every service gets what it needs through its constructor, built here in
 * dependency order (lower layers first: the finder and the history writer below the services that
 * edit tickets; side effects as listeners and outbox handlers registered once). Nothing reaches
 * a service through the request context.
 */
export function createServices(db: Database, config: AppConfig, log: Logger, background: Background, contexts: RequestContexts): Services {
  const searchIndex = new SearchIndex(db);
  const idempotency = new IdempotencyService(db, log);
  const finder = new TicketFinder(config.limits);
  const customFields = new CustomFieldService(db);

  // Side effects of writes: listeners in the writer's transaction, delivered after commit.
  const outbox = new OutboxService(db, config.outbox);
  const eventBus = createTicketStreamBus(config, log);
  // Where webhooks and http job runners may send requests (OUTBOUND_ALLOW).
  const outbound = new OutboundPolicy(config.outboundAllow);
  const webhooks = new WebhookService(db, outbox, outbound, customFields);
  const mail = new MailNotifier(db, outbox, config.mail);
  const history = new HistoryWriter(db, searchIndex, [mail, new WebhookNotifier(db, webhooks, outbox, customFields), new TicketStreamPublisher(db, eventBus, log)]);
  const ticketStream = new TicketStreamService(db, config.limits, customFields);
  new TicketStreamDispatcher(db, eventBus, ticketStream, searchIndex, background, log, customFields);

  const storage = createFileStorage(config.files.storage);
  const fileStore = new FileStore(db, config.files, storage, history, log);
  const fileLinks = new FileLinks(db, config.files, config.publicUrl);
  const sla = new SlaService(db);
  const tickets = new TicketService(db, new TicketInputValidator(db, config.limits), finder, history, new TicketLinks(db), searchIndex, fileStore, sla, idempotency, config.workflow, new RequesterResolver(db, config.requesterAutoCreate), customFields);
  const ticketQueries = new TicketQueryService(db, config.limits, customFields);
  const changes = new ChangeService(db, config.limits, finder);
  const comments = new CommentService(db, config.limits, finder, changes, history, searchIndex, idempotency);
  const labels = new LabelService(db);

  const events = new EventService(db, config.jobs, log, outbound);
  const ticketEvents = new TicketEventService(db, finder, history);
  const jobState = new JobStateMachine(db, config.jobs, fileStore, history, outbox, contexts, log);
  const localRunner = new LocalJobRunner(config.jobs, (f) => storage.open(f.storageKey), jobState, background, log);
  const httpRunner = new HttpJobRunner(config.publicUrl, (f) => fileLinks.url(f), jobState, outbound);
  const jobs = new JobService(db, config.jobs, config.limits, finder, history, ticketEvents, jobState, fileStore, localRunner, outbox, idempotency);
  const origins = new TicketOriginService(db, tickets, jobs);
  const mailTransport = createMailTransport(config.mail);

  const overdue = new OverdueScan(mail, contexts, config.mail, log);
  const outboxWorker = new OutboxWorker(
    outbox,
    [
      new MailDeliveryHandler(db, mailTransport, config.publicUrl, log, customFields, storage),
      new WebhookDeliveryHandler(db, outbound, customFields),
      new JobDispatcher(db, { [RunnerKind.LOCAL]: localRunner, [RunnerKind.HTTP]: httpRunner }, jobState),
      new JobTicketHandler(db, tickets, origins, contexts, log),
    ],
    [(now) => overdue.run(now), () => webhooks.refresh(), () => customFields.refresh()],
    contexts,
    config.outbox,
    background,
    log,
  );

  return {
    customFields,
    tickets, ticketQueries, requestedTickets: new RequestedTicketsService(db, config.limits), finder, changes, history, comments, files: new FileService(db, fileStore, finder, history, idempotency, log), fileStore, fileLinks,
    fileSweeper: new FileSweeper(db, storage, history, contexts, log),
    workflow: new TicketWorkflowService(db, tickets, finder, comments, history, mail, fileStore),
    forwards: new TicketForwardService(db, finder, history, outbox, config.mail, config.limits),
    users: new UserService(db, config.limits),
    apiKeys: new ApiKeyService(db),
    auth: new AuthService(db, log, config.adminApiKey, config.jwt ? new JwtVerifier(config.jwt, log) : null),
    labels, savedSearches: new SavedSearchService(db, ticketQueries), sla, metadata: new MetadataService(db, labels, config.workflow, customFields),
    events, ticketEvents, jobs, jobState, localRunner, origins, webhooks, mail, mailTransport, outbox, outboxWorker, idempotency, ticketStream, eventBus,
  };
}
