import type { Viewer } from '../repositories/access.repository.js';
import type { RowOwner } from '../repositories/row-owner.js';

/**
 * Whose stored rows a read of one device shows the viewer. A device handed on to another patient
 * keeps each row's `patient_id` (docs/api.md: what it stored before stays the earlier patient's),
 * and a deleted patient's rows keep none. An admin reads every row; anyone else only the rows
 * taken for the device's current patient (null: an unassigned device's rows taken for no one).
 * Before, `GET /api/v1/vitals/{device_id}` and its `/latest`, `/ecg`, `/stats`, `/series`, the
 * device's predictions and the app's `/vitals/me/…` showed the next patient every packet, ECG
 * strip and prediction of the earlier one.
 */
export function deviceRowOwner(viewer: Viewer, device: { patient_id: string | null }): RowOwner {
  return viewer.role === 'admin' ? undefined : device.patient_id;
}
