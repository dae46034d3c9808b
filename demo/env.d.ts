/** Injected by dev/demo-server.ts. */
declare const __DEMO_CONFIG__: { issuer: string; clientId: string; dpop: boolean; silentRenew: boolean; idleTimeoutSeconds: number | null }
