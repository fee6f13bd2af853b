/// Splits a full name into first and last name, the way the operator's old importer did:
/// "Last, First" at the first comma; otherwise the first word is the first name and the rest
/// is the last name ("Anna Maria de la Fontaine" → "Anna" / "Maria de la Fontaine").
public enum FullNameSplitter {
    /// Ranges of the first and last name inside `bytes`, trimmed; either may be empty.
    public static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (first: Range<Int>, last: Range<Int>) {
        let whole = UTF8Decoding.trimmed(bytes)
        func trim(_ range: Range<Int>) -> Range<Int> {
            var start = range.lowerBound
            var end = range.upperBound
            while start < end && UTF8Decoding.isSpace(bytes[start]) { start += 1 }
            while end > start && UTF8Decoding.isSpace(bytes[end - 1]) { end -= 1 }
            return start..<end
        }
        if let comma = whole.first(where: { bytes[$0] == UInt8(ascii: ",") }) {
            return (trim((comma + 1)..<whole.upperBound), trim(whole.lowerBound..<comma))
        }
        if let space = whole.first(where: { UTF8Decoding.isSpace(bytes[$0]) }) {
            return (whole.lowerBound..<space, trim(space..<whole.upperBound))
        }
        return (whole, whole.upperBound..<whole.upperBound)
    }

    /// Splits a full name given as a string.
    public static func split(_ name: String) -> (first: String, last: String) {
        let bytes = Array(name.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let (first, last) = split(buffer)
            return (String(decoding: buffer[first], as: UTF8.self), String(decoding: buffer[last], as: UTF8.self))
        }
    }
}
