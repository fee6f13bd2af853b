import SluiceCore

extension GzipByteSource {
    /// Pulls compressed chunks from the inner source and returns decompressed ones, holding
    /// one compressed chunk, one decompressed chunk and zlib's 32 KiB window.
    struct Reader: ByteReader {
        private enum State {
            /// Inside a member: its header, deflate data or trailer.
            case member
            /// A member ended: another may follow, or the end of the object.
            case betweenMembers
            /// Zero bytes after the last member; only more zeros may follow.
            case padding
            case finished
        }

        private let inner: any ByteSource
        private let object: SourceObject
        private let limits: GzipLimits
        private let chunkSize: Int
        private let expectedETag: String?
        /// First decompressed byte to return; the ones before it are decompressed and dropped.
        private let start: Int64
        /// Decompressed offset to stop at, for bounded reads.
        private let end: Int64?

        private var reader: (any ByteReader)?
        /// Whether `reader` covers only the first `boundedReadBytes` of the object.
        private var readerIsBounded: Bool
        /// Compressed offset of the next byte `reader` returns.
        private var readOffset: Int64 = 0
        private var input: [UInt8] = []
        private var inputPosition = 0
        /// Compressed bytes consumed so far.
        private var consumed: Int64 = 0
        /// Decompressed bytes produced so far.
        private var produced: Int64 = 0
        private var member = 1
        private var state = State.member
        private let inflater: Inflater

        init(source: GzipByteSource, start: Int64, end: Int64?, expectedETag: String?) async throws {
            inner = source.inner
            object = source.object
            limits = source.limits
            chunkSize = source.chunkSize
            self.expectedETag = expectedETag
            self.start = start
            self.end = end
            inflater = try Self.makeInflater(object: source.object)
            if end != nil, source.object.size > GzipByteSource.boundedReadBytes {
                reader = try await inner.open(at: 0, end: GzipByteSource.boundedReadBytes, expectedETag: expectedETag)
                readerIsBounded = true
            } else {
                reader = try await inner.open(at: 0, expectedETag: expectedETag)
                readerIsBounded = false
            }
        }

        private static func makeInflater(object: SourceObject) throws -> Inflater {
            do {
                return try Inflater(.gzip)
            } catch let error as Inflater.InflateError {
                throw SluiceError(.internalError, "cannot start decompressing: \(error.message)", stage: "parse", object: object.uri)
            }
        }

        mutating func next() async throws -> [UInt8]? {
            var output = [UInt8](repeating: 0, count: chunkSize)
            while state != .finished {
                if let end, produced >= end { break }
                let chunkStart = produced
                let filled = try await fill(&output)
                let from = Int(max(0, min(start - chunkStart, Int64(filled))))
                let to = end.map { Int(max(0, min($0 - chunkStart, Int64(filled)))) } ?? filled
                guard from < to else { continue }
                if from == 0 && to == output.count { return output }
                return Array(output[from..<to])
            }
            state = .finished
            reader = nil
            return nil
        }

        /// Decompresses into `output` until it is full or the object ends; returns the bytes filled.
        private mutating func fill(_ output: inout [UInt8]) async throws -> Int {
            var filled = 0
            while filled < output.count {
                switch state {
                case .finished:
                    return filled
                case .member:
                    if inputPosition == input.count, try await !refill() {
                        throw failure("the gzip data ends early", then: "the file is truncated")
                    }
                    let result: (consumed: Int, produced: Int, ended: Bool)
                    do {
                        result = try input.withUnsafeBytes { inBuffer in
                            try output.withUnsafeMutableBytes { outBuffer in
                                try inflater.inflate(
                                    input: UnsafeRawBufferPointer(rebasing: inBuffer[inputPosition...]),
                                    output: UnsafeMutableRawBufferPointer(rebasing: outBuffer[filled...]))
                            }
                        }
                    } catch let error as Inflater.InflateError {
                        throw failure("the gzip data is corrupt (\(error.message))")
                    }
                    inputPosition += result.consumed
                    consumed += Int64(result.consumed)
                    filled += result.produced
                    produced += Int64(result.produced)
                    try checkLimits()
                    if result.ended {
                        state = .betweenMembers
                    } else if result.consumed == 0 && result.produced == 0 {
                        throw failure("the gzip data is corrupt (inflate made no progress)")
                    }
                case .betweenMembers, .padding:
                    if inputPosition == input.count, try await !refill() {
                        state = .finished
                        reader = nil
                        return filled
                    }
                    if input[inputPosition] == 0 {
                        inputPosition += 1
                        consumed += 1
                        state = .padding
                    } else if state == .padding {
                        throw failure("unexpected bytes after the gzip data")
                    } else {
                        // Another member (`cat a.gz b.gz`): zlib checks its header.
                        do { try inflater.reset() } catch let error as Inflater.InflateError {
                            throw failure("cannot start gzip member \(member + 1) (\(error.message))")
                        }
                        member += 1
                        state = .member
                    }
                }
            }
            return filled
        }

        /// The next compressed chunk into `input`; `false` at the end of the object.
        private mutating func refill() async throws -> Bool {
            while true {
                if var reader {
                    if let chunk = try await reader.next() {
                        self.reader = reader
                        input = chunk
                        inputPosition = 0
                        readOffset += Int64(chunk.count)
                        return true
                    }
                    self.reader = nil
                }
                // A bounded first read ran out before the decompressed `end`: read on.
                guard readerIsBounded, readOffset < object.size else { return false }
                readerIsBounded = false
                reader = try await inner.open(at: readOffset, expectedETag: expectedETag)
            }
        }

        private func checkLimits() throws {
            if produced > limits.maxDecompressedBytes {
                throw failure("decompresses to more than the limit of \(limits.maxDecompressedBytes) bytes (gzip bomb?)")
            }
            if produced > limits.ratioGraceBytes, produced > max(consumed, 1) * limits.maxCompressionRatio {
                throw failure("decompresses to more than \(limits.maxCompressionRatio) times its compressed size (gzip bomb?)")
            }
        }

        /// A run-stopping error that says where: decompressed offset, member and compressed offset.
        private func failure(_ reason: String, then conclusion: String? = nil) -> SluiceError {
            SluiceError(
                .format,
                "\(reason) at decompressed byte \(produced) (gzip member \(member), compressed byte \(consumed) of \(object.size))"
                    + (conclusion.map { ": " + $0 } ?? ""),
                stage: "parse", object: object.uri)
        }
    }
}
