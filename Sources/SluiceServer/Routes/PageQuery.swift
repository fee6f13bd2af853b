import Hummingbird
import HummingbirdCore

/// The paging parameters every list route takes: `limit` (1 to `ServerRoutes.maxLimit`,
/// default `ServerRoutes.defaultLimit`) and `cursor`, decoded by the list's own cursor type.
struct PageQuery<Cursor> {
    var limit: Int
    var cursor: Cursor?

    /// - Throws: 400 problems for a limit out of range or a cursor `decode` does not accept.
    init(_ query: FlatDictionary<Substring, Substring>, decode: (String) -> Cursor?) throws {
        limit = ServerRoutes.defaultLimit
        if let text = query["limit"] {
            guard let parsed = Int(text), (1...ServerRoutes.maxLimit).contains(parsed) else {
                throw ProblemDetails.invalidRequest("limit must be 1 to \(ServerRoutes.maxLimit)")
            }
            limit = parsed
        }
        if let text = query["cursor"] {
            guard let parsed = decode(String(text)) else { throw ProblemDetails.invalidRequest("cursor is not one this server gave out") }
            cursor = parsed
        }
    }
}
