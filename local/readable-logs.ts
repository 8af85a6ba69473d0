/**
 * Under `npm start` a person reads the log, not CloudWatch Logs Insights: the handlers' JSON
 * log lines (Powertools, the same as in Lambda) are rewritten as one short line each, e.g.
 * `00:37:27 INFO  ship_package order=123 …: 2 x RBC A+ Adult (0), 1 x FFP A+ (10) = 1700 g`.
 * Anything that is not a JSON log line passes through untouched. Set LOG_FORMAT=json to keep JSON.
 */
// What a person at the terminal doesn't need: the same on every line, or only useful in
// CloudWatch (the Lambda context keys Powertools adds, the trace id).
const HIDDEN = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return line;
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 19) : '';
  // ship_package lines already say everything a person needs.
  const extras = entry.message.startsWith('ship_package')
    ? []
    : Object.entries(entry)
        .filter(([k]) => !HIDDEN.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, entry.level.padEnd(5), entry.message, ...extras].filter(Boolean).join(' ');
}

export function installReadableLogs(stream: NodeJS.WriteStream = process.stdout): void {
  if (process.env.LOG_FORMAT === 'json') return;
  const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    const text = chunk
      .split('\n')
      .map((l) => readableLogLine(l))
      .join('\n');
    return write(text, ...rest);
  }) as typeof stream.write;
}
