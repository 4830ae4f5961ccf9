/** IndexedDB is full: said once at the top of a view, until a write succeeds again. */
export function StorageProblem({ problem }: { problem: string | null }) {
  if (problem === null) return null;
  return <div class="pl-status-banner" role="alert" data-testid="storage-problem">{problem}</div>;
}
