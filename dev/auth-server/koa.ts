// The part of Koa's request context that the routes added here use. node-oidc-provider runs on
// Koa and ships no types; this names what the middlewares touch, and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface Context {
  readonly path: string
  readonly method: string
  readonly host: string
  readonly query: Record<string, string | string[] | undefined>
  req: IncomingMessage
  readonly res: ServerResponse
  status: number
  body: unknown
  type: string
  /** false: Koa leaves the response alone (a request that never gets an answer). */
  respond?: boolean
  /** Per-request values the middlewares hand each other (the request log's entry). */
  readonly state: Record<PropertyKey, unknown>
  /** The provider's view of the request, inside its own routes. */
  readonly oidc?: { route?: string; entities?: Record<string, unknown> }
  get(header: string): string
  set(header: string, value: string): void
  vary(header: string): void
  redirect(url: string): void
  throw(status: number, message: string): never
}

export type Next = () => Promise<unknown>
export type Middleware = (ctx: Context, next: Next) => Promise<unknown>

/** Sets the CORS headers for an allowed Origin (cors.ts); false when the origin is not allowed. */
export type SetCors = (ctx: Context, options?: { methods?: string; expose?: string }) => boolean
