import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { MachineInfo } from './report';

/* What a result was measured on: the same shape in every benchmark's results. */

/** The commit measured, and which files under src/ and migrations/ differed from it. */
export function sourceInfo(repoRoot: string): { commit: string; uncommitted: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  try {
    const uncommitted = git('--no-optional-locks', 'status', '--porcelain', '--', 'src', 'migrations')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3));
    return { commit: git('rev-parse', 'HEAD').trim(), uncommitted };
  } catch {
    return { commit: 'unknown (not a git checkout)', uncommitted: [] };
  }
}

export function machineInfo(): MachineInfo {
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // nproc is coreutils; availableParallelism() is the same figure where it is missing.
  }
  return {
    nproc,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** File system type and device of a folder (`df -T`), for the report; 'unknown' where df fails. */
export function fileSystemOf(dir: string): { filesystem: string; device: string } {
  try {
    const [, line] = execFileSync('df', ['-PT', dir], { encoding: 'utf8' }).trim().split('\n');
    const [device, filesystem] = line.split(/\s+/);
    return { filesystem: filesystem ?? 'unknown', device: device ?? 'unknown' };
  } catch {
    return { filesystem: 'unknown', device: 'unknown' };
  }
}
