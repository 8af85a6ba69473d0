/**
 * `npm run import -- FILE [--replace] [--endpoint URL | --data-dir DIR | --aws] [--table NAME]`
 *
 * Loads a file written by `npm run export` into the local table, creating the table if absent.
 * The whole file is validated first: a bad or foreign file is refused before any DynamoDB Local
 * starts. A table that already holds items is refused (two states must never mix) unless
 * --replace, which deletes them first. See ./data-tool.ts for where the table is and the exit codes.
 */
import { readDataFile } from './data-file.js';
import { openTarget, parseToolArgs, targetOf, runTool, UsageError, userPath } from './data-tool.js';
import { importDataFile } from './table-copy.js';

const HELP = `Usage: npm run import -- FILE [options]

Loads FILE (written by \`npm run export\`) into the local table, creating the table if absent.

  --replace         if the table already holds items, delete them all first (default: refuse)
  --endpoint URL    write to this DynamoDB (e.g. the DynamoDB Local a running \`npm start\` printed)
  --data-dir DIR    write to DIR with a DynamoDB Local of our own (default: <repo>/.data, refused while \`npm start\` uses it)
  --table NAME      table name (default: $TABLE_NAME, else fulfillment-local)

Exit codes: 0 done, 1 failed, 2 bad command line, 3 refused (nothing written).`;

await runTool(async () => {
  const { values, positionals } = parseToolArgs({ replace: { type: 'boolean', default: false } });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'name the file to import' : 'name exactly one file to import');
  const path = userPath(positionals[0]!);
  const file = readDataFile(path); // throws DataFileError (exit 3) before anything starts

  const target = await openTarget({ ...targetOf(values), dataMustExist: false });
  try {
    const { created } = await importDataFile(target.client, target.tableName, file, {
      createTable: target.mayCreateTable,
      replace: values.replace,
      log: console.log,
      label: target.description,
    });
    console.log(
      `Imported ${file.item_count} items from ${path} (table ${file.table_name}, exported ${file.exported_at}) into ${created ? 'the new ' : ''}${target.description}`,
    );
  } finally {
    await target.close();
  }
});
