/** Sine generators and amplitude measurement for the filter tests (not part of the build). */

export function sine(fs: number, frequencyHz: number, n: number, phase = 0): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * frequencyHz * i) / fs + phase);
  return x;
}

/** Amplitude of the `frequencyHz` component of x[from..], by projection on sin and cos. */
export function amplitudeAt(
  x: Float64Array,
  fs: number,
  frequencyHz: number,
  from: number,
): number {
  let s = 0;
  let c = 0;
  // Use a whole number of periods so the projection is exact for a pure sine.
  const period = fs / frequencyHz;
  const count = Math.floor((x.length - from) / period) * period;
  const end = from + Math.floor(count);
  for (let i = from; i < end; i++) {
    const w = (2 * Math.PI * frequencyHz * i) / fs;
    s += (x[i] ?? 0) * Math.sin(w);
    c += (x[i] ?? 0) * Math.cos(w);
  }
  return (2 * Math.hypot(s, c)) / (end - from);
}
