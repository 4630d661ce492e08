export { parseDuration, formatDuration, DurationError } from './duration.js';
export { UserError, errorMessage } from './errors.js';
export { createLogger, nopLogger, type Logger, type LogLevel, type LogFormat, type LoggerOptions } from './log.js';
export {
  Router,
  RequestContext,
  HttpError,
  apiSuccess,
  apiError,
  DEFAULT_BODY_LIMIT,
  type Route,
  type HttpMethod,
  type ApiResult,
  type ApiErrorType,
} from './http.js';
export { parseFlags, formatFlagHelp, ParsedFlags, type FlagSpec, type FlagKind, type FlagValue } from './flags.js';
export { buildInfo, type BuildInfo } from './version.js';
