/**
 * `npm run export -- [--out FILE] [--force] [--endpoint URL | --data-dir DIR | --aws] [--table NAME]`
 *
 * Writes every item of the local table to a JSON file (format: ./data-file.ts), by default
 * `fulfillment-export-<UTC time>.json` in the current directory. See ./data-tool.ts for where
 * the table is found and the exit codes.
 */
import { existsSync } from 'node:fs';
import { writeDataFile } from './data-file.js';
import { openTarget, parseToolArgs, targetOf, Refusal, runTool, UsageError, userPath } from './data-tool.js';
import { exportTable } from './table-copy.js';

const HELP = `Usage: npm run export -- [options]

Writes every item of the local table to a JSON file (DynamoDB JSON, lossless).

  --out FILE        where to write (default: ./fulfillment-export-<UTC time>.json); refused if it exists
  --force           overwrite FILE if it exists
  --endpoint URL    read from this DynamoDB (e.g. the DynamoDB Local a running \`npm start\` printed)
  --aws             read a table in AWS (credentials and region as for the AWS CLI); needs --table
  --data-dir DIR    read DIR with a DynamoDB Local of our own (default: <repo>/.data, refused while \`npm start\` uses it)
  --table NAME      table name (default: $TABLE_NAME, else fulfillment-local)

Exit codes: 0 done, 1 failed, 2 bad command line, 3 refused (nothing written).`;

await runTool(async () => {
  const { values, positionals } = parseToolArgs({
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" (the output file goes after --out)`);
  const out = userPath(values.out ?? defaultFileName(new Date()));
  // Refuse before starting anything; writeDataFile checks again, atomically, at the end.
  if (existsSync(out) && !values.force)
    throw new Refusal(`${out} already exists (choose another --out, or add --force to overwrite it)`);

  const target = await openTarget({ ...targetOf(values), dataMustExist: true });
  try {
    const file = await exportTable(target.client, target.tableName, { label: target.description });
    try {
      writeDataFile(out, file, { overwrite: values.force });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Refusal(`${out} already exists (add --force to overwrite it)`);
      throw error;
    }
    console.log(`Exported ${file.item_count} items of ${target.description} to ${out}`);
  } finally {
    await target.close();
  }
});

function defaultFileName(now: Date): string {
  // 2025-01-31T12:34:56.789Z -> 20250131T123456Z (no colons: a valid name on every file system)
  return `fulfillment-export-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.json`;
}
