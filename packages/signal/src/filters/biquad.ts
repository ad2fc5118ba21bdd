/**
 * A second-order section (biquad) with a0 normalised to 1:
 * H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²).
 * Cascades of these ("SOS") are numerically safer than one high-order polynomial
 * (Smith, "Introduction to Digital Filters", 2007, ch. "Series and parallel filter sections").
 */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}
