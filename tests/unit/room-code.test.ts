import { describe, expect, it } from 'vitest';
import { BASE32_ALPHABET, ROOM_CODE_LENGTH } from '../../src/shared/constants.ts';
import { formatRoomCode, newRoomCode, parseRoomCode, type RoomCode } from '../../src/shared/room-code.ts';

describe('room codes', () => {
  it('are 24 base32 symbols, 115 random bits, shown in six groups of four', () => {
    const code = newRoomCode();
    expect(code).toHaveLength(ROOM_CODE_LENGTH);
    expect([...code].every((c) => BASE32_ALPHABET.includes(c))).toBe(true);
    expect(formatRoomCode(code)).toMatch(/^(\w{4}-){5}\w{4}$/);
    expect(parseRoomCode(formatRoomCode(code))).toEqual({ ok: true, value: code });
  });

  it('are different every time', () => {
    const codes = new Set(Array.from({ length: 1000 }, newRoomCode));
    expect(codes.size).toBe(1000);
  });

  it('accept lowercase, spaces and look-alike letters', () => {
    const code = newRoomCode();
    const sloppy = ` ${formatRoomCode(code).toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l')} `;
    expect(parseRoomCode(sloppy)).toEqual({ ok: true, value: code });
  });

  it('catch every single-symbol typo', () => {
    const code = newRoomCode();
    for (let i = 0; i < code.length; i++) {
      for (const c of BASE32_ALPHABET) {
        if (c === code[i]) continue;
        const typo = code.slice(0, i) + c + code.slice(i + 1);
        const parsed = parseRoomCode(typo);
        expect(parsed.ok, `${typo} should be rejected`).toBe(false);
      }
    }
  });

  it('catch most swaps of neighbours', () => {
    let caught = 0;
    let swaps = 0;
    for (let n = 0; n < 200; n++) {
      const code = newRoomCode();
      for (let i = 0; i + 1 < code.length; i++) {
        if (code[i] === code[i + 1]) continue;
        swaps++;
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        if (!parseRoomCode(swapped).ok) caught++;
      }
    }
    expect(caught / swaps).toBeGreaterThan(0.9);
  });

  it.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['ABCD-EFGH-!JKM', 'BAD_CHARACTER'],
    ['ABCD-UUUU', 'BAD_CHARACTER'],
    ['ABCD-EFGH', 'WRONG_LENGTH'],
    ['0'.repeat(200), 'WRONG_LENGTH'],
  ])('reject %j with %s and a message for people', (input, code) => {
    const parsed = parseRoomCode(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message.length).toBeGreaterThan(10);
    }
  });

  it('reject a non-string without throwing', () => {
    expect(parseRoomCode(undefined as unknown as string).ok).toBe(false);
    expect(formatRoomCode('ABCDEFGH' as RoomCode)).toBe('ABCD-EFGH');
  });
});
