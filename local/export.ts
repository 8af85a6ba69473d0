/**
 * `npm run export -- [--out FILE] [--force] [--endpoint URL | --data-dir DIR | --aws] [--table NAME]`
 *
 * Writes every item of the local table to a JSON file (format: ./data-file.ts), by default
 * `fulfillment-export-<UTC time>.json` in the current directory. The command line is read by
 * ./data-commands.ts; see ./data-tool.ts for where the table is found and the exit codes.
 */
import { writeDataFile } from './data-file.js';
import { EXPORT_HELP, parseExportCommand } from './data-commands.js';
import { openTarget, Refusal, runTool } from './data-tool.js';
import { exportTable } from './table-copy.js';

await runTool(async () => {
  const command = parseExportCommand(process.argv.slice(2));
  if (command.help) {
    console.log(EXPORT_HELP);
    return;
  }
  const { out, force } = command;
  const target = await openTarget(command.target);
  try {
    const file = await exportTable(target.client, target.tableName, { label: target.description });
    try {
      writeDataFile(out, file, { overwrite: force });
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
