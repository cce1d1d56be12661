import { describe, expect, it } from 'vitest';
import { ID_PATTERN } from '@campus/contract';
import { loadCampus } from '@campus/site';
import { districtCampuses, writeDistrict } from '@campus/device-sim';
import { tempDir } from '@campus/testkit';

describe('district', () => {
  it('builds N sites x M valid devices with ids unique across the district', () => {
    const campuses = districtCampuses({ sites: 50, devicesPerSite: 200 });
    expect(campuses.map((c) => c.site.id)).toEqual(Array.from({ length: 50 }, (_, i) => `d${String(i + 1).padStart(3, '0')}`));
    const ids = campuses.flatMap((c) => c.devices.map((d) => d.id));
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    for (const campus of campuses) {
      expect(campus.devices).toHaveLength(200);
      expect(campus.site.timezone).toBe('Asia/Shanghai');
      const byKind = (kind: string) => campus.devices.filter((d) => d.kind === kind);
      const classroom = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class);
      const classes = new Set(campus.classes.map((c) => c.id));
      expect(classroom.length).toBeGreaterThan(100); // mostly classroom meters
      expect(new Set(classroom.map((d) => d.class)).size).toBe(classroom.length); // one meter per class
      for (const d of classroom) expect(classes.has(d.class!)).toBe(true);
      expect(byKind('water_meter').length).toBeGreaterThanOrEqual(20);
      expect(byKind('transformer').length).toBe(2);
      expect(byKind('fridge').length).toBeGreaterThanOrEqual(2);
      for (const d of campus.devices) {
        expect(d.id).toMatch(ID_PATTERN);
        expect(d.id.startsWith(`${campus.site.id}-`)).toBe(true);
        if (d.feeder) expect(campus.device(d.feeder)?.kind).toBe('transformer');
      }
    }
  });

  it('scales down to small sites, and refuses sites too small to be a school', () => {
    for (const m of [6, 7, 19, 20, 39, 40, 41]) {
      const [campus] = districtCampuses({ sites: 1, devicesPerSite: m });
      expect(campus!.devices).toHaveLength(m);
    }
    expect(() => districtCampuses({ sites: 1, devicesPerSite: 5 })).toThrow(/devicesPerSite/);
    expect(() => districtCampuses({ sites: 0, devicesPerSite: 20 })).toThrow(/sites/);
  });

  it('is deterministic for a seed, and writes campus files that load back the same', () => {
    const a = districtCampuses({ sites: 2, devicesPerSite: 30, seed: 4 });
    const b = districtCampuses({ sites: 2, devicesPerSite: 30, seed: 4 });
    expect(a.map((c) => c.classes)).toEqual(b.map((c) => c.classes));
    const dir = tempDir();
    try {
      const files = writeDistrict(dir.path, { sites: 2, devicesPerSite: 30, seed: 4 });
      expect(files).toHaveLength(2);
      const loaded = files.map((f) => loadCampus(f));
      expect(loaded.map((c) => c.devices)).toEqual(a.map((c) => c.devices));
      expect(loaded.map((c) => c.classes)).toEqual(a.map((c) => c.classes));
    } finally {
      dir.remove();
    }
  });
});
