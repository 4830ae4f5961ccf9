import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conversation, type Member } from './conversation.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';
import { TcpCutter } from './tcp-cutter.ts';

// Three Parley instances hold a conversation of several hundred messages while something breaks;
// afterwards all three must show exactly the same messages in the same order. The relay runs as
// its own process with its SQLite history; the members reach it through a TCP pass-through that
// can cut every connection without a close frame.

const MESSAGES = 240;
let relay: RelayProcess;
let cutter: TcpCutter;
let members: Member[];

beforeAll(async () => {
  // The relay's default limits: resends after a fault are paced by the outbox window and the
  // relay's rate gate, and must still arrive complete and in order.
  relay = await RelayProcess.start();
  cutter = await TcpCutter.start(relay.port);
  members = await Conversation.launch(['Ada', 'Bo', 'Cy'], cutter.url);
});

afterAll(async () => {
  await Promise.allSettled(members?.map((m) => m.profile.close()) ?? []);
  await cutter?.close();
  await relay?.kill();
});

describe('nothing lost, nothing doubled', () => {
  it('survives the relay being killed with SIGKILL mid-conversation and restarted', async () => {
    const talk = await Conversation.start(members);
    await talk.round(MESSAGES, async (step) => {
      if (step === 80) await relay.kill('SIGKILL');
      if (step === 100) await relay.restart();
    });
    await talk.expectEveryoneAgrees();
  });

  it('keeps order when the relay loses its database and numbers the room from 1 again', async () => {
    const talk = await Conversation.start(members);
    await talk.round(60);
    // Settled first: what a wiped relay had acked but not yet delivered is gone for good.
    await talk.expectEveryoneAgrees();
    await relay.kill('SIGKILL');
    relay.wipe();
    await relay.restart();
    await talk.round(60);
    await talk.expectEveryoneAgrees();
    await members[0]!.popup.page.getByTestId('notice').filter({ hasText: 'lost this room' }).waitFor();
  });

  it('survives the relay dropping every connection abruptly, several times', async () => {
    const talk = await Conversation.start(members);
    await talk.round(MESSAGES, async (step) => {
      if (step % 50 === 25) cutter.cutAll();
    });
    await talk.expectEveryoneAgrees();
  });

  it("survives a member's service worker being stopped while messages arrive and while it sends", async () => {
    const talk = await Conversation.start(members);
    const cy = members[2]!;
    await talk.round(MESSAGES, async (step) => {
      // Step 2 mod 3 is Cy's turn: stopped just before it sends, and again just after.
      if (step % 60 === 20) await cy.profile.stopServiceWorker(cy.popup.page);
      if (step % 60 === 50) {
        await talk.say(2);
        await cy.profile.stopServiceWorker(cy.popup.page);
      }
    });
    await talk.expectEveryoneAgrees();
  });

  it('gives a member whose browser was closed the 200 messages it missed when it reopens', async () => {
    const talk = await Conversation.start(members);
    await talk.round(30);
    const cy = members[2]!;
    await talk.expectEveryoneAgrees();
    await cy.profile.close();
    await talk.round(200, undefined, [0, 1]);
    await talk.reopen(2, await new Profile('cy', cy.profile.dir).launch());
    await talk.expectEveryoneAgrees();
  });

  it('sends what a member wrote while the relay was down once it returns', async () => {
    const talk = await Conversation.start(members);
    await talk.round(60);
    await relay.kill('SIGTERM');
    const ada = members[0]!;
    const offline = [await talk.say(0), await talk.say(0), await talk.say(0)];
    for (const text of offline) await ada.popup.waitForMessage(text, 'sending');
    await expect(ada.popup.page.locator('[data-status=sending]').count()).resolves.toBe(3);
    await relay.restart();
    await talk.round(60);
    await talk.expectEveryoneAgrees();
  });
});
