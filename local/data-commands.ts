/**
 * The command lines of `npm run export` and `npm run import`, read before anything starts:
 * what to do, or a UsageError (exit 2), or for an export a Refusal (exit 3) when the output
 * file exists. Nothing here opens a table or starts a process (./export.ts and ./import.ts do).
 */
import { existsSync } from 'node:fs';
import { parseToolArgs, placeOf, Refusal, targetOf, type TargetOptions, UsageError, userPath } from './data-tool.js';

export const EXPORT_HELP = `Usage: npm run export -- [options]

Writes every item of the local table to a JSON file (DynamoDB JSON, lossless).

  --out FILE        where to write (default: ./fulfillment-export-<UTC time>.json); refused if it exists
  --force           overwrite FILE if it exists
  --endpoint URL    read from this DynamoDB (e.g. the DynamoDB Local a running \`npm start\` printed)
  --aws             read a table in AWS (credentials and region as for the AWS CLI); needs --table
  --data-dir DIR    read DIR with a DynamoDB Local of our own (default: <repo>/.data, refused while \`npm start\` uses it)
  --table NAME      table name (default: $TABLE_NAME, else fulfillment-local)

Exit codes: 0 done, 1 failed, 2 bad command line, 3 refused (nothing written).`;

export const IMPORT_HELP = `Usage: npm run import -- FILE [options]

Loads FILE (written by \`npm run export\`) into the local table, creating the table if absent.

  --replace         if the table already holds items, delete them all first (default: refuse)
  --endpoint URL    write to this DynamoDB (e.g. the DynamoDB Local a running \`npm start\` printed)
  --data-dir DIR    write to DIR with a DynamoDB Local of our own (default: <repo>/.data, refused while \`npm start\` uses it)
  --table NAME      table name (default: $TABLE_NAME, else fulfillment-local)

Exit codes: 0 done, 1 failed, 2 bad command line, 3 refused (nothing written).`;

export type ExportCommand = { help: true } | { help: false; out: string; force: boolean; target: TargetOptions };

export type ImportCommand = { help: true } | { help: false; path: string; replace: boolean; target: TargetOptions };

/** `npm run export -- ARGS`; `now` names the default output file. */
export function parseExportCommand(args: readonly string[], now = new Date()): ExportCommand {
  const { values, positionals } = parseToolArgs(
    { out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: false } },
    args,
  );
  if (values.help) return { help: true };
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" (the output file goes after --out)`);
  const target = { ...targetOf(values), dataMustExist: true };
  placeOf(target); // a contradiction in where the table is: exit 2 before anything else
  const out = userPath(values.out ?? defaultExportFileName(now));
  // Refuse before starting anything; writeDataFile checks again, atomically, at the end.
  if (existsSync(out) && !values.force)
    throw new Refusal(`${out} already exists (choose another --out, or add --force to overwrite it)`);
  return { help: false, out, force: values.force, target };
}

/** `npm run import -- ARGS`. The file is read (and validated) by the caller. */
export function parseImportCommand(args: readonly string[]): ImportCommand {
  const { values, positionals } = parseToolArgs({ replace: { type: 'boolean', default: false } }, args);
  if (values.help) return { help: true };
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'name the file to import' : 'name exactly one file to import');
  const target = { ...targetOf(values), dataMustExist: false };
  placeOf(target);
  return { help: false, path: userPath(positionals[0]!), replace: values.replace, target };
}

export function defaultExportFileName(now: Date): string {
  // 2025-01-31T12:34:56.789Z -> 20250131T123456Z (no colons: a valid name on every file system)
  return `fulfillment-export-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.json`;
}
