import type { Role } from '../db/schema.js';
import type { UserRow } from '../repositories/users.repository.js';

export interface HealthProfile {
  age?: number;
  sex?: 'male' | 'female' | 'other';
  height_cm?: number;
  weight_kg?: number;
  conditions?: string[];
  medications?: string[];
}

/** A user as every endpoint returns it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  doctor_id: string | null;
  health_profile: HealthProfile | null;
  created_at: string;
  updated_at: string;
}

/** The signed-in user, as authentication establishes it. */
export interface AuthUser {
  id: string;
  role: Role;
  email: string;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    doctor_id: row.doctor_id,
    health_profile:
      row.health_profile === null ? null : (JSON.parse(row.health_profile) as HealthProfile),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
