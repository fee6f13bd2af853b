import SluiceCore
import SluicePipeline
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr: bytes and rows done, rows/s and time left.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    private let state = Mutex(State())
    private let width = 28

    func update(_ progress: RunProgress) {
        let now = ContinuousClock.now
        let shouldDraw = state.withLock { state -> Bool in
            if let last = state.lastDraw, now - last < .milliseconds(100) { return false }
            state.lastDraw = now
            state.drawn = true
            return true
        }
        guard shouldDraw else { return }
        Terminal.writeError("\r" + line(progress) + "\u{1B}[K")
    }

    /// Clears the bar before the summary is printed.
    func finish() {
        if state.withLock({ $0.drawn }) { Terminal.writeError("\r\u{1B}[K") }
    }

    private func line(_ progress: RunProgress) -> String {
        if progress.format == .xlsx {
            // Positions are sheet rows and the sheet's row count is not known up front.
            let seconds = max(progress.elapsed.secondsValue, 0.001)
            let rows = progress.counters.rowsRead
            return "sheet row \(HumanNumbers.grouped(progress.offset))  \(HumanNumbers.grouped(rows)) rows  "
                + "\(HumanNumbers.grouped(Int64(Double(rows) / seconds))) rows/s  \(Terminal.duration(seconds)) elapsed"
        }
        let total = max(progress.objectSize, 1)
        let fraction = min(1, max(0, Double(progress.offset) / Double(total)))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let seconds = max(progress.elapsed.secondsValue, 0.001)
        let rows = progress.counters.rowsRead
        let rate = Double(rows) / seconds
        let doneBytes = Double(progress.offset - progress.startOffset)
        let leftBytes = Double(progress.objectSize - progress.offset)
        let eta = doneBytes > 0 ? leftBytes / (doneBytes / seconds) : 0
        return "[\(bar)] \(HumanNumbers.fixed(fraction * 100, 0))% "
            + "\(HumanNumbers.bytes(progress.offset))/\(HumanNumbers.bytes(progress.objectSize)) "
            + "\(HumanNumbers.grouped(rows)) rows  \(HumanNumbers.grouped(Int64(rate))) rows/s  ETA \(Terminal.duration(eta))"
    }
}

extension Duration {
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
