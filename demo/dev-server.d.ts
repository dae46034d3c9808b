// Types of demo/dev-server.js (plain ESM, run by node directly).
export function startDemoServer(options: {
  port?: number
  issuer: string
  clientId: string
  dpop?: boolean
}): Promise<{ url: string; close(): Promise<void> }>
