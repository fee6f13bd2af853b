import Foundation

/// Valid German IBANs no other test uses, so tests can blacklist them without touching the
/// samples other tests load.
enum TestIBAN {
    static func unique() -> String {
        let bban = (0..<18).map { _ in String(Int.random(in: 0...9)) }.joined()
        // Check digits: 98 − (BBAN + "DE00" as digits) mod 97; D = 13, E = 14.
        var remainder = 0
        for char in bban + "131400" { remainder = (remainder * 10 + Int(String(char))!) % 97 }
        let check = 98 - remainder
        return "DE" + (check < 10 ? "0" : "") + String(check) + bban
    }
}
