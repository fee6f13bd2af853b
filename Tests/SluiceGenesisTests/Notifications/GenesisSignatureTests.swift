import Crypto
import Testing

@testable import SluiceGenesis

struct GenesisSignatureTests {
    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func signsWithEachHash() {
        let data = Array("abcpw".utf8)
        #expect(GenesisSignature.sign(uniqueID: "abc", password: "pw", algorithm: .sha1) == Self.hex(Insecure.SHA1.hash(data: data)))
        #expect(GenesisSignature.sign(uniqueID: "abc", password: "pw", algorithm: .sha256) == Self.hex(SHA256.hash(data: data)))
        #expect(GenesisSignature.sign(uniqueID: "abc", password: "pw", algorithm: .sha512) == Self.hex(SHA512.hash(data: data)))
    }

    @Test func knownSHA1Vector() {
        // SHA-1("abc"), the FIPS 180 test vector: unique id "ab", password "c".
        #expect(GenesisSignature.sign(uniqueID: "ab", password: "c", algorithm: .sha1) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test(arguments: GenesisSignature.Algorithm.allCases)
    func verifiesEachHashInEitherCase(_ algorithm: GenesisSignature.Algorithm) {
        let signature = GenesisSignature.sign(uniqueID: "44177a21", password: "secret", algorithm: algorithm)
        #expect(signature.count == algorithm.hexLength)
        #expect(GenesisSignature.verify(signature, uniqueID: "44177a21", password: "secret"))
        #expect(GenesisSignature.verify(signature.uppercased(), uniqueID: "44177a21", password: "secret"))
        #expect(!GenesisSignature.verify(signature, uniqueID: "44177a21", password: "secreT"))
        #expect(!GenesisSignature.verify(signature, uniqueID: "44177a22", password: "secret"))
    }

    @Test func refusesOtherLengthsAndTampering() {
        let signature = GenesisSignature.sign(uniqueID: "u", password: "p", algorithm: .sha256)
        #expect(!GenesisSignature.verify("", uniqueID: "u", password: "p"))
        #expect(!GenesisSignature.verify(String(signature.dropLast()), uniqueID: "u", password: "p"))
        #expect(!GenesisSignature.verify(signature + "0", uniqueID: "u", password: "p"))
        #expect(!GenesisSignature.verify(String(signature.prefix(32)), uniqueID: "u", password: "p"))
        var tampered = Array(signature)
        tampered[10] = tampered[10] == "0" ? "1" : "0"
        #expect(!GenesisSignature.verify(String(tampered), uniqueID: "u", password: "p"))
        // A non-hex character that lowercases onto a digit must not pass.
        #expect(!GenesisSignature.verify(String(repeating: "\u{10}", count: 40), uniqueID: "u", password: "p"))
    }

    @Test func notificationEchoIsEscapedXML() throws {
        let xml = GenesisNotificationEcho.xml(uniqueID: "abc</unique_id>&")
        #expect(xml.hasPrefix("<?xml"))
        let root = try GenesisXMLReader.parse(Array(xml.utf8))
        #expect(root.name == "notification_echo")
        #expect(root.value("unique_id") == "abc</unique_id>&")
        #expect(GenesisNotificationEcho.xml(uniqueID: "u1").hasSuffix("<notification_echo><unique_id>u1</unique_id></notification_echo>"))
    }
}
