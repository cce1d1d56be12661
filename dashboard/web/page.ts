/** How every page starts: its language and keyed text first, then its own start(); a failure is left on <body> for the tests and the console. */
import { applyLanguage } from './i18n.ts';

export function runPage(start: () => Promise<void>): void {
  document.addEventListener('DOMContentLoaded', () => {
    applyLanguage();
    start().catch((err: unknown) => {
      console.error(err);
      document.body.dataset.error = err instanceof Error ? err.message : String(err);
    });
  });
}
