import type { ChatItem, RoomSummary, ViewToBackground } from '../shared/view-messages.ts';
import { ChatLog } from '../ui/chat-log.tsx';
import type { LogPaging } from '../ui/log-paging.ts';
import { useLineActions } from '../ui/line-actions.ts';
import { Composer } from '../ui/composer.tsx';
import { RoomProblem } from '../ui/status-banner.tsx';
import { newMessageId } from '../shared/message-id.ts';
import { CopyCode } from './copy-code.tsx';
import { CopyInvite } from './copy-invite.tsx';
import { People } from './people.tsx';
import { pageTabId } from './page-tab.ts';
import { relayHost } from './relay-host.ts';

interface Props {
  room: RoomSummary;
  items: ChatItem[];
  send: (msg: ViewToBackground) => void;
  left: () => void;
  /** Older pages and the "new messages" divider (log-paging.ts). */
  paging?: LogPaging;
}

export function RoomView({ room, items, send, left, paging }: Props) {
  return (
    <section class="pl-room-view" data-testid="room-view" data-room-id={room.roomId}>
      <div class="pl-room-head">
        <h2>{room.name}</h2>
        <span class="pl-members" data-testid="members">{room.members !== null && room.members > 0 ? `${room.members} here` : ''}</span>
      </div>
      <div class="pl-room-relay">on <span data-testid="room-relay" title={room.relayUrl}>{relayHost(room.relayUrl)}</span></div>
      <details class="pl-room-tools" data-testid="room-tools">
        <summary>Invite, code and actions</summary>
        <p class="pl-hint">Send this invite to a friend:</p>
        <CopyInvite invite={room.invite} />
        <p class="pl-hint">or read them the code:</p>
        <CopyCode code={room.code} />
        <div class="pl-row">
          <button data-testid="chat-on-page" onClick={async () => send({ type: 'open-overlay', roomId: room.roomId, tabId: await pageTabId() })}>Chat on this page</button>
          <button class="pl-danger" data-testid="leave-room" onClick={() => { send({ type: 'leave-room', roomId: room.roomId }); left(); }}>Leave room</button>
        </div>
      </details>
      <RoomProblem problem={room.problem} />
      <People items={items} />
      <ChatLog items={items} actions={useLineActions(send, room.roomId)} {...paging} />
      <Composer onSend={(text) => send({ type: 'send-message', roomId: room.roomId, text, id: newMessageId() })} />
    </section>
  );
}
