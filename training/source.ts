// Chooses the reader for the training input: the vega-datasets parquet file or a folder of raw BTS CSVs.

import { readBtsCsvFolder } from "./data/bts-csv";
import type { ReadReport, RecordSink } from "./data/types";
import { readVegaFlights } from "./data/vega";

export type SourceOptions = { kind: "vega"; path: string } | { kind: "bts"; dir: string };

export function readSource(
  source: SourceOptions,
  sink: RecordSink,
  onProgress: (rowsRead: number) => void,
): Promise<ReadReport> {
  return source.kind === "vega"
    ? readVegaFlights({ path: source.path, onProgress }, sink)
    : readBtsCsvFolder({ dir: source.dir, onProgress }, sink);
}
