/**
 * A worker's photo from the phone camera: shrunk in the browser to at most 1600 px (a phone's
 * 12-megapixel JPEG is far above the server's limit), sent as the raw body to
 * POST /api/public/photos, which checks, re-encodes and stores it; its id is then added to the ticket.
 */
import { ApiError } from '../common.ts';
import { t } from '../i18n.ts';

const MAX_SIDE = 1600;

async function shrink(file: File): Promise<Blob> {
  try {
    const image = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
    image.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file; // a format this browser cannot draw: the server judges it
  }
}

/** Stores the photo; its id and size as stored. */
export async function uploadPhoto(file: File): Promise<{ id: string; bytes: number }> {
  const body = await shrink(file);
  const res = await fetch('/api/public/photos', { method: 'POST', headers: { 'content-type': body.type || 'application/octet-stream' }, body, credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as { id?: string; bytes?: number; message?: string; error?: string };
  if (!res.ok || !data.id) throw new ApiError(data.message || t('error.http', { status: res.status }), res.status, data.error);
  return { id: data.id, bytes: data.bytes ?? 0 };
}
