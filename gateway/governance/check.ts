import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { SUBSCRIPTION_SDL } from '../subscriptions/schema.js';
import { CompositionError, composeSupergraph, readSupergraphConfig } from '../supergraph/compose.js';
import { compareWithReleased } from './breaking.js';
import { readAccessRules, type AccessRules } from '../access/rules.js';
import { SUBSCRIPTION_RULES } from '../subscriptions/schema.js';
import { clientSchemaOf, readReleased } from './clientSchema.js';
import { lintSdl } from './lint.js';
import { buildManifest, serializeManifest } from './manifest.js';
import { loadOperations, validateOperations, type OperationFile } from './operations.js';
import type { Problem } from './problems.js';

/** Where the check reads its inputs. */
export interface SchemaCheckOptions {
  /** rover-format supergraph config (`supergraph.yaml`). */
  config: string;
  /** The released client schema (`schema/released.graphql`). */
  released: string;
  /** The operations folder (`operations/`, with `<client>/*.graphql` and `manifest.json`). */
  operations: string;
  /** Paths in problems are shown relative to this folder (the repository root). */
  displayRoot: string;
}

/** Everything the check found, and what it built on the way. */
export interface SchemaCheckResult {
  problems: Problem[];
  /** The new client schema; undefined when composition failed. */
  clientSchema?: GraphQLSchema;
  /** The field rules (`@authenticated`, `@requiresScopes`) of the composed supergraph. */
  accessRules: AccessRules;
  operations: OperationFile[];
}

/** Where the gateway-declared SDL is shown in problems. */
export const SUBSCRIPTION_SDL_FILE = 'gateway/subscriptions/schema.ts#SUBSCRIPTION_SDL';

/** The manifest file inside an operations folder. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Runs the whole schema check: (1) compose the supergraph, (2) lint every subgraph schema and the
 * gateway's SUBSCRIPTION_SDL, (3) compare the new client schema with the released one,
 * (4) validate every operation against the new client schema, (5) check that the operations'
 * manifest is up to date. Never throws for a problem of the inputs: it reports it.
 */
export function runSchemaCheck(opts: SchemaCheckOptions): SchemaCheckResult {
  const show = (p: string): string =>
    relative(opts.displayRoot, p).startsWith('..') ? p : relative(opts.displayRoot, p);
  const problems: Problem[] = [];
  const error = (stage: Problem['stage'], where: string, message: string, expected?: string): void => {
    problems.push({ severity: 'error', stage, where, message, ...(expected ? { expected } : {}) });
  };

  // (1) composition
  let supergraphSdl: string | undefined;
  let schemaFiles: string[] = [];
  try {
    schemaFiles = readSupergraphConfig(opts.config).map((s) => s.schemaFile);
    supergraphSdl = composeSupergraph(opts.config);
  } catch (err) {
    if (err instanceof CompositionError)
      for (const p of err.problems) error('compose', show(opts.config), p, 'subgraphs that compose');
    else error('compose', show(opts.config), (err as Error).message);
  }

  // (2) lint
  for (const file of schemaFiles) {
    if (!existsSync(file)) continue; // composition reported it
    problems.push(...lintSdl(readFileSync(file, 'utf8'), show(file)));
  }
  problems.push(...lintSdl(SUBSCRIPTION_SDL, SUBSCRIPTION_SDL_FILE));

  // (3) the client schema against the released one
  let clientSchema: GraphQLSchema | undefined;
  if (supergraphSdl) {
    try {
      clientSchema = clientSchemaOf(supergraphSdl);
    } catch (err) {
      error(
        'compose',
        SUBSCRIPTION_SDL_FILE,
        `the API schema does not extend with SUBSCRIPTION_SDL: ${(err as Error).message}`,
      );
    }
  }
  if (clientSchema) {
    if (!existsSync(opts.released)) {
      error(
        'breaking',
        show(opts.released),
        'no released schema to compare with',
        'a baseline written by `npm run schema:release`',
      );
    } else {
      let released: GraphQLSchema | undefined;
      try {
        released = readReleased(readFileSync(opts.released, 'utf8'));
      } catch (err) {
        error(
          'breaking',
          show(opts.released),
          `does not build: ${(err as Error).message}`,
          'the file `npm run schema:release` wrote',
        );
      }
      if (released) problems.push(...compareWithReleased(released, clientSchema, show(opts.released)));
    }
  } else {
    problems.push({
      severity: 'note',
      stage: 'breaking',
      where: show(opts.released),
      message: 'not compared: there is no client schema (composition failed)',
    });
  }

  // (4) operations
  const loaded = existsSync(opts.operations)
    ? loadOperations(opts.operations, opts.displayRoot)
    : { operations: [], problems: [] };
  if (!existsSync(opts.operations)) error('operations', show(opts.operations), 'no operations folder');
  problems.push(...loaded.problems);
  const accessRules = new Map([...(supergraphSdl ? readAccessRules(supergraphSdl) : []), ...SUBSCRIPTION_RULES]);
  if (clientSchema) problems.push(...validateOperations(clientSchema, loaded.operations, accessRules));
  else if (loaded.operations.length > 0)
    problems.push({
      severity: 'note',
      stage: 'operations',
      where: show(opts.operations),
      message: 'operations not validated: there is no client schema (composition failed)',
    });

  // (5) manifest
  const manifestPath = `${opts.operations}/${MANIFEST_FILE}`;
  if (loaded.problems.length === 0 && existsSync(opts.operations)) {
    const expected = serializeManifest(buildManifest(loaded.operations));
    const actual = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
    if (actual !== expected) {
      error(
        'manifest',
        show(manifestPath),
        actual === undefined ? 'missing' : 'out of date with the operations',
        'the output of `npm run operations:manifest`',
      );
    }
  }
  return { problems, ...(clientSchema ? { clientSchema } : {}), accessRules, operations: loaded.operations };
}
