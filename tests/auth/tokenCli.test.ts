import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { developmentAuth } from '../../gateway/auth/consumers.js';
import { authenticate, type CredentialHeaders } from '../../gateway/auth/identity.js';
import { projectRoot } from '../../runtime/project.js';
import { NODES } from '../../demo/catalogue.js';

/** The composition root passes the demo world's nodes; the gateway never imports demo data. */
const DEV_PARTNER_NODE_IDS = NODES.map((n) => n.id);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx scripts/token.ts …args` from the repository root. */
function token(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, NODE_ENV: 'development', ...env };
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/token.ts', ...args],
      { cwd: projectRoot(), env: childEnv },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The one header line printed, as the headers `authenticate` takes. */
function headerOf(run: Run): CredentialHeaders {
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const match = /^(Authorization|X-Api-Key): (\S.*)$/.exec(lines[0]!);
  expect(match, `a header line, not ${JSON.stringify(lines[0])}`).not.toBeNull();
  return { [match![1]!.toLowerCase()]: match![2]! };
}

describe('npm run token', () => {
  const config = developmentAuth({}, {}, DEV_PARTNER_NODE_IDS);

  it('should print one header whose credential authenticates as that storefront customer', async () => {
    const run = await token(['storefront', '--customer', 'CUST-00001']);
    const headers = headerOf(run);
    expect(headers.authorization).toMatch(/^Bearer eyJ/);
    expect(await authenticate(headers, config)).toMatchObject({ consumer: 'storefront', customerId: 'CUST-00001' });
  });

  it('should print working headers for ops, salesforce and a partner node, the partner key stable across runs', async () => {
    const [ops, salesforce, partner, again] = await Promise.all([
      token(['ops']),
      token(['salesforce']),
      token(['partner', '--partner', 'DS-ACME']),
      token(['partner', '--partner', 'DS-ACME']),
    ]);
    expect((await authenticate(headerOf(ops), config)).consumer).toBe('ops');
    expect((await authenticate(headerOf(salesforce), config)).consumer).toBe('salesforce');
    expect(await authenticate(headerOf(partner), config)).toMatchObject({
      consumer: 'partner',
      partnerNodeId: 'DS-ACME',
    });
    expect(partner.stdout).toBe(again.stdout);
  });

  it('should exit 2 with a usage line on stderr for bad arguments', async () => {
    const cases = [
      [],
      ['admin'],
      ['storefront'],
      ['partner'],
      ['partner', '--partner', 'NOWHERE'],
      ['ops', '--customer', 'CUST-00001'],
      ['ops', '--bogus'],
      ['ops', 'extra'],
    ];
    const runs = await Promise.all(cases.map((args) => token(args)));
    runs.forEach((run, i) => {
      expect(run.code, `token ${cases[i]!.join(' ')}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('usage: npm run -s token -- <salesforce|storefront|partner|ops>');
    });
    expect(runs[2]!.stderr).toContain('storefront needs --customer <customer id>');
    expect(runs[4]!.stderr).toContain('unknown node "NOWHERE"; development partner keys exist for DC-EAST');
  });

  it('should refuse to mint development credentials when NODE_ENV=production', async () => {
    const run = await token(['ops'], { NODE_ENV: 'production' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('refused when NODE_ENV=production');
  });
});
