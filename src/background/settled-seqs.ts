// A room's lastSeq (the `since` of its next rejoin) must never pass a seq that is not stored:
// the relay would not send it again (docs/protocol.md, "Chat messages, acks and dedup"). Seqs can be
// settled out of order (our ACK overtaking another member's message, a write that failed and one
// after it that did not), so what is settled above a hole waits here until the hole is settled.

/** Seqs settled above a room's lastSeq, as sorted, disjoint, non-adjacent [from, to] ranges. */
export type SeqRanges = readonly (readonly [number, number])[];

/** The room's lastSeq and what stays ahead of it once seqs `from`..`to` are settled. */
export function settleSeqs(lastSeq: number, ahead: SeqRanges, from: number, to: number): { lastSeq: number; ahead: SeqRanges } {
  if (to <= lastSeq) return { lastSeq, ahead };
  const ranges = [...ahead, [Math.max(from, lastSeq + 1), to] as const].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  let next = lastSeq;
  while (merged.length > 0 && merged[0]![0] <= next + 1) next = Math.max(next, merged.shift()![1]);
  return { lastSeq: next, ahead: merged };
}
