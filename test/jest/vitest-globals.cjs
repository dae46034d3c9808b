// Under Jest, `vitest` is Jest's own test functions: README's examples import theirs from Vitest,
// and Jest runs the same files (jest.config.js maps the name here).
module.exports = require('@jest/globals')
