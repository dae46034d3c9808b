// Jest's transform for this repository's TypeScript: TypeScript's own transpileModule (no type
// check; `tsc --noEmit` does that), to CommonJS, JSX for React. The compiler is already here
// for the type check, so Jest needs no transform package of its own.
const { createHash } = require('node:crypto')
const ts = require('typescript')

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  jsx: ts.JsxEmit.ReactJSX,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: true,
}

module.exports = {
  process(source, filename) {
    const { outputText } = ts.transpileModule(source, { fileName: filename, compilerOptions })
    return { code: outputText }
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(ts.version).update(filename).update(source).digest('hex')
  },
}
