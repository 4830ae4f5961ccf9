import { describe, expect, it } from 'vitest';
import { RollingQuota } from '../../relay/rolling-quota.ts';

// docs/protocol.md, "Storage quotas": a day is counted in 24 one-hour slots; a charge is admitted
// while the current slot and the 23 before, plus the charge, stay within the quota.
const HOUR = 60 * 60 * 1000;
const day = (limit: number, maxKeys = 100) => new RollingQuota({ limit, windowMs: 24 * HOUR, slots: 24, maxKeys });

describe('rolling quota', () => {
  it('admits up to the limit and refuses the next unit, without charging the refusal', () => {
    const quota = day(100);
    expect(quota.tryCharge('a', 60, 0)).toBe(true);
    expect(quota.tryCharge('a', 41, 1)).toBe(false);
    expect(quota.tryCharge('a', 40, 2)).toBe(true);
    expect(quota.tryCharge('a', 1, 3)).toBe(false);
    expect(quota.used('a', 3)).toBe(100);
  });

  it('frees a slot only when it leaves the window: 24 hourly slots', () => {
    const quota = day(100);
    quota.charge('a', 100, 30 * 60 * 1000); // in slot 0
    expect(quota.fits('a', 1, 24 * HOUR - 1)).toBe(false); // slot 23: slot 0 is still counted
    expect(quota.fits('a', 100, 24 * HOUR)).toBe(true); // slot 24: slot 0 has left
  });

  it('keeps slots apart: only the oldest leaves', () => {
    const quota = day(100);
    quota.charge('a', 30, 0);
    quota.charge('a', 70, 5 * HOUR);
    expect(quota.used('a', 24 * HOUR)).toBe(70);
    expect(quota.used('a', 29 * HOUR)).toBe(0);
  });

  it('remembers at most maxKeys keys, forgetting the one charged least recently', () => {
    const quota = day(100, 2);
    quota.charge('a', 10, 0);
    quota.charge('b', 10, 0);
    quota.charge('a', 10, 1);
    quota.charge('c', 10, 2);
    expect(quota.size).toBe(2);
    expect(quota.used('a', 3)).toBe(20);
    expect(quota.used('b', 3)).toBe(0);
    expect(quota.used('c', 3)).toBe(10);
  });
});
