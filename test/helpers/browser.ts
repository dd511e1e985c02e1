import fs from 'node:fs';

/** Where a Chromium is looked for: CHROMIUM_PATH first, then the usual Debian/Ubuntu and Chrome paths. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * The Chromium the browser tests drive, or null: then they are skipped with one line saying so,
 * unless REQUIRE_BROWSER is set (CI sets it), when a missing browser fails the run.
 */
export function findChromium(testFile: string): string | null {
  const given = process.env.CHROMIUM_PATH?.trim();
  const found = given ? (fs.existsSync(given) ? given : null) : (CANDIDATES.find((p) => fs.existsSync(p)) ?? null);
  if (found) return found;
  const why = given ? `CHROMIUM_PATH=${given} does not exist` : `no Chromium at ${CANDIDATES.join(', ')} and CHROMIUM_PATH is not set`;
  if (process.env.REQUIRE_BROWSER) throw new Error(`${testFile}: REQUIRE_BROWSER is set but ${why} (apt-get install chromium)`);
  process.stderr.write(`\n[browser tests skipped] ${testFile}: ${why} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
  return null;
}
