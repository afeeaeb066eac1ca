import type { UserRow } from '../../registry/users.repository';

export function presentUser(user: UserRow) {
  return {
    _id: user.id,
    company_id: user.company_id,
    email: user.email,
    role: user.role,
    first_name: user.first_name,
    last_name: user.last_name,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
  };
}
