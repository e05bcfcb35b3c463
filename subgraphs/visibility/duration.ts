import { badUserInput } from '../common/errors.js';

const PATTERN = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;

/** An ISO-8601 duration of days, hours, minutes and seconds (`P2D`, `PT4H`, `P1DT12H30M`) in ms; a clear BAD_USER_INPUT otherwise. */
export function parseDuration(argument: string, value: string): number {
  const m = typeof value === 'string' ? PATTERN.exec(value) : null;
  if (!m || value === 'P' || value.endsWith('T')) {
    throw badUserInput(
      `${argument} must be an ISO-8601 duration of days, hours, minutes or seconds such as "P2D", "PT4H" or "P1DT12H"; received ${JSON.stringify(value)}`,
    );
  }
  const [, d, h, min, s] = m.map((x) => Number(x ?? 0));
  return (((d! * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}
