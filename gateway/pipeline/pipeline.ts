import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../canonical/index.js';
import type { Identity } from '../../canonical/index.js';
import type { GatewayContext } from './context.js';
import type { Answer } from './errors.js';
import type { Call, NextFetch, Stage, StageServerOptions, SubgraphFetch, SubgraphResponse } from './stage.js';

/**
 * Runs an ordered list of stages (gateway/pipeline/stages.ts): request hooks in list order,
 * response hooks in reverse (the first stage sees the answer last), subgraph fetch stages nested
 * outermost first. Both transports and the subgraph data source run the same instance.
 */
export class Pipeline {
  private readonly fetchChain: Stage[];
  private readonly aroundChain: Stage[];

  constructor(readonly stages: readonly Stage[]) {
    if (stages.filter((s) => s.authenticate).length !== 1)
      throw new Error('the pipeline needs exactly one stage that authenticates');
    this.fetchChain = stages.filter((s) => s.onSubgraphFetch);
    this.aroundChain = stages.filter((s) => s.aroundRequest);
  }

  /** A whole HTTP request through the `aroundRequest` stages, outermost first; `run` answers it and resolves to the status sent. */
  aroundRequest(call: Call, run: () => Promise<number>): Promise<number> {
    const at =
      (i: number): (() => Promise<number>) =>
      () => {
        const stage = this.aroundChain[i];
        return stage ? stage.aroundRequest!(call, at(i + 1)) : run();
      };
    return at(0)();
  }

  /** Who is asking (the authentication stage); throws its RequestRefusal. */
  authenticate(call: Call): Promise<Identity> {
    return this.stages.find((s) => s.authenticate)!.authenticate!(call);
  }

  /** The `onRequest` hooks in order: undefined to go on, or the early answer; throws a stage's refusal. */
  async onRequest(call: Call, context: GatewayContext): Promise<Answer | undefined> {
    for (const stage of this.stages) {
      if (!stage.onRequest) continue;
      const answer = await stage.onRequest(call, context);
      if (answer) return answer;
    }
    return undefined;
  }

  /** One subgraph fetch through the `onSubgraphFetch` stages, then `upstream`. */
  fetch(fetch: SubgraphFetch, upstream: NextFetch): Promise<SubgraphResponse> {
    const at =
      (i: number): NextFetch =>
      (signal) => {
        const stage = this.fetchChain[i];
        return stage ? stage.onSubgraphFetch!(fetch, at(i + 1)) : upstream(signal);
      };
    return at(0)();
  }

  /** Every error a client receives, on every transport, through the `formatError` hooks. */
  formatError = (formatted: GraphQLFormattedError): GraphQLFormattedError =>
    this.stages.reduce((f, s) => (s.formatError ? s.formatError(f) : f), formatted);

  /** The Apollo Server options of the stages, and the one plugin that runs their execution hooks. */
  apolloOptions(): StageServerOptions & {
    formatError: Pipeline['formatError'];
    plugins: ApolloServerPlugin<GatewayContext>[];
  } {
    const options: StageServerOptions = {};
    for (const s of this.stages) Object.assign(options, s.serverOptions);
    return { ...options, formatError: this.formatError, plugins: [this.plugin()] };
  }

  private plugin(): ApolloServerPlugin<GatewayContext> {
    const stages = this.stages;
    const reversed = [...stages].reverse();
    return {
      async requestDidStart() {
        return {
          async parsingDidStart({ source }) {
            return async (err) => {
              if (err instanceof GraphQLError) for (const s of stages) s.onParseError?.(err, source);
            };
          },
          async didResolveOperation(ctx) {
            if (!ctx.operation) throw unresolvedOperation(ctx.document, ctx.request.operationName);
            const writable = ctx as unknown as { document: typeof ctx.document; queryHash: string };
            for (const s of stages) {
              if (!s.onOperation) continue;
              const rewrite = await s.onOperation({
                schema: ctx.schema,
                document: writable.document,
                operation: ctx.operation,
                variables: ctx.request.variables ?? {},
                context: ctx.contextValue,
              });
              if (!rewrite) continue;
              writable.document = rewrite.document;
              // The query plan cache is keyed on the query hash: a rewritten document plans apart.
              writable.queryHash = `${ctx.queryHash}\u0000${rewrite.planKey}`;
            }
          },
          async willSendResponse(ctx) {
            if (ctx.response.body.kind !== 'single') return;
            const info = {
              result: ctx.response.body.singleResult,
              status: ctx.response.http.status,
              context: ctx.contextValue,
              schema: ctx.schema,
              document: ctx.document,
              operation: ctx.operation,
              variables: ctx.request.variables ?? {},
            };
            for (const s of reversed) await s.onResponse?.(info);
          },
        };
      },
    };
  }
}

/**
 * A document without the operation to run — `operationName` names none of its operations, or it
 * has several and no `operationName`: 400 `GRAPHQL_VALIDATION_FAILED` saying which operations it has.
 */
export function unresolvedOperation(document: DocumentNode, operationName: string | undefined | null): GraphQLError {
  const names = document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? '(anonymous)'] : [],
  );
  const has =
    names.length === 0
      ? 'no operation'
      : `${names.length} operation${names.length > 1 ? 's' : ''} (${names.slice(0, 10).join(', ')})`;
  const message = operationName
    ? `operationName ${JSON.stringify(operationName.slice(0, 100))} names no operation of the document; it has ${has}`
    : `the document has ${has}: name the one to run with operationName`;
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
  });
}
