import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// Small helpers for writing to the terminal.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func printError(_ text: String) {
        writeError(text + "\n")
    }

    /// Writes to stderr without going through the C `stderr` global.
    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600):" + pad(total / 60 % 60) + ":" + pad(total % 60)
            : "\(total / 60):" + pad(total % 60)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
