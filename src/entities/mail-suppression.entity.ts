import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DATETIME } from '../db/column-types';

/** An address the mail server refused permanently (bounced, invalid): no more mail goes to it. */
@Entity('mail_suppression')
export class MailSuppression {
  /** Lower-case address. */
  @PrimaryColumn({ type: 'varchar', length: 254 })
  address: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ ...DATETIME })
  createdAt: Date;
}
