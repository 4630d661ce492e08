export { remoteWriteRoutes, type RemoteWriteOptions } from './handler.js';
export {
  appendWriteRequest,
  decodeWriteRequest,
  encodeWriteRequest,
  encodeLabels,
  WriteRequestEncoder,
  ProtoError,
  type AppendResult,
  type WriteSeries,
  type WriteSample,
} from './codec.js';
export { snappyCompress, snappyUncompress, snappyImplementation, SnappyError } from './snappy.js';
export { SeriesRefCache } from './refcache.js';
