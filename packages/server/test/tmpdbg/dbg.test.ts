import { it } from 'vitest';
import { createAdmin, createDoctor, createTestApp } from '../helpers/index.js';
import { connectWs } from '../vitals/ws-client.js';
it('dbg', async () => {
  const t = await createTestApp({ env: { LOG_LEVEL: 'debug' } });
  const admin = await createAdmin(t);
  const d = await createDoctor(t, admin);
  const ws = await connectWs(t.app, `?token=${d.token}`);
  await new Promise((r) => setTimeout(r, 1000));
  console.log('MSGS', JSON.stringify(ws.messages), ws.ws.readyState);
  ws.close();
  await t.close();
});
