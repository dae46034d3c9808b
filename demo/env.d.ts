/** Injected by demo/dev-server.js. */
declare const __DEMO_CONFIG__: { issuer: string; clientId: string; dpop: boolean }
