import Testing

@testable import SluiceS3

struct URIEncodingTests {
    @Test(arguments: [
        ("abcXYZ019-_.~", false, "abcXYZ019-_.~"),
        ("a b", false, "a%20b"),
        ("dir/sub dir/file.csv", false, "dir/sub%20dir/file.csv"),
        ("dir/file", true, "dir%2Ffile"),
        ("test$file.text", false, "test%24file.text"),
        ("a+b=c&d", true, "a%2Bb%3Dc%26d"),
        ("100%", false, "100%25"),
        ("€", false, "%E2%82%AC"),
        ("ä/ö", false, "%C3%A4/%C3%B6"),
        ("*'()!", true, "%2A%27%28%29%21"),
        ("", false, ""),
    ])
    func encodesWithS3Rules(input: String, encodeSlash: Bool, expected: String) {
        #expect(SigV4Signer.uriEncode(input, encodeSlash: encodeSlash) == expected)
    }

    @Test func canonicalQueryStringSortsByEncodedName() {
        let query = ["prefix": "a b/c", "list-type": "2", "continuation-token": "x+y=", "max-keys": "2"]
        #expect(
            SigV4Signer.canonicalQueryString(query)
                == "continuation-token=x%2By%3D&list-type=2&max-keys=2&prefix=a%20b%2Fc"
        )
    }

    @Test func canonicalQueryStringKeepsParametersWithoutValue() {
        #expect(SigV4Signer.canonicalQueryString(["uploads": ""]) == "uploads=")
        #expect(SigV4Signer.canonicalQueryString([:]) == "")
    }
}
