export const SIGNAL_VERSION = '0.1.0';
