// Types of bench/update-readme.js (plain ESM, run by node directly).

/** The README section made from results.md: title dropped, headings one level down. */
export function readmeSection(results: string): string
/** README with everything between the bench markers replaced; throws when the markers are missing. */
export function replaceSection(readme: string, results: string): string
/** README with everything between `<!-- name:start -->` and `<!-- name:end -->` replaced by `body`; throws when the markers are missing. */
export function replaceBetweenMarkers(readme: string, name: string, body: string, command: string): string
