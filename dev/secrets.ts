/**
 * Finds secrets (tokens, client secrets) anywhere inside a value, as an error reporter or a
 * logger would see it once it serialises or inspects the value: the error's message and stack,
 * its `cause` chain, own and inherited enumerable properties, and the non-enumerable ones
 * errors keep their detail in; inside that, ky's `options` and `request`, `Request` and
 * `Response` (URL, headers, body), `Headers`, `URLSearchParams`, `FormData`, `Map`, `Set`,
 * arrays, typed arrays and `Blob`s.
 *
 * A secret counts as found in plain form, percent- or form-encoded (`+` for space), and inside
 * base64 (an HTTP Basic `Authorization` header holds `base64(id:secret)`).
 *
 * @returns one line per finding: `<path>: <name of the secret>`, empty when the value is clean.
 */
export async function findSecrets(value: unknown, secrets: Record<string, string> | readonly string[]): Promise<string[]> {
  const named: Array<[string, string]> = Array.isArray(secrets)
    ? secrets.map((secret, index): [string, string] => [`secret #${index}`, secret])
    : Object.entries(secrets)
  for (const [name, secret] of named) {
    if (secret.length < 4) throw new Error(`findSecrets: ${name} is too short to search for (${secret.length} characters).`)
  }
  const findings: string[] = []
  const seen = new WeakSet<object>()

  const checkString = (text: string, path: string) => {
    for (const [name, secret] of named) {
      if (decodings(text).some((form) => form.includes(secret))) findings.push(`${path}: ${name}`)
    }
  }

  const visit = async (current: unknown, path: string, depth: number): Promise<void> => {
    if (typeof current === 'string') return checkString(current, path)
    if (typeof current === 'number' || typeof current === 'bigint' || typeof current === 'boolean' || typeof current === 'symbol') {
      return checkString(String(current), path)
    }
    if (typeof current === 'function') return checkString(current.name, `${path}.name`)
    if (typeof current !== 'object' || current === null || depth > 12) return
    if (seen.has(current)) return
    seen.add(current)

    if (current instanceof Request || current instanceof Response) {
      checkString(current.url, `${path}.url`)
      await visit(current.headers, `${path}.headers`, depth + 1)
      // Reading a clone leaves the original's body usable for whoever holds it.
      const text = await readClone(current)
      if (text !== undefined) checkString(text, `${path}.body`)
      else findings.push(`${path}.body: unreadable (already used): cannot prove it clean`)
    }
    if (
      current instanceof Headers ||
      current instanceof URLSearchParams ||
      (typeof FormData !== 'undefined' && current instanceof FormData)
    ) {
      for (const [key, item] of current as Iterable<[string, unknown]>) {
        checkString(key, `${path}[${JSON.stringify(key)}] (key)`)
        await visit(item, `${path}[${JSON.stringify(key)}]`, depth + 1)
      }
      if (current instanceof URLSearchParams) checkString(current.toString(), `${path}.toString()`)
      return
    }
    if (current instanceof Map) {
      for (const [key, item] of current) {
        await visit(key, `${path}<key>`, depth + 1)
        await visit(item, `${path}.get(${typeof key === 'string' ? JSON.stringify(key) : '…'})`, depth + 1)
      }
    }
    if (current instanceof Set) {
      let index = 0
      for (const item of current) await visit(item, `${path}<${index++}>`, depth + 1)
    }
    if (ArrayBuffer.isView(current) || current instanceof ArrayBuffer) {
      const bytes =
        current instanceof ArrayBuffer ? new Uint8Array(current) : new Uint8Array(current.buffer, current.byteOffset, current.byteLength)
      return checkString(new TextDecoder().decode(bytes), path)
    }
    if (typeof Blob !== 'undefined' && current instanceof Blob) return checkString(await current.text(), path)
    if (typeof ReadableStream !== 'undefined' && current instanceof ReadableStream) {
      findings.push(`${path}: a ReadableStream, unreadable here: cannot prove it clean`)
      return
    }

    // Errors keep message, stack and cause as own non-enumerable properties.
    const keys = new Set<string>()
    if (current instanceof Error || 'cause' in current) for (const key of ['name', 'message', 'stack', 'cause']) keys.add(key)
    for (const key of Object.getOwnPropertyNames(current)) keys.add(key)
    // for…in: own and inherited enumerable properties (what a logger's spread or JSON sees).
    for (const key in current) keys.add(key)
    for (const key of keys) {
      if (Array.isArray(current) && key === 'length') continue
      let item: unknown
      try {
        item = (current as Record<string, unknown>)[key]
      } catch {
        continue
      }
      checkString(key, `${path}.${key} (key)`)
      await visit(item, `${path}.${key}`, depth + 1)
    }
  }

  await visit(value, '$', 0)
  return [...new Set(findings)]
}

async function readClone(message: Request | Response): Promise<string | undefined> {
  if (message.bodyUsed) return undefined
  try {
    return await message.clone().text()
  } catch {
    return undefined
  }
}

/** The forms a secret may take inside `text`: as is, URL/form-decoded, and base64-decoded words. */
export function decodings(text: string): string[] {
  const forms = [text]
  try {
    forms.push(decodeURIComponent(text.replace(/\+/g, ' ')))
  } catch {
    // not percent-encoded
  }
  for (const word of text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
    try {
      const decoded = atob(word.replace(/-/g, '+').replace(/_/g, '/'))
      forms.push(decoded)
      try {
        forms.push(decodeURIComponent(decoded.replace(/\+/g, ' ')))
      } catch {
        // not percent-encoded
      }
    } catch {
      // not base64
    }
  }
  return forms
}
