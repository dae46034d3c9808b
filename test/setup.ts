// happy-dom has no IndexedDB; fake-indexeddb provides a spec-following one.
import 'fake-indexeddb/auto'
import './setup-error-watch.js'
