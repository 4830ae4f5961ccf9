import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

// docs/deploy.md, section 3, and deploy/certbot-deploy-hook.sh: the renewed pair reaches the
// relay's folder by rename (atomic), the key first, then the relay is reloaded. install, mv and
// systemctl are wrapped to record what the hook does; the wrappers refuse any path outside the
// scratch folder, so the hook can never touch the machine's own /etc.
const HOOK = new URL('../../deploy/certbot-deploy-hook.sh', import.meta.url).pathname;

function wrapper(dir: string, name: string, body: string): void {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

describe('certbot deploy hook', () => {
  it('renames the new key, then the new certificate, into place and reloads the relay', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'parley-hook-'));
    onTestFinished(() => rmSync(scratch, { recursive: true, force: true }));
    const lineage = join(scratch, 'live');
    const dest = join(scratch, 'tls');
    const bin = join(scratch, 'bin');
    const record = join(scratch, 'record');
    for (const dir of [lineage, bin]) spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(lineage, 'privkey.pem'), 'NEW KEY\n');
    writeFileSync(join(lineage, 'fullchain.pem'), 'NEW CHAIN\n');
    const guard = `for a in "$@"; do case "$a" in /*) case "$a" in "${scratch}"/*) ;; *) echo "outside scratch: $a" >&2; exit 97;; esac;; esac; done`;
    // Owner and group are dropped: the test need not run as root nor have a parley group.
    wrapper(bin, 'install', `${guard}
args=""; while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2;; *) args="$args $1"; shift;; esac; done
set -- $args; eval "last=\\\${$#}"; [ -d "$last" ] || [ "$1" = -d ] || echo "install $last" >> "${record}"
exec /usr/bin/install $args`);
    wrapper(bin, 'mv', `${guard}\neval "last=\\\${$#}"; echo "mv $last" >> "${record}"; exec /bin/mv "$@"`);
    wrapper(bin, 'systemctl', `echo "systemctl $*" >> "${record}"`);

    const run = spawnSync('sh', [HOOK], {
      env: { PATH: `${bin}:/usr/bin:/bin`, RENEWED_LINEAGE: lineage, PARLEY_TLS_DIR: dest, PARLEY_TLS_GROUP: 'root' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const steps = readFileSync(record, 'utf8').trim().split('\n');
    // Nothing is ever written at the names the relay reads: only temporary files beside them.
    const written = steps.filter((step) => step.startsWith('install ')).map((step) => step.slice('install '.length));
    expect(written).toHaveLength(2);
    for (const path of written) {
      expect(path.startsWith(`${dest}/`)).toBe(true);
      expect(path).not.toMatch(/\/(privkey|fullchain)\.pem$/);
    }
    expect(steps.filter((step) => !step.startsWith('install '))).toEqual([
      `mv ${dest}/privkey.pem`,
      `mv ${dest}/fullchain.pem`,
      'systemctl reload parley-relay',
    ]);
    expect(readdirSync(dest).sort()).toEqual(['fullchain.pem', 'privkey.pem']);
    expect(readFileSync(join(dest, 'privkey.pem'), 'utf8')).toBe('NEW KEY\n');
    expect(readFileSync(join(dest, 'fullchain.pem'), 'utf8')).toBe('NEW CHAIN\n');
    expect(statSync(join(dest, 'privkey.pem')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dest, 'fullchain.pem')).mode & 0o777).toBe(0o644);
  });
});
