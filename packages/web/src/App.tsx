import { lazy, Suspense, useEffect } from 'react';
import type { ReactNode } from 'react';
import { useServices, useSession } from './app-context.js';
import { Layout } from './components/Layout.js';
import { Toasts } from './components/Toasts.js';
import { AdminDevicesPage } from './pages/AdminDevicesPage.js';
import { AdminDoctorsPage } from './pages/AdminDoctorsPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { PatientListPage } from './pages/PatientListPage.js';
import { matchPath, navigate, usePath } from './router.js';

// The patient page carries the chart library (ECharts): loaded on first visit, so sign-in and
// the patient list download a fraction of the bundle.
const CameraHeartRatePage = lazy(() =>
  import('./pages/CameraHeartRatePage.js').then((m) => ({ default: m.CameraHeartRatePage })),
);
const PatientPage = lazy(() =>
  import('./pages/PatientPage.js').then((m) => ({ default: m.PatientPage })),
);

// The 12-lead pages (upload, one result): loaded on first visit, like the patient page.
const Ecg12Page = lazy(() =>
  import('./pages/Ecg12Page.js').then((m) => ({ default: m.Ecg12Page })),
);
const Ecg12ResultPage = lazy(() =>
  import('./pages/Ecg12Page.js').then((m) => ({ default: m.Ecg12ResultPage })),
);

function NotFound(): ReactNode {
  return (
    <section>
      <h1 tabIndex={-1}>Not found</h1>
      <p>This page does not exist.</p>
    </section>
  );
}

function Page({
  path,
  isAdmin,
  selfPatientId,
}: {
  path: string;
  isAdmin: boolean;
  /** A signed-in patient's own id: their home page is their own patient view. */
  selfPatientId: string | null;
}): ReactNode {
  const patient =
    path === '/' && selfPatientId ? { id: selfPatientId } : matchPath('/patients/:id', path);
  const camera =
    path === '/camera' && selfPatientId
      ? { id: selfPatientId }
      : matchPath('/patients/:id/camera', path);
  if (camera?.id)
    return (
      <Suspense fallback={<p aria-busy="true">Loading…</p>}>
        <CameraHeartRatePage key={camera.id} patientId={camera.id} />
      </Suspense>
    );
  if (path === '/' && !selfPatientId) return <PatientListPage />;
  if (patient?.id)
    return (
      <Suspense fallback={<p aria-busy="true">Loading…</p>}>
        <PatientPage key={patient.id} patientId={patient.id} />
      </Suspense>
    );
  const ecg12 = matchPath('/ecg12/:id', path);
  if (matchPath('/ecg12', path) || ecg12?.id)
    return (
      <Suspense fallback={<p aria-busy="true">Loading…</p>}>
        {ecg12?.id ? <Ecg12ResultPage key={ecg12.id} id={ecg12.id} /> : <Ecg12Page />}
      </Suspense>
    );
  if (isAdmin && matchPath('/admin/doctors', path)) return <AdminDoctorsPage />;
  if (isAdmin && matchPath('/admin/devices', path)) return <AdminDevicesPage />;
  return <NotFound />;
}

export function App(): ReactNode {
  const session = useSession();
  const path = usePath();
  const { live, store } = useServices();

  useEffect(() => {
    if (!session) {
      live.stop();
      store.clear();
      if (path !== '/login') navigate('/login', true);
      return;
    }
    live.start();
    if (path === '/login') navigate('/', true);
  }, [session, path, live, store]);

  if (!session) return <LoginPage />;
  return (
    <>
      <Layout>
        <Page
          path={path}
          isAdmin={session.user.role === 'admin'}
          selfPatientId={session.user.role === 'patient' ? session.user.id : null}
        />
      </Layout>
      <Toasts />
    </>
  );
}
