import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../runtime/project.js';
import { tempGraph, withoutOrderNumber } from './fixtures.js';

const run = promisify(execFile);
const broken = tempGraph({ oms: withoutOrderNumber });
afterAll(() => broken.remove());

/** Runs the CLI as CI does; resolves with its exit code and output. */
async function schemaCheck(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/schema-check.ts', ...args], {
      cwd: projectRoot(),
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('schema:check CLI', () => {
  it('should exit 0 on the repository and 1 with one line per problem on a broken graph', async () => {
    const [ok, bad] = await Promise.all([
      schemaCheck([]),
      schemaCheck([
        '--config',
        broken.options.config,
        '--released',
        broken.options.released,
        '--operations',
        broken.options.operations,
      ]),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('schema check passed: 0 errors');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^error \[breaking\] Order\.number: Order\.number was removed/m);
    expect(bad.stdout).toMatch(
      /^error \[operations\] operations\/lwc\/AgentOrderDetail\.graphql:\d+:\d+ AgentOrderDetail: Cannot query field "number" on type "Order"\./m,
    );
    expect(bad.stdout).toMatch(/^schema check FAILED: \d+ error\(s\) \(breaking 1, operations \d+\)/m);
  }, 60_000);
});
