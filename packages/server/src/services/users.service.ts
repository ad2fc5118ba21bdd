import type { Clock } from '../adapters/clock.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import { newId } from '../adapters/random.js';
import type { Role } from '../db/schema.js';
import { DomainError, forbidden, notFound, validationFailed } from '../errors/catalogue.js';
import type { Repositories } from '../repositories/index.js';
import type { RefreshTokensRepository } from '../repositories/refresh-tokens.repository.js';
import type { UserPatch, UserRow, UsersRepository } from '../repositories/users.repository.js';
import { assertPasswordStrength, normaliseEmail } from './password-policy.js';
import { toUserView, type AuthUser, type HealthProfile, type UserView } from './user-view.js';

export interface CreateUserInput {
  email: string;
  password: string;
  name: string;
  role?: Role | undefined;
}

export interface UpdateUserInput {
  email?: string | undefined;
  password?: string | undefined;
  name?: string | undefined;
  role?: Role | undefined;
  health_profile?: HealthProfile | null | undefined;
}

export interface UsersServiceDeps {
  users: UsersRepository;
  refreshTokens: RefreshTokensRepository;
  hasher: PasswordHasher;
  clock: Clock;
  /** Runs a user's deletion in one transaction, with the repositories it writes bound to it. */
  transactor: {
    run<T>(
      fn: (repos: Pick<Repositories, 'users' | 'devices' | 'vitals'>) => Promise<T>,
    ): Promise<T>;
  };
}

/**
 * Told, once a user's deletion is committed, of the devices that served them until then (their
 * devices lost their patient: caches and per-device state must forget them). Must not throw.
 */
export type UserDeletedListener = (userId: string, deviceIds: readonly string[]) => Promise<void>;

/**
 * User management with the rules of seed 004: admins manage doctors and admins, doctors manage
 * their own patients, everyone manages themself; admins also delete patients without a doctor. What a caller may not see is USER_NOT_FOUND
 * (visibility is part of the SQL); what they may see but not change is FORBIDDEN.
 */
export class UsersService {
  private readonly deletedListeners: UserDeletedListener[] = [];

  constructor(private readonly deps: UsersServiceDeps) {}

  /** Registers a listener told of every deleted user; the deletion's answer waits for it. */
  onDeleted(listener: UserDeletedListener): void {
    this.deletedListeners.push(listener);
  }

  async create(actor: AuthUser, input: CreateUserInput): Promise<UserView> {
    let role: Role;
    let doctorId: string | null = null;
    if (actor.role === 'admin') {
      if (input.role === undefined)
        throw validationFailed('role', 'role is required: doctor or admin');
      if (input.role === 'patient')
        throw forbidden('Patients are created by their doctor, not by an admin');
      role = input.role;
    } else if (actor.role === 'doctor') {
      if (input.role !== undefined && input.role !== 'patient')
        throw forbidden('Doctors create patients only');
      role = 'patient';
      doctorId = actor.id;
    } else {
      throw forbidden('Patients cannot create users');
    }
    const email = normaliseEmail(input.email);
    assertPasswordStrength(input.password, email);
    const now = this.deps.clock.now();
    const row: UserRow = {
      id: newId(),
      email,
      name: input.name.trim(),
      role,
      password_hash: await this.deps.hasher.hash(input.password),
      doctor_id: doctorId,
      health_profile: null,
      created_at: now,
      updated_at: now,
    };
    if (!(await this.deps.users.insert(row)))
      throw new DomainError('EMAIL_TAKEN', { field: 'email' });
    return toUserView(row);
  }

  async get(actor: AuthUser, id: string): Promise<UserView> {
    return toUserView(await this.findVisible(actor, id));
  }

  async update(actor: AuthUser, id: string, input: UpdateUserInput): Promise<UserView> {
    const target = await this.findVisible(actor, id);
    const self = target.id === actor.id;
    if (!self && actor.role === 'admin' && target.role === 'patient')
      throw forbidden('Patients are managed by their doctor');
    const patch: UserPatch = { updated_at: this.deps.clock.now() };
    if (input.role !== undefined && input.role !== target.role) {
      // Only an admin changes roles, only between doctor and admin, and never their own.
      if (actor.role !== 'admin' || self || input.role === 'patient')
        throw forbidden('This role change is not allowed');
      patch.role = input.role;
    }
    const email = input.email === undefined ? target.email : normaliseEmail(input.email);
    if (input.email !== undefined) patch.email = email;
    if (input.password !== undefined) {
      assertPasswordStrength(input.password, email);
      patch.password_hash = await this.deps.hasher.hash(input.password);
    }
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.health_profile !== undefined)
      patch.health_profile =
        input.health_profile === null ? null : JSON.stringify(input.health_profile);
    if (!(await this.deps.users.update(target.id, patch)))
      throw new DomainError('EMAIL_TAKEN', { field: 'email' });
    // A new password ends every session: whoever knew the old one may hold a refresh token.
    if (patch.password_hash !== undefined)
      await this.deps.refreshTokens.revokeAllForUser(target.id, this.deps.clock.now());
    return this.get(actor, id);
  }

  async delete(actor: AuthUser, id: string): Promise<void> {
    const target = await this.findVisible(actor, id);
    if (target.id === actor.id) {
      if (actor.role !== 'patient') throw new DomainError('CANNOT_DELETE_SELF');
    } else if (actor.role === 'admin' && target.role === 'patient' && target.doctor_id !== null) {
      // Seed 004: a doctor's patients are theirs to delete. A patient nobody manages (signed up
      // on their own, or whose doctor was deleted) is the admin's, or no one could remove them.
      throw forbidden('Patients are managed by their doctor');
    }
    const deviceIds = await this.deps.transactor.run(async (repos) => {
      const served = await repos.devices.deviceIdsOfPatient(target.id);
      // The user first: on PostgreSQL the delete waits for ingest transactions still storing
      // packets for them (their foreign key's lock), so the rollup rows folded next include
      // theirs, and none can be added for the deleted patient afterwards.
      await repos.users.delete(target.id);
      // Their packets' patient_id is now null (foreign key): their rollup rows go to '' with them,
      // which is what an unassigned device's /stats and /series read (rolledUpFor).
      // Only a patient's id keys rollup rows: a doctor's or admin's deletion scans nothing.
      if (target.role === 'patient') await repos.vitals.foldRollupIntoNoPatient(target.id);
      return served;
    });
    for (const listener of this.deletedListeners) await listener(target.id, deviceIds);
  }

  /** doctors and admins: admin only; patients: admin (all) or doctor (own). */
  async list(
    actor: AuthUser,
    role: Role,
    page: { limit: number; offset: number },
  ): Promise<UserView[]> {
    const allowed = actor.role === 'admin' || (actor.role === 'doctor' && role === 'patient');
    if (!allowed) throw forbidden(`Your role cannot list ${role}s`);
    const rows = await this.deps.users.listVisibleByRole(actor, role, page);
    return rows.map(toUserView);
  }

  /**
   * Every user the actor may see (admin: all; doctor: themself and their patients; patient:
   * themself), of one role when asked: the listing behind `GET /users`.
   */
  async listVisible(
    actor: AuthUser,
    query: { role?: Role | undefined; limit: number; offset: number },
  ): Promise<UserView[]> {
    const rows = await this.deps.users.listVisibleByRole(actor, query.role, query);
    return rows.map(toUserView);
  }

  private async findVisible(actor: AuthUser, id: string): Promise<UserRow> {
    const row = await this.deps.users.findVisible(actor, id);
    if (row === undefined) throw notFound('USER_NOT_FOUND');
    return row;
  }
}
