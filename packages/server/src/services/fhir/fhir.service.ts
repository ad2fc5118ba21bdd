import { DomainError, validationFailed } from '../../errors/catalogue.js';
import type { Viewer } from '../../repositories/access.repository.js';
import type { DeviceRow } from '../../repositories/devices.repository.js';
import type {
  FhirRepository,
  Keyset,
  TimeQuery,
  VitalsColumn,
} from '../../repositories/fhir.repository.js';
import type { AuditFilter } from '../../repositories/audit.repository.js';
import { decodeAuditCursor, type AuditService } from '../audit.service.js';
import {
  AUDIT_ACTION_VERBS,
  AUDIT_OUTCOME_CODES,
  toAuditEvent,
  type FhirAuditAction,
} from './fhir-audit-event.js';
import { capabilityStatement } from './fhir-capability.js';
import {
  babyTemperatureObservation,
  cameraHrObservation,
  CODE_SYSTEMS,
  ecg12Observation,
  ecg12Report,
  ecgHrObservation,
  hrvObservation,
  OBSERVATION_KINDS,
  oximetryObservations,
  toDevice,
  toPatient,
  toPractitioner,
  vitalsObservations,
  type FhirResource,
  type ObservationKind,
} from './fhir-resources.js';
import {
  parseSearch,
  type FhirSearchType,
  type RawQuery,
  type SearchCriteria,
} from './fhir-search.js';

export const FHIR_TYPES = [
  'Patient',
  'Practitioner',
  'Device',
  'Observation',
  'DiagnosticReport',
  'AuditEvent',
] as const;
export type FhirType = (typeof FHIR_TYPES)[number];

/** Where the request came from: the base for fullUrl and the URL of the `self` link. */
export interface FhirRequestUrls {
  /** e.g. https://vigil.example/fhir/R4 */
  base: string;
  /** The request's own absolute URL. */
  self: string;
}

const notFound = (): DomainError => new DomainError('FHIR_RESOURCE_NOT_FOUND');

/**
 * One merged, time-ordered list of a patient's Observations is drawn from several tables. Each
 * item's place is (ts desc, source rank, row id, component): the `next` link's cursor is the
 * place of the page's last item, and every source resumes from it (see `searchObservations`).
 */
interface Place {
  ts: number;
  rank: number;
  rowId: string;
  comp: number;
}
/** A cursor: the place of the last item sent, and the total counted on the first page. */
interface Cursor extends Place {
  total?: number | undefined;
}
interface Item extends Place {
  resource: FhirResource;
}

function compare(a: Place, b: Place): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rowId !== b.rowId) return a.rowId < b.rowId ? -1 : 1;
  return a.comp - b.comp;
}

/** An Observation source: its rank, the kinds it yields, and its page and count reads. */
interface Source {
  rank: number;
  list(q: TimeQuery): Promise<Item[]>;
  count(q: Omit<TimeQuery, 'after' | 'limit'>): Promise<number>;
}

const VITALS_KINDS: readonly [ObservationKind, VitalsColumn][] = [
  ['hr', 'heart_rate_bpm'],
  ['spo2', 'spo2_percent'],
  ['temp', 'temperature_c'],
  ['resp', 'respiratory_rate'],
  ['ecg', 'ecg'],
];

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
  } catch {
    throw validationFailed('_cursor', '_cursor is not a cursor this server returned');
  }
}
function placeOf(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const p = decodeCursor(cursor) as Partial<Cursor> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    !Number.isSafeInteger(p.ts) ||
    !Number.isInteger(p.rank) ||
    typeof p.rowId !== 'string' ||
    !Number.isInteger(p.comp) ||
    (p.total !== undefined && !Number.isSafeInteger(p.total))
  )
    throw validationFailed('_cursor', '_cursor is not a cursor this server returned');
  return p as Cursor;
}
function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const o = decodeCursor(cursor) as { offset?: unknown } | null;
  if (
    o === null ||
    typeof o !== 'object' ||
    !Number.isSafeInteger(o.offset) ||
    (o.offset as number) < 0
  )
    throw validationFailed('_cursor', '_cursor is not a cursor this server returned');
  return o.offset as number;
}

/** The kinds a `code` criterion selects (all kinds without one). */
function selectedKinds(criteria: SearchCriteria): Set<ObservationKind> {
  const kinds = Object.keys(OBSERVATION_KINDS) as ObservationKind[];
  if (criteria.codes === undefined) return new Set(kinds);
  const wanted = criteria.codes.filter(
    (t) => t.system === undefined || CODE_SYSTEMS[t.code] === t.system,
  );
  return new Set(
    kinds.filter((k) =>
      (OBSERVATION_KINDS[k].codes as readonly string[]).some((c) =>
        wanted.some((t) => t.code === c),
      ),
    ),
  );
}

/** The audit filter of a FHIR `action` search (verbs of C/R/U/D; E is every other verb). */
function verbsOf(actions: readonly string[]): AuditFilter['verbs'] {
  const set = new Set(actions as FhirAuditAction[]);
  const listed = (['C', 'R', 'U', 'D'] as const).filter((a) => set.has(a));
  if (!set.has('E')) return { in: listed.flatMap((a) => AUDIT_ACTION_VERBS[a]) };
  const others = (['C', 'R', 'U', 'D'] as const).filter((a) => !set.has(a));
  return others.length === 0 ? undefined : { notIn: others.flatMap((a) => AUDIT_ACTION_VERBS[a]) };
}

export interface FhirServiceDeps {
  fhir: FhirRepository;
  /** The audit trail AuditEvent reads and searches (GET /api/v1/audit's events). */
  audit: Pick<AuditService, 'page'>;
  /** The server's version, published in the CapabilityStatement. */
  version: string;
}

/**
 * The FHIR R4 read API over Vigil's data: reads and searches of Patient,
 * Practitioner, Device, Observation and DiagnosticReport, with Vigil's access rules (admin every
 * patient, a doctor their own, a patient themself). A resource the caller may not see is
 * FHIR_RESOURCE_NOT_FOUND, exactly as one that does not exist.
 */
export function createFhirService(deps: FhirServiceDeps) {
  const { fhir } = deps;

  const deviceRefs = (devices: readonly DeviceRow[]) =>
    new Map(devices.map((d) => [d.device_id, `Device/${d.id}`]));

  async function visiblePatient(viewer: Viewer, patientId: string | null): Promise<string> {
    if (patientId === null || !(await fhir.canSeePatient(viewer, patientId))) throw notFound();
    return patientId;
  }

  async function readObservation(viewer: Viewer, id: string): Promise<FhirResource> {
    const dash = id.indexOf('-');
    const kind = id.slice(0, dash) as ObservationKind;
    const rowId = id.slice(dash + 1);
    if (dash < 0 || !(kind in OBSERVATION_KINDS)) throw notFound();
    const deviceRef = async (deviceId: string) => {
      const d = await fhir.deviceByHardwareId(deviceId);
      return d === undefined ? undefined : `Device/${d.id}`;
    };
    let resource: FhirResource | undefined;
    switch (kind) {
      case 'hr':
      case 'spo2':
      case 'temp':
      case 'resp':
      case 'ecg': {
        const row = await fhir.findVitals(rowId, kind === 'ecg');
        if (row === undefined) throw notFound();
        const patientId = await visiblePatient(viewer, row.patient_id);
        resource = vitalsObservations(row, patientId, await deviceRef(row.device_id)).find(
          (o) => o.kind === kind,
        )?.resource;
        break;
      }
      case 'oxspo2':
      case 'oxhr': {
        const row = await fhir.findOximetry(rowId);
        if (row === undefined) throw notFound();
        const patientId = await visiblePatient(viewer, row.patient_id);
        resource = oximetryObservations(row, patientId, await deviceRef(row.device_id)).find(
          (o) => o.kind === kind,
        )?.resource;
        break;
      }
      case 'hrv': {
        const row = await fhir.findHrv(rowId);
        if (row === undefined) throw notFound();
        const patientId = await visiblePatient(viewer, row.patient_id);
        resource = hrvObservation(row, patientId, await deviceRef(row.device_id));
        break;
      }
      case 'ecghr': {
        const row = await fhir.findEcgHr(rowId);
        if (row === undefined) throw notFound();
        const patientId = await visiblePatient(viewer, row.patient_id);
        resource = ecgHrObservation(row, patientId, await deviceRef(row.device_id));
        break;
      }
      case 'camhr': {
        const row = await fhir.findCameraHr(rowId);
        if (row === undefined) throw notFound();
        await visiblePatient(viewer, row.patient_id);
        resource = cameraHrObservation(row);
        break;
      }
      case 'babytemp': {
        const row = await fhir.findBabyTemp(rowId);
        if (row === undefined) throw notFound();
        const patientId = await visiblePatient(viewer, row.patient_id);
        resource = babyTemperatureObservation(
          { ...row, patient_id: patientId },
          row.device_id === null ? undefined : await deviceRef(row.device_id),
        );
        break;
      }
      case 'ecg12': {
        const row = await fhir.findEcg12(rowId);
        if (row === undefined) throw notFound();
        await visiblePatient(viewer, row.patient_id);
        resource = ecg12Observation(row);
        break;
      }
    }
    if (resource === undefined) throw notFound();
    return resource;
  }

  /** The Observation sources of a patient for the selected kinds. */
  function observationSources(
    patientId: string,
    devices: readonly DeviceRow[],
    kinds: Set<ObservationKind>,
  ): Source[] {
    const refs = deviceRefs(devices);
    const sources: Source[] = [];
    const vitalsKinds = VITALS_KINDS.filter(([k]) => kinds.has(k));
    const columns = vitalsKinds.map(([, c]) => c);
    const oxKinds = (['oxspo2', 'oxhr'] as const).filter((k) => kinds.has(k));
    for (const device of devices) {
      const ref = refs.get(device.device_id);
      if (columns.length > 0)
        sources.push({
          rank: 0,
          list: async (q) =>
            (await fhir.listVitals(device.device_id, patientId, columns, q)).flatMap((row) =>
              vitalsObservations(row, patientId, ref)
                .filter((o) => kinds.has(o.kind))
                .map((o) => ({
                  ts: row.ts,
                  rank: 0,
                  rowId: row.id,
                  comp: VITALS_KINDS.findIndex(([k]) => k === o.kind),
                  resource: o.resource,
                })),
            ),
          count: (q) => fhir.countVitals(device.device_id, patientId, columns, q),
        });
      if (oxKinds.length > 0)
        sources.push({
          rank: 1,
          list: async (q) =>
            (await fhir.listOximetry(device.device_id, patientId, q)).flatMap((row) =>
              oximetryObservations(row, patientId, ref)
                .filter((o) => kinds.has(o.kind))
                .map((o, comp) => ({
                  ts: row.ts,
                  rank: 1,
                  rowId: row.id,
                  comp,
                  resource: o.resource,
                })),
            ),
          count: async (q) =>
            (await fhir.countOximetry(device.device_id, patientId, q)) * oxKinds.length,
        });
      if (kinds.has('hrv'))
        sources.push({
          rank: 2,
          list: async (q) =>
            (await fhir.listHrv(device.device_id, patientId, q)).flatMap((row) => {
              const resource = hrvObservation(row, patientId, ref);
              return resource === undefined
                ? []
                : [{ ts: row.ts, rank: 2, rowId: row.id, comp: 0, resource }];
            }),
          count: (q) => fhir.countHrv(device.device_id, patientId, q),
        });
      if (kinds.has('ecghr'))
        sources.push({
          rank: 5,
          list: async (q) =>
            (await fhir.listEcgHr(device.device_id, patientId, q)).map((row) => ({
              ts: row.ts,
              rank: 5,
              rowId: row.id,
              comp: 0,
              resource: ecgHrObservation(row, patientId, ref),
            })),
          count: (q) => fhir.countEcgHr(device.device_id, patientId, q),
        });
    }
    if (kinds.has('camhr'))
      sources.push({
        rank: 3,
        list: async (q) =>
          (await fhir.listCameraHr(patientId, q)).map((row) => ({
            ts: row.ts,
            rank: 3,
            rowId: row.id,
            comp: 0,
            resource: cameraHrObservation(row),
          })),
        count: (q) => fhir.countCameraHr(patientId, q),
      });
    if (kinds.has('babytemp'))
      sources.push({
        rank: 6,
        list: async (q) => {
          const rows = await fhir.listBabyTemp(patientId, q);
          const refs = new Map<string, string | undefined>();
          for (const id of new Set(rows.map((r) => r.device_id)))
            if (id !== null) refs.set(id, (await fhir.deviceByHardwareId(id))?.id);
          return rows.map((row) => {
            const deviceId = row.device_id === null ? undefined : refs.get(row.device_id);
            return {
              ts: row.ts,
              rank: 6,
              rowId: row.id,
              comp: 0,
              resource: babyTemperatureObservation(
                { ...row, patient_id: patientId },
                deviceId === undefined ? undefined : `Device/${deviceId}`,
              ),
            };
          });
        },
        count: (q) => fhir.countBabyTemp(patientId, q),
      });
    if (kinds.has('ecg12'))
      sources.push({
        rank: 4,
        list: async (q) =>
          (await fhir.listEcg12(patientId, { ...q, withSignalOnly: true })).flatMap((row) => {
            const resource = ecg12Observation(row);
            return resource === undefined
              ? []
              : [{ ts: row.created_at, rank: 4, rowId: row.id, comp: 0, resource }];
          }),
        count: (q) => fhir.countEcg12(patientId, { ...q, withSignalOnly: true }),
      });
    return sources;
  }

  /**
   * A page of a patient's Observations, newest first. Each source reads `count + 2` rows from
   * the cursor's place on (its own index range): at most one of them (the row the last page
   * stopped inside) holds items already sent, so the rest give more than `count` items whenever
   * the source has more, and "is there a next page" is known without another query. Rows at one
   * instant are unique per device in every table, which keeps a resumed range exact.
   * The total is counted on the first page and carried in the cursor: later pages report the
   * matches as of the first page (a count over the patient's whole history costs ~10 times a
   * page: docs/api.md, FHIR R4).
   */
  async function searchObservations(
    criteria: SearchCriteria,
    patientId: string,
  ): Promise<{ total: number | undefined; items: FhirResource[]; next: string | undefined }> {
    const after = placeOf(criteria.cursor);
    const devices = await fhir.devicesOfPatient(patientId);
    const sources = observationSources(patientId, devices, selectedKinds(criteria));
    const window = { effective: criteria.date, lastUpdated: criteria.lastUpdated };
    const keyset = (rank: number): Keyset | undefined =>
      after === undefined ? undefined : { ts: after.ts, inclusive: rank >= after.rank };
    const [pages, counts] = await Promise.all([
      Promise.all(
        sources.map((s) => s.list({ ...window, after: keyset(s.rank), limit: criteria.count + 2 })),
      ),
      criteria.total && after?.total === undefined
        ? Promise.all(sources.map((s) => s.count(window)))
        : Promise.resolve([]),
    ]);
    const total = !criteria.total ? undefined : (after?.total ?? counts.reduce((a, b) => a + b, 0));
    const candidates = pages
      .flat()
      .filter((item) => after === undefined || compare(item, after) > 0)
      .sort(compare);
    const page = candidates.slice(0, criteria.count);
    const last = page[page.length - 1];
    return {
      total,
      items: page.map((i) => i.resource),
      next:
        candidates.length > criteria.count && last !== undefined
          ? encodeCursor({
              ts: last.ts,
              rank: last.rank,
              rowId: last.rowId,
              comp: last.comp,
              ...(total === undefined ? {} : { total }),
            })
          : undefined,
    };
  }

  /** DiagnosticReports of a patient (12-lead interpretations), newest first, offset paging. */
  async function searchReports(
    criteria: SearchCriteria,
    patientId: string,
  ): Promise<{ total: number; items: FhirResource[]; next: string | undefined }> {
    const wantsEcg =
      criteria.codes === undefined ||
      criteria.codes.some(
        (t) =>
          t.code === '11524-6' && (t.system === undefined || t.system === CODE_SYSTEMS[t.code]),
      );
    if (!wantsEcg) return { total: 0, items: [], next: undefined };
    const offset = offsetOf(criteria.cursor);
    const window = { effective: criteria.date, lastUpdated: criteria.lastUpdated };
    // Offset paging: a patient has few 12-lead recordings, read newest first.
    const rows = await fhir.listEcg12(patientId, {
      ...window,
      withSignalOnly: false,
      limit: offset + criteria.count + 1,
    });
    const total = await fhir.countEcg12(patientId, { ...window, withSignalOnly: false });
    const page = rows.slice(offset, offset + criteria.count);
    return {
      total,
      items: page.flatMap((r) => ecg12Report(r) ?? []),
      next:
        rows.length > offset + criteria.count
          ? encodeCursor({ offset: offset + criteria.count })
          : undefined,
    };
  }

  /** AuditEvent, like GET /api/v1/audit, is the admin's alone. */
  function adminOnly(viewer: Viewer): void {
    if (viewer.role !== 'admin') throw new DomainError('FORBIDDEN');
  }

  /** The audit trail, newest first, keyset-paged by the next link's `_cursor`. */
  async function searchAuditEvents(
    criteria: SearchCriteria,
  ): Promise<{ total: undefined; items: FhirResource[]; next: string | undefined }> {
    const { min, max } = criteria.date;
    const page = await deps.audit.page(
      {
        patientId: criteria.patientId,
        actorId: criteria.agent,
        verbs: criteria.actions === undefined ? undefined : verbsOf(criteria.actions),
        outcome:
          criteria.outcome === undefined
            ? undefined
            : // 12 (major failure) is never recorded: a value no event has.
              ((AUDIT_OUTCOME_CODES as Record<string, string | undefined>)[criteria.outcome] ??
              'major'),
        from: min,
        to: max === undefined ? undefined : max + 1,
        before:
          criteria.cursor === undefined ? undefined : decodeAuditCursor(criteria.cursor, '_cursor'),
      },
      criteria.count,
    );
    return {
      total: undefined,
      items: page.items.map((e) => toAuditEvent(e, deps.version)),
      next: page.next_cursor ?? undefined,
    };
  }

  return {
    capabilities(urls: Pick<FhirRequestUrls, 'base'>): FhirResource {
      return capabilityStatement(urls.base, deps.version);
    },

    async read(viewer: Viewer, type: FhirType, id: string): Promise<FhirResource> {
      switch (type) {
        case 'Patient': {
          const row = await fhir.findUser(viewer, id, ['patient']);
          if (row === undefined) throw notFound();
          return toPatient(row);
        }
        case 'Practitioner': {
          const row = await fhir.findUser(viewer, id, ['doctor', 'admin']);
          if (row === undefined) throw notFound();
          return toPractitioner(row);
        }
        case 'Device': {
          const row = await fhir.findDevice(viewer, id);
          if (row === undefined) throw notFound();
          return toDevice(row);
        }
        case 'Observation':
          return readObservation(viewer, id);
        case 'AuditEvent': {
          adminOnly(viewer);
          const event = (await deps.audit.page({ id }, 1)).items[0];
          if (event === undefined) throw notFound();
          return toAuditEvent(event, deps.version);
        }
        case 'DiagnosticReport': {
          const row = await fhir.findEcg12(id);
          if (row === undefined) throw notFound();
          await visiblePatient(viewer, row.patient_id);
          const report = ecg12Report(row);
          if (report === undefined) throw notFound();
          return report;
        }
      }
    },

    /** A search as a Bundle of type searchset with `total` and `self`/`next` links. */
    async search(
      viewer: Viewer,
      type: FhirSearchType,
      query: RawQuery,
      urls: FhirRequestUrls,
    ): Promise<FhirResource> {
      if (type === 'AuditEvent') adminOnly(viewer);
      const criteria = parseSearch(type, query);
      let result: { total: number | undefined; items: FhirResource[]; next: string | undefined };
      if (type === 'AuditEvent') result = await searchAuditEvents(criteria);
      else if (type === 'Observation' || type === 'DiagnosticReport') {
        // Checked like every patient-scoped list of Vigil: another doctor's patient is not found.
        const patientId = criteria.patientId as string;
        if (!(await fhir.canSeePatient(viewer, patientId)))
          throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient' });
        result =
          type === 'Observation'
            ? await searchObservations(criteria, patientId)
            : await searchReports(criteria, patientId);
      } else {
        if (
          type === 'Device' &&
          criteria.patientId !== undefined &&
          !(await fhir.canSeePatient(viewer, criteria.patientId))
        )
          throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient' });
        const offset = offsetOf(criteria.cursor);
        const page =
          type === 'Device'
            ? await fhir.listDevices(viewer, {
                patientId: criteria.patientId,
                lastUpdated: criteria.lastUpdated,
                limit: criteria.count,
                offset,
              })
            : await fhir.listUsers(viewer, type === 'Patient' ? ['patient'] : ['doctor', 'admin'], {
                ids: criteria.ids,
                lastUpdated: criteria.lastUpdated,
                limit: criteria.count,
                offset,
              });
        const map = type === 'Device' ? toDevice : type === 'Patient' ? toPatient : toPractitioner;
        result = {
          total: page.total,
          items: (page.rows as never[]).map((r) => map(r)),
          next:
            offset + page.rows.length < page.total
              ? encodeCursor({ offset: offset + page.rows.length })
              : undefined,
        };
      }
      const link = [{ relation: 'self', url: urls.self }];
      if (result.next !== undefined) {
        const next = new URL(urls.self);
        next.searchParams.set('_cursor', result.next);
        link.push({ relation: 'next', url: next.toString() });
      }
      return {
        resourceType: 'Bundle',
        type: 'searchset',
        ...(result.total === undefined ? {} : { total: result.total }),
        link,
        entry: result.items.map((resource) => ({
          fullUrl: `${urls.base}/${resource.resourceType}/${resource.id ?? ''}`,
          resource,
          search: { mode: 'match' },
        })),
      };
    },
  };
}
export type FhirService = ReturnType<typeof createFhirService>;
