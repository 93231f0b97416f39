/// Sparse ranks that order the cards of a column.
///
/// Ranks leave gaps, so moving a card rewrites only that card: it takes the midpoint of
/// its new neighbours. Only when neighbours touch does the store respace a small window
/// around the spot (never the whole column).
public enum CardRank {
    /// The gap left between cards when ranks are (re)assigned.
    public static let spacing: Int64 = 1 << 20

    /// A rank strictly between `before` and `after` (either may be absent: top or bottom of
    /// the column), or `nil` when they are adjacent and the window must be respaced.
    public static func between(_ before: Int64?, _ after: Int64?) -> Int64? {
        switch (before, after) {
        case (nil, nil):
            return 0
        case (let low?, nil):
            return low <= Int64.max - spacing ? low + spacing : nil
        case (nil, let high?):
            return high >= Int64.min + spacing ? high - spacing : nil
        case (let low?, let high?):
            guard high > low, high - low >= 2 else { return nil }
            return low + (high - low) / 2
        }
    }
}
