// Both unit projects (happy-dom and jsdom): no token in any error a test makes tokenwarden raise.
import { watchErrorsForTokens } from './helpers/error-watch.js'

watchErrorsForTokens()
