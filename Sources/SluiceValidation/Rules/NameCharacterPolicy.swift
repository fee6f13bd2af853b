/// What the `validate` stage does with a name holding characters outside the SEPA character
/// set the gateway accepts (a nickname in quotes, `O"Brien`, an emoji): `validation.characters`.
public enum NameCharacterPolicy: String, Sendable, Hashable, CaseIterable, Decodable {
    /// Reject the row with `<role>.characters`.
    case reject
    /// Transliterate what has a SEPA spelling (`’` → `'`, `“` → nothing), drop the rest, keep
    /// the row and flag it `<role>.normalised` for review; the original stays in the file and
    /// in the flag's raw record. The default.
    case normalise
}
