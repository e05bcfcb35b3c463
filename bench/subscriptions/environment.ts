/** What a result records about where it ran: the machine's limits, package versions, and the code measured. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sourcesFingerprint } from '../common.js';
import { round } from './numbers.js';

/** The product's folders: what the measured server runs. */
const PRODUCT = ['canonical', 'demo', 'embedded', 'events', 'gateway', 'runtime', 'subgraphs', 'supergraph.graphql'];

/** `ulimit -n` (soft and hard), or null when the shell cannot tell. */
export function ulimitN(): { soft: number; hard: number } | null {
  try {
    const soft = execFileSync('sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim();
    const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return {
      soft: soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft),
      hard: hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard),
    };
  } catch {
    return null;
  }
}

/** The installed versions of the packages on the measured path. */
export function packageVersions(root: string, names: readonly string[]): Record<string, string> {
  const version = (name: string): string => {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      return pkg.version;
    } catch {
      return 'unknown';
    }
  };
  return Object.fromEntries(names.map((n) => [n, version(n)]));
}

/** A hash of the product sources: compared before and after the run. */
export const fingerprint = (root: string): string => sourcesFingerprint(root, PRODUCT);

function git(root: string, args: string[]): string | null {
  try {
    // --no-optional-locks: read-only, never touches the index.
    return execFileSync('git', ['--no-optional-locks', ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** What code is measured: the commit, uncommitted product changes, and a hash of the product sources. */
export interface CodeState {
  commit: string | null;
  uncommittedProductFiles: string[] | null;
  sourcesSha256: string;
}

export function codeState(root: string): CodeState {
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...PRODUCT]);
  return {
    commit: git(root, ['rev-parse', 'HEAD']),
    uncommittedProductFiles:
      dirty === null
        ? null
        : dirty
            .split('\n')
            .filter(Boolean)
            .map((l) => l.trim()),
    sourcesSha256: fingerprint(root),
  };
}

/** The machine, as printed and written with the figures. */
export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGB: number;
  platform: string;
  node: string;
  ulimitN: number | null;
}

export function machine(ulimitSoft: number | null): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ulimitN: ulimitSoft,
  };
}
