/** Prints a figure line and, when FIGURES_FILE is set (npm run soak), appends it there with the date. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function reportFigure(line: string): void {
  console.info(line);
  const file = process.env.FIGURES_FILE;
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${new Date().toISOString()} FUZZ_RUNS=${process.env.FUZZ_RUNS ?? 1} ${line}\n`);
}
