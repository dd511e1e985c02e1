/*
 * Once before the suite: the tests that need a real separate process (process faults, replicas,
 * OpenTelemetry, the CLI bin) run the compiled server from dist/, which this brings up to date
 * (a no-op when nothing changed since the last build; CI has built already).
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'ensure-built.js')], { stdio: 'inherit' });
};
