import { Entity, Index, PrimaryColumn } from 'typeorm';

export enum JobFileRole {
  INPUT = 'input',
  OUTPUT = 'output',
}

/** A file a job read (its inputs, fixed at launch) or produced (attached to the ticket). */
@Entity('job_file')
@Index(['fileId'])
export class JobFile {
  @PrimaryColumn({ type: 'int' })
  jobId: number;

  @PrimaryColumn({ type: 'int' })
  fileId: number;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  role: JobFileRole;
}
