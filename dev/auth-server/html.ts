// The few HTML pages the dev server renders itself (errors, sign-out, a failed sign-in): plain,
// with no external resources (oidc-provider's built-in pages @import a web font from a CDN).

export function htmlPage(title: string, body: string) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:2rem}</style></head><body>${body}</body></html>`
}

export const escapeHtml = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
