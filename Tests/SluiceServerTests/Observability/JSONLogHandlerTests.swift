import Foundation
import Logging
import Synchronization
import Testing

@testable import SluiceServer

struct JSONLogHandlerTests {
    /// Lines a handler wrote, parsed.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])

        var objects: [[String: Any]] {
            lines.withLock { $0 }.map { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            }
        }

        func logger(level: Logger.Level = .info) -> Logger {
            Logger(label: "test.label") { label in
                JSONLogHandler(label: label, node: "node-1:42", level: level) { bytes in
                    self.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
                }
            }
        }
    }

    static let iban = "DE89370400440532013000"

    @Test func oneObjectPerLineWithTheFixedFieldsAndFlattenedMetadata() throws {
        let captured = Captured()
        var logger = captured.logger()
        logger[metadataKey: "run"] = "7f0c"
        logger.info("run ended", metadata: [
            "status": "completed", "http": ["status": "200", "route": "/v1/runs"], "codes": ["a", "b"], "message": "clash",
        ])
        logger.debug("below the level")
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines[0].hasSuffix("}\n") && lines[0].filter { $0 == "\n" }.count == 1)
        let object = try #require(captured.objects.first)
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "run ended")
        #expect(object["label"] as? String == "test.label")
        #expect(object["node"] as? String == "node-1:42")
        #expect(object["run"] as? String == "7f0c")
        #expect(object["status"] as? String == "completed")
        #expect(object["http.status"] as? String == "200" && object["http.route"] as? String == "/v1/runs")
        #expect(object["codes"] as? [String] == ["a", "b"])
        #expect(object["metadata.message"] as? String == "clash", "a clashing key does not overwrite a fixed field")
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"), "ISO 8601 UTC with milliseconds: \(time)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }

    @Test func quotesControlCharactersAndNonASCIIStayValidJSON() throws {
        let captured = Captured()
        captured.logger().warning("a \"quoted\" \\ line\nwith a tab\t, a bell \u{07} and März")
        let object = try #require(captured.objects.first)
        #expect(object["message"] as? String == "a \"quoted\" \\ line\nwith a tab\t, a bell \u{07} and März")
    }

    @Test func ibansAreMaskedInTheMessageTheMetadataAndErrors() throws {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "no mandate for DE89 3704 0044 0532 0130 00" }
        }
        let captured = Captured()
        let logger = captured.logger()
        logger.info("row with \(Self.iban) rejected")
        logger.info("metadata", metadata: ["object": "s3://b/in/\(Self.iban).csv", "nested": ["iban": "\(Self.iban)"], "list": ["\(Self.iban)"]])
        logger.error("failed", metadata: ["error": "\(Failure())"])
        logger.error("failed", error: Failure())
        let lines = captured.lines.withLock { $0 }.joined()
        #expect(!lines.contains(Self.iban) && !lines.contains("3704 0044 0532"), "\(lines)")
        let objects = captured.objects
        #expect(objects[0]["message"] as? String == "row with DE89**************3000 rejected")
        #expect(objects[1]["object"] as? String == "s3://b/in/DE89**************3000.csv")
        #expect(objects[1]["nested.iban"] as? String == "DE89**************3000")
        #expect(objects[1]["list"] as? [String] == ["DE89**************3000"])
        #expect((objects[2]["error"] as? String)?.hasPrefix("no mandate for DE89 ****") == true)
        #expect((objects[3]["error"] as? String)?.hasPrefix("no mandate for DE89 ****") == true)
    }

    @Test func uuidsStayWholeThoughTheirLastGroupLooksLikeAnIBAN() {
        // "af72bcb548db": two letters, two digits, eight more: IBAN-shaped on its own.
        let id = "38b87794-657f-4ed7-bc02-af72bcb548db"
        #expect(SensitiveText.mask("run \(id) ended") == "run \(id) ended")
        #expect(SensitiveText.mask("s3://b/it/\(id.uppercased())/\(Self.iban).csv") == "s3://b/it/\(id.uppercased())/DE89**************3000.csv")
        #expect(SensitiveText.mask("x-af72bcb548db") == "x-af72****48db", "outside a UUID the shape is masked")
        #expect(SensitiveText.mask("\(id)\(Self.iban)") != "\(id)\(Self.iban)", "a UUID glued to more text is not one")
    }

    @Test func settingsComeFromTheEnvironmentWithDefaultsPerCommand() {
        let serve = LogSettings(environment: [:], server: true, verbose: false)
        #expect(serve.format == .json && serve.level == .info && serve.problems.isEmpty)
        #expect(serve.node.hasSuffix(":\(getpid())"))
        let cli = LogSettings(environment: [:], server: false, verbose: false)
        #expect(cli.format == .text && cli.level == .warning)
        #expect(LogSettings(environment: [:], server: false, verbose: true).level == .debug)
        #expect(LogSettings(environment: ["SLUICE_LOG_LEVEL": "trace"], server: false, verbose: true).level == .trace, "-v never lowers a finer level")
        let set = LogSettings(environment: ["SLUICE_LOG_FORMAT": "TEXT", "SLUICE_LOG_LEVEL": "error", "SLUICE_NODE_ID": "web-3"], server: true, verbose: false)
        #expect(set.format == .text && set.level == .error && set.node == "web-3")
        let wrong = LogSettings(environment: ["SLUICE_LOG_FORMAT": "xml", "SLUICE_LOG_LEVEL": "loud"], server: true, verbose: false)
        #expect(wrong.format == .json && wrong.level == .info && wrong.problems.count == 2)
    }
}
