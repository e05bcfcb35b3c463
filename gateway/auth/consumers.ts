import { MIN_IDENTITY_SECRET_LENGTH } from '../../canonical/identityHeader.js';
import { ConfigError, EnvReader } from '../../runtime/env.js';
import { API_KEY_ID_PATTERN, derivedApiKey, parseApiKeyHash, sha256ApiKeyHash } from './apiKeys.js';
import {
  DEV_IDENTITY_SECRET,
  DEV_ISSUER,
  DEV_PARTNER_KEY_PREFIX,
  DEV_PARTNER_KEY_SECRET,
  DEV_PUBLIC_JWK,
} from './dev-keys/development.js';
import {
  checkKeySource,
  keySourceContains,
  parsePublicKeyText,
  SUPPORTED_ALGORITHMS,
  type JwksFetchOptions,
  type JwtAlgorithm,
  type KeySource,
} from './keys.js';

/**
 * How each consumer's credential is configured and checked: the typed, validated authentication
 * configuration. The consumers and what each may see are canonical (canonical/access.ts).
 */
export {
  CONSUMERS,
  CONSUMER_POLICIES,
  type Consumer,
  type ConsumerPolicy,
  type IdentityKind,
} from '../../canonical/access.js';
/** The consumers that present a JWT (`Authorization: Bearer`); their `aud` selects which one. */
export const JWT_CONSUMERS = ['salesforce', 'storefront', 'ops'] as const;
export type JwtConsumer = (typeof JWT_CONSUMERS)[number];

/** How the tokens of one JWT consumer are checked. */
export interface JwtConsumerConfig {
  /** The exact `iss` expected (`AUTH_<CONSUMER>_ISSUER`, else `AUTH_ISSUER`). No default outside development. */
  issuer: string;
  /** The `aud` that selects this consumer (`AUTH_<CONSUMER>_AUDIENCE`). @default the consumer's name */
  audience: string;
  /** Its verification keys (`AUTH_<CONSUMER>_JWKS_URL` / `_PUBLIC_KEY`, else `AUTH_JWKS_URL` / `AUTH_PUBLIC_KEY`). */
  keys: KeySource;
  /** A scope the space-delimited `scope` claim must contain (`AUTH_OPS_SCOPE`). @default 'ops' for ops, none otherwise */
  requiredScope?: string;
}

/** One partner API key, stored only as its hash (gateway/auth/apiKeys.ts). */
export interface PartnerKeyConfig {
  /** The key id: the part of the key before the last `.`; public, unique. Two ids per partner while rotating. */
  id: string;
  /** The fulfillment node (drop-ship partner, store) whose orders this key may read. */
  nodeId: string;
  /** `sha256:<salt>:<digest>` or `scrypt:<N>:<r>:<p>:<salt>:<digest>`. */
  hash: string;
}

/** The authentication configuration: one typed, validated place; defaults beside each option. */
export interface AuthConfig {
  /** Per JWT consumer: issuer, audience, keys. */
  jwt: Record<JwtConsumer, JwtConsumerConfig>;
  /** Partner API keys (`PARTNER_API_KEYS`, a JSON array of `{ id, nodeId, hash }`). @default [] */
  partnerKeys: PartnerKeyConfig[];
  /** Accepted JWS `alg` values (`AUTH_ALGORITHMS`, comma-separated). @default ['ES256', 'RS256'] */
  algorithms: JwtAlgorithm[];
  /** Allowed clock skew for `exp` and `nbf`, seconds (`AUTH_CLOCK_TOLERANCE_SECONDS`). @default 30 */
  clockToleranceSeconds: number;
  /** Remote JWKS fetching and caching. */
  jwks: JwksFetchOptions;
  /** Signs the identity header forwarded to subgraphs (`GATEWAY_IDENTITY_SECRET`, ≥ 32 characters). */
  identitySecret: string;
  /** True for {@link developmentAuth}: public keys from gateway/auth/dev-keys. Never in production. @default false */
  development: boolean;
}

export const DEFAULT_ALGORITHMS: JwtAlgorithm[] = ['ES256', 'RS256'];
export const DEFAULT_JWKS_OPTIONS: JwksFetchOptions = { cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000 };
const PRODUCTION_HINT = 'the development keys are refused when NODE_ENV=production (docs/security.md)';

/** The development partner API key of a node: deterministic, so stable across runs and processes. */
export function devPartnerKey(nodeId: string): string {
  return derivedApiKey(`${DEV_PARTNER_KEY_PREFIX}${nodeId}`, DEV_PARTNER_KEY_SECRET, nodeId);
}

/**
 * The embedded default: every JWT consumer verified against the checked-in development ES256 key
 * (gateway/auth/dev-keys), issuer `urn:order-visibility:development`, and one development partner
 * key per demo node ({@link devPartnerKey}). Throws a ConfigError when `NODE_ENV=production`.
 */
export function developmentAuth(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<AuthConfig> = {},
  partnerNodeIds: readonly string[] = [],
): AuthConfig {
  if (env.NODE_ENV === 'production') {
    throw new ConfigError([
      `${PRODUCTION_HINT}: set AUTH_ISSUER, AUTH_JWKS_URL or AUTH_PUBLIC_KEY, PARTNER_API_KEYS and GATEWAY_IDENTITY_SECRET`,
    ]);
  }
  const jwt = (consumer: JwtConsumer): JwtConsumerConfig => ({
    issuer: DEV_ISSUER,
    audience: consumer,
    keys: { kind: 'jwks', keys: [{ ...DEV_PUBLIC_JWK }] },
    ...(consumer === 'ops' ? { requiredScope: 'ops' } : {}),
  });
  return {
    jwt: { salesforce: jwt('salesforce'), storefront: jwt('storefront'), ops: jwt('ops') },
    partnerKeys: partnerNodeIds.map((nodeId) => ({
      id: `${DEV_PARTNER_KEY_PREFIX}${nodeId}`,
      nodeId,
      hash: sha256ApiKeyHash(devPartnerKey(nodeId)),
    })),
    algorithms: [...DEFAULT_ALGORITHMS],
    clockToleranceSeconds: 30,
    jwks: { ...DEFAULT_JWKS_OPTIONS },
    identitySecret: DEV_IDENTITY_SECRET,
    development: true,
    ...overrides,
  };
}

/**
 * Which setting supplied each consumer's keys, for messages (`AUTH_OPS_JWKS_URL`, …); `null`: its
 * problem was already reported, skip it. Without a name, the config path is used (`jwt.ops.keys`).
 */
export type SettingNames = Partial<Record<JwtConsumer, string | null>>;

/**
 * Every problem with a configuration, one sentence each naming the setting, what it expects and
 * what it received (never a secret). `production` adds the refusal of development keys.
 */
export function authConfigProblems(config: AuthConfig, production: boolean, names: SettingNames = {}): string[] {
  const problems: string[] = [];
  const envName = (c: JwtConsumer, what: string): string => `AUTH_${c.toUpperCase()}_${what}`;
  const unsupported = config.algorithms.filter((a) => !(SUPPORTED_ALGORITHMS as readonly string[]).includes(a));
  if (config.algorithms.length === 0 || unsupported.length) {
    problems.push(
      `AUTH_ALGORITHMS must list some of ${SUPPORTED_ALGORITHMS.join(', ')}; received ${JSON.stringify(config.algorithms.join(','))}`,
    );
  }
  const audiences = new Map<string, JwtConsumer>();
  for (const consumer of JWT_CONSUMERS) {
    const c = config.jwt[consumer];
    if (!c.issuer)
      problems.push(`${envName(consumer, 'ISSUER')} or AUTH_ISSUER must be set: the exact iss of ${consumer} tokens`);
    if (!c.audience) problems.push(`${envName(consumer, 'AUDIENCE')} must not be empty`);
    const other = audiences.get(c.audience);
    if (other)
      problems.push(
        `${envName(consumer, 'AUDIENCE')} must differ from ${other}'s audience, since aud selects the consumer; both are ${JSON.stringify(c.audience)}`,
      );
    audiences.set(c.audience, consumer);
    if (c.requiredScope !== undefined && !/^\S+$/.test(c.requiredScope)) {
      problems.push(
        `${envName(consumer, 'SCOPE')} must be one scope without spaces; received ${JSON.stringify(c.requiredScope)}`,
      );
    }
    const keysName = names[consumer] === undefined ? `jwt.${consumer}.keys` : names[consumer];
    if (keysName !== null) {
      for (const p of checkKeySource(c.keys, config.algorithms, production)) problems.push(`${keysName} ${p}`);
      if (production && keySourceContains(c.keys, DEV_PUBLIC_JWK))
        problems.push(`${keysName} holds the development public key; ${PRODUCTION_HINT}`);
    }
    if (production && c.issuer === DEV_ISSUER)
      problems.push(`${envName(consumer, 'ISSUER')} is the development issuer; ${PRODUCTION_HINT}`);
  }
  const ids = new Set<string>();
  config.partnerKeys.forEach((k, i) => {
    const at = `PARTNER_API_KEYS[${i}]`;
    if (typeof k.id !== 'string' || !API_KEY_ID_PATTERN.test(k.id))
      problems.push(`${at}.id must match ${API_KEY_ID_PATTERN}; received ${JSON.stringify(k.id)}`);
    else if (ids.has(k.id))
      problems.push(`${at}.id must be unique; ${JSON.stringify(k.id)} appears twice (rotate with a new id)`);
    ids.add(k.id);
    if (typeof k.nodeId !== 'string' || k.nodeId === '')
      problems.push(`${at}.nodeId must be the partner's fulfillment node id; received ${JSON.stringify(k.nodeId)}`);
    const parsed = typeof k.hash === 'string' ? parseApiKeyHash(k.hash) : 'it must be a string';
    if (typeof parsed === 'string') problems.push(`${at}.hash is not a stored key hash: ${parsed}`);
    if (production && typeof k.id === 'string' && k.id.startsWith(DEV_PARTNER_KEY_PREFIX)) {
      problems.push(
        `${at}.id starts with "${DEV_PARTNER_KEY_PREFIX}", reserved for development keys; ${PRODUCTION_HINT}`,
      );
    }
  });
  if (
    !Number.isFinite(config.clockToleranceSeconds) ||
    config.clockToleranceSeconds < 0 ||
    config.clockToleranceSeconds > 300
  ) {
    problems.push(`AUTH_CLOCK_TOLERANCE_SECONDS must be from 0 to 300; received ${config.clockToleranceSeconds}`);
  }
  if (config.identitySecret.length < MIN_IDENTITY_SECRET_LENGTH) {
    const hint = production ? ' (NODE_ENV=production has no default)' : '';
    problems.push(
      `GATEWAY_IDENTITY_SECRET must be at least ${MIN_IDENTITY_SECRET_LENGTH} characters${hint}; received ${config.identitySecret.length}`,
    );
  }
  if (production && config.identitySecret === DEV_IDENTITY_SECRET)
    problems.push(`GATEWAY_IDENTITY_SECRET is the development secret; ${PRODUCTION_HINT}`);
  if (production && config.development) problems.push(`the configuration is developmentAuth(); ${PRODUCTION_HINT}`);
  return problems;
}

/** Throws one ConfigError listing every problem of {@link authConfigProblems}; returns the config otherwise. */
export function validateAuthConfig(config: AuthConfig, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const problems = authConfigProblems(config, env.NODE_ENV === 'production');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** The variables whose presence means "configured": without any of them (and not in production), development. */
const CONFIGURING_VARS = [
  'AUTH_ISSUER',
  'AUTH_JWKS_URL',
  'AUTH_PUBLIC_KEY',
  'PARTNER_API_KEYS',
  ...JWT_CONSUMERS.flatMap((c) => ['ISSUER', 'JWKS_URL', 'PUBLIC_KEY'].map((v) => `AUTH_${c.toUpperCase()}_${v}`)),
];

/**
 * Reads and validates the authentication configuration from the environment; throws one
 * ConfigError naming every bad value. With none of `AUTH_ISSUER`, `AUTH_JWKS_URL`,
 * `AUTH_PUBLIC_KEY`, `PARTNER_API_KEYS` (or their per-consumer forms) set and `NODE_ENV` not
 * `production`, this is {@link developmentAuth} (`GATEWAY_IDENTITY_SECRET` still honoured).
 *
 * Per JWT consumer (`SALESFORCE`, `STOREFRONT`, `OPS`), `AUTH_<C>_ISSUER`, `AUTH_<C>_JWKS_URL`,
 * `AUTH_<C>_PUBLIC_KEY` override the shared `AUTH_ISSUER`, `AUTH_JWKS_URL`, `AUTH_PUBLIC_KEY`;
 * `AUTH_<C>_AUDIENCE` defaults to the consumer's name; `AUTH_OPS_SCOPE` defaults to `ops`.
 */
export function authConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  devPartnerNodeIds: readonly string[] = [],
): AuthConfig {
  const r = new EnvReader(env);
  const production = env.NODE_ENV === 'production';
  const identitySecret = r.string('GATEWAY_IDENTITY_SECRET', production ? '' : DEV_IDENTITY_SECRET);
  if (!CONFIGURING_VARS.some((v) => r.has(v))) {
    if (production) {
      r.problems.push(
        `AUTH_ISSUER and AUTH_JWKS_URL (or AUTH_PUBLIC_KEY) must be set when NODE_ENV=production; ${PRODUCTION_HINT}`,
      );
      if (!identitySecret)
        r.problems.push(
          `GATEWAY_IDENTITY_SECRET must be set (at least ${MIN_IDENTITY_SECRET_LENGTH} characters) when NODE_ENV=production`,
        );
      r.done();
    }
    return validateAuthConfig(developmentAuth(env, { identitySecret }, devPartnerNodeIds), env);
  }
  const algorithms = r
    .string('AUTH_ALGORITHMS', DEFAULT_ALGORITHMS.join(','))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean) as JwtAlgorithm[];
  const names: SettingNames = {};
  // One message per problem, even when three consumers share the faulty setting.
  const add = (problem: string): void => {
    if (!r.problems.includes(problem)) r.problems.push(problem);
  };
  const keysOf = (consumer: JwtConsumer): KeySource => {
    for (const prefix of [`AUTH_${consumer.toUpperCase()}_`, 'AUTH_']) {
      const url = r.string(`${prefix}JWKS_URL`, '');
      const text = r.string(`${prefix}PUBLIC_KEY`, '');
      if (url && text) add(`set one of ${prefix}JWKS_URL or ${prefix}PUBLIC_KEY, not both`);
      names[consumer] = `${prefix}${url ? 'JWKS_URL' : 'PUBLIC_KEY'}`;
      if (url) return { kind: 'jwks-url', url };
      if (text) {
        const parsed = parsePublicKeyText(text);
        if (typeof parsed !== 'string') return parsed;
        add(`${prefix}PUBLIC_KEY is not a public key: ${parsed}`);
        names[consumer] = null;
        return { kind: 'jwks', keys: [] };
      }
    }
    r.problems.push(
      `AUTH_${consumer.toUpperCase()}_JWKS_URL or AUTH_JWKS_URL (or a *_PUBLIC_KEY) must be set: where ${consumer} token keys come from`,
    );
    names[consumer] = null;
    return { kind: 'jwks', keys: [] };
  };
  const jwt = (consumer: JwtConsumer): JwtConsumerConfig => {
    const up = consumer.toUpperCase();
    const keys = keysOf(consumer);
    return {
      issuer: r.string(`AUTH_${up}_ISSUER`, r.string('AUTH_ISSUER', '')),
      audience: r.string(`AUTH_${up}_AUDIENCE`, consumer),
      keys,
      ...(consumer === 'ops' ? { requiredScope: r.string('AUTH_OPS_SCOPE', 'ops') } : {}),
    };
  };
  const config: AuthConfig = {
    jwt: { salesforce: jwt('salesforce'), storefront: jwt('storefront'), ops: jwt('ops') },
    partnerKeys: partnerKeysFromEnv(r),
    algorithms,
    clockToleranceSeconds: r.int('AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
    jwks: {
      cacheMaxAgeMs: r.int('AUTH_JWKS_CACHE_MAX_AGE_SECONDS', 600, 1, 86_400) * 1000,
      cooldownMs: r.int('AUTH_JWKS_COOLDOWN_SECONDS', 30, 0, 3600) * 1000,
      timeoutMs: r.int('AUTH_JWKS_TIMEOUT_MS', 5000, 100, 60_000),
    },
    identitySecret,
    development: false,
  };
  authConfigProblems(config, production, names).forEach(add);
  r.done();
  return config;
}

function partnerKeysFromEnv(r: EnvReader): PartnerKeyConfig[] {
  const raw = r.string('PARTNER_API_KEYS', '');
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    r.problems.push(
      `PARTNER_API_KEYS must be a JSON array of { id, nodeId, hash }; it does not parse (${(err as Error).message})`,
    );
    return [];
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => k !== null && typeof k === 'object' && !Array.isArray(k))) {
    r.problems.push(
      `PARTNER_API_KEYS must be a JSON array of { id, nodeId, hash } objects; received ${Array.isArray(parsed) ? 'an array with a non-object' : typeof parsed}`,
    );
    return [];
  }
  return parsed.map((k: Record<string, unknown>) => ({ id: k.id, nodeId: k.nodeId, hash: k.hash }) as PartnerKeyConfig);
}
