import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// Reply, reactions, edit, delete and search between two Chromium profiles with the built
// extension, through a real relay process. Each step is what the other person sees, as one
// conversation between Alice and Bob. (A forged edit is refused in tests/unit/background-message-events.test.ts.)

let relay: RelayProcess;
let alice: Profile;
let bob: Profile;
let alicePopup: PopupPage;
let bobPopup: PopupPage;

beforeAll(async () => {
  relay = await RelayProcess.start();
  [alice, bob] = await Promise.all([new Profile('alice-actions').launch(), new Profile('bob-actions').launch()]);
  [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
  await alicePopup.saveSettings('Alice', relay.url);
  await bobPopup.saveSettings('Bob', relay.url);
  const code = await alicePopup.createRoom();
  await alicePopup.waitOnline();
  await bobPopup.joinRoom(code);
});

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await relay?.kill();
});

const Q = 'Where shall we meet?';

describe('message actions between two browsers', () => {
  it('reply: the answer shows the quoted line on both sides', async () => {
    await alicePopup.send(Q);
    await bobPopup.waitForMessage(Q);
    await bobPopup.lineAction(Q, 'reply');
    await expect(bobPopup.page.getByTestId('replying-to').textContent()).resolves.toContain(Q);
    await bobPopup.send('At the station');
    await alicePopup.waitForMessage('At the station');
    const quote = alicePopup.line('At the station').getByTestId('quote');
    await expect(quote.textContent()).resolves.toBe(`You${Q}`);
    await expect(bobPopup.line('At the station').getByTestId('quote').textContent()).resolves.toBe(`Alice${Q}`);
    expect(await bobPopup.page.getByTestId('replying-to').count()).toBe(0); // the chip went with the send
  });

  it('reaction: both see it, its count and who; ours is pressed; clicking takes it back', async () => {
    await bobPopup.lineAction(Q, 'react', '👍');
    const onAlice = alicePopup.line(Q).getByTestId('reaction');
    await onAlice.waitFor();
    expect(await onAlice.getAttribute('title')).toBe('👍 by Bob');
    expect(await onAlice.getByTestId('reaction-count').textContent()).toBe('1');
    expect(await onAlice.getAttribute('aria-pressed')).toBe('false');
    const onBob = bobPopup.line(Q).getByTestId('reaction');
    expect(await onBob.getAttribute('title')).toBe('👍 by You');
    expect(await onBob.getAttribute('aria-pressed')).toBe('true');
    // Alice adds hers by clicking the same button: two, both named.
    await onAlice.click();
    await bobPopup.page.waitForFunction(() => document.querySelector('[data-testid=reaction] [data-testid=reaction-count]')?.textContent === '2');
    expect(await onBob.getAttribute('title')).toBe('👍 by You, Alice');
    // Bob takes his back.
    await onBob.click();
    await alicePopup.page.waitForFunction(() => document.querySelector('[data-testid=reaction]')?.getAttribute('title') === '👍 by You');
    expect(await onAlice.getByTestId('reaction-count').textContent()).toBe('1');
  });

  it('edit: both see the new text and "edited"', async () => {
    await alicePopup.lineAction(Q, 'edit');
    const box = alicePopup.page.getByTestId('composer');
    await alicePopup.page.getByTestId('editing').waitFor();
    await alicePopup.page.waitForFunction((q) => (document.querySelector('[data-testid=composer]') as HTMLTextAreaElement).value === q, Q);
    await box.fill('Where shall we meet tomorrow?');
    await box.press('Enter');
    for (const popup of [alicePopup, bobPopup]) {
      await popup.waitForMessage('Where shall we meet tomorrow?');
      expect(await popup.line('Where shall we meet tomorrow?').getByTestId('edited').textContent()).toBe('edited');
    }
    expect(await bobPopup.messages()).not.toContain(Q);
    // Still one line each, and the quote keeps what was answered.
    expect(await bobPopup.page.locator('[data-testid=message]').count()).toBe(2);
  });

  it('delete: both see the tombstone, and Bob\'s device no longer holds the old text', async () => {
    const secret = 'My address is 12 Elm Street';
    await alicePopup.send(secret);
    await bobPopup.waitForMessage(secret);
    expect(await bobPopup.storedLines()).toContain('12 Elm Street');
    await alicePopup.lineAction(secret, 'retract');
    await alicePopup.line(secret).getByTestId('retract-confirm').click();
    for (const popup of [alicePopup, bobPopup]) {
      await popup.page.waitForFunction(() => document.querySelectorAll('[data-testid=deleted]').length === 1);
      expect(await popup.page.getByTestId('deleted').textContent()).toBe('Message deleted');
      expect(await popup.messages()).not.toContain(secret);
    }
    expect(await bobPopup.storedLines()).not.toContain('12 Elm Street');
    expect(await alicePopup.storedLines()).not.toContain('12 Elm Street');
  });

  it('the line\'s look: grouped lines, one day separator, delivery state in words, Show more instead of an inner scroll bar', async () => {
    const long = Array.from({ length: 80 }, (_, i) => `line ${i + 1} of a long message`).join('\n');
    await alicePopup.sendQuickly(long);
    await bobPopup.page.waitForFunction(() => document.querySelector('[data-testid=show-more]') !== null);
    for (const popup of [alicePopup, bobPopup]) {
      const line = popup.page.locator('[data-testid=message]').filter({ has: popup.page.getByTestId('show-more') });
      const text = line.locator('.pl-text');
      // Folded: no scroll bar of its own, shorter than its text, and a button to read the rest.
      const folded = await text.evaluate((t) => ({ scrolls: t.scrollHeight > t.clientHeight + 1, height: t.parentElement!.getBoundingClientRect().height, full: t.scrollHeight }));
      expect(folded.scrolls).toBe(false);
      expect(folded.height).toBeLessThan(folded.full / 2);
      await line.getByTestId('show-more').click();
      expect(await line.getByTestId('show-more').getAttribute('aria-expanded')).toBe('true');
      const open = await text.evaluate((t) => ({ scrolls: t.scrollHeight > t.clientHeight + 1, height: t.parentElement!.getBoundingClientRect().height, full: t.scrollHeight }));
      expect(open.scrolls).toBe(false);
      expect(open.height).toBeGreaterThanOrEqual(open.full - 1);
    }
    await alicePopup.waitForMessage(long, 'sent');
    expect(await alicePopup.line('At the station').count()).toBe(1);
    // Each of Alice's lines says its state in words: sent, or delivered once Bob's receipt came
    // (it may come at any moment, so both are right; the words must match the state).
    const states = await alicePopup.page.$$eval('[data-testid=message]', (els) => els
      .filter((e) => e.getAttribute('data-status') === 'sent' || e.getAttribute('data-status') === 'delivered')
      .map((e) => [e.getAttribute('data-status'), e.querySelector('[data-testid=status]')?.textContent ?? null]));
    expect(states.length).toBeGreaterThan(0);
    for (const [state, words] of states) expect(words).toBe(state === 'sent' ? 'sent' : 'delivered to everyone here');
    // Bob's view of Alice's lines: one day, and Alice's back-to-back lines share one name line.
    expect(await bobPopup.page.getByTestId('day-separator').allTextContents()).toEqual(['Today']);
    const grouped = await bobPopup.page.$$eval('[data-testid=message]', (els) => els.map((e) => e.getAttribute('data-grouped') === 'true'));
    // Alice's question, Bob's answer, Alice's deleted line, Alice's long line: only the last continues a group.
    expect(grouped).toEqual([false, false, false, true]);
  });

  it('search finds an older message and shows it', async () => {
    for (let i = 0; i < 5; i++) await alicePopup.sendQuickly(`later message ${i}`);
    await bobPopup.waitForMessage('later message 4');
    await bobPopup.page.getByTestId('open-search').click();
    await bobPopup.page.getByTestId('search-input').fill('STATION');
    await bobPopup.page.getByTestId('search-go').click();
    const result = bobPopup.page.getByTestId('search-result');
    await result.waitFor();
    expect(await result.count()).toBe(1);
    expect(await result.textContent()).toContain('At the station');
    const id = await result.getAttribute('data-id');
    await result.click();
    const line = bobPopup.page.locator(`[data-testid=message][data-id="${id}"]`);
    await line.waitFor();
    expect(await line.locator('.pl-text').textContent()).toBe('At the station');
    // A deleted line is never found.
    await bobPopup.page.getByTestId('search-input').fill('Elm');
    await bobPopup.page.getByTestId('search-go').click();
    await expect(bobPopup.page.getByTestId('search-count').textContent()).resolves.toBe('No messages found.');
  });
});
