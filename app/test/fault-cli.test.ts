/**
 * `npm run campus -- fault add`: every size the simulator's faults read can be given on the
 * command line (kebab-case flags for camelCase sizes), and anything else is refused clearly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { campusCli, tempDir } from '@campus/testkit';

const dir = tempDir();
afterAll(() => dir.remove());

describe('campus fault add', () => {
  it('takes the sizes of the real-world shapes, and refuses unknown or non-numeric ones', { timeout: 60_000 }, async () => {
    await campusCli(
      dir.path,
      'fault',
      'add',
      'defrost_cycle',
      'fr-freezer-1',
      '--every-hours',
      '30',
      '--minutes',
      '50',
      '--jitter-hours',
      '6',
      '--peak-c',
      '5',
      '--reported',
      '0',
    );
    await campusCli(dir.path, 'fault', 'add', 'night_use', 'wm-dorm-2', '--per-hour', '4');
    await campusCli(dir.path, 'fault', 'add', 'leak', 'wm-dorm-3', '--lph', '30', '--ramp-hours', '672');
    const list = await campusCli(dir.path, 'fault', 'list');
    expect(list).toContain('{"everyHours":30,"minutes":50,"jitterHours":6,"peakC":5,"reported":0}');
    expect(list).toContain('{"perHour":4}');
    expect(list).toContain('{"lph":30,"rampHours":672}');
    await expect(campusCli(dir.path, 'fault', 'add', 'leak', 'wm-dorm-3', '--litres', '30')).rejects.toThrow(/unknown option --litres 30/);
    await expect(campusCli(dir.path, 'fault', 'add', 'leak', 'wm-dorm-3', '--lph', 'lots')).rejects.toThrow(/--lph must be a number, not lots/);
  });
});
