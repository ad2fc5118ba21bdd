/**
 * The one error catalogue. Every error a client can receive has a stable `code` listed here,
 * with its HTTP status and default message; packages/server/ERRORS.md documents each (a test keeps them in step).
 * The server's services throw `DomainError`s by code and its error handler renders them; MQTT
 * rejections and WebSocket errors carry the same codes. Areas add their
 * codes in a section of their own below.
 */
export const ERROR_CATALOGUE = {
  // Generic request errors
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid' },
  MALFORMED_REQUEST: { status: 400, message: 'The request could not be parsed' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this endpoint' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later' },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A dependency is unavailable' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The database is unavailable; retry later',
  },
  SERVER_OVERLOADED: { status: 503, message: 'The server is overloaded; retry later' },

  // Authentication and authorisation
  UNAUTHENTICATED: { status: 401, message: 'Authentication required' },
  INVALID_CREDENTIALS: { status: 401, message: 'Incorrect email or password' },
  TOKEN_INVALID: { status: 401, message: 'The access token is invalid' },
  TOKEN_EXPIRED: { status: 401, message: 'The access token has expired' },
  REFRESH_TOKEN_INVALID: {
    status: 401,
    message: 'The refresh token is invalid, expired or already used',
  },
  API_KEY_INVALID: { status: 401, message: 'The device API key is invalid' },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this action' },
  LOGIN_LOCKED: {
    status: 429,
    message: 'Too many failed sign-in attempts for this account; retry later',
  },

  // Users
  WEAK_PASSWORD: { status: 400, message: 'The password is too weak' },
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  CANNOT_DELETE_SELF: { status: 403, message: 'You cannot delete your own account' },

  // Devices
  DEVICE_NOT_FOUND: { status: 404, message: 'Device not found' },
  DEVICE_ID_TAKEN: { status: 409, message: 'A device with this device_id is already registered' },
  DEVICE_ID_RETIRED: {
    status: 409,
    message:
      'This device_id belongs to a retired device, whose readings keep it; register the hardware under another device_id',
  },
  DEVICE_RETIRED: {
    status: 409,
    message:
      'The device is retired: its readings are kept, but it takes no data, key, patient or change',
  },
  TIMESTAMP_TAKEN: {
    status: 409,
    message:
      'Another packet of this device (another sequence, or other values without sequence numbers) is stored at this timestamp: did the device clock go back?',
  },
  DEVICE_MISMATCH: {
    status: 403,
    message: 'The API key does not belong to the device named in the request',
  },
  PATIENT_NOT_FOUND: { status: 404, message: 'Patient not found' },

  // Vitals pipeline
  VITALS_NOT_FOUND: { status: 404, message: 'No vitals stored for this device yet' },
  PREDICTION_NOT_FOUND: { status: 404, message: 'No prediction stored for this device yet' },
  ALERT_NOT_FOUND: { status: 404, message: 'Alert not found' },
  ALERT_NOT_MANUAL: {
    status: 409,
    message: "A rule's alert is acknowledged or resolved, not edited or deleted",
  },
  ECG_STREAM_NOT_FOUND: { status: 404, message: 'No multi-lead ECG stream you may see' },
  PACKET_STORED_CONCURRENTLY: {
    status: 503,
    message: 'Another delivery of this packet was being stored at the same moment; retry',
  },
  // MQTT only: an MQTT message never acknowledged blocks its session's later messages, so one
  // that failed on the server MQTT_POISON_ATTEMPTS times is dead-lettered and settled (422: not
  // to be sent again).
  MESSAGE_QUARANTINED: {
    status: 422,
    message:
      'The message failed repeatedly and was set aside for an administrator; it was not ingested',
  },

  // 12-lead ECG classification
  ECG12_SIGNAL_SHAPE: {
    status: 400,
    message: 'ecg_signal must be [10 s × sampling_rate_hz][12] numbers (5000 × 12 at 500 Hz)',
  },
  ECG12_SIGNAL_NOT_FINITE: {
    status: 400,
    message: 'ecg_signal holds a sample that is not a finite number',
  },
  ECG12_NOT_INTERPRETABLE: {
    status: 422,
    message: 'Fewer than 2 beats could be measured in this ECG (flat, disconnected or noise)',
  },
  ECG12_RESULT_NOT_FOUND: { status: 404, message: '12-lead classification not found' },
  ECG12_RECORD_INVALID: {
    status: 400,
    message: 'The uploaded record (.hea header with .mat or .dat data) could not be decoded',
  },
  // Baby monitor readings (seed 002)
  READING_NOT_FOUND: { status: 404, message: 'Reading not found' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'This Idempotency-Key was already used for a different upload; use a new key',
  },
  UNDECODABLE_AUDIO: { status: 415, message: 'The audio could not be decoded' },
  AUDIO_TOO_LARGE: { status: 413, message: 'The audio file is too large (at most 20 MB)' },
  AUDIO_TOO_LONG: { status: 413, message: 'The audio is too long (at most 5 minutes)' },
  AUDIO_TOO_SHORT: {
    status: 422,
    message: 'The audio is too short to analyse (at least 0.032 s)',
  },
  AUDIO_DECODER_UNAVAILABLE: { status: 500, message: 'The audio decoder is unavailable' },
  // Camera heart rate (seed 001)
  RPPG_SESSION_NOT_FOUND: {
    status: 404,
    message: 'No such camera measurement session (or it has ended)',
  },
  RPPG_SESSION_BUSY: {
    status: 409,
    message: 'The session is already receiving frames or a video; start another session',
  },
  RPPG_NO_FRAME: { status: 503, message: 'Camera not active or no frame available yet' },
  RPPG_NOT_A_VIDEO: {
    status: 415,
    message: 'The upload is not a decodable video (MP4, WebM or MOV)',
  },
  RPPG_VIDEO_TOO_LARGE: { status: 413, message: 'The video is too large (at most 200 MB)' },
  RPPG_VIDEO_TOO_LONG: { status: 413, message: 'The video is too long (at most 5 minutes)' },
  RPPG_VIDEO_DECODER_UNAVAILABLE: { status: 500, message: 'The video decoder is unavailable' },
  RPPG_CORRUPT_FRAME: { status: 400, message: 'The camera frame is not a decodable JPEG' },
  CAMERA_NOT_CONFIGURED: { status: 404, message: 'No bedside camera is configured' },
  CAMERA_ACCESS_DENIED: {
    status: 403,
    message: 'The bedside camera answers only allowed addresses or its camera key',
  },
  // FHIR R4 API (/fhir/R4)
  FHIR_RESOURCE_NOT_FOUND: { status: 404, message: 'Resource not found' },
  // Clinical reports
  REPORT_NOT_FOUND: { status: 404, message: 'Report not found' },
  REPORT_FINAL: {
    status: 409,
    message: 'The report is final: it can no longer be changed or deleted, only given an addendum',
  },
  REPORT_NOT_FINAL: {
    status: 409,
    message: 'An addendum is added to a final report; edit the notes of a draft instead',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
