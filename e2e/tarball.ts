// The package as npm publishes it: `npm pack` in the repository (its prepack script builds
// dist/ first), the tarball written to a directory of the caller's.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../', import.meta.url))

/**
 * The environment for an npm run inside a test: this process's, less what `npm test` adds for
 * its own package (its prefix, its package.json, its lifecycle), which must not leak into an
 * npm run for another directory.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(npm_config_local_prefix|npm_config_loglevel|npm_package_|npm_lifecycle_|npm_command$|INIT_CWD$)/i.test(name),
    ),
  )
}

/** Runs `npm pack` in the repository, writing the tarball to `destination`; returns its path. */
export function packTarball(destination: string): string {
  execFileSync('npm', ['pack', '--pack-destination', destination], {
    cwd: root,
    env: npmEnv(),
    stdio: 'pipe',
    maxBuffer: 64 * 1024 * 1024,
  })
  const tarballs = readdirSync(destination).filter((file) => file.endsWith('.tgz'))
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.length} tarballs to ${destination}`)
  return join(destination, tarballs[0]!)
}

/** A lockfile version of a package the repository installs (react, vite…), for an app to pin. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>
  }
  const version = lock.packages[`node_modules/${name}`]?.version
  if (!version) throw new Error(`package-lock.json has no node_modules/${name}`)
  return version
}
