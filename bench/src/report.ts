/** How benchmarks print: our figure, the peer's, side by side, and the ratio. */
export interface BenchResult {
  name: string;
  detail: string;
  ours: { label: string; ms: number };
  peer: { label: string; ms: number };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);

export function printResult(r: BenchResult): void {
  console.log(`\n${r.name}\n  ${r.detail}`);
  console.log(`  ours: ${r.ours.label.padEnd(44)} ${fmtMs(r.ours.ms).padStart(9)}`);
  console.log(`  peer: ${r.peer.label.padEnd(44)} ${fmtMs(r.peer.ms).padStart(9)}`);
  console.log(`  ratio peer/ours: ${(r.peer.ms / r.ours.ms).toFixed(1)}x ${r.peer.ms >= r.ours.ms ? 'faster' : 'SLOWER'}`);
}
