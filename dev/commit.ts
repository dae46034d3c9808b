// Which commit a measurement was taken on: every figure the README shows from a script (the
// benchmarks, the bundle sizes, the browser table) names it, so figures from different trees
// are never shown as one.
import { execFileSync } from 'node:child_process'

/** Files the measuring scripts write themselves: changes to them do not make the tree another one. */
const written = ['README.md', 'docs/benchmarks.md', 'bench/results/', 'e2e/engines.json', 'e2e/artifacts/']

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })

/**
 * The short commit hash of the tree being measured, `<hash>+changes` when tracked files other
 * than the scripts' own output differ from it, `unknown` outside a git checkout.
 */
export function measuredCommit(): string {
  try {
    const hash = git('rev-parse', '--short=10', 'HEAD').trim()
    const changed = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((line) => line.trim() !== '' && !written.some((path) => line.slice(3).startsWith(path)))
    return changed.length > 0 ? `${hash}+changes` : hash
  } catch {
    return 'unknown'
  }
}
