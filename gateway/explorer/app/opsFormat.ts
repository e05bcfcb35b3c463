/** How long `ms` is, in the two largest units that matter: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** `12 min ago`, from an ISO date-time and the page's clock. */
export const ago = (iso: string, now: number): string => `${duration(now - Date.parse(iso))} ago`;

/** An SLA in seconds as the console shows it (`0` means wrong at once). */
export const sla = (seconds: number): string => (seconds === 0 ? 'at once' : duration(seconds * 1000));

/** A JSON text pretty-printed when it parses, as it is otherwise. */
export function pretty(text: string | null | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
