/** POST /inventory/write_offs: units leave stock unshipped (damaged, expired, ...), all or nothing. */
import { parseWriteOffRequest, type WriteOffLine } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { idempotencyKey } from '../http/idempotency-key.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { writeOff } from '../use-cases/write-off.js';

export const handler = apiHandler(async (event) => {
  const body = readJsonBody(event);
  const lines = parseWriteOffRequest(body);
  const key = idempotencyKey(event);
  const answer = await writeOff({
    ...(key === undefined ? {} : { key: `key:${key}` }),
    lines,
    linePath: linePathIn(body),
  });
  return jsonResponse(200, answer);
});

/** Where the first body entry merged into `line` stood. */
function linePathIn(body: unknown) {
  return (line: WriteOffLine): string => {
    const index = Array.isArray(body)
      ? body.findIndex((entry) => {
          const e = entry as { product_id?: unknown; lot?: unknown; reason?: unknown } | null;
          return e?.product_id === line.product_id && (e?.lot ?? null) === line.lot && e?.reason === line.reason;
        })
      : -1;
    return index >= 0 ? `[${index}]` : '';
  };
}
