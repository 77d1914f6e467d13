import { describe, expect, test } from 'vitest';
import { formatSerial, parseSerialPattern, SerialPatternError, serialPeriodKey } from '../src/index.ts';

// 2024-12-31 17:30 UTC is already 2025-01-01 01:30 in Shanghai.
const now = new Date('2024-12-31T17:30:00Z');

describe('formatSerial', () => {
  test.each([
    ['QT-{YYYYMMDD}-{0000}', 7, 'QT-20250101-0007'],
    ['QT-{YYYYMMDD}-{0000}', 12345, 'QT-20250101-12345'],
    ['{YYYY}{MM}{DD}-{000}', 1, '20250101-001'],
    ['PO{YYYYMM}{00000}', 42, 'PO20250100042'],
    ['{YY}-{0}', 3, '25-3'],
    ['{YYMMDD}{00}', 9, '25010109'],
    ['NO.{000000}', 1, 'NO.000001'],
    ['{0000}', 0, '0000'],
  ])('%s with %i', (pattern, seq, expected) => {
    expect(formatSerial(pattern, seq, now, 'Asia/Shanghai')).toBe(expected);
  });

  test('the date parts follow the time zone', () => {
    expect(formatSerial('QT-{YYYYMMDD}-{0000}', 7, now, 'UTC')).toBe('QT-20241231-0007');
    expect(formatSerial('QT-{YYYYMMDD}-{0000}', 7, now.getTime())).toBe('QT-20241231-0007');
    expect(formatSerial('QT-{YYYYMMDD}-{0000}', 7, now.toISOString(), 'America/Los_Angeles')).toBe('QT-20241231-0007');
  });

  test('refuses a bad counter', () => {
    expect(() => formatSerial('{0000}', -1, now)).toThrow(RangeError);
    expect(() => formatSerial('{0000}', 1.5, now)).toThrow(RangeError);
  });
});

describe('serialPeriodKey', () => {
  test.each([
    ['QT-{YYYYMMDD}-{0000}', '2025-01-01'],
    ['{DD}-{000}', '2025-01-01'],
    ['PO{YYYYMM}{00000}', '2025-01'],
    ['{MM}-{000}', '2025-01'],
    ['{YYYY}-{000}', '2025'],
    ['{YY}-{000}', '2025'],
    ['NO.{000000}', ''],
  ])('%s resets per %s', (pattern, key) => {
    expect(serialPeriodKey(pattern, now, 'Asia/Shanghai')).toBe(key);
  });

  test('the period follows the time zone', () => {
    expect(serialPeriodKey('QT-{YYYYMMDD}-{0000}', now, 'UTC')).toBe('2024-12-31');
  });
});

describe('parseSerialPattern', () => {
  test('splits text, dates and the counter', () => {
    expect(parseSerialPattern('QT-{YYYYMMDD}-{0000}')).toEqual([
      { kind: 'text', text: 'QT-' },
      { kind: 'date', format: 'YYYYMMDD' },
      { kind: 'text', text: '-' },
      { kind: 'counter', width: 4 },
    ]);
  });

  test.each([
    ['QT-{YYYY}', 'exactly one counter'],
    ['{000}-{000}', 'exactly one counter'],
    ['{HH}{000}', 'Unknown serial token {HH}'],
    ['{0000000000000}', 'Unknown serial token'],
    ['A{000}}', 'Unbalanced'],
    ['A{{000}', 'Unbalanced'],
  ])('refuses %s', (pattern, message) => {
    expect(() => parseSerialPattern(pattern)).toThrow(SerialPatternError);
    expect(() => parseSerialPattern(pattern)).toThrow(message);
  });
});
