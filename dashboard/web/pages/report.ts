// The public report form (维修申报): opened from a room's QR code (/r/{site}/{room}) with the place
// filled in, or at /report where the reporter picks the building and writes the place. No login.
import { REPORT_KINDS, REQUEST_LIMITS, type ReportKind, type ReportReceipt } from '@campus/contract/browser';
import { byId, el, user } from '../common.ts';
import { t } from '../i18n.ts';
import { runPage } from '../page.ts';
import { pathParts, publicApi, showError } from '../request-common.ts';

interface Room {
  siteId: string;
  siteName: string;
  roomId: string;
  roomName: string;
  buildingName: string;
  floor: number | null;
}
interface Sites {
  sites: { id: string; name: string; buildings: { id: string; name: string }[] }[];
}
interface Photo {
  id: string;
  url: string;
}

const MAX_SIDE = 1600;

/** The photo shrunk in a canvas to at most 1600 px, upright, as JPEG (no EXIF); the file itself when the browser cannot decode it. */
async function shrunk(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file; // the server says what it takes
  }
}

runPage(async () => {
  const form = byId<HTMLFormElement>('report');
  const error = byId('error');
  const [route, siteId, roomId] = pathParts();
  let site: string | undefined;
  let room: string | null = null;
  let kind: ReportKind | undefined;
  const photos: Photo[] = [];
  let uploading = 0;

  // the place: from the room's code, else the building and a written place
  const pick = async (unknownRoom: boolean) => {
    const { sites } = await publicApi<Sites>('/api/public/sites');
    const select = byId<HTMLSelectElement>('building');
    select.replaceChildren(
      ...sites.flatMap((s) => s.buildings.map((b) => el('option', { value: `${s.id}/${b.id}`, dataset: { user: '' }, text: `${b.name}` }))),
    );
    site = sites[0]?.id;
    select.addEventListener('change', () => (site = select.value.split('/')[0]));
    byId('unknown-room').hidden = !unknownRoom;
    byId('place-pick').hidden = false;
  };
  if (route === 'r' && siteId && roomId) {
    try {
      const r = await publicApi<Room>(`/api/public/rooms/${encodeURIComponent(siteId)}/${encodeURIComponent(roomId)}`);
      site = r.siteId;
      room = r.roomId;
      byId('place').replaceChildren(
        user(r.buildingName),
        ...(r.floor !== null ? [document.createTextNode(' · '), document.createTextNode(t('place.floor', { n: r.floor }))] : []),
        document.createTextNode(' · '),
        el('strong', {}, user(r.roomName)),
      );
    } catch {
      await pick(true);
    }
  } else await pick(false);

  // the kinds: six big buttons, each with what it covers
  const kinds = byId('kinds');
  for (const k of REPORT_KINDS) {
    const button = el(
      'button',
      { type: 'button', role: 'radio', 'aria-checked': 'false', class: `request-kind kind-${k}`, dataset: { kind: k } },
      el('span', { class: 'request-kind-label', text: t(`report-kind.${k}`) }),
      el('span', { class: 'request-kind-hint', text: t(`request.hint.${k}`) }),
    );
    button.addEventListener('click', () => {
      kind = k;
      for (const b of kinds.querySelectorAll('button')) b.setAttribute('aria-checked', String(b === button));
    });
    kinds.append(button);
  }

  // photos: shrunk, uploaded at once, shown with a remove button
  byId('photos-label').textContent = t('request.photos', { n: REQUEST_LIMITS.photos });
  const input = byId<HTMLInputElement>('photo-input');
  const showPhotos = () => {
    byId('photos').replaceChildren(
      ...photos.map((p) =>
        el(
          'figure',
          { class: 'request-photo' },
          el('img', { src: p.url, alt: '' }),
          el('button', {
            type: 'button',
            class: 'request-photo-remove',
            text: t('request.photos.remove'),
            onclick: () => {
              photos.splice(photos.indexOf(p), 1);
              URL.revokeObjectURL(p.url);
              showPhotos();
            },
          }),
        ),
      ),
    );
    byId('add-photo').hidden = photos.length + uploading >= REQUEST_LIMITS.photos;
  };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (photos.length + uploading >= REQUEST_LIMITS.photos) return void (error.textContent = t('request.photos.full', { n: REQUEST_LIMITS.photos }));
    uploading++;
    showPhotos();
    error.textContent = t('request.photos.uploading');
    try {
      const blob = await shrunk(file);
      const stored = await publicApi<{ id: string }>('/api/public/photos', { raw: blob });
      photos.push({ id: stored.id, url: URL.createObjectURL(blob) });
      error.textContent = '';
    } catch (err) {
      showError(error, err);
    } finally {
      uploading--;
      showPhotos();
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = byId<HTMLTextAreaElement>('text').value.trim();
    const place = byId<HTMLInputElement>('written-place').value.trim();
    const missing = !kind ? 'request.needKind' : !text ? 'request.needText' : room === null && !place ? 'request.needPlace' : undefined;
    if (missing) return void (error.textContent = t(missing));
    const submit = byId<HTMLButtonElement>('submit');
    submit.disabled = true;
    submit.textContent = t('request.sending');
    error.textContent = '';
    try {
      const receipt = await publicApi<ReportReceipt & { trackUrl: string }>('/api/public/reports', {
        body: {
          siteId: site,
          roomId: room,
          place: room === null ? place : null,
          kind,
          text,
          reporterName: byId<HTMLInputElement>('name').value.trim() || null,
          reporterPhone: byId<HTMLInputElement>('phone').value.trim() || null,
          photoIds: photos.map((p) => p.id),
        },
      });
      const url = location.origin + receipt.trackUrl;
      form.hidden = true;
      byId('receipt').hidden = false;
      byId('receipt-number').textContent = t('request.done.number', { id: receipt.ticketId });
      byId('receipt-joined').hidden = !receipt.joined;
      const link = byId<HTMLAnchorElement>('receipt-link');
      link.href = url;
      link.textContent = url;
      byId<HTMLAnchorElement>('receipt-open').href = receipt.trackUrl;
      byId<HTMLAnchorElement>('receipt-again').href = location.pathname;
      document.body.dataset.reported = String(receipt.ticketId);
    } catch (err) {
      showError(error, err);
    } finally {
      submit.disabled = false;
      submit.textContent = t('request.submit');
    }
  });
  document.body.dataset.ready = 'true';
});
