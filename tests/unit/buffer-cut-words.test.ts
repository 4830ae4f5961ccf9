// Issue 7, defect 4: the relay's cuts for unread bytes (SLOW_CONSUMER 4009, ADDRESS_BUFFERS_FULL
// 4032, RELAY_BUFFERS_FULL 4033; docs/protocol.md, "Errors") are shown in words. A browser cannot be
// made to stop reading honestly (its service worker drains the socket into a large loopback kernel
// buffer, so the relay's per-socket queue never grows), so these are checked here, from the close
// the relay sends: the close code with the error code as the reason.
import { describe, expect, it } from 'vitest';
import { closeWords } from '../../src/background/relay-words.ts';

const context = { url: 'ws://127.0.0.1:1', roomLimit: null };
const closed = (code: number, reason: string) => closeWords({ code, reason, opened: true }, context);

describe('cuts for unread bytes, in words', () => {
  it('says this browser did not keep up, or the network, or the relay is overloaded', () => {
    expect(closed(4009, 'SLOW_CONSUMER')).toBe('The relay cut the connection because this browser did not keep up.');
    expect(closed(4032, 'ADDRESS_BUFFERS_FULL')).toBe('The relay cut the connection: browsers on your network were not reading what it sent fast enough.');
    expect(closed(4033, 'RELAY_BUFFERS_FULL')).toBe('The relay is overloaded and cut the connection.');
  });

  it('still says something for those close codes without a reason (a proxy that drops it)', () => {
    for (const code of [4009, 4032, 4033]) expect(closed(code, '')).toBe(`The relay closed the connection (code ${code}).`);
  });
});
