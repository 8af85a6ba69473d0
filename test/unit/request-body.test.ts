import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../functions/domain/errors.js';
import { parseOrderRequest } from '../../functions/domain/requests.js';
import { isRefusal, PROBLEM_TYPES } from '../../functions/http/problem.js';
import { type BodyEvent, MAX_BODY_BYTES, duplicateKeys, readJsonBody } from '../../functions/http/request-body.js';

function event(
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  isBase64Encoded = false,
): BodyEvent {
  return { body, headers, isBase64Encoded };
}

/** How the body was refused: the status it answers (problem.ts), its detail and bad fields. */
function refusal(e: BodyEvent): { status: number; detail: string; errors: FieldError[] } {
  try {
    readJsonBody(e);
  } catch (error) {
    if (isRefusal(error))
      return { status: PROBLEM_TYPES[error.kind].status, detail: error.detail, errors: error.errors };
    throw error;
  }
  throw new Error('expected the body to be refused');
}

/** A JSON string literal whose UTF-8 encoding is exactly `bytes` long. */
function jsonOfBytes(bytes: number, filler = 'x'): string {
  const fillerBytes = Buffer.byteLength(filler);
  const count = (bytes - 2) / fillerBytes;
  if (!Number.isInteger(count)) throw new Error('size not reachable with this filler');
  return `"${filler.repeat(count)}"`;
}

describe('readJsonBody', () => {
  it('parses a JSON body', () => {
    expect(readJsonBody(event('{"requested":[{"product_id":1,"quantity":2}]}'))).toEqual({
      requested: [{ product_id: 1, quantity: 2 }],
    });
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('[{"product_id":1,"quantity":2}]').toString('base64');
    expect(readJsonBody(event(body, { 'content-type': 'application/json' }, true))).toEqual([
      { product_id: 1, quantity: 2 },
    ]);
  });

  it('accepts JSON content types with parameters, in any case, and an absent one', () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'application/merge-patch+json',
      'application/vnd.api+json; charset=utf8',
      '  ',
    ]) {
      expect(readJsonBody(event('[1]', { 'content-type': type })), type).toEqual([1]);
    }
    expect(readJsonBody(event('[1]', {}))).toEqual([1]);
    expect(readJsonBody(event('[1]', { 'Content-Type': 'application/json' }))).toEqual([1]);
  });

  it('answers 415 for a content type that is not JSON, or a charset that is not UTF-8', () => {
    for (const type of [
      'application/x-www-form-urlencoded', // what `curl -d` sends
      'text/plain;charset=UTF-8', // what fetch sends for a string body
      'text/json',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json; charset=iso-8859-1',
      'application/json, text/plain',
    ]) {
      expect(refusal(event('[1]', { 'content-type': type })).status, type).toBe(415);
    }
    expect(refusal(event('[1]', { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('answers 413 above 256 KiB of decoded bytes and accepts exactly 256 KiB', () => {
    expect(MAX_BODY_BYTES).toBe(262_144);
    expect(readJsonBody(event(jsonOfBytes(MAX_BODY_BYTES)))).toHaveLength(MAX_BODY_BYTES - 2);
    expect(refusal(event(jsonOfBytes(MAX_BODY_BYTES + 1))).status).toBe(413);
  });

  it('measures bytes, not characters', () => {
    // 'é' is 2 bytes in UTF-8: this body has fewer than 256 Ki characters but more bytes.
    const text = jsonOfBytes(MAX_BODY_BYTES + 2, 'é');
    expect(text.length).toBeLessThan(MAX_BODY_BYTES);
    expect(refusal(event(text)).status).toBe(413);
    const fits = jsonOfBytes(MAX_BODY_BYTES, 'é');
    expect(() => readJsonBody(event(fits))).not.toThrow();
  });

  it('measures a base64 body after decoding', () => {
    const fits = Buffer.from(jsonOfBytes(MAX_BODY_BYTES)).toString('base64');
    expect(fits.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(() => readJsonBody(event(fits, {}, true))).not.toThrow();
    const over = Buffer.from(jsonOfBytes(MAX_BODY_BYTES + 1)).toString('base64');
    expect(refusal(event(over, {}, true)).status).toBe(413);
  });

  it('answers 400 for a missing, empty or blank body', () => {
    for (const body of [undefined, '', '   \n']) {
      const error = refusal(event(body));
      expect(error.status).toBe(400);
      expect(error.detail).toMatch(/empty/);
    }
  });

  it('answers 400 for invalid JSON, naming the problem', () => {
    for (const body of ['{', '{"a":1,}', "{'a':1}", 'NaN', '[1] [2]', 'undefined', '{"a":01}']) {
      const error = refusal(event(body));
      expect(error.status, body).toBe(400);
      expect(error.detail).toMatch(/^The request body is not valid JSON: ./);
      expect(error.errors).toEqual([{ path: '', message: expect.stringMatching(/^is not valid JSON/) }]);
    }
  });

  it('answers 400 for a base64 body that is not UTF-8', () => {
    const body = Buffer.from([0x5b, 0xff, 0x5d]).toString('base64');
    expect(refusal(event(body, {}, true)).status).toBe(400);
  });

  it('ignores a leading byte order mark', () => {
    expect(readJsonBody(event('\uFEFF[1]'))).toEqual([1]);
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[2]')]).toString('base64');
    expect(readJsonBody(event(body, {}, true))).toEqual([2]);
  });

  it('answers 400 for a key repeated in one object, listing each with its path', () => {
    const error = refusal(event('[{"product_id":1,"quantity":1},{"product_id":1,"quantity":2,"quantity":900}]'));
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: '[1].quantity', message: 'repeats the key "quantity"' }]);
    expect(refusal(event('{"order_id":"a","requested":[],"order_id":"b"}')).errors.map((e) => e.path)).toEqual([
      'order_id',
    ]);
  });

  it('compares keys after unescaping, and keeps objects apart', () => {
    expect(duplicateKeys('{"a":1,"\\u0061":2}').map((e) => e.path)).toEqual(['a']);
    expect(duplicateKeys('[{"a":1},{"a":2}]')).toEqual([]);
    expect(duplicateKeys('{"a":{"a":1},"b":{"a":2,"c":"\\"a\\":","c":3}}').map((e) => e.path)).toEqual(['b.c']);
    expect(duplicateKeys('{"requested":[{"q":1},{"q":1,"x":[1,{"y":1,"y":2}]}]}').map((e) => e.path)).toEqual([
      'requested[1].x[1].y',
    ]);
    expect(duplicateKeys('{"a b":{"c":1,"c":1}}').map((e) => e.path)).toEqual(['["a b"].c']);
    expect(duplicateKeys('"{\\"a\\":1,\\"a\\":2}"')).toEqual([]); // a string, not an object
  });

  it('handles deep nesting without overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => readJsonBody(event(deep))).not.toThrow();
  });

  it('keeps __proto__ an own property, and parsing the result pollutes nothing', () => {
    const value = readJsonBody(
      event(
        '{"__proto__":{"polluted":true},"requested":[{"product_id":1,"quantity":1,"__proto__":{"polluted":true}}]}',
      ),
    ) as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value.polluted).toBeUndefined();
    const parsed = parseOrderRequest(value);
    expect(parsed).toEqual({ lines: [{ product_id: 1, quantity: 1 }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses a repeated __proto__ key like any other', () => {
    expect(refusal(event('{"__proto__":1,"__proto__":2}')).errors.map((e) => e.path)).toEqual(['__proto__']);
  });
});
