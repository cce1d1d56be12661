/**
 * Cumulative registers (water m³, electricity kWh) into volumes and flows, one reading at a time:
 * the register rules (rollover at the register's digits, a replaced meter, jitter, an implausible
 * jump held until the following readings agree) are the contract's, the same ones the store's
 * daily use and the report's tables follow over their buckets (@campus/contract register-use.ts).
 * The engine keeps a RegisterState per device and feeds every reading through `stepRegister`,
 * with the register.fault detector's limits.
 */
export {
  CONFIRM,
  initRegister,
  stepRegister,
  type RegisterFault,
  type RegisterLimits,
  type RegisterState,
  type RegisterStep,
} from '@campus/contract';
