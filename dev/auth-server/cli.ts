// The dev authorization server on its own, for poking at it by hand:
//
//   npx tsx dev/auth-server/cli.ts [--port 4000 (default; 0 = ephemeral)] [--host 127.0.0.1]
//     [--spa-origin URL]... [--client-id ID] [--latency MS] [--quiet]
//
// Prints the issuer on stdout; Ctrl+C stops it.
import { startAuthServer } from './index.js'
import type { AuthServerOptions } from './types.js'

const usage =
  'usage: npx tsx dev/auth-server/cli.ts [--port 4000] [--host 127.0.0.1] [--spa-origin http://127.0.0.1:5173]... [--client-id ID] [--latency MS] [--quiet]'

const args = process.argv.slice(2)
const options: AuthServerOptions = { port: 4000, quiet: false }
const origins: string[] = []
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i]!
  const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
  const value = () => {
    const given = inline ?? args[++i]
    if (given === undefined) {
      console.error(`${flag} needs a value\n${usage}`)
      process.exit(2)
    }
    return given
  }
  switch (flag) {
    case '--port':
      options.port = Number(value())
      break
    case '--host':
      options.host = value()
      break
    case '--spa-origin':
      origins.push(value())
      break
    case '--client-id':
      options.clientId = value()
      break
    case '--latency':
      options.latencyMs = Number(value())
      break
    case '--quiet':
      options.quiet = true
      break
    case '--help':
      console.log(usage)
      process.exit(0)
      break
    default:
      console.error(`unknown argument ${arg}\n${usage}`)
      process.exit(2)
  }
}
if (origins.length) options.spaOrigins = origins
const server = await startAuthServer(options)
console.log(server.issuer)
console.error(`[auth-server] issuer ${server.issuer}, client ${server.clientId}, SPA origins ${server.spaOrigins.join(', ')}`)
const stop = async () => {
  await server.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
