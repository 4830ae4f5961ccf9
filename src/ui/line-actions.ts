import { useMemo } from 'preact/hooks';
import type { ViewToBackground } from '../shared/view-messages.ts';
import type { LineActions } from './chat-line.tsx';

/**
 * What a line can ask of the background, made once per room: one object that stays the same
 * between renders, so a line re-renders only when its own item changes.
 */
export function useLineActions(send: (msg: ViewToBackground) => void, roomId: string): LineActions {
  return useMemo<LineActions>(() => ({
    onSendNow: () => send({ type: 'retry-now' }),
    onRefused: (id, action) => send({ type: action === 'resend' ? 'resend-message' : 'delete-message', roomId, id }),
  }), [roomId]);
}
