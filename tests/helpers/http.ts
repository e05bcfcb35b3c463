/** A GraphQL answer as a client sees it: HTTP status, headers and the parsed body. */
export interface GqlResponse<D = any> {
  status: number;
  headers: Headers;
  body: { data?: D | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

/** POSTs one GraphQL operation over real HTTP. */
export async function gql<D = any>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<D>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: GqlResponse<D>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON body from ${url}, got HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body };
}

/** The error codes of a response, in order. */
export const codes = (r: GqlResponse): string[] => (r.body.errors ?? []).map((e) => String(e.extensions?.code));
