// @vitest-environment node
// The README's TypeScript examples, type-checked against the real API (the compiler, not a
// regex): an example that shows a field the code does not return fails here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = process.cwd()
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** Globals the examples take as given (the app's own render function and values), and `.vue` imports. */
const shims = [
  'declare function render(snapshot: unknown): void',
  'declare const token: string',
  'declare const endpoint: string',
  "declare module '*.vue' { const component: object; export default component }",
  '',
].join('\n')

interface Example {
  line: number
  language: 'ts' | 'tsx'
  code: string
}

function examples(): Example[] {
  const found: Example[] = []
  for (const match of readme.matchAll(/^```(ts|tsx|vue)\n([\s\S]*?)^```/gm)) {
    const line = readme.slice(0, match.index).split('\n').length
    let code = match[2]!
    if (match[1] === 'vue') code = /<script setup lang="ts">([\s\S]*?)<\/script>/.exec(code)?.[1] ?? ''
    // A shape written as an annotated object literal is documentation, not code.
    if (code.trimStart().startsWith('{')) continue
    found.push({ line, language: match[1] === 'tsx' ? 'tsx' : 'ts', code })
  }
  return found
}

function typeCheck(list: Example[]): string[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const virtual = new Map(
    list.map((example) => [join(root, `readme-example-line-${example.line}.${example.language}`), `${example.code}\nexport {}\n`]),
  )
  virtual.set(join(root, 'readme-shims.d.ts'), shims)
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language, ...rest) =>
    virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, language) : getSourceFile(name, language, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => virtual.has(name) || fileExists(name)
  const program = ts.createProgram([...virtual.keys()], { ...options, noEmit: true, noUnusedLocals: false }, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && virtual.has(diagnostic.file.fileName))
    .map((diagnostic) => {
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
      return `${diagnostic.file!.fileName.replace(root, '')}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
    })
}

describe('README examples', () => {
  it('there are TypeScript examples to check (quick start, revokeToken, React, Vue)', () => {
    expect(examples().length).toBeGreaterThanOrEqual(4)
  })

  it('type-check against the real API', () => {
    expect(typeCheck(examples())).toEqual([])
  }, 60_000)
})
