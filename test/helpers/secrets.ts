// The secret scan is shared with the profile suite: it lives in dev/secrets.ts.
export { findSecrets } from '../../dev/secrets.js'
