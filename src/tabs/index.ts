// Tabs: the channel between the tabs of an origin, the cross-tab lock, and the page's lifecycle.
export { createDefaultChannel } from './channel.js'
export { isEndReason } from './channel.js'
export type { EndReason, TabChannel, TabChannelFactory, TabMessage } from './channel.js'
export { createDefaultLock, createLockQueue } from './lock.js'
export type { TabLock, TabLockFactory } from './lock.js'
export { onOnline, onPageRestore, onPageVisible, onUserActivity } from './page.js'
