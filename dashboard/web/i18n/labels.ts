/**
 * The contract's labels as dictionary entries ('kind.water_meter', 'severity.critical', ...), so
 * that a page names a kind or a status by key like any other text, and the names themselves stay
 * where the server reads them too (@campus/contract).
 */
import {
  FRIDGE_CLASS_LABELS,
  KIND_LABELS,
  LEDGER_STATUS_LABELS,
  REPORT_KIND_LABELS,
  SEVERITY_LABELS,
  TICKET_STATUS_LABELS,
  TRADE_LABELS,
  type Labels,
  type Language,
} from '@campus/contract/browser';

type Prefixed<P extends string, K extends string> = { readonly [k in `${P}${K}`]: string };

function prefixed<P extends string, K extends string>(prefix: P, labels: Labels<K>, language: Language): Prefixed<P, K> {
  return Object.fromEntries(Object.entries(labels[language]).map(([k, v]) => [`${prefix}${k}`, v])) as Prefixed<P, K>;
}

export function contractLabels(language: Language) {
  return {
    ...prefixed('kind.', KIND_LABELS, language),
    ...prefixed('device-status.', LEDGER_STATUS_LABELS, language),
    ...prefixed('fridge-class.', FRIDGE_CLASS_LABELS, language),
    ...prefixed('severity.', SEVERITY_LABELS, language),
    ...prefixed('trade.', TRADE_LABELS, language),
    ...prefixed('status.', TICKET_STATUS_LABELS, language),
    ...prefixed('report-kind.', REPORT_KIND_LABELS, language),
  };
}
