import { generateDemo, type GeneratedDemo } from '../../demo/index.js';
import { startStack, type Stack, type StackOptions } from '../../embedded/stack.js';

const demos = new Map<number, GeneratedDemo>();

/** The default-seed demo world of `orders` orders, generated once per test file. */
export function demo(orders = 2000): GeneratedDemo {
  let d = demos.get(orders);
  if (!d) demos.set(orders, (d = generateDemo({ orders })));
  return d;
}

/** Starts the whole graph on real ports (0 = free) over a demo world; call `stop()` after. */
export function stack(opts: Partial<StackOptions> & { orders?: number } = {}): Promise<Stack> {
  return startStack({ data: demo(opts.orders).data, ...opts, gateway: { exposeQueryPlan: true, ...opts.gateway } });
}
