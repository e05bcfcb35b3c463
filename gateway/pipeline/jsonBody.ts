/**
 * Why a request body is not JSON, said so a person can fix it: the parser's reason, and where —
 * line, column and character position — with the text around that place. A string broken across
 * lines (a raw newline inside quotes, as a shell command wrapped by hand produces) is named as such.
 */
export function describeJsonError(text: string, err: Error): string {
  if (text.trim() === '') return 'request body must be valid JSON: the body is empty (expected {"query": "…"})';
  const reason = err.message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ at position \d+.*$/s, '')
    .replace(/ in JSON$/, '');
  const position = positionOf(text, err);
  if (position === undefined) return `request body must be valid JSON: ${reason}`;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const near = JSON.stringify(text.slice(Math.max(0, position - 20), position + 20));
  const hint =
    /control character/i.test(reason) && /[\n\r\t]/.test(text[position] ?? '')
      ? ' (a line break or tab inside a string must be written \\n or \\t: keep each JSON string on one line)'
      : '';
  return `request body must be valid JSON: ${reason} at line ${line}, column ${column} (position ${position}), near ${near}${hint}`;
}

/** Where the parser stopped: from its message, or (when it does not say) the longest prefix that only lacks an end. */
function positionOf(text: string, err: Error): number | undefined {
  const m = / at position (\d+)/.exec(err.message);
  if (m) return Number(m[1]);
  if (/Unexpected end of JSON input/.test(err.message)) return text.length;
  if (text.length > 65_536) return undefined;
  // Parsing a prefix that ends before the fault fails only for lack of an end.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      JSON.parse(text.slice(0, mid));
      lo = mid;
    } catch (e) {
      if (/end of JSON input|Unterminated|Expected .* after/.test((e as Error).message)) lo = mid;
      else hi = mid - 1;
    }
  }
  return lo < text.length ? lo : undefined;
}
