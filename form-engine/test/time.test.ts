import { expect, test } from 'vitest';
import { evaluateFormula } from '../src/index.ts';
import { inZone, isDateString, isDateTimeString, safeTimeZone, startOfDayIso, todayIn, zonedToInstant } from '../src/time.ts';

test('days start at local midnight, across daylight-saving changes', () => {
  expect(startOfDayIso('2024-03-10', 'America/New_York')).toBe('2024-03-10T05:00:00.000Z');
  expect(startOfDayIso('2024-03-11', 'America/New_York')).toBe('2024-03-11T04:00:00.000Z');
  expect(startOfDayIso('2024-05-01', 'Asia/Shanghai')).toBe('2024-04-30T16:00:00.000Z');
  expect(startOfDayIso('2024-05-01', 'Asia/Kathmandu')).toBe('2024-04-30T18:15:00.000Z');
  expect(startOfDayIso('2024-05-01', 'UTC')).toBe('2024-05-01T00:00:00.000Z');
});

test('wall clocks in a zone and back', () => {
  expect(inZone('2024-03-10T06:59:59Z', 'America/New_York').format('YYYY-MM-DD HH:mm:ss')).toBe('2024-03-10 01:59:59');
  expect(inZone('2024-03-10T07:00:00Z', 'America/New_York').format('YYYY-MM-DD HH:mm:ss')).toBe('2024-03-10 03:00:00');
  const wall = inZone('2024-11-03T12:00:00Z', 'America/New_York');
  expect(zonedToInstant(wall, 'America/New_York').toISOString()).toBe('2024-11-03T12:00:00.000Z');
  expect(todayIn('2024-12-31T23:59:59.999Z', 'Asia/Tokyo')).toBe('2025-01-01');
  expect(todayIn('2024-12-31T23:59:59.999Z', 'Pacific/Honolulu')).toBe('2024-12-31');
});

test('month arithmetic on date-times keeps the local time across DST', () => {
  const ctx = { timeZone: 'America/New_York' };
  expect(evaluateFormula('DATEADD("2024-02-15T15:00:00Z", 1, "m")', {}, ctx)).toBe('2024-03-15T14:00:00.000Z');
});

test('unknown zones fall back to UTC', () => {
  expect(safeTimeZone('Mars/Olympus')).toBe('UTC');
  expect(safeTimeZone(undefined)).toBe('UTC');
  expect(safeTimeZone('Europe/Paris')).toBe('Europe/Paris');
});

test('date and date-time recognition', () => {
  expect(['2024-02-29', '0001-01-01', '9999-12-31'].every(isDateString)).toBe(true);
  expect(['2023-02-29', '2024-13-01', '2024-00-10', '24-01-01', '2024-01-01T00:00:00Z', 20240101].some(isDateString)).toBe(false);
  expect(['2024-01-01T00:00Z', '2024-01-01T23:59:59.999999999+14:00', '2024-01-01T12:00:00-0530'].every(isDateTimeString)).toBe(true);
  expect(['2024-01-01T24:00:00Z', '2024-01-01T12:60:00Z', '2024-01-01T12:00:00', '2024-01-01 12:00:00Z', '2024-01-01T12:00:00+25:00'].some(isDateTimeString)).toBe(false);
});
