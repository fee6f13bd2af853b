import SluiceCore

extension StageName {
    /// Values of typed columns checked and written canonically, between validate and screen.
    public static let cast: StageName = "cast"
}
