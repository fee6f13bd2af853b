import Benchmark

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The metrics every per-stage suite reports, besides package-benchmark's own.
///
/// package-benchmark measures whole iterations; these are computed from the part of an
/// iteration that runs the stage (between `startMeasurement` and `stopMeasurement`), with
/// the rows and bytes that part processed, so they read as a stage's throughput and per-row
/// cost whatever the input size.
public enum StageMetrics {
    /// Thousands of rows per second of wall time.
    public static let kiloRowsPerSecond = BenchmarkMetric.custom("k rows/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Nanoseconds of wall time per row.
    public static let nanosecondsPerRow = BenchmarkMetric.custom("ns/row", polarity: .prefersSmaller, useScalingFactor: false)
    /// Nanoseconds of the process's CPU time per row: the per-row cost that other load on the
    /// machine changes least (the stages run on one thread; the harness's threads idle meanwhile).
    public static let cpuNanosecondsPerRow = BenchmarkMetric.custom("CPU ns/row", polarity: .prefersSmaller, useScalingFactor: false)
    /// Input megabytes (10^6 bytes) per second; for decoders and encoders, output for encoders.
    public static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Rows per iteration, so that allocations per row can be read off `Malloc (total)`.
    public static let rows = BenchmarkMetric.custom("rows", polarity: .prefersLarger, useScalingFactor: false)

    /// The configuration of the per-stage suites: one core, a few seconds per benchmark.
    public static func configuration(bytes: Bool = false) -> Benchmark.Configuration {
        var metrics: [BenchmarkMetric] = [
            .wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, kiloRowsPerSecond, nanosecondsPerRow, cpuNanosecondsPerRow, rows,
        ]
        if bytes { metrics.append(megabytesPerSecond) }
        return .init(
            metrics: metrics,
            timeUnits: .milliseconds,
            // Exact values rather than rounded thousands ("(K)") in the tables.
            units: [
                .mallocCountTotal: .count, rows: .count, kiloRowsPerSecond: .count, nanosecondsPerRow: .count,
                cpuNanosecondsPerRow: .count, megabytesPerSecond: .count,
            ],
            warmupIterations: 1,
            maxDuration: .seconds(3),
            maxIterations: 10
        )
    }
}

/// Times the measured part of one iteration and records the stage metrics for it.
public struct StageTimer {
    let started = ContinuousClock.now
    let startedCPU = StageTimer.processCPUNanoseconds()

    public init() {}

    static func processCPUNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Records rows/s, ns/row (wall and CPU), rows and, when `bytes` is given, MB/s, for the time since `init`.
    public func record(_ benchmark: Benchmark, rows: Int, bytes: Int? = nil) {
        let cpu = Self.processCPUNanoseconds() - startedCPU
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        guard rows > 0, elapsed > 0 else {
            benchmark.error("no rows processed")
            return
        }
        benchmark.measurement(StageMetrics.kiloRowsPerSecond, Int((Double(rows) / elapsed / 1e3).rounded()))
        benchmark.measurement(StageMetrics.nanosecondsPerRow, Int((elapsed * 1e9 / Double(rows)).rounded()))
        benchmark.measurement(StageMetrics.cpuNanosecondsPerRow, Int((Double(cpu) / Double(rows)).rounded()))
        benchmark.measurement(StageMetrics.rows, rows)
        if let bytes {
            benchmark.measurement(StageMetrics.megabytesPerSecond, Int((Double(bytes) / 1e6 / elapsed).rounded()))
        }
    }
}
