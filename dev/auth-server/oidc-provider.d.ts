// oidc-provider ships no types: provider.ts describes the part of it this server uses.
declare module 'oidc-provider'
