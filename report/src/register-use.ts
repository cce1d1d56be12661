/**
 * A register's use per rollup bucket (a local day, or an hour): the contract's one rule for every
 * span (rollover, a meter replaced mid-bucket, jitter, a silent meter's catch-up shared over its
 * silent buckets and marked estimated), the same the store's daily use and so the competition
 * follow. The caller reads REGISTER_LOOKBACK_DAYS before the span for the reading it starts from.
 */
export { registerUse, type BucketUse, type RegisterUse } from '@campus/contract';
