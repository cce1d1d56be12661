// The QR sheet (/qr?building=<id>, staff): one code per room of a building, with its name and the
// address under it, printable on A4. The codes are made by the server (SVG) for the address this
// page was opened at, so a sheet printed from http://houqin-server:3000 points there.
import { byId, el, errorText, session, user } from '../common.ts';
import { t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { publicApi } from '../request-common.ts';

interface Sheet {
  siteId: string;
  building: string;
  buildingName: string;
  buildings: { id: string; name: string }[];
  rooms: { id: string; name: string; floor: number | null; url: string }[];
}

runPage(async () => {
  await session();
  const params = new URLSearchParams(location.search);
  try {
    const { sites } = await publicApi<{ sites: { id: string }[] }>('/api/public/sites');
    const siteId = params.get('site') ?? sites[0]?.id ?? '';
    const building = params.get('building');
    const sheet = await publicApi<Sheet>(`/api/qr/${encodeURIComponent(siteId)}${building ? `?building=${encodeURIComponent(building)}` : ''}`);
    const select = byId<HTMLSelectElement>('building');
    select.replaceChildren(
      ...sheet.buildings.map((b) => el('option', { value: b.id, dataset: { user: '' }, text: b.name, ...(b.id === sheet.building ? { selected: '' } : {}) })),
    );
    select.addEventListener('change', () => {
      params.set('building', select.value);
      location.search = params.toString();
    });
    byId('print').addEventListener('click', () => window.print());
    byId('heading').replaceChildren(user(t('qr.heading', { building: sheet.buildingName })));
    byId('sheet').replaceChildren(
      ...(sheet.rooms.length
        ? sheet.rooms.map((r) =>
            el(
              'figure',
              { class: 'qr-card' },
              el('img', { src: `/api/qr/${encodeURIComponent(sheet.siteId)}/${encodeURIComponent(r.id)}.svg`, alt: r.url, class: 'qr-code' }),
              el('figcaption', {}, el('strong', { class: 'qr-room' }, user(r.name)), el('span', { class: 'qr-url', text: r.url })),
            ),
          )
        : [el('p', { text: t('qr.none') })]),
    );
    await Promise.all([...document.querySelectorAll<HTMLImageElement>('.qr-code')].map((img) => img.decode().catch(() => {})));
    document.body.dataset.ready = 'true';
  } catch (err) {
    byId('error').replaceChildren(errorText(err));
  }
});
