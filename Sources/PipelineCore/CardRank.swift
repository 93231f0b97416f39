/// Sparse ranks that order the cards of a column.
///
/// Ranks leave gaps, so moving a card rewrites only that card: it takes the midpoint of
/// its new neighbours. Only when neighbours touch does the store respace a small window
/// around the spot (never the whole column).
public enum CardRank {
    /// The gap left between cards when ranks are (re)assigned.
    public static let spacing: Int64 = 1 << 20

    /// The ranks a card may hold: half of Int64 either way, so that shifting a whole column
    /// below another stays within Int64 (ranks come from a backup, too).
    public static let range: ClosedRange<Int64> = (Int64.min / 2)...(Int64.max / 2)

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
            // `high - low` can overflow (ranks at either end of Int64): neither step here does.
            guard high > low, high != low + 1 else { return nil }
            return (low & high) + ((low ^ high) >> 1)  // the midpoint, rounded down
        }
    }

    /// The shift that puts a whole column (ranks `top...bottom`) below a column whose last
    /// card is ranked `destinationBottom` (none: no shift), or `nil` when the shifted ranks
    /// would not fit in Int64.
    public static func shift(column top: Int64, _ bottom: Int64, below destinationBottom: Int64?) -> Int64? {
        guard let destinationBottom else { return 0 }
        let offset = Int128(destinationBottom) - Int128(top) + Int128(spacing)
        guard Int128(bottom) + offset <= Int128(Int64.max), Int128(top) + offset >= Int128(Int64.min) else { return nil }
        return Int64(exactly: offset)
    }
}
