import Foundation
import SluiceCore
import SluiceServer
import Testing

/// How `GET /v1/runs/{id}` works out a run's pace and how long it has left.
struct RunResourceTests {
    func run(status: RunStatus, rows: Int64, bytes: Int64, size: Int64, seconds: Double, finished: Bool = false) -> RunRecord {
        var counters = RunCounters()
        counters.rowsRead = rows
        counters.bytesRead = bytes
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        return RunRecord(
            id: UUID(), pipeline: "p", objectURI: "s3://b/k", etag: "e", objectSize: size, targetTable: "t.t", batchRows: 100,
            status: status, counters: counters, startedAt: start, updatedAt: start.addingTimeInterval(seconds),
            finishedAt: finished ? start.addingTimeInterval(seconds) : nil)
    }

    @Test func aRunningRunHasItsPaceAndTheTimeLeftAtThatPace() {
        let resource = RunResource(run: run(status: .running, rows: 50_000, bytes: 25_000_000, size: 100_000_000, seconds: 10))
        #expect(resource.rowsPerSecond == 5_000)
        #expect(resource.etaSeconds == 30, "75 MB left at 2.5 MB/s")
    }

    @Test func aFinishedOrNotYetStartedRunHasNoTimeLeft() {
        let done = RunResource(run: run(status: .completed, rows: 1_000, bytes: 100, size: 100, seconds: 4, finished: true))
        #expect(done.rowsPerSecond == 250 && done.etaSeconds == nil)
        let fresh = RunResource(run: run(status: .running, rows: 0, bytes: 0, size: 100, seconds: 0))
        #expect(fresh.rowsPerSecond == nil && fresh.etaSeconds == nil)
    }

    @Test func theAnswerCarriesBothFieldsOnlyWhenTheyAreKnown() throws {
        let encoder = JSONEncoder()
        let running = try JSONSerialization.jsonObject(with: encoder.encode(
            RunResource(run: run(status: .running, rows: 10, bytes: 10, size: 20, seconds: 1)))) as? [String: Any]
        #expect(running?["rows_per_second"] as? Double == 10 && running?["eta_seconds"] as? Double == 1)
        let fresh = try JSONSerialization.jsonObject(with: encoder.encode(
            RunResource(run: run(status: .created, rows: 0, bytes: 0, size: 20, seconds: 0)))) as? [String: Any]
        #expect(fresh?["rows_per_second"] == nil && fresh?["eta_seconds"] == nil)
    }
}
