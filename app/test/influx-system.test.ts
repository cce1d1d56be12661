/**
 * `CAMPUS_STORE=influx npm start` against a real influxd: the demo campus and its simulator write
 * into InfluxDB, the fresh install's 28-day classroom backfill becomes rollups, and the dashboard
 * answers from InfluxDB (health, live readings, month-long series from rollups, the competition
 * board). A dashboard in its own process reads the same InfluxDB read-only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startInfluxd, startPart, startSystem, tempDir, waitFor, type Influxd, type RunningSystem } from '@campus/testkit';

const dir = tempDir();
let influxd: Influxd | undefined;
let system: RunningSystem | undefined;
let standalone: Awaited<ReturnType<typeof startPart>> | undefined;
afterAll(async () => {
  await standalone?.stop('SIGKILL');
  await system?.stop('SIGKILL');
  await influxd?.remove();
  dir.remove();
});

describe('the whole system on InfluxDB', () => {
  it('runs end to end: ingest, rollups, series and the competition from InfluxDB', { timeout: 300_000 }, async () => {
    influxd = await startInfluxd();
    const env = { CAMPUS_DATA_DIR: dir.path, CAMPUS_STORE: 'influx', CAMPUS_INFLUX_URL: influxd.url, CAMPUS_INFLUX_DB: 'school' };
    system = await startSystem(env);
    const api = apiClient(system.base, dir.path);

    const health = await waitFor(
      'GET /api/health = 200',
      async () => {
        const r = await api.get('/api/health');
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(health.parts.ingest).toMatchObject({ ok: true, store: 'influx', spool: { batches: 0, bytes: 0 } });

    // the backfilled month, answered from hourly rollups (a 1-hour step)
    const now = Date.now();
    const month = await waitFor(
      'a month of em-g1c1 from rollups',
      async () => {
        const r = await api.get(`/api/readings?device=em-g1c1&field=totalKWh&from=${now - 28 * 86_400_000}&to=${now}&points=700`);
        return r.status === 200 && r.body.points.length > 24 * 20 ? r.body : undefined;
      },
      { timeoutMs: 120_000, everyMs: 1000 },
    );
    expect(month.step).toBe(3600);

    const board = await waitFor(
      'a ranked competition board',
      async () => {
        const r = await api.get('/api/competition?resource=electricity&period=month');
        return r.status === 200 && r.body.classes.filter((c: { rank: number }) => c.rank > 0).length === 24 ? r.body : undefined;
      },
      { timeoutMs: 120_000, everyMs: 1000 },
    );
    expect(board.classes[0].savingPct).toEqual(expect.any(Number));

    // live: the newest transformer readings are in InfluxDB too
    const live = await api.get('/api/readings?device=tr-main&field=worstPhaseA');
    expect(live.status).toBe(200);
    expect(live.body.points.length).toBeGreaterThan(0);

    // Grafana's view: plain InfluxQL finds the readings by their tags
    const q = new URLSearchParams({ db: 'school', q: `SELECT count("totalKWh") FROM "electric_meter" WHERE "class" = 'g1c1'` });
    const grafana = (await (await fetch(`${influxd.url}/query?${q}`)).json()) as { results: { series: { values: [string, number][] }[] }[] };
    expect(grafana.results[0]!.series[0]!.values[0]![1]).toBeGreaterThan(24 * 20);

    // a dashboard in its own process, reading the same store read-only
    standalone = await startPart('app/src/main.ts', { CAMPUS_PARTS: 'dashboard', ...env, CAMPUS_HTTP_PORT: '0', CAMPUS_LOG_LEVEL: 'info' }, /dashboard on http:\/\/localhost:(\d+)/);
    const other = apiClient(`http://127.0.0.1:${standalone.ready[0]}`, dir.path);
    const again = await other.get(`/api/readings?device=em-g1c1&field=totalKWh&from=${now - 28 * 86_400_000}&to=${now}&points=700`);
    expect(again.status).toBe(200);
    expect(again.body.points.length).toBeGreaterThanOrEqual(month.points.length);

    // InfluxDB goes away: charts say so (503), health shows the spool filling, and it drains on return
    await influxd.stop();
    const down = await api.get('/api/readings?device=tr-main&field=worstPhaseA');
    expect(down).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
    const spooling = await waitFor(
      'health showing the spool',
      async () => {
        const r = await api.get('/api/health');
        return r.status === 503 && r.body.parts.ingest.spool.batches > 0 ? r.body.parts.ingest : undefined;
      },
      { timeoutMs: 90_000, everyMs: 500 },
    );
    expect(spooling.detail).toMatch(/database unreachable/);
    const metrics = await fetch(`${system.base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^campus_spool_batches [1-9]\d*$/m);
    await influxd.start();
    await waitFor(
      'health ok again with an empty spool',
      async () => {
        const r = await api.get('/api/health');
        return r.status === 200 && r.body.parts.ingest.spool.batches === 0;
      },
      { timeoutMs: 90_000, everyMs: 500 },
    );
  });
});
