/**
 * `npm run -s token -- <consumer> [--customer <id>] [--partner <node id>] [--ttl <seconds>]`
 * prints ONE line: the HTTP header carrying a working development credential, for
 * `curl -H "$(npm run -s token -- ops)" …`. The credential is signed with the checked-in
 * development key (gateway/auth/dev-keys), which the embedded default accepts and production
 * refuses. Partner keys are derived from the node id, so they are the same on every run.
 *
 * `npm run -s token -- new-partner-key --id <key id> --partner <node id> [--scrypt]` prints a new
 * random partner key (line 1, hand it to the partner) and its PARTNER_API_KEYS entry (line 2).
 *
 * Bad arguments: exit 2 with a usage line on stderr.
 */
import { parseArgs } from 'node:util';
import { NODES } from '../demo/catalogue.js';
import { CONSUMERS, type Consumer } from '../gateway/auth/consumers.js';

/** Development partner keys exist for the fulfillment nodes of the demo world. */
const DEV_PARTNER_NODE_IDS: readonly string[] = NODES.map((n) => n.id);
import { devCredentialHeader } from '../gateway/auth/devCredentials.js';
import { API_KEY_ID_PATTERN, generateApiKey } from '../gateway/auth/apiKeys.js';

const USAGE = [
  `usage: npm run -s token -- <${CONSUMERS.join('|')}> [--customer <id>] [--partner <node id>] [--ttl <seconds>]`,
  '       npm run -s token -- new-partner-key --id <key id> --partner <node id> [--scrypt]',
].join('\n');

function fail(problem: string): never {
  process.stderr.write(`token: ${problem}\n${USAGE}\n`);
  process.exit(2);
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      customer: { type: 'string' },
      partner: { type: 'string' },
      ttl: { type: 'string' },
      id: { type: 'string' },
      scrypt: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
let parsed: ReturnType<typeof parse>;
try {
  parsed = parse();
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals.length !== 1) fail(`expected one command; received ${positionals.length}`);
const command = positionals[0]!;

if (command === 'new-partner-key') {
  if (!values.id || !API_KEY_ID_PATTERN.test(values.id)) fail(`--id must match ${API_KEY_ID_PATTERN}`);
  if (!values.partner) fail('--partner <node id> is required');
  const { key, hash } = await generateApiKey(values.id, values.scrypt ? 'scrypt' : 'sha256');
  process.stdout.write(`X-Api-Key: ${key}\n${JSON.stringify({ id: values.id, nodeId: values.partner, hash })}\n`);
  process.exit(0);
}

if (!(CONSUMERS as readonly string[]).includes(command))
  fail(`unknown consumer ${JSON.stringify(command)}; expected one of ${CONSUMERS.join(', ')}`);
const consumer = command as Consumer;
if (consumer === 'storefront' && !values.customer) fail('storefront needs --customer <customer id> (e.g. CUST-00001)');
if (consumer !== 'storefront' && values.customer !== undefined)
  fail(`--customer applies to storefront only, not ${consumer}`);
if (consumer === 'partner' && !values.partner)
  fail(`partner needs --partner <node id>: one of ${DEV_PARTNER_NODE_IDS.join(', ')}`);
if (consumer === 'partner' && !DEV_PARTNER_NODE_IDS.includes(values.partner!)) {
  fail(
    `unknown node ${JSON.stringify(values.partner)}; development partner keys exist for ${DEV_PARTNER_NODE_IDS.join(', ')}`,
  );
}
if (consumer !== 'partner' && values.partner !== undefined) fail(`--partner applies to partner only, not ${consumer}`);
const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 86_400)
  fail(`--ttl must be whole seconds from 1 to ${7 * 86_400}; received ${JSON.stringify(values.ttl)}`);
if (values.customer !== undefined && !/^\S{1,128}$/.test(values.customer))
  fail('--customer must be 1–128 characters without spaces');
if (process.env.NODE_ENV === 'production') {
  process.stderr.write(
    'token: development credentials are refused when NODE_ENV=production; ask your identity provider\n',
  );
  process.exit(1);
}

const options = {
  ttlSeconds: ttl,
  ...(values.customer ? { customerId: values.customer } : {}),
  ...(values.partner ? { partnerNodeId: values.partner } : {}),
};
process.stdout.write(`${await devCredentialHeader(consumer, options)}\n`);
