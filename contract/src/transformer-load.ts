/**
 * A transformer's load as the product judges it: the most loaded phase's
 * current against the rated current per phase, in %. The average of the phases would hide one
 * overloaded phase behind two light ones.
 */
export function worstPhaseLoad(currentA: readonly number[] | undefined, ratedCurrentA: number | undefined): number | undefined {
  if (!Array.isArray(currentA) || currentA.length === 0 || !ratedCurrentA) return undefined;
  return (Math.max(...currentA) / ratedCurrentA) * 100;
}
