/// Checks a payee's name against the holder of an account, with a payee-verification provider.
///
/// Implementations: `EPCVOPClient` (EPC Verification of Payee) and `BAVClient` (bank-account
/// verification services). Both retry what is worth retrying (`ProviderRetryPolicy`) and map
/// the provider's answer to one `PayeeVerificationOutcome`.
///
/// ```swift
/// let verifier: any PayeeVerifier = try VOPProviderConfiguration.fromEnvironment()!.makeVerifier()
/// let answer = try await verifier.verify(PayeeVerificationRequest(iban: "DE89370400440532013000", name: "Jane Doe"))
/// answer.outcome   // .match
/// ```
public protocol PayeeVerifier: Sendable {
    /// Verifies one payee.
    ///
    /// - Returns: the provider's answer, after as many attempts as the retry policy allows.
    /// - Throws: `PayeeVerifierError` when no attempt got a usable answer (the stage then
    ///   records `PayeeVerificationOutcome.unavailable`), or `CancellationError`.
    func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer
}
