import { buildSchema, type GraphQLSchema } from 'graphql';

/** What `GET /explorer/api/setup` answers. */
export interface Setup {
  consumers: string[];
  partnerNodes: string[];
  graphqlPath: string;
}

/** A development credential: the header's name (lower case) and value. */
export interface Credential {
  name: 'authorization' | 'x-api-key';
  value: string;
  header: string;
}

/** Who the explorer acts as. */
export interface Choice {
  consumer: string;
  customerId: string;
  partnerNodeId: string;
}

async function answer<T>(res: Response, parse: (r: Response) => Promise<T>): Promise<T> {
  if (res.ok) return parse(res);
  const text = await res.text();
  try {
    throw new Error((JSON.parse(text) as { errors: { message: string }[] }).errors[0]!.message);
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    throw err;
  }
}

export const loadSetup = async (): Promise<Setup> =>
  answer(await fetch('/explorer/api/setup'), (r) => r.json() as Promise<Setup>);

export async function loadCredential(choice: Choice): Promise<Credential> {
  const res = await fetch('/explorer/api/credential', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      consumer: choice.consumer,
      ...(choice.consumer === 'storefront' ? { customerId: choice.customerId.trim() } : {}),
      ...(choice.consumer === 'partner' ? { partnerNodeId: choice.partnerNodeId } : {}),
    }),
  });
  return answer(res, (r) => r.json() as Promise<Credential>);
}

/** The client schema as this consumer may see it (not introspection: that stays ops-only). */
export async function loadSchema(consumer: string): Promise<GraphQLSchema> {
  const sdl = await answer(await fetch(`/explorer/api/schema?consumer=${encodeURIComponent(consumer)}`), (r) =>
    r.text(),
  );
  return buildSchema(sdl);
}
