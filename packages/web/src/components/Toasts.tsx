/**
 * Alert toasts on every page. A polite live region announces them; each stays until dismissed
 * or for 12 s, and links to the patient.
 */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { alertEventTime } from '../alert-time.js';
import type { Alert } from '../api/types.js';
import { useServices } from '../app-context.js';
import { isOpen } from '../data.js';
import { navigate } from '../router.js';

interface Toast {
  key: number;
  alert: Alert;
}

let nextKey = 1;

export function Toasts(): ReactNode {
  const { store } = useServices();
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(
    () =>
      store.onAlert((alert, isNew) => {
        // Only newly opened or re-escalated alerts interrupt the user.
        if (!isNew || !isOpen(alert)) return;
        const key = nextKey++;
        setToasts((t) => [...t.slice(-4), { key, alert }]);
        setTimeout(() => {
          setToasts((t) => t.filter((x) => x.key !== key));
        }, 12_000);
      }),
    [store],
  );
  const dismiss = (key: number): void => {
    setToasts((t) => t.filter((x) => x.key !== key));
  };
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Alerts">
      {toasts.map(({ key, alert }) => (
        <div key={key} className={`toast sev-${alert.severity}`} data-testid="alert-toast">
          <button
            className="toast-body"
            onClick={() => {
              dismiss(key);
              navigate(`/patients/${encodeURIComponent(alert.patient_id)}`);
            }}
          >
            <strong>{alert.severity.toUpperCase()}</strong> {alert.message}
            {/* An alert on data a device uploaded late is not happening now: say when it was. */}
            {late(alert)}
          </button>
          <button
            className="toast-close"
            aria-label="Dismiss alert notification"
            onClick={() => {
              dismiss(key);
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function late(alert: Alert): ReactNode {
  const at = alertEventTime(alert);
  return at === null || at.lateMs === null ? null : <> · {at.text}</>;
}
