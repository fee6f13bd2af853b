import SluiceCore
import SluiceStages
import SluiceVOP

/// The verifier of a dry run with `--vop cache-only`: it never calls the provider, so a row
/// whose answer is not in the cache gets no answer (`unavailable`, which the pipeline's
/// `vop.policy.unavailable` then decides). The refusal is a request error, not a provider
/// fault, so the circuit breaker never opens because of it.
struct CacheOnlyVerifier: PayeeVerifier {
    let provider: VOPProvider

    func verify(_ request: PayeeVerificationRequest) async throws -> PayeeVerificationAnswer {
        throw PayeeVerifierError(.rejected, provider: provider, failure: .status(409), attempts: 0, maskedIBAN: IBANMask.mask(request.iban))
    }
}
