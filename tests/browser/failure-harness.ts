// Shared steps of the browser tests that read, in the popup, what goes wrong between Parley and a
// relay (relay-failures*.test.ts): each test starts its own relay and profile, and cleans up after.
import type { PopupPage } from './popup-page.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

const steps: Array<() => Promise<unknown>> = [];

/** Registers an undo step; `cleanUp` (the files' afterEach) runs them, newest first. */
export function onCleanup(step: () => Promise<unknown>): void {
  steps.push(step);
}

export async function cleanUp(): Promise<void> {
  for (const step of steps.splice(0).reverse()) await step().catch(() => {});
}

export async function launch(label: string): Promise<{ profile: Profile; popup: PopupPage }> {
  const profile = await new Profile(label).launch();
  onCleanup(() => profile.close());
  return { profile, popup: await profile.openPopup() };
}

/** A relay process with `env`, on `port` if given (a relay started where nothing answered before). */
export async function startRelay(env: Record<string, string> = {}, port?: number): Promise<RelayProcess> {
  const relay = port === undefined ? await RelayProcess.start(env) : new RelayProcess(port, env);
  if (port !== undefined) await relay.restart();
  onCleanup(() => relay.kill());
  return relay;
}

/** Saves the address and returns the settings form's answer about it, which here is a no. */
export async function saveAddress(popup: PopupPage, url: string): Promise<string> {
  await popup.page.getByTestId('open-settings').click();
  await popup.page.getByTestId('nickname').fill('Ann');
  await popup.page.getByTestId('relay-url').fill(url);
  await popup.page.getByTestId('save-settings').click();
  const answer = popup.page.locator('[data-testid=relay-check][data-ok=false]');
  await answer.waitFor();
  return (await answer.textContent())!;
}

/** Goes back to the room list and creates a room there (works offline; it syncs later); its code. */
export async function createRoomOffline(popup: PopupPage): Promise<string> {
  if (await popup.page.getByTestId('back').count()) await popup.page.getByTestId('back').click();
  await popup.page.getByTestId('create-room').click();
  return (await popup.page.getByTestId('room-code').textContent())!;
}

/** Waits until the popup's status line contains `text`; returns the whole line. */
export async function statusShows(popup: PopupPage, text: string | RegExp): Promise<string> {
  const status = popup.page.getByTestId('relay-status').filter({ hasText: text });
  await status.waitFor();
  return (await status.textContent())!;
}
