/**
 * Checks a numeric option: finite, within [min, max], an integer when asked. Throws a TypeError
 * naming the owner, the option, what it expects and what it received.
 */
export function checkNumber(
  owner: string,
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  integer = false,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new TypeError(
      `${owner} option ${name}: expected ${integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks a finite number greater than 0, with the same kind of message. */
export function checkPositive(owner: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${owner} option ${name}: expected a number greater than 0, got ${JSON.stringify(value)}`);
  }
  return value;
}
