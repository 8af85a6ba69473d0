/** Settings from CDK context: safe defaults, and a clear error for every bad value. */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { settingsFromContext, SettingsError } from '../../infra/settings.js';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('1. Settings from context, with safe defaults', () => {
  it('defaults to a dev stage with no CORS, no e-mail, unprotected data and the standard restock source', () => {
    expect(settingsFromContext(context({}))).toEqual({
      stage: 'dev',
      corsOrigins: [],
      restockEventSource: 'fulfillment.restock',
      oldestBackorderAlarmSeconds: 900,
      logRetention: RetentionDays.ONE_MONTH,
      logLevel: 'INFO',
      apiRateLimit: 100,
      apiBurstLimit: 200,
      protectData: false,
    });
  });

  it('protects data and keeps logs a year in prod', () => {
    const settings = settingsFromContext(context({ stage: 'prod' }));
    expect(settings.protectData).toBe(true);
    expect(settings.logRetention).toBe(RetentionDays.ONE_YEAR);
  });

  it('reads values given as strings on the command line (-c key=value)', () => {
    const settings = settingsFromContext(
      context({
        stage: 'staging',
        corsOrigins: ' https://ops.example.com , http://localhost:5173,https://ops.example.com',
        alarmEmail: 'oncall@example.com',
        restockEventSource: 'warehouse.restock',
        oldestBackorderAlarmSeconds: '1800',
        logRetentionDays: '90',
        logLevel: 'debug',
        apiRateLimit: '20',
        apiBurstLimit: '40',
        protectData: 'true',
      }),
    );
    expect(settings).toEqual({
      stage: 'staging',
      corsOrigins: ['https://ops.example.com', 'http://localhost:5173'],
      alarmEmail: 'oncall@example.com',
      restockEventSource: 'warehouse.restock',
      oldestBackorderAlarmSeconds: 1800,
      logRetention: RetentionDays.THREE_MONTHS,
      logLevel: 'DEBUG',
      apiRateLimit: 20,
      apiBurstLimit: 40,
      protectData: true,
    });
  });

  it('reads JSON values from cdk.json, and treats empty strings as not set', () => {
    const settings = settingsFromContext(
      context({
        corsOrigins: ['https://a.example.com'],
        oldestBackorderAlarmSeconds: 600,
        alarmEmail: '',
        protectData: false,
      }),
    );
    expect(settings.corsOrigins).toEqual(['https://a.example.com']);
    expect(settings.oldestBackorderAlarmSeconds).toBe(600);
    expect(settings).not.toHaveProperty('alarmEmail');
  });

  it('takes a Cognito domain prefix when given, and leaves it to the stack otherwise', () => {
    expect(settingsFromContext(context({ authDomainPrefix: 'acme-fulfillment' })).authDomainPrefix).toBe(
      'acme-fulfillment',
    );
    expect(settingsFromContext(context({}))).not.toHaveProperty('authDomainPrefix');
  });

  it.each([
    ['stage', 'Prod'],
    ['stage', 'my_stage'],
    ['corsOrigins', '*'],
    ['corsOrigins', 'https://ops.example.com/app'],
    ['alarmEmail', 'oncall'],
    ['restockEventSource', 'aws.restock'],
    ['restockEventSource', 'has space'],
    ['oldestBackorderAlarmSeconds', '15'],
    ['oldestBackorderAlarmSeconds', '1.5'],
    ['logRetentionDays', '31'],
    ['logLevel', 'verbose'],
    ['apiRateLimit', '0'],
    ['apiBurstLimit', '10'],
    ['protectData', 'yes'],
    ['authDomainPrefix', 'My-Domain'],
    ['authDomainPrefix', 'fulfillment-aws-dev'],
    ['authDomainPrefix', '-starts-with-dash'],
  ])('refuses %s=%j with a message naming the key', (key, value) => {
    expect(() => settingsFromContext(context({ [key]: value }))).toThrow(SettingsError);
    expect(() => settingsFromContext(context({ [key]: value }))).toThrow(`"${key}"`);
  });
});
