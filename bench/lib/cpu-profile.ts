/** Self time per function and per package from a V8 .cpuprofile (node --cpu-prof), for RESULTS.md. */

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileFrame {
  /** "function (file:line)" or a package for the by-package rows ("pkg: typeorm"). */
  frame: string;
  selfPercent: number;
}

/** Where a script lives, short: the package under node_modules, the app file, or node's internals. */
function place(url: string): { file: string; pkg: string } {
  if (url === '') return { file: '', pkg: '(native/VM)' };
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm) return { file: `${nm[1]}/${nm[2]}`, pkg: nm[1] };
  if (url.startsWith('node:')) return { file: url, pkg: 'node (core)' };
  const app = /\/js\/((?:src|bench|migrations)\/.*)$/.exec(url);
  if (app) return { file: app[1], pkg: 'ticket-gateway' };
  return { file: url.replace(/^file:\/\//, ''), pkg: 'other' };
}

/** `keepLastMs`: only the samples of the profile's last milliseconds (the measured load, not start-up and warm-up). */
export function summarizeCpuProfile(profile: CpuProfile, top: number, keepLastMs = Number.POSITIVE_INFINITY): ProfileFrame[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
  let at = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (span - at > keepLastMs * 1000) return; // timeDeltas are microseconds
    const node = byId.get(id);
    if (!node || dt <= 0) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return; // waiting on I/O is not CPU
    total += dt;
    const p = place(url);
    const key = url === '' ? functionName : `${functionName || '(anonymous)'} (${p.file}:${lineNumber + 1})`;
    frames.set(key, (frames.get(key) ?? 0) + dt);
    packages.set(url === '' ? functionName : p.pkg, (packages.get(url === '' ? functionName : p.pkg) ?? 0) + dt);
  });
  const pct = (v: number) => Math.round((v / Math.max(total, 1)) * 1000) / 10;
  const sorted = (m: Map<string, number>, prefix: string, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([frame, t]) => ({ frame: `${prefix}${frame}`, selfPercent: pct(t) }));
  return [...sorted(packages, 'pkg: ', 8), ...sorted(frames, '', top)];
}
