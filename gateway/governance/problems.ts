/** The stages of the schema check, in the order they run. */
export type Stage = 'compose' | 'lint' | 'breaking' | 'operations' | 'manifest';

/** One finding of the schema check. Errors fail the check; warnings and notes are printed only. */
export interface Problem {
  severity: 'error' | 'warning' | 'note';
  stage: Stage;
  /** Where: `file:line` and/or a schema coordinate (`Order.number`, `Query.order(id:)`). */
  where: string;
  /** What is wrong. */
  message: string;
  /** What was expected instead, when there is something to say. */
  expected?: string;
}

/** Formats a problem as the one line the CLI prints. */
export function formatProblem(p: Problem): string {
  return `${p.severity} [${p.stage}] ${p.where}: ${p.message}${p.expected ? ` (expected: ${p.expected})` : ''}`;
}

/** Counts errors and warnings, the summary line of the CLI. */
export function summarize(problems: readonly Problem[]): { errors: number; warnings: number; line: string } {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const byStage = new Map<Stage, number>();
  for (const p of problems) if (p.severity === 'error') byStage.set(p.stage, (byStage.get(p.stage) ?? 0) + 1);
  const detail = [...byStage].map(([stage, n]) => `${stage} ${n}`).join(', ');
  const line =
    errors === 0
      ? `schema check passed: 0 errors, ${warnings} warning(s)`
      : `schema check FAILED: ${errors} error(s) (${detail}), ${warnings} warning(s)`;
  return { errors, warnings, line };
}
