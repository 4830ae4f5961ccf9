import { afterAll, beforeAll, expect, it } from 'vitest';
import { Conversation, type Member } from './conversation.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// A member away longer than the relay's retention comes back to a chat that says plainly what is
// missing, instead of one that looks complete.

let relay: RelayProcess;
let members: Member[];

beforeAll(async () => {
  relay = await RelayProcess.start({ HISTORY_MAX_COUNT: '20', RATE_PER_SEC: '200', RATE_BURST: '400' });
  members = await Conversation.launch(['Ana', 'Ben'], relay.url);
});

afterAll(async () => {
  await Promise.allSettled(members?.map((m) => m.profile.close()) ?? []);
  await relay?.kill();
});

it('tells a member who was away past the retention how many messages it missed', async () => {
  const talk = await Conversation.start(members);
  await talk.round(10);
  await talk.expectEveryoneAgrees();
  const ben = members[1]!;
  await ben.profile.close();
  await talk.round(60, undefined, [0]);
  await talk.reopen(1, await new Profile('ben', ben.profile.dir).launch());

  // Ben kept the first 10, missed 40 that the relay no longer has, and got the last 20.
  const gap = ben.popup.page.getByTestId('gap');
  await gap.waitFor();
  await expect(gap.textContent()).resolves.toBe('40 earlier messages are no longer kept by the relay.');
  await ben.popup.waitForSettled(30);
  const shown = await ben.popup.messages();
  expect(shown).toEqual([...talk.said.slice(0, 10), ...talk.said.slice(50)]);
  // The notice sits exactly where the missing messages would be.
  const order = await ben.popup.page.$$eval('[data-testid=chat-log] > *', (els) =>
    els.map((e) => e.getAttribute('data-testid')).filter(Boolean));
  expect(order.indexOf('gap')).toBe(10);
  await members[0]!.popup.waitForSettled(70);
});
