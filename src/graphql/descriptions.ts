/** Descriptions shared by many schema elements, so the same thing reads the same everywhere. */

export const GLOBAL_ID = 'Opaque global id, unique across all types; pass it to `node(id:)` to refetch.';
export const CREATED_AT = 'When it was created.';
export const EXPECTED_VERSION = "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since.";
export const SERVER_ADMIN_ONLY = 'Server admins only: the admin privilege without a category or own-tickets limit';
