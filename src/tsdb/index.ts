export { openTsdb, Tsdb, DEFAULT_BLOCK_RANGE_MS, DEFAULT_RETENTION_MS, type TsdbOptions } from './db.js';
export { TsdbMetrics } from './metrics.js';
export type { BlockMeta } from './block.js';
export { BlockReader, writeBlock, BLOCK_FORMAT_VERSION } from './block.js';
export { ChunkIterator, chunkAppend, encodeChunks, newChunkState, SAMPLES_PER_CHUNK, type ChunkState } from './chunk.js';
export { importOpenMetrics, analyzeBlock, dumpSamples, type ImportResult } from './tools.js';
export { parseSelector } from './selector.js';
