export function findChromium(): string | undefined
export function findFirefox(): string | undefined
export function findWebKit(): { driver: string; browser: string; xvfb: string } | undefined
export const chromiumArgs: readonly string[]
export function freePort(): Promise<number>
export function onFreePort<T>(start: (port: number) => Promise<T>, options?: { tries?: number }): Promise<T>
