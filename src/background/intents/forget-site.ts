import type { ViewToBackground } from '../../shared/view-messages.ts';
import { keptOrigin } from '../../shared/kept-origin.ts';
import type { Background, ViewPort } from '../context.ts';
import { forgetSite, keepDeclined } from '../kept-sites.ts';

/**
 * Settings' Remove on a kept site: its registered script, its overlays and the browser's grant go.
 * With `declined` (the popup's keep-site the browser said no to), only the wait for a grant ends.
 */
export async function forgetSiteIntent(bg: Background, msg: Extract<ViewToBackground, { type: 'forget-site' }>, view: ViewPort): Promise<void> {
  const origin = keptOrigin(msg.origin);
  if (origin === null) return bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'The background did not understand that request.' });
  // The popup heard the browser say no to the keep-site it just sent: only that keep's wait ends.
  if (msg.declined === true) return keepDeclined(bg, origin);
  await forgetSite(bg, origin);
  bg.refresh();
}
