/**
 * A set of listeners, the smallest honest one (TanStack's `subscribable`): `subscribe` returns
 * its own undo, and `notify` calls each listener registered when it began, so one that
 * unsubscribes another mid-notification cannot make it skip or repeat anyone.
 */
export class Listeners<A extends unknown[] = []> {
  readonly #set = new Set<(...args: A) => void>()

  subscribe(listener: (...args: A) => void): () => void {
    this.#set.add(listener)
    return () => {
      this.#set.delete(listener)
    }
  }

  notify(...args: A): void {
    for (const listener of [...this.#set]) listener(...args)
  }

  get size(): number {
    return this.#set.size
  }

  clear(): void {
    this.#set.clear()
  }
}
