// The two vendor scripts each page loads before its own (served by the dashboard from
// node_modules: /vendor/chart.js/chart.umd.min.js, /socket.io/socket.io.min.js).
import type { Chart as ChartClass } from 'chart.js';
import type { io as connect } from 'socket.io-client';

declare global {
  const Chart: typeof ChartClass;
  const io: typeof connect;
}
