import fs from 'node:fs';

/**
 * Makes `dir` this process's temporary folder (os.tmpdir(), which graphql-upload buffers uploads
 * in), emptied first: a process killed mid-upload leaves its buffers behind, and nothing else would
 * ever remove them. Called once by the server's entry point, before anything is received.
 */
export function useOwnTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.TMPDIR = dir;
}
