/// What a cast parser made of one value.
enum CastOutcome: Equatable {
    /// The value is already in its canonical form; nothing was appended.
    case canonical
    /// The canonical form was appended to the output (it may still equal the value).
    case appended
    /// The value does not fit the type; nothing was appended.
    case misfit
}
