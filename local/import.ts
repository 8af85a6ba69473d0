/**
 * `npm run import -- FILE [--replace] [--endpoint URL | --data-dir DIR | --aws] [--table NAME]`
 *
 * Loads a file written by `npm run export` into the local table, creating the table if absent.
 * The whole file is validated first: a bad or foreign file is refused before any DynamoDB Local
 * starts. A table that already holds items is refused (two states must never mix) unless
 * --replace, which deletes them first. The command line is read by ./data-commands.ts; see
 * ./data-tool.ts for where the table is and the exit codes.
 */
import { IMPORT_HELP, parseImportCommand } from './data-commands.js';
import { readDataFile } from './data-file.js';
import { openTarget, placeOf, runTool } from './data-tool.js';
import { forgetEventStreamPosition } from './event-publishing.js';
import { importDataFile } from './table-copy.js';

await runTool(async () => {
  const command = parseImportCommand(process.argv.slice(2));
  if (command.help) {
    console.log(IMPORT_HELP);
    return;
  }
  const { path } = command;
  const file = readDataFile(path); // throws DataFileError (exit 3) before anything starts

  const target = await openTarget(command.target);
  try {
    const { created } = await importDataFile(target.client, target.tableName, file, {
      createTable: target.mayCreateTable,
      replace: command.replace,
      log: console.log,
      label: target.description,
    });
    // The imported items are history: the next `npm start` publishes no events for them.
    const place = placeOf(command.target);
    if (place.kind === 'data-dir') forgetEventStreamPosition(place.dataDir);
    console.log(
      `Imported ${file.item_count} items from ${path} (table ${file.table_name}, exported ${file.exported_at}) into ${created ? 'the new ' : ''}${target.description}`,
    );
  } finally {
    await target.close();
  }
});
