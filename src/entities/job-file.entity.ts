import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Job } from './job.entity';
import { TicketFile } from './ticket-file.entity';

export enum JobFileRole {
  INPUT = 'input',
  OUTPUT = 'output',
}

/** A file a job read (its inputs, fixed at launch) or produced (attached to the ticket). */
@Entity('job_file')
@Index('IDX_job_file_file', ['fileId'])
export class JobFile {
  @PrimaryColumn({ type: 'int' })
  jobId: number;

  @PrimaryColumn({ type: 'int' })
  fileId: number;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  role: JobFileRole;

  @ManyToOne(() => Job, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'FK_job_file_job' })
  job?: Job;

  @ManyToOne(() => TicketFile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'file_id', foreignKeyConstraintName: 'FK_job_file_file' })
  file?: TicketFile;
}
