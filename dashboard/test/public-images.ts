/** Test images for the public report form: made here, so each test knows what is in them. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** w × h RGBA: the left half red, the right half blue (a rotation moves the colours) */
export function pixels(w: number, h: number): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const left = x < w / 2;
      data[o] = left ? 220 : 20;
      data[o + 1] = 30;
      data[o + 2] = left ? 20 : 220;
      data[o + 3] = 255;
    }
  return data;
}

export const makeJpeg = (w: number, h: number, quality = 90): Buffer => jpeg.encode({ width: w, height: h, data: pixels(w, h) }, quality).data;

export const makePng = (w: number, h: number): Buffer => {
  const png = new PNG({ width: w, height: h });
  pixels(w, h).copy(png.data);
  return PNG.sync.write(png);
};

/** the GPS latitude written into the test photo's EXIF: 31/1, 14/1, 2345/100 (31°14'23.45") */
export const GPS_MARK = Buffer.from([0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0x09, 0x29, 0, 0, 0, 100]);

/**
 * A JPEG with an EXIF block (big-endian TIFF): IFD0 with Orientation and a GPSInfo pointer, the
 * GPS IFD with latitude N 31°14'23.45" and a camera model string.
 */
export function withExif(jpegBytes: Buffer, orientation = 1): Buffer {
  const entries = (n: number) => 2 + n * 12 + 4;
  const ifd0At = 8;
  const gpsAt = ifd0At + entries(3);
  const latAt = gpsAt + entries(2);
  const modelAt = latAt + GPS_MARK.length;
  const model = Buffer.from('TestPhone GPS\0', 'latin1');
  const tiff = Buffer.alloc(modelAt + model.length);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0At, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (type === 3 && count === 1) tiff.writeUInt16BE(value, at + 8);
    else tiff.writeUInt32BE(value, at + 8);
  };
  tiff.writeUInt16BE(3, ifd0At);
  entry(ifd0At + 2, 0x0110, 2, model.length, modelAt); // Model
  entry(ifd0At + 14, 0x0112, 3, 1, orientation); // Orientation
  entry(ifd0At + 26, 0x8825, 4, 1, gpsAt); // GPSInfo
  tiff.writeUInt16BE(2, gpsAt);
  entry(gpsAt + 2, 0x0001, 2, 2, 0x4e000000); // GPSLatitudeRef "N"
  entry(gpsAt + 14, 0x0002, 5, 3, latAt); // GPSLatitude
  GPS_MARK.copy(tiff, latAt);
  model.copy(tiff, modelAt);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpegBytes.subarray(0, 2), app1, payload, jpegBytes.subarray(2)]);
}

/** A PNG whose header claims w × h (a decompression bomb's shape); nothing behind it decodes. */
export function pngClaiming(w: number, h: number): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const size = Buffer.alloc(13);
  size.writeUInt32BE(w, 0);
  size.writeUInt32BE(h, 4);
  size[8] = 8;
  size[9] = 6;
  return Buffer.concat([head, size, Buffer.alloc(64)]);
}

/** The segment markers of a JPEG up to its image data (APP1 = 0xe1 holds EXIF). */
export function jpegMarkers(data: Buffer): number[] {
  const out: number[] = [];
  let i = 2;
  while (i + 4 <= data.length && data[i] === 0xff) {
    const marker = data[i + 1]!;
    out.push(marker);
    if (marker === 0xda) break;
    i += 2 + data.readUInt16BE(i + 2);
  }
  return out;
}

/** The colour at (x, y) of a JPEG */
export function colourAt(data: Buffer, x: number, y: number): { r: number; g: number; b: number; width: number; height: number } {
  const img = jpeg.decode(data, { useTArray: true });
  const o = (y * img.width + x) * 4;
  return { r: img.data[o]!, g: img.data[o + 1]!, b: img.data[o + 2]!, width: img.width, height: img.height };
}
