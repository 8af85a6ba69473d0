import { describe, expect, it } from 'vitest';
import { readableLogLine } from '../../local/readable-logs.js';

describe('readable local logs', () => {
  it('turns a ship_package JSON line into one readable line', () => {
    const json = JSON.stringify({
      level: 'INFO',
      message: 'ship_package order=123 e1-1: 2 x RBC A+ Adult (0) = 1400 g',
      timestamp: '2026-11-25T00:37:27.125Z',
      service: 'fulfillment',
      order_id: 123,
    });
    expect(readableLogLine(json)).toBe('00:37:27 INFO  ship_package order=123 e1-1: 2 x RBC A+ Adult (0) = 1400 g');
  });
  it('keeps the fields of other log lines as key=value', () => {
    const json = JSON.stringify({
      level: 'WARN',
      message: 'slow',
      timestamp: '2026-11-25T00:00:01.000Z',
      order_id: 'a-1',
      status: 409,
    });
    expect(readableLogLine(json)).toBe('00:00:01 WARN  slow order_id=a-1 status=409');
  });
  it('leaves out the Lambda context keys, which only matter in CloudWatch', () => {
    const json = JSON.stringify({
      level: 'INFO',
      message: 'order placed',
      timestamp: '2026-11-25T00:00:01.000Z',
      cold_start: false,
      function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:x',
      function_memory_size: 1024,
      function_name: 'x',
      function_request_id: 'r-1',
      xray_trace_id: '1-abc',
      order_id: 'a-1',
    });
    expect(readableLogLine(json)).toBe('00:00:01 INFO  order placed order_id=a-1');
  });
  it('passes through what is not a JSON log line', () => {
    expect(readableLogLine('GET /health -> 200 (3 ms)')).toBe('GET /health -> 200 (3 ms)');
    expect(readableLogLine('{not json')).toBe('{not json');
  });
});
