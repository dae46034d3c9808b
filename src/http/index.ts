// session.http: the ky instance that attaches the access token (and a DPoP proof) only to the
// destinations the app declared, and refreshes once on a 401 from one of them.
export { createHttpClient } from './client.js'
export type { HttpDPoP } from './client.js'
export {
  type Destination,
  type DestinationOptions,
  destinationOf,
  destinationRefused,
  ownOrigin,
  pageUrl,
  parseDestination,
} from './destinations.js'
