/**
 * A mono PCM WAV (44-byte RIFF header, then the samples) of `samples` in −1 … 1 at `rateHz`,
 * 8-bit (unsigned, 128 = silence) or 16-bit (signed little-endian). Tests write clips of exact
 * lengths and formats the committed fixtures do not have.
 */
export function pcmWav(samples: ArrayLike<number>, rateHz: number, bits: 8 | 16 = 16): Buffer {
  const bytes = bits / 8;
  const size = samples.length * bytes;
  const b = Buffer.alloc(44 + size);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + size, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rateHz, 24);
  b.writeUInt32LE(rateHz * bytes, 28); // bytes per second
  b.writeUInt16LE(bytes, 32); // block align
  b.writeUInt16LE(bits, 34); // bits per sample
  b.write('data', 36);
  b.writeUInt32LE(size, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i] ?? 0));
    if (bits === 8) b.writeUInt8(Math.round(128 + 127 * v), 44 + i);
    else b.writeInt16LE(Math.round(32767 * v), 44 + 2 * i);
  }
  return b;
}

/** `seconds` of silence as an 8-bit mono PCM WAV at `rateHz`. */
export function silentWav8Bit(seconds: number, rateHz: number): Buffer {
  return pcmWav(new Float64Array(Math.round(seconds * rateHz)), rateHz, 8);
}
