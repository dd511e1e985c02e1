import { BoundedLog, logExcerpt, stripAnsi } from '../../src/jobs/job-log';
import { formatElapsed } from '../../src/jobs/ticket-templates';

describe('logExcerpt', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `l${i + 1}`);

  test('20 lines or fewer are kept whole; trailing newlines and CRLF are normalized', () => {
    expect(logExcerpt(`${lines(20).join('\r\n')}\r\n\n`)).toBe(lines(20).join('\n'));
  });
  test('21 lines: first 10, a marker for the 1 line left out, last 10', () => {
    expect(logExcerpt(lines(21).join('\n'))).toBe([...lines(10), '[... 1 lines snipped ...]', ...lines(21).slice(11)].join('\n'));
  });
  test('ANSI colours, cursor moves and OSC titles are stripped before counting', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m \u001b[2K\u001b]0;title\u0007done')).toBe('red done');
    expect(logExcerpt('\u001b[32m\u001b[0m')).toBeNull();
  });
  test('no log, or an empty one, has no excerpt', () => {
    expect(logExcerpt(null)).toBeNull();
    expect(logExcerpt('')).toBeNull();
  });
});

describe('BoundedLog', () => {
  test('keeps everything within its budget', () => {
    const log = new BoundedLog(100);
    log.write('hello ');
    log.write(Buffer.from('world'));
    expect(log.toString()).toBe('hello world');
  });
  test('over budget: the start and the most recent output survive, with the dropped byte count', () => {
    const log = new BoundedLog(20);
    log.write('0123456789');
    for (let i = 0; i < 10; i++) log.write(`abcdefghij`);
    const out = log.toString();
    expect(out.startsWith('0123456789\n[... 90 bytes of output dropped ...]\n')).toBe(true);
    expect(out.endsWith('abcdefghij')).toBe(true);
  });
});

test('formatElapsed', () => {
  expect(formatElapsed(850)).toBe('850ms');
  expect(formatElapsed(42_000)).toBe('42s');
  expect(formatElapsed(300_000)).toBe('5m');
  expect(formatElapsed(3_725_000)).toBe('1h 2m 5s');
});
