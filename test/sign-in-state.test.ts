import { describe, expect, it } from 'vitest'
import { createStateStore } from '../src/sign-in-state.js'
import { createIndexedDbStorage } from '../src/storage.js'
import { freshDatabase, testSessionId } from './helpers/records.js'

describe('sign-in state', () => {
  it('keeps the oidc-client-ts sign-in state in IndexedDB, under its own prefix', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    const state = createStateStore(storage, testSessionId)
    await state.set('s1', '{"code_verifier":"v"}')
    await expect(state.getAllKeys()).resolves.toEqual(['s1'])
    expect((await storage.entries('')).map(([key]) => key)).toEqual([`oidc-state:${testSessionId}:s1`])
    await expect(state.remove('s1')).resolves.toBe('{"code_verifier":"v"}')
    await expect(state.get('s1')).resolves.toBeNull()
  })
})
