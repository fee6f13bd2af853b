/// One page of a paged by-date answer (`<payment_responses page=… pages_count=…>`).
public struct GatewayPage<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    public var page: Int
    public var pagesCount: Int
    public var perPage: Int
    public var totalCount: Int

    public init(items: [Item], page: Int, pagesCount: Int, perPage: Int, totalCount: Int) {
        self.items = items
        self.page = page
        self.pagesCount = pagesCount
        self.perPage = perPage
        self.totalCount = totalCount
    }

    public var isLast: Bool { page >= pagesCount }
}
