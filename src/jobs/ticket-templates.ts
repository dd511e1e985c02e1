import { logExcerpt } from './job-log';

/** A link a template lists (only http(s) URLs are accepted upstream). */
export interface TemplateLink {
  title: string;
  url: string;
}

/** What the job template says about a job, ours or one described by the ops system that ran it. */
export interface JobFacts {
  id: string;
  code: number | null;
  eventTitle: string;
  category: string | null;
  server: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  description: string | null;
  log: string | null;
  links: TemplateLink[];
  /** 'started': the ticket is about the job's start (an event's START ticket action), not its result. */
  phase?: 'started';
}

export interface AlertFacts {
  id: string;
  title: string;
  message: string | null;
  server: string;
  expression: string | null;
  firedAt: Date;
  links: TemplateLink[];
  activeJobs: { id: string; title: string; server: string | null; startedAt: Date | null }[];
}

// Values from jobs and alerts are data: they are placed into the Markdown literally (escaped or
// fenced), never interpreted as template placeholders or markup.

export function jobSubject(job: Pick<JobFacts, 'id' | 'code' | 'eventTitle' | 'phase'>): string {
  if (job.phase === 'started') return `Job #${job.id} started (${job.eventTitle})`;
  return job.code === 0
    ? `Job #${job.id} succeeded (${job.eventTitle})`
    : `Job #${job.id} failed with code: ${job.code ?? 'none'} (${job.eventTitle})`;
}

export function jobBody(job: JobFacts): string {
  const out: string[] = [`## ${escapeMd(jobSubject(job))}`, ''];
  out.push(...facts([
    ['Job', `#${job.id}`],
    ['Event', job.eventTitle],
    ['Result', job.phase === 'started' ? 'started, running' : job.code === 0 ? 'succeeded' : `failed with code ${job.code ?? 'none'}`],
    ['Category', job.category],
    ['Server', job.server],
    ['Started', iso(job.startedAt)],
    ['Completed', iso(job.completedAt)],
    ['Elapsed', job.startedAt && job.completedAt ? formatElapsed(job.completedAt.getTime() - job.startedAt.getTime()) : null],
  ]));
  if (job.description) out.push('', `**${job.code === 0 || job.phase === 'started' ? 'Description' : 'Error'}:** ${escapeMd(job.description)}`);
  if (job.links.length) out.push('', `**Links:** ${links(job.links)}`);
  const excerpt = logExcerpt(job.log);
  if (excerpt) out.push('', '### Log excerpt', '', fenced(excerpt));
  return out.join('\n');
}

export function alertSubject(alert: Pick<AlertFacts, 'title' | 'server'>): string {
  return `Alert: ${alert.title} on ${alert.server}`;
}

export function alertBody(alert: AlertFacts): string {
  const out: string[] = [`## ${escapeMd(alertSubject(alert))}`, ''];
  if (alert.message) out.push(escapeMd(alert.message, false), '');
  out.push(...facts([
    ['Alert', alert.id],
    ['Server', alert.server],
    ['Fired', iso(alert.firedAt)],
    ['Expression', alert.expression === null ? null : code(alert.expression)],
  ], ['Expression']));
  if (alert.links.length) out.push('', `**Links:** ${links(alert.links)}`);
  out.push('', '### Active jobs', '');
  if (alert.activeJobs.length === 0) out.push('None.');
  for (const j of alert.activeJobs) {
    const where = [j.server, j.startedAt ? `started ${iso(j.startedAt)}` : null].filter(Boolean).join(', ');
    out.push(`- Job #${escapeMd(j.id)}: ${escapeMd(j.title)}${where ? ` (${escapeMd(where)})` : ''}`);
  }
  return out.join('\n');
}

/** "1h 2m 3s", "5m", "42s", "850ms". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const total = Math.round(ms / 1000);
  const parts: [number, string][] = [[Math.floor(total / 3600), 'h'], [Math.floor((total % 3600) / 60), 'm'], [total % 60, 's']];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join(' ');
}

function facts(rows: [string, string | null][], raw: string[] = []): string[] {
  return rows.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `- **${k}:** ${raw.includes(k) ? v : escapeMd(v as string)}`);
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function links(list: TemplateLink[]): string {
  return list.map((l) => `[${escapeMd(l.title)}](<${l.url.replace(/[<>\s]/g, encodeURIComponent)}>)`).join(' · ');
}

/**
 * Text shown as written: inline markup characters escaped, and block markers (#, >, -, 1.) that
 * would start a heading, quote or list at the start of a line. `inline` text follows other text on
 * its first line, so only its later lines can start a block. Dates, ids and hostnames stay
 * readable in the raw Markdown.
 */
export function escapeMd(text: string, inline = true): string {
  const blockStart = inline ? /(\n[ \t]*)(?:([#>+=-])|(\d+)([.)]))/g : /(^|\n)([ \t]*)(?:([#>+=-])|(\d+)([.)]))/g;
  const escaped = text.replace(/[\\`*_[\]<>~|]/g, (c) => `\\${c}`);
  const marked = inline
    ? escaped.replace(blockStart, (_m, lead: string, marker?: string, digits?: string, punct?: string) => (marker ? `${lead}\\${marker}` : `${lead}${digits}\\${punct}`))
    : escaped.replace(blockStart, (_m, lead: string, space: string, marker?: string, digits?: string, punct?: string) => (marker ? `${lead}${space}\\${marker}` : `${lead}${space}${digits}\\${punct}`));
  return marked.replace(/\r?\n/g, '  \n');
}

/** An inline code span whose delimiter is longer than any backtick run inside. */
function code(text: string): string {
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  return `${fence} ${text.replace(/\r?\n/g, ' ')} ${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the text. */
function fenced(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}text\n${text}\n${fence}`;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}
