export { ROLES, hasRole, isRole, requireRole, type Actor, type Role } from "./roles";
export { hashPassword, verifyPassword } from "./passwords";
export { listAudit, writeAudit, type AuditEntry } from "./audit";
export {
  createUser,
  createUserInput,
  ensureFirstAdmin,
  getUser,
  listUsers,
  roleSchema,
  setUserDisabled,
  setUserRole,
  updateUser,
  verifyCredentials,
  type UserInfo,
} from "./users";
export { authenticateApiKey, createApiKey, createApiKeyInput, listApiKeys, revokeApiKey, type ApiKeyInfo } from "./apikeys";
export { authenticate, actorFromSessionToken, parseCookies, type CredentialHeaders } from "./session";
export { authSecret } from "./secret";
export { authOptions, oauthProviders } from "./nextauth";
