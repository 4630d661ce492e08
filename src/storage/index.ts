export {
  StorageError,
  type StorageErrorCode,
  type SeriesRef,
  type Appender,
  type Appendable,
  type SelectHints,
  type SampleIterator,
  type Series,
  type LabelHints,
  type Querier,
  type Queryable,
  type Storage,
  type StorageStats,
} from './interface.js';
export { MemoryStorage } from './memory.js';
export { sortedUnique, topN } from './util.js';
