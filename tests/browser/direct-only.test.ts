import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MitmProxy } from './mitm-proxy.ts';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// "Don't store my messages on the relay" (docs/protocol.md "Messages sent only directly"): two
// profiles connected over a data channel (loopback-only namespace), Alice with the setting on, Bob
// with it off. Bob gets Alice's lines; the relay's SQLite file holds Bob's and not one of Alice's,
// and no frame to or from the relay names one of them. With no member connected directly (Bob left
// the room), Alice's line is not sent, says so, and keeps its text; Try again, once Bob is back
// and connected directly, sends it to him.

let relay: RelayProcess;
let proxy: MitmProxy;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;

/** The line with exactly `text` in the open room. */
const line = (popup: PopupPage, text: string) =>
  popup.page.locator('[data-testid=message]', { has: popup.page.locator('.pl-text', { hasText: new RegExp(`^${text}$`) }) });

/** The ids of the open room's lines whose text is one of `texts`. */
async function idsOf(popup: PopupPage, texts: readonly string[]): Promise<string[]> {
  return (await popup.readLog()).filter((m) => texts.includes(m.text)).map((m) => m.id);
}

/** Every message id the relay's database holds, in any room. */
function storedIds(): string[] {
  const db = new Database(join(relay.dataDir, 'relay.sqlite'), { fileMustExist: true });
  try {
    return (db.prepare('SELECT id FROM messages').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  proxy = await MitmProxy.start(relay.url);
  [alice, bob] = await Promise.all([new Profile('direct-only-alice').launch(), new Profile('direct-only-bob').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', proxy.url, { direct: true });
  await bobPopup.saveSettings('Bob', proxy.url, { direct: true });
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await proxy?.close();
  await relay?.kill();
});

describe("don't store my messages on the relay", () => {
  let code: string;
  const aliceTexts = ['alice, only directly', 'alice again, only directly'];

  it('is a checkbox under Direct connections, off and disabled while they are off, that says what it means', async () => {
    const page = alicePopup.page;
    await page.getByTestId('open-settings').click();
    await expect(page.getByTestId('direct-only').isChecked()).resolves.toBe(false);
    await page.getByTestId('direct-connections').uncheck();
    await expect(page.getByTestId('direct-only').isDisabled()).resolves.toBe(true);
    await page.getByTestId('direct-connections').check();
    await expect(page.getByTestId('direct-only').isEnabled()).resolves.toBe(true);
    expect(await page.getByTestId('direct-only-note').textContent()).toBe(
      'Members get your messages only while they are connected directly to you. Nothing you send is kept on the relay, so members who are offline, or connected only through the relay, do not get them.',
    );
    await page.getByTestId('back').click();
  });

  it('with it on, Bob (connected directly) gets Alice\'s lines, marked as sent only directly; his own go through the relay', async () => {
    code = await alicePopup.createRoom();
    await bobPopup.joinRoom(code);
    await Promise.all([alicePopup.memberShows('direct'), bobPopup.memberShows('direct')]);
    // Alice turns it on in Settings, as a person does, and comes back to the room.
    await alicePopup.back();
    await alicePopup.page.getByTestId('open-settings').click();
    await alicePopup.page.getByTestId('direct-only').check();
    await alicePopup.page.getByTestId('save-settings').click();
    await alicePopup.page.getByTestId('create-room').waitFor();
    await alicePopup.openRoom(0);
    expect(await alicePopup.page.getByTestId('direct-only-notice').textContent()).toBe('Not stored on the relay: only members connected directly to you get your messages.');
    await alicePopup.memberShows('direct');

    await alicePopup.send(aliceTexts[0]!);
    await bobPopup.waitForMessage(aliceTexts[0]!);
    // Bob's device confirmed it on the channel: what Alice sees.
    await line(alicePopup, aliceTexts[0]!).getByTestId('status').filter({ hasText: 'received directly by 1 member, not stored on the relay' }).waitFor();
    await line(bobPopup, aliceTexts[0]!).getByTestId('status').filter({ hasText: 'sent to you directly, not stored on the relay' }).waitFor();
    // No reactions, edits or deletes on it: they would go through the relay.
    await line(alicePopup, aliceTexts[0]!).getByTestId('line-actions').click();
    await line(alicePopup, aliceTexts[0]!).getByTestId('reply').waitFor();
    expect(await line(alicePopup, aliceTexts[0]!).locator('[data-testid=react], [data-testid=edit], [data-testid=retract]').count()).toBe(0);
    await line(alicePopup, aliceTexts[0]!).getByTestId('line-actions').click();

    await bobPopup.send('bob, through the relay');
    await bobPopup.waitForMessage('bob, through the relay', 'sent');
    await alicePopup.waitForMessage('bob, through the relay');
    await alicePopup.send(aliceTexts[1]!);
    await bobPopup.waitForMessage(aliceTexts[1]!);
    // The same order on both sides: each direct-only line after what was there when it came.
    const all = [aliceTexts[0], 'bob, through the relay', aliceTexts[1]];
    await bobPopup.page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=message] .pl-text')].map((e) => e.textContent).join('\n') === want, all.join('\n'));
    await alicePopup.page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=message] .pl-text')].map((e) => e.textContent).join('\n') === want, all.join('\n'));
  });

  it("leaves nothing of Alice's lines in the relay's database (Bob's is there), nor in any frame", async () => {
    const aliceIds = await idsOf(alicePopup, aliceTexts);
    expect(aliceIds).toHaveLength(2);
    expect(await idsOf(bobPopup, aliceTexts)).toEqual(aliceIds);
    const [bobId] = await idsOf(bobPopup, ['bob, through the relay']);
    const stored = storedIds();
    expect(stored).toEqual([bobId]);
    for (const id of aliceIds) for (const f of proxy.frames) expect(f.text).not.toContain(id);
  });

  it('with no member connected directly, Alice\'s line is not sent and says so, keeping its text; Try again sends it once Bob is back', async () => {
    // Bob leaves the room: nobody is connected to Alice directly.
    await bobPopup.page.getByTestId('room-tools').locator('summary').click();
    await bobPopup.page.getByTestId('leave-room').click();
    await alicePopup.page.locator('[data-testid=members]', { hasText: /^1 here$/ }).waitFor();

    const text = 'nobody is here directly';
    await alicePopup.send(text);
    const notSent = line(alicePopup, text).getByTestId('not-sent');
    await notSent.waitFor();
    expect(await notSent.locator('span').textContent()).toBe('Not sent: no member is connected to you directly, and "Don\'t store my messages on the relay" is on, so it was sent to nobody.');
    // Try again with still nobody there: refused in words, the line stays.
    await notSent.getByTestId('try-again').click();
    await alicePopup.page.locator('[data-testid=error][data-code=NO_DIRECT_MEMBER]').waitFor();
    await notSent.waitFor();

    await bobPopup.joinRoom(code);
    await alicePopup.memberShows('direct');
    await notSent.getByTestId('try-again').click();
    await bobPopup.waitForMessage(text);
    await line(alicePopup, text).getByTestId('status').filter({ hasText: 'received directly by 1 member, not stored on the relay' }).waitFor();

    const [id] = await idsOf(alicePopup, [text]);
    expect(storedIds()).not.toContain(id);
    for (const f of proxy.frames) expect(f.text).not.toContain(id);
  });
});
