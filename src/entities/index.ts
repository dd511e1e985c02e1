import { ApiKey } from './api-key.entity';
import { AppSecret } from './app-secret.entity';
import { Category } from './category.entity';
import { MailSuppression } from './mail-suppression.entity';
import { OutboxMessage } from './outbox-message.entity';
import { SavedSearch } from './saved-search.entity';
import { CommentRevision } from './comment-revision.entity';
import { Tag } from './tag.entity';
import { TicketChange } from './ticket-change.entity';
import { TicketFile } from './ticket-file.entity';
import { TicketRead } from './ticket-read.entity';
import { SlaPolicy } from './sla-policy.entity';
import { TicketSequence } from './ticket-sequence.entity';
import { TicketTag } from './ticket-tag.entity';
import { TicketUser } from './ticket-user.entity';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

export const ENTITIES = [User, ApiKey, Category, Tag, Ticket, TicketUser, TicketTag, TicketChange, CommentRevision, TicketSequence, SavedSearch, TicketFile, AppSecret, OutboxMessage, MailSuppression, TicketRead, SlaPolicy];
