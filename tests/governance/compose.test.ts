import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { federationVersionProblem, installedCompositionVersion } from '../../scripts/federationVersion.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'compose-'));

/** A copy of supergraph.yaml with absolute schema paths and the given federation_version line. */
function config(versionLine: string): string {
  const yaml = readFileSync(join(root, 'supergraph.yaml'), 'utf8')
    .replaceAll('./subgraphs/', `${root}/subgraphs/`)
    .replace(/^federation_version:.*$/m, versionLine);
  const file = join(dir, `supergraph-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** `npm run compose -- --config … --out …`, as a user runs it. */
function compose(configFile: string, out: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/compose.ts', '--config', configFile, '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('supergraph.yaml federation_version', () => {
  it('should pin the @apollo/composition version that npm run compose runs', () => {
    expect(installedCompositionVersion()).toBe(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
        .dependencies['@apollo/composition'],
    );
    expect(federationVersionProblem(join(root, 'supergraph.yaml'))).toBeNull();
  });

  it('should refuse to compose, writing nothing, when federation_version names another composition', () => {
    const out = join(dir, 'refused.graphql');
    const r = compose(config('federation_version: =2.5.0'), out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`expected "=${installedCompositionVersion()}"`);
    expect(r.stderr).toContain('found federation_version: "=2.5.0"');
    expect(existsSync(out)).toBe(false);
  });

  it('should refuse a missing or unpinned federation_version, naming what it found', () => {
    expect(federationVersionProblem(config('# no version'))).toContain('found no federation_version');
    expect(federationVersionProblem(config('federation_version: 2'))).toContain('found federation_version: 2');
  });

  it('should compose and write the supergraph when the pin agrees', () => {
    const out = join(dir, 'composed.graphql');
    const r = compose(config(`federation_version: =${installedCompositionVersion()}`), out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(root, 'supergraph.graphql'), 'utf8'));
  });
});
