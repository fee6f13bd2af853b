import Foundation
import SluiceCore
import SluiceValidation

/// Who holds which account: from a CSV of account holders, or derived from the IBAN.
///
/// With a table (`iban,name[,account_type]`), an IBAN not in it is an unknown account (NOAP,
/// `unavailable`). Without one, every valid IBAN has a holder: a first and a last name picked
/// from fixed lists by an FNV-1a hash of the compact IBAN, an individual; an IBAN that fails
/// its checks is unknown. `GET /_sim/holder?iban=` tells a test the name.
public struct AccountHolders: Sendable {
    /// The table, keyed by compact upper-case IBAN; `nil` when holders are derived.
    public var table: [String: AccountHolder]?

    public init(table: [String: AccountHolder]? = nil) {
        self.table = table?.reduce(into: [:]) { $0[Self.compact($1.key)] = $1.value }
    }

    /// The holder of `iban`, or `nil` for an unknown account.
    public func holder(for iban: String) -> AccountHolder? {
        let iban = Self.compact(iban)
        if let table { return table[iban] }
        guard IBANValidator.validate(iban).isValid else { return nil }
        return Self.derived(for: iban)
    }

    /// The name made up for `iban` when there is no table: the same IBAN always gets the same name.
    public static func derived(for iban: String) -> AccountHolder {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in compact(iban).utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let first = firstNames[Int(hash % UInt64(firstNames.count))]
        let last = lastNames[Int((hash >> 32) % UInt64(lastNames.count))]
        return AccountHolder(name: "\(first) \(last)", accountType: .individual)
    }

    /// Reads a CSV of `iban,name[,account_type]`. A first row whose first field is `iban` is a
    /// header. Fields may be quoted (`"Smith, John"`); `account_type` is `individual`
    /// (default) or `company`.
    ///
    /// - Throws: `SluiceError` `.invalidArgument` naming the line of a bad row.
    public static func parse(csv text: String) throws -> AccountHolders {
        var table: [String: AccountHolder] = [:]
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = splitCSVLine(String(line))
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if index == 0, fields.first?.trimmingCharacters(in: .whitespaces).lowercased() == "iban" { continue }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw SluiceError(.invalidArgument, "holders CSV line \(index + 1): expected iban,name[,account_type]")
            }
            var accountType = PayeeAccountType.individual
            if fields.count >= 3, !fields[2].trimmingCharacters(in: .whitespaces).isEmpty {
                let text = fields[2].trimmingCharacters(in: .whitespaces).lowercased()
                guard let parsed = PayeeAccountType(rawValue: text) else {
                    throw SluiceError(.invalidArgument, "holders CSV line \(index + 1): account_type must be individual or company, found '\(text)'")
                }
                accountType = parsed
            }
            table[compact(fields[0])] = AccountHolder(name: fields[1].trimmingCharacters(in: .whitespaces), accountType: accountType)
        }
        return AccountHolders(table: table)
    }

    /// Reads the CSV file at `path`.
    public static func load(contentsOf path: String) throws -> AccountHolders {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SluiceError(.invalidArgument, "cannot read the holders CSV '\(path)'", underlying: error)
        }
        return try parse(csv: String(decoding: data, as: UTF8.self))
    }

    static func compact(_ iban: String) -> String {
        String(String.UnicodeScalarView(iban.unicodeScalars.filter { !$0.properties.isWhitespace })).uppercased()
    }

    /// One CSV line's fields; `""` inside quotes is a quote.
    static func splitCSVLine(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    static let firstNames = [
        "Anna", "Bernd", "Clara", "Dieter", "Elena", "Felix", "Greta", "Hannes", "Ines", "Jonas",
        "Katrin", "Lukas", "Marta", "Niklas", "Olga", "Paul", "Rosa", "Stefan", "Tanja", "Ulrich",
        "Vera", "Walter", "Yvonne", "Zoran", "Amelie", "Bruno", "Carmen", "Dominik", "Emma", "Florian",
        "Gisela", "Henrik",
    ]
    static let lastNames = [
        "Albrecht", "Baumann", "Castellano", "Dressler", "Eisenberg", "Fontaine", "Gallagher", "Hoffmann",
        "Iversen", "Jankowski", "Krause", "Lindqvist", "Moreau", "Nowak", "Oliveira", "Petersen",
        "Quintero", "Rossi", "Schneider", "Tanaka", "Urbanek", "Vasquez", "Weber", "Xenakis",
        "Yilmaz", "Zimmermann", "Bergstrom", "Carvalho", "Dubois", "Esposito", "Fischer", "Gruber",
    ]
}
