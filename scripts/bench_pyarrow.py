#!/usr/bin/env python3
"""Reference point for the tokenizer benchmark: pyarrow's CSV reader on one thread.

Reads the same generated file the CSVTokenizer benchmark decodes (scripts/generate_debtors.py,
--rows 400000 --seed 7), from memory, with use_threads=False and every column as a string,
and prints MB/s for the best and median of N runs. Usage: bench_pyarrow.py FILE [RUNS]
"""
import io
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.csv as csv


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    data = open(path, "rb").read()
    with io.BytesIO(data) as probe:
        names = probe.readline().decode().strip().split(",")
    convert = csv.ConvertOptions(column_types={name: pa.string() for name in names})
    read = csv.ReadOptions(use_threads=False, block_size=1 << 20)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        table = csv.read_csv(io.BytesIO(data), read_options=read, convert_options=convert)
        elapsed = time.perf_counter() - start
        rates.append(len(data) / elapsed / 1e6)
    print(f"pyarrow {pa.__version__} read_csv, one thread: {len(data)/1e6:.1f} MB, {table.num_rows} rows, "
          f"best {max(rates):.0f} MB/s, median {statistics.median(rates):.0f} MB/s over {runs} runs")


if __name__ == "__main__":
    main()
