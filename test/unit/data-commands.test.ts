/**
 * The command lines of `npm run export` and `npm run import` (local/data-commands.ts,
 * local/data-tool.ts): what each option means, what is refused before anything starts, and
 * which exit code each failure gets. No process, no table: test/integration/export-import.test.ts
 * runs the tools for real where a process is what is tested.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultExportFileName, parseExportCommand, parseImportCommand } from '../../local/data-commands.js';
import { DataFileError } from '../../local/data-file.js';
import {
  awsClientConfig,
  DEFAULT_DATA_DIR,
  EXIT,
  exitCodeOf,
  placeOf,
  Refusal,
  UsageError,
} from '../../local/data-tool.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Where the user typed the command (npm sets INIT_CWD; the tools run in the package root). */
const USER_DIR = '/home/operator/backups';

beforeEach(() => {
  vi.stubEnv('INIT_CWD', USER_DIR);
  vi.stubEnv('TABLE_NAME', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function exportCommand(args: string[]) {
  const command = parseExportCommand(args, new Date('2025-01-31T12:34:56.789Z'));
  if (command.help) throw new Error('expected a command, got --help');
  return command;
}
function importCommand(args: string[]) {
  const command = parseImportCommand(args);
  if (command.help) throw new Error('expected a command, got --help');
  return command;
}

describe('npm run export -- ...', () => {
  it('by default writes ./fulfillment-export-<UTC time>.json where the user is, from <repo>/.data', () => {
    const command = exportCommand([]);
    expect(command).toMatchObject({ out: join(USER_DIR, 'fulfillment-export-20250131T123456Z.json'), force: false });
    expect(command.target.dataMustExist).toBe(true); // exporting nothing is refused, not an empty file
    expect(placeOf(command.target)).toEqual({
      kind: 'data-dir',
      dataDir: resolve(DEFAULT_DATA_DIR),
      tableName: 'fulfillment-local',
    });
    expect(DEFAULT_DATA_DIR).toBe(join(REPO, '.data/'));
    expect(defaultExportFileName(new Date('2026-12-01T00:00:00Z'))).toBe('fulfillment-export-20261201T000000Z.json');
  });

  it('resolves --out (or -o) against the directory the user typed the command in', () => {
    expect(exportCommand(['--out', 'state.json']).out).toBe(join(USER_DIR, 'state.json'));
    expect(exportCommand(['-o', '../x.json']).out).toBe('/home/operator/x.json');
    expect(exportCommand(['--out', '/tmp/abs.json']).out).toBe('/tmp/abs.json');
  });

  it('refuses an --out that exists (exit 3) unless --force', () => {
    const existing = join(REPO, 'package.json');
    expect(() => exportCommand(['--out', existing])).toThrow(Refusal);
    expect(() => exportCommand(['--out', existing])).toThrow(/package\.json already exists .*--force/);
    expect(exportCommand(['--out', existing, '--force'])).toMatchObject({ out: existing, force: true });
  });

  it('--help wins over everything else', () => {
    expect(parseExportCommand(['--help', '--aws'])).toEqual({ help: true });
    expect(parseExportCommand(['-h'])).toEqual({ help: true });
  });

  it('refuses a bad command line as a UsageError (exit 2)', () => {
    const cases: Array<[string[], RegExp]> = [
      [['state.json'], /unexpected argument "state\.json" \(the output file goes after --out\)/],
      [['--replace'], /Unknown option '--replace'/],
      [['--out'], /argument missing/],
      [['--aws'], /--aws needs --table NAME/],
      [
        ['--aws', '--endpoint', 'http://127.0.0.1:8000', '--table', 't'],
        /only one of --endpoint, --data-dir and --aws/,
      ],
      [['--endpoint', 'http://127.0.0.1:8000', '--data-dir', 'd'], /only one of --endpoint, --data-dir and --aws/],
      [
        ['--endpoint', 'localhost 8000'],
        /--endpoint must be a URL such as http:\/\/127\.0\.0\.1:8000, got "localhost 8000"/,
      ],
    ];
    for (const [args, message] of cases) {
      expect(() => parseExportCommand(args), args.join(' ')).toThrow(UsageError);
      expect(() => parseExportCommand(args), args.join(' ')).toThrow(message);
    }
  });

  it('names the table by --table, else TABLE_NAME, else fulfillment-local', () => {
    expect(placeOf(exportCommand(['--table', 'mine']).target).tableName).toBe('mine');
    vi.stubEnv('TABLE_NAME', 'from-env');
    expect(placeOf(exportCommand([]).target).tableName).toBe('from-env');
    expect(placeOf(exportCommand(['--table', 'mine']).target).tableName).toBe('mine');
  });

  it('reads a DynamoDB at --endpoint, DynamoDB in AWS with --aws --table, or another --data-dir', () => {
    expect(placeOf(exportCommand(['--endpoint', 'http://127.0.0.1:8000/']).target)).toEqual({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:8000',
      tableName: 'fulfillment-local',
    });
    expect(placeOf(exportCommand(['--aws', '--table', 'fulfillment-prod-restored']).target)).toEqual({
      kind: 'aws',
      tableName: 'fulfillment-prod-restored',
    });
    expect(placeOf(exportCommand(['--data-dir', '/srv/data']).target)).toEqual({
      kind: 'data-dir',
      dataDir: '/srv/data',
      tableName: 'fulfillment-local',
    });
  });
});

describe('npm run import -- FILE ...', () => {
  it('takes exactly one file, resolved where the user is, and --replace', () => {
    expect(importCommand(['backup.json'])).toMatchObject({ path: join(USER_DIR, 'backup.json'), replace: false });
    expect(importCommand(['--replace', '/srv/b.json'])).toMatchObject({ path: '/srv/b.json', replace: true });
    expect(importCommand(['b.json']).target.dataMustExist).toBe(false); // a new data directory is fine
    expect(parseImportCommand(['--help'])).toEqual({ help: true });
  });

  it('refuses a bad command line as a UsageError (exit 2)', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /name the file to import/],
      [['a.json', 'b.json'], /name exactly one file to import/],
      [['a.json', '--force'], /Unknown option '--force'/],
      [['a.json', '--aws'], /--aws needs --table/],
      [['a.json', '--aws', '--endpoint', 'http://127.0.0.1:8000', '--table', 'x'], /only one of --endpoint/],
      [['a.json', '--aws', '--data-dir', 'd', '--table', 'x'], /only one of --endpoint/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseImportCommand(args), args.join(' ')).toThrow(UsageError);
      expect(() => parseImportCommand(args), args.join(' ')).toThrow(message);
    }
  });
});

describe('--aws (the point-in-time restore of docs/runbook.md)', () => {
  it("uses the SDK's own endpoint and credential chain, never the fake local ones", () => {
    const config = awsClientConfig();
    expect(config).not.toHaveProperty('endpoint');
    expect(config).not.toHaveProperty('credentials');
    expect(config).not.toHaveProperty('region');
  });
});

describe('exit codes', () => {
  it('2 for a bad command line, 3 for a refusal or a bad file, 1 for any other failure', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeOf(new Refusal('x'))).toBe(EXIT.refused);
    expect(exitCodeOf(new DataFileError('f.json', ['bad']))).toBe(EXIT.refused);
    expect(exitCodeOf(new Error('ECONNREFUSED'))).toBe(EXIT.failed);
    expect(exitCodeOf('a string')).toBe(EXIT.failed);
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, refused: 3 });
  });
});
