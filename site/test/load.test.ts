import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { CampusConfigError, DEMO_CAMPUS_FILE, loadCampus, parseCampus } from '@campus/site';

const demoText = readFileSync(DEMO_CAMPUS_FILE, 'utf8');

function problemsOf(mutate: (doc: any) => void): string[] {
  const doc = parse(demoText);
  mutate(doc);
  try {
    parseCampus(stringify(doc), 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(CampusConfigError);
    return (err as CampusConfigError).problems;
  }
  throw new Error('expected the campus file to be refused');
}

describe('the demo campus 东南中学', () => {
  const campus = loadCampus(DEMO_CAMPUS_FILE);
  it('has 3 grades x 8 classes, each with its own classroom meter', () => {
    expect(campus.classes).toHaveLength(24);
    const classMeters = campus.devices.filter((d) => d.kind === 'electric_meter' && d.class);
    expect(new Set(classMeters.map((d) => d.class))).toEqual(new Set(campus.classes.map((c) => c.id)));
  });
  it('has the two transformers, dormitory floor meters, a main meter and the canteen cold chain', () => {
    const transformers = campus.devices.filter((d) => d.kind === 'transformer');
    expect(transformers.map((t) => (t.kind === 'transformer' ? t.ratedKVA : 0)).sort()).toEqual([315, 80]);
    expect(campus.devices.filter((d) => d.kind === 'water_meter' && d.location.building === 'dorm')).toHaveLength(6);
    expect(campus.devices.some((d) => d.kind === 'water_meter' && d.usage === 'campus')).toBe(true);
    const fridges = campus.devices.filter((d) => d.kind === 'fridge');
    expect(new Set(fridges.map((f) => (f.kind === 'fridge' ? f.fridgeClass : '')))).toEqual(new Set(['chiller', 'freezer', 'sample']));
  });
  it('is frozen', () => {
    expect(Object.isFrozen(campus.devices[0])).toBe(true);
  });
});

describe('campus file validation', () => {
  it('reports a bad rating by path', () => {
    const problems = problemsOf((doc) => {
      doc.devices[0].ratedKVA = -5;
    });
    expect(problems).toEqual(['devices[0].ratedKVA: must be > 0']);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf((doc) => {
      doc.devices[0].ratedKVA = 0;
      doc.devices[3].location.building = 'library';
      doc.devices[4].id = doc.devices[3].id;
      doc.classes[0].students = 'many';
    });
    expect(problems).toContain('devices[0].ratedKVA: must be > 0');
    expect(problems.some((p) => p.startsWith('classes[0].students:'))).toBe(true);
    // broken references are listed in the same round as the shape errors
    expect(problems).toContain('devices[3].location.building: no building "library"');
    expect(problems.some((p) => p.startsWith('devices[4].id: '))).toBe(true);
  });

  it('checks cross-references once the shapes are right', () => {
    const problems = problemsOf((doc) => {
      doc.devices[3].location.building = 'library';
      doc.devices[4].id = doc.devices[3].id;
      doc.devices[5].feeder = 'wm-main';
      doc.devices[6].class = 'g9c9';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'devices[3].location.building: no building "library"',
        `devices[4].id: "${parse(demoText).devices[3].id}" is already used by devices[3]`,
        'devices[5].feeder: "wm-main" is a water_meter, not a transformer',
        'devices[6].class: no class "g9c9"',
      ]),
    );
  });

  it('catches typos in keys and unknown kinds', () => {
    expect(problemsOf((doc) => (doc.devices[0].ratedKva = 315))).toEqual(expect.arrayContaining([expect.stringMatching(/^devices\[0\]: .*ratedKva/)]));
    expect(problemsOf((doc) => (doc.devices[1].kind = 'heat_meter'))).toEqual(expect.arrayContaining([expect.stringMatching(/^devices\[1\]\.kind: /)]));
  });

  it('checks calendar dates and times', () => {
    const problems = problemsOf((doc) => {
      doc.calendar.timetable.periods[0].start = '7:20';
    });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^calendar\.timetable\.periods\[0\]\.start: must be a time HH:MM/)]));
  });

  it('refuses a date the calendar does not have (it would be read as a day of the next month)', () => {
    const problems = problemsOf((doc) => {
      doc.calendar.holidays = [{ name: '假', start: '2026-02-30', end: '2026-04-31' }];
      doc.calendar.makeupDays = ['2026-13-01'];
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'calendar.holidays[0].start: 2026-02-30 is not a date: it has day 30 of a month of 28 days',
        'calendar.holidays[0].end: 2026-04-31 is not a date: it has day 31 of a month of 30 days',
        'calendar.makeupDays[0]: 2026-13-01 is not a date: it has month 13: there are 12',
      ]),
    );
  });

  it('checks date order and the time zone', () => {
    const problems = problemsOf((doc) => {
      doc.calendar.terms[0].end = '2020-01-01';
      doc.site.timezone = 'Mars/Olympus';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        `calendar.terms[0].end: 2020-01-01 is before start ${parse(demoText).calendar.terms[0].start}`,
        'site.timezone: "Mars/Olympus" is not an IANA time zone (e.g. Asia/Shanghai)',
      ]),
    );
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(() => parseCampus('site:\n  id: x\n  name: [unclosed\n', 'bad.yaml')).toThrow(/line \d+/);
  });

  it('names the file it cannot read', () => {
    expect(() => loadCampus('/nonexistent/campus.yaml')).toThrow(/cannot read the file/);
  });
});
