import { userSchema, createUserRequestSchema, updateUserRequestSchema } from '../../contracts/auth.schema';
import type { z } from 'zod';
import { revokeAllTokens } from '../../registry/auth-tokens.repository';
import { hashPassword } from '../../registry/password-hashing';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../registry/users.repository';
import { forgetCallersOf } from '../auth/caller-cache';
import { assertAdminRemains, assertOwnPasswordChange } from '../services/admin-safeguards.service';
import type { CrudResource } from './crud.router';
import { presentUser } from './user.presenter';

type CreateUser = z.infer<typeof createUserRequestSchema>;
type UpdateUser = z.infer<typeof updateUserRequestSchema>;

// Users are an admin's business only, reading included: the list names every account.
export const usersResource: CrudResource<CreateUser, UpdateUser, ReturnType<typeof presentUser>> = {
  path: '/users',
  label: 'User',
  createSchema: createUserRequestSchema,
  updateSchema: updateUserRequestSchema,
  responseSchema: userSchema,
  readRole: 'admin',
  writeRole: 'admin',
  list: async (database, caller, page) => {
    const result = await listUsers(database, caller.companyId, page);
    return { total: result.total, rows: result.rows.map(presentUser) };
  },
  get: async (database, caller, id) => {
    const user = await getUser(database, caller.companyId, id);
    return user && presentUser(user);
  },
  create: async (database, caller, body) =>
    presentUser(
      await createUser(database, caller.companyId, {
        email: body.email,
        passwordHash: await hashPassword(body.password),
        role: body.role,
        firstName: body.first_name,
        lastName: body.last_name,
      }),
    ),
  update: async (database, caller, id, body) => {
    await assertAdminRemains(database, caller, id, { role: body.role });
    await assertOwnPasswordChange(database, caller, id, {
      password: body.password,
      currentPassword: body.current_password,
    });
    const user = await updateUser(database, caller.companyId, id, {
      email: body.email,
      passwordHash: body.password === undefined ? undefined : await hashPassword(body.password),
      role: body.role,
      firstName: body.first_name,
      lastName: body.last_name,
    });
    // A new password signs the user out everywhere: whoever knew the old one keeps nothing.
    if (user && body.password !== undefined) await revokeAllTokens(database, user.id);
    forgetCallersOf(id);
    return user && presentUser(user);
  },
  remove: async (database, caller, id) => {
    await assertAdminRemains(database, caller, id, 'delete');
    const deleted = await deleteUser(database, caller.companyId, id);
    forgetCallersOf(id);
    return deleted;
  },
};
