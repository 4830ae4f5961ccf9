import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../relay/client.ts';
import { deriveRoomKeys, openMessage, sealMessage, type ChatPlaintext, type RoomKeys } from '../../src/shared/crypto.ts';
import { fingerprint, newSigningKeys, publicKeyText } from '../../src/shared/identity.ts';
import { signOutgoing, type SigningIdentity } from '../../src/shared/identity-rules.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import { parseRoomCode } from '../../src/shared/room-code.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Alice and Bob chat in two real browsers through a real relay; each sees the other's nickname
// with a key fingerprint, and both see the same safety code. Then a third member, a raw Node
// client that holds the room code (so it can seal and open anything in the room), speaks as
// "Alice": once with its own key (flagged as another key) and once with Alice's public key,
// which it read from her messages but cannot sign for (shown as an unverified sender).

const FINGERPRINT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
const SAFETY_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/;

let relay: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;
let code = '';
let aliceFingerprint = '';
let bobFingerprint = '';

/** What the message with `text` shows above its text: the sender line, read from the DOM. */
function senderOf(popup: PopupPage, text: string) {
  return popup.page.evaluate((t) => {
    const m = [...document.querySelectorAll('[data-testid=message]')].find((e) => e.querySelector('.pl-text')?.textContent === t);
    if (!m) throw new Error(`no message ${t}`);
    const q = (id: string) => m.querySelector(`[data-testid=${id}]`)?.textContent ?? null;
    const meta = m.querySelector('.pl-meta')!;
    return { name: q('sender'), unverified: q('unverified'), flag: q('other-key'), fingerprint: q('fingerprint'), line: meta.textContent! };
  }, text);
}

/**
 * The popup's "People here and safety codes" detail: one entry per other member in the room now,
 * named by their sealed, signed presence (a raw client that sends none is nameless, unverified).
 */
async function people(popup: PopupPage) {
  const detail = popup.page.getByTestId('people');
  if (!(await detail.evaluate((d) => (d as HTMLDetailsElement).open))) await detail.locator('summary').click();
  return popup.page.$$eval('[data-testid=person]', (els) => els.map((e) => ({
    name: e.querySelector('[data-testid=person-name]')!.textContent,
    fingerprint: e.getAttribute('data-fingerprint'),
    safetyCode: e.querySelector('[data-testid=safety-code]')?.textContent ?? null,
    text: e.textContent,
  })));
}

/** A member with the room code and a key pair of its own, talking to the relay directly. */
async function rawMember(): Promise<{ client: TestClient; keys: RoomKeys; me: SigningIdentity; history: ChatPlaintext[] }> {
  const parsed = parseRoomCode(code);
  if (!parsed.ok) throw new Error('bad code');
  const keys = await deriveRoomKeys(parsed.value);
  const pair = await newSigningKeys();
  const publicKey = await publicKeyText(pair.publicKey);
  const me = { privateKey: pair.privateKey, publicKey, fingerprint: (await fingerprint(publicKey))! };
  const client = await TestClient.connect(relay.url);
  await client.join(keys.roomId, 0, 'ENTERROOM');
  const history: ChatPlaintext[] = [];
  for (const frame of client.pending('CHATMSG')) {
    if (frame.type !== 'CHATMSG') continue;
    const opened = await openMessage(keys, keys.roomId, frame.id, frame.body);
    if (opened.ok) history.push(opened.value);
  }
  return { client, keys, me, history };
}

async function post(member: Awaited<ReturnType<typeof rawMember>>, plaintext: ChatPlaintext, id: string): Promise<void> {
  const body = await sealMessage(member.keys, id, plaintext);
  if (!body.ok) throw new Error('seal');
  await member.client.chat(member.keys.roomId, body.value, id);
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, bob] = await Promise.all([new Profile('id-alice').launch(), new Profile('id-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
  code = await alicePopup.createRoom();
  await bobPopup.joinRoom(code);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
});

describe('verified senders', () => {
  it('each side shows the other under their nickname with the fingerprint the other sees for itself', async () => {
    await alicePopup.send('hello from Alice');
    await bobPopup.waitForMessage('hello from Alice');
    await bobPopup.send('hello from Bob');
    await alicePopup.waitForMessage('hello from Bob');
    await alicePopup.waitForMessage('hello from Alice', 'sent');

    const aliceOwn = await senderOf(alicePopup, 'hello from Alice');
    const bobOwn = await senderOf(bobPopup, 'hello from Bob');
    aliceFingerprint = aliceOwn.fingerprint!;
    bobFingerprint = bobOwn.fingerprint!;
    expect(aliceFingerprint).toMatch(FINGERPRINT);
    expect(bobFingerprint).toMatch(FINGERPRINT);
    expect(aliceFingerprint).not.toBe(bobFingerprint);
    expect(aliceOwn).toMatchObject({ name: 'You', flag: null, unverified: null });

    expect(await senderOf(bobPopup, 'hello from Alice')).toMatchObject({ name: 'Alice', fingerprint: aliceFingerprint, flag: null, unverified: null });
    expect(await senderOf(alicePopup, 'hello from Bob')).toMatchObject({ name: 'Bob', fingerprint: bobFingerprint, flag: null, unverified: null });
  });

  it('both sides show the same safety code for each other', async () => {
    const [atAlice, atBob] = [await people(alicePopup), await people(bobPopup)];
    expect(atAlice).toEqual([expect.objectContaining({ name: 'Bob', fingerprint: bobFingerprint })]);
    expect(atBob).toEqual([expect.objectContaining({ name: 'Alice', fingerprint: aliceFingerprint })]);
    expect(atAlice[0]!.safetyCode).toMatch(SAFETY_CODE);
    expect(atAlice[0]!.safetyCode).toBe(atBob[0]!.safetyCode);
    await expect(alicePopup.page.getByTestId('own-fingerprint').textContent()).resolves.toContain(aliceFingerprint);
    await expect(bobPopup.page.getByTestId('own-fingerprint').textContent()).resolves.toContain(bobFingerprint);
  });

  it('a member posing as "Alice" with its own key is flagged on both sides, with its own fingerprint', async () => {
    const mallory = await rawMember();
    const id = newMessageId();
    const { plaintext } = await signOutgoing(mallory.me, { claim: async (_r, _n, k) => k }, mallory.keys.roomId, id, {
      text: 'Alice here, new laptop: please resend the files', nick: 'Alice', sentAt: Date.now(),
    });
    await post(mallory, plaintext, id);
    await bobPopup.waitForMessage('Alice here, new laptop: please resend the files');
    await alicePopup.waitForMessage('Alice here, new laptop: please resend the files');
    for (const popup of [bobPopup, alicePopup]) {
      const shown = await senderOf(popup, 'Alice here, new laptop: please resend the files');
      expect(shown).toMatchObject({ name: 'Alice', flag: '(another key than before)', fingerprint: mallory.me.fingerprint, unverified: null });
      expect(shown.fingerprint).not.toBe(aliceFingerprint);
    }
    // The genuine Alice is still shown as herself, unflagged.
    expect(await senderOf(bobPopup, 'hello from Alice')).toMatchObject({ name: 'Alice', flag: null, fingerprint: aliceFingerprint });
    // Among the people here: Alice under her key, and a member who announced no name (this raw
    // client sends no presence), never a second verified "Alice".
    const atBob = await people(bobPopup);
    expect(atBob.map((p) => [p.name, p.fingerprint])).toEqual([['Alice', aliceFingerprint], ['Someone (no name yet)', null]]);
  });

  it('a member that copies Alice\'s public key but cannot sign with it is shown as an unverified sender, not as Alice', async () => {
    const mallory = await rawMember();
    // A member can read Alice's public key: it is inside every message she sealed for the room.
    const alicesKey = mallory.history.find((p) => p.nick === 'Alice' && p.text === 'hello from Alice')?.key;
    expect(alicesKey).toBeDefined();
    // The relay never sees it: no frame it sent this member carries the key in the clear.
    expect(JSON.stringify(mallory.client.received)).not.toContain(alicesKey);
    const id = newMessageId();
    const { plaintext } = await signOutgoing(mallory.me, { claim: async (_r, _n, k) => k }, mallory.keys.roomId, id, {
      text: 'It is me, Alice, same key as always', nick: 'Alice', sentAt: Date.now(),
    });
    await post(mallory, { ...plaintext, key: alicesKey }, id);
    await bobPopup.waitForMessage('It is me, Alice, same key as always');
    const shown = await senderOf(bobPopup, 'It is me, Alice, same key as always');
    expect(shown).toMatchObject({ name: null, unverified: 'Unverified sender', flag: null, fingerprint: null });
    expect(shown.line).not.toContain('Alice');
    expect(shown.line).not.toContain(aliceFingerprint);
    // Nor is it listed among the people, or previewed under her name in the room list.
    // (Alice first; then the raw members still connected, this one at least: none of them verified.)
    const prints = (await people(bobPopup)).map((p) => p.fingerprint);
    expect(prints[0]).toBe(aliceFingerprint);
    expect(prints.length).toBeGreaterThan(1);
    expect(prints.slice(1).every((p) => p === null)).toBe(true);
    await bobPopup.back();
    await expect(bobPopup.page.getByTestId('last-message').first().textContent())
      .resolves.toBe('Unverified sender: It is me, Alice, same key as always');
  });

  it('shows a nickname made of markup as its text, never as HTML', async () => {
    await bobPopup.openRoom(0);
    const mallory = await rawMember();
    const nick = '<b>B</b><img src=x onerror=alert(1)>'; // within the 40-character limit
    const id = newMessageId();
    const { plaintext } = await signOutgoing(mallory.me, { claim: async (_r, _n, k) => k }, mallory.keys.roomId, id, {
      text: 'markup in my name', nick, sentAt: Date.now(),
    });
    await post(mallory, plaintext, id);
    await bobPopup.waitForMessage('markup in my name');
    expect(await senderOf(bobPopup, 'markup in my name')).toMatchObject({ name: nick, fingerprint: mallory.me.fingerprint });
    expect(await bobPopup.page.locator('[data-testid=chat-log] b, [data-testid=chat-log] img, [data-testid=people] img').count()).toBe(0);
    expect(await bobPopup.page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
  });
});
