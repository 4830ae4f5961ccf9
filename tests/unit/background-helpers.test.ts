import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src/background/backoff.ts';
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from '../../src/shared/constants.ts';
import { isMessageId, newMessageId } from '../../src/shared/message-id.ts';

describe('reconnect backoff', () => {
  it('doubles from the base and never exceeds the cap', () => {
    expect(reconnectDelay(0, () => 1)).toBe(RECONNECT_BASE_MS);
    expect(reconnectDelay(1, () => 1)).toBe(RECONNECT_BASE_MS * 2);
    expect(reconnectDelay(100, () => 1)).toBe(RECONNECT_MAX_MS);
  });

  it('spreads clients between half and all of the delay', () => {
    expect(reconnectDelay(3, () => 0)).toBe((RECONNECT_BASE_MS * 8) / 2);
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(5)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('message ids', () => {
  it('sort by creation time and are unique', () => {
    const a = newMessageId(1_000);
    const b = newMessageId(2_000);
    expect(a < b).toBe(true);
    expect(isMessageId(a)).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newMessageId(5))).size).toBe(1000);
  });

  it('made in the same millisecond, or after the clock stepped back, still sort in the order made', () => {
    const ids = [newMessageId(10_000), newMessageId(10_000), newMessageId(10_000), newMessageId(9_000)];
    expect([...ids].sort()).toEqual(ids);
  });
});
