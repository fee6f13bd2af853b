import Foundation
import Testing

@testable import SluicePostgres

struct TokenSecretTests {
    @Test func aSecretIsTheMarkerAnd32RandomBytesInBase64url() {
        let secrets = (0..<50).map { _ in TokenStore.newSecret() }
        #expect(Set(secrets).count == secrets.count, "never the same twice")
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for secret in secrets {
            #expect(secret.hasPrefix("slc_"))
            #expect(secret.count == 4 + 43, "32 bytes are 43 base64 characters without padding")
            #expect(secret.dropFirst(4).allSatisfy { alphabet.contains($0) }, "\(secret)")
            #expect(TokenStore.displayPrefix(secret).count == 12 && secret.hasPrefix(TokenStore.displayPrefix(secret)))
        }
    }

    @Test func onlyTheSHA256IsKeptAndComparedWithoutAnEarlyExit() {
        let hash = TokenStore.hash("slc_abc")
        #expect(hash.count == 32)
        #expect(hash.map { String(format: "%02x", $0) }.joined() == "c3cb1f54436059275c4bd25419d5f6c0ce80b340b2ab9ea35c43acd991a86485")
        #expect(TokenStore.constantTimeEqual(hash, TokenStore.hash("slc_abc")))
        #expect(!TokenStore.constantTimeEqual(hash, TokenStore.hash("slc_abd")))
        #expect(!TokenStore.constantTimeEqual(hash, Array(hash.dropLast())))
        #expect(!TokenStore.constantTimeEqual([], [0]))
    }

    @Test func anAuditCursorReadsBackAndRejectsOthers() {
        let cursor = AuditLog.Cursor(id: 1234)
        #expect(AuditLog.Cursor(token: cursor.token) == cursor)
        #expect(AuditLog.Cursor(token: "!!") == nil)
        #expect(AuditLog.Cursor(token: Data("a-5".utf8).base64EncodedString()) == nil)
        #expect(AuditLog.Cursor(token: "") == nil)
    }

    @Test func storedDetailReadsAsText() {
        #expect(AuditLog.detail(#"{"a": "x", "n": 3, "o": {"k": true}}"#) == ["a": "x", "n": "3", "o": #"{"k":true}"#])
        #expect(AuditLog.detail("not json").isEmpty)
    }
}
