import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { cancelJoin } from './cancel-join.ts';
import { closeOverlayIntent } from './close-overlay.ts';
import { createRoom } from './create-room.ts';
import { joinRoom } from './join-room.ts';
import { leaveRoom } from './leave-room.ts';
import { loadOlder } from './load-older.ts';
import { openOverlay } from './open-overlay.ts';
import { deleteMessage, resendMessage } from './refused-message.ts';
import { retryNow } from './retry-now.ts';
import { saveSettings } from './save-settings.ts';
import { sendMessage } from './send-message.ts';
import { watchRoom } from './watch-room.ts';
import { editMessage } from './edit-message.ts';
import { retractMessage } from './retract-message.ts';
import { react } from './react.ts';
import { searchRoom } from './search-room.ts';
import { typing } from './typing.ts';
import { renameRoom } from './rename-room.ts';
import { muteRoom } from './mute-room.ts';
import { joinPageRoom } from './join-page-room.ts';
import { pageActivity } from './page-activity.ts';
import { loadThread } from './load-thread.ts';
import { quotePage } from './quote-page.ts';
import { openQuote } from './open-quote.ts';
import { keepSiteIntent } from './keep-site.ts';
import { forgetSiteIntent } from './forget-site.ts';
import { switchOverlayRoom } from './switch-overlay-room.ts';
import { sendQuoteIntent } from './send-quote.ts';

type Handlers = {
  [K in ViewToBackground['type']]: (bg: Background, msg: Extract<ViewToBackground, { type: K }>, view: ViewPort) => Promise<void>;
};

/** One handler per thing a user can ask of the background. */
export const intentHandlers: Handlers = {
  'create-room': createRoom,
  'join-room': joinRoom,
  'cancel-join': cancelJoin,
  'leave-room': leaveRoom,
  'watch-room': watchRoom,
  'send-message': sendMessage,
  'save-settings': saveSettings,
  'open-overlay': openOverlay,
  'close-overlay': closeOverlayIntent,
  'retry-now': retryNow,
  'resend-message': resendMessage,
  'delete-message': deleteMessage,
  // Issue 10's intents, answered as not understood until their handlers land.
  'edit-message': editMessage,
  'retract-message': retractMessage,
  'react': react,
  'typing': typing,
  'rename-room': renameRoom,
  'mute-room': muteRoom,
  'load-older': loadOlder,
  'search-room': searchRoom,
  'join-page-room': joinPageRoom,
  'page-activity': pageActivity,
  'load-thread': loadThread,
  'quote-page': quotePage,
  'open-quote': openQuote,
  'keep-site': keepSiteIntent,
  'forget-site': forgetSiteIntent,
  'switch-overlay-room': switchOverlayRoom,
  'send-quote': sendQuoteIntent,
};

async function notYet(bg: Background, _msg: ViewToBackground, view: ViewPort): Promise<void> {
  bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'The background did not understand that request.' });
}

export function handleIntent(bg: Background, msg: unknown, view: ViewPort): Promise<void> {
  const type = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(intentHandlers, type)) {
    bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'The background did not understand that request.' });
    return Promise.resolve();
  }
  const handler = intentHandlers[type as ViewToBackground['type']] as (bg: Background, msg: ViewToBackground, view: ViewPort) => Promise<void>;
  return handler(bg, msg as ViewToBackground, view);
}
