import { expect } from 'vitest';
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { watchForHangs } from './hang-watch.ts';

export interface Member {
  name: string;
  profile: Profile;
  popup: PopupPage;
}

/** A room shared by several Parley instances, and the record of everything said in it. */
export class Conversation {
  readonly said: string[] = [];
  #n = 0;

  private constructor(readonly members: Member[], readonly code: string) {}

  static async launch(names: string[], relayUrl: string): Promise<Member[]> {
    const members = await Promise.all(names.map(async (name) => {
      const profile = await new Profile(name.toLowerCase()).launch();
      const popup = await profile.openPopup();
      await popup.saveSettings(name, relayUrl);
      return { name, profile, popup };
    }));
    watchForHangs(() => members.map((m) => ({ label: m.name, page: m.popup.page })));
    return members;
  }

  /** The first member creates a room; the others join it by its code. */
  static async start(members: Member[]): Promise<Conversation> {
    for (const m of members) if (await m.popup.page.getByTestId('back').count()) await m.popup.back();
    const code = await members[0]!.popup.createRoom();
    for (const m of members.slice(1)) await m.popup.joinRoom(code);
    return new Conversation(members, code);
  }

  /** Member `i` says the next numbered line, through the popup's composer. */
  async say(i: number): Promise<string> {
    const member = this.members[i]!;
    const text = `${member.name} #${String(++this.#n).padStart(4, '0')}`;
    try {
      await member.popup.sendQuickly(text);
    } catch (error) {
      // Say where the popup was instead of in the room: which screen, and any error it showed.
      const where = await member.popup.page.evaluate(() => ({
        room: document.querySelector('[data-testid=room-view]')?.getAttribute('data-room-id') ?? null,
        list: document.querySelector('[data-testid=room-list]') !== null,
        error: document.querySelector('[data-testid=error]')?.textContent ?? null,
        body: document.body.innerText.slice(0, 600),
      }));
      if (process.env.PARLEY_DEBUG_DIR) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${process.env.PARLEY_DEBUG_DIR}/${member.name}-say.html`, await member.popup.page.content());
      }
      throw new Error(`${member.name} could not say ${text}: ${JSON.stringify(where)}`, { cause: error });
    }
    this.said.push(text);
    return text;
  }

  /** `count` lines, the speakers taking turns; `fault` runs before each step. */
  async round(count: number, fault?: (step: number) => Promise<void>, speakers = this.members.map((_, i) => i)): Promise<void> {
    for (let step = 0; step < count; step++) {
      await fault?.(step);
      await this.say(speakers[step % speakers.length]!);
    }
  }

  /** Reopens a member's popup on the room, as after a browser restart. */
  async reopen(i: number, profile: Profile): Promise<void> {
    const member = this.members[i]!;
    member.profile = profile;
    member.popup = await profile.openPopup();
    await member.popup.openRoom(0);
  }

  /**
   * Every member shows exactly what was said: same messages, same order, none missing, none
   * doubled, none still sending.
   */
  async expectEveryoneAgrees(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      try {
        await m.popup.waitForSettled(this.said.length);
      } catch (error) {
        // Say who is behind and how: missing lines, doubles, or lines stuck in "sending".
        const shown = await m.popup.messages();
        const sending = await m.popup.page.locator('[data-status=sending]').count();
        const missing = this.said.filter((t) => !shown.includes(t));
        if (process.env.PARLEY_DEBUG_DIR) {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(`${process.env.PARLEY_DEBUG_DIR}/${m.name}.json`, JSON.stringify({ shown, said: this.said, html: await m.popup.page.content() }, null, 1));
        }
        throw new Error(`${m.name} shows ${shown.length} of ${this.said.length} (${sending} sending); missing ${JSON.stringify(missing.slice(0, 10))}`, { cause: error });
      }
    }));
    const views = await Promise.all(this.members.map((m) => m.popup.messages()));
    for (const [i, view] of views.entries()) {
      expect(view, `${this.members[i]!.name} sees the same as ${this.members[0]!.name}`).toEqual(views[0]);
    }
    expect(new Set(views[0]).size).toBe(this.said.length);
    expect([...views[0]!].sort()).toEqual([...this.said].sort());
    // Each sender's own lines keep the order they were typed in.
    for (const m of this.members) {
      const own = views[0]!.filter((t) => t.startsWith(`${m.name} #`));
      expect(own).toEqual(this.said.filter((t) => t.startsWith(`${m.name} #`)));
    }
  }
}
