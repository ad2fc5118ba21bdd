import type { VitalsPacket as ProtocolVitalsPacket } from '@vigil/protocol';

/**
 * A vitals packet as the simulator produces it: the protocol's device payload (seed 000,
 * `VitalsPacketSchema` in @vigil/protocol), with the fields the simulated firmware always sends
 * made required (`ecg_sample_rate_hz`, `sequence`, `lead_off`). Derived, not re-declared, so the
 * simulator cannot drift from what the server accepts.
 */
export type VitalsPacket = ProtocolVitalsPacket &
  Required<Pick<ProtocolVitalsPacket, 'ecg_sample_rate_hz' | 'sequence' | 'lead_off'>>;
