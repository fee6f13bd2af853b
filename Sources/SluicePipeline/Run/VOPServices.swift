import SluiceVOP

/// What a run's payee-verification stage needs besides its pipeline section: the provider's
/// client, and the answer cache and call budget in PostgreSQL.
struct VOPServices: Sendable {
    var verifier: any PayeeVerifier
    var provider: VOPProvider
    var answers: (any VOPAnswerLookup)?
    var budget: (any VOPCallBudget)?
}
