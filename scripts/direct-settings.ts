// The direct path's setup as a person does it, shared by bench-direct.ts and bench-direct-trace.ts.
import type { PopupPage } from '../tests/browser/popup-page.ts';

/** Settings filled in and saved, "Direct connections" ticked or not. */
export async function saveSettings(popup: PopupPage, nickname: string, relayUrl: string, direct: boolean): Promise<void> {
  await popup.page.getByTestId('open-settings').click();
  await popup.page.getByTestId('nickname').fill(nickname);
  await popup.page.getByTestId('relay-url').fill(relayUrl);
  await popup.page.getByTestId('direct-connections').setChecked(direct);
  await popup.page.getByTestId('save-settings').click();
  await popup.page.getByTestId('create-room').waitFor();
}

/** People opened; resolves once the other member shows as connected directly. */
export async function showsDirect(popup: PopupPage): Promise<void> {
  const people = popup.page.getByTestId('people');
  if (!(await people.evaluate((d) => (d as HTMLDetailsElement).open))) await people.locator('summary').click();
  await people.locator('[data-testid=person-path][data-path=direct]', { hasText: 'direct' }).waitFor({ timeout: 60_000 });
}
