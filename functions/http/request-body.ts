import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type FieldError, MalformedRequestError } from '../domain/errors.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.js';
import { MAX_LISTED_ERRORS, formatPath } from '../domain/requests.js';

/** SPEC "Errors": a body over 256 KiB answers 413; measured in bytes after base64 decoding. */
export const MAX_BODY_BYTES = 256 * 1024;

export type BodyEvent = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>;

/**
 * The JSON value of a request body, checked in this order:
 * 1. 415 when a `content-type` is given and is not JSON. Accepted: `application/json` and any
 *    `application/*+json`, case-insensitive, with parameters; a `charset` parameter must be
 *    UTF-8 (RFC 8259). An absent or blank content-type is accepted. Note that `curl -d` sends
 *    `application/x-www-form-urlencoded`, so examples pass `-H 'content-type: application/json'`.
 * 2. 413 when the decoded body is over 256 KiB.
 * 3. 400 when the body is missing or blank, not UTF-8 (base64 bodies), or not JSON. A leading
 *    byte order mark is ignored.
 * 4. 400 when an object holds the same key twice. JSON.parse would keep the last one silently;
 *    for a stock system `{"quantity": 1, "quantity": 1000}` is more likely a client bug than
 *    intent, so it is refused, with each repeated key listed.
 *
 * A `__proto__` key comes out of JSON.parse as an ordinary own property (it never sets a
 * prototype); the request parsers copy only the fields they know, so it goes no further.
 */
export function readJsonBody(event: BodyEvent): unknown {
  const value = readBody(event);
  if (value === NO_BODY) {
    throw new MalformedRequestError('The request body is empty; send a JSON document.', [
      { path: '', message: 'is required' },
    ]);
  }
  return value;
}

/** As `readJsonBody`, for routes whose body is optional: undefined when none (or a blank one) was sent. */
export function readOptionalJsonBody(event: BodyEvent): unknown {
  const value = readBody(event);
  return value === NO_BODY ? undefined : value;
}

const NO_BODY = Symbol('no body');

/** The checks of `readJsonBody`, the body decoded once; NO_BODY when it is missing or blank. */
function readBody(event: BodyEvent): unknown {
  checkContentType(headerValue(event.headers, 'content-type'));
  const text = decodeBody(event);
  if (text.trim() === '') return NO_BODY;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedRequestError(`The request body is not valid JSON: ${reason}`, [
      { path: '', message: `is not valid JSON: ${reason}` },
    ]);
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) {
    const [first] = duplicates;
    const more = duplicates.length > 1 ? ` (and ${duplicates.length - 1} more)` : '';
    throw new MalformedRequestError(
      `The request body repeats the key ${first!.path}${more}; each key may appear once in an object.`,
      duplicates,
    );
  }
  return value;
}

function checkContentType(contentType: string | undefined): void {
  if (contentType === undefined || contentType.trim() === '') return;
  const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim());
  const type = mediaType.toLowerCase();
  const json = type === 'application/json' || /^application\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
  const charset = params
    .map((param) => param.split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (!json || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${JSON.stringify(contentType)} is not accepted; send application/json (UTF-8).`,
    );
  }
}

function decodeBody({ body, isBase64Encoded }: BodyEvent): string {
  if (body === undefined || body === null) return '';
  let text: string;
  if (isBase64Encoded) {
    // 4 base64 characters carry 3 bytes: anything this long is over the limit without decoding.
    if (body.length > Math.ceil(MAX_BODY_BYTES / 3) * 4 + 8) throw tooLarge();
    const bytes = Buffer.from(body, 'base64');
    if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new MalformedRequestError('The request body is not valid UTF-8 text.', [
        { path: '', message: 'is not valid UTF-8' },
      ]);
    }
  } else {
    // A UTF-8 encoding is never shorter in bytes than in UTF-16 units.
    if (body.length > MAX_BODY_BYTES || Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
    text = body;
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body is over ${MAX_BODY_BYTES} bytes (256 KiB).`);
}

function headerValue(headers: BodyEvent['headers'] | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

type Frame = { kind: 'object'; keys: Set<string>; key: string; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * Every key that repeats an earlier key of the same object, as `{path, message}`. Runs on text
 * JSON.parse already accepted, so it only tracks nesting and strings; iterative, so a deeply
 * nested body cannot overflow the stack. Keys are compared after unescaping (`"a"` = `"\u0061"`).
 */
export function duplicateKeys(text: string): FieldError[] {
  const stack: Frame[] = [];
  const found: FieldError[] = [];
  for (let i = 0; i < text.length; i++) {
    const top = stack[stack.length - 1];
    switch (text[i]) {
      case '{':
        stack.push({ kind: 'object', keys: new Set(), key: '', expectKey: true });
        break;
      case '[':
        stack.push({ kind: 'array', index: 0 });
        break;
      case '}':
      case ']':
        stack.pop();
        break;
      case ',':
        if (top?.kind === 'object') top.expectKey = true;
        else if (top?.kind === 'array') top.index++;
        break;
      case ':':
        if (top?.kind === 'object') top.expectKey = false;
        break;
      case '"': {
        let end = i + 1;
        let escaped = false;
        while (text[end] !== '"') {
          if (text[end] === '\\') {
            escaped = true;
            end += 2;
          } else end++;
        }
        if (top?.kind === 'object' && top.expectKey) {
          const key: string = escaped ? JSON.parse(text.slice(i, end + 1)) : text.slice(i + 1, end);
          if (top.keys.has(key) && found.length < MAX_LISTED_ERRORS) {
            const path = stack.slice(0, -1).map((frame) => (frame.kind === 'object' ? frame.key : frame.index));
            found.push({ path: formatPath([...path, key]), message: `repeats the key ${JSON.stringify(key)}` });
          }
          top.keys.add(key);
          top.key = key;
        }
        i = end;
        break;
      }
    }
  }
  return found;
}
